"""The bridge from the ledger to the engine's checks (:mod:`dixian.engine.funds`), and the
figures the pages, the API and the exports show for a region: funds by source and use, the
industry share per county and province, disbursement, projects by state, assets by type."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum

from dixian.core.access import code_prefix_q
from dixian.funds.bridge import funds as rules
from dixian.funds.bridge import resolve
from dixian.funds.models import (
    Allocation,
    Appropriation,
    Asset,
    AssetIncome,
    Distribution,
    Notice,
    Payment,
    Project,
    ProjectState,
)

ZERO = Decimal(0)


def _in(field_name: str, code: str) -> Q:
    return code_prefix_q(field_name, code) if code else Q()


def fund_rows(code: str) -> list[rules.FundRow]:
    """Allocations of the counties within ``code``. Below a county (a township or village),
    only the part appropriated to its own projects: the county's other money is not the
    township's to see."""
    if len(code) > 6:
        return _local_fund_rows(code)
    allocations = list(Allocation.objects.filter(_in("county_code", code)))
    used: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for a in Appropriation.objects.filter(allocation__in=allocations).values(
            "allocation_id", "project__category").annotate(s=Sum("amount")):
        used[a["allocation_id"]][a["project__category"]] += a["s"]
    paid = dict(Payment.objects.filter(appropriation__allocation__in=allocations).values(
        "appropriation__allocation_id").annotate(s=Sum("amount")).values_list(
        "appropriation__allocation_id", "s"))
    return [rules.FundRow(key=str(a.pk), county_code=a.county_code, source=a.source,
                          year=a.year, amount=a.amount, received_on=a.received_on,
                          paid=paid.get(a.pk, ZERO), appropriated=dict(used[a.pk]))
            for a in allocations]


def _local_fund_rows(code: str) -> list[rules.FundRow]:
    items = Appropriation.objects.filter(_in("project__region_code", code))
    used: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for a in items.values("allocation_id", "project__category").annotate(s=Sum("amount")):
        used[a["allocation_id"]][a["project__category"]] += a["s"]
    paid = dict(Payment.objects.filter(appropriation__in=items).values(
        "appropriation__allocation_id").annotate(s=Sum("amount")).values_list(
        "appropriation__allocation_id", "s"))
    return [rules.FundRow(key=str(a.pk), county_code=a.county_code, source=a.source,
                          year=a.year, amount=sum(used[a.pk].values(), ZERO),
                          received_on=a.received_on, paid=paid.get(a.pk, ZERO),
                          appropriated=dict(used[a.pk]))
            for a in Allocation.objects.filter(pk__in=list(used))]


def project_rows(code: str) -> list[rules.ProjectRow]:
    return [rules.ProjectRow(key=str(p.pk), region_code=p.region_code, title=p.title,
                             category=p.category, state=p.state,
                             contract_amount=p.contract_amount,
                             planned_completion=p.planned_completion, accepted_on=p.accepted_on)
            for p in Project.objects.filter(_in("region_code", code))]


def payment_rows(code: str) -> list[rules.PaymentRow]:
    return [rules.PaymentRow(project_key=str(p["project_id"]), paid_on=p["paid_on"],
                             amount=p["amount"], final=p["final"])
            for p in Payment.objects.filter(_in("project__region_code", code)).values(
                "project_id", "paid_on", "amount", "final")]


def distribution_rows(code: str) -> list[rules.DistributionRow]:
    rows = []
    query = (Distribution.objects.filter(_in("region_code", code), household__isnull=False)
             .select_related("income", "household", "member")
             .prefetch_related("household__members"))
    oldest_able = resolve(code or None, date.today())["labour.able_age_max"]
    for d in query:
        rows.append(distribution_row(d.household, d.member, month=d.income.month, key=str(d.pk),
                                     asset_key=str(d.income.asset_id),
                                     region_code=d.region_code, amount=d.amount,
                                     weak=weak_household(d.household, oldest_able)))
    return rows


#: members who make a household one of the "elderly, weak, ill and disabled" that asset income
#: is tilted to (domain.md §7.3 [VL S46b]); the elderly are those past the working age
WEAK_LABOUR = ("weak", "lost", "none")
WEAK_HEALTH = ("chronic", "serious_illness", "disabled")


def weak_household(household, oldest_able: int, on: date | None = None) -> bool:
    on = on or date.today()
    for m in household.members.all():
        if m.member_status != "active":
            continue
        born = m.birth_date
        old = born is not None and (on.year - born.year - ((on.month, on.day) < (
            born.month, born.day))) > oldest_able
        if old or m.labour_skill in WEAK_LABOUR or m.health in WEAK_HEALTH:
            return True
    return False


def distribution_row(household, member, *, month: str, key: str = "", asset_key: str = "",
                     region_code: str = "", amount=0, weak: bool = False
                     ) -> rules.DistributionRow:
    """What the rule on removed households and deceased members reads, for one share."""
    from dixian.registry.people import removal_month

    active = household.status == "active"
    return rules.DistributionRow(
        key=key, asset_key=asset_key, region_code=region_code or household.village_id,
        month=month, household_code=household.code, household_active=active,
        household_removed_month="" if active else (removal_month(household) or ""),
        member_id=member.member_id if member else "",
        member_deceased_month=(member.status_month or "0000-00")
        if member and member.member_status == "deceased" else "",
        amount=amount, household_weak=weak)


def asset_rows(code: str, today: date) -> list[rules.AssetRow]:
    assets = list(Asset.objects.filter(_in("region_code", code)))
    last = dict(AssetIncome.objects.filter(asset__in=assets).values("asset_id").annotate(
        m=Max("month")).values_list("asset_id", "m"))
    since = rules.add_months(rules.month_of(today), -12)
    recent = dict(AssetIncome.objects.filter(asset__in=assets, month__gt=since).values(
        "asset_id").annotate(s=Sum("amount")).values_list("asset_id", "s"))
    return [rules.AssetRow(key=str(a.pk), region_code=a.region_code, name=a.name,
                           category=a.category, status=a.status, book_value=a.book_value,
                           condition=a.condition, formed_on=a.formed_on,
                           last_income_month=last.get(a.pk, ""),
                           income_last_12_months=recent.get(a.pk, ZERO),
                           supervision_system=a.supervision)
            for a in assets]


def notice_rows(code: str) -> list[rules.NoticeRow]:
    return [rules.NoticeRow(key=str(n.pk), region_code=n.region_code, kind=n.kind,
                            decided_on=n.decided_on, published_on=n.published_on,
                            ends_on=n.ends_on)
            for n in Notice.objects.filter(_in("region_code", code))]


@dataclass
class ShareRow:
    region_code: str
    year: int
    share: float | None
    minimum: float
    flagged: bool


@dataclass
class Overview:
    code: str
    today: date
    funds_by_source: list[dict] = field(default_factory=list)
    shares: list[ShareRow] = field(default_factory=list)
    projects_by_state: list[dict] = field(default_factory=list)
    assets_by_type: list[dict] = field(default_factory=list)
    findings: list[rules.Finding] = field(default_factory=list)
    totals: dict = field(default_factory=dict)


def industry_shares(funds: list[rules.FundRow], code: str, today: date) -> list[ShareRow]:
    """Each county's share per year against its own minimum, and the province's against the
    province's (counties may differ from the province: policy level ``county``). The rule
    is for counties and provinces: a township or village has none."""
    if len(code) > 6:
        return []
    out = []
    years = sorted({f.year for f in funds})
    counties = sorted({f.county_code for f in funds})
    groups = [(c, [f for f in funds if f.county_code == c]) for c in counties]
    if len(code) <= 2 and funds:
        province = code or counties[0][:2]
        groups.insert(0, (province, [f for f in funds if f.county_code.startswith(province)]))
    for region, rows in groups:
        for year in years:
            on = min(date(year, 12, 31), today)
            policy = resolve(region, on=on)
            share, finding = rules.industry_share(rows, policy, region_code=region, year=year)
            if share is not None:
                out.append(ShareRow(region, year, share, policy["funds.industry_share_min"],
                                    finding is not None))
    return out


def findings(code: str, today: date) -> list[rules.Finding]:
    """Every check over the region on ``today``, each with the policy of its county."""
    policy = resolve(code[:6] or None, on=today)
    funds = fund_rows(code)
    out: list[rules.Finding] = []
    for row in industry_shares(funds, code, today):
        if row.flagged:
            policy_then = resolve(row.region_code, on=min(date(row.year, 12, 31), today))
            _s, f = rules.industry_share(
                [f for f in funds if f.county_code.startswith(row.region_code)], policy_then,
                region_code=row.region_code, year=row.year)
            out.append(f)
    projects = project_rows(code)
    out += rules.payments_before_acceptance(projects, payment_rows(code), policy)
    out += rules.overdue_projects(projects, today)
    out += rules.idle_funds(funds, policy, today)
    distributions = distribution_rows(code)
    out += rules.distributions_to_ineligible(distributions, policy)
    out += rules.untilted_distributions(distributions, policy)
    assets = asset_rows(code, today)
    out += rules.idle_assets(assets, policy, today)
    out += rules.missing_supervision(assets, policy)
    out += rules.late_notices(notice_rows(code), policy, today)
    from dixian.funds import work_relief

    out += work_relief.findings(Project.objects.filter(_in("region_code", code)), today)
    return out


def overview(code: str, today: date) -> Overview:
    funds = fund_rows(code)
    view = Overview(code=code, today=today)
    by: dict[tuple[int, str], dict] = {}
    for f in funds:
        row = by.setdefault((f.year, f.source), {"year": f.year, "source": f.source,
                                                 "amount": ZERO, "appropriated": ZERO,
                                                 "paid": ZERO})
        row["amount"] += f.amount
        row["appropriated"] += sum(f.appropriated.values(), ZERO)
        row["paid"] += f.paid
    view.funds_by_source = [by[k] for k in sorted(by, key=lambda k: (-k[0], k[1]))]
    for row in view.funds_by_source:
        row["progress"] = float(row["paid"] / row["amount"]) if row["amount"] else None
    view.shares = industry_shares(funds, code, today)
    projects = Project.objects.filter(_in("region_code", code))
    view.projects_by_state = list(projects.values("state").annotate(
        n=Count("pk"), amount=Sum("amount")).order_by("state"))
    labels = dict(ProjectState.choices)
    for row in view.projects_by_state:
        row["label"] = labels.get(row["state"], row["state"])
    view.assets_by_type = list(Asset.objects.filter(_in("region_code", code)).values(
        "category", "owner_level", "status").annotate(n=Count("pk"), value=Sum("book_value"))
        .order_by("category", "owner_level", "status"))
    allocated = sum((f.amount for f in funds), ZERO)
    paid = sum((f.paid for f in funds), ZERO)
    view.totals = {"allocated": allocated, "paid": paid,
                   "progress": float(paid / allocated) if allocated else None,
                   "projects": projects.count(),
                   "library_amount": projects.filter(state=ProjectState.APPROVED).aggregate(
                       s=Sum("amount"))["s"] or ZERO,
                   "unappropriated": allocated - sum(
                       (sum(f.appropriated.values(), ZERO) for f in funds), ZERO),
                   "distributed": Distribution.objects.filter(_in("region_code", code))
                   .aggregate(s=Sum("amount"))["s"] or ZERO}
    view.findings = findings(code, today)
    return view
