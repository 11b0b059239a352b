"""The checks of funds, projects and assets (domain.md §7, §11.2 R11), without Django.

Each check takes plain records (the platform's bridge, :mod:`dixian.funds.checks`, builds them
from the ledger) and the resolved policy (:func:`dixian.engine.policy.resolve`), and returns
:class:`Finding` s, each with a sentence in Chinese and English. No threshold lives here: every
number comes from the policy's ``funds.*`` parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from dixian.engine.months import month_add as add_months
from dixian.engine.months import month_of, months_after, months_between

__all__ = [
    "AssetRow", "DistributionRow", "Finding", "FundRow", "NoticeRow", "PaymentRow", "ProjectRow",
    "add_months", "classify_asset", "distributions_to_ineligible", "idle_assets", "idle_funds",
    "industry_share", "late_notices", "month_of", "no_longer_receives", "overdue_projects",
    "payments_before_acceptance", "untilted_distributions",
]


@dataclass(frozen=True)
class Finding:
    rule: str            # e.g. "FUNDS_PAID_BEFORE_ACCEPTANCE"
    object_type: str     # project, allocation, asset, distribution, notice, region
    object_key: str
    region_code: str
    sentence_zh: str
    sentence_en: str
    figures: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ProjectRow:
    key: str
    region_code: str
    title: str
    category: str
    state: str
    contract_amount: Decimal | None
    planned_completion: dt.date | None
    accepted_on: dt.date | None


@dataclass(frozen=True)
class PaymentRow:
    project_key: str
    paid_on: dt.date
    amount: Decimal
    final: bool


@dataclass(frozen=True)
class FundRow:
    """One allocation with what was appropriated from it to each project, and paid."""

    key: str
    county_code: str
    source: str
    year: int
    amount: Decimal
    received_on: dt.date
    paid: Decimal
    appropriated: Mapping[str, Decimal]   # project category → amount appropriated


@dataclass(frozen=True)
class DistributionRow:
    key: str
    asset_key: str
    region_code: str
    month: str                     # "YYYY-MM"
    household_code: str
    household_active: bool
    household_removed_month: str   # "" when not removed
    member_id: str
    member_deceased_month: str     # "" when alive
    amount: Decimal
    household_weak: bool = False   # an elderly, weak-labour, ill or disabled member


@dataclass(frozen=True)
class AssetRow:
    key: str
    region_code: str
    name: str
    category: str        # public / income / household / equity
    status: str
    book_value: Decimal
    condition: str       # good / fair / poor / damaged
    formed_on: dt.date
    last_income_month: str                 # "" when none
    income_last_12_months: Decimal
    supervision_system: str                # "" / state / collective


@dataclass(frozen=True)
class NoticeRow:
    key: str
    region_code: str
    kind: str
    decided_on: dt.date
    published_on: dt.date | None
    ends_on: dt.date | None


def _pct(x: float) -> str:
    return f"{x:.1%}"


def industry_share(funds: Iterable[FundRow], policy: Mapping, *, region_code: str,
                   year: int) -> tuple[float | None, Finding | None]:
    """The share of the measured sources appropriated to industry projects in ``year``, and a
    finding when it is below ``funds.industry_share_min``."""
    sources = set(policy["funds.industry_share_sources"])
    industry = set(policy["funds.industry_categories"])
    total = Decimal(0)
    towards = Decimal(0)
    for f in funds:
        if f.year != year or f.source not in sources:
            continue
        for category, amount in f.appropriated.items():
            total += amount
            if category in industry:
                towards += amount
    if total == 0:
        return None, None
    share = float(towards / total)
    minimum = policy["funds.industry_share_min"]
    if share >= minimum:
        return share, None
    return share, Finding(
        "FUNDS_INDUSTRY_SHARE_LOW", "region", f"{region_code}/{year}", region_code,
        f"{year}年中央资金用于产业发展的比重为{_pct(share)}，低于{_pct(minimum)}的要求",
        f"in {year} the central fund's industry share is {_pct(share)}, below the required "
        f"{_pct(minimum)}", {"share": share, "minimum": minimum, "industry": str(towards),
                             "total": str(total)})


def payments_before_acceptance(projects: Iterable[ProjectRow], payments: Iterable[PaymentRow],
                               policy: Mapping) -> list[Finding]:
    """A final payment before acceptance, or payments before acceptance above the policy's
    share of the contract."""
    limit = policy["funds.payment_before_acceptance_max_share"]
    by_project: dict[str, list[PaymentRow]] = {}
    for p in payments:
        by_project.setdefault(p.project_key, []).append(p)
    out = []
    for project in projects:
        before = [p for p in by_project.get(project.key, ())
                  if project.accepted_on is None or p.paid_on < project.accepted_on]
        if not before:
            continue
        paid = sum((p.amount for p in before), Decimal(0))
        final = [p for p in before if p.final]
        share = (float(paid / project.contract_amount) if project.contract_amount else None)
        if final:
            day = final[0].paid_on
            out.append(Finding(
                "FUNDS_PAID_BEFORE_ACCEPTANCE", "project", project.key, project.region_code,
                f"项目“{project.title}”在验收前（{day}）支付了尾款",
                f"project “{project.title}” had its final payment on {day}, before acceptance",
                {"paid": str(paid), "share": share}))
        elif share is not None and share > limit:
            out.append(Finding(
                "FUNDS_PAID_BEFORE_ACCEPTANCE", "project", project.key, project.region_code,
                f"项目“{project.title}”验收前已支付合同金额的{_pct(share)}，超过{_pct(limit)}",
                f"project “{project.title}” was paid {_pct(share)} of its contract before "
                f"acceptance, more than {_pct(limit)}", {"paid": str(paid), "share": share}))
    return out


OPEN_STATES = {"approved", "funded", "under_way"}


def overdue_projects(projects: Iterable[ProjectRow], today: dt.date) -> list[Finding]:
    out = []
    for p in projects:
        if p.state in OPEN_STATES and p.planned_completion and p.planned_completion < today:
            days = (today - p.planned_completion).days
            out.append(Finding(
                "FUNDS_PROJECT_OVERDUE", "project", p.key, p.region_code,
                f"项目“{p.title}”计划{p.planned_completion}完工，已逾期{days}天未验收",
                f"project “{p.title}” was due on {p.planned_completion} and is {days} days "
                f"overdue", {"days": days}))
    return out


def idle_funds(funds: Iterable[FundRow], policy: Mapping, today: dt.date) -> list[Finding]:
    months = policy["funds.idle_fund_months"]
    out = []
    for f in funds:
        if today < months_after(f.received_on, months):
            continue
        unpaid = f.amount - f.paid
        if unpaid > 0:
            out.append(Finding(
                "FUNDS_IDLE", "allocation", f.key, f.county_code,
                f"{f.received_on}到位的资金尚有{unpaid:,.0f}元未支付，超过{months}个月",
                f"{unpaid:,.0f} yuan received on {f.received_on} is still unpaid after "
                f"{months} months", {"unpaid": str(unpaid), "amount": str(f.amount)}))
    return out


def no_longer_receives(r: DistributionRow, lag: int) -> tuple[str, str]:
    """Why the household (member) of ``r`` no longer receives for ``r.month`` (Chinese,
    English), or two empty strings: a member who died, or a household that left the lists
    (merged, dissolved), stops from ``lag`` months after the month of the change; a removal
    whose month is unknown stops at once."""
    if r.member_deceased_month and r.month >= add_months(r.member_deceased_month, lag):
        return (f"成员{r.member_id}已于{r.member_deceased_month}死亡",
                f"member {r.member_id} died in {r.member_deceased_month}")
    if not r.household_active and (not r.household_removed_month
                                   or r.month >= add_months(r.household_removed_month, lag)):
        return (f"户{r.household_code}已退出" + (
                    f"（{r.household_removed_month}）" if r.household_removed_month else ""),
                f"household {r.household_code} was removed" + (
                    f" in {r.household_removed_month}" if r.household_removed_month else ""))
    return "", ""


def untilted_distributions(rows: Iterable[DistributionRow], policy: Mapping
                           ) -> list[Finding]:
    """A month's asset income shared among households without a tilt to the weak (elderly,
    weak-labour, ill and disabled households, domain.md §7.3 [VL S46b]): where both weak and
    other households receive, the mean share of a weak household is below
    ``funds.weak_tilt_min_ratio`` times the others' mean."""
    ratio = Decimal(str(policy["funds.weak_tilt_min_ratio"]))
    groups: dict[tuple[str, str], dict[str, dict[bool, Decimal]]] = {}
    regions: dict[tuple[str, str], str] = {}
    for r in rows:
        by_household = groups.setdefault((r.asset_key, r.month), {})
        shares = by_household.setdefault(r.household_code, {})
        shares[r.household_weak] = shares.get(r.household_weak, Decimal(0)) + r.amount
        regions.setdefault((r.asset_key, r.month), r.region_code)
    out = []
    for (asset, month), by_household in sorted(groups.items()):
        weak = [sum(v.values()) for v in by_household.values() if True in v]
        other = [sum(v.values()) for v in by_household.values() if True not in v]
        if not weak or not other:
            continue
        mean_weak, mean_other = sum(weak) / len(weak), sum(other) / len(other)
        if mean_weak < ratio * mean_other:
            out.append(Finding(
                "FUNDS_NOT_TILTED_TO_WEAK", "asset", asset, regions[(asset, month)],
                f"{month}资产收益分配未向老弱病残户倾斜：老弱病残户{len(weak)}户户均"
                f"{mean_weak:,.2f}元，其他户{len(other)}户户均{mean_other:,.2f}元",
                f"{month}: asset income not tilted to the weak: {len(weak)} elderly, weak, ill "
                f"or disabled households got {mean_weak:,.2f} yuan on average, {len(other)} "
                f"other households {mean_other:,.2f}",
                {"month": month, "weak_mean": f"{mean_weak:.2f}",
                 "other_mean": f"{mean_other:.2f}"}))
    return out


def distributions_to_ineligible(rows: Iterable[DistributionRow], policy: Mapping
                                ) -> list[Finding]:
    """Asset income paid for a month from which the household or member no longer receives
    (removed or deceased: from the month after the change, by ``distribution_stop_lag_months``)."""
    lag = policy["funds.distribution_stop_lag_months"]
    out = []
    for r in rows:
        reason_zh, reason_en = no_longer_receives(r, lag)
        if reason_zh:
            out.append(Finding(
                "FUNDS_INCOME_TO_INELIGIBLE", "distribution", r.key, r.region_code,
                f"{r.month}向户{r.household_code}分配资产收益{r.amount:,.2f}元，但{reason_zh}",
                f"{r.amount:,.2f} yuan of asset income for {r.month} went to household "
                f"{r.household_code}, but {reason_en}",
                {"asset": r.asset_key, "amount": str(r.amount)}))
    return out


ACTIONS = ("consolidate", "upgrade", "revive", "adjust")  # 巩固、升级、盘活、调整


def classify_asset(a: AssetRow, policy: Mapping, today: dt.date) -> tuple[str, str]:
    """``(state, suggested action)``: state is "", "idle" or "low"; the action is one of
    :data:`ACTIONS` (consolidate a running asset, upgrade a low-return one in good order,
    revive an idle one that still works, adjust one that is idle and run down)."""
    if a.category != "income" or a.status == "disposed":
        return "", ""
    months = policy["funds.idle_asset_months"]
    since = a.last_income_month or month_of(a.formed_on)
    if add_months(since, months) <= month_of(today):
        return "idle", ("adjust" if a.condition in ("poor", "damaged") else "revive")
    formed_months = months_between(month_of(a.formed_on), month_of(today))
    if a.book_value > 0 and formed_months >= 12:
        rate = float(a.income_last_12_months / a.book_value)
        if rate < policy["funds.asset_low_return_min"]:
            return "low", ("adjust" if a.condition in ("poor", "damaged") else "upgrade")
    return "", "consolidate"


def idle_assets(assets: Iterable[AssetRow], policy: Mapping, today: dt.date) -> list[Finding]:
    out = []
    low_min = policy["funds.asset_low_return_min"]
    for a in assets:
        state, action = classify_asset(a, policy, today)
        if state == "idle":
            out.append(Finding(
                "FUNDS_ASSET_IDLE", "asset", a.key, a.region_code,
                f"经营性资产“{a.name}”自{a.last_income_month or a.formed_on}以来没有收益",
                f"income-generating asset “{a.name}” has had no income since "
                f"{a.last_income_month or a.formed_on}", {"action": action}))
        elif state == "low":
            rate = float(a.income_last_12_months / a.book_value)
            out.append(Finding(
                "FUNDS_ASSET_LOW_RETURN", "asset", a.key, a.region_code,
                f"经营性资产“{a.name}”近12个月收益率{_pct(rate)}，低于{_pct(low_min)}",
                f"income-generating asset “{a.name}” returned {_pct(rate)} over twelve months, "
                f"below {_pct(low_min)}", {"action": action, "rate": rate}))
    return out


def missing_supervision(assets: Iterable[AssetRow], policy: Mapping) -> list[Finding]:
    if not policy["funds.asset_supervision_required"]:
        return []
    return [Finding("FUNDS_ASSET_NO_SUPERVISION", "asset", a.key, a.region_code,
                    f"资产“{a.name}”尚未纳入国有资产或农村集体资产监管体系",
                    f"asset “{a.name}” is in neither the state-owned nor the village-collective "
                    f"asset supervision system")
            for a in assets if a.status != "disposed" and not a.supervision_system]


def late_notices(notices: Iterable[NoticeRow], policy: Mapping, today: dt.date
                 ) -> list[Finding]:
    within = policy["funds.notice_publish_within_days"]
    out = []
    for n in notices:
        due = n.decided_on + dt.timedelta(days=within)
        if n.published_on is None and today > due:
            out.append(Finding(
                "FUNDS_NOTICE_LATE", "notice", n.key, n.region_code,
                f"{n.decided_on}的决定应在{due}前公示，至今未公示",
                f"the decision of {n.decided_on} was due to be announced by {due} and is not",
                {"due": due.isoformat()}))
        elif n.published_on is not None and n.published_on > due:
            out.append(Finding(
                "FUNDS_NOTICE_LATE", "notice", n.key, n.region_code,
                f"{n.decided_on}的决定于{n.published_on}公示，晚于{due}",
                f"the decision of {n.decided_on} was announced on {n.published_on}, after {due}",
                {"due": due.isoformat()}))
    return out
