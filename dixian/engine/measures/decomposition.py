"""Subgroup decompositions: FGT (additive, as Stata's povdeco) and Theil T / Theil L.

FGT: P_a = sum_k v_k P_a,k with v_k the population share of group k. Each group reports its
share of total poverty v_k P_a,k / P_a and its relative risk P_a,k / P_a (= share of poverty /
share of population, povdeco's "risk").

Theil T: T = sum_k s_k T_k + sum_k s_k ln(mu_k / mu) with s_k = v_k mu_k / mu the group's
income share. Theil L: L = sum_k v_k L_k + sum_k v_k ln(mu / mu_k). The first sum is the
within-group part, the second the between-group part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ._inputs import as_labels, as_vector, as_weights, line_array
from .inequality import _reject_nonpositive
from .poverty import fgt_vector

__all__ = [
    "FgtGroup",
    "FgtDecomposition",
    "fgt_decomposition",
    "TheilGroup",
    "TheilDecomposition",
    "theil_decomposition",
]


def _group_sums(codes: np.ndarray, k: int, values: np.ndarray | None, w: np.ndarray | None):
    """Per-group sum of w_i v_i (v = 1 when ``values`` is None)."""
    if values is None:
        if w is None:
            return np.bincount(codes, minlength=k).astype(np.float64)
        return np.bincount(codes, weights=w, minlength=k)
    if w is None:
        return np.bincount(codes, weights=values, minlength=k)
    return np.bincount(codes, weights=w * values, minlength=k)


def _frame(rows: tuple) -> Any:
    import pandas as pd

    return pd.DataFrame([r.__dict__ for r in rows])


@dataclass(frozen=True)
class FgtGroup:
    """One subgroup of an FGT decomposition.

    Attributes: ``label``; ``n`` units; ``population_share`` v_k; ``fgt`` P_a,k within the
    group; ``absolute_contribution`` v_k P_a,k; ``share_of_poverty`` v_k P_a,k / P_a;
    ``relative_risk`` P_a,k / P_a (NaN when P_a = 0).
    """

    label: Any
    n: int
    population_share: float
    fgt: float
    absolute_contribution: float
    share_of_poverty: float
    relative_risk: float


@dataclass(frozen=True)
class FgtDecomposition:
    """Additive FGT decomposition by subgroup (as Stata's povdeco).

    ``total`` is P_a for the whole population and equals the sum of the groups'
    ``absolute_contribution``. ``conventions`` states the rules used.
    """

    alpha: float
    total: float
    groups: tuple[FgtGroup, ...]
    conventions: dict = field(default_factory=dict)

    def to_pandas(self):
        """The groups as a pandas DataFrame (one row per group)."""
        return _frame(self.groups)


def fgt_decomposition(
    y: Any, z: Any, groups: Any, alpha: float = 0, weights: Any = None
) -> FgtDecomposition:
    """Decompose FGT(alpha) additively by subgroup, with shares and relative risks.

    >>> d = fgt_decomposition([1, 5, 2, 6], z=3, groups=["a", "a", "b", "b"])
    >>> d.total
    0.5
    >>> [(g.label, g.fgt, g.share_of_poverty, g.relative_risk) for g in d.groups]
    [('a', 0.5, 0.5, 1.0), ('b', 0.5, 0.5, 1.0)]
    """
    alpha = float(alpha)
    if not alpha >= 0:
        raise ValueError("alpha must be >= 0")
    yv = as_vector(y, "y")
    wv = as_weights(weights, yv.size)
    zv = line_array(z, yv.size)
    lab = as_labels(groups, yv.size)
    k = len(lab.labels)
    contrib = fgt_vector(yv, zv, alpha)
    pop = _group_sums(lab.codes, k, None, wv)
    num = _group_sums(lab.codes, k, contrib, wv)
    counts = np.bincount(lab.codes, minlength=k)
    n_pop = pop.sum()
    total = float(num.sum() / n_pop)
    rows = []
    for j, label in enumerate(lab.labels):
        v = float(pop[j] / n_pop)
        p = float(num[j] / pop[j]) if pop[j] > 0 else math.nan
        absolute = float(num[j] / n_pop)
        rows.append(
            FgtGroup(
                label=label,
                n=int(counts[j]),
                population_share=v,
                fgt=p,
                absolute_contribution=absolute,
                share_of_poverty=absolute / total if total > 0 else math.nan,
                relative_risk=p / total if total > 0 else math.nan,
            )
        )
    return FgtDecomposition(
        alpha=alpha,
        total=total,
        groups=tuple(rows),
        conventions={
            "poor": "y < z (strict)",
            "decomposition": "P = sum_k v_k P_k, v_k population share (Stata povdeco)",
            "relative_risk": "P_k / P = share of poverty / share of population",
        },
    )


@dataclass(frozen=True)
class TheilGroup:
    """One subgroup of a Theil decomposition.

    Attributes: ``label``; ``n`` units; ``population_share`` v_k; ``income_share`` s_k;
    ``mean`` mu_k; ``index`` the group's own Theil index; ``within_contribution`` its term in
    the within part (s_k T_k for Theil T, v_k L_k for Theil L).
    """

    label: Any
    n: int
    population_share: float
    income_share: float
    mean: float
    index: float
    within_contribution: float


@dataclass(frozen=True)
class TheilDecomposition:
    """Between/within decomposition of Theil T or Theil L: ``total = within + between``."""

    index: str
    total: float
    within: float
    between: float
    groups: tuple[TheilGroup, ...]
    conventions: dict = field(default_factory=dict)

    @property
    def between_share(self) -> float:
        """between / total (NaN when total = 0)."""
        return self.between / self.total if self.total else math.nan

    def to_pandas(self):
        """The groups as a pandas DataFrame (one row per group)."""
        return _frame(self.groups)


def theil_decomposition(
    y: Any, groups: Any, weights: Any = None, *, index: Literal["T", "L"] = "T"
) -> TheilDecomposition:
    """Decompose Theil T (``index="T"``) or Theil L (``index="L"``) into within and between.

    Theil T weights each group's index by its income share s_k; Theil L by its population
    share v_k. Theil T keeps zeros (0 ln 0 = 0); Theil L rejects zero or negative welfare.

    >>> d = theil_decomposition([1, 1, 3, 3], groups=[0, 0, 1, 1], index="L")
    >>> round(d.between, 4), round(d.within, 4)  # (ln 2 + ln 2/3) / 2, nothing within
    (0.1438, 0.0)
    """
    if index not in ("T", "L"):
        raise ValueError(f"index must be 'T' or 'L', got {index!r}")
    yv = as_vector(y, "y")
    wv = as_weights(weights, yv.size)
    lab = as_labels(groups, yv.size)
    _reject_nonpositive(yv, f"theil_{index.lower()}", allow_zero=index == "T")
    k = len(lab.labels)
    pop = _group_sums(lab.codes, k, None, wv)
    inc = _group_sums(lab.codes, k, yv, wv)
    counts = np.bincount(lab.codes, minlength=k)
    n_pop = pop.sum()
    total_inc = inc.sum()
    if not total_inc > 0:
        raise ValueError("theil: the mean must be positive")
    mu = total_inc / n_pop
    with np.errstate(divide="ignore", invalid="ignore"):
        mu_k = inc / pop
    if index == "T":
        # sum over units in group k of w y ln(y / mu_k), then T_k = that / (N_k mu_k)
        ratio = yv / mu_k[lab.codes]
        term = np.zeros_like(yv)
        np.log(ratio, out=term, where=ratio > 0)
        term *= yv
    else:
        term = -np.log(yv / mu_k[lab.codes])
    within_k = _group_sums(lab.codes, k, term, wv)
    rows = []
    within = between = 0.0
    for j, label in enumerate(lab.labels):
        v = float(pop[j] / n_pop)
        s = float(inc[j] / total_inc)
        if index == "T":
            own = float(within_k[j] / inc[j]) if inc[j] > 0 else 0.0
            part = s * own
            between += s * math.log(mu_k[j] / mu) if s > 0 else 0.0
        else:
            own = float(within_k[j] / pop[j]) if pop[j] > 0 else math.nan
            part = v * own if pop[j] > 0 else 0.0
            between += v * math.log(mu / mu_k[j]) if v > 0 else 0.0
        within += part
        rows.append(
            TheilGroup(
                label=label,
                n=int(counts[j]),
                population_share=v,
                income_share=s,
                mean=float(mu_k[j]),
                index=own,
                within_contribution=part,
            )
        )
    return TheilDecomposition(
        index=index,
        total=within + between,
        within=within,
        between=between,
        groups=tuple(rows),
        conventions={
            "index": "Theil T = GE(1)" if index == "T" else "Theil L = GE(0) = MLD",
            "within": "sum_k s_k T_k (income shares)"
            if index == "T"
            else "sum_k v_k L_k (population shares)",
            "between": "sum_k s_k ln(mu_k/mu)" if index == "T" else "sum_k v_k ln(mu/mu_k)",
        },
    )
