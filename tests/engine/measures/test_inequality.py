"""Inequality measures against textbook values, naive oracles and invariance properties."""

import math

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixian.engine import measures as dm

from . import _naive

incomes = st.lists(st.integers(min_value=1, max_value=1000), min_size=2, max_size=25)


@st.composite
def weighted_incomes(draw):
    y = draw(incomes)
    w = draw(st.lists(st.integers(1, 5), min_size=len(y), max_size=len(y)))
    return y, w


# --- values derived by hand ------------------------------------------------------------------


def test_gini_of_one_person_holding_everything_is_one_minus_one_over_n():
    assert dm.gini([0, 0, 0, 1]) == pytest.approx(3 / 4)
    assert dm.gini([0] * 9 + [5]) == pytest.approx(9 / 10)


def test_gini_of_equal_incomes_is_zero():
    assert dm.gini([7, 7, 7]) == pytest.approx(0.0, abs=1e-15)


def test_gini_of_arithmetic_sequence():
    # For 1..n, G = (n - 1) / (3 n): sum |i - j| over ordered pairs is n(n^2 - 1)/3.
    for n in (2, 5, 10, 101):
        assert dm.gini(list(range(1, n + 1))) == pytest.approx((n - 1) / (3 * n))


def test_theil_t_of_one_person_holding_everything_is_ln_n():
    assert dm.theil_t([0, 0, 0, 0, 3]) == pytest.approx(math.log(5))


def test_theil_l_and_atkinson_of_a_two_point_distribution():
    # y = (1, 4): mu = 2.5, geometric mean 2.
    assert dm.theil_l([1, 4]) == pytest.approx(math.log(2.5) - math.log(2))
    assert dm.atkinson([1, 4], 1) == pytest.approx(1 - 2 / 2.5)
    # e = 2: harmonic mean 1.6 -> A = 1 - 1.6 / 2.5
    assert dm.atkinson([1, 4], 2) == pytest.approx(1 - 1.6 / 2.5)
    assert dm.atkinson([1, 4], 0) == 0.0


def test_ge2_is_half_squared_coefficient_of_variation():
    y = [2.0, 3.0, 7.0, 8.0]
    mu = 5.0
    var = sum((v - mu) ** 2 for v in y) / 4
    assert dm.ge(y, 2) == pytest.approx(var / mu**2 / 2)


def test_ge_limits_are_the_theils():
    y = [1.0, 2.0, 5.0, 9.0]
    assert dm.ge(y, 1) == pytest.approx(dm.theil_t(y))
    assert dm.ge(y, 0) == pytest.approx(dm.theil_l(y))
    assert dm.ge(y, 1 + 1e-7) == pytest.approx(dm.theil_t(y), rel=1e-5)
    assert dm.ge(y, 1e-7) == pytest.approx(dm.theil_l(y), rel=1e-5)


def test_palma_and_s80s20_split_the_straddling_unit():
    # Three equal-weight units 1, 2, 3: the bottom 40 % is unit 1 plus a fifth of unit 2.
    l40 = (1 + 0.2 * 2) / 6
    l90 = (1 + 2 + 0.7 * 3) / 6
    assert dm.palma([3, 1, 2]) == pytest.approx((1 - l90) / l40)
    l20 = (0.6 * 1) / 6
    l80 = (1 + 2 + 0.4 * 3) / 6
    assert dm.s80s20([3, 1, 2]) == pytest.approx((1 - l80) / l20)


def test_palma_is_infinite_when_the_bottom_holds_nothing():
    assert dm.palma([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]) == math.inf


# --- Eurostat quantile rule ----------------------------------------------------------------


def test_median_averages_when_the_share_is_exactly_one_half():
    assert dm.median([1, 2, 3, 4]) == 2.5
    assert dm.median([1, 2, 3, 4, 5]) == 3.0
    assert dm.quantile([10, 20, 30, 40, 50], 0.2) == 15.0  # share 0.2 reached exactly at 10
    assert dm.quantile([10, 20, 30, 40, 50], 0.3) == 20.0


def test_quantile_weighted_rule():
    # cumulative shares 0.2, 0.5, 1.0: p = 0.5 is hit exactly -> (2 + 3) / 2
    assert dm.quantile([1, 2, 3], 0.5, weights=[2, 3, 5]) == 2.5
    assert dm.quantile([1, 2, 3], 0.49, weights=[2, 3, 5]) == 2.0
    assert dm.quantile([1, 2, 3], 0.51, weights=[2, 3, 5]) == 3.0
    assert dm.quantile([1, 2, 3], [0, 1], weights=[2, 3, 5]) == (1.0, 3.0)


def test_quantile_ignores_zero_weight_units():
    assert dm.quantile([1, 2, 100, 3], 0.5, weights=[1, 1, 0, 2]) == 2.5


def test_inverted_cdf_rule_never_averages():
    assert dm.quantile([1, 2, 3, 4], 0.5, method="inverted_cdf") == 2.0
    with pytest.raises(ValueError):
        dm.quantile([1, 2], 0.5, method="type7")


def test_at_risk_line_is_sixty_percent_of_the_median():
    assert dm.at_risk_line([1, 2, 3, 4]) == pytest.approx(0.6 * 2.5)


@settings(deadline=None)
@given(weighted_incomes(), st.sampled_from([0.1, 0.2, 0.25, 0.5, 0.6, 0.75, 0.9]))
def test_quantile_equals_eurostat_rule_on_repeated_rows(data, p):
    y, w = data
    assert dm.quantile(y, p, weights=w) == pytest.approx(
        _naive.eurostat_quantile(_naive.replicate(y, w), p)
    )


# --- oracles and properties ----------------------------------------------------------------


@settings(deadline=None)
@given(weighted_incomes())
def test_gini_equals_mean_absolute_difference_on_repeated_rows(data):
    y, w = data
    expected = _naive.gini_mad(_naive.replicate(y, w))
    assert dm.gini(y, weights=w) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert dm.gini(_naive.replicate(y, w)) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(deadline=None)
@given(weighted_incomes())
def test_entropy_and_atkinson_equal_naive_formulas_on_repeated_rows(data):
    y, w = data
    rep = _naive.replicate(y, w)
    assert dm.theil_t(y, w) == pytest.approx(_naive.theil_t(rep), rel=1e-9, abs=1e-12)
    assert dm.theil_l(y, w) == pytest.approx(_naive.theil_l(rep), rel=1e-9, abs=1e-12)
    assert dm.ge(y, 2, w) == pytest.approx(_naive.ge(rep, 2), rel=1e-9, abs=1e-12)
    assert dm.ge(y, -1, w) == pytest.approx(_naive.ge(rep, -1), rel=1e-9, abs=1e-12)
    for e in (0.5, 1, 2):
        assert dm.atkinson(y, e, w) == pytest.approx(_naive.atkinson(rep, e), rel=1e-9, abs=1e-12)


@settings(deadline=None)
@given(weighted_incomes())
def test_lorenz_ratios_equal_naive_split_on_weights(data):
    y, w = data
    for p in (0.2, 0.4, 0.8, 0.9):
        assert dm.lorenz_share(y, p, w) == pytest.approx(_naive.lorenz(y, w, p), abs=1e-12)
    l40, l90 = _naive.lorenz(y, w, 0.4), _naive.lorenz(y, w, 0.9)
    assert dm.palma(y, w) == pytest.approx((1 - l90) / l40, rel=1e-9)
    # replication invariance of the interpolated curve
    assert dm.palma(_naive.replicate(y, w)) == pytest.approx(dm.palma(y, w), rel=1e-9)
    assert dm.s80s20(_naive.replicate(y, w)) == pytest.approx(dm.s80s20(y, w), rel=1e-9)


@settings(deadline=None, max_examples=50)
@given(weighted_incomes(), st.randoms(use_true_random=False))
def test_order_of_units_and_of_ties_does_not_matter(data, rnd):
    y, w = data
    y = y + y[:3]  # make ties likely, with different weights
    w = w + [1, 2, 3][: len(y) - len(w)]
    order = list(range(len(y)))
    rnd.shuffle(order)
    ys = [y[i] for i in order]
    ws = [w[i] for i in order]
    for f in (dm.gini, dm.theil_t, dm.theil_l, dm.palma, dm.s80s20):
        assert f(ys, ws) == pytest.approx(f(y, w), rel=1e-12, abs=1e-15)
    assert dm.median(ys, ws) == dm.median(y, w)


@settings(deadline=None)
@given(weighted_incomes(), st.sampled_from([0.001, 3.0, 1e6]))
def test_inequality_is_scale_invariant(data, c):
    y, w = data
    ys = [c * v for v in y]
    for f in (dm.gini, dm.theil_t, dm.theil_l, dm.palma, dm.s80s20):
        assert f(ys, w) == pytest.approx(f(y, w), rel=1e-9, abs=1e-12)
    assert dm.atkinson(ys, 1.5, w) == pytest.approx(dm.atkinson(y, 1.5, w), rel=1e-9, abs=1e-12)


def test_weights_enter_only_as_shares():
    y = [1, 5, 9, 2]
    w = [1.5, 2.0, 0.5, 1.0]
    for f in (dm.gini, dm.theil_t, dm.theil_l, dm.palma):
        assert f(y, [10 * v for v in w]) == pytest.approx(f(y, w), rel=1e-12)


# --- zeros and negatives ----------------------------------------------------------------------


def test_theil_t_and_gini_keep_zeros():
    assert dm.theil_t([0, 1, 1]) == pytest.approx(_naive.theil_t([0, 1, 1]))
    assert dm.gini([0, 1, 1]) == pytest.approx(_naive.gini_mad([0, 1, 1]))


def test_theil_l_rejects_zeros_with_a_count():
    with pytest.raises(ValueError, match="2 unit"):
        dm.theil_l([0, 0, 1, 2])
    with pytest.raises(ValueError, match="1 unit"):
        dm.atkinson([0, 1, 2], 1)
    with pytest.raises(ValueError, match="1 unit"):
        dm.ge([0, 1, 2], 0)
    assert dm.atkinson([0, 1, 2], 0.5) > 0  # fine below epsilon = 1


def test_theil_l_pip_option_replaces_nonpositive_by_one_after_the_mean():
    y = [0.0, 2.0, 4.0]
    mu = 2.0
    expected = -(math.log(1 / mu) + math.log(2 / mu) + math.log(4 / mu)) / 3
    assert dm.theil_l(y, nonpositive="pip") == pytest.approx(expected)


def test_theil_t_rejects_negative_values():
    with pytest.raises(ValueError, match="1 unit"):
        dm.theil_t([-1, 2, 3])


# --- inputs -----------------------------------------------------------------------------------


def test_every_input_type_gives_the_same_float():
    y = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    w = [1, 2, 1, 1, 3, 1, 2, 1]
    expected = dm.gini(y, w)
    inputs = [
        np.array(y),
        np.array(y, dtype=np.int32),
        pa.array(y),
        pa.chunked_array([y[:3], y[3:]]),
        pd.Series(y),
        pd.Series(y, dtype="Int64"),
        pl.Series(y),
        tuple(y),
    ]
    for v in inputs:
        out = dm.gini(v, pa.array(w))
        assert type(out) is float
        assert out == pytest.approx(expected, rel=1e-15)


def test_missing_values_are_an_error_with_a_count():
    with pytest.raises(ValueError, match="2 missing"):
        dm.gini([1.0, float("nan"), 3.0, float("nan")])
    with pytest.raises(ValueError, match="1 missing"):
        dm.gini(pa.array([1.0, None, 3.0]))
    with pytest.raises(ValueError, match="1 missing"):
        dm.gini(pl.Series([1.0, None, 3.0]))
    with pytest.raises(ValueError, match="1 negative weight"):
        dm.gini([1, 2], weights=[1, -1])
