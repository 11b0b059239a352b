"""The policy parameters the monitoring indicators (R9) read, under their short names.

Values live in the policy layer (:mod:`dixian.engine.policy`, docs/policy.md). A computation
can override any of them; unknown names are refused, so a typo cannot fall back to a default
silently.

>>> resolve({"identification_sla_days": 28})["identification_sla_days"]
28
>>> monitoring_line(DEFAULTS, "2023-06"), monitoring_line(DEFAULTS, "2031-01")
(7300, 8700)
>>> resolve({"sla_days": 28})
Traceback (most recent call last):
...
KeyError: "unknown indicator parameter(s): ['sla_days']"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dixian.engine.policy import flat

__all__ = ["NAMES", "PARAMETERS", "DEFAULTS", "resolve", "monitoring_line"]

#: short name -> policy parameter
NAMES: dict[str, str] = {
    "monitoring_line_by_year": "income.monitoring_line",
    "monitoring_line_by_month": "income.monitoring_line",
    "identification_sla_days": "procedure.identification_sla_days",
    "measure_target_days": "assistance.measure_deadline_days",
    "income_window_months": "income.window_months",
    "income_window_min_months": "income.window_min_months",
    "labour_skills": "labour.able_skills",
    "coverage_window_months": "indicators.coverage_window_months",
    "vulnerability_threshold": "indicators.vulnerability_threshold",
    "vulnerability_fit_max": "indicators.vulnerability_fit_max",
    "vulnerability_seed": "indicators.vulnerability_seed",
}

PARAMETERS: dict[str, tuple[Any, str, str]] = flat.table(NAMES)
DEFAULTS: dict[str, Any] = {name: spec[0] for name, spec in PARAMETERS.items()}


def resolve(overrides: Mapping[str, Any] | None = None, *, region: str | None = None,
            on: dt.date | None = None, overlay=()) -> dict[str, Any]:
    """The policy in force in ``region`` on ``on`` (today) with ``overrides`` applied."""
    overrides = flat.check_overrides("indicator", overrides, NAMES)
    if "monitoring_line_by_year" in overrides and "monitoring_line_by_month" not in overrides:
        overrides["monitoring_line_by_month"] = None  # a what-if line by year: by year
    if region is None and on is None and not overlay:
        out = dict(DEFAULTS)
    else:
        out = flat.values(NAMES, region, on or dt.date.today(), overlay=overlay)
    out.update(overrides)
    return out


def resolve_one(name: str, overrides: Mapping[str, Any] | None = None, *,
                region: str | None = None, on: dt.date | None = None) -> Any:
    """The one parameter ``name`` of :func:`resolve`, without resolving the others (the
    tables by month and year cost the most)."""
    overrides = flat.check_overrides("indicator", overrides, NAMES)
    if name in overrides:
        return overrides[name]
    if region is None and on is None:
        return DEFAULTS[name]
    return flat.values({name: NAMES[name]}, region, on or dt.date.today())[name]


def monitoring_line(params: Mapping[str, Any], month: str) -> int:
    """The line in force in ``month``'s year (the latest earlier year when not listed)."""
    by_month = params.get("monitoring_line_by_month")
    if by_month and month[:7] in by_month:
        return int(by_month[month[:7]])
    year = int(month[:4])
    by_year = {int(k): int(v) for k, v in params["monitoring_line_by_year"].items()}
    years = [y for y in by_year if y <= year]
    return by_year[max(years)] if years else by_year[min(by_year)]
