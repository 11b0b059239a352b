"""Unidimensional poverty measures: hand-derived values, naive oracles, properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixian.engine import measures as dm

from . import _naive


@st.composite
def sample(draw):
    y = draw(st.lists(st.integers(1, 200), min_size=1, max_size=25))
    w = draw(st.lists(st.integers(1, 4), min_size=len(y), max_size=len(y)))
    z = draw(st.integers(1, 220))
    return y, w, z


def test_the_poor_are_strictly_below_the_line():
    assert dm.fgt([10, 20, 30], z=20) == pytest.approx(1 / 3)
    assert dm.fgt([10, 20, 30], z=20.0001) == pytest.approx(2 / 3)
    assert dm.watts([10, 20, 30], z=20) == pytest.approx(math.log(2) / 3)


def test_fgt_family_by_hand():
    y = [0, 25, 50, 100, 200]
    z = 100
    # gaps of the poor: 1, 3/4, 1/2 (100 is not poor)
    assert dm.fgt(y, z, 0) == pytest.approx(3 / 5)
    assert dm.fgt(y, z, 1) == pytest.approx((1 + 0.75 + 0.5) / 5)
    assert dm.fgt(y, z, 2) == pytest.approx((1 + 0.5625 + 0.25) / 5)
    assert dm.fgt(y, z, 3) == pytest.approx((1 + 0.75**3 + 0.5**3) / 5)
    assert dm.headcount(y, z) == dm.fgt(y, z, 0)
    assert dm.poverty_gap(y, z) == dm.fgt(y, z, 1)
    assert dm.poverty_severity(y, z) == dm.fgt(y, z, 2)


def test_fgt_with_one_line_per_unit():
    # two counties with their own lines
    y = [50, 150, 50, 150]
    z = [100, 100, 200, 200]
    assert dm.fgt(y, z, 0) == pytest.approx(3 / 4)
    assert dm.fgt(y, z, 1) == pytest.approx((0.5 + 0.75 + 0.25) / 4)


def test_sen_and_sst_by_hand():
    y = [1, 3, 5, 10]
    z = 4
    p0, p1 = 0.5, 0.25
    g_poor = 0.25  # Gini of (1, 3): |1 - 3| * 2 / 4 / (2 * 2)
    assert dm.sen(y, z) == pytest.approx(p0 * g_poor + p1 * (1 - g_poor))
    q = 2
    assert dm.sen(y, z, variant="finite") == pytest.approx(p1 + (p0 - p1) * g_poor * q / (q + 1))
    g_gaps = _naive.gini_mad([0.75, 0.25, 0, 0])
    assert dm.sst(y, z) == pytest.approx(p1 * (1 + g_gaps))
    assert dm.sen([5, 6], 4) == 0.0
    assert dm.sst([5, 6], 4) == 0.0


def test_sen_needs_one_line():
    with pytest.raises(ValueError, match="one number"):
        dm.sen([1, 2], [3, 3])


def test_watts_rejects_zero_and_negative_welfare_with_a_count():
    with pytest.raises(ValueError, match="2 unit"):
        dm.watts([0, -1, 5, 10], z=8)
    with pytest.raises(ValueError, match="1 unit"):
        dm.watts_se([0, 5, 10], z=8)


def test_watts_pip_option_lets_nonpositive_welfare_contribute_zero():
    assert dm.watts([0, -1, 4, 10], z=8, nonpositive="pip") == pytest.approx(math.log(2) / 4)


def test_poverty_line_must_be_positive():
    with pytest.raises(ValueError):
        dm.fgt([1, 2], z=0)
    with pytest.raises(ValueError, match="1 poverty line"):
        dm.fgt([1, 2], z=[1, -1])


@settings(deadline=None)
@given(sample(), st.sampled_from([0, 1, 2, 0.5]))
def test_fgt_equals_naive_formula_on_repeated_rows(data, alpha):
    y, w, z = data
    rep = _naive.replicate(y, w)
    assert dm.fgt(y, z, alpha, w) == pytest.approx(_naive.fgt(rep, z, alpha), abs=1e-12)
    assert dm.watts(y, z, w) == pytest.approx(_naive.watts(rep, z), abs=1e-12)


@settings(deadline=None)
@given(sample())
def test_sen_and_sst_are_replication_invariant(data):
    y, w, z = data
    rep = _naive.replicate(y, w)
    assert dm.sen(y, z, w) == pytest.approx(dm.sen(rep, z), abs=1e-12)
    assert dm.sst(y, z, w) == pytest.approx(dm.sst(rep, z), abs=1e-12)


@settings(deadline=None)
@given(sample(), st.sampled_from([0.01, 7.0, 1e5]))
def test_poverty_is_invariant_when_welfare_and_line_scale_together(data, c):
    y, w, z = data
    ys = [c * v for v in y]
    for a in (0, 1, 2):
        assert dm.fgt(ys, c * z, a, w) == pytest.approx(dm.fgt(y, z, a, w), abs=1e-12)
    assert dm.watts(ys, c * z, w) == pytest.approx(dm.watts(y, z, w), abs=1e-12)
    assert dm.sen(ys, c * z, w) == pytest.approx(dm.sen(y, z, w), abs=1e-12)
    assert dm.sst(ys, c * z, w) == pytest.approx(dm.sst(y, z, w), abs=1e-12)


@settings(deadline=None)
@given(sample(), st.randoms(use_true_random=False))
def test_poverty_does_not_depend_on_the_order_of_units(data, rnd):
    y, w, z = data
    order = list(range(len(y)))
    rnd.shuffle(order)
    ys, ws = [y[i] for i in order], [w[i] for i in order]
    for f in (dm.watts, dm.sen, dm.sst):
        assert f(ys, z, ws) == pytest.approx(f(y, z, w), abs=1e-12)
    assert dm.fgt(ys, z, 2, ws) == pytest.approx(dm.fgt(y, z, 2, w), abs=1e-12)


def test_results_are_python_floats():
    out = dm.fgt(np.array([1.0, 2.0]), 1.5, 1)
    assert type(out) is float
