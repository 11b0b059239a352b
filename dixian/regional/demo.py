"""The demo county's relocation follow-up (domain.md §8.3), calibrated to the published
figures and with two planted cases the follow-up must act on.

Sites: the registry's relocated households (the ``relocated`` flag) live in the county's
communities (the synthetic registry puts them there, as in 望谟县); each community holding
some becomes a concentrated resettlement site, with its households linked. Facilities are
scaled from the national totals of the 13th FYP (§8.3: 2.66 M housing units, 6,100 schools,
12,000 clinics and health centres, 3,400 elderly-care facilities, 25,400 supporting
industrial projects): the county gets each at the national ratio per relocated household (at
least one), the largest sites first (see docs/regional-programmes.md).

Employment: members able to work (the registry's definition) are followed up quarterly, in the
month before last quarter and last month. Of them, ``EMPLOYMENT_RATE`` (94.46 %, end-2022
[V S41]) are employed, at least one in every household with labour (the goal, met nationally
[V S41]), with a spread of kinds and monthly incomes that are ours [I].

Planted: (1) a household with labour whose members were all found not employed last month
(RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT); (2) a household last followed up four months ago
(RELOCATION_NOT_FOLLOWED_UP, and with it nobody counted as employed).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dixian.core import actions as core_actions
from dixian.core import audit
from dixian.core.demo import DEMO_COUNTY, DemoReport, DemoUser
from dixian.core.models import Region, User
from dixian.core.roles import Role
from dixian.funds.models import Allocation, Source
from dixian.regional import consumption, land_quota, relocation
from dixian.regional.bridge import consumption as consumption_rules
from dixian.regional.bridge import month_add, resolve
from dixian.regional.models import (
    BudgetUnit,
    FollowUp,
    LandQuotaTrade,
    Relocated,
    ResettlementSite,
)
from dixian.registry.models import Household, Member

SEED = 16
EMPLOYMENT_RATE = 0.9446  # end-2022, relocated persons able to work who are employed [V S41]
NATIONAL_HOUSING_UNITS = 2_660_000
NATIONAL_SCHOOLS = 6_100
NATIONAL_CLINICS = 12_000
NATIONAL_ELDERLY_CARE = 3_400
NATIONAL_INDUSTRY_PROJECTS = 25_400
# kinds of employment with their weight and a monthly income range in yuan (ours [I])
KINDS = [
    (FollowUp.Kind.WORKSHOP, 0.18, (1800, 2800), "安置点帮扶车间"),
    (FollowUp.Kind.SITE_INDUSTRY, 0.10, (2000, 3200), "安置点配套产业园"),
    (FollowUp.Kind.LOCAL_ENTERPRISE, 0.14, (2200, 3500), "县内企业"),
    (FollowUp.Kind.PUBLIC_POST, 0.10, (800, 1200), "社区公益性岗位"),
    (FollowUp.Kind.MIGRANT_PROVINCE, 0.14, (3000, 4500), "省内务工"),
    (FollowUp.Kind.MIGRANT_OUTSIDE, 0.24, (4000, 5800), "广东省务工"),
    (FollowUp.Kind.SELF_EMPLOYED, 0.05, (2000, 4000), "个体经营"),
    (FollowUp.Kind.FLEXIBLE, 0.05, (1200, 2400), "灵活就业"),
]


def _short(name: str) -> str:
    for suffix in ("居民委员会", "社区居委会", "居委会", "委员会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def step_regional(report: DemoReport) -> None:
    """Relocation follow-up: resettlement sites, relocated households, employment."""
    if ResettlementSite.objects.filter(county_code=DEMO_COUNTY).exists():
        return
    today = timezone.localdate()
    figures = build_relocation(DEMO_COUNTY, today)
    if not figures["sites"]:
        return
    manager = _site_manager(figures["largest"])
    if manager is not None:
        report.users.append(manager)
    total = relocation.figures(DEMO_COUNTY, today).total
    report.notes.append(
        f"relocation: {figures['sites']} sites, {total.households} households, "
        f"{total.persons} persons, {total.able} able to work, employment rate "
        f"{(total.employment_rate or 0):.2%}, {total.zero_employment_households} households "
        f"with labour and nobody employed, per-capita net income "
        f"{total.per_capita_net_income or 0:,.0f} yuan, wage share {(total.wage_share or 0):.0%}")


def _site_manager(region_code: str) -> DemoUser | None:
    spec = DemoUser("site", Role.SITE_MANAGER, region_code,
                    password=core_actions.generate_password())
    user = User.objects.filter(username=spec.username).first()
    with transaction.atomic():
        if user is None:
            core_actions.do_create_user(username=spec.username, role=spec.role,
                                        region_code=region_code, password=spec.password)
        else:
            core_actions.do_reset_password(user, spec.password)
    return spec


def _facilities(sites: list[ResettlementSite], households: int) -> None:
    """The county's facilities at the national ratios per relocated household (§8.3), at
    least one of each, given one at a time to the largest sites first."""
    largest = sorted(sites, key=lambda s: (s.planned_households, s.region_code), reverse=True)
    for field, national in (("schools", NATIONAL_SCHOOLS), ("clinics", NATIONAL_CLINICS),
                            ("elderly_care", NATIONAL_ELDERLY_CARE),
                            ("workshops", NATIONAL_INDUSTRY_PROJECTS)):
        total = max(1, round(households * national / NATIONAL_HOUSING_UNITS))
        for k in range(total):
            site = largest[k % len(largest)]
            setattr(site, field, getattr(site, field) + 1)
    for site in sites:
        site.save()


def _kind(rng: random.Random):
    x, acc = rng.random(), 0.0
    for kind in KINDS:
        acc += kind[1]
        if x < acc:
            return kind
    return KINDS[-1]


def build_relocation(county: str, today: date, *, seed: int = SEED) -> dict:
    """Sites, linked households and two quarters of follow-up for ``county``; written in bulk
    (the county's past, like an import) with one audit row saying so."""
    rng = random.Random(seed)
    policy = resolve(county, today)
    month = relocation.month_of(today)
    last, earlier = month_add(month, -1), month_add(month, -4)
    households = list(Household.objects.filter(village__code__startswith=county, relocated=True,
                                               status="active").order_by("code"))
    by_place: dict[str, list[Household]] = {}
    for h in households:
        by_place.setdefault(h.village_id, []).append(h)
    names = dict(Region.objects.filter(code__in=by_place).values_list("code", "name"))
    sites, links = [], []
    with transaction.atomic():
        for code, group in sorted(by_place.items()):
            n = len(group)
            site = ResettlementSite.objects.create(
                county_code=county, region_code=code,
                name=f"{_short(names.get(code, code))}安置点",
                opened_on=date(2019, rng.randint(1, 12), 1), planned_households=n,
                planned_persons=0, industries="帮扶车间（服装加工、电子组装）",
                services="社区服务中心、就业服务站、托管服务")
            sites.append(site)
            for h in group:
                links.append(Relocated(site=site, household=h, region_code=code,
                                       origin="", moved_in=date(2019, rng.randint(1, 12), 15)))
        _facilities(sites, len(households))
        Relocated.objects.bulk_create(links)
        links = list(Relocated.objects.filter(site__in=sites).select_related("household"))
        persons: dict[int, int] = {}
        able: dict[int, list[Member]] = {}
        for m in Member.objects.filter(household__in=[r.household for r in links],
                                       member_status="active").order_by("member_id"):
            persons[m.household_id] = persons.get(m.household_id, 0) + 1
            if relocation.able_to_work(m, policy, today):
                able.setdefault(m.household_id, []).append(m)
        for site in sites:
            site.planned_persons = sum(persons.get(r.household_id, 0) for r in links
                                       if r.site_id == site.pk)
            site.save(update_fields=["planned_persons"])
        with_labour = [r for r in links if able.get(r.household_id)]
        # planted in the largest site (the demo's site manager works there)
        biggest = max(sites, key=lambda s: (s.planned_households, s.region_code), default=None)
        there = [r for r in with_labour if r.site_id == getattr(biggest, "pk", None)]
        planted_none = there[0] if there else None
        planted_stale = there[1] if len(there) > 1 else None
        employed: set[int] = set()
        # the goal: one employed member in every household with labour (but the planted)
        for r in with_labour:
            if r in (planted_none, planted_stale):
                continue
            employed.add(rng.choice(able[r.household_id]).pk)
        pool = [m for r in with_labour if r not in (planted_none, planted_stale)
                for m in able[r.household_id] if m.pk not in employed]
        total_able = sum(len(able[r.household_id]) for r in with_labour)
        rng.shuffle(pool)
        need = max(0, round(EMPLOYMENT_RATE * total_able) - len(employed))
        employed.update(m.pk for m in pool[:need])
        rows = []
        for r in with_labour:
            for m in able[r.household_id]:
                months = [earlier] if r is planted_stale else [earlier, last]
                for mo in months:
                    works = m.pk in employed and not (r is planted_none and mo == last)
                    kind = _kind(rng) if works else None
                    rows.append(FollowUp(
                        relocated=r, member=m, month=mo,
                        kind=kind[0] if kind else FollowUp.Kind.NONE,
                        employer=kind[3] if kind else "",
                        monthly_income=rng.randint(*kind[2]) // 10 * 10 if kind else 0,
                        recorded_on=min(today, date(int(mo[:4]), int(mo[5:]), 25))))
        FollowUp.objects.bulk_create(rows)
        audit.record("regional.demo_relocation", actor="demo", region_code=county,
                     after={"sites": len(sites), "households": len(links),
                            "follow_ups": len(rows),
                            "planted": [r.household.code for r in (planted_none, planted_stale)
                                        if r is not None]})
    largest = biggest.region_code if biggest else ""
    return {"sites": len(sites), "households": len(links), "follow_ups": len(rows),
            "largest": largest,
            "planted": [r.household.code for r in (planted_none, planted_stale) if r]}


# Cross-provincial transfer-out price of general farmland quota, 2018 rules (domain.md §8.6
# [M], not verified): the demo's one cross-provincial trade is priced at it.
CROSS_PRICE_PER_MU = Decimal("300000")
# Within the province each province sets its own prices (§8.6 [M]); the demo's are a half.
INTRA_PRICE_PER_MU = Decimal("150000")


def step_land_quotas(report: DemoReport) -> None:
    """Land-quota trades: the county's quota sold, its proceeds in the funds, two findings."""
    if LandQuotaTrade.objects.filter(county_code=DEMO_COUNTY).exists():
        return
    officer = User.objects.filter(username="finance").first()
    if officer is None:
        return
    today = timezone.localdate()
    made = []
    # The funds step recorded the county's land-quota money of one year: that money is the
    # proceeds of a cross-provincial sale (望谟县 is a national key county; allowed to 2025).
    money = Allocation.objects.filter(county_code=DEMO_COUNTY, source=Source.LAND_QUOTA) \
        .order_by("received_on").first()
    if money is not None:
        sold = money.received_on - timedelta(days=60)
        trade = land_quota.do_record_trade(
            county_code=DEMO_COUNTY, contract=f"WM-{sold.year}-KS-001", kind="cross",
            buyer="广东省", mu=money.amount / CROSS_PRICE_PER_MU,
            price_per_mu=CROSS_PRICE_PER_MU, traded_on=sold, actor=officer)
        made.append(land_quota.do_enter_proceeds(trade, received_on=money.received_on,
                                                 actor=officer, allocation=money))
    # This year: a sale within the province whose proceeds were entered in the funds …
    trade = land_quota.do_record_trade(
        county_code=DEMO_COUNTY, contract=f"WM-{today.year}-SN-001", kind="intra",
        buyer="贵阳市", mu=Decimal("20"), price_per_mu=INTRA_PRICE_PER_MU,
        traded_on=today - timedelta(days=75), actor=officer)
    made.append(land_quota.do_enter_proceeds(trade, received_on=today - timedelta(days=40),
                                             actor=officer))
    # … and two planted irregularities: proceeds received long ago and never entered, and a
    # cross-provincial sale after the transition ended.
    days = int(resolve(DEMO_COUNTY, today)["regional.land_quota_proceeds_to_funds_days"])
    made.append(land_quota.do_record_trade(
        county_code=DEMO_COUNTY, contract=f"WM-{today.year}-SN-002", kind="intra",
        buyer="遵义市", mu=Decimal("12.5"), price_per_mu=INTRA_PRICE_PER_MU,
        traded_on=today - timedelta(days=days + 60),
        proceeds_received_on=today - timedelta(days=days + 30), actor=officer))
    made.append(land_quota.do_record_trade(
        county_code=DEMO_COUNTY, contract=f"WM-{today.year}-KS-002", kind="cross",
        buyer="浙江省", mu=Decimal("10"), price_per_mu=CROSS_PRICE_PER_MU,
        traded_on=today - timedelta(days=20), actor=officer))
    found = land_quota.findings(made, today)
    total = sum(land_quota.proceeds(t) for t in made)
    report.notes.append(
        f"land quotas: {len(made)} trades, {total:,.0f} yuan of proceeds, "
        f"{sum(t.allocation_id is not None for t in made)} entered as funds; findings: "
        + ", ".join(f"1 {f.rule}" for f in found))


# Consumption assistance (§8.4): the county's budget units reserve a share of their canteen
# food purchases and buy more than they reserved, as Guangxi's units did in 2023 (316 M of
# 223 M reserved, 141 % [V S66b]); two planted irregularities.
BUDGET_UNITS = [("望谟县人民医院", 2_400_000), ("望谟县中医院", 1_300_000),
                ("望谟县第一中学", 3_100_000), ("望谟县民族中学", 2_200_000),
                ("望谟县机关事务服务中心", 1_800_000), ("望谟县公安局", 900_000)]
SUPPLIERS = [("望谟县板栗专业合作社", "板栗"), ("望谟县茶叶种植专业合作社", "茶叶"),
             ("望谟县蔬菜保供基地", "蔬菜"), ("望谟县生态黄牛养殖合作社", "牛肉"),
             ("望谟县优质稻米加工厂", "大米"), ("册亨县糯米蕉合作社", "糯米蕉")]
COMPLETION_2023_GUANGXI = 316 / 223


def step_consumption(report: DemoReport) -> None:
    """Consumption assistance: budget units, their reserved shares, a year of purchases."""
    if BudgetUnit.objects.filter(region_code=DEMO_COUNTY).exists():
        return
    officer = User.objects.filter(username="finance").first()
    if officer is None:
        return
    rng = random.Random(SEED + 4)
    today = timezone.localdate()
    share = float(resolve(DEMO_COUNTY, today)["regional.consumption_reserved_share_min"])
    lines = [",".join(h[0] for h in consumption_rules.HEADERS.values())]
    for n, (name, budget) in enumerate(BUDGET_UNITS):
        unit = consumption.do_register_unit(region_code=DEMO_COUNTY, name=name, actor=officer)
        for year in (today.year - 1, today.year):
            reserved_share = share * rng.uniform(1.0, 1.6)
            if n == 5 and year == today.year:  # planted: reserves too little
                reserved_share = share * 0.6
            reserved = round(budget * reserved_share, -3)
            consumption.do_set_plan(unit, year=year, food_budget=budget, reserved=reserved,
                                    actor=officer)
            completion = rng.uniform(1.0, 2 * COMPLETION_2023_GUANGXI - 1.0)
            if year == today.year:  # the year so far
                completion *= (today.timetuple().tm_yday / 366)
            if n == 4 and year == today.year - 1:  # planted: bought less than reserved
                completion = 0.7
            target, orders = reserved * completion, 0
            while target > 0:
                supplier, product = rng.choice(SUPPLIERS)
                amount = min(target, round(rng.uniform(2_000, 30_000), 2))
                day = date(year, 1, 1) + timedelta(days=rng.randrange(
                    max(1, (today - date(year, 1, 1)).days) if year == today.year else 365))
                county = "522327" if supplier.startswith("册亨") else DEMO_COUNTY
                orders += 1
                lines.append(f"832-{year}-{n + 1:02d}{orders:05d},{name},{day},{supplier},"
                             f"{county},{product},{amount:.2f},832平台")
                target -= amount
    batch = consumption.do_import_purchases(("\n".join(lines) + "\n").encode(),
                                            "832平台订单导出.csv", actor=officer)
    rows = consumption.unit_years(BudgetUnit.objects.filter(region_code=DEMO_COUNTY),
                                  today.year - 1)
    found = consumption.findings(consumption.unit_years(
        BudgetUnit.objects.filter(region_code=DEMO_COUNTY), today.year) + rows, today)
    bought = sum(r.bought for r in rows)
    reserved = sum(r.reserved for r in rows)
    report.notes.append(
        f"consumption: {len(BUDGET_UNITS)} budget units, {batch.rows:,} orders from the 832 "
        f"platform; {today.year - 1}: {bought:,.0f} yuan bought of {reserved:,.0f} reserved "
        f"({bought / reserved:.0%}); findings: " + ", ".join(f"1 {f.rule}" for f in found))
