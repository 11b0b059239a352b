"""The policy parameters the assistance rules read, under the rules' short names.

Values live in the policy layer (:mod:`dixian.engine.policy`, docs/policy.md). Resolution:
the ``overrides`` of a call (a what-if), then the policy in force for the region and year.
By-year parameters (``*_by_year``) map each year to its value. Unknown names are refused.

>>> p = resolve("52", 2024)
>>> p["microcredit_max_amount"], p["microcredit_interest_subsidy_share"]
(50000, 0.7)
>>> resolve("52", 2023)["microcredit_interest_subsidy_share"]
1.0
>>> resolve(None, 2025, {"microcredit_max_amont": 1})
Traceback (most recent call last):
...
KeyError: "unknown assistance parameter(s): ['microcredit_max_amont']"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dixian.engine.policy import flat

__all__ = ["NAMES", "PARAMETERS", "DEFAULTS", "resolve", "by_year", "interest_subsidy_share"]

#: short name -> policy parameter
NAMES: dict[str, str] = {
    "rules_off": "assistance.rules_off",
    "measure_deadline_days_after_identification": "assistance.measure_deadline_days",
    "labour_shortage_max_able_share": "labour.shortage_max_able_share",
    "tekun_able_age_min": "labour.tekun_able_age_min",
    "tekun_able_age_max": "labour.tekun_able_age_max",
    "microcredit_interest_subsidy_share_by_year": "assistance.microcredit_interest_subsidy_share",
    **{short: f"assistance.{short}" for short in (
        "fast_track_lookback_days", "public_welfare_post_min_age",
        "public_welfare_post_max_age_exclusive", "public_welfare_post_max_posts_per_person",
        "microcredit_max_amount", "microcredit_max_years", "microcredit_borrower_min_age",
        "microcredit_borrower_max_age", "relocation_suggest_road_km", "suggest_min_history",
        "suggest_prior_strength", "suggest_rule_spread", "history_horizon_months")},
}

PARAMETERS: dict[str, tuple[Any, str, str]] = flat.table(NAMES)
DEFAULTS: dict[str, Any] = {k: v[0] for k, v in PARAMETERS.items()}


def by_year(table: Mapping[Any, Any], year: int) -> Any:
    """The value for ``year``, or the latest earlier year's (the earliest if none).

    >>> by_year({2023: 1.0, 2024: 0.7}, 2030), by_year({2023: 1.0}, 2020)
    (0.7, 1.0)
    """
    t = {int(k): v for k, v in table.items()}
    earlier = [y for y in t if y <= year]
    return t[max(earlier)] if earlier else t[min(t)]


def interest_subsidy_share(year: int, params: Mapping[str, Any] | None = None) -> float:
    """Largest micro-credit interest-subsidy share for interest paid in ``year``.

    >>> interest_subsidy_share(2023), interest_subsidy_share(2024)
    (1.0, 0.7)
    """
    p = params if params is not None else DEFAULTS
    return float(by_year(p["microcredit_interest_subsidy_share_by_year"], year))


def resolve(region: str | None, year: int, overrides: Mapping[str, Any] | None = None, *,
            on: dt.date | None = None, overlay=()) -> dict[str, Any]:
    """Flat parameters for ``region`` and ``year``.

    Adds the derived ``year`` and ``microcredit_interest_subsidy_share`` (that year's share).
    """
    overrides = flat.check_overrides("assistance", overrides, NAMES)
    out = flat.values(NAMES, region, on or flat.year_day(year), overlay=overlay)
    out.update(overrides)
    out["year"] = year
    out["microcredit_interest_subsidy_share"] = interest_subsidy_share(year, out)
    return out
