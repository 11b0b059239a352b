"""Subgroup decompositions: additivity, shares, relative risks, between/within."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixian.engine import measures as dm


@st.composite
def grouped(draw):
    n = draw(st.integers(2, 30))
    y = draw(st.lists(st.integers(1, 300), min_size=n, max_size=n))
    w = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    g = draw(st.lists(st.sampled_from(["north", "south", "east"]), min_size=n, max_size=n))
    return y, w, g


def test_fgt_decomposition_by_hand():
    # group a: (10, 50, 200) all weight 1; group b: (20, 300) weights 2 and 1. z = 100.
    y = [10, 50, 200, 20, 300]
    w = [1, 1, 1, 2, 1]
    g = ["a", "a", "a", "b", "b"]
    d = dm.fgt_decomposition(y, 100, g, alpha=0, weights=w)
    total = 4 / 6  # poor weight: 1 + 1 + 2
    assert d.total == pytest.approx(total)
    a, b = d.groups
    assert (a.label, b.label) == ("a", "b")
    assert a.population_share == pytest.approx(0.5)
    assert a.fgt == pytest.approx(2 / 3)
    assert b.fgt == pytest.approx(2 / 3)
    assert a.share_of_poverty == pytest.approx(0.5)
    assert a.relative_risk == pytest.approx(1.0)
    assert a.n == 3 and b.n == 2
    d1 = dm.fgt_decomposition(y, 100, g, alpha=1, weights=w)
    a1 = d1.groups[0]
    assert a1.fgt == pytest.approx((0.9 + 0.5) / 3)
    assert a1.relative_risk == pytest.approx(a1.fgt / d1.total)
    assert list(d1.to_pandas()["label"]) == ["a", "b"]


@settings(deadline=None)
@given(grouped(), st.sampled_from([0, 1, 2]))
def test_fgt_decomposition_is_additive(data, alpha):
    y, w, g = data
    d = dm.fgt_decomposition(y, 150, g, alpha=alpha, weights=w)
    assert d.total == pytest.approx(dm.fgt(y, 150, alpha, w), abs=1e-12)
    assert sum(x.absolute_contribution for x in d.groups) == pytest.approx(d.total, abs=1e-12)
    assert sum(x.population_share for x in d.groups) == pytest.approx(1.0)
    for x in d.groups:
        members = [i for i, lab in enumerate(g) if lab == x.label]
        assert x.fgt == pytest.approx(
            dm.fgt([y[i] for i in members], 150, alpha, [w[i] for i in members]), abs=1e-12
        )
        if d.total > 0:
            assert x.share_of_poverty == pytest.approx(x.population_share * x.relative_risk)
    if d.total > 0:
        assert sum(x.share_of_poverty for x in d.groups) == pytest.approx(1.0)


@settings(deadline=None)
@given(grouped())
def test_theil_decompositions_add_up_to_the_index(data):
    y, w, g = data
    for index, f in (("T", dm.theil_t), ("L", dm.theil_l)):
        d = dm.theil_decomposition(y, g, w, index=index)
        assert d.total == pytest.approx(f(y, w), abs=1e-12)
        assert d.within + d.between == pytest.approx(d.total, abs=1e-12)
        assert d.between >= -1e-12
        for x in d.groups:
            members = [i for i, lab in enumerate(g) if lab == x.label]
            own = f([y[i] for i in members], [w[i] for i in members])
            assert x.index == pytest.approx(own, abs=1e-12)


def test_theil_between_by_hand():
    # two groups with means 1 and 3, equal sizes and no inequality within
    d = dm.theil_decomposition([1, 1, 3, 3], ["a", "a", "b", "b"], index="T")
    s_a, s_b = 0.25, 0.75
    assert d.between == pytest.approx(s_a * math.log(1 / 2) + s_b * math.log(3 / 2))
    assert d.within == pytest.approx(0.0, abs=1e-15)
    assert d.between_share == pytest.approx(1.0)
    d = dm.theil_decomposition([1, 1, 3, 3], ["a", "a", "b", "b"], index="L")
    assert d.between == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3))


def test_group_labels_must_not_be_missing():
    with pytest.raises(ValueError, match="1 missing group"):
        dm.fgt_decomposition([1, 2, 3], 2, ["a", None, "b"])
