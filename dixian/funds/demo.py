"""Three years of funds, projects and assets for the demo county, at published scales, with
three planted irregularities that the checks must find.

Scales (docs/funds-projects-assets.md): the central fund was 175.0 bn yuan in 2023 and
177.0 bn in 2024 and 2025 (domain.md §7.1); spread over the 832 formerly poor counties that
is about 210 M yuan per county a year, which the demo gives 望谟县 (a key county, tilted in
allocation). East–West fiscal aid is 51.87 M yuan per county (2023, §8.1). The other sources
are ours: provincial 25 %, municipal 3 %, county 8 % of the central amount, 3 M yuan from a
central unit, 2 M of donations, 15 M of land-quota proceeds in the middle year.

Planted: (1) a project whose final payment was made before its acceptance; (2) an asset
whose income for a month after a member's death went to that member; (3) the county's
industry share below the policy's minimum in the middle year (56 % against 60 %).

The history is written in bulk (it is the county's past, loaded like an import) with one
audit row saying so; the current year's pipeline goes through the actions.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dixian.core import audit
from dixian.core.demo import DEMO_COUNTY, DemoReport
from dixian.core.models import Region
from dixian.funds import checks
from dixian.funds.bridge import funds as rules
from dixian.funds.bridge import resolve
from dixian.funds.models import (
    Allocation,
    Appropriation,
    Asset,
    AssetCategory,
    AssetIncome,
    Beneficiary,
    Benefit,
    Category,
    Distribution,
    Notice,
    OwnerLevel,
    Payment,
    Project,
    ProjectState,
    ProjectStep,
    Source,
    Supervision,
)
from dixian.registry.models import Household, Member

SEED = 15
CENTRAL_NATIONAL = {0: Decimal("175.0e9"), 1: Decimal("177.0e9"), 2: Decimal("177.0e9")}
FORMERLY_POOR_COUNTIES = 832
EAST_WEST_PER_COUNTY = Decimal("51.87e6")
OTHER_SHARES = {Source.PROVINCIAL: Decimal("0.25"), Source.MUNICIPAL: Decimal("0.03"),
                Source.COUNTY: Decimal("0.08")}
INDUSTRY_TARGET = {0: 0.64, 1: 0.56, 2: 0.62}  # the middle year is planted below 60 %

TITLES = {
    Category.INDUSTRY: ["食用菌种植基地", "精品水果基地", "生猪代养场", "茶叶加工厂", "光伏电站",
                        "冷链仓储中心", "肉牛养殖场", "蔬菜大棚", "扶贫车间厂房", "中药材基地"],
    Category.INFRASTRUCTURE: ["通组路硬化", "产业路", "小型水利设施", "饮水安全巩固提升", "机耕道"],
    Category.PUBLIC_SERVICES: ["村卫生室改造", "村级文化活动室", "幼儿园附属设施"],
    Category.EMPLOYMENT: ["公益性岗位开发", "技能培训"],
    Category.RURAL_CONSTRUCTION: ["人居环境整治", "村庄污水处理"],
    Category.RELOCATION: ["安置点配套设施"],
}
INCOME_ASSET = {Category.INDUSTRY}
PUBLIC_ASSET = {Category.INFRASTRUCTURE, Category.PUBLIC_SERVICES, Category.RURAL_CONSTRUCTION,
                Category.RELOCATION}


def _money(x: float) -> Decimal:
    return Decimal(str(round(x, -3))).quantize(Decimal("0.01"))


def _villages() -> list[str]:
    villages = list(Region.objects.filter(code__startswith=DEMO_COUNTY, level=5,
                                          name__contains="村").values_list("code", flat=True)
                    .order_by("code"))
    with_households = set(Household.objects.filter(village_id__in=villages).values_list(
        "village_id", flat=True).distinct())
    return [v for v in villages if v in with_households] or villages


def step_funds(report: DemoReport) -> None:
    """Funds, projects and assets: three years of the county's library, with their files."""
    if Project.objects.filter(county_code=DEMO_COUNTY).exists():
        return
    today = timezone.localdate()
    figures = build_history(DEMO_COUNTY, today)
    kept = attach_acceptance_reports(DEMO_COUNTY, today)
    found = checks.findings(DEMO_COUNTY, today)
    by_rule: dict[str, int] = {}
    for f in found:
        by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
    report.notes.append(
        f"funds: {figures['allocated'] / Decimal(1e8):,.2f} 亿元 allocated over "
        f"{figures['years']}, {figures['projects']} projects, {figures['assets']} assets, "
        f"{figures['distributions']} income distributions, {kept} acceptance reports kept "
        f"as PDF files; checks found "
        + ", ".join(f"{n} {rule}" for rule, n in sorted(by_rule.items())))


def build_history(county: str, today: date, *, seed: int = SEED) -> dict:
    rng = random.Random(seed)
    villages = _villages()
    first_year = today.year - 3
    years = [first_year, first_year + 1, first_year + 2]
    projects: list[Project] = []
    plan: list[tuple[Project, int, dict]] = []  # project, year index, lifecycle facts
    allocations: list[Allocation] = []
    appropriations: list[tuple[Allocation, Project, Decimal, date]] = []
    counter = 0

    def new_project(year: int, category: str, amount: Decimal) -> Project:
        nonlocal counter
        counter += 1
        village = villages[counter % len(villages)]
        title = rng.choice(TITLES[category])
        applied = date(year - 1, rng.randint(9, 11), rng.randint(1, 28))
        p = Project(county_code=county, region_code=village, year=year, category=category,
                    title=f"{village[-6:]} {title}", location=village, amount=amount,
                    applied_on=applied, targets="带动脱贫户和监测户增收；形成资产确权到村",
                    planned_completion=date(year, rng.randint(9, 12), 28))
        projects.append(p)
        return p

    with transaction.atomic():
        for k, year in enumerate(years):
            central = _money(float(CENTRAL_NATIONAL[k]) / FORMERLY_POOR_COUNTIES)
            received = date(year, 3, rng.randint(1, 25))
            year_allocations = {Source.CENTRAL: central,
                                Source.EAST_WEST: EAST_WEST_PER_COUNTY,
                                Source.CENTRAL_UNIT: Decimal("3000000.00"),
                                Source.DONATION: Decimal("2000000.00")}
            for source, share in OTHER_SHARES.items():
                year_allocations[source] = _money(float(central * share))
            if k == 1:
                year_allocations[Source.LAND_QUOTA] = Decimal("15000000.00")
            made = {}
            for source, amount in year_allocations.items():
                a = Allocation(county_code=county, year=year, source=source, amount=amount,
                               document=f"{county}-{year}-{source}",
                               received_on=received + timedelta(days=rng.randint(0, 60)))
                allocations.append(a)
                made[source] = a
            # Central money: the industry target to industry projects, the rest elsewhere.
            industry_money = _money(float(central) * INDUSTRY_TARGET[k])
            pools = [(industry_money, [Category.INDUSTRY]),
                     (central - industry_money, [c for c in TITLES if c != Category.INDUSTRY])]
            year_projects: list[Project] = []
            for total, categories in pools:
                left = total
                while left > 0:
                    take = min(_money(rng.uniform(1.5e6, 9e6)), left)
                    p = new_project(year, rng.choice(categories), take)
                    year_projects.append(p)
                    appropriations.append((made[Source.CENTRAL], p, take,
                                           made[Source.CENTRAL].received_on
                                           + timedelta(days=20)))
                    left -= take
            # The other sources co-fund the same projects (their amounts grow accordingly);
            # part of the last year's provincial money is never given to a project (idle).
            for a in (made[s] for s in made if s != Source.CENTRAL):
                left = a.amount
                if k == 2 and a.source == Source.PROVINCIAL:
                    left = _money(float(left) * 0.7)
                while left > 0:
                    p = rng.choice(year_projects)
                    take = min(_money(rng.uniform(0.2e6, 3e6)), left)
                    appropriations.append((a, p, take, a.received_on + timedelta(days=25)))
                    p.amount += take
                    left -= take
            for p in year_projects:
                plan.append((p, k, {}))
        # Next year's library: applications in every state of review.
        pipeline_year = today.year + 1
        states = [ProjectState.PROPOSED] * 4 + [ProjectState.TOWNSHIP_REVIEWED] * 3 + \
            [ProjectState.EXPERT_REVIEWED] * 2 + [ProjectState.APPROVED] * 3
        for state in states:
            p = new_project(pipeline_year, rng.choice(list(TITLES)), _money(rng.uniform(1e6, 5e6)))
            p.applied_on = today - timedelta(days=rng.randint(10, 60))
            p.state = state
            p.planned_completion = date(pipeline_year, 10, 31)
            if state == ProjectState.APPROVED:
                p.approved_on = today - timedelta(days=5)
        Project.objects.bulk_create(projects)
        Allocation.objects.bulk_create(allocations)
        items = [Appropriation(allocation=a, project=p, amount=amt, on=on,
                               document=f"{a.document}-{p.pk}")
                 for a, p, amt, on in appropriations]
        Appropriation.objects.bulk_create(items)
        by_project: dict[int, list[Appropriation]] = {}
        for item in items:
            by_project.setdefault(item.project_id, []).append(item)
        figures = _lifecycle(rng, plan, by_project, today, years)
        figures["work_relief"] = _work_relief(rng, [p for p, k, _f in plan if k >= 1],
                                              by_project)
        _pipeline_steps([p for p in projects if p.year == pipeline_year])
        figures.update({"allocated": sum((a.amount for a in allocations), Decimal(0)),
                        "years": f"{years[0]}–{years[-1]}", "projects": len(projects)})
        audit.record("funds.demo_history", actor="demo", region_code=county,
                     after={"projects": len(projects), "allocations": len(allocations),
                            "assets": figures["assets"], "seed": seed})
    return figures


def _pipeline_steps(projects: list[Project]) -> None:
    K = ProjectStep.Kind
    order = [ProjectState.PROPOSED, ProjectState.TOWNSHIP_REVIEWED,
             ProjectState.EXPERT_REVIEWED, ProjectState.APPROVED]
    kinds = [K.APPLICATION, K.TOWNSHIP_REVIEW, K.EXPERT_REVIEW, K.COUNTY_APPROVAL]
    steps, notices = [], []
    for p in projects:
        day = p.applied_on
        for kind in (K.PROPOSAL, K.MEETING, K.VILLAGE_NOTICE):
            steps.append(ProjectStep(project=p, kind=kind, on=day - timedelta(days=20),
                                     documents=[f"{kind}.pdf"]))
        for state, kind in zip(order, kinds, strict=True):
            steps.append(ProjectStep(project=p, kind=kind, on=day, documents=[f"{kind}.pdf"]))
            if state == p.state:
                break
            day += timedelta(days=3)
        notices.append(Notice(kind=Notice.Kind.APPLICATION, region_code=p.region_code,
                              project=p, title=f"{p.title}：项目申报公示",
                              body=f"{p.year}年度项目“{p.title}”申报，计划资金{p.amount:,.2f}元。",
                              decided_on=p.applied_on, due_by=p.applied_on + timedelta(days=5),
                              min_days=_notice_days(p.region_code, p.applied_on),
                              published_on=p.applied_on + timedelta(days=1),
                              ends_on=p.applied_on + timedelta(days=6)))
    ProjectStep.objects.bulk_create(steps)
    Notice.objects.bulk_create(notices)


def _lifecycle(rng: random.Random, plan, by_project, today: date, years: list[int]) -> dict:
    K = ProjectStep.Kind
    steps, payments, notices, assets = [], [], [], []
    planted_paid_early = None
    last_year = len(years) - 1
    for p, k, _facts in plan:
        approved = p.applied_on + timedelta(days=rng.randint(30, 70))
        p.approved_on = approved
        for kind, day in [(K.PROPOSAL, p.applied_on - timedelta(days=30)),
                          (K.MEETING, p.applied_on - timedelta(days=20)),
                          (K.VILLAGE_NOTICE, p.applied_on - timedelta(days=12)),
                          (K.APPLICATION, p.applied_on),
                          (K.TOWNSHIP_REVIEW, p.applied_on + timedelta(days=10)),
                          (K.EXPERT_REVIEW, p.applied_on + timedelta(days=25)),
                          (K.COUNTY_APPROVAL, approved)]:
            steps.append(ProjectStep(project=p, kind=kind, on=day, documents=[f"{kind}.pdf"]))
        late = rng.random() < 0.04
        notices.append(Notice(kind=Notice.Kind.APPROVAL, region_code=p.region_code, project=p,
                              title=f"{p.title}：入库公告",
                              body=f"{p.year}年度项目“{p.title}”入库，计划资金{p.amount:,.2f}元。",
                              decided_on=approved, due_by=approved + timedelta(days=5),
                              min_days=_notice_days(p.region_code, p.applied_on),
                              published_on=approved + timedelta(days=9 if late else 2),
                              ends_on=approved + timedelta(days=(9 if late else 2) + 5)))
        contract_on = date(p.year, rng.randint(4, 6), rng.randint(1, 28))
        p.contract_amount = p.amount
        p.contractor = rng.choice(["黔西南州建设工程有限公司", "望谟县农业发展有限公司",
                                   "贵州山地农业合作社", "兴义市路桥公司"])
        steps += [ProjectStep(project=p, kind=K.TENDER, on=contract_on - timedelta(days=20),
                              documents=["招标公告.pdf"]),
                  ProjectStep(project=p, kind=K.CONTRACT, on=contract_on,
                              documents=["合同.pdf"], note=p.contractor)]
        funds = by_project.get(p.pk, [])
        stage = "settled" if k < last_year else rng.choices(
            ["settled", "accepted", "under_way"], [5, 2, 3])[0]
        if k == last_year and p.planned_completion >= today:
            stage = "under_way"
        accepted_on = p.planned_completion + timedelta(days=rng.randint(-40, 30))
        if stage == "under_way":
            p.state, p.progress = ProjectState.UNDER_WAY, rng.choice([40, 60, 80, 90])
            steps.append(ProjectStep(project=p, kind=K.PROGRESS, on=contract_on + timedelta(
                days=90), documents=["进度报告.pdf"], note=f"{p.progress}%"))
            for a in funds:
                payments.append(Payment(project=p, appropriation=a, amount=_money(
                    float(a.amount) * 0.5), paid_on=contract_on + timedelta(days=30),
                    payee=p.contractor, document=f"付-{a.pk}-1"))
            continue
        p.accepted_on = min(accepted_on, today - timedelta(days=10))
        p.progress = 100
        steps.append(ProjectStep(project=p, kind=K.ACCEPTANCE, on=p.accepted_on,
                                 documents=["验收报告.pdf"]))
        notices.append(Notice(kind=Notice.Kind.COMPLETION, region_code=p.region_code,
                              project=p, title=f"{p.title}：竣工验收公告",
                              body=f"项目“{p.title}”于{p.accepted_on}通过竣工验收。",
                              decided_on=p.accepted_on, due_by=p.accepted_on + timedelta(days=5),
                              min_days=_notice_days(p.region_code, p.applied_on),
                              published_on=p.accepted_on + timedelta(days=3),
                              ends_on=p.accepted_on + timedelta(days=8)))
        p.state = ProjectState.ACCEPTED
        plant = planted_paid_early is None and k == 1 and bool(funds)
        for a in funds:
            first = _money(float(a.amount) * 0.7)
            payments.append(Payment(project=p, appropriation=a, amount=first,
                                    paid_on=contract_on + timedelta(days=45),
                                    payee=p.contractor, document=f"付-{a.pk}-1"))
            final_on = (p.accepted_on - timedelta(days=21) if plant
                        else p.accepted_on + timedelta(days=rng.randint(15, 60)))
            if final_on <= today:
                payments.append(Payment(project=p, appropriation=a, amount=a.amount - first,
                                        paid_on=final_on, payee=p.contractor,
                                        document=f"付-{a.pk}-2", final=True))
        if plant:
            planted_paid_early = p
        if stage == "settled" and p.accepted_on + timedelta(days=60) <= today:
            p.state = ProjectState.SETTLED
            p.settled_on = p.accepted_on + timedelta(days=60)
            p.final_amount = p.amount
            steps.append(ProjectStep(project=p, kind=K.FINAL_ACCOUNTS, on=p.settled_on,
                                     documents=["决算报告.pdf"]))
        assets.append(_asset_for(rng, p))
    for p, _k, _f in plan:
        p.save()
    ProjectStep.objects.bulk_create(steps)
    Payment.objects.bulk_create(payments)
    Notice.objects.bulk_create(notices)
    assets = [a for a in assets if a is not None]
    Asset.objects.bulk_create(assets)
    _beneficiaries(rng, [p for p, _k, _f in plan])
    distributions = _incomes(rng, assets, today)
    return {"assets": len(assets), "distributions": distributions,
            "paid_early": planted_paid_early.pk if planted_paid_early else None}


def _asset_for(rng: random.Random, p: Project) -> Asset | None:
    if p.category in INCOME_ASSET:
        category = AssetCategory.INCOME
    elif p.category in PUBLIC_ASSET:
        category = AssetCategory.PUBLIC
    else:
        return None
    missing_supervision = rng.random() < 0.02
    return Asset(project=p, county_code=p.county_code, region_code=p.region_code,
                 name=p.title.split(" ", 1)[-1], category=category,
                 owner_level=OwnerLevel.VILLAGE, owner_code=p.region_code,
                 operator=("村股份经济合作社" if category == AssetCategory.INCOME
                           else "村民委员会"),
                 book_value=p.amount, formed_on=p.accepted_on,
                 condition=rng.choices(["good", "fair", "poor"], [6, 3, 1])[0],
                 maintenance_duty="村集体经济组织负责日常管护",
                 supervision="" if missing_supervision else Supervision.COLLECTIVE)


def _beneficiaries(rng: random.Random, projects: list[Project]) -> None:
    rows = []
    for p in projects:
        codes = list(Household.objects.filter(village_id=p.region_code, status="active")
                     .values_list("pk", flat=True)[:200])
        how = Benefit.DIVIDENDS if p.category == Category.INDUSTRY else Benefit.JOBS
        for pk in rng.sample(codes, min(len(codes), rng.randint(5, 15))):
            rows.append(Beneficiary(project=p, household_id=pk, how=how))
    Beneficiary.objects.bulk_create(rows, ignore_conflicts=True)


def _incomes(rng: random.Random, assets: list[Asset], today: date) -> int:
    """Monthly income of the income-generating assets; the last twelve months distributed.
    Some assets are idle (nothing for over a year), some return little."""
    income_rows: list[AssetIncome] = []
    this_month = rules.month_of(today)
    profiles = {}
    for a in assets:
        if a.category != AssetCategory.INCOME:
            continue
        roll = rng.random()
        rate = 0.06 if roll > 0.15 else (0.01 if roll > 0.07 else 0.0)
        profiles[a.pk] = rate
        month = rules.add_months(rules.month_of(a.formed_on), 1)
        stop = this_month if rate > 0 else rules.add_months(rules.month_of(a.formed_on), 3)
        while month < stop:
            monthly = float(a.book_value) * (rate or 0.05) / 12 * rng.uniform(0.8, 1.2)
            income_rows.append(AssetIncome(asset=a, month=month, amount=_money(monthly)))
            month = rules.add_months(month, 1)
    AssetIncome.objects.bulk_create(income_rows)
    since = rules.add_months(this_month, -12)
    oldest_able = resolve(DEMO_COUNTY, today)["labour.able_age_max"]
    alive = {}
    rows: list[Distribution] = []
    for income in income_rows:
        if income.month < since:
            continue
        village = income.asset.region_code
        if village not in alive:
            members = list(Member.objects.filter(
                household__village_id=village, household__status="active",
                member_status="active").select_related("household")
                .prefetch_related("household__members")[:40])
            weak = [m for m in members if checks.weak_household(m.household, oldest_able)]
            alive[village] = (members, weak or members)
        members, weak = alive[village]
        amount = income.amount
        collective = _money(float(amount) * 0.5)
        rows.append(Distribution(income=income, region_code=village,
                                 channel=Distribution.Channel.COLLECTIVE, amount=collective,
                                 basis="村集体经济收入"))
        if members:
            # tilted to the weak (domain.md §7.3): the post and the household share go to
            # elderly, weak, ill or disabled households, the award to anyone
            for channel, share, basis, among in [
                    (Distribution.Channel.WELFARE_POST, 0.3, "公益性岗位报酬（保洁员）", weak),
                    (Distribution.Channel.HOUSEHOLD, 0.15, "弱劳力脱贫户差异化分配", weak),
                    (Distribution.Channel.AWARD, 0.05, "人居环境积分奖励", members)]:
                m = rng.choice(among)
                rows.append(Distribution(income=income, region_code=village, channel=channel,
                                         household=m.household, member=m,
                                         amount=_money(float(amount) * share), basis=basis))
    rows += _planted_deceased(income_rows, since)
    Distribution.objects.bulk_create(rows)
    return len(rows)


def _planted_deceased(income_rows: list[AssetIncome], since: str) -> list[Distribution]:
    """A member who died, still receiving months after the death (the planted case)."""
    incomes = [i for i in income_rows if i.month >= since]
    villages = {i.asset.region_code for i in incomes}
    member = (Member.objects.filter(household__village_id__in=villages,
                                    member_status="deceased").exclude(status_month="")
              .select_related("household").order_by("member_id").first())
    if member is None:
        return []
    late = [i for i in incomes if i.asset.region_code == member.household.village_id
            and i.month >= rules.add_months(member.status_month, 1)]
    if not late:
        return []
    income = late[-1]
    return [Distribution(income=income, region_code=income.asset.region_code,
                         channel=Distribution.Channel.HOUSEHOLD, household=member.household,
                         member=member, amount=Decimal("300.00"),
                         basis="弱劳力脱贫户差异化分配")]


def _work_relief(rng: random.Random, projects: list[Project], by_project) -> int:
    """Four infrastructure projects of the last two years run as work relief, with workers
    from their village (monitored and poverty-alleviated households first) and a payroll over
    four months. Planted: one project whose remuneration is 25 % of its central investment
    (below the policy's 30-32 %), with one month paid short."""
    from dixian.funds.models import PayrollEntry, Worker, WorkRelief
    from dixian.funds.work_relief import group_of
    from dixian.registry.models import Income
    from dixian.registry.models import Source as RowSource

    chosen = [p for p in projects if p.category == Category.INFRASTRUCTURE
              and p.state != ProjectState.FUNDED and p.contractor][:4]
    entries = []
    for n, p in enumerate(chosen):
        central = sum((a.amount for a in by_project.get(p.pk, [])
                       if a.allocation.source == Source.CENTRAL), Decimal(0))
        if not central:
            continue
        item = WorkRelief.objects.create(project=p, central_investment=central,
                                         trained_workers=rng.randint(5, 20))
        people = list(Member.objects.filter(household__village_id=p.region_code,
                                            household__status="active",
                                            member_status="active", labour_skill="ordinary")
                      .select_related("household").order_by("-household__monitoring_category",
                                                             "household__household_type")[:12])
        if not people:
            continue
        workers = [Worker.objects.create(work_relief=item, member=m, household=m.household,
                                         group=group_of(m, p.county_code),
                                         hired_on=p.approved_on) for m in people]
        planted = n == 0
        share = 0.25 if planted else rng.uniform(0.34, 0.40)
        months = [rules.add_months(rules.month_of(p.approved_on), k) for k in range(2, 6)]
        each = _money(float(central) * share / (len(workers) * len(months)))
        for m_i, month in enumerate(months):
            paid_on = date(int(month[:4]), int(month[5:]), 1) + timedelta(days=40)
            for w_i, w in enumerate(workers):
                short = planted and m_i == len(months) - 1 and w_i == 0
                paid = _money(float(each) * 0.5) if short else each
                entries.append(PayrollEntry(worker=w, month=month, due=each, paid=paid,
                                            paid_on=paid_on, document=f"工资表{month}"))
                income, _ = Income.objects.get_or_create(
                    household=w.household, period=month,
                    defaults={"source": RowSource.SYSTEM, "source_ref": "work_relief"})
                income.wage += int(paid)
                income.save(update_fields=["wage", "updated_at"])
    PayrollEntry.objects.bulk_create(entries)
    return len(chosen)


def _notice_days(region_code: str, day) -> int:
    """The shortest public notice in force for the project's region (funds.notice_min_days)."""
    from dixian.funds.bridge import resolve

    return int(resolve(region_code, day)["funds.notice_min_days"])


def attach_acceptance_reports(county: str, today: date, *, days: int = 365) -> int:
    """The acceptance report (验收报告) of every project accepted in the last ``days`` as a
    real PDF file in the project's file, through the documents' own store (checked by
    content, kept by SHA-256, audited). Without a CJK font on the machine there are none (the
    typed document names stay)."""
    import tempfile
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from dixian.core.models import User
    from dixian.funds import documents
    from dixian.funds.bridge import Report, pdf

    actor = User.objects.filter(username="approver").first()  # the county's approver
    if actor is None:
        return 0
    steps = ProjectStep.objects.filter(project__county_code=county,
                                       kind=ProjectStep.Kind.ACCEPTANCE,
                                       on__gte=today - timedelta(days=days)
                                       ).select_related("project").order_by("on", "pk")
    kept = 0
    with tempfile.TemporaryDirectory() as folder:
        for step in steps:
            project = step.project
            report = Report(title=f"{project.title}竣工验收报告", region_name=project.region_code,
                            period=f"{step.on.year}年{step.on.month}月",
                            notes=(f"项目名称：{project.title}",
                                   f"建设地点：{project.region_code}",
                                   f"项目金额：{project.amount:,.2f} 元",
                                   f"验收日期：{step.on}",
                                   "验收结论：工程质量合格，同意通过竣工验收。"),
                            issuer=f"{county} 县级行业主管部门", issued=str(step.on))
            path = Path(folder) / f"{step.pk}.pdf"
            try:
                pdf.write_pdf(report, path)
            except pdf.CjkFontError:
                return kept
            upload = SimpleUploadedFile("验收报告.pdf", path.read_bytes(), "application/pdf")
            with documents.kept_together():
                documents.store(documents.check_files([upload]), actor=actor, step=step)
            kept += 1
    return kept
