"""Equivalence scales and person-level weights."""

import math

import pytest

from dixian.engine import measures as dm


def test_modified_and_original_oecd_scales():
    # household 1: two adults, a 14-year-old (an adult for the scale) and a 13-year-old
    hh = [1, 1, 1, 1, 2, 2, 3]
    age = [45, 44, 14, 13, 80, 3, 9]
    mod = dm.equivalence_scale(hh, age, scale="modified_oecd")
    assert mod[:4].tolist() == pytest.approx([1 + 0.5 + 0.5 + 0.3] * 4)
    assert mod[4:6].tolist() == pytest.approx([1.3, 1.3])
    assert mod[6] == pytest.approx(1.0)  # a child alone counts as the first person
    old = dm.equivalence_scale(hh, age, scale="oecd")
    assert old[0] == pytest.approx(1 + 0.7 + 0.7 + 0.5)
    cut = dm.equivalence_scale(hh, age, scale="modified_oecd", adult_age=18)
    assert cut[0] == pytest.approx(1 + 0.5 + 0.3 + 0.3)


def test_per_capita_and_square_root_scales():
    hh = ["a", "a", "a", "a", "b"]
    assert dm.equivalence_scale(hh).tolist() == [4, 4, 4, 4, 1]
    assert dm.equivalence_scale(hh, scale="sqrt").tolist() == [2, 2, 2, 2, 1]
    with pytest.raises(ValueError, match="needs ages"):
        dm.equivalence_scale(hh, scale="oecd")


def test_person_weights_are_household_weight_times_size():
    assert dm.person_weights([10.0, 2.5], [3, 4]).tolist() == [30.0, 10.0]
    with pytest.raises(ValueError, match="1 size"):
        dm.person_weights([1.0], [0])
    assert math.isclose(sum(dm.person_weights([1.5], [2])), 3.0)
