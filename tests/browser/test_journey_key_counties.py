"""Key counties in a real browser (domain.md §8.5): the province's finance bureau sends a file
of the counties' development-status indicators (a refused file first: nothing applied, each
problem named; then the corrected file), records the year's allocation of a county that is not
a key county, and drills down from the province's key counties to one county's indicators and
its tilt; a national analyst sees the map of key counties by province and opens a province."""

from datetime import date

import pytest

from dixian.core.roles import Role
from dixian.funds.actions import do_record_allocation
from tests.browser.test_journey_procedures import _as
from tests.conftest import COUNTY, make_user

HEADER = ("县代码,年度,常住人口（人）,地区生产总值（万元）,一般公共预算收入（万元）,"
          "农村居民人均可支配收入（元）\n")
OTHER = "522301"  # 兴义市, not a key county


@pytest.mark.browser
def test_key_counties_indicators_tilt_and_map(page, screenshot, county_regions, tmp_path):
    officer = make_user(Role.FUND_OFFICER, "52", username="cai.sheng")
    year = date.today().year - 1
    for county, amount in ((COUNTY, "9000000"), (OTHER, "20000000")):
        do_record_allocation(county_code=county, year=year, source="central", amount=amount,
                             document=f"黔财农〔{year}〕{county}", received_on=date(year, 3, 1),
                             actor=officer)
    _as(page, officer)
    page.goto("/regional/key-counties/")
    assert page.locator("#key-counties tbody tr[data-county]").count() == 20
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + f"{COUNTY},{year},250000,1100000,50000,16000\n"
                     f"{COUNTY},{year},250000,1100000,abc,16000\n").encode("gb18030"))
    page.set_input_files("#file-form input[name=file]", str(bad))
    page.click("#file-form button[type=submit]")
    page.wait_for_url("**/regional/key-counties/files/*/")
    assert page.locator("#problems [data-rule=number]").count() == 1
    assert page.locator("#problems [data-rule=duplicate_county_year]").count() == 1
    screenshot("1-indicator-file-refused-row-by-row")
    good = tmp_path / "good.csv"
    good.write_bytes((HEADER + f"{COUNTY},{year - 1},248000,1000000,45000,15500\n"
                      f"{COUNTY},{year},250000,1100000,50000,16000\n"
                      f"{OTHER},{year},900000,9000000,600000,21000\n").encode("gb18030"))
    page.goto("/regional/key-counties/52/")
    page.set_input_files("#file-form input[name=file]", str(good))
    page.click("#file-form button[type=submit]")
    page.wait_for_url("**/regional/key-counties/files/*/")
    assert page.locator("#rows tbody tr").count() == 3
    page.goto(f"/regional/key-counties/52/?year={year}")
    page.wait_for_selector("#key-county-chart[data-rendered='1']")
    row = page.locator(f"#key-counties tr[data-county='{COUNTY}']")
    assert row.locator(".ratio").inner_text() == "1.62"  # 36 yuan a resident against 22.2
    screenshot("2-province-key-counties")
    row.locator("a").click()
    page.wait_for_url(f"**/regional/key-counties/{COUNTY}/")
    assert page.locator("#kind").inner_text() == "国家乡村振兴重点帮扶县"
    assert page.locator("#indicators tbody tr").count() == 2
    assert page.locator(f"#indicators tr[data-year='{year}'] .growth").inner_text() == "3.2%"
    screenshot("3-county-indicators-and-tilt")

    analyst = make_user(Role.ANALYST, None, national=True, username="fen.xi")
    _as(page, analyst)
    page.click("nav a[data-nav=key_counties]")
    page.wait_for_selector("#key-county-map[data-map-ready='1']")
    assert page.locator("#provinces tr[data-province]").count() == 6
    screenshot("4-national-map-of-key-counties")
    page.click("#provinces tr[data-province='52'] a")
    page.wait_for_url("**/regional/key-counties/52/")
    assert page.locator("#key-counties tbody tr[data-county]").count() == 20
