"""Per-capita net income, domain rule R1, over the 12 months before a reference month."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from dixian.engine.schema import INCOME_COMPONENTS
from dixian.registry.models import Household

WINDOW_MONTHS = 12  # income_window_months (domain.md §11.1)


def months_before(reference: str, n: int = WINDOW_MONTHS) -> list[str]:
    """The n months before ``reference`` ('YYYY-MM'), oldest first.

    Identified in June 2021 → income from 2020-06 to 2021-05 (domain.md §1.2).
    """
    year, month = map(int, reference.split("-"))
    index = year * 12 + (month - 1)
    return [f"{(i) // 12:04d}-{(i) % 12 + 1:02d}" for i in range(index - n, index)]


def next_month(month: str) -> str:
    """>>> next_month("2025-12")
    '2026-01'
    """
    year, number = map(int, month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


@dataclass(frozen=True)
class NetIncome:
    reference_month: str
    first_month: str
    last_month: str
    months_recorded: int
    members: int
    totals: dict[str, int]
    household_net: int  # wage + business + property + transfer − business costs
    per_capita: float | None


def net_income(household: Household, reference_month: str) -> NetIncome:
    window = months_before(reference_month)
    rows = household.incomes.filter(period__in=window)
    totals = rows.aggregate(**{name: Sum(name) for name in INCOME_COMPONENTS})
    totals = {name: int(totals[name] or 0) for name in INCOME_COMPONENTS}
    net = (totals["wage"] + totals["business"] + totals["property"] + totals["transfer"]
           - totals["business_cost"])
    members = household.members.filter(member_status="active").count()
    return NetIncome(reference_month, window[0], window[-1], rows.count(), members, totals,
                     net, round(net / members, 2) if members else None)
