"""Regional programmes in a real browser. A relocated household's employment follow-up: the
development-and-reform commission registers a resettlement site and links relocated
households of the registry; the site's manager finds a household with labour and nobody
employed, records last month's follow-up (one member in the site's workshop) and sees the
household leave the list of those to follow up and the site's employment rate rise."""

import pytest
from django.utils import timezone

from dixian.core.roles import Role
from dixian.regional import relocation
from dixian.regional.models import FollowUp, ResettlementSite
from tests.browser.test_journey_funds import _post
from tests.browser.test_journey_procedures import _as
from tests.conftest import COUNTY, VILLAGE, make_user
from tests.funds.builders import load_households


@pytest.mark.browser
def test_a_relocated_households_employment_follow_up(page, screenshot, county_regions):
    load_households(3, VILLAGE)
    drc = make_user(Role.WORK_RELIEF_OFFICER, COUNTY, username="fa.gai")
    manager = make_user(Role.SITE_MANAGER, VILLAGE, username="li.site")

    _as(page, drc)
    page.goto("/regional/relocation/")
    page.wait_for_url(f"**/regional/relocation/{COUNTY}/")
    _post(page, "#site-form", {"name": "乐元社区安置点", "region_code": VILLAGE,
                               "opened_on": "2019-06-01", "planned_households": "3",
                               "planned_persons": "9", "schools": "1", "clinics": "1",
                               "elderly_care": "0", "workshops": "2"})
    site = ResettlementSite.objects.get(name="乐元社区安置点")
    page.wait_for_url(f"**/regional/relocation/sites/{site.pk}/")
    _post(page, "#link-form", {"households": f"{VILLAGE}0001\n{VILLAGE}0002\n{VILLAGE}0003",
                               "moved_in": "2019-09-01", "origin": "打易镇"})
    assert page.locator("#households tbody tr").count() == 3
    assert page.locator("#households tr.flagged").count() == 3  # nobody followed up yet
    screenshot("1-site-households-linked")

    # two households already followed up: employed
    for code in (f"{VILLAGE}0002", f"{VILLAGE}0003"):
        item = site.households.get(household__code=code)
        relocation.do_record_follow_up(item, relocation.month_of(timezone.localdate()), [
            relocation.Follow(f"{code}-01", "migrant_outside", "广东省务工", 4800)],
            actor=manager)

    _as(page, manager)
    page.click("nav a:has-text('易地搬迁后续扶持')")
    page.wait_for_url(f"**/regional/relocation/{VILLAGE}/")
    assert page.locator("[data-figure=zero-employment].error").inner_text() == "1"
    screenshot("2-site-manager-sees-one-household-to-follow-up")
    page.click("#findings tr[data-rule=RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT] a")
    page.wait_for_url("**/regional/relocation/households/*/")
    assert page.locator("#members td:has-text('王')").count() == 3  # names: the manager's work
    member = f"{VILLAGE}0001-01"
    _post(page, "#follow-up-form", {f"kind_{member}": "workshop",
                                    f"employer_{member}": "乐元社区帮扶车间",
                                    f"income_{member}": "2400",
                                    f"kind_{VILLAGE}0001-02": "none"})
    assert page.locator("#no-findings").count() == 1
    assert page.locator("#history tbody tr").count() == 2
    assert FollowUp.objects.get(member__member_id=member).kind == "workshop"
    screenshot("3-follow-up-recorded")

    page.click(".breadcrumb a")
    page.wait_for_url(f"**/regional/relocation/sites/{site.pk}/")
    assert page.locator("#households tr.flagged").count() == 0
    assert page.locator("[data-figure=zero-employment]").inner_text() == "0"
    assert page.locator("[data-figure=employment-rate]").inner_text() == "50.0%"
    screenshot("4-site-goal-met")


@pytest.mark.browser
def test_a_land_quota_trade_feeds_the_funds(page, screenshot, county_regions):
    """The finance bureau records a cross-provincial sale of the county's surplus land quota
    (a national key county, before the transition ended), enters its proceeds as the
    county's funds, and sees them among the allocations; a sale across provinces after 2025
    is found."""
    officer = make_user(Role.FUND_OFFICER, COUNTY, username="cai.zheng")
    _as(page, officer)
    page.goto("/funds/")
    page.click("#land-quotas")
    page.wait_for_url("**/regional/land-quotas/")
    _post(page, "#trade-form", {"contract": "WM-2025-KS-001", "kind": "cross",
                                "buyer": "广东省", "mu": "50", "price_per_mu": "300000",
                                "traded_on": "2025-03-01"})
    row = page.locator("#trades tbody tr").first
    assert "15,000,000" in row.inner_text()
    assert page.locator("#findings [data-rule]").count() == 0
    screenshot("5-land-quota-trade-recorded")
    page.locator("#trades form input[name=received_on]").fill("2025-05-10")
    page.click("#trades form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#trades [data-allocation]").count() == 1
    screenshot("6-proceeds-entered-as-funds")

    _post(page, "#trade-form", {"contract": "WM-2026-KS-002", "kind": "cross",
                                "buyer": "浙江省", "mu": "10", "price_per_mu": "300000",
                                "traded_on": "2026-02-01"})
    assert page.locator(
        "#findings [data-rule=LAND_QUOTA_CROSS_AFTER_TRANSITION]").count() == 1
    screenshot("7-cross-provincial-sale-after-2025-found")

    page.goto("/funds/allocations/")
    assert page.locator("text=522326-WM-2025-KS-001").count() == 1
    screenshot("8-allocation-in-the-funds")


@pytest.mark.browser
def test_a_units_consumption_share_check(page, screenshot, county_regions, tmp_path):
    """The finance bureau registers a hospital with its year's canteen budget and reserved
    share, sends the 832 platform's orders (a refused file first: nothing applied, each
    problem named), and sees the hospital's share and completion; a unit that reserves too
    little is found."""
    officer = make_user(Role.FUND_OFFICER, COUNTY, username="cai.xiaofei")
    _as(page, officer)
    page.goto("/funds/")
    page.click("#consumption")
    page.wait_for_url("**/regional/consumption/")
    for name in ("望谟县人民医院", "望谟县公安局"):
        _post(page, "#unit-form", {"name": name, "region_code": COUNTY})
    year = timezone.localdate().year
    page.goto(f"/regional/consumption/?year={year}")
    page.locator("#plan-form select[name=unit]").select_option(label="望谟县人民医院")
    _post(page, "#plan-form", {"food_budget": "1000000", "reserved": "150000"})
    page.goto(f"/regional/consumption/?year={year}")
    page.locator("#plan-form select[name=unit]").select_option(label="望谟县公安局")
    _post(page, "#plan-form", {"food_budget": "500000", "reserved": "30000"})
    header = "订单编号,采购单位,采购日期,供应商,供应商所在县代码,商品,金额（元）\n"
    bad = tmp_path / "bad.csv"
    bad.write_bytes((header + f"A1,望谟县人民医院,{year}-03-15,板栗合作社,522326,板栗,60000\n"
                     f"A2,县一中,{year}-03-16,茶叶合作社,522326,茶叶,100\n").encode("gb18030"))
    page.set_input_files("#file-form input[name=file]", str(bad))
    page.click("#file-form button[type=submit]")
    page.wait_for_url("**/regional/consumption/files/*/")
    assert page.locator("#problems [data-rule=unknown_unit]").count() == 1
    screenshot("9-purchase-file-refused-row-by-row")
    good = tmp_path / "orders.csv"
    good.write_bytes((header + f"A1,望谟县人民医院,{year}-03-15,板栗合作社,522326,板栗,60000\n"
                      f"A2,望谟县人民医院,{year}-04-16,茶叶合作社,522326,茶叶,45000\n")
                     .encode("gb18030"))
    page.goto("/regional/consumption/")
    page.set_input_files("#file-form input[name=file]", str(good))
    page.click("#file-form button[type=submit]")
    page.wait_for_url("**/regional/consumption/files/*/")
    assert page.locator("#purchases tbody tr").count() == 2
    page.click(".breadcrumb a")
    hospital = page.locator("#units tr", has_text="望谟县人民医院")
    assert hospital.locator("[data-figure=share]").inner_text() == "15.0%"
    assert hospital.locator("[data-figure=completion]").inner_text() == "70.0%"
    assert page.locator("#findings [data-rule=CONSUMPTION_RESERVED_BELOW_SHARE]").count() == 1
    screenshot("10-units-share-and-completion")


@pytest.mark.browser
def test_a_pairings_annual_report(page, screenshot, county_regions):
    """The eastern partner (惠东县's East–West office) opens its pairing with the county, then
    last year's agreement: the fiscal funds came from the county's funds and are met, the
    products bought are short and flagged; the central unit's pairing of the same county is
    not listed for it."""
    from datetime import date
    from decimal import Decimal

    from dixian.funds.actions import do_record_allocation
    from dixian.regional import pairing

    load_households(3, VILLAGE)
    admin = make_user(Role.COUNTY_ADMIN, COUNTY, username="wang.xiang")
    finance = make_user(Role.FUND_OFFICER, COUNTY, username="cai.zheng")
    last = timezone.localdate().year - 1
    huidong = pairing.do_register_partner(name="惠东县", kind="eastern_government",
                                          division_code="441323", actor=admin)
    unit = pairing.do_register_partner(name="中共中央统一战线工作部", kind="central_unit",
                                       actor=admin)
    item = pairing.do_create_pairing(partner=huidong, level="county", west_code=COUNTY,
                                     started_on=date(2021, 1, 1), actor=admin)
    pairing.do_create_pairing(partner=unit, level="central_unit", west_code=COUNTY,
                              started_on=date(2015, 9, 1), actor=admin)
    agreement = pairing.do_set_agreement(
        item, year=last, targets={"fiscal_funds": "51870000", "products_bought": "393000000",
                                  "technicians_to_west": "42", "workers_placed": "2"},
        actuals={"products_bought": "345840000", "technicians_to_west": "45"},
        document=f"惠东县—望谟县{last}年东西部协作协议", actor=admin)
    money = do_record_allocation(county_code=COUNTY, year=last, source="east_west",
                                 amount=Decimal("51870000"), document=f"惠东县{last}年援助资金",
                                 received_on=date(last, 4, 2), actor=finance)
    pairing.do_link_funds(agreement, money, actor=admin)
    pairing.do_record_placements(agreement, member_ids=[f"{VILLAGE}0001-01",
                                                        f"{VILLAGE}0002-01"],
                                 employer="惠东县鞋业企业", place="广东省惠州市",
                                 placed_on=date(last, 3, 10), actor=admin)
    partner = make_user(Role.EAST_PARTNER, COUNTY, username="hd.xiezuo")
    pairing.do_link_partner_user(partner, huidong, actor=admin)

    _as(page, partner)
    page.click("nav a:has-text('东西部协作和定点帮扶')")
    page.wait_for_url("**/regional/pairings/")
    assert page.locator("#pairings tbody tr").count() == 1  # not the central unit's
    assert "惠东县" in page.locator("#pairings").inner_text()
    screenshot("11-partner-sees-its-own-pairing")
    page.click(f"#pairings a:has-text('{last}')")
    page.wait_for_url(f"**/regional/pairings/{item.pk}/{last}/")
    assert page.locator("[data-indicator=fiscal_funds]").get_attribute("data-status") == "met"
    assert page.locator("[data-indicator=workers_placed]").get_attribute("data-status") == "met"
    short = page.locator("#lines tr.flagged")
    assert short.count() == 1 and short.get_attribute("data-indicator") == "products_bought"
    assert "88.0%" in short.inner_text()
    assert page.locator("#findings [data-rule=PAIRING_BELOW_TARGET]").count() == 1
    assert page.locator("#funds [data-allocation]").count() == 1
    assert page.locator("#placements").count() == 0  # who was placed: the county's caseworkers
    screenshot("12-annual-report-with-a-shortfall")
