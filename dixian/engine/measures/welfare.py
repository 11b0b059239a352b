"""Welfare per person: equivalence scales and person-level weights.

Platform conventions: the unit of analysis is the person (household weight x household
size); the equivalence scale is a parameter: per capita (the default for absolute lines), the
modified OECD scale 1 / 0.5 (aged 14+) / 0.3 (under 14) (the default for relative lines), the
original OECD scale 1 / 0.7 / 0.5, or the square root of household size. The age cut is a
parameter.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ._inputs import as_labels, as_vector

__all__ = ["equivalence_scale", "person_weights"]

Scale = Literal["per_capita", "modified_oecd", "oecd", "sqrt"]

_OECD = {"modified_oecd": (1.0, 0.5, 0.3), "oecd": (1.0, 0.7, 0.5)}


def equivalence_scale(
    household: Any, age: Any = None, *, scale: Scale = "per_capita", adult_age: float = 14
) -> np.ndarray:
    """Each person's household equivalence scale (one value per person row).

    ``household`` identifies each person's household; ``age`` is needed for the OECD scales.
    OECD scales: 1 for the first person aged ``adult_age`` or more, the second weight for
    every other person of that age, the third for each younger person; a household of
    children only counts its first child as 1. Divide household income by the scale to get
    each member's equivalised income.

    >>> hh = [1, 1, 1, 1, 2]
    >>> age = [40, 38, 10, 5, 70]
    >>> equivalence_scale(hh, age, scale="modified_oecd").tolist()
    [2.1, 2.1, 2.1, 2.1, 1.0]
    >>> equivalence_scale(hh, scale="per_capita").tolist()
    [4.0, 4.0, 4.0, 4.0, 1.0]
    """
    lab = as_labels(household, _length(household), "household")
    codes = lab.codes
    k = len(lab.labels)
    size = np.bincount(codes, minlength=k).astype(np.float64)
    if scale == "per_capita":
        per_household = size
    elif scale == "sqrt":
        per_household = np.sqrt(size)
    elif scale in _OECD:
        if age is None:
            raise ValueError(f"scale={scale!r} needs ages")
        ages = as_vector(age, "age")
        if ages.size != codes.size:
            raise ValueError(f"age: {ages.size} values for {codes.size} persons")
        first, other, child = _OECD[scale]
        adults = np.bincount(codes, weights=(ages >= adult_age).astype(np.float64), minlength=k)
        children = size - adults
        per_household = np.where(
            adults >= 1,
            first + other * (adults - 1) + child * children,
            first + child * (children - 1),
        )
    else:
        raise ValueError(
            f"scale must be 'per_capita', 'modified_oecd', 'oecd' or 'sqrt', got {scale!r}"
        )
    return np.round(per_household, 12)[codes]


def person_weights(household_weight: Any, household_size: Any) -> np.ndarray:
    """Person-level weights for household rows: household weight x household size.

    >>> person_weights([100.0, 50.0], [4, 2]).tolist()
    [400.0, 100.0]
    """
    w = as_vector(household_weight, "household_weight")
    s = as_vector(household_size, "household_size")
    if w.size != s.size:
        raise ValueError("household_weight and household_size differ in length")
    if (s <= 0).any():
        raise ValueError(
            f"household_size: {int(np.count_nonzero(s <= 0))} size(s) are not positive"
        )
    return w * s


def _length(x: Any) -> int:
    try:
        return len(x)
    except TypeError:
        return int(np.asarray(x).size)
