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

Where too few months are recorded (a county migrated from the national system has none),
R1 is the national system's latest **annual income block** that speaks for the window
(:func:`latest_block`: at identification or after elimination, its 12 months ending within
the window; on a tie, the block after elimination): its recorded per-capita net income
(else its household net over the active members), its household net (else that per-capita
figure times the active members) and its compliant out-of-pocket medical costs as the rigid
spending. :func:`r1_with_blocks` is the one definition of the 12-month per-capita income that
R2, R6, screening's R1 rules and the statistics read.

The table versions are the screening engine's ``Context.income`` (and the indicators' ``hw``
table); ``tests/engine/test_income_r1.py`` proves on generated households, with and without
annual blocks, that they agree.

>>> rows = [{"period": f"2025-{m:02d}", "wage": 500, "business": 0, "property": 0,
...          "transfer": 100, "business_cost": 0, "compliant_oop_medical": 0} for m in range(4, 13)]
>>> r = r1(rows, members=2, last_month="2025-12", window_months=12, min_months=6)
>>> r.months_recorded, r.household_net, r.per_capita
(9, 7200.0, 3600.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dixian.engine.months import month_add, months_ending

NET_PLUS = ("wage", "business", "property", "transfer")
NET_MINUS = ("business_cost",)
#: an annual block's preference on a tie of reference months (the later event first)
BASIS_ORDER = ("elimination", "identification")


@dataclass(frozen=True)
class R1:
    last_month: str
    window_months: int
    months_recorded: int
    members: int
    household_net: float | None      # annualised; None when not judged
    rigid_spending: float | None     # compliant out-of-pocket medical costs in the window
    block_month: str | None = None   # the annual block's reference month, when R1 is its
    recorded_per_capita: float | None = None  # the block's per-capita net, as recorded

    @property
    def judged(self) -> bool:
        return self.household_net is not None and self.members > 0

    @property
    def basis(self) -> str:
        """``monthly``, ``annual:YYYY-MM`` (the block's reference month) or ``none``."""
        if not self.judged:
            return "none"
        return f"annual:{self.block_month}" if self.block_month else "monthly"

    @property
    def per_capita(self) -> float | None:
        if not self.judged:
            return None
        if self.recorded_per_capita is not None:
            return round(self.recorded_per_capita, 2)
        return round(self.household_net / self.members, 2)

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


def block_window(last_month: str, window_months: int) -> tuple[str, str]:
    """The reference months (first, last) of the annual blocks that speak for the window of
    ``window_months`` ending with ``last_month``: a block covers the 12 months before its
    reference month, and counts when its last month (the reference month − 1) is in the
    window.

    >>> block_window("2025-12", 12)
    ('2025-02', '2026-01')
    """
    return month_add(last_month, 2 - window_months), month_add(last_month, 1)


def latest_block(blocks: Iterable[Mapping], *, last_month: str, window_months: int
                 ) -> Mapping | None:
    """The household's annual block that speaks for the window: the latest reference month
    within :func:`block_window`, with a household or per-capita net recorded; on a tie, the
    block after elimination."""
    first, last = block_window(last_month, window_months)
    usable = [b for b in blocks
              if b.get("reference_month") and first <= b["reference_month"] <= last
              and (b.get("household_net") is not None or b.get("per_capita_net") is not None)]
    if not usable:
        return None
    rank = {basis: k for k, basis in enumerate(BASIS_ORDER)}
    return max(usable, key=lambda b: (b["reference_month"],
                                      -rank.get(b.get("basis"), len(BASIS_ORDER))))


def r1_with_blocks(rows: Iterable[Mapping], blocks: Iterable[Mapping], *, members: int,
                   last_month: str, window_months: int, min_months: int) -> R1:
    """R1 from the monthly rows where enough months are recorded, else from the annual block
    of :func:`latest_block` (the national system's figures, domain.md §2.3)."""
    monthly = r1(rows, members=members, last_month=last_month, window_months=window_months,
                 min_months=min_months)
    if monthly.household_net is not None or members <= 0:
        return monthly
    block = latest_block(blocks, last_month=last_month, window_months=window_months)
    if block is None:
        return monthly
    per_capita = block.get("per_capita_net")
    net = block.get("household_net")
    net = float(net) if net is not None else float(per_capita) * members
    rigid = float(block.get("compliant_oop_medical") or 0)
    return R1(last_month, window_months, monthly.months_recorded, members, round(net, 2),
              round(rigid, 2), block_month=block["reference_month"],
              recorded_per_capita=None if per_capita is None else float(per_capita))


def r1_for_policy(rows: Iterable[Mapping], *, members: int, last_month: str, policy,
                  blocks: Iterable[Mapping] = ()) -> R1:
    """R1 with the window of ``policy`` (a resolved :class:`~dixian.engine.policy.Policy`),
    falling back on the household's annual ``blocks`` (:func:`r1_with_blocks`)."""
    return r1_with_blocks(rows, blocks, members=members, last_month=last_month,
                          window_months=int(policy["income.window_months"]),
                          min_months=int(policy["income.window_min_months"]))
