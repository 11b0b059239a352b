"""The demo county's East–West cooperation and paired assistance (domain.md §8.1), through the
actions, calibrated to published figures (docs/regional-programmes.md).

Pairings (real, found with the ``search`` tool; the start days are ours [I]): 广东省—贵州省 and
惠州市—黔西南州 (惠州 took over 黔西南 from 宁波 in the 2021 adjustment), 惠东县—望谟县, and the
fixed-point assistance of 望谟县 by the United Front Work Department (中央统战部, since
September 2015); an enterprise of its 光彩 programme (上海均瑶集团) is paired with a village (which
village is ours).

Agreements: 惠州—黔西南's year holds the prefecture's published 2023 actuals (3.57亿元 of fiscal
funds, 100 % of the agreed task; 20 cadres and 294 technicians sent west, 9 and 411 east; 92
enterprises, 40.54亿元 invested; 27.53亿元 of products; 41,476 workers helped to jobs).
惠东—望谟's targets are the prefecture's figures over its 7 paired counties (the fiscal funds:
the national 51.87 M yuan per county of 2023, §8.1, which the funds demo allocates), the
workers scaled to the demo registry (a tenth of the county) with the national share of
poverty-alleviated workers (478,000 of 731,000). Its fiscal funds are the funds demo's
``east_west`` allocation, linked; its workers are members of the registry, placed.

Planted: last year 惠东—望谟 bought 88 % of the agreed products and placed too few
poverty-alleviated workers (both PAIRING_BELOW_TARGET); a first secretary has served 26 months
(FIRST_SECRETARY_TERM_EXCEEDED) and a team has two cadres (WORK_TEAM_TOO_SMALL).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dixian.core import actions as core_actions
from dixian.core.demo import DEMO_COUNTY, DemoReport, DemoUser
from dixian.core.models import Region, User
from dixian.core.roles import Role
from dixian.funds.models import Allocation, Source
from dixian.regional import pairing, relocation
from dixian.regional.bridge import resolve
from dixian.regional.models import Pairing, Partner
from dixian.registry.models import Member

SEED = 81
# 黔西南州 with 惠州市, 2023 (zhmzgtt.com.cn, "高质量发展黔西南篇章·东西部协作篇")
QXN_2023 = {"fiscal_funds": Decimal("357000000"), "cadres_to_west": 20,
            "technicians_to_west": 294, "cadres_to_east": 9, "technicians_to_east": 411,
            "enterprises": 92, "investment": Decimal("4054140000"),
            "products_bought": Decimal("2753310000"), "workers_placed": 41476}
QXN_COUNTIES = 7  # the prefecture's counties paired with 惠州's districts and counties
EAST_WEST_PER_COUNTY = Decimal("51870000")  # 2023, §8.1 [V S43]
POVERTY_SHARE = Decimal("478000") / Decimal("731000")  # §8.1 [V S43]
VILLAGES_PER_COUNTY = 7452 // 447  # villages paired over the western counties, §8.1, §2.9
DONATIONS_PER_COUNTY = Decimal("2120000000") / 447  # social donations 2023 over the counties
REGISTRY_SHARE = Decimal("0.1")  # the demo registry: a tenth of 望谟县
PRODUCTS_DONE = Decimal("0.88")  # planted
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = ["建华", "志强", "海燕", "晓东", "文军", "丽萍", "国庆", "明辉", "春梅", "永刚",
         "俊杰", "红霞", "德明", "雪梅", "立新"]


def _per_county(value) -> Decimal:
    return (Decimal(value) / QXN_COUNTIES).quantize(Decimal("1"))


def step_pairings(report: DemoReport) -> None:
    """East–West cooperation and paired assistance: pairings, agreements, work teams."""
    if Pairing.objects.filter(west_code=DEMO_COUNTY).exists():
        return
    county_admin = User.objects.filter(username="countyadmin").first()
    province_admin = User.objects.filter(username="provinceadmin").first()
    if county_admin is None or province_admin is None:
        return
    today = timezone.localdate()
    figures = build_pairings(DEMO_COUNTY, today, county_admin, province_admin)
    for spec in _partner_users(figures, county_admin):
        report.users.append(spec)
    result = pairing.assess(figures["agreement"], today)
    line = {x.indicator.key: x for x in result.lines}
    report.notes.append(
        f"pairings: {figures['pairings']} (惠东县—望谟县 {today.year - 1}: "
        f"{result.met} of {result.with_target} targets met, fiscal funds "
        f"{line['fiscal_funds'].actual:,.0f} yuan from the funds, "
        f"{line['workers_placed'].actual:,.0f} workers placed of whom "
        f"{line['workers_placed_poverty'].actual:,.0f} poverty-alleviated; findings: "
        + ", ".join(f.rule for f in result.findings)
        + f"); work teams: {figures['cadres']} cadres in {figures['villages']} villages, "
        f"findings: " + ", ".join(f.rule for f in pairing.roster_findings(
            figures["serving"], today)))


def _partner_users(figures: dict, actor) -> list[DemoUser]:
    out = []
    for username, role, partner in (("partner", Role.EAST_PARTNER, figures["huidong"]),
                                    ("centralunit", Role.CENTRAL_UNIT, figures["zytzb"])):
        spec = DemoUser(username, role, DEMO_COUNTY,
                        password=core_actions.generate_password())
        user = User.objects.filter(username=username).first()
        with transaction.atomic():
            if user is None:
                user = core_actions.do_create_user(username=username, role=role,
                                                   region_code=DEMO_COUNTY,
                                                   password=spec.password)
            else:
                core_actions.do_reset_password(user, spec.password)
            pairing.do_link_partner_user(user, partner, actor=actor)
        out.append(spec)
    return out


def build_pairings(county: str, today: date, county_admin, province_admin, *,
                   seed: int = SEED) -> dict:
    rng = random.Random(seed)
    last = today.year - 1
    start = date(2021, 1, 1)  # the 2021 adjustment of the pairs; the day is ours [I]
    P, L = Partner.Kind, Pairing.Level
    guangdong = pairing.do_register_partner(name="广东省", kind=P.EASTERN_GOVERNMENT,
                                            division_code="44", actor=province_admin)
    huizhou = pairing.do_register_partner(name="惠州市", kind=P.EASTERN_GOVERNMENT,
                                          division_code="4413", actor=province_admin)
    huidong = pairing.do_register_partner(name="惠东县", kind=P.EASTERN_GOVERNMENT,
                                          division_code="441323", actor=county_admin)
    zytzb = pairing.do_register_partner(name="中共中央统一战线工作部", kind=P.CENTRAL_UNIT,
                                        actor=county_admin)
    juneyao = pairing.do_register_partner(name="上海均瑶（集团）有限公司", kind=P.ENTERPRISE,
                                          actor=county_admin)
    made = [pairing.do_create_pairing(partner=guangdong, level=L.PROVINCE, west_code="52",
                                      started_on=start, actor=province_admin),
            pairing.do_create_pairing(partner=huizhou, level=L.PREFECTURE, west_code=county[:4],
                                      started_on=start, actor=province_admin)]
    county_pair = pairing.do_create_pairing(partner=huidong, level=L.COUNTY, west_code=county,
                                            started_on=start, actor=county_admin)
    unit_pair = pairing.do_create_pairing(partner=zytzb, level=L.CENTRAL_UNIT, west_code=county,
                                          started_on=date(2015, 9, 1), actor=county_admin)
    villages = list(Region.objects.filter(code__startswith=county, level=5,
                                          households__isnull=False).distinct()
                    .order_by("code").values_list("code", flat=True)[:9])
    made += [county_pair, unit_pair]
    if villages:
        made.append(pairing.do_create_pairing(partner=juneyao, level=L.VILLAGE,
                                              west_code=villages[0],
                                              started_on=date(2020, 3, 1), actor=county_admin))
    # 惠州—黔西南: the prefecture's published year (targets: only the fiscal task is published)
    pairing.do_set_agreement(
        made[1], year=last, targets={"fiscal_funds": QXN_2023["fiscal_funds"]},
        actuals=dict(QXN_2023), document=f"{last}年粤黔东西部协作协议（黔西南州分解）",
        actor=province_admin)
    # 惠东—望谟: the county's share, last year and this year so far
    targets = {"fiscal_funds": EAST_WEST_PER_COUNTY,
               "donations": DONATIONS_PER_COUNTY.quantize(Decimal("1")),
               **{k: max(1, _per_county(QXN_2023[k])) for k in (
                   "cadres_to_west", "technicians_to_west", "cadres_to_east",
                   "technicians_to_east", "enterprises", "investment", "products_bought")},
               "paired_villages": VILLAGES_PER_COUNTY}
    workers = (_per_county(QXN_2023["workers_placed"]) * REGISTRY_SHARE).quantize(Decimal("1"))
    targets["workers_placed"] = workers
    targets["workers_placed_poverty"] = (workers * POVERTY_SHARE).quantize(Decimal("1"))
    typed = {k: (v * Decimal(str(rng.uniform(1.0, 1.15)))).quantize(Decimal("1"))
             for k, v in targets.items() if k not in ("fiscal_funds", "workers_placed",
                                                      "workers_placed_poverty")}
    typed["products_bought"] = (targets["products_bought"] * PRODUCTS_DONE).quantize(
        Decimal("1"))
    typed["paired_villages"] = targets["paired_villages"]
    agreement = pairing.do_set_agreement(county_pair, year=last, targets=targets, actuals=typed,
                                         document=f"惠东县—望谟县{last}年东西部协作协议",
                                         signed_on=date(last, 3, 15), actor=county_admin)
    money = Allocation.objects.filter(county_code=county, source=Source.EAST_WEST,
                                      year=last).first()
    if money is not None:
        pairing.do_link_funds(agreement, money, actor=county_admin)
    policy = resolve(county, today)
    able = [m for m in Member.objects.filter(
        household__village__code__startswith=county, household__status="active",
        member_status="active").select_related("household").order_by("member_id")
        if relocation.able_to_work(m, policy, today)]
    rng.shuffle(able)
    poor = [m for m in able if m.household.household_type == "poverty_alleviated"]
    ordinary = [m for m in able if m.household.household_type != "poverty_alleviated"]
    n_poor = int(targets["workers_placed_poverty"] * Decimal("0.9"))  # planted: too few
    chosen = poor[:n_poor] + ordinary[:max(0, int(workers * Decimal("1.05")) - n_poor)]
    employers = [("惠州市惠东县鞋业企业", "广东省惠州市"), ("望谟县东西部协作帮扶车间", "望谟县"),
                 ("惠州仲恺高新区电子企业", "广东省惠州市")]
    for k, (employer, place) in enumerate(employers):
        group = [m.member_id for m in chosen[k::len(employers)]]
        if group:
            pairing.do_record_placements(agreement, member_ids=group, employer=employer,
                                         place=place, placed_on=date(last, 3 + 3 * k, 10),
                                         actor=county_admin)
    share = Decimal(today.timetuple().tm_yday) / 366
    pairing.do_set_agreement(
        county_pair, year=today.year, targets=targets,
        actuals={k: (v * share).quantize(Decimal("1")) for k, v in typed.items()},
        document=f"惠东县—望谟县{today.year}年东西部协作协议", signed_on=date(today.year, 3, 20),
        actor=county_admin)
    # 统战部—望谟: its own funds (the funds demo's central-unit allocation), the social help it
    # brings and the products it buys (2015–2020: 6680.76万 and 1509.59万 over five years)
    unit = pairing.do_set_agreement(
        unit_pair, year=last, targets={"fiscal_funds": Decimal("3000000"),
                                       "donations": Decimal("13000000"),
                                       "products_bought": Decimal("3000000"),
                                       "cadres_to_west": 2},
        actuals={"donations": Decimal("13361520"), "products_bought": Decimal("3019180"),
                 "cadres_to_west": 2}, document=f"{last}年定点帮扶责任书", actor=county_admin)
    money = Allocation.objects.filter(county_code=county, source=Source.CENTRAL_UNIT,
                                      year=last).first()
    if money is not None:
        pairing.do_link_funds(unit, money, actor=county_admin)
    cadres = _work_teams(villages, today, rng, county_admin, zytzb, huidong)
    serving = [c for c in cadres if c.ended_on is None or c.ended_on > today]
    return {"pairings": len(made), "agreement": agreement, "huidong": huidong,
            "zytzb": zytzb, "cadres": len(serving), "villages": len(villages),
            "serving": serving}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _work_teams(villages, today, rng, actor, zytzb, huidong) -> list:
    """A first secretary and two members in each village (names ours); the first secretaries
    of two villages come from the central unit and the eastern county; one rotation."""
    made = []
    for k, village in enumerate(villages):
        if k == 0:
            unit, partner = "中共中央统一战线工作部", zytzb
        elif k == 1:
            unit, partner = "惠东县", huidong
        else:
            unit, partner = "望谟县直部门", None
        started = today - timedelta(days=300 + 7 * k)
        if k == 2:  # planted: serving 26 months
            started = today - timedelta(days=26 * 31)
        if k == 3:  # a rotation: the predecessor served two years
            before = pairing.do_appoint_cadre(
                village_code=village, name=_name(rng), first_secretary=True,
                sending_unit=unit, started_on=started - timedelta(days=730), actor=actor)
            made.append(before)
            secretary = pairing.do_appoint_cadre(
                village_code=village, name=_name(rng), first_secretary=True,
                sending_unit=unit, started_on=started, predecessor=before, actor=actor)
            before.refresh_from_db()
        else:
            secretary = pairing.do_appoint_cadre(
                village_code=village, name=_name(rng), first_secretary=True,
                sending_unit=unit, partner=partner, started_on=started, actor=actor)
        made.append(secretary)
        for _member in range(1 if k == 4 else 2):  # planted: a team of two
            made.append(pairing.do_appoint_cadre(
                village_code=village, name=_name(rng), first_secretary=False,
                sending_unit="望谟县直部门" if partner is None else unit, partner=partner,
                started_on=started, actor=actor))
    for c in made:
        c.refresh_from_db()
    return made
