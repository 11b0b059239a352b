"""Parameters of the monitoring indicators (R9), with defaults and sources (domain.md §11.1).

A computation can override any of them; unknown names are refused, so a typo cannot fall back
to a default silently.

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

from collections.abc import Mapping
from typing import Any

__all__ = ["PARAMETERS", "DEFAULTS", "resolve", "monitoring_line"]

#: name -> (default, source, meaning)
PARAMETERS: dict[str, tuple[Any, str, str]] = {
    "monitoring_line_by_year": (
        {2021: 6000, 2022: 6500, 2023: 7300, 2024: 8700, 2025: 8700, 2026: 8700},
        "§11.1 monitoring_line_yuan [V S13; VL S15, S17, S9]; 2026 carried forward [I]",
        "monitoring income line (yuan per person per year), for FGT and vulnerability"),
    "identification_sla_days": (15, "§11.1 identification_sla_days [V S2; VL S8]",
                                "days from the first clue to the county's decision"),
    "measure_target_days": (15, "§11.2 R9 measure lag, target about 15 days [V S30]",
                            "days from identification to the first measure"),
    "income_window_months": (12, "§11.1 income_window_months [VL S11, S12]",
                             "months of income summed for a per-capita net income (R1)"),
    "labour_skills": (("ordinary", "skilled", "weak"),
                      "§3.2 开发式 for households with labour; 丧失/无劳动力 have none [VL S17]",
                      "labour_skill codes that make a member able to work"),
    "coverage_window_months": (12, "§6.1 industry coverage is counted over the year [I]",
                               "months before the period within which a poverty-alleviated "
                               "household's industry measure counts"),
    "vulnerability_threshold": (0.5, "measures.md, vulnerability (CJS 2002)",
                                "VEP at or above which a household is vulnerable"),
    "vulnerability_fit_max": (300_000, "[I] speed; coefficients stable on a sample this size",
                              "most households the vulnerability model is fitted on (a seeded "
                              "random sample beyond that; VEP is then computed for all)"),
    "vulnerability_seed": (7, "[I]", "seed of that sample"),
}

DEFAULTS: dict[str, Any] = {name: spec[0] for name, spec in PARAMETERS.items()}


def resolve(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The defaults with ``overrides`` applied."""
    out = dict(DEFAULTS)
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(PARAMETERS))
    if unknown:
        raise KeyError(f"unknown indicator parameter(s): {unknown}")
    out.update(overrides)
    return out


def monitoring_line(params: Mapping[str, Any], month: str) -> int:
    """The line in force in ``month``'s year (the latest earlier year when not listed)."""
    year = int(month[:4])
    by_year = {int(k): int(v) for k, v in params["monitoring_line_by_year"].items()}
    years = [y for y in by_year if y <= year]
    return by_year[max(years)] if years else by_year[min(by_year)]
