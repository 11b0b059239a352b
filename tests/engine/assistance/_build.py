"""Small builders for hand-made plans: every expectation in these tests follows from
domain.md (§3.3, §4, §11.1, R4), never from a previous run."""

from __future__ import annotations

from datetime import date

from dixian.engine.assistance.model import PlanHousehold, PlanMeasure, PlanMember

IDENT = date(2025, 3, 1)          # identification date of the test households
DUE = date(2025, 3, 31)           # IDENT + 30 days (measure_deadline_days_after_identification)
BEFORE_DUE = date(2025, 3, 20)
AFTER_DUE = date(2025, 5, 1)


def hh(*risks, **kw) -> PlanHousehold:
    return PlanHousehold(kw.pop("identified_on", IDENT), tuple(risks), **kw)


def member(ref="m1", **kw) -> PlanMember:
    kw.setdefault("labour_skill", "weak")     # weak labour: in neither labour rule
    kw.setdefault("health", "healthy")
    kw.setdefault("insured", True)
    kw.setdefault("schooling_status", "not_in_school")
    return PlanMember(ref, **kw)


def measure(category, instrument=None, *, on=date(2025, 3, 10), status="implemented",
            **kw) -> PlanMeasure:
    """A measure in place (started and implemented) on ``on``."""
    if status != "planned":
        kw.setdefault("started_on", on)
        if status in ("implemented", "ended"):
            kw.setdefault("implemented_on", on)
    else:
        kw.setdefault("planned_on", on)
    return PlanMeasure(category, instrument, status=status, **kw)


def ids(violations, rule_id=None):
    return [(v.rule_id, v.finding) for v in violations
            if rule_id is None or v.rule_id == rule_id]
