"""Alkire-Foster multidimensional poverty (the MPI), matching OPHI's Stata mpitb / R mpitbR.

* Deprivation: g0_ij = 1[x_ij < z_j] (strict) when cutoffs are given; otherwise each column
  already is a deprivation status (1 or True = deprived).
* Indicator weights add up to exactly 1. Default: the global-MPI nesting, three dimensions at
  1/3 each, split equally among their indicators.
* Scores are computed **exactly**: every weight becomes a fraction, all weights are put over a
  common denominator D and a unit's score is the integer sum of its deprived indicators'
  numerators. A unit is poor when score / D >= k, decided in integers. (With weights such as
  1/6 and 1/18, a floating-point sum can give 0.49999999999999994 for a score of exactly 1/2
  and flip the identification.)
* H = share of poor, A = mean score among the poor, M0 = H A; M1 and M2 (cardinal data only)
  use the normalised gaps (z_j - x_ij)/z_j of the poor.
* Uncensored headcount h_j: share deprived in j; censored h_j(k): share poor and deprived in j.
  Absolute contribution w_j h_j(k) (they add up to M0), percent contribution
  100 w_j h_j(k) / M0.
* Missing indicators: the platform rule is to drop the unit and count it
  (``n_dropped_missing``); ``missing="raise"`` refuses instead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from ._inputs import (
    as_labels,
    as_native_vector,
    as_weights,
    table_column,
    table_names,
    wdot,
)

__all__ = [
    "GLOBAL_MPI_DIMENSIONS",
    "nested_weights",
    "MpiGroup",
    "MpiResult",
    "mpi",
    "Change",
    "MpiChange",
    "change",
    "mpi_change",
]

#: The global MPI's structure (UNDP/OPHI 2010, revised 2018): three dimensions, ten indicators.
GLOBAL_MPI_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "health": ("nutrition", "child_mortality"),
    "education": ("years_of_schooling", "school_attendance"),
    "living_standards": (
        "cooking_fuel",
        "sanitation",
        "drinking_water",
        "electricity",
        "housing",
        "assets",
    ),
}

_MAX_DENOMINATOR = 2**53
#: up to this many indicators, aggregates are computed from a table of deprivation profiles
_PROFILE_MAX_INDICATORS = 16


def _fraction(x: Any, what: str) -> Fraction:
    """An exact fraction for a weight or a cutoff k.

    Fractions, integers, Decimals and strings ("1/18") are exact. A float is read as the
    simplest fraction within 1e-12 of it (1/3, 1/6 and 1/18 come back exactly), or else as its
    shortest decimal form.
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, (str, Decimal)):
        return Fraction(x)
    f = float(x)
    if not math.isfinite(f):
        raise ValueError(f"{what}: {x!r} is not a finite number")
    simple = Fraction(f).limit_denominator(1_000_000)
    if abs(float(simple) - f) <= 1e-12 * max(1.0, abs(f)):
        return simple
    return Fraction(repr(f))


def nested_weights(dimensions: Mapping[str, Sequence[str]]) -> dict[str, Fraction]:
    """Nested equal weights: each dimension 1/D, split equally among its indicators.

    >>> w = nested_weights(GLOBAL_MPI_DIMENSIONS)
    >>> str(w["nutrition"]), str(w["assets"]), sum(w.values())
    ('1/6', '1/18', Fraction(1, 1))
    """
    if not dimensions:
        raise ValueError("dimensions: at least one dimension is needed")
    out: dict[str, Fraction] = {}
    share = Fraction(1, len(dimensions))
    for dim, members in dimensions.items():
        members = list(members)
        if not members:
            raise ValueError(f"dimension {dim!r} has no indicators")
        for ind in members:
            if ind in out:
                raise ValueError(f"indicator {ind!r} is in more than one dimension")
            out[ind] = share / len(members)
    return out


@dataclass(frozen=True)
class MpiGroup:
    """One subgroup of an MPI decomposition.

    Attributes: ``label``; ``n`` units; ``population_share`` v_k; ``H``, ``A``, ``M0`` within
    the group (A is NaN when nobody is poor); ``percent_contribution`` 100 v_k M0_k / M0;
    ``censored_headcounts`` h_j(k) within the group.
    """

    label: Any
    n: int
    population_share: float
    H: float
    A: float
    M0: float
    percent_contribution: float
    censored_headcounts: dict


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class MpiResult:
    """Alkire-Foster results.

    Attributes:
        k: the poverty cutoff (``k_exact`` as a fraction string).
        indicators: indicator names, in order.
        indicator_weights: name -> weight (float); ``weights_exact`` name -> "p/q".
        dimensions: dimension -> indicator names (empty when weights were given directly).
        H, A, M0: headcount ratio, intensity (mean score of the poor; NaN if nobody is poor)
            and adjusted headcount ratio.
        M1, M2: adjusted poverty gap and squared gap (None unless ``cardinal=True``).
        uncensored_headcounts, censored_headcounts: name -> h_j and h_j(k).
        absolute_contributions: name -> w_j h_j(k) (sum to M0).
        percent_contributions: name -> 100 w_j h_j(k) / M0 (sum to 100).
        dimension_contributions: dimension -> percent contribution (when dimensions known).
        n, population: units used and their total weight.
        n_dropped_missing, dropped_population_share: units dropped for a missing indicator,
            and their share of the total weight.
        denominator: the common denominator D of the exact scores.
        groups: subgroup decomposition (empty without ``groups``).
        scores: each input row's deprivation score (NaN when dropped).
        poor: each input row's identification (False when dropped).
        conventions: the rules used.
    """

    k: float
    k_exact: str
    indicators: tuple[str, ...]
    indicator_weights: dict
    weights_exact: dict
    dimensions: dict
    H: float
    A: float
    M0: float
    M1: float | None
    M2: float | None
    uncensored_headcounts: dict
    censored_headcounts: dict
    absolute_contributions: dict
    percent_contributions: dict
    dimension_contributions: dict
    n: int
    population: float
    n_dropped_missing: int
    dropped_population_share: float
    denominator: int
    groups: tuple[MpiGroup, ...]
    scores: np.ndarray = field(repr=False)
    poor: np.ndarray = field(repr=False)
    conventions: dict = field(default_factory=dict)

    def indicator_table(self):
        """Per-indicator weights, headcounts and contributions as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(
            {
                "indicator": list(self.indicators),
                "weight": [self.indicator_weights[i] for i in self.indicators],
                "uncensored_headcount": [self.uncensored_headcounts[i] for i in self.indicators],
                "censored_headcount": [self.censored_headcounts[i] for i in self.indicators],
                "absolute_contribution": [self.absolute_contributions[i] for i in self.indicators],
                "percent_contribution": [self.percent_contributions[i] for i in self.indicators],
            }
        )

    def group_table(self):
        """The subgroup decomposition as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(
            [
                {k: v for k, v in g.__dict__.items() if k != "censored_headcounts"}
                for g in self.groups
            ]
        )


def _resolve_weights(
    names: tuple[str, ...], indicator_weights: Any, dimensions: Any
) -> tuple[dict[str, Fraction], dict[str, tuple[str, ...]], str]:
    if indicator_weights is not None:
        if isinstance(indicator_weights, Mapping):
            unknown = set(indicator_weights) - set(names)
            lacking = set(names) - set(indicator_weights)
            if unknown or lacking:
                raise ValueError(
                    f"indicator_weights: unknown {sorted(unknown)}, missing {sorted(lacking)}"
                )
            fr = {n: _fraction(indicator_weights[n], f"weight of {n}") for n in names}
        else:
            seq = list(indicator_weights)
            if len(seq) != len(names):
                raise ValueError(
                    f"indicator_weights: {len(seq)} weights for {len(names)} indicators"
                )
            fr = {n: _fraction(v, f"weight of {n}") for n, v in zip(names, seq, strict=False)}
        dims: dict[str, tuple[str, ...]] = {}
        if dimensions is not None:
            dims = {d: tuple(m) for d, m in dimensions.items()}
        how = "given indicator weights"
    else:
        if dimensions is None:
            if len(names) != 10:
                raise ValueError(
                    "give dimensions= (nested equal weights) or indicator_weights=: the default "
                    "global-MPI weighting needs exactly 10 indicators ordered health (2), "
                    f"education (2), living standards (6); got {len(names)}"
                )
            dims = {
                "health": names[0:2],
                "education": names[2:4],
                "living_standards": names[4:10],
            }
            how = (
                "global MPI nesting by position: health 2 x 1/6, education 2 x 1/6, "
                "living standards 6 x 1/18"
            )
        else:
            dims = {d: tuple(m) for d, m in dimensions.items()}
            how = "nested: each dimension 1/D, split equally among its indicators"
        fr = nested_weights(dims)
        unknown = set(fr) - set(names)
        lacking = set(names) - set(fr)
        if unknown or lacking:
            raise ValueError(
                f"dimensions: indicators not in the data {sorted(unknown)}, "
                f"indicators in no dimension {sorted(lacking)}"
            )
    if dims:
        in_dims = {i for m in dims.values() for i in m}
        if in_dims != set(names):
            raise ValueError("dimensions must list every indicator exactly once")
    negative = [n for n, v in fr.items() if v < 0]
    if negative:
        raise ValueError(f"indicator weights must be >= 0: {negative}")
    total = sum(fr.values(), Fraction(0))
    if total != 1:
        raise ValueError(
            f"indicator weights add up to {total} (= {float(total)!r}), not exactly 1; pass exact "
            "weights such as Fraction(1, 18) or '1/18'"
        )
    return fr, dims, how


def _sum(w: np.ndarray | None, mask: np.ndarray) -> float:
    if w is None:
        return float(np.count_nonzero(mask))
    return float(wdot(w, mask))


def mpi(
    indicators: Any,
    k: Any = Fraction(1, 3),
    *,
    cutoffs: Any = None,
    indicator_weights: Any = None,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    weights: Any = None,
    groups: Any = None,
    names: Sequence[str] | None = None,
    cardinal: bool = False,
    missing: Literal["drop", "raise"] = "drop",
) -> MpiResult:
    """Alkire-Foster adjusted headcount ratio and its partial indices.

    Args:
        indicators: a table (mapping of name to column, pandas or Polars DataFrame, Arrow
            table) or a units x indicators 2-D array. Without ``cutoffs`` each column is a
            deprivation status (1/True = deprived); with ``cutoffs`` a unit is deprived in j
            when x_ij < z_j.
        k: poverty cutoff in (0, 1]; a unit is poor when its score >= k (exactly). Default 1/3.
        cutoffs: z_j per indicator (mapping or sequence), or None.
        indicator_weights: weights adding up to exactly 1 (mapping or sequence). Default: the
            nesting given by ``dimensions``, or the global-MPI nesting for 10 indicators
            ordered health (2), education (2), living standards (6).
        dimensions: dimension -> indicator names, for nested equal weights.
        weights: sampling weights (array, or a column name of ``indicators``).
        groups: subgroup labels (array, or a column name) for the decomposition.
        names: which columns are indicators (default: all but ``weights``/``groups`` columns).
        cardinal: also compute M1 and M2 (needs ``cutoffs``; meaningful for cardinal data).
        missing: "drop" (default: drop units with any missing indicator and count them) or
            "raise".

    >>> d = {"a": [1, 1, 0, 0], "b": [1, 0, 1, 0], "c": [0, 1, 1, 0]}
    >>> r = mpi(d, k=Fraction(2, 3), indicator_weights=["1/3", "1/3", "1/3"])
    >>> r.H, round(r.A, 4), round(r.M0, 4)
    (0.75, 0.6667, 0.5)
    >>> round(r.percent_contributions["a"], 2)
    33.33
    """
    col_names = table_names(indicators)
    extra: set[str] = set()
    if isinstance(weights, str):
        if col_names is None:
            raise TypeError("weights is a column name but indicators is not a table")
        extra.add(weights)
        weights = table_column(indicators, weights)
    if isinstance(groups, str):
        if col_names is None:
            raise TypeError("groups is a column name but indicators is not a table")
        extra.add(groups)
        groups = table_column(indicators, groups)
    if col_names is not None:
        chosen = list(names) if names is not None else [c for c in col_names if c not in extra]
        unknown = [c for c in chosen if c not in col_names]
        if unknown:
            raise KeyError(f"indicators: no column(s) {unknown}")
        raw_cols = [
            as_native_vector(table_column(indicators, c), f"indicator {c!r}") for c in chosen
        ]
    else:
        arr = np.asarray(indicators)
        if arr.ndim != 2:
            raise ValueError(f"indicators: expected a table or a 2-D array, got shape {arr.shape}")
        chosen = list(names) if names is not None else [f"x{j + 1}" for j in range(arr.shape[1])]
        if len(chosen) != arr.shape[1]:
            raise ValueError(f"names: {len(chosen)} names for {arr.shape[1]} columns")
        raw_cols = [
            as_native_vector(arr[:, j], f"indicator {chosen[j]!r}") for j in range(arr.shape[1])
        ]
    ind_names = tuple(str(c) for c in chosen)
    if not ind_names:
        raise ValueError("indicators: no columns")
    if len(set(ind_names)) != len(ind_names):
        raise ValueError("indicators: duplicate names")
    n_all = raw_cols[0].size
    for c, a in zip(ind_names, raw_cols, strict=False):
        if a.size != n_all:
            raise ValueError(f"indicator {c!r} has {a.size} rows, expected {n_all}")
    if n_all == 0:
        raise ValueError("indicators: no units")

    fr, dims, how = _resolve_weights(ind_names, indicator_weights, dimensions)
    k_fr = _fraction(k, "k")
    if not 0 < k_fr <= 1:
        raise ValueError(f"k must lie in (0, 1], got {k!r} (give 1/3, not 33)")
    denom = 1
    for v in fr.values():
        denom = math.lcm(denom, v.denominator)
    if denom > _MAX_DENOMINATOR:
        raise ValueError(f"indicator weights need a common denominator of {denom}: too large")
    int_w = {n: int(fr[n] * denom) for n in ind_names}
    # poor  <=>  score / D >= k  <=>  score >= ceil(k D)   (score is an integer)
    threshold = -((-k_fr.numerator * denom) // k_fr.denominator)

    # cutoffs
    z: dict[str, float] | None = None
    if cutoffs is not None:
        if isinstance(cutoffs, Mapping):
            lacking = [n for n in ind_names if n not in cutoffs]
            if lacking:
                raise ValueError(f"cutoffs: none given for {lacking}")
            z = {n: float(cutoffs[n]) for n in ind_names}
        else:
            seq = list(cutoffs)
            if len(seq) != len(ind_names):
                raise ValueError(f"cutoffs: {len(seq)} cutoffs for {len(ind_names)} indicators")
            z = {n: float(v) for n, v in zip(ind_names, seq, strict=False)}
    if cardinal:
        if z is None:
            raise ValueError("cardinal=True needs cutoffs (M1 and M2 use (z_j - x_ij) / z_j)")
        bad = [n for n, v in z.items() if not v > 0]
        if bad:
            raise ValueError(f"cardinal=True needs positive cutoffs: {bad}")

    w_all = as_weights(weights, n_all)
    lab = as_labels(groups, n_all) if groups is not None else None

    # missing values: drop the unit and count it
    miss = None
    for a in raw_cols:
        if a.dtype.kind == "f":
            m = np.isnan(a)
            if m.any():
                miss = m if miss is None else (miss | m)
    n_dropped = 0
    dropped_share = 0.0
    keep = None
    if miss is not None:
        n_dropped = int(miss.sum())
        if missing == "raise":
            raise ValueError(f"{n_dropped} unit(s) have a missing indicator")
        if missing != "drop":
            raise ValueError(f"missing must be 'drop' or 'raise', got {missing!r}")
        total_pop = float(n_all) if w_all is None else float(w_all.sum())
        dropped_share = (
            float(n_dropped) if w_all is None else float(wdot(w_all, miss))
        ) / total_pop
        keep = ~miss
        raw_cols = [a[keep] for a in raw_cols]
        w = None if w_all is None else w_all[keep]
        codes = None if lab is None else lab.codes[keep]
    else:
        w = w_all
        codes = None if lab is None else lab.codes
    n = raw_cols[0].size
    if n == 0:
        raise ValueError("every unit has a missing indicator")
    pop = float(n) if w is None else float(w.sum())
    if not pop > 0:
        raise ValueError("the units left have zero total weight")

    # deprivations
    deprived: list[np.ndarray] = []
    for c, a in zip(ind_names, raw_cols, strict=True):
        if z is not None:
            g = a < z[c]
        elif a.dtype == bool:
            g = a
        else:
            if a.dtype.itemsize == 1 and a.dtype.kind in "iu":
                bad = int(np.count_nonzero(a.view(np.uint8) > 1))
            else:
                bad = int(np.count_nonzero((a != 0) & (a != 1)))
            if bad:
                raise ValueError(
                    f"indicator {c!r}: {bad} value(s) are neither 0 nor 1; give cutoffs= for "
                    "achievement data"
                )
            # a validated 0/1 byte column is already a boolean array in memory
            g = a.view(bool) if a.dtype.itemsize == 1 else a != 0
        deprived.append(g)

    # exact integer scores: score_i = sum_j W_j g_ij with W_j = w_j D
    int_vec = np.array([int_w[c] for c in ind_names], dtype=np.int64)
    d = len(ind_names)
    if d <= _PROFILE_MAX_INDICATORS:
        # Each unit's deprivation profile as a d-bit code; one weighted count per profile
        # gives every aggregate, and scores are looked up per profile.
        code = np.zeros(n, dtype=np.uint16 if d <= 16 else np.uint32)
        for j, g in enumerate(deprived):
            code |= np.left_shift(g, j, dtype=code.dtype)
        bins = 1 << d
        prof_w = np.bincount(code, weights=w, minlength=bins).astype(np.float64, copy=False)
        bits = (np.arange(bins, dtype=np.int64)[:, None] >> np.arange(d)) & 1
        prof_score = bits @ int_vec
        prof_poor = prof_score >= threshold
        H = float(prof_w[prof_poor].sum()) / pop
        unc_v = (prof_w @ bits) / pop
        cen_v = ((prof_w * prof_poor) @ bits) / pop
        unc = {c: float(unc_v[j]) for j, c in enumerate(ind_names)}
        cen = {c: float(cen_v[j]) for j, c in enumerate(ind_names)}
        scores_kept = (prof_score / denom)[code]
        poor = prof_poor[code]
    else:
        score = np.zeros(n, dtype=np.int64)
        for c, g in zip(ind_names, deprived, strict=True):
            if int_w[c]:
                score += np.multiply(g, int_w[c], dtype=np.int64)
        poor = score >= threshold
        H = _sum(w, poor) / pop
        wp = poor.astype(np.float64) if w is None else np.where(poor, w, 0.0)
        unc = {c: _sum(w, g) / pop for c, g in zip(ind_names, deprived, strict=True)}
        cen = {c: float(wdot(wp, g)) / pop for c, g in zip(ind_names, deprived, strict=True)}
        scores_kept = score / denom
    absolute = {c: float(fr[c]) * cen[c] for c in ind_names}
    M0 = float(sum(absolute.values()))
    A = M0 / H if H > 0 else math.nan
    percent = {c: (100.0 * absolute[c] / M0 if M0 > 0 else math.nan) for c in ind_names}
    dim_contrib = {d: float(sum(percent[i] for i in members)) for d, members in dims.items()}

    M1 = M2 = None
    if cardinal:
        assert z is not None
        m1 = m2 = 0.0
        wp = poor.astype(np.float64) if w is None else np.where(poor, w, 0.0)
        for c, a in zip(ind_names, raw_cols, strict=False):
            gap = (z[c] - a.astype(np.float64, copy=False)) / z[c]
            np.maximum(gap, 0.0, out=gap)
            wj = float(fr[c])
            m1 += wj * float(wdot(wp, gap))
            m2 += wj * float(wdot(wp, gap * gap))
        M1, M2 = m1 / pop, m2 / pop

    group_rows: list[MpiGroup] = []
    if lab is not None:
        assert codes is not None
        kk = len(lab.labels)
        wg = np.ones(n) if w is None else w
        gpop = np.bincount(codes, weights=wg, minlength=kk)
        gcount = np.bincount(codes, minlength=kk)
        wpoor = np.where(poor, wg, 0.0)
        gh = np.bincount(codes, weights=wpoor, minlength=kk)
        gm0 = np.bincount(codes, weights=wpoor * scores_kept, minlength=kk)
        gcen = {
            c: np.bincount(codes, weights=np.where(g, wpoor, 0.0), minlength=kk)
            for c, g in zip(ind_names, deprived, strict=False)
        }
        for j, label in enumerate(lab.labels):
            if gpop[j] > 0:
                hj, m0j = gh[j] / gpop[j], gm0[j] / gpop[j]
                cj = {c: float(gcen[c][j] / gpop[j]) for c in ind_names}
            else:
                hj = m0j = math.nan
                cj = {c: math.nan for c in ind_names}
            group_rows.append(
                MpiGroup(
                    label=label,
                    n=int(gcount[j]),
                    population_share=float(gpop[j] / pop),
                    H=float(hj),
                    A=float(m0j / hj) if hj > 0 else math.nan,
                    M0=float(m0j),
                    percent_contribution=(
                        float(100.0 * gpop[j] / pop * m0j / M0) if M0 > 0 else math.nan
                    ),
                    censored_headcounts=cj,
                )
            )

    scores_out = scores_kept
    if keep is not None:
        full_scores = np.full(n_all, np.nan)
        full_scores[keep] = scores_out
        full_poor = np.zeros(n_all, dtype=bool)
        full_poor[keep] = poor
        scores_out, poor_out = full_scores, full_poor
    else:
        poor_out = poor

    return MpiResult(
        k=float(k_fr),
        k_exact=str(k_fr),
        indicators=ind_names,
        indicator_weights={c: float(fr[c]) for c in ind_names},
        weights_exact={c: str(fr[c]) for c in ind_names},
        dimensions=dims,
        H=H,
        A=A,
        M0=M0,
        M1=M1,
        M2=M2,
        uncensored_headcounts=unc,
        censored_headcounts=cen,
        absolute_contributions=absolute,
        percent_contributions=percent,
        dimension_contributions=dim_contrib,
        n=n,
        population=pop,
        n_dropped_missing=n_dropped,
        dropped_population_share=dropped_share,
        denominator=denom,
        groups=tuple(group_rows),
        scores=scores_out,
        poor=poor_out,
        conventions={
            "deprived": "x_ij < z_j (strict)" if z is not None else "indicator value 1 = deprived",
            "weights": how,
            "identification": f"poor if score >= k, exact: integer scores over D = {denom}, "
            f"poor if score >= {threshold}/{denom}",
            "missing": "drop the unit and count it" if missing == "drop" else "raise",
            "M1_M2": "normalised gaps (z_j - x_ij)/z_j of the poor"
            if cardinal
            else "not computed (cardinal=False)",
            "A_when_nobody_poor": "NaN",
        },
    )


# ---------------------------------------------------------------------------------------------
# Change over time
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Change of one measure between two rounds ``years`` apart.

    ``absolute`` = after - before; ``relative`` = (after - before) / before;
    ``annualized_absolute`` = absolute / years;
    ``annualized_relative`` = (after / before)^(1/years) - 1 (compound rate).
    Relative figures are NaN when ``before`` is 0.
    """

    before: float
    after: float
    absolute: float
    relative: float
    annualized_absolute: float
    annualized_relative: float


def change(before: float, after: float, years: float) -> Change:
    """Absolute, relative and annualised change of a measure (OPHI's definitions).

    >>> c = change(0.4, 0.3, years=2)
    >>> round(c.absolute, 4), round(c.relative, 4), round(c.annualized_absolute, 4)
    (-0.1, -0.25, -0.05)
    >>> round(c.annualized_relative, 4)  # (0.3/0.4) ** (1/2) - 1
    -0.134
    """
    if not years > 0:
        raise ValueError("years must be positive")
    before, after = float(before), float(after)
    absolute = after - before
    if before > 0:
        relative = absolute / before
        ann_rel = (after / before) ** (1.0 / years) - 1.0
    else:
        relative = ann_rel = math.nan
    return Change(before, after, absolute, relative, absolute / years, ann_rel)


@dataclass(frozen=True)
class MpiChange:
    """Changes in H, A, M0 and the censored headcounts between two MPI results."""

    years: float
    H: Change
    A: Change
    M0: Change
    censored_headcounts: dict
    conventions: dict = field(default_factory=dict)


def mpi_change(before: MpiResult, after: MpiResult, years: float) -> MpiChange:
    """Compare two MPI results (same indicators, weights and k) ``years`` apart.

    >>> d1 = {"a": [1, 1, 0, 0], "b": [1, 0, 0, 0]}
    >>> d2 = {"a": [0, 0, 0, 0], "b": [1, 0, 0, 0]}
    >>> r1 = mpi(d1, k=1, dimensions={"x": ["a"], "y": ["b"]})
    >>> r2 = mpi(d2, k=1, dimensions={"x": ["a"], "y": ["b"]})
    >>> c = mpi_change(r1, r2, years=2)
    >>> c.M0.absolute, c.M0.relative, c.M0.annualized_absolute
    (-0.25, -1.0, -0.125)
    """
    if before.indicators != after.indicators or before.weights_exact != after.weights_exact:
        raise ValueError("the two results use different indicators or weights")
    if before.k_exact != after.k_exact:
        raise ValueError("the two results use different k")
    return MpiChange(
        years=float(years),
        H=change(before.H, after.H, years),
        A=change(before.A, after.A, years),
        M0=change(before.M0, after.M0, years),
        censored_headcounts={
            c: change(before.censored_headcounts[c], after.censored_headcounts[c], years)
            for c in before.indicators
        },
        conventions={
            "relative": "(after - before) / before",
            "annualized_absolute": "(after - before) / years",
            "annualized_relative": "(after / before) ** (1 / years) - 1",
        },
    )
