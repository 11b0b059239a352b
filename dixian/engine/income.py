"""R1, the per-capita net income (人均纯收入): its one definition, for one household.

The window is the ``income.window_months`` months ending with ``last_month`` (a decision in
month M looks at the months before M, domain.md §1.2: ``last_month`` = M − 1; a screening run
for period P and the statistics of month P look at the window ending with P). Net income per
month = wage + business + property + transfer − business costs. R1 is judged only when at
least ``income.window_min_months`` of the window's months are recorded; the recorded months
are then annualised (× window / months recorded), so a household with nine recorded months is
neither dropped nor under-counted. Per capita = that annual net over the household's active
members. Rigid spending (compliant out-of-pocket medical costs) is the window's recorded sum,
not annualised (a hospital stay is not a monthly rate), and kept apart (R2's SUDDEN test,
R6's condition).

The table version is the screening engine's ``Context.income`` (and the indicators' ``hw``
table); ``tests/engine/test_income_r1.py`` proves on generated households that they agree.

>>> rows = [{"period": f"2025-{m:02d}", "wage": 500, "business": 0, "property": 0,
...          "transfer": 100, "business_cost": 0, "compliant_oop_medical": 0} for m in range(4, 13)]
>>> r = r1(rows, members=2, last_month="2025-12", window_months=12, min_months=6)
>>> r.months_recorded, r.household_net, r.per_capita
(9, 7200.0, 3600.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dixian.engine.months import months_ending

NET_PLUS = ("wage", "business", "property", "transfer")
NET_MINUS = ("business_cost",)


@dataclass(frozen=True)
class R1:
    last_month: str
    window_months: int
    months_recorded: int
    members: int
    household_net: float | None      # annualised; None when not judged
    rigid_spending: float | None     # compliant out-of-pocket medical costs in the window

    @property
    def judged(self) -> bool:
        return self.household_net is not None and self.members > 0

    @property
    def per_capita(self) -> float | None:
        return round(self.household_net / self.members, 2) if self.judged else None

    @property
    def per_capita_after_rigid(self) -> float | None:
        if not self.judged:
            return None
        return round((self.household_net - self.rigid_spending) / self.members, 2)


def month_net(row: Mapping) -> float:
    return float(sum(row.get(k) or 0 for k in NET_PLUS) - sum(row.get(k) or 0 for k in NET_MINUS))


def r1(rows: Iterable[Mapping], *, members: int, last_month: str, window_months: int,
       min_months: int) -> R1:
    """R1 from a household's monthly income rows (any months; those in the window count)."""
    window = set(months_ending(last_month, window_months))
    inside = {r["period"]: r for r in rows if r["period"] in window}
    n = len(inside)
    if n < min_months or n == 0:
        return R1(last_month, window_months, n, members, None, None)
    scale = window_months / n
    net = sum(month_net(r) for r in inside.values()) * scale
    rigid = sum(float(r.get("compliant_oop_medical") or 0) for r in inside.values())
    return R1(last_month, window_months, n, members, round(net, 2), round(rigid, 2))


def r1_for_policy(rows: Iterable[Mapping], *, members: int, last_month: str, policy) -> R1:
    """R1 with the window of ``policy`` (a resolved :class:`~dixian.engine.policy.Policy`)."""
    return r1(rows, members=members, last_month=last_month,
              window_months=int(policy["income.window_months"]),
              min_months=int(policy["income.window_min_months"]))
