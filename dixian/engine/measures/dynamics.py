"""Poverty dynamics on a panel: transitions, entry/exit/re-entry, spells, Jalan-Ravallion.

A panel is a units x periods table (rows are units, columns are periods in time order), either
of poverty statuses (1/True = poor) or of welfare with a line ``z`` (poor when y < z). The
panel must be balanced: the platform's attrition rule drops a unit with any missing period and
counts it (``n_dropped_attrition``).

Definitions (all person-weighted with the units' weights):

* transition matrix between t and t+1: weighted counts, rows normalised to 1;
* entry rate: share of the non-poor at t who are poor at t+1; exit rate: share of the poor at
  t who are not poor at t+1 (per pair of periods, and pooled over all pairs);
* spells: never poor (no period), chronic (every period), transient (the rest); a spell is a
  run of consecutive poor periods;
* exiters: units poor at some t and not poor at t+1; re-entrants: exiters poor again after
  their first exit; re-entry rate = re-entrants / exiters;
* time to re-entry: periods from the first exit (the first non-poor period) to the next poor
  period, as a Kaplan-Meier survival curve (exits not followed by re-entry before the panel
  ends are censored);
* Jalan-Ravallion with P2: total = mean over t of P2(y_it); chronic = P2 of each unit's
  intertemporal mean; transient = total - chronic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._inputs import as_label_array, as_labels, as_matrix, as_weights, wdot

__all__ = [
    "TransitionMatrix",
    "transition_matrix",
    "SurvivalPoint",
    "PovertyDynamics",
    "poverty_dynamics",
    "JalanRavallion",
    "jalan_ravallion",
]


@dataclass(frozen=True)
class TransitionMatrix:
    """Weighted transitions between two periods.

    ``states`` labels rows (origin) and columns (destination); ``counts[i][j]`` is the weighted
    count moving from state i to state j; ``matrix`` is row-normalised (a row with no units is
    NaN); ``row_totals`` are the weighted counts in each origin state.
    """

    states: tuple
    counts: tuple[tuple[float, ...], ...]
    matrix: tuple[tuple[float, ...], ...]
    row_totals: tuple[float, ...]
    conventions: dict = field(default_factory=dict)

    def to_pandas(self):
        """The row-normalised matrix as a pandas DataFrame (origin x destination)."""
        import pandas as pd

        return pd.DataFrame(self.matrix, index=list(self.states), columns=list(self.states))


def transition_matrix(
    origin: Any, destination: Any, weights: Any = None, *, states: Any = None
) -> TransitionMatrix:
    """Person-weighted, row-normalised transition matrix between two periods.

    ``origin`` and ``destination`` hold each unit's state (any labels; booleans for poverty).
    ``states`` fixes the order (default: sorted labels of both periods).

    >>> m = transition_matrix([1, 1, 0, 0], [1, 0, 0, 1], weights=[1, 3, 2, 2])
    >>> m.states, m.matrix
    ((0, 1), ((0.5, 0.5), (0.75, 0.25)))
    """
    a = as_label_array(origin, "origin")
    b = as_label_array(destination, "destination")
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("origin and destination must be 1-D and of the same length")
    n = a.size
    w = as_weights(weights, n)
    if states is None:
        lab = as_labels(np.concatenate([a, b]), 2 * n, "states")
        st = lab.labels
        ca, cb = lab.codes[:n], lab.codes[n:]
    else:
        st = tuple(states)
        index = {s: i for i, s in enumerate(st)}
        try:
            ca = np.fromiter((index[v.item() if hasattr(v, "item") else v] for v in a), np.int64, n)
            cb = np.fromiter((index[v.item() if hasattr(v, "item") else v] for v in b), np.int64, n)
        except KeyError as exc:
            raise ValueError(f"state {exc.args[0]!r} is not in states") from None
    k = len(st)
    flat = np.bincount(ca * k + cb, weights=w, minlength=k * k).astype(np.float64)
    counts = flat.reshape(k, k)
    rows = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mat = counts / rows[:, None]
    return TransitionMatrix(
        states=st,
        counts=tuple(tuple(float(v) for v in r) for r in counts),
        matrix=tuple(tuple(float(v) for v in r) for r in mat),
        row_totals=tuple(float(v) for v in rows),
        conventions={"weighting": "person-weighted", "normalisation": "rows sum to 1"},
    )


@dataclass(frozen=True)
class SurvivalPoint:
    """Kaplan-Meier point: after ``duration`` periods out of poverty, ``survival`` is the
    share of exiters not yet back in poverty; ``at_risk`` and ``events`` are weighted."""

    duration: int
    at_risk: float
    events: float
    survival: float


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class PovertyDynamics:
    """Panel poverty dynamics (see the module notes for the definitions).

    Attributes: ``periods``; ``n`` units used; ``n_dropped_attrition``; ``transitions`` (one
    :class:`TransitionMatrix` per pair of consecutive periods, states non-poor/poor);
    ``entry_rates`` / ``exit_rates`` per pair and ``entry_rate`` / ``exit_rate`` pooled;
    ``never_poor``, ``transient``, ``chronic`` population shares; ``mean_spells`` (mean number
    of poverty spells among the ever poor); ``exiters`` and ``re_entrants`` (population
    shares), ``re_entry_rate`` = re-entrants / exiters; ``time_to_re_entry`` (Kaplan-Meier);
    ``spells`` (each unit's number of spells) and ``category`` (0 never, 1 transient,
    2 chronic) per used unit.
    """

    periods: int
    n: int
    n_dropped_attrition: int
    transitions: tuple[TransitionMatrix, ...]
    entry_rates: tuple[float, ...]
    exit_rates: tuple[float, ...]
    entry_rate: float
    exit_rate: float
    never_poor: float
    transient: float
    chronic: float
    mean_spells: float
    exiters: float
    re_entrants: float
    re_entry_rate: float
    time_to_re_entry: tuple[SurvivalPoint, ...]
    spells: np.ndarray = field(repr=False)
    category: np.ndarray = field(repr=False)
    conventions: dict = field(default_factory=dict)


def _poor_panel(panel: Any, z: Any) -> tuple[np.ndarray, np.ndarray]:
    """(poor statuses of complete units, mask of complete units)."""
    data = as_matrix(panel)
    if data.shape[1] < 2:
        raise ValueError("a panel needs at least two periods")
    complete = ~np.isnan(data).any(axis=1)
    data = data[complete]
    if z is None:
        bad = int(np.count_nonzero((data != 0) & (data != 1)))
        if bad:
            raise ValueError(f"{bad} status value(s) are neither 0 nor 1; give z= for welfare")
        return data == 1, complete
    zv = np.asarray(z, dtype=np.float64)
    if zv.ndim == 1:  # one line per period
        if zv.size != data.shape[1]:
            raise ValueError(f"z: {zv.size} lines for {data.shape[1]} periods")
        zv = zv[None, :]
    if not (zv > 0).all():
        raise ValueError("z: poverty lines must be positive")
    return data < zv, complete


def _kaplan_meier(
    durations: np.ndarray, observed: np.ndarray, w: np.ndarray
) -> tuple[SurvivalPoint, ...]:
    points = []
    surv = 1.0
    if durations.size == 0:
        return ()
    for d in range(1, int(durations.max()) + 1):
        at_risk = float(w[durations >= d].sum())
        if at_risk <= 0:
            break
        events = float(w[(durations == d) & observed].sum())
        surv *= 1.0 - events / at_risk
        points.append(SurvivalPoint(duration=d, at_risk=at_risk, events=events, survival=surv))
    return tuple(points)


def poverty_dynamics(panel: Any, z: Any = None, weights: Any = None) -> PovertyDynamics:
    """Transitions, entry/exit/re-entry, spells and time to re-entry on a balanced panel.

    ``panel``: units x periods statuses (1 = poor) or welfare with ``z`` (one line, or one per
    period). Units with a missing period are dropped and counted.

    >>> p = [[1, 0, 1], [1, 1, 1], [0, 0, 0], [1, 0, 0]]
    >>> d = poverty_dynamics(p)
    >>> d.chronic, d.never_poor, d.transient, d.re_entry_rate
    (0.25, 0.25, 0.5, 0.5)
    """
    poor, complete = _poor_panel(panel, z)
    n_all = complete.size
    w_all = as_weights(weights, n_all)
    w = np.ones(poor.shape[0]) if w_all is None else w_all[complete]
    pop = float(w.sum())
    if not pop > 0:
        raise ValueError("no units (with weight) left after dropping incomplete ones")
    n, periods = poor.shape
    states = ("non-poor", "poor")
    transitions = []
    entry_rates, exit_rates = [], []
    entry_num = entry_den = exit_num = exit_den = 0.0
    for t in range(periods - 1):
        a, b = poor[:, t], poor[:, t + 1]
        m = transition_matrix(np.where(a, 1, 0), np.where(b, 1, 0), w, states=(0, 1))
        transitions.append(
            TransitionMatrix(
                states=states,
                counts=m.counts,
                matrix=m.matrix,
                row_totals=m.row_totals,
                conventions=m.conventions,
            )
        )
        entry_rates.append(m.matrix[0][1])
        exit_rates.append(m.matrix[1][0])
        entry_num += m.counts[0][1]
        entry_den += m.row_totals[0]
        exit_num += m.counts[1][0]
        exit_den += m.row_totals[1]
    n_poor = poor.sum(axis=1)
    category = np.where(n_poor == 0, 0, np.where(n_poor == periods, 2, 1)).astype(np.int8)
    starts = poor.copy()
    starts[:, 1:] &= ~poor[:, :-1]
    spells = starts.sum(axis=1)
    exits = poor[:, :-1] & ~poor[:, 1:]  # exit between t and t+1
    is_exiter = exits.any(axis=1)
    first_exit = np.where(is_exiter, exits.argmax(axis=1) + 1, periods)  # first non-poor period
    # first poor period after the first exit
    idx = np.arange(periods)[None, :]
    after = poor & (idx > first_exit[:, None])
    re_entered = after.any(axis=1) & is_exiter
    re_time = np.where(re_entered, after.argmax(axis=1), periods)
    durations = np.where(re_entered, re_time - first_exit, periods - 1 - first_exit)
    ever = n_poor > 0
    ex_w = float(w[is_exiter].sum())
    km = _kaplan_meier(durations[is_exiter], re_entered[is_exiter], w[is_exiter])
    nan = float("nan")
    return PovertyDynamics(
        periods=periods,
        n=n,
        n_dropped_attrition=int(n_all - n),
        transitions=tuple(transitions),
        entry_rates=tuple(entry_rates),
        exit_rates=tuple(exit_rates),
        entry_rate=entry_num / entry_den if entry_den > 0 else nan,
        exit_rate=exit_num / exit_den if exit_den > 0 else nan,
        never_poor=float(w[category == 0].sum() / pop),
        transient=float(w[category == 1].sum() / pop),
        chronic=float(w[category == 2].sum() / pop),
        mean_spells=float(wdot(w[ever], spells[ever]) / w[ever].sum()) if ever.any() else 0.0,
        exiters=ex_w / pop,
        re_entrants=float(w[re_entered].sum() / pop),
        re_entry_rate=float(w[re_entered].sum() / ex_w) if ex_w > 0 else nan,
        time_to_re_entry=km,
        spells=spells,
        category=category,
        conventions={
            "panel": "balanced: units with a missing period are dropped and counted",
            "poor": "status 1, or y < z (strict)",
            "chronic": "poor in every period",
            "transient": "poor in some but not all periods",
            "re_entry_rate": "re-entrants / exiters (exiters include exits in the last pair)",
            "time_to_re_entry": "Kaplan-Meier from the first exit, censored at the panel end",
        },
    )


@dataclass(frozen=True)
class JalanRavallion:
    """Jalan-Ravallion decomposition of P2 into chronic and transient poverty."""

    total: float
    chronic: float
    transient: float
    n: int
    n_dropped_attrition: int
    conventions: dict = field(default_factory=dict)

    @property
    def chronic_share(self) -> float:
        """chronic / total (NaN when total is 0)."""
        return self.chronic / self.total if self.total else float("nan")


def jalan_ravallion(panel: Any, z: Any, weights: Any = None) -> JalanRavallion:
    """Jalan & Ravallion (1998) chronic/transient decomposition with the squared gap P2.

    total = mean over t of P2(y_it); chronic = P2 of each unit's intertemporal mean;
    transient = total - chronic. ``z`` is one line, or one line per period (welfare is then
    divided by the period's line and the line becomes 1).

    >>> jr = jalan_ravallion([[5, 15], [20, 20]], z=10)
    >>> jr.total, jr.chronic, jr.transient  # P2 = (0.25 + 0) / 2 / 2; the means are 10 and 20
    (0.0625, 0.0, 0.0625)
    """
    data = as_matrix(panel)
    complete = ~np.isnan(data).any(axis=1)
    n_all = data.shape[0]
    data = data[complete]
    w_all = as_weights(weights, n_all)
    w = np.ones(data.shape[0]) if w_all is None else w_all[complete]
    pop = float(w.sum())
    if not pop > 0:
        raise ValueError("no units (with weight) left after dropping incomplete ones")
    zv = np.asarray(z, dtype=np.float64)
    if zv.ndim == 1:
        if zv.size != data.shape[1]:
            raise ValueError(f"z: {zv.size} lines for {data.shape[1]} periods")
        data = data / zv[None, :]
        zv = np.float64(1.0)
    if not zv > 0:
        raise ValueError("z must be positive")
    gaps = np.maximum((zv - data) / zv, 0.0)
    total = float(wdot(w, (gaps * gaps).mean(axis=1)) / pop)
    mean_y = data.mean(axis=1)
    g_mean = np.maximum((zv - mean_y) / zv, 0.0)
    chronic = float(wdot(w, g_mean * g_mean) / pop)
    return JalanRavallion(
        total=total,
        chronic=chronic,
        transient=total - chronic,
        n=int(data.shape[0]),
        n_dropped_attrition=int(n_all - data.shape[0]),
        conventions={
            "measure": "P2 (squared poverty gap), poor if y < z",
            "chronic": "P2 of each unit's mean welfare over the periods",
            "panel": "balanced: units with a missing period are dropped and counted",
        },
    )
