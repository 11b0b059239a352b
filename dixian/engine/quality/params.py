"""The policy parameters the data-quality rules read, under the rules' short names.

Rules refer to a parameter as ``P.<name>`` in their condition or message. Values live in the
policy layer (:mod:`dixian.engine.policy`, docs/policy.md); a run can override any of them
with ``run(..., params={...})`` (a what-if); unknown names are refused so that a typo cannot
silently fall back to a default.

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

from dixian.engine.policy import flat

__all__ = ["NAMES", "DEFAULTS", "SOURCES", "resolve", "monitoring_line"]

#: short name -> policy parameter
NAMES: dict[str, str] = {
    "rules_off": "quality.rules_off",
    "monitoring_line_by_year": "income.monitoring_line",
    "monitoring_line_by_month": "income.monitoring_line",
    "income_window_months": "income.window_months",
    "income_window_min_months": "income.window_min_months",
    "able_age_min": "labour.able_age_min",
    "able_age_max": "labour.able_age_max",
    "tekun_able_age_min": "labour.tekun_able_age_min",
    "tekun_able_age_max": "labour.tekun_able_age_max",
    "elimination_min_months": "procedure.elimination_min_months",
    "fast_elimination_months": "procedure.fast_elimination_months",
    "labour_shortage_max_able_share": "labour.shortage_max_able_share",
    "welfare_post_min_age": "assistance.public_welfare_post_min_age",
    "welfare_post_max_age_exclusive": "assistance.public_welfare_post_max_age_exclusive",
    **{short: f"quality.{short}" for short in (
        "id_lengths", "phone_regex", "land_mu_max_small", "land_mu_max_large",
        "road_distance_km_max", "housing_area_m2_min", "housing_area_m2_max", "migrant_wage_min",
        "migrant_wage_max", "wage_suspicious_max", "income_outlier_ratio",
        "income_outlier_floor", "pcni_at_identification_max", "pcni_at_identification_since",
        "income_stale_months", "junior_age", "senior_age", "primary_age",
        "preschool_age_max", "college_age_min", "master_age_min", "low_education_age",
        "compulsory_age", "generation_gap_min", "head_age_min", "spouse_age_min", "age_max",
        "max_risk_types", "year_lifted_range", "phone_max_households",
        "village_missing_share_max")},
}

_TABLE = flat.table(NAMES)
DEFAULTS: dict[str, Any] = {k: v[0] for k, v in _TABLE.items()}
SOURCES: dict[str, tuple[str, str]] = {k: (v[1], v[2]) for k, v in _TABLE.items()}
_DERIVED = ("welfare_post_max_age",)


def _derive(out: dict[str, Any]) -> dict[str, Any]:
    # the rules compare ages inclusively: the oldest age allowed on a public-welfare post
    out["welfare_post_max_age"] = out["welfare_post_max_age_exclusive"] - 1
    return out


DEFAULTS = _derive(DEFAULTS)
SOURCES["welfare_post_max_age"] = (
    "derived: `assistance.public_welfare_post_max_age_exclusive` − 1",
    "oldest age (inclusive) for a public-welfare post")


def resolve(overrides: Mapping[str, Any] | None = None, *, region: str | None = None,
            on: _dt.date | None = None, overlay=()) -> dict[str, Any]:
    """The policy in force in ``region`` on ``on`` (today) with ``overrides`` applied
    (unknown names raise ``KeyError``)."""
    overrides = flat.check_overrides("quality", overrides, [*NAMES, *_DERIVED])
    if "monitoring_line_by_year" in overrides and "monitoring_line_by_month" not in overrides:
        overrides["monitoring_line_by_month"] = None  # a what-if line by year: by year
    if region is None and on is None and not overlay:
        out = dict(DEFAULTS)
    else:
        out = _derive(flat.values(NAMES, region, on or _dt.date.today(), overlay=overlay))
    out.update(overrides)
    return out


def monitoring_line(params: Mapping[str, Any], on: _dt.date) -> int:
    """The monitoring line in force in ``on``'s year (the latest earlier year if not listed).

    >>> monitoring_line(DEFAULTS, _dt.date(2023, 6, 1))
    7300
    >>> monitoring_line(DEFAULTS, _dt.date(2030, 1, 1))
    8700
    """
    by_month = params.get("monitoring_line_by_month")
    month = f"{on.year:04d}-{on.month:02d}"
    if by_month and month in by_month:
        return int(by_month[month])
    by_year = {int(k): int(v) for k, v in params["monitoring_line_by_year"].items()}
    years = [y for y in by_year if y <= on.year]
    return by_year[max(years)] if years else by_year[min(by_year)]
