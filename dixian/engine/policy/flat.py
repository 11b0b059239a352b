"""Flat parameter dicts for the rule modules: their own short names, values from the policy.

Each rule module (screening, quality, indicators, assistance, procedures) names the policy
parameters it reads in one ``NAMES`` map (short name → policy parameter); this module builds
from it the ``{short name: value}`` dict the module's rules take, and the
``{short name: (national value, source, meaning)}`` table its generated docs print. The values
themselves live only in the policy layer.

A short name ending in ``_by_year`` reads a dated parameter as ``{year: value in force on
1 January}``, for rules that judge records of several years in one run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dixian.engine.months import month_add  # noqa: F401 (for the params modules)
from dixian.engine.policy.catalogue import load
from dixian.engine.policy.resolution import resolve, timeline

FIRST_YEAR = 2021  # the first year any parameter has a value (the transition period)


def by_year_table(name: str, region: str | None, last_year: int, *, shift: int = 0,
                  overlay=(), with_changes: bool = True) -> dict[int, Any]:
    """``{year: value in force on 1 January of year + shift}`` for FIRST_YEAR..last_year.

    >>> by_year_table("income.monitoring_line", "522326", 2026)
    {2021: 6000, 2022: 6500, 2023: 7300, 2024: 8700, 2025: 8700, 2026: 8700}
    """
    first = FIRST_YEAR - shift
    start = dt.date(first + shift, 1, 1)
    stop = dt.date(last_year + shift + 1, 1, 2)
    spans = timeline(name, region, start, stop, overlay=overlay, with_changes=with_changes)
    out = {}
    for year in range(first, last_year + 1):
        day = dt.date(year + shift, 1, 1)
        out[year] = next(v for a, b, v in spans if a <= day < b)
    return out


def by_month_table(name: str, region: str | None, last_month: str, *, overlay=(),
                   with_changes: bool = True) -> dict[str, Any]:
    """``{"YYYY-MM": value in force on the month's last day}`` from January of FIRST_YEAR to
    ``last_month``: a change in force from the 7th counts for its month."""
    from dixian.engine.months import months_between

    first = f"{FIRST_YEAR}-01"
    months = [month_add(first, k) for k in range(months_between(first, last_month) + 1)]
    start = dt.date(FIRST_YEAR, 1, 1)
    stop = dt.date.fromisoformat(month_add(last_month, 1) + "-01")
    spans = timeline(name, region, start, stop, overlay=overlay, with_changes=with_changes)
    out = {}
    for month in months:
        day = dt.date.fromisoformat(month_add(month, 1) + "-01") - dt.timedelta(days=1)
        out[month] = next(v for a, b, v in spans if a <= day < b)
    return out


#: ``*_by_year`` short names whose year is the figure's own year, one before the year it is
#: used in (a rural income published for 2024 is the reference for rules run in 2025)
SHIFTED = {"prov_rural_income_by_year": 1}


def values(names: Mapping[str, str], region: str | None, on: dt.date, *,
           overlay=(), with_changes: bool = True) -> dict[str, Any]:
    """``{short name: value}`` of ``names`` in force in ``region`` on ``on``."""
    policy = resolve(region, on, overlay=overlay, with_changes=with_changes)
    out: dict[str, Any] = {}
    for short, name in names.items():
        if short.endswith("_by_month"):
            last = max(on, reference_day())
            out[short] = by_month_table(name, region, f"{last.year + 1:04d}-12",
                                        overlay=overlay, with_changes=with_changes)
        elif short.endswith("_by_year"):
            out[short] = by_year_table(name, region, max(on.year, reference_day().year) + 1,
                                       shift=SHIFTED.get(short, 0), overlay=overlay,
                                       with_changes=with_changes)
        else:
            out[short] = policy[name]
    return out


def table(names: Mapping[str, str]) -> dict[str, tuple[Any, str, str]]:
    """``{short name: (national value on the reference day, source, meaning)}`` for generated
    docs (the same on any day the docs are rebuilt)."""
    catalogue = load()
    national = values(names, None, reference_day(), with_changes=False)
    out = {}
    for short, name in names.items():
        if short.endswith("_by_month"):
            continue  # the same values as the parameter's *_by_year entry, month by month
        spec = catalogue.parameters[name]
        records = [r for r in catalogue.records if r.parameter == name and not r.region]
        sources = "; ".join(dict.fromkeys(r.source for r in records))
        out[short] = (national[short], f"`{name}`: {sources}", spec.meaning)
    return out


def reference_day() -> dt.date:
    """The latest day on which a baseline value starts: the day generated docs describe."""
    return max(r.start for r in load().records)


def check_overrides(area: str, overrides: Mapping[str, Any] | None, known) -> dict[str, Any]:
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise KeyError(f"unknown {area} parameter(s): {unknown}")
    return overrides


def year_day(year: int) -> dt.date:
    """The day whose policy a run for ``year`` uses: today within the year, else 31 December."""
    today = dt.date.today()
    return today if today.year == year else dt.date(year, 12, 31)
