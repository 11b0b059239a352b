"""Work relief (以工代赈, domain.md §8.2, R12): the labour-remuneration share of a project's
central investment and the payroll's completeness, without Django. Numbers come from the
policy's ``work_relief.*`` parameters."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from dixian.engine.funds import Finding


@dataclass(frozen=True)
class PayrollRow:
    key: str
    project_key: str
    region_code: str
    worker: str          # a label: member number or "worker 3"
    month: str           # YYYY-MM
    due: Decimal
    paid: Decimal
    paid_on: dt.date | None


def month_end(month: str) -> dt.date:
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, calendar.monthrange(year, mon)[1])


def labour_share(*, project_key: str, region_code: str, title: str, central: Decimal,
                 remuneration: Decimal, policy: Mapping) -> tuple[float | None, Finding | None]:
    """The remuneration paid over the central investment, flagged below the minimum."""
    if not central:
        return None, None
    share = float(remuneration / central)
    minimum = policy["work_relief.labour_share_min"]
    if share >= minimum:
        return share, None
    return share, Finding(
        "WORK_RELIEF_LABOUR_SHARE_LOW", "project", project_key, region_code,
        f"以工代赈项目“{title}”劳务报酬占中央资金{share:.1%}，低于{minimum:.0%}",
        f"work-relief project “{title}” paid {share:.1%} of its central investment as labour "
        f"remuneration, below {minimum:.0%}", {"share": share, "minimum": minimum})


def payroll_findings(rows: Iterable[PayrollRow], policy: Mapping, today: dt.date
                     ) -> list[Finding]:
    """A month's pay not in full by its deadline, or paid after it."""
    within = policy["work_relief.payroll_pay_within_days"]
    out = []
    for r in rows:
        due_by = month_end(r.month) + dt.timedelta(days=within)
        if r.paid < r.due and today > due_by:
            out.append(Finding(
                "WORK_RELIEF_PAYROLL_SHORT", "project", r.project_key, r.region_code,
                f"{r.worker} {r.month}应发{r.due:,.2f}元，实发{r.paid:,.2f}元，"
                f"{due_by}前未足额发放",
                f"{r.worker} was due {r.due:,.2f} yuan for {r.month} and got {r.paid:,.2f} "
                f"by {due_by}", {"payroll": r.key, "short": str(r.due - r.paid)}))
        elif r.paid_on is not None and r.paid_on > due_by:
            out.append(Finding(
                "WORK_RELIEF_PAYROLL_LATE", "project", r.project_key, r.region_code,
                f"{r.worker} {r.month}的劳务报酬于{r.paid_on}发放，晚于{due_by}",
                f"{r.worker}'s pay for {r.month} was paid on {r.paid_on}, after {due_by}",
                {"payroll": r.key}))
    return out
