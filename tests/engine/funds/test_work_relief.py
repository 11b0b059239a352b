"""Work relief at its limits (domain.md §8.2: labour remuneration at least 30 % of the central
investment in 2023, 32 % in 2024; paid in full and on time)."""

import datetime as dt
from decimal import Decimal as D

from dixian.engine.funds import work_relief as rules
from dixian.engine.policy import resolve


def share(central, paid, year):
    policy = resolve("522326", dt.date(year, 6, 1))
    return rules.labour_share(project_key="1", region_code="522326101201", title="路",
                              central=D(central), remuneration=D(paid), policy=policy)


def test_2023_needs_thirty_percent_2024_thirty_two():
    assert share(100, 30, 2023)[1] is None
    assert share(100, "29.99", 2023)[1].rule == "WORK_RELIEF_LABOUR_SHARE_LOW"
    assert share(100, 32, 2024)[1] is None
    assert share(100, "31.99", 2024)[1] is not None
    assert share(100, 31, 2024)[1] is not None  # enough in 2023, not in 2024


def test_pay_in_full_by_the_deadline():
    policy = resolve("522326", dt.date(2024, 6, 1))
    days = policy["work_relief.payroll_pay_within_days"]
    due_by = dt.date(2024, 5, 31) + dt.timedelta(days=days)

    def row(paid, paid_on):
        return rules.PayrollRow("1", "1", "522326101201", "w", "2024-05", D(3000), D(paid),
                                paid_on)

    assert rules.payroll_findings([row(3000, due_by)], policy, due_by) == []
    late = rules.payroll_findings([row(3000, due_by + dt.timedelta(days=1))], policy, due_by)
    assert [f.rule for f in late] == ["WORK_RELIEF_PAYROLL_LATE"]
    assert rules.payroll_findings([row(2000, due_by)], policy, due_by) == []  # not yet due
    short = rules.payroll_findings([row(2000, due_by)], policy, due_by + dt.timedelta(days=1))
    assert [f.rule for f in short] == ["WORK_RELIEF_PAYROLL_SHORT"]
