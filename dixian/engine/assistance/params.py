"""Parameters of the assistance rules, with defaults and sources (domain.md §11.1, §3.3).

Every parameter is configurable per province and year, as in the screening parameters.
Resolution, most specific first: the ``overrides`` of a call, then :data:`PROVINCES` for the
province, then the default. By-year parameters (``*_by_year``) are looked up for the year
concerned and fall back to the latest earlier year listed. Unknown names are refused.

Source tags follow domain.md: ``[VL S17]`` is the Guizhou data-quality tool over national
exports (GitHub Gzuwkj/fuping), ``[VL S58]`` the county micro-credit rules, ``[I]`` a design
choice of ours where no source gives a value.

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

from collections.abc import Mapping
from typing import Any

__all__ = ["PARAMETERS", "DEFAULTS", "PROVINCES", "resolve", "by_year",
           "interest_subsidy_share"]

#: name -> (default, source, meaning)
PARAMETERS: dict[str, tuple[Any, str, str]] = {
    "measure_deadline_days_after_identification": (
        30, "§11.1 [VL S17 rule 1_11_010]; national practice about 15 days from discovery to "
            "measure [V S30]",
        "days after identification by which a measure against each risk must be in place"),
    "fast_track_lookback_days": (
        30, "[I]; R3 fast track: measures first, procedure afterwards [V S62; VL S94]",
        "for fast-track (disaster) rules, a measure given up to this many days before "
        "identification counts even if it has already ended"),
    "labour_shortage_max_able_share": (
        0.25, "§11.1 [VL S17 rule 5_18_008]",
        "the risk 缺劳动力 is doubtful when more than this share of the members are 普通 or "
        "技能 labour"),
    "public_welfare_post_min_age": (16, "§11.1 public_welfare_post.min_age [VL S17 rules "
                                        "5_12_004, 3_01_008]",
                                    "youngest age at which a member may hold a public-welfare "
                                    "post"),
    "public_welfare_post_max_age_exclusive": (
        70, "§11.1 public_welfare_post.max_age_exclusive [VL S17 rule 5_12_005]",
        "a member of this age or older may not hold a public-welfare post"),
    "public_welfare_post_max_posts_per_person": (
        2, "§11.1 public_welfare_post.max_posts_per_person [VL S17 rules 3_01_010/011]",
        "most public-welfare posts one person may hold at the same time"),
    "microcredit_max_amount": (50000, "§11.1 microcredit.max_amount [VL S58]",
                               "largest micro-credit loan (yuan)"),
    "microcredit_max_years": (3, "§11.1 microcredit.max_years [VL S58]",
                              "longest micro-credit term (years)"),
    "microcredit_borrower_min_age": (18, "§11.1 microcredit.borrower_age [VL S58]",
                                     "youngest borrower, age at the loan start"),
    "microcredit_borrower_max_age": (65, "§11.1 microcredit.borrower_age [VL S58]",
                                     "oldest borrower (inclusive), age at the loan start"),
    "microcredit_interest_subsidy_share_by_year": (
        {2021: 1.0, 2022: 1.0, 2023: 1.0, 2024: 0.7, 2025: 0.7},
        "§11.1 microcredit.interest_subsidy_share [VL S58]; later years carry 2025 forward "
        "[I]",
        "largest share of the interest the state subsidises, by the year the interest is "
        "paid"),
    "tekun_able_age_min": (18, "[VL S17 rules 5_15_018/019]",
                           "特困 support for a healthy non-student adult from this age is "
                           "doubtful"),
    "tekun_able_age_max": (59, "[VL S17 rules 5_15_018/019]",
                           "...up to this age (inclusive)"),
    "relocation_suggest_road_km": (
        5, "[I], from §11.1 plausibility.main_road_distance_km_max = 5 [VL S17]",
        "a house farther than this from the village main road is remote: relocation is "
        "suggested before renovation"),
    "suggest_min_history": (30, "[I]",
                            "similar past cases (same risk) needed before history reorders "
                            "the suggestions"),
    "suggest_prior_strength": (10, "[I]",
                               "pseudo-cases of the rule-order prior in the shrunk success "
                               "rate"),
    "suggest_rule_spread": (0.1, "[I]",
                            "width of the rule-order prior around the pooled success rate "
                            "(first rule +spread/2, last −spread/2)"),
    "history_horizon_months": (
        12, "[I]; R6 needs at least 6 months, 12 is the income window (§11.1)",
        "a past case succeeded when its risk was eliminated within this many months"),
}

DEFAULTS: dict[str, Any] = {k: v[0] for k, v in PARAMETERS.items()}

#: per-province overrides (province code -> {name: value}); none are documented yet, so every
#: province runs on the defaults. Add a province's own values here with the source in a comment.
PROVINCES: dict[str, dict[str, Any]] = {}


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


def resolve(province: str | None, year: int, overrides: Mapping[str, Any] | None = None
            ) -> dict[str, Any]:
    """Flat parameters for ``province`` (2-digit code) and ``year``.

    Adds the derived ``year`` and ``microcredit_interest_subsidy_share`` (that year's share).
    """
    out = dict(DEFAULTS)
    out.update(PROVINCES.get(province or "", {}))
    if overrides:
        unknown = sorted(set(overrides) - set(DEFAULTS))
        if unknown:
            raise KeyError(f"unknown assistance parameter(s): {unknown}")
        out.update(overrides)
    out["year"] = year
    out["microcredit_interest_subsidy_share"] = interest_subsidy_share(year, out)
    return out
