"""The policy parameters the screening rules read, under the rules' short names.

Values live in the policy layer (:mod:`dixian.engine.policy`); this module only names them.
Resolution: the ``overrides`` of a run (a what-if), then the policy in force for the run's
region and day. By-year parameters (``*_by_year``) map each year to its value; unknown names
are refused.

>>> p = resolve("52", 2025)
>>> p["monitoring_line"], p["prov_rural_income_prev"]
(8700, 23119)
>>> resolve("52", 2025, {"medical_share_other": 0.8})["medical_share_other"]
0.8
>>> resolve("52", 2025, {"medical_shar": 1})
Traceback (most recent call last):
...
KeyError: "unknown screening parameter(s): ['medical_shar']"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dixian.engine.policy import flat

__all__ = ["NAMES", "PARAMETERS", "DEFAULTS", "resolve", "by_year"]

#: short name -> policy parameter
NAMES: dict[str, str] = {
    "monitoring_line_by_year": "income.monitoring_line",
    "monitoring_line_in_force": "income.monitoring_line",
    "prov_rural_income_by_year": "macro.prior_year_rural_income",
    "income_window_months": "income.window_months",
    "income_window_min_months": "income.window_min_months",
    "rules_off": "screening.rules_off",
    **{short: f"screening.{short}" for short in (
        "medical_lookback_months", "medical_share_poverty_or_monitored", "medical_share_other",
        "medical_absolute_low_income", "medical_absolute_general",
        "single_hospitalization_monitored", "single_hospitalization_other",
        "event_window_months", "severe_disability_grade_max", "water_outage_days_min",
        "returned_without_work_months", "housing_unsafe_grades", "disaster_house_damage",
        "disaster_loss_yuan_min")},
}

#: name -> (national value, source, meaning), for the generated docs
PARAMETERS: dict[str, tuple[Any, str, str]] = flat.table(NAMES)
DEFAULTS: dict[str, Any] = {k: v[0] for k, v in PARAMETERS.items()}


def by_year(table: Mapping[Any, Any], year: int) -> Any:
    """The value for ``year``, or the latest earlier year's (the earliest if none).

    >>> by_year({2023: 7300, 2024: 8700}, 2030), by_year({2023: 7300}, 2020)
    (8700, 7300)
    """
    t = {int(k): v for k, v in table.items()}
    earlier = [y for y in t if y <= year]
    return t[max(earlier)] if earlier else t[min(t)]


def resolve(region: str | None, year: int, overrides: Mapping[str, Any] | None = None, *,
            on: dt.date | None = None, overlay=(), period: str | None = None
            ) -> dict[str, Any]:
    """Flat parameters for a run in ``region`` and ``year`` on the day ``on`` (by default the
    last day of ``period``, else the year's last day or today).

    Adds the derived ``monitoring_line`` (in force on the run's day: a change applies to
    every run from its effective date) and ``prov_rural_income_prev`` (the
    prior year's provincial rural income).
    """
    overrides = flat.check_overrides("screening", overrides, NAMES)
    if on is None and period:
        on = dt.date.fromisoformat(flat.month_add(period, 1) + "-01") - dt.timedelta(days=1)
    out = flat.values(NAMES, region, on or flat.year_day(year), overlay=overlay)
    out.update(overrides)
    what_if = "monitoring_line_by_year" in overrides and \
        "monitoring_line_in_force" not in overrides
    out["monitoring_line"] = int(by_year(out["monitoring_line_by_year"], year) if what_if
                                 else out["monitoring_line_in_force"])
    out["prov_rural_income_prev"] = int(by_year(out["prov_rural_income_by_year"], year - 1))
    return out
