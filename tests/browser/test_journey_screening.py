"""A medical-insurance officer uploads a month of claims; the county runs screening; alerts
appear."""

import polars as pl
import pytest

from dixian.core.roles import Role
from dixian.registry import importing
from tests.browser.test_journey_registry import _file, _login
from tests.conftest import VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.mark.browser
def test_claims_upload_screening_and_alerts(page, screenshot, tmp_path, county_regions,
                                            settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    tables = households_and_members(3, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    patient = tables["members"].to_pylist()[3]
    claims = ("结算编号,身份证号码,姓名,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"
              f"C900,{patient['resident_id']},{patient['name']},住院,2025-05-20,96000,31000\n")
    officer = make_user(Role.DEPARTMENT_OFFICER, "522326", username="li.medical")
    admin = make_user(Role.COUNTY_ADMIN, "522326", username="wu.admin")

    _login(page, officer)
    page.click("[data-nav=feeds]")
    page.set_input_files("input[type=file]", _file(tmp_path, "医保结算_2025-05.csv",
                                                   claims.encode("utf-8")))
    page.click("#feed-form button.primary")
    page.wait_for_url("**/jobs/*/")  # the upload is a background job: its page, then its result
    page.click("#job-result")
    page.wait_for_url("**/feeds/*/")
    assert page.locator("#status").inner_text() == "已接收"
    screenshot("1-claims-accepted")
    page.click("button.link:has-text('退出')")

    _login(page, admin)
    page.click("[data-nav=alerts]")
    page.fill("input[name=period]", "2025-05")
    page.click("#run-screening")
    page.wait_for_url("**/jobs/*/")
    assert "预警" in page.locator("#job-summary").inner_text()
    page.click("#job-result")
    page.wait_for_url("**/alerts/")
    row = page.locator("#alerts tbody tr", has_text=patient["household_code"]).first
    assert "31,000" in row.inner_text()
    screenshot("2-alerts")
    row.locator("td.code a").click()  # the alert (the person links to the household)
    assert "31,000" in page.locator("#sentence").inner_text()
    screenshot("3-alert-evidence")
