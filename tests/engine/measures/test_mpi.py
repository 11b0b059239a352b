"""Alkire-Foster MPI: the published worked example, exact scores, missing data, properties."""

import importlib
from fractions import Fraction

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixian.engine import measures as dm

# Alkire & Foster (2011), J. Public Econ. 95, section 3: four persons, four dimensions
# (income, years of schooling, self-reported health, health insurance), cutoffs z, k = 2 of 4
# equally weighted dimensions. Published: c = (0, 2, 4, 1), H = 1/2, A = 3/4, M0 = 3/8.
AF_Y = np.array(
    [
        [13.1, 14, 4, 1],
        [15.2, 7, 5, 0],
        [12.5, 10, 1, 0],
        [20.0, 11, 3, 1],
    ]
)
AF_Z = [13, 12, 3, 1]


def test_alkire_foster_2011_worked_example():
    r = dm.mpi(
        AF_Y, k=Fraction(2, 4), cutoffs=AF_Z, indicator_weights=[Fraction(1, 4)] * 4, cardinal=True
    )
    assert list(r.scores * 4) == [0, 2, 4, 1]
    assert list(r.poor) == [False, True, True, False]
    assert r.H == pytest.approx(1 / 2)
    assert r.A == pytest.approx(3 / 4)
    assert r.M0 == pytest.approx(3 / 8)
    # M1 and M2: the normalised gaps of the poor (g1(k) in the paper) are
    # person 2: schooling (12 - 7)/12, insurance 1; person 3: income (13 - 12.5)/13,
    # schooling (12 - 10)/12, health (3 - 1)/3, insurance 1; M_a = sum g^a / (n d).
    gaps = [5 / 12, 1.0, 0.5 / 13, 2 / 12, 2 / 3, 1.0]
    assert r.M1 == pytest.approx(sum(gaps) / 16)
    assert r.M2 == pytest.approx(sum(g * g for g in gaps) / 16)
    # uncensored h_j: income 1/4, schooling 3/4, health 1/4, insurance 2/4;
    # censored: person 4's schooling deprivation is censored away.
    assert list(r.uncensored_headcounts.values()) == pytest.approx([0.25, 0.75, 0.25, 0.5])
    assert list(r.censored_headcounts.values()) == pytest.approx([0.25, 0.5, 0.25, 0.5])
    assert sum(r.absolute_contributions.values()) == pytest.approx(r.M0)
    assert sum(r.percent_contributions.values()) == pytest.approx(100.0)
    assert r.percent_contributions["x2"] == pytest.approx(100 * 0.25 * 0.5 / (3 / 8))


def test_union_and_intersection_identification():
    union = dm.mpi(AF_Y, k=Fraction(1, 4), cutoffs=AF_Z, indicator_weights=[Fraction(1, 4)] * 4)
    inter = dm.mpi(AF_Y, k=1, cutoffs=AF_Z, indicator_weights=[Fraction(1, 4)] * 4)
    assert union.H == pytest.approx(3 / 4)
    assert inter.H == pytest.approx(1 / 4)
    assert inter.A == pytest.approx(1.0)


def global_row(deprived):
    names = [n for dims in dm.GLOBAL_MPI_DIMENSIONS.values() for n in dims]
    return {n: int(n in deprived) for n in names}


def test_a_score_exactly_equal_to_k_is_poor_with_one_sixth_and_one_eighteenth_weights():
    # nutrition (1/6) + cooking fuel, sanitation, drinking water (3 x 1/18) = 1/3 = k exactly
    # years of schooling, school attendance, nutrition (3 x 1/6) + assets (1/18) = 5/9 exactly
    rows = [
        global_row({"nutrition", "cooking_fuel", "sanitation", "drinking_water"}),
        global_row({"assets", "school_attendance", "years_of_schooling", "nutrition"}),
        global_row({"cooking_fuel", "sanitation", "drinking_water"}),
    ]
    data = {k: [row[k] for row in rows] for k in rows[0]}
    r = dm.mpi(data, k=1 / 3, dimensions=dm.GLOBAL_MPI_DIMENSIONS)
    assert list(r.poor) == [True, True, False]
    assert r.denominator == 18
    # a floating-point sum of the same weights in another order falls short of 5/9 ...
    w = dict(zip(data, r.indicator_weights.values(), strict=False))
    naive = 0.0
    for name in ("assets", "nutrition", "school_attendance", "years_of_schooling"):
        naive += w[name]
    assert naive < 5 / 9
    # ... while the exact identification keeps the unit poor at k = 5/9
    r59 = dm.mpi(data, k=5 / 9, dimensions=dm.GLOBAL_MPI_DIMENSIONS)
    assert list(r59.poor) == [False, True, False]
    assert r59.H == pytest.approx(1 / 3)


def test_the_default_weighting_is_the_global_mpi_nesting_by_position():
    names = [f"d{j}" for j in range(10)]
    data = {n: [0, 1] for n in names}
    r = dm.mpi(data)
    assert r.weights_exact == {
        "d0": "1/6",
        "d1": "1/6",
        "d2": "1/6",
        "d3": "1/6",
        **{f"d{j}": "1/18" for j in range(4, 10)},
    }
    assert r.k_exact == "1/3"
    assert set(r.dimensions) == {"health", "education", "living_standards"}
    assert sum(r.dimension_contributions.values()) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="exactly 10 indicators"):
        dm.mpi({"a": [0, 1], "b": [1, 1]})


def test_weights_must_add_up_to_exactly_one():
    with pytest.raises(ValueError, match="not exactly 1"):
        dm.mpi({"a": [0, 1], "b": [1, 1]}, indicator_weights=[0.5, 0.4])
    # decimal approximations of 1/3 are refused rather than silently renormalised
    with pytest.raises(ValueError, match="not exactly 1"):
        dm.mpi({"a": [0], "b": [1], "c": [1]}, indicator_weights=[0.33, 0.33, 0.33])
    r = dm.mpi({"a": [0], "b": [1], "c": [1]}, indicator_weights=["1/3", "1/3", "1/3"], k=0.5)
    assert r.H == 1.0


def test_k_must_be_a_share():
    with pytest.raises(ValueError, match="give 1/3, not 33"):
        dm.mpi({"a": [1], "b": [0]}, k=33, indicator_weights=[0.5, 0.5])


def test_missing_indicator_drops_the_unit_and_counts_it():
    data = {
        "a": [1.0, np.nan, 0.0, 1.0],
        "b": [1.0, 1.0, np.nan, 0.0],
    }
    r = dm.mpi(data, k=0.5, indicator_weights=[0.5, 0.5], weights=[1, 2, 3, 4])
    assert r.n_dropped_missing == 2
    assert r.n == 2
    assert r.dropped_population_share == pytest.approx(5 / 10)
    assert r.H == pytest.approx(1.0)
    assert r.M0 == pytest.approx((1 * 1 + 4 * 0.5) / 5)
    assert np.isnan(r.scores[1]) and not r.poor[1]
    with pytest.raises(ValueError, match="2 unit"):
        dm.mpi(data, k=0.5, indicator_weights=[0.5, 0.5], missing="raise")


def test_status_columns_must_be_zero_or_one():
    with pytest.raises(ValueError, match="neither 0 nor 1"):
        dm.mpi({"a": [0, 2], "b": [1, 1]}, indicator_weights=[0.5, 0.5])


def test_every_table_type_gives_the_same_result():
    d = {"a": [1, 0, 1, 1, 0], "b": [0, 0, 1, 1, 1], "c": [1, 1, 0, 1, 0]}
    kw = dict(k=Fraction(2, 3), indicator_weights=["1/3"] * 3)
    expected = dm.mpi(d, **kw)
    for table in (
        pd.DataFrame(d),
        pd.DataFrame(d).astype("int8"),
        pd.DataFrame(d).astype(bool),
        pl.DataFrame(d),
        pa.table(d),
        np.column_stack([d["a"], d["b"], d["c"]]),
    ):
        r = dm.mpi(table, **kw)
        assert (r.H, r.A, r.M0) == (expected.H, expected.A, expected.M0)


def test_weights_and_groups_can_be_column_names():
    df = pd.DataFrame(
        {"a": [1, 0, 1, 1], "b": [1, 0, 0, 1], "w": [1.0, 2.0, 1.0, 4.0], "g": list("xxyy")}
    )
    r = dm.mpi(df, k=0.5, indicator_weights=[0.5, 0.5], weights="w", groups="g")
    assert r.indicators == ("a", "b")
    assert r.H == pytest.approx((1 + 1 + 4) / 8)
    assert [g.label for g in r.groups] == ["x", "y"]


@st.composite
def deprivation_data(draw):
    n = draw(st.integers(1, 30))
    d = draw(st.integers(2, 6))
    rows = draw(
        st.lists(st.lists(st.integers(0, 1), min_size=d, max_size=d), min_size=n, max_size=n)
    )
    w = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    groups = draw(st.lists(st.sampled_from("pqr"), min_size=n, max_size=n))
    k = draw(st.sampled_from([Fraction(1, d), Fraction(1, 2), Fraction(1, 1)]))
    return np.array(rows), w, groups, k


@settings(deadline=None)
@given(deprivation_data())
def test_mpi_is_replication_invariant_and_decomposable(data):
    x, w, groups, k = data
    d = x.shape[1]
    iw = [Fraction(1, d)] * d
    r = dm.mpi(x, k=k, indicator_weights=iw, weights=w, groups=groups)
    rep = np.repeat(x, w, axis=0)
    rr = dm.mpi(rep, k=k, indicator_weights=iw)
    assert (r.H, r.M0) == pytest.approx((rr.H, rr.M0), abs=1e-12)
    # M0 = H x A, = sum of absolute contributions, = population-weighted sum over groups
    if r.H > 0:
        assert r.M0 == pytest.approx(r.H * r.A, abs=1e-12)
    assert sum(r.absolute_contributions.values()) == pytest.approx(r.M0, abs=1e-12)
    assert sum(g.population_share * g.M0 for g in r.groups) == pytest.approx(r.M0, abs=1e-12)
    if r.M0 > 0:
        assert sum(g.percent_contribution for g in r.groups) == pytest.approx(100.0)
    # naive identification with exact fractions
    scores = [sum(Fraction(int(v), d) for v in row) for row in x]
    assert list(r.poor) == [s >= k for s in scores]
    # each group's M0 equals the MPI of that group alone
    for g in r.groups:
        m = [i for i, lab in enumerate(groups) if lab == g.label]
        alone = dm.mpi(x[m], k=k, indicator_weights=iw, weights=[w[i] for i in m])
        assert g.M0 == pytest.approx(alone.M0, abs=1e-12)
        assert g.H == pytest.approx(alone.H, abs=1e-12)


@settings(deadline=None)
@given(deprivation_data(), st.randoms(use_true_random=False))
def test_mpi_does_not_depend_on_the_order_of_units(data, rnd):
    x, w, _, k = data
    d = x.shape[1]
    order = list(range(x.shape[0]))
    rnd.shuffle(order)
    iw = [Fraction(1, d)] * d
    a = dm.mpi(x, k=k, indicator_weights=iw, weights=w)
    b = dm.mpi(x[order], k=k, indicator_weights=iw, weights=[w[i] for i in order])
    assert (a.H, a.M0) == pytest.approx((b.H, b.M0), abs=1e-12)


def test_change_over_time():
    before = dm.mpi(AF_Y, k=0.5, cutoffs=AF_Z, indicator_weights=[0.25] * 4)
    improved = AF_Y.copy()
    improved[2] = [14, 13, 4, 1]  # person 3 escapes every deprivation
    after = dm.mpi(improved, k=0.5, cutoffs=AF_Z, indicator_weights=[0.25] * 4)
    c = dm.mpi_change(before, after, years=4)
    assert c.M0.before == pytest.approx(3 / 8)
    assert c.M0.after == pytest.approx(2 / 16)
    assert c.M0.absolute == pytest.approx(2 / 16 - 3 / 8)
    assert c.M0.relative == pytest.approx((2 / 16) / (3 / 8) - 1)
    assert c.M0.annualized_absolute == pytest.approx((2 / 16 - 3 / 8) / 4)
    assert c.M0.annualized_relative == pytest.approx(((2 / 16) / (3 / 8)) ** 0.25 - 1)
    assert c.H.absolute == pytest.approx(-0.25)
    different = dm.mpi(AF_Y, k=0.75, cutoffs=AF_Z, indicator_weights=[0.25] * 4)
    with pytest.raises(ValueError, match="different k"):
        dm.mpi_change(before, different, years=1)


@settings(deadline=None)
@given(deprivation_data())
def test_profile_table_and_per_unit_paths_agree(data):
    mpi_module = importlib.import_module("dixian.engine.measures.mpi")

    x, w, groups, k = data
    iw = [Fraction(1, x.shape[1])] * x.shape[1]
    fast = dm.mpi(x, k=k, indicator_weights=iw, weights=w, groups=groups)
    saved = mpi_module._PROFILE_MAX_INDICATORS
    mpi_module._PROFILE_MAX_INDICATORS = 0
    try:
        slow = dm.mpi(x, k=k, indicator_weights=iw, weights=w, groups=groups)
    finally:
        mpi_module._PROFILE_MAX_INDICATORS = saved
    assert list(fast.poor) == list(slow.poor)
    np.testing.assert_array_equal(fast.scores, slow.scores)
    for name in ("H", "M0"):
        assert getattr(fast, name) == pytest.approx(getattr(slow, name), abs=1e-12)
    assert list(fast.censored_headcounts.values()) == pytest.approx(
        list(slow.censored_headcounts.values()), abs=1e-12
    )
    assert list(fast.uncensored_headcounts.values()) == pytest.approx(
        list(slow.uncensored_headcounts.values()), abs=1e-12
    )
