"""Per-capita net income (R1) for the household page and letters: the engine's one definition
(:mod:`dixian.engine.income`) over the window before a reference month, with the policy in
force for the household's village; the national system's annual block where too few months
are recorded (a migrated county)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from dixian.registry.bridge import INCOME_COMPONENTS, month_add, months_ending, r1_for_policy
from dixian.registry.bridge import policy as engine_policy
from dixian.registry.models import Household


def months_before(reference: str, n: int = 12) -> list[str]:
    """The n months before ``reference`` ('YYYY-MM'), oldest first.

    Identified in June 2021 → income from 2020-06 to 2021-05 (domain.md §1.2).
    """
    return months_ending(month_add(reference, -1), n)


def next_month(month: str) -> str:
    """>>> next_month("2025-12")
    '2026-01'
    """
    return month_add(month, 1)


@dataclass(frozen=True)
class NetIncome:
    reference_month: str
    first_month: str
    last_month: str
    months_recorded: int
    members: int
    totals: dict[str, int]  # sums of the recorded months, as recorded
    household_net: float | None  # R1: annualised over the recorded months; None: not judged
    per_capita: float | None
    line: int
    policy_fingerprint: str = ""  # the policy the window and the line came from
    block_month: str | None = None  # R1 is the national system's annual block of this month


def net_income(household: Household, reference_month: str) -> NetIncome:
    """R1 for a decision in ``reference_month``, with the policy in force that month (today,
    when it is this month: a change in force from today counts at once)."""
    from django.utils import timezone

    today = timezone.localdate()
    day = today if reference_month == today.strftime("%Y-%m") else \
        dt.date.fromisoformat(reference_month + "-01")
    policy = engine_policy.resolve(household.village_id, day)
    window = months_before(reference_month, int(policy["income.window_months"]))
    rows = list(household.incomes.filter(period__in=window).values("period", *INCOME_COMPONENTS))
    totals = household.incomes.filter(period__in=window).aggregate(
        **{name: Sum(name) for name in INCOME_COMPONENTS})
    totals = {name: int(totals[name] or 0) for name in INCOME_COMPONENTS}
    members = household.members.filter(member_status="active").count()
    blocks = list(household.income_blocks.values(
        "basis", "reference_month", "household_net", "per_capita_net", "compliant_oop_medical"))
    r = r1_for_policy(rows, members=members, last_month=window[-1], policy=policy,
                      blocks=blocks)
    if r.block_month:  # the block's own rigid spending, as R2 reads it
        totals = {**totals, "compliant_oop_medical": int(r.rigid_spending or 0)}
    return NetIncome(reference_month, window[0], window[-1], r.months_recorded, members, totals,
                     r.household_net, r.per_capita, int(policy["income.monitoring_line"]),
                     policy.fingerprint, r.block_month)
