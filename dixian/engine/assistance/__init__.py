"""Assistance by cause: the measure catalogue, instrument checks, rule R4 and suggestions.

Django-free, one household at a time, over the plain records of :mod:`.model`:

* :mod:`.catalogue` — categories, instruments and departments as data a province extends;
* :mod:`.checks` — instrument checks (micro-credit, posts, 雨露计划, 低保/特困 …);
* :mod:`.rules` — R4 as data: the risk → measure table, the labour rules, :func:`check_plan`
  and :func:`eligible_for_elimination_measures` (for R6);
* :mod:`.suggest` — a ranked bundle of instruments with reasons, by the rules until there is
  enough history, then by observed success;
* :mod:`.params` — parameters per province and year with their sources.

The reference is ``docs/assistance.md`` (``python -m dixian.engine.assistance doc``).

>>> from dixian.engine.assistance import RULES, CHECKS, DEFAULT
>>> len(DEFAULT.categories), len({r.id for r in RULES}) == len(RULES)
(14, True)
"""

from .catalogue import DEFAULT, Catalogue, Category, Instrument, build, for_province
from .checks import CHECKS, CHECKS_BY_ID, Check, check_measure, check_measures
from .model import PlanHousehold, PlanMeasure, PlanMember, Violation
from .params import DEFAULTS, PARAMETERS, interest_subsidy_share, resolve
from .rules import (
    RULES,
    RULES_BY_ID,
    MeasureCoverage,
    PlanAssessment,
    PlanRule,
    assess_plan,
    check_plan,
    continuing_after_elimination,
    eligible_for_elimination_measures,
    rules_for,
    whole_household_no_labour,
)
from .suggest import HistoryCase, Suggestion, shrinkage_ranker, suggest

__all__ = [
    "DEFAULT", "Catalogue", "Category", "Instrument", "build", "for_province",
    "CHECKS", "CHECKS_BY_ID", "Check", "check_measure", "check_measures",
    "PlanHousehold", "PlanMeasure", "PlanMember", "Violation",
    "DEFAULTS", "PARAMETERS", "interest_subsidy_share", "resolve",
    "RULES", "RULES_BY_ID", "MeasureCoverage", "PlanAssessment", "PlanRule", "assess_plan",
    "check_plan", "continuing_after_elimination", "eligible_for_elimination_measures",
    "rules_for", "whole_household_no_labour",
    "HistoryCase", "Suggestion", "shrinkage_ranker", "suggest",
]
