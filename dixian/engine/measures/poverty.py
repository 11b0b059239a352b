"""Unidimensional poverty: FGT (headcount, gap, severity), Watts, Sen and Sen-Shorrocks-Thon.

Conventions (``docs/measures-library.md``): the poor are those with y strictly below the line
(``y < z``, as PIP, Eurostat and Stata's povdeco); every statistic is a function of the shares
f_i = w_i / N (replication invariance); no small-sample correction. The line ``z`` is one
positive number or one positive line per unit (for example a county's own line).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ._inputs import as_vector, as_weights, line_array, wdot
from .inequality import _gini_sorted, _sorted

__all__ = ["fgt", "headcount", "poverty_gap", "poverty_severity", "watts", "sen", "sst"]


def _prepare(y: Any, z: Any, weights: Any):
    yv = as_vector(y, "y")
    if yv.size == 0:
        raise ValueError("y: no units")
    wv = as_weights(weights, yv.size)
    zv = line_array(z, yv.size)
    return yv, zv, wv


def _share(mask_or_values: np.ndarray, w: np.ndarray | None) -> float:
    """sum f_i v_i for a boolean mask or a float vector."""
    if w is None:
        if mask_or_values.dtype == bool:
            return float(np.count_nonzero(mask_or_values) / mask_or_values.size)
        return float(mask_or_values.mean())
    return float(wdot(w, mask_or_values) / w.sum())


def normalised_gaps(y: np.ndarray, z: float | np.ndarray) -> np.ndarray:
    """g_i = max(0, (z - y_i) / z): zero for the non-poor (y >= z)."""
    g = np.subtract(z, y)
    g /= z
    np.maximum(g, 0.0, out=g)
    return g


def fgt_vector(y: np.ndarray, z: float | np.ndarray, alpha: float) -> np.ndarray:
    """Each unit's FGT contribution 1[y < z] ((z - y)/z)^alpha (float)."""
    if alpha == 0:
        return (y < z).astype(np.float64)
    g = normalised_gaps(y, z)
    if alpha == 1:
        return g
    if alpha == 2:
        return g * g
    return np.power(g, alpha)


def fgt(y: Any, z: Any, alpha: float = 0, weights: Any = None) -> float:
    """Foster-Greer-Thorbecke index P_a = sum f_i 1[y_i < z] ((z - y_i)/z)^a, a >= 0.

    alpha 0 is the headcount ratio, 1 the poverty gap index and 2 the severity (squared gap).
    A unit exactly at the line is not poor. Zeros are kept.

    >>> fgt([1, 2, 3, 4], z=3)
    0.5
    >>> round(fgt([1, 2, 3, 4], z=3, alpha=1), 4)  # (2/3 + 1/3) / 4
    0.25
    >>> fgt([1, 2, 3, 4], z=3, alpha=0, weights=[1, 1, 2, 4])
    0.25
    """
    alpha = float(alpha)
    if not alpha >= 0:
        raise ValueError("alpha must be >= 0")
    yv, zv, wv = _prepare(y, z, weights)
    if alpha == 0:
        return _share(yv < zv, wv)
    return _share(fgt_vector(yv, zv, alpha), wv)


def headcount(y: Any, z: Any, weights: Any = None) -> float:
    """Headcount ratio, FGT(0): the population share with y < z.

    >>> headcount([1, 2, 3, 4], 2.5)
    0.5
    """
    return fgt(y, z, 0, weights)


def poverty_gap(y: Any, z: Any, weights: Any = None) -> float:
    """Poverty gap index, FGT(1).

    >>> poverty_gap([0, 10], 10)
    0.5
    """
    return fgt(y, z, 1, weights)


def poverty_severity(y: Any, z: Any, weights: Any = None) -> float:
    """Poverty severity (squared poverty gap), FGT(2).

    >>> poverty_severity([5, 10], 10)
    0.125
    """
    return fgt(y, z, 2, weights)


def watts_vector(y: np.ndarray, z: float | np.ndarray, nonpositive: str = "raise") -> np.ndarray:
    """Each unit's Watts contribution 1[y < z] ln(z / y)."""
    poor = y < z
    if nonpositive == "raise":
        bad = int((y <= 0).sum())
        if bad:
            raise ValueError(
                f"watts is undefined for zero or negative welfare: {bad} unit(s) have y <= 0 "
                "(pass nonpositive='pip' to let them contribute 0, as the World Bank's PIP does)"
            )
    elif nonpositive != "pip":
        raise ValueError(f"nonpositive must be 'raise' or 'pip', got {nonpositive!r}")
    use = poor & (y > 0)
    out = np.zeros_like(y)
    ratio = np.divide(z, y, out=np.ones_like(y), where=use)
    np.log(ratio, out=out, where=use)
    return out


def watts(
    y: Any, z: Any, weights: Any = None, *, nonpositive: Literal["raise", "pip"] = "raise"
) -> float:
    """Watts index W = sum f_i 1[y_i < z] ln(z / y_i).

    Undefined for y <= 0: by default raises an error that counts those units;
    ``nonpositive="pip"`` applies the World Bank PIP option (y <= 0 contributes 0).

    >>> round(watts([1, 2, 4, 8], z=4), 4)  # (ln 4 + ln 2) / 4
    0.5199
    >>> watts([0, 8], z=4, nonpositive="pip")
    0.0
    """
    yv, zv, wv = _prepare(y, z, weights)
    return _share(watts_vector(yv, zv, nonpositive), wv)


def sen(
    y: Any,
    z: Any,
    weights: Any = None,
    *,
    variant: Literal["replication", "finite"] = "replication",
) -> float:
    """Sen index S = P0 G_p + P1 (1 - G_p), G_p the Gini of the incomes below the line.

    ``variant="replication"`` (default) uses the replication-invariant Gini of the poor's
    incomes. ``variant="finite"`` is Sen's (1976) finite-population form
    S = P1 + (P0 - P1) G_p q/(q+1), with q the (weighted) number of poor. The line must be one
    number. Returns 0 when nobody is poor.

    >>> sen([1, 3, 5, 10], z=4)  # P0 = 1/2, P1 = 1/4, Gini of (1, 3) = 1/4
    0.3125
    """
    yv, zv, wv = _prepare(y, z, weights)
    if np.ndim(zv) != 0:
        raise ValueError("sen: the poverty line must be one number")
    poor = yv < zv
    if not poor.any():
        return 0.0
    p0 = _share(poor, wv)
    p1 = _share(fgt_vector(yv, zv, 1), wv)
    yp = yv[poor]
    wp = None if wv is None else wv[poor]
    poor_total = float(yp.sum()) if wp is None else float(wdot(wp, yp))
    if not poor_total > 0:
        g_poor = 0.0  # the poor hold nothing (or have no weight): their Gini is taken as 0
    else:
        g_poor = _gini_sorted(*_sorted(yp, wp))
    if variant == "replication":
        return float(p0 * g_poor + p1 * (1.0 - g_poor))
    if variant == "finite":
        q = float(poor.sum()) if wp is None else float(wp.sum())
        return float(p1 + (p0 - p1) * g_poor * q / (q + 1.0))
    raise ValueError(f"variant must be 'replication' or 'finite', got {variant!r}")


def sst(y: Any, z: Any, weights: Any = None) -> float:
    """Sen-Shorrocks-Thon index SST = P1 (1 + G(g)).

    G(g) is the Gini of the normalised gaps g_i = max(0, (z - y_i)/z) over the whole
    population. Returns 0 when nobody is poor.

    >>> round(sst([1, 3, 5, 10], z=4), 3)  # P1 = 1/4, Gini of gaps (3/4, 1/4, 0, 0) = 5/8
    0.406
    """
    yv, zv, wv = _prepare(y, z, weights)
    g = normalised_gaps(yv, zv)
    p1 = _share(g, wv)
    if p1 == 0:
        return 0.0
    return float(p1 * (1.0 + _gini_sorted(*_sorted(g, wv))))
