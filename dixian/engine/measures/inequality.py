"""Inequality: Gini, generalised entropy (Theil T and L), Atkinson, Palma, S80/S20, quantiles.

Conventions (``docs/measures-library.md``):

* every statistic depends on the weights only through the shares f_i = w_i / N, so integer
  weights give the same result as repeating the rows (replication invariance);
* Gini, Eurostat form (equal to PIP's Lorenz trapezoid): sort y ascending, C_i cumulative
  weight, T = sum w_i y_i, G = [2 sum w_i y_i C_i - sum w_i^2 y_i] / (N T) - 1; it does not
  depend on the order of tied values;
* Theil T keeps zeros (0 ln 0 = 0); Theil L (GE(0)), GE(a) for a < 0 and Atkinson with
  epsilon >= 1 are undefined at zero: they raise an error that counts the offending units;
* Palma and S80/S20 read the Lorenz curve interpolated linearly between the weighted points
  (the unit straddling p is split);
* quantiles follow the Eurostat/Stata rule: the first value whose cumulative weight share is
  > p, averaged with the next value when the share equals p exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from scipy.special import xlogy

from ._inputs import as_vector, as_weights, wdot

__all__ = [
    "gini",
    "theil_t",
    "theil_l",
    "ge",
    "atkinson",
    "palma",
    "s80s20",
    "lorenz_share",
    "quantile",
    "median",
    "at_risk_line",
]

QuantileMethod = Literal["eurostat", "inverted_cdf"]

#: relative tolerance used to decide that a cumulative weight share "equals p exactly"
SHARE_TOLERANCE = 1e-12


def _prepare(y: Any, weights: Any, name: str = "y") -> tuple[np.ndarray, np.ndarray | None]:
    yv = as_vector(y, name)
    if yv.size == 0:
        raise ValueError(f"{name}: no units")
    wv = as_weights(weights, yv.size)
    return yv, wv


def _mean(y: np.ndarray, w: np.ndarray | None) -> float:
    if w is None:
        return float(y.mean())
    return float(wdot(w, y) / w.sum())


def _fmean(values: np.ndarray, w: np.ndarray | None) -> float:
    """sum f_i v_i."""
    if w is None:
        return float(values.mean())
    return float(wdot(w, values) / w.sum())


def _sorted(y: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    # The formulas below do not depend on how ties are ordered, so an unstable sort is fine.
    if w is None:
        return np.sort(y), None
    order = np.argsort(y)
    return np.take(y, order), np.take(w, order)


def _gini_sorted(ys: np.ndarray, ws: np.ndarray | None) -> float:
    """Gini of values already sorted ascending (weights in the same order)."""
    if ws is None:
        n = ys.size
        total = float(ys.sum())
        if not total > 0:
            raise ValueError("gini: the mean must be positive")
        ranks = np.arange(1, n + 1, dtype=np.float64)
        return float((2.0 * wdot(ys, ranks) - total) / (n * total) - 1.0)
    cum = np.cumsum(ws)
    n_pop = float(cum[-1])
    wy = ws * ys
    total = float(wy.sum())
    if not total > 0:
        raise ValueError("gini: the mean must be positive")
    return float((2.0 * wdot(wy, cum) - wdot(ws, wy)) / (n_pop * total) - 1.0)


def gini(y: Any, weights: Any = None) -> float:
    """Gini coefficient (replication-invariant Eurostat form, equal to PIP's Lorenz trapezoid).

    G = [2 sum w_i y_i C_i - sum w_i^2 y_i] / (N T) - 1 with y sorted ascending, C_i the
    cumulative weight and T = sum w_i y_i. Zeros and negative values are kept; the mean must be
    positive.

    >>> gini([1, 2, 3, 4])
    0.25
    >>> gini([1, 2, 3], weights=[2, 1, 1])  # same as gini([1, 1, 2, 3])
    0.25
    """
    yv, wv = _prepare(y, weights)
    ys, ws = _sorted(yv, wv)
    return _gini_sorted(ys, ws)


def _reject_nonpositive(y: np.ndarray, what: str, allow_zero: bool) -> None:
    low = y.min()
    if low > 0 or (allow_zero and low == 0):
        return
    bad = int(np.count_nonzero(y < 0)) if allow_zero else int(np.count_nonzero(y <= 0))
    if bad:
        kind = "negative" if allow_zero else "zero or negative"
        raise ValueError(
            f"{what} is undefined for {kind} welfare: {bad} unit(s) have y "
            f"{'<' if allow_zero else '<='} 0"
        )


def theil_t(y: Any, weights: Any = None) -> float:
    """Theil T index, GE(1) = sum f_i (y_i/mu) ln(y_i/mu), with 0 ln 0 = 0.

    Zeros are kept; negative values are an error (with a count).

    >>> round(theil_t([0, 0, 0, 1]), 4)  # ln 4
    1.3863
    """
    yv, wv = _prepare(y, weights)
    _reject_nonpositive(yv, "theil_t", allow_zero=True)
    mu = _mean(yv, wv)
    if not mu > 0:
        raise ValueError("theil_t: the mean must be positive")
    r = yv / mu
    if yv.min() > 0:
        rlogr = np.log(r)
        rlogr *= r
    else:
        rlogr = xlogy(r, r)  # 0 ln 0 = 0
    return _fmean(rlogr, wv)


def _theil_l(yv: np.ndarray, wv: np.ndarray | None, nonpositive: str) -> float:
    mu = _mean(yv, wv)
    if not mu > 0:
        raise ValueError("theil_l: the mean must be positive")
    if nonpositive == "pip":
        # wbpip's md_compute_mld: the mean uses all units, then y <= 0 is replaced by 1.
        yv = np.where(yv > 0, yv, 1.0)
    elif nonpositive == "raise":
        _reject_nonpositive(yv, "theil_l (GE(0), mean log deviation)", allow_zero=False)
    else:
        raise ValueError(f"nonpositive must be 'raise' or 'pip', got {nonpositive!r}")
    return -_fmean(np.log(yv / mu), wv)


def theil_l(
    y: Any, weights: Any = None, *, nonpositive: Literal["raise", "pip"] = "raise"
) -> float:
    """Theil L index (mean log deviation), GE(0) = -sum f_i ln(y_i/mu).

    Undefined at zero: by default zero or negative welfare raises an error that counts the
    units. ``nonpositive="pip"`` follows the World Bank's wbpip ``md_compute_mld`` instead
    (the mean uses every unit, then y <= 0 is replaced by 1).

    >>> round(theil_l([1, 1, 4]), 4)  # (ln 2) / 3
    0.231
    """
    yv, wv = _prepare(y, weights)
    return _theil_l(yv, wv, nonpositive)


def ge(y: Any, alpha: float, weights: Any = None) -> float:
    """Generalised entropy GE(a) = [sum f_i (y_i/mu)^a - 1] / (a (a - 1)).

    GE(0) is Theil L and GE(1) Theil T; GE(2) is half the squared coefficient of variation.
    Negative welfare is an error; zeros are an error for a <= 0.

    >>> round(ge([1, 2, 3, 4], 2), 4)  # CV^2 / 2 = (1.25 / 6.25) / 2
    0.1
    """
    alpha = float(alpha)
    yv, wv = _prepare(y, weights)
    if alpha == 0:
        return _theil_l(yv, wv, "raise")
    if alpha == 1:
        return theil_t(yv, wv)
    _reject_nonpositive(yv, f"ge(alpha={alpha:g})", allow_zero=alpha > 0)
    mu = _mean(yv, wv)
    if not mu > 0:
        raise ValueError("ge: the mean must be positive")
    return (_fmean(np.power(yv / mu, alpha), wv) - 1.0) / (alpha * (alpha - 1.0))


def atkinson(y: Any, epsilon: float, weights: Any = None) -> float:
    """Atkinson index with inequality aversion epsilon >= 0.

    A_e = 1 - [sum f_i (y_i/mu)^(1-e)]^(1/(1-e)) for e != 1 and A_1 = 1 - exp(sum f_i ln y_i)/mu.
    Negative welfare is an error; zeros are an error for e >= 1.

    >>> round(atkinson([1, 4], 1), 4)  # 1 - geometric mean / mean = 1 - 2/2.5
    0.2
    """
    e = float(epsilon)
    if e < 0:
        raise ValueError("atkinson: epsilon must be >= 0")
    yv, wv = _prepare(y, weights)
    _reject_nonpositive(yv, f"atkinson(epsilon={e:g})", allow_zero=e < 1)
    mu = _mean(yv, wv)
    if not mu > 0:
        raise ValueError("atkinson: the mean must be positive")
    if e == 0:
        return 0.0
    if e == 1:
        return float(1.0 - math.exp(_fmean(np.log(yv / mu), wv)))
    return float(1.0 - _fmean(np.power(yv / mu, 1.0 - e), wv) ** (1.0 / (1.0 - e)))


# ---------------------------------------------------------------------------------------------
# Lorenz curve, Palma, S80/S20
# ---------------------------------------------------------------------------------------------


def _lorenz_at(ys: np.ndarray, ws: np.ndarray | None, ps: Sequence[float]) -> np.ndarray:
    """L(p) on the piecewise-linear Lorenz curve through the weighted points."""
    if ws is None:
        cum_pop = np.arange(0, ys.size + 1, dtype=np.float64)
        cum_y = np.concatenate(([0.0], np.cumsum(ys)))
    else:
        cum_pop = np.concatenate(([0.0], np.cumsum(ws)))
        cum_y = np.concatenate(([0.0], np.cumsum(ws * ys)))
    total = cum_y[-1]
    if not total > 0:
        raise ValueError("the Lorenz curve needs a positive total")
    return np.interp(np.asarray(ps, dtype=np.float64), cum_pop / cum_pop[-1], cum_y / total)


def lorenz_share(y: Any, p: float | Sequence[float], weights: Any = None) -> float | tuple:
    """Share of total welfare held by the poorest fraction p (the Lorenz curve L(p)).

    The curve is interpolated linearly between the weighted points, so the unit straddling p
    is split. A sequence of p gives a tuple.

    >>> lorenz_share([1, 2, 3, 4], 0.5)
    0.3
    >>> [round(v, 4) for v in lorenz_share([1, 2, 3, 4], [0.25, 0.375])]
    [0.1, 0.2]
    """
    yv, wv = _prepare(y, weights)
    ys, ws = _sorted(yv, wv)
    ps = np.atleast_1d(np.asarray(p, dtype=np.float64))
    if ((ps < 0) | (ps > 1)).any():
        raise ValueError("p must lie in [0, 1]")
    values = _lorenz_at(ys, ws, ps)
    if np.ndim(p) == 0:
        return float(values[0])
    return tuple(float(v) for v in values)


def _ratio(top: float, bottom: float) -> float:
    return math.inf if bottom <= 0 else top / bottom


def palma(y: Any, weights: Any = None) -> float:
    """Palma ratio (1 - L(0.9)) / L(0.4): the top 10 % share over the bottom 40 % share.

    Lorenz curve interpolated linearly between weighted points (the straddling unit is split).
    Returns ``inf`` when the bottom 40 % hold nothing.

    >>> round(palma(list(range(1, 11))), 4)  # 10 / (1 + 2 + 3 + 4)
    1.0
    """
    yv, wv = _prepare(y, weights)
    ys, ws = _sorted(yv, wv)
    l40, l90 = _lorenz_at(ys, ws, (0.4, 0.9))
    return _ratio(1.0 - float(l90), float(l40))


def s80s20(y: Any, weights: Any = None) -> float:
    """Income quintile share ratio S80/S20 = (1 - L(0.8)) / L(0.2).

    Lorenz curve interpolated linearly between weighted points (the straddling unit is split),
    as :func:`palma`. Returns ``inf`` when the bottom 20 % hold nothing.

    >>> round(s80s20([1, 2, 3, 4, 5]), 4)
    5.0
    """
    yv, wv = _prepare(y, weights)
    ys, ws = _sorted(yv, wv)
    l20, l80 = _lorenz_at(ys, ws, (0.2, 0.8))
    return _ratio(1.0 - float(l80), float(l20))


# ---------------------------------------------------------------------------------------------
# Quantiles
# ---------------------------------------------------------------------------------------------


def _quantile_sorted(
    ys: np.ndarray, ws: np.ndarray | None, ps: np.ndarray, method: str
) -> np.ndarray:
    if ws is None:
        cum = np.arange(1, ys.size + 1, dtype=np.float64)
    else:
        keep = ws > 0  # a zero-weight unit must not be "the next value"
        ys, ws = ys[keep], ws[keep]
        cum = np.cumsum(ws)
    total = cum[-1]
    out = np.empty(ps.size)
    for k, p in enumerate(ps):
        if p <= 0:
            out[k] = ys[0]
            continue
        if p >= 1:
            out[k] = ys[-1]
            continue
        target = p * total
        # first index whose cumulative weight is > target
        i = int(np.searchsorted(cum, target, side="right"))
        exact = i > 0 and abs(cum[i - 1] - target) <= SHARE_TOLERANCE * total
        if method == "eurostat":
            if exact:
                out[k] = 0.5 * (ys[i - 1] + ys[min(i, ys.size - 1)])
            else:
                out[k] = ys[min(i, ys.size - 1)]
        elif method == "inverted_cdf":
            out[k] = ys[i - 1] if exact else ys[min(i, ys.size - 1)]
        else:
            raise ValueError(f"method must be 'eurostat' or 'inverted_cdf', got {method!r}")
    return out


def quantile(
    y: Any,
    p: float | Sequence[float],
    weights: Any = None,
    *,
    method: QuantileMethod = "eurostat",
) -> float | tuple:
    """Weighted quantile(s).

    ``method="eurostat"`` (default, also Stata's and laeken's): the first value whose
    cumulative weight share is > p, averaged with the next value when the share equals p
    exactly (within a relative 1e-12). ``method="inverted_cdf"``: the first value whose
    cumulative share is >= p, never averaged. p = 0 gives the minimum, p = 1 the maximum;
    units with zero weight are ignored. A sequence of p gives a tuple.

    >>> quantile([1, 2, 3, 4], 0.5)
    2.5
    >>> quantile([1, 2, 3, 4], 0.5, weights=[1, 1, 1, 2])
    3.0
    >>> quantile([1, 2, 3, 4], 0.5, method="inverted_cdf")
    2.0
    """
    yv, wv = _prepare(y, weights)
    ps = np.atleast_1d(np.asarray(p, dtype=np.float64))
    if ((ps < 0) | (ps > 1)).any() or np.isnan(ps).any():
        raise ValueError("p must lie in [0, 1]")
    ys, ws = _sorted(yv, wv)
    values = _quantile_sorted(ys, ws, ps, method)
    if np.ndim(p) == 0:
        return float(values[0])
    return tuple(float(v) for v in values)


def median(y: Any, weights: Any = None, *, method: QuantileMethod = "eurostat") -> float:
    """Weighted median with the Eurostat rule (see :func:`quantile`).

    >>> median([3, 1, 2, 10])
    2.5
    """
    return quantile(y, 0.5, weights, method=method)  # type: ignore[return-value]


def at_risk_line(
    y: Any, fraction: float = 0.6, weights: Any = None, *, method: QuantileMethod = "eurostat"
) -> float:
    """Relative at-risk-of-poverty line: ``fraction`` x the weighted median (Eurostat: 60 %).

    >>> round(at_risk_line([10, 20, 30, 40, 50]), 4)
    18.0
    """
    if not fraction > 0:
        raise ValueError("fraction must be positive")
    return float(fraction) * median(y, weights, method=method)
