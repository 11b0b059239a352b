"""Parameters of the data-quality rules, with their defaults and sources (domain.md §11.1).

Rules refer to a parameter as ``P.<name>`` in their condition or message. A run can override
any of them (per province, county or year) with ``run(..., params={...})``; unknown names are
refused so that a typo cannot silently fall back to a default.

Source tags follow domain.md: ``[VL S17]`` is the Guizhou quality tool (Gzuwkj/fuping), ``[I]``
marks an inference of ours (a documented, conservative value where no source gives one).

>>> resolve({"road_distance_km_max": 8})["road_distance_km_max"]
8
>>> resolve({"road_distance_km_maxx": 8})
Traceback (most recent call last):
...
KeyError: "unknown quality parameter(s): ['road_distance_km_maxx']"
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

__all__ = ["DEFAULTS", "SOURCES", "resolve", "monitoring_line"]

#: name -> (default value, source, meaning)
_TABLE: dict[str, tuple[Any, str, str]] = {
    "monitoring_line_by_year": (
        {2021: 6000, 2022: 6500, 2023: 7300, 2024: 8700, 2025: 8700, 2026: 8700},
        "§11.1 monitoring_line_yuan [V S13; VL S15, S17, S9]; 2026 carried forward [I]",
        "monitoring income line (yuan per person per year) by year"),
    "id_lengths": ((18, 20, 22), "§11.1 plausibility.id_lengths [VL S17 rule 1_01_002]",
                   "accepted lengths of an identity-document number"),
    "phone_regex": (r"^1[3-9][0-9]{9}$", "§11.1 plausibility.phone_regex [VL S17 rule 5_13_003]",
                    "mobile number pattern"),
    "land_mu_max_small": (100, "§11.1 plausibility.land_mu_max [VL S17 rules 5_14_*]",
                          "maximum cultivated, pasture and water-surface area (mu)"),
    "land_mu_max_large": (200, "§11.1 plausibility.land_mu_max [VL S17 rules 5_14_*]",
                          "maximum forest, returned-forest and orchard area (mu)"),
    "road_distance_km_max": (5, "§11.1 plausibility.main_road_distance_km_max [VL S17]",
                             "maximum distance from the house to the village main road (km)"),
    "housing_area_m2_min": (10, "[I]", "smallest plausible floor area of a dwelling (m²)"),
    "housing_area_m2_max": (1000, "[I]", "largest plausible floor area of a rural dwelling (m²)"),
    "migrant_wage_min": (400, "§11.1 plausibility.migrant_monthly_wage_min [VL S17 rule 1111_12]",
                         "lowest plausible monthly wage of a migrant job (yuan)"),
    "migrant_wage_max": (50000, "[I]", "highest plausible monthly wage of a migrant job (yuan)"),
    "wage_suspicious_max": (100, "§11.1 plausibility.wage_income_suspicious_range [VL S17 "
                                 "rule 5_15_0023]",
                            "a wage income strictly between 0 and this is a typing error (yuan)"),
    "income_outlier_ratio": (10, "[I] (clean synthetic data stay below 7)",
                             "a month's wage or business income above this multiple of the "
                             "household's mean of its other months is suspect"),
    "income_outlier_floor": (5000, "[I]", "...and above this amount (yuan per month)"),
    "pcni_at_identification_max": (20000, "§11.1 plausibility.per_capita_income_at_"
                                          "identification_max [VL S17 rule 1111_18]",
                                   "highest plausible per-capita income at identification (yuan)"),
    "pcni_at_identification_since": ("2023-01", "[VL S17 rule 1111_18]",
                                     "rule 1111_18 applies to identifications from this month"),
    "income_window_months": (12, "§11.1 income_window_months [VL S11, S12]",
                             "months of income summed for a per-capita net income"),
    "income_window_min_months": (6, "[I]", "fewest recorded months for a per-capita income to be "
                                           "judged (fewer: the rule does not fire)"),
    "income_stale_months": (12, "[I] (monthly cadence, R5)",
                            "an active monitored household's latest income month older than "
                            "this many months is stale"),
    "welfare_post_min_age": (16, "§11.1 public_welfare_post.min_age [VL S17 rule 5_12_004]",
                             "youngest age for a public-welfare post"),
    "welfare_post_max_age": (69, "§11.1 public_welfare_post.max_age_exclusive=70 "
                                 "[VL S17 rule 5_12_005]",
                             "oldest age (inclusive) for a public-welfare post"),
    "able_age_min": (16, "[VL S17 rules 2_12_014, 5_12_008]", "working age from"),
    "able_age_max": (59, "[VL S17 rule 5_12_008]", "working age to (inclusive)"),
    "tekun_able_age_min": (18, "[VL S17 rules 5_15_018/019]",
                           "extreme-hardship support: able-bodied adult from"),
    "tekun_able_age_max": (59, "[VL S17 rules 5_15_018/019]", "...to (inclusive)"),
    "junior_age": ((12, 17), "[VL S17 rule 5_17_003]", "plausible ages in grades 7-9"),
    "senior_age": ((15, 20), "[VL S17 rule 5_17_004]",
                   "plausible ages in senior or vocational secondary school"),
    "primary_age": ((5, 15), "[I]", "plausible ages in grades 1-6"),
    "preschool_age_max": (7, "[I]", "oldest plausible age for a pre-school child"),
    "college_age_min": (16, "[I]", "youngest plausible age in college"),
    "master_age_min": (20, "[VL S17 rules 5_17_006, 5_12_018]",
                       "youngest age for a master's degree"),
    "low_education_age": ((16, 22), "[VL S17 rules 5_17_007, 5_12_019]",
                          "ages at which primary schooling or less is implausible"),
    "compulsory_age": ((7, 14), "[I] (9-year compulsory education, 义务教育法)",
                       "ages at which a child must be in school"),
    "generation_gap_min": (12, "[I]", "fewest years between a parent and a child"),
    "head_age_min": (16, "[I]", "youngest plausible household head"),
    "spouse_age_min": (16, "[I]", "youngest plausible spouse"),
    "age_max": (110, "[I]", "oldest plausible age"),
    "max_risk_types": (5, "§2.3 致贫/返贫风险1-5 [VL S17]", "most risk types per household"),
    "elimination_min_months": (6, "§11.1 elimination_min_months_since_identification "
                                  "[VL S6, S5; S17 rule 2_11_002]",
                               "fewest months between identification and elimination"),
    "fast_elimination_months": (2, "§11.1 suspicious_fast_elimination_months "
                                   "[VL S17 rule 5_18_009]",
                                "elimination within this many months (same or next month) "
                                "is suspicious"),
    "labour_shortage_max_able_share": (0.25, "§11.1 [VL S17 rule 5_18_008]",
                                       "risk 缺劳动力 is invalid above this share of able "
                                       "members"),
    "year_lifted_range": ((2014, 2020), "national 建档立卡 period 2014-2020 [V S13]",
                          "plausible years a household was lifted out of poverty"),
    "phone_max_households": (3, "[I]", "most households that plausibly share one contact "
                                       "phone"),
    "village_missing_share_max": (0.05, "[I]", "a village where more than this share of "
                                               "members lack a required field is flagged"),
}

DEFAULTS: dict[str, Any] = {k: v[0] for k, v in _TABLE.items()}
SOURCES: dict[str, tuple[str, str]] = {k: (v[1], v[2]) for k, v in _TABLE.items()}


def resolve(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The defaults with ``overrides`` applied (unknown names raise ``KeyError``)."""
    out = dict(DEFAULTS)
    if overrides:
        unknown = sorted(set(overrides) - set(DEFAULTS))
        if unknown:
            raise KeyError(f"unknown quality parameter(s): {unknown}")
        out.update(overrides)
    return out


def monitoring_line(params: Mapping[str, Any], on: _dt.date) -> int:
    """The monitoring line in force in ``on``'s year (the latest earlier year if not listed).

    >>> monitoring_line(DEFAULTS, _dt.date(2023, 6, 1))
    7300
    >>> monitoring_line(DEFAULTS, _dt.date(2030, 1, 1))
    8700
    """
    by_year = {int(k): int(v) for k, v in params["monitoring_line_by_year"].items()}
    years = [y for y in by_year if y <= on.year]
    return by_year[max(years)] if years else by_year[min(by_year)]
