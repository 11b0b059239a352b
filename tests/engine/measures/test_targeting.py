"""Targeting quality: confusion counts, BRV errors, AUC and log-loss against naive versions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixian.engine import measures as dm


def test_confusion_counts_and_rates_by_hand():
    selected = [1, 1, 1, 0, 0, 0, 1, 0]
    poor = [1, 1, 0, 1, 0, 0, 0, 1]
    w = [2, 1, 1, 3, 1, 2, 1, 1]
    t = dm.targeting(selected, poor, w)
    tp, fn, fp, tn = 3.0, 4.0, 2.0, 3.0
    assert (t.true_positive, t.false_negative, t.false_positive, t.true_negative) == (
        tp,
        fn,
        fp,
        tn,
    )
    assert t.exclusion_error == pytest.approx(fn / (tp + fn))
    assert t.inclusion_error == pytest.approx(fp / (tp + fp))
    assert t.false_positive_rate == pytest.approx(fp / (fp + tn))
    assert t.coverage == pytest.approx(tp / (tp + fn))
    assert t.leakage == pytest.approx(t.inclusion_error)
    assert t.targeting_differential == pytest.approx(tp / (tp + fn) - fp / (fp + tn))
    assert t.selected_share == pytest.approx(5 / 12)
    assert t.auc is None and t.log_loss is None


def test_leakage_with_benefit_amounts():
    t = dm.targeting([1, 1, 1], [1, 0, 1], benefits=[100, 300, 100])
    assert t.leakage == pytest.approx(300 / 500)


def test_selection_from_a_score_and_threshold():
    t = dm.targeting(None, [1, 0, 1, 0], score=[0.9, 0.6, 0.4, 0.1], threshold=0.5)
    assert (t.true_positive, t.false_positive) == (1.0, 1.0)
    assert t.auc == pytest.approx(0.75)
    assert t.log_loss == pytest.approx(
        # poor 0.9 -> ln 0.9; non-poor 0.6 -> ln 0.4; poor 0.4 -> ln 0.4; non-poor 0.1 -> ln 0.9
        -(math.log(0.9) + math.log(0.4) + math.log(0.4) + math.log(0.9)) / 4
    )


def naive_auc(score, poor, w):
    num = den = 0.0
    for si, pi, wi in zip(score, poor, w, strict=False):
        for sj, pj, wj in zip(score, poor, w, strict=False):
            if pi and not pj:
                den += wi * wj
                num += wi * wj * (1.0 if si > sj else 0.5 if si == sj else 0.0)
    return num / den


@st.composite
def scored(draw):
    n = draw(st.integers(2, 25))
    score = draw(
        st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]), min_size=n, max_size=n)
    )
    poor = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    w = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    return score, poor, w


@settings(deadline=None)
@given(scored())
def test_auc_and_log_loss_equal_naive_versions(data):
    score, poor, w = data
    if all(poor) or not any(poor):
        assert math.isnan(dm.auc(score, poor, w))
    else:
        assert dm.auc(score, poor, w) == pytest.approx(naive_auc(score, poor, w))
    eps = 1e-15
    ll = -sum(
        wi * (math.log(min(max(s, eps), 1 - eps)) if p else math.log(1 - min(max(s, eps), 1 - eps)))
        for s, p, wi in zip(score, poor, w, strict=False)
    ) / sum(w)
    assert dm.log_loss(score, poor, w) == pytest.approx(ll, rel=1e-9)


def test_by_group_evaluation():
    rng = np.random.default_rng(8)
    n = 200
    poor = rng.random(n) < 0.3
    sel = rng.random(n) < 0.4
    region = rng.choice(["r1", "r2", "r3"], n)
    out = dm.targeting_by_group(sel, poor, region)
    assert set(out) == {"r1", "r2", "r3"}
    for name, t in out.items():
        m = region == name
        assert t == dm.targeting(sel[m], poor[m])


def test_inputs_must_be_zero_or_one():
    with pytest.raises(ValueError, match="neither 0 nor 1"):
        dm.targeting([1, 2], [0, 1])
