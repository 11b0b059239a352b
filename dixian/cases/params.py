"""Deadlines and thresholds of the procedures, per province (domain.md §2.2, §4, §11.1).

Resolution, most specific first: :data:`PROVINCES` for the household's province, then the
national default. Unknown names are refused, so a typo in a province's settings fails loudly.

>>> procedure_params("52")["identification_sla_days"]
15
>>> procedure_params("34")["identification_sla_days"]
28
"""

from __future__ import annotations

from typing import Any

#: name -> (default, source, meaning)
PARAMETERS: dict[str, tuple[Any, str, str]] = {
    "identification_sla_days": (15, "§11.1 identification_sla_days [V S2; VL S8]",
                                "days from the first clue to the county's decision"),
    "village_notice_min_days": (5, "§11.1 village_notice_min_days [V S2; VL S3, S8]",
                                "shortest public notice in the village (days)"),
    "self_declaration_accept_days": (2, "§11.1 self_declaration_accept_days [VL S4, S55]",
                                     "days for the township to accept a self-declaration"),
    "household_visit_days": (2, "§11.1 household_visit_days [VL S4]",
                             "days from accepting a clue to the household visit"),
    "data_match_days": (5, "§11.1 data_match_days [S S93]",
                        "days for the county to return the data match"),
    "elimination_min_months": (6, "§11.1 elimination_min_months_since_identification [VL S6, S5]",
                               "months monitored before a risk may be eliminated"),
    "elimination_min_measures": (1, "§11.1 elimination_min_measures [VL S6]",
                                 "implemented measures against the risk before elimination"),
    "income_stable_months": (6, "§4 收入持续稳定（原则上不得低于半年） [VL S5, S6]",
                             "months the 12-month income must stay at or above the line"),
    "suspicious_fast_elimination_months": (2, "§11.1 [VL S17 rule 5_18_009]",
                                           "an elimination within this many months of "
                                           "identification (same or next month) is flagged"),
    "return_window_months": (12, "§11.2 R9 返贫 [I]",
                             "a household monitored again within this many months of its "
                             "elimination counts as a return to poverty"),
    "visit_due_day": (25, "§11.2 R5 monthly visit [V S52; VL S92]; day of month [I]",
                      "day of the month by which the monthly visit is due"),
}

DEFAULTS: dict[str, Any] = {name: spec[0] for name, spec in PARAMETERS.items()}

#: province code -> overrides, with their sources.
PROVINCES: dict[str, dict[str, Any]] = {
    # Anhui: the whole procedure within 20 working days ≈ 28 calendar days [VL S55, S56].
    "34": {"identification_sla_days": 28},
    # Gansu: household check within 5 working days; the rest within 15 working days
    # [VL S54] ≈ 28 calendar days in all.
    "62": {"identification_sla_days": 28, "household_visit_days": 7},
}


def procedure_params(province: str | None) -> dict[str, Any]:
    out = dict(DEFAULTS)
    overrides = PROVINCES.get((province or "")[:2], {})
    unknown = sorted(set(overrides) - set(PARAMETERS))
    if unknown:
        raise KeyError(f"unknown procedure parameter(s): {unknown}")
    out.update(overrides)
    return out
