"""Parameters of the screening rules, with defaults and sources (domain.md §11.1, §5.2, §9).

Every parameter is configurable per province (and year, for the by-year ones). Resolution,
most specific first: the ``overrides`` of a run, then :data:`PROVINCES` for the province of the
run's scope, then the default. By-year parameters (``*_by_year``) are looked up for the year
they concern (the run's year, or the prior year for income references) and fall back to the
latest earlier year listed. Unknown names are refused.

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

from collections.abc import Mapping
from typing import Any

__all__ = ["PARAMETERS", "DEFAULTS", "PROVINCES", "resolve", "by_year"]

#: name -> (default, source, meaning)
PARAMETERS: dict[str, tuple[Any, str, str]] = {
    "monitoring_line_by_year": (
        {2021: 6000, 2022: 6500, 2023: 7300, 2024: 8700, 2025: 8700},
        "§11.1 monitoring_line_yuan: 2021 = 1.5×4000 [V S13; I]; 2022 [VL S15]; 2023 Guizhou "
        "[VL S17]; 2024–25 Yunnan [VL S9]; later years carry the latest forward",
        "monitoring income line (yuan per person per year), by year"),
    "prov_rural_income_by_year": (
        {2020: 17131, 2021: 18931, 2022: 20133, 2023: 21691, 2024: 23119, 2025: 24456},
        "§9.1 national rural per-capita disposable income (NBS) [M; V S36, S40, S109, S37], "
        "the default for every province until the province's own figure is set",
        "province's rural per-capita disposable income (yuan), by year; rules use the prior "
        "year's"),
    "income_window_months": (12, "§11.1 income_window_months [VL S11, S12]",
                             "months of income counted for a per-capita net income (R1)"),
    "income_window_min_months": (6, "[I]", "fewest recorded months to judge an income (fewer: "
                                           "the income rules do not fire)"),
    "medical_lookback_months": (12, "§11.1 medical_alert.lookback_months [VL S21]",
                                "months of claims summed by the medical rules"),
    "medical_share_poverty_or_monitored": (
        0.5, "§11.1 medical_alert.relative…poverty_alleviated_or_monitored [VL S19]",
        "share of the prior-year provincial rural income that a 脱贫 or monitored person's "
        "12-month compliant out-of-pocket must exceed"),
    "medical_share_other": (1.0, "§11.1 medical_alert.relative…other_rural [VL S19]",
                            "the same share for any other rural person"),
    "medical_absolute_low_income": (10000, "§11.1 medical_alert.absolute_annual_yuan.low_income "
                                           "[VL S20]",
                                    "absolute 12-month out-of-pocket line for low-income "
                                    "(脱贫, monitored, 低保) persons (yuan)"),
    "medical_absolute_general": (26000, "§11.1 medical_alert.absolute_annual_yuan.general "
                                        "[VL S20]",
                                 "absolute 12-month out-of-pocket line for everyone else"),
    "single_hospitalization_monitored": (6000, "§11.1 medical_alert.single_hospitalization_yuan"
                                               ".monitored [S S22]",
                                         "one inpatient stay's out-of-pocket line, 脱贫 or "
                                         "monitored persons (yuan)"),
    "single_hospitalization_other": (10000, "§11.1 medical_alert.single_hospitalization_yuan"
                                            ".other_rural [S S22]",
                                     "the same line for other rural residents (yuan)"),
    "event_window_months": (1, "§11.1 dept_push_interval_days = 30 [VL S25]",
                            "event rules look at the records received in the last this many "
                            "months (the monthly push)"),
    "severe_disability_grade_max": (2, "R7 DISABILITY: grade 1/2 = severe [VL S23]",
                                    "most severe grades that raise a disability clue"),
    "water_outage_days_min": (30, "R7 WATER: supply cut >30 days [VL S16]",
                              "an outage longer than this many days is a clue"),
    "returned_without_work_months": (3, "R7 HR_SOCIAL_SECURITY: N = 3 [I]; no source found",
                                     "months back home without work before a clue"),
    "housing_unsafe_grades": (("C", "D"), "§11.1 housing_safe_grades = [A, B] [VL S29]",
                              "appraisal grades that mean an unsafe dwelling"),
    "disaster_house_damage": (("severe", "collapsed"), "R7 EMERGENCY [VL S94]; [I] for the "
                                                         "damage levels",
                              "house-damage levels that raise a disaster clue (any crop loss "
                              "above the next parameter does too)"),
    "disaster_loss_yuan_min": (5000, "[I]; §5.2: no numeric disaster threshold was found",
                               "direct loss (yuan) above which a disaster record is a clue"),
}

DEFAULTS: dict[str, Any] = {k: v[0] for k, v in PARAMETERS.items()}

#: per-province overrides (province code -> {name: value}); none are documented yet, so every
#: province runs on the defaults. Add a province's own line and rural income here (with the
#: source in a comment) or pass them per run.
PROVINCES: dict[str, dict[str, Any]] = {}


def by_year(table: Mapping[Any, Any], year: int) -> Any:
    """The value for ``year``, or the latest earlier year's (the earliest if none).

    >>> by_year({2023: 7300, 2024: 8700}, 2030), by_year({2023: 7300}, 2020)
    (8700, 7300)
    """
    t = {int(k): v for k, v in table.items()}
    earlier = [y for y in t if y <= year]
    return t[max(earlier)] if earlier else t[min(t)]


def resolve(province: str | None, year: int, overrides: Mapping[str, Any] | None = None
            ) -> dict[str, Any]:
    """Flat parameters for a run in ``province`` (2-digit code) and ``year``.

    Adds the derived ``monitoring_line`` (this year's) and ``prov_rural_income_prev`` (the
    prior year's provincial rural income).
    """
    out = dict(DEFAULTS)
    out.update(PROVINCES.get(province or "", {}))
    if overrides:
        unknown = sorted(set(overrides) - set(DEFAULTS))
        if unknown:
            raise KeyError(f"unknown screening parameter(s): {unknown}")
        out.update(overrides)
    out["monitoring_line"] = int(by_year(out["monitoring_line_by_year"], year))
    out["prov_rural_income_prev"] = int(by_year(out["prov_rural_income_by_year"], year - 1))
    return out
