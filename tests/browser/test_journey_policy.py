"""A province policy administrator proposes a new income line, previews it, a second one
approves it, and the new line is in force on the household page and in the county's alerts."""

import polars as pl
import pytest
from django.utils import timezone

from dixian.core.roles import Role
from dixian.engine.months import month_add, months_ending
from dixian.registry import importing
from dixian.registry.models import Household, Income
from tests.browser.test_journey_registry import _login
from tests.conftest import VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.mark.browser
def test_propose_preview_approve_and_the_new_line_in_force(page, screenshot, county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    last = month_add(timezone.localdate().strftime("%Y-%m"), -1)
    Income.objects.all().delete()
    for h in Household.objects.all():  # 9,000 yuan a person: above 8,700, below 9,500
        for month in months_ending(last, 12):
            Income.objects.create(household=h, period=month, wage=2250, business=0, property=0,
                                  transfer=0, business_cost=0, source="form")
    maker = make_user(Role.POLICY_ADMIN, "52", username="zhang.policy")
    checker = make_user(Role.POLICY_ADMIN, "52", username="li.policy")
    admin = make_user(Role.COUNTY_ADMIN, "522326", username="wu.admin")
    today = timezone.localdate().isoformat()
    code = f"{VILLAGE}0002"

    _login(page, maker)
    page.click("[data-nav=policy]")
    assert page.locator("tr[data-parameter='income.monitoring_line'] [data-value]"
                        ).inner_text() == "8700"
    page.click("text=提出调整")
    page.fill("input[name=title]", "2026年监测收入标准调整")
    page.fill("input[name=basis_number]", "黔乡振发〔2026〕9号")
    page.fill("input[name=basis_date]", today)
    page.fill("textarea[name=basis_text]", "按农村居民人均可支配收入增幅调整监测收入标准。")
    page.fill("input[name=effective_from]", today)
    page.select_option("select[name=parameter_0]", "income.monitoring_line")
    page.fill("input[name=value_0]", "9500")
    screenshot("1-proposal")
    page.click("#propose")
    page.wait_for_url("**/policy/changes/*/")
    assert page.locator("[data-status]").first.get_attribute("data-status") == "pending"
    page.click("#run-preview")
    page.wait_for_url("**/policy/changes/*/")
    entering = page.locator("#preview-counts [data-kind=entering]").all_inner_texts()
    assert sum(int(n) for n in entering) == 2
    assert page.locator("#approve").count() == 0  # the maker cannot approve
    screenshot("2-preview")
    page.click("button.link:has-text('退出')")

    _login(page, checker)
    page.click("[data-nav=policy]")
    page.click("text=调整记录")
    page.click("text=2026年监测收入标准调整")
    page.fill("textarea[name=reason]", "同意")
    page.click("#approve")
    page.wait_for_url("**/policy/changes/*/")
    assert page.locator("[data-status]").first.get_attribute("data-status") == "approved"
    screenshot("3-approved")
    page.click("button.link:has-text('退出')")

    _login(page, admin)
    page.goto(f"/households/{code}/")
    assert page.locator("#monitoring-line").inner_text().startswith("9500")
    screenshot("4-household-line")
    page.click("[data-nav=alerts]")
    page.fill("input[name=period]", last)
    page.click("#run-screening")
    page.wait_for_url("**/jobs/*/")  # the run is a background job: its page, then its result
    page.click("#job-result")
    page.wait_for_url("**/alerts/**")
    row = page.locator("#alerts tbody tr", has_text=code).first
    assert "R2-INC-02" in row.inner_text() or "9,500" in row.inner_text()
    screenshot("5-alert")
