"""Design-based standard errors against direct formulas, numerical derivatives and the jackknife."""

import math
from collections import defaultdict

import numpy as np
import pytest

from dixian.engine import measures as dm


def stratified_variance(t, strata, psu):
    """Textbook with-replacement variance of a total from unit contributions t (loops)."""
    totals = defaultdict(float)
    for ti, h, j in zip(t, strata, psu, strict=False):
        totals[(h, j)] += ti
    by_stratum = defaultdict(list)
    for (h, _), v in totals.items():
        by_stratum[h].append(v)
    var = 0.0
    for values in by_stratum.values():
        n_h = len(values)
        m = sum(values) / n_h
        var += n_h / (n_h - 1) * sum((v - m) ** 2 for v in values)
    return var


def test_fgt_se_without_design_is_the_textbook_standard_error():
    rng = np.random.default_rng(3)
    y = rng.lognormal(0, 1, 500)
    poor = (y < 1.0).astype(float)
    r = dm.fgt_se(y, 1.0)
    assert r.estimate == pytest.approx(poor.mean())
    assert r.se == pytest.approx(poor.std(ddof=1) / math.sqrt(500), rel=1e-10)
    assert r.df == 499
    lo, hi = r.ci_low, r.ci_high
    assert lo < r.estimate < hi
    assert (hi - lo) / 2 == pytest.approx(r.se * 1.96472, rel=1e-4)  # t(499) 97.5 %


def test_fgt_se_with_strata_psu_and_weights_matches_the_direct_formula():
    rng = np.random.default_rng(4)
    n = 400
    strata = rng.integers(0, 5, n)
    psu = rng.integers(0, 4, n)  # PSU codes repeat across strata: nested
    w = rng.uniform(0.5, 3, n)
    y = rng.lognormal(0, 0.8, n)
    z = 0.9
    r = dm.fgt_se(y, z, alpha=1, weights=w, strata=strata, psu=psu)
    gap = np.maximum((z - y) / z, 0)
    est = np.dot(w, gap) / w.sum()
    t = w * (gap - est) / w.sum()
    assert r.estimate == pytest.approx(est)
    assert r.se == pytest.approx(math.sqrt(stratified_variance(t, strata, psu)), rel=1e-10)
    assert r.n_strata == 5
    assert r.n_psu == len(set(zip(strata, psu, strict=False)))
    assert r.df == r.n_psu - r.n_strata


def test_watts_se_matches_the_direct_formula():
    rng = np.random.default_rng(5)
    n = 300
    y = rng.lognormal(0, 0.8, n)
    strata = rng.integers(0, 3, n)
    psu = rng.integers(0, 6, n)
    contrib = np.where(y < 1.2, np.log(1.2 / y), 0.0)
    est = contrib.mean()
    t = (contrib - est) / n
    r = dm.watts_se(y, 1.2, strata=strata, psu=psu)
    assert r.estimate == pytest.approx(est)
    assert r.se == pytest.approx(math.sqrt(stratified_variance(t, strata, psu)), rel=1e-10)


def test_gini_influence_is_the_derivative_with_respect_to_each_weight():
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0])  # ties on 1 and 5
    w = np.array([1.0, 2.0, 1.5, 0.5, 1.0, 2.0, 1.0, 1.0, 3.0])
    g, u = dm.gini_influence(y, w)
    assert g == pytest.approx(dm.gini(y, w))
    h = 1e-6
    for i in range(y.size):
        up, down = w.copy(), w.copy()
        up[i] += h
        down[i] -= h
        numeric = (dm.gini(y, up) - dm.gini(y, down)) / (2 * h)
        assert u[i] == pytest.approx(numeric, abs=1e-7)
    assert float(np.dot(w, u)) == pytest.approx(0.0, abs=1e-12)


def test_gini_se_is_close_to_the_jackknife():
    rng = np.random.default_rng(6)
    n = 800
    y = rng.lognormal(0, 0.7, n)
    g = dm.gini(y)
    loo = np.array([dm.gini(np.delete(y, i)) for i in range(n)])
    jack = math.sqrt((n - 1) / n * np.sum((loo - loo.mean()) ** 2))
    r = dm.gini_se(y)
    assert r.estimate == pytest.approx(g)
    assert r.se == pytest.approx(jack, rel=0.03)


def test_gini_se_with_design_matches_the_direct_formula_on_influence_values():
    rng = np.random.default_rng(7)
    n = 200
    y = rng.lognormal(0, 1, n)
    w = rng.uniform(1, 2, n)
    strata = rng.integers(0, 4, n)
    psu = rng.integers(0, 5, n)
    _, u = dm.gini_influence(y, w)
    r = dm.gini_se(y, w, strata=strata, psu=psu)
    assert r.se == pytest.approx(math.sqrt(stratified_variance(w * u, strata, psu)), rel=1e-10)


def test_single_psu_strata():
    y = [1, 2, 3, 4, 5]
    strata = [1, 1, 2, 2, 3]
    psu = [1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="1 stratum"):
        dm.fgt_se(y, 3.5, strata=strata, psu=psu)
    certain = dm.fgt_se(y, 3.5, strata=strata, psu=psu, singleton="certainty")
    centered = dm.fgt_se(y, 3.5, strata=strata, psu=psu, singleton="centered")
    assert certain.singleton_strata == 1
    # the singleton stratum's PSU total (1[5 < 3.5] - 0.6) / 5 deviates from the grand mean 0
    assert centered.se**2 == pytest.approx(certain.se**2 + (0.6 / 5) ** 2)


def test_replicate_weights_jackknife_of_a_mean():
    y = np.array([2.0, 4.0, 4.0, 5.0, 9.0])
    n = y.size
    reps = np.ones((n, n)) - np.eye(n)
    r = dm.replicate_se(lambda w: dm.fgt(y, 4.5, 0, w), np.ones(n), reps, method="jk1")
    poor = (y < 4.5).astype(float)
    assert r.estimate == pytest.approx(poor.mean())
    assert r.se == pytest.approx(poor.std(ddof=1) / math.sqrt(n))
    assert r.method == "replicate:jk1"
