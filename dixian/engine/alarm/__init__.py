"""The bottom-line alarm: clustered new entries and returns to poverty, by village, township
and county, month by month (docs/bottom-line-alarm.md).

A prospective scan: for the month examined, every area (county, township, village) and every
window of the last 1 to ``window_months`` months is a candidate cluster of each kind (new
entries, returns). Its expected count is the area's households times its monthly rate, taken
from its own ``baseline_months`` before the window shrunk toward its parent's (its
neighbours'), times the season of the window's calendar months (from the whole scope's
baseline). The p-value is the exact Poisson tail; the threshold is Bonferroni over every
candidate of a county, so that a county where nothing happens gets at most one alarm in
``recurrence_years`` years. Overlapping significant candidates are reduced to the most
significant one (Kulldorff's secondary clusters must not overlap).

>>> import datetime as dt, pyarrow as pa
>>> villages = [f"5223261012{v:02d}" for v in range(1, 5)]
>>> hh = pa.table({"household_code": [f"{v}{i:04d}" for v in villages for i in range(300)],
...                "village_code": [v for v in villages for _ in range(300)]})
>>> usual = [(f"{v}{i:04d}", v, dt.date(2023 + i // 12, i % 12 + 1, 5))
...          for v in villages for i in range(0, 30, 2)]          # one entry every two months
>>> flood = [(f"{villages[0]}{i:04d}", villages[0], dt.date(2025, 7, 3)) for i in range(100, 112)]
>>> rows = usual + flood
>>> sp = pa.table({"household_code": [r[0] for r in rows], "village_code": [r[1] for r in rows],
...                "started_on": [r[2] for r in rows], "is_return": [False] * len(rows)})
>>> p = Params(recurrence_years=5, window_months=3, baseline_months=24, min_households=5,
...            prior_households=100)
>>> [(a.area_code, a.kind, a.observed, a.months) for a in scan(sp, hh, "2025-07", p)]
[('522326101201', 'entry', 12, 1)]
>>> scan(sp, hh, "2025-06", p)
[]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
from scipy.stats import poisson

from dixian.engine.months import month_index, month_of_index

__all__ = ["KINDS", "LEVELS", "Alarm", "Params", "scan", "month_index"]

#: the two kinds of event watched: a spell that is not a return, a spell that is
KINDS = ("entry", "return")
#: the levels, by the length of their division code
LEVELS = (("county", 6), ("township", 9), ("village", 12))
_PARENT = {6: 4, 9: 6, 12: 9}


@dataclass(frozen=True)
class Params:
    recurrence_years: int
    window_months: int
    baseline_months: int
    min_households: int
    prior_households: int

    @classmethod
    def from_policy(cls, policy: Mapping[str, Any]) -> Params:
        return cls(**{f: int(policy[f"alarm.{f}"]) for f in (
            "recurrence_years", "window_months", "baseline_months", "min_households",
            "prior_households")})

    @property
    def county_month_alpha(self) -> float:
        """The false-alarm probability allowed for one county in one month."""
        return 1.0 / (12 * self.recurrence_years)


@dataclass(frozen=True)
class Alarm:
    area_code: str
    level: str
    kind: str
    first_month: str
    month: str
    observed: int
    expected: float
    p_value: float
    threshold: float
    households: tuple[str, ...] = field(default=())

    @property
    def county_code(self) -> str:
        return self.area_code[:6]

    @property
    def months(self) -> int:
        return month_index(self.month) - month_index(self.first_month) + 1



def _events(spells: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(household code, village code, month index, kind index) of each spell's start."""
    started = spells["started_on"].to_numpy(zero_copy_only=False).astype("datetime64[M]")
    ok = ~np.isnat(started)
    months = started.astype(np.int64) + 1970 * 12
    ret = np.asarray(spells["is_return"].fill_null(False).to_numpy(zero_copy_only=False),
                     dtype=bool)
    hh = np.asarray(spells["household_code"].to_pylist(), dtype=object)
    vil = np.asarray(spells["village_code"].to_pylist(), dtype=object)
    ok &= np.array([v is not None and len(v) == 12 for v in vil], dtype=bool)
    return hh[ok], vil[ok], months[ok], ret[ok].astype(np.int64)


def scan(spells: pa.Table, households: pa.Table, month: str, params: Params) -> list[Alarm]:
    """The alarms of ``month``: ``spells`` needs household_code, village_code, started_on,
    is_return; ``households`` (the denominators) a village_code per household, or per village
    with its number of households in a ``households`` column."""
    W, B = params.window_months, params.baseline_months
    if B % 12:
        raise ValueError("baseline_months must be a whole number of years")
    end = month_index(month)
    first = end - W - B + 1  # the earliest month read
    hh_v = np.asarray(households["village_code"].to_pylist(), dtype=object)
    weight = (np.asarray(households["households"].to_numpy(zero_copy_only=False), dtype=float)
              if "households" in households.column_names else np.ones(hh_v.size))
    ok_v = np.array([v is not None and len(v) == 12 for v in hh_v], dtype=bool)
    hh_v, weight = hh_v[ok_v], weight[ok_v]
    e_hh, e_vil, e_month, e_kind = _events(spells)
    keep = (e_month >= first) & (e_month <= end)
    e_hh, e_vil, e_month, e_kind = e_hh[keep], e_vil[keep], e_month[keep], e_kind[keep]
    villages, v_inv = np.unique(hh_v.astype(str), return_inverse=True)
    h_count = np.bincount(v_inv, weights=weight, minlength=villages.size)
    if villages.size == 0:
        return []
    v_of = {v: i for i, v in enumerate(villages)}
    e_v = np.array([v_of.get(v, -1) for v in e_vil], dtype=np.int64)
    known = e_v >= 0
    e_hh, e_v, e_month, e_kind = e_hh[known], e_v[known], e_month[known], e_kind[known]
    M = W + B
    counts = np.zeros((len(KINDS), villages.size, M), dtype=np.int64)
    np.add.at(counts, (e_kind, e_v, e_month - first), 1)

    # the history begins with the scope's first event: months before it are no baseline
    start = max(0, int(e_month.min()) - first) if e_month.size else M
    cal = (np.arange(first, first + M)) % 12

    def season(k: int, w: int) -> tuple[np.ndarray, np.ndarray, float]:
        """(the baseline months read, the weight of each in season units, the window's
        season units): each calendar month weighs its mean share of the scope's baseline."""
        months = np.arange(max(W - w, start), W - w + B)
        if months.size < 12:
            return months, np.zeros(0), 0.0
        scope = counts[k, :, months].sum(axis=1).astype(float)
        prof = np.array([scope[cal[months] == c].mean() for c in range(12)])
        f = prof / prof.mean() if prof.mean() > 0 else np.ones(12)
        return months, f[cal[months]], float(f[cal[M - w:]].sum())

    # areas of every level, their villages, households and parents
    levels = []
    for name, length in LEVELS:
        codes = np.array([v[:length] for v in villages], dtype=object)
        areas, inv = np.unique(codes.astype(str), return_inverse=True)
        parents = np.array([a[:_PARENT[length]] for a in areas], dtype=object)
        levels.append((name, length, areas, inv, parents))
    candidates: list[tuple[float, int, str, int, int, float, float, str]] = []
    n_cells: dict[str, int] = {}
    for _name, _length, areas, _inv, _parents in levels:
        for a in areas:
            n_cells[a[:6]] = n_cells.get(a[:6], 0) + len(KINDS) * W
    m = float(params.prior_households)
    for k in range(len(KINDS)):
        for w in range(1, W + 1):
            months, weight, units = season(k, w)
            if weight.size == 0:  # less than a year of history: no expectation
                continue
            exposure = float(weight.sum())
            base = counts[k][:, months].sum(axis=1).astype(float)
            obs_v = counts[k, :, M - w:].sum(axis=1)
            for name, length, areas, inv, parents in levels:
                h = np.bincount(inv, weights=h_count, minlength=areas.size)
                c_base = np.bincount(inv, weights=base, minlength=areas.size)
                obs = np.bincount(inv, weights=obs_v, minlength=areas.size).astype(np.int64)
                p_codes = np.array([v[:_PARENT[length]] for v in villages], dtype=object)
                p_areas, p_inv = np.unique(p_codes.astype(str), return_inverse=True)
                p_h = np.bincount(p_inv, weights=h_count, minlength=p_areas.size)
                p_base = np.bincount(p_inv, weights=base, minlength=p_areas.size)
                p_rate = dict(zip(p_areas, p_base / (exposure * p_h), strict=True))
                r_par = np.array([p_rate[p] for p in parents])
                # per household and season unit: own history shrunk toward the parent's
                rate = (c_base + m * r_par * exposure) / (exposure * (h + m))
                expected = rate * h * units
                test = (obs >= params.min_households) & (expected > 0)
                if not test.any():
                    continue
                pv = np.ones(areas.size)
                pv[test] = poisson.sf(obs[test] - 1, expected[test])
                for i in np.flatnonzero(test):
                    alpha = params.county_month_alpha / n_cells[areas[i][:6]]
                    if pv[i] <= alpha:
                        candidates.append((float(pv[i]), k, str(areas[i]), w, int(obs[i]),
                                           float(expected[i]), alpha, name))
    candidates.sort(key=lambda c: (c[0], -c[4], len(c[2]), c[3]))
    chosen: list[tuple] = []
    for c in candidates:
        if any(c[1] == d[1] and (c[2].startswith(d[2]) or d[2].startswith(c[2]))
               for d in chosen):
            continue
        chosen.append(c)
    alarms = []
    for pv, k, code, w, obs, exp, alpha, name in chosen:
        sel = (e_kind == k) & (e_month > end - w) & np.array(
            [villages[v].startswith(code) for v in e_v], dtype=bool)
        alarms.append(Alarm(area_code=code, level=name, kind=KINDS[k],
                            first_month=month_of_index(end - w + 1), month=month_of_index(end),
                            observed=obs, expected=round(exp, 3), p_value=pv,
                            threshold=alpha, households=tuple(sorted(set(e_hh[sel])))))
    alarms.sort(key=lambda a: (a.area_code, a.kind))
    return alarms

