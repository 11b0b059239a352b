"""Design-based standard errors: Taylor linearisation with strata and PSUs, replicate weights.

A statistic theta is linearised into a per-unit influence value u_i, so that theta - theta_0 is
approximately sum_i w_i u_i. Its variance is estimated from PSU totals t_hj = sum w_i u_i
within each stratum h (with-replacement, first-stage approximation, no finite-population
correction): V = sum_h n_h / (n_h - 1) sum_j (t_hj - mean_h t)^2. PSU identifiers are nested
in strata (the same PSU code in two strata is two PSUs). Without PSUs each unit is its own PSU;
without strata there is one stratum. Degrees of freedom are #PSUs - #strata, and the
confidence interval uses Student's t with those degrees of freedom.

Influence values used:

* FGT and Watts, weighted means R = sum w v / N: u_i = (v_i - R) / N;
* Gini (sorted ascending, C_i cumulative weight, T = sum w y, T_{>i} = sum of w y after i):
  u_i = [2 y_i C_i + 2 T_{>i}] / (N T) - (G + 1)(1/N + y_i/T), the exact derivative of the
  Gini formula with respect to w_i (independent of the order of tied values).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ._inputs import as_labels, as_matrix, as_vector, as_weights, line_array, wdot
from .poverty import fgt_vector, watts_vector

__all__ = [
    "DesignEstimate",
    "linearized_se",
    "fgt_se",
    "watts_se",
    "gini_se",
    "gini_influence",
    "replicate_se",
]

Singleton = Literal["raise", "certainty", "centered"]


@dataclass(frozen=True)
class DesignEstimate:
    """A point estimate with its design-based standard error.

    Attributes: ``estimate``; ``se``; ``ci_low`` / ``ci_high`` (``level`` confidence, Student's
    t with ``df`` degrees of freedom, normal when df <= 0); ``n`` units; ``n_psu`` and
    ``n_strata``; ``singleton_strata`` (strata with one PSU, handled per
    ``conventions["singleton"]``); ``method`` ("taylor" or "replicate:<kind>").
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    level: float
    df: int
    n: int
    n_psu: int
    n_strata: int
    singleton_strata: int
    method: str
    conventions: dict = field(default_factory=dict)


def _design_variance(
    u: np.ndarray,
    w: np.ndarray | None,
    strata: Any,
    psu: Any,
    singleton: str,
) -> tuple[float, int, int, int]:
    n = u.size
    t = u if w is None else w * u
    if strata is None:
        s_codes = np.zeros(n, dtype=np.int64)
    else:
        s_codes = as_labels(strata, n, "strata").codes
    if psu is None:
        p_codes = np.arange(n, dtype=np.int64)
        psu_stratum = s_codes
    else:
        raw = as_labels(psu, n, "psu").codes
        key = s_codes * (int(raw.max()) + 1) + raw
        _, first, p_codes = np.unique(key, return_index=True, return_inverse=True)
        psu_stratum = s_codes[first]
    n_psu = int(p_codes.max()) + 1 if p_codes.size else 0
    psu_tot = np.bincount(p_codes, weights=t, minlength=n_psu) if psu is not None else t
    n_strata = int(s_codes.max()) + 1 if s_codes.size else 0
    n_h = np.bincount(psu_stratum, minlength=n_strata).astype(np.float64)
    present = n_h > 0
    sum_h = np.bincount(psu_stratum, weights=psu_tot, minlength=n_strata)
    mean_h = np.divide(sum_h, n_h, out=np.zeros_like(sum_h), where=present)
    dev = psu_tot - mean_h[psu_stratum]
    ss_h = np.bincount(psu_stratum, weights=dev * dev, minlength=n_strata)
    single = n_h == 1
    n_single = int(single.sum())
    multi = n_h > 1
    var = float(np.sum(n_h[multi] / (n_h[multi] - 1.0) * ss_h[multi]))
    if n_single:
        if singleton == "raise":
            raise ValueError(
                f"{n_single} stratum/strata have a single PSU: the variance is not identified. "
                "Pass singleton='certainty' (they contribute nothing) or 'centered' (deviation "
                "from the grand mean of PSU totals, as Stata's singleunit(centered))"
            )
        if singleton == "centered":
            grand = float(psu_tot.mean())
            in_single = single[psu_stratum]
            var += float(np.sum((psu_tot[in_single] - grand) ** 2))
        elif singleton != "certainty":
            raise ValueError(
                f"singleton must be 'raise', 'certainty' or 'centered', got {singleton!r}"
            )
    return var, n_psu, int(present.sum()), n_single


def _interval(estimate: float, se: float, df: int, level: float) -> tuple[float, float]:
    from scipy import stats  # imported here: scipy.stats is slow to import

    if not 0 < level < 1:
        raise ValueError("level must lie in (0, 1)")
    q = stats.t.ppf(0.5 + level / 2, df) if df > 0 else stats.norm.ppf(0.5 + level / 2)
    return estimate - q * se, estimate + q * se


def linearized_se(
    estimate: float,
    influence: Any,
    weights: Any = None,
    *,
    strata: Any = None,
    psu: Any = None,
    singleton: Singleton = "raise",
    level: float = 0.95,
) -> DesignEstimate:
    """Standard error of a statistic from its per-unit influence values (Taylor linearisation).

    ``influence`` holds u_i with theta - theta_0 ~ sum_i w_i u_i. For a weighted mean the
    influence is (v_i - mean) / N, so with no design this gives the familiar s / sqrt(n):

    >>> v = [1.0, 2.0, 3.0, 4.0]
    >>> r = linearized_se(2.5, [(x - 2.5) / 4 for x in v])
    >>> round(r.se, 4)  # sd(v, ddof=1) / 2
    0.6455
    """
    u = as_vector(influence, "influence")
    w = as_weights(weights, u.size)
    var, n_psu, n_strata, n_single = _design_variance(u, w, strata, psu, singleton)
    se = math.sqrt(max(var, 0.0))
    df = n_psu - n_strata
    lo, hi = _interval(float(estimate), se, df, level)
    return DesignEstimate(
        estimate=float(estimate),
        se=se,
        ci_low=lo,
        ci_high=hi,
        level=level,
        df=df,
        n=u.size,
        n_psu=n_psu,
        n_strata=n_strata,
        singleton_strata=n_single,
        method="taylor",
        conventions={
            "variance": "Taylor linearisation, with-replacement PSUs within strata, no fpc",
            "singleton": singleton,
            "psu": "each unit is a PSU" if psu is None else "PSU codes nested in strata",
            "ci": "Student t with df = #PSU - #strata",
        },
    )


def _mean_influence(v: np.ndarray, w: np.ndarray | None) -> tuple[float, np.ndarray]:
    n_pop = float(v.size) if w is None else float(w.sum())
    r = float(v.mean()) if w is None else float(wdot(w, v) / n_pop)
    return r, (v - r) / n_pop


def fgt_se(
    y: Any,
    z: Any,
    alpha: float = 0,
    weights: Any = None,
    *,
    strata: Any = None,
    psu: Any = None,
    singleton: Singleton = "raise",
    level: float = 0.95,
) -> DesignEstimate:
    """FGT(alpha) with its design-based standard error (a weighted mean, linearised).

    >>> r = fgt_se([1, 2, 3, 4, 5, 6], z=3.5, strata=[1, 1, 1, 2, 2, 2], psu=[1, 1, 2, 3, 4, 4])
    >>> r.estimate, round(r.se, 4), r.df  # se = sqrt(1/72)
    (0.5, 0.1179, 2)
    """
    alpha = float(alpha)
    if not alpha >= 0:
        raise ValueError("alpha must be >= 0")
    yv = as_vector(y, "y")
    wv = as_weights(weights, yv.size)
    zv = line_array(z, yv.size)
    est, u = _mean_influence(fgt_vector(yv, zv, alpha), wv)
    out = linearized_se(est, u, wv, strata=strata, psu=psu, singleton=singleton, level=level)
    return _relabel(out, f"FGT({alpha:g}), poor if y < z")


def watts_se(
    y: Any,
    z: Any,
    weights: Any = None,
    *,
    nonpositive: Literal["raise", "pip"] = "raise",
    strata: Any = None,
    psu: Any = None,
    singleton: Singleton = "raise",
    level: float = 0.95,
) -> DesignEstimate:
    """Watts index with its design-based standard error (a weighted mean, linearised).

    >>> r = watts_se([1, 2, 4, 8], z=4)
    >>> round(r.estimate, 4)
    0.5199
    """
    yv = as_vector(y, "y")
    wv = as_weights(weights, yv.size)
    zv = line_array(z, yv.size)
    est, u = _mean_influence(watts_vector(yv, zv, nonpositive), wv)
    out = linearized_se(est, u, wv, strata=strata, psu=psu, singleton=singleton, level=level)
    return _relabel(out, f"Watts, nonpositive={nonpositive}")


def gini_influence(y: Any, weights: Any = None) -> tuple[float, np.ndarray]:
    """The Gini and each unit's influence value u_i = dG/dw_i (in the input order).

    sum_i w_i u_i = 0 (the Gini does not change when every weight is scaled).

    >>> g, u = gini_influence([1, 2, 3, 4])
    >>> g, round(float(u.sum()), 12)
    (0.25, 0.0)
    """
    yv = as_vector(y, "y")
    wv = as_weights(weights, yv.size)
    w_full = np.ones_like(yv) if wv is None else wv
    order = np.argsort(yv)
    ys = yv[order]
    ws = w_full[order]
    cum = np.cumsum(ws)
    n_pop = float(cum[-1])
    wy = ws * ys
    cum_wy = np.cumsum(wy)
    total = float(cum_wy[-1])
    if not total > 0:
        raise ValueError("gini: the mean must be positive")
    g = float((2.0 * wdot(wy, cum) - wdot(ws, wy)) / (n_pop * total) - 1.0)
    after = total - cum_wy  # T_{>i}
    u_sorted = (2.0 * ys * cum + 2.0 * after) / (n_pop * total) - (g + 1.0) * (
        1.0 / n_pop + ys / total
    )
    u = np.empty_like(u_sorted)
    u[order] = u_sorted
    return g, u


def gini_se(
    y: Any,
    weights: Any = None,
    *,
    strata: Any = None,
    psu: Any = None,
    singleton: Singleton = "raise",
    level: float = 0.95,
) -> DesignEstimate:
    """Gini with its design-based standard error, linearised through its influence function.

    >>> r = gini_se([1, 2, 3, 4, 5, 6], strata=[1, 1, 1, 2, 2, 2], psu=[1, 2, 3, 4, 5, 6])
    >>> round(r.estimate, 4), r.n_psu, r.df, r.se > 0
    (0.2778, 6, 4, True)
    """
    g, u = gini_influence(y, weights)
    wv = as_weights(weights, u.size)
    out = linearized_se(g, u, wv, strata=strata, psu=psu, singleton=singleton, level=level)
    return _relabel(out, "Gini (Eurostat form), influence-function linearisation")


def _relabel(out: DesignEstimate, statistic: str) -> DesignEstimate:
    conv = dict(out.conventions)
    conv["statistic"] = statistic
    return DesignEstimate(**{**out.__dict__, "conventions": conv})


def replicate_se(
    statistic: Callable[[np.ndarray], float],
    weights: Any,
    replicate_weights: Any,
    *,
    method: Literal["jk1", "bootstrap", "brr"] = "bootstrap",
    scale: float | None = None,
    mse: bool = True,
    level: float = 0.95,
) -> DesignEstimate:
    """Standard error from replicate weights (the fallback when no design variables exist).

    ``statistic`` maps a weight vector to the estimate (for example
    ``lambda w: fgt(y, z, 0, w)``); ``replicate_weights`` is a units x R table. The variance is
    ``scale * sum_r (theta_r - c)^2`` with c the full-sample estimate (``mse=True``) or the mean
    of the replicates. Default scales: jk1 (R-1)/R, bootstrap and brr 1/R.

    >>> import numpy as np
    >>> y = np.array([1.0, 2.0, 3.0, 4.0])
    >>> reps = np.ones((4, 4)) - np.eye(4)  # delete-one jackknife
    >>> r = replicate_se(lambda w: float(np.average(y, weights=w)), np.ones(4), reps, method="jk1")
    >>> round(r.se, 4)  # equals sd / sqrt(n) for a mean
    0.6455
    """
    full = as_vector(weights, "weights")
    reps = as_matrix(replicate_weights, "replicate_weights")
    if reps.shape[0] != full.size:
        raise ValueError(f"replicate_weights: {reps.shape[0]} rows for {full.size} units")
    n_rep = reps.shape[1]
    if n_rep < 2:
        raise ValueError("replicate_weights: need at least two replicates")
    theta = float(statistic(full))
    values = np.array([float(statistic(reps[:, r])) for r in range(n_rep)])
    if scale is None:
        if method == "jk1":
            scale = (n_rep - 1) / n_rep
        elif method in ("bootstrap", "brr"):
            scale = 1.0 / n_rep
        else:
            raise ValueError(f"method must be 'jk1', 'bootstrap' or 'brr', got {method!r}")
    centre = theta if mse else float(values.mean())
    se = math.sqrt(float(scale) * float(np.sum((values - centre) ** 2)))
    df = n_rep - 1
    lo, hi = _interval(theta, se, df, level)
    return DesignEstimate(
        estimate=theta,
        se=se,
        ci_low=lo,
        ci_high=hi,
        level=level,
        df=df,
        n=full.size,
        n_psu=0,
        n_strata=0,
        singleton_strata=0,
        method=f"replicate:{method}",
        conventions={
            "variance": f"scale * sum_r (theta_r - centre)^2, scale={scale:g}",
            "centre": "full-sample estimate (mse)" if mse else "mean of replicates",
            "ci": "Student t with df = R - 1",
        },
    )
