"""Assistance in a real browser: a county official assigns measures from a suggestion; a
health-insurance officer marks a premium subsidy delivered; a rule violation appears and
disappears when the plan is fixed."""

from datetime import timedelta

import polars as pl
import pytest
from django.utils import timezone

from dixian.assistance import actions
from dixian.assistance.models import Measure
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household, Member
from tests.browser.test_journey_procedures import _as
from tests.cases.builders import make_monitored
from tests.conftest import COUNTY, VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.fixture
def monitored(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    household = Household.objects.get(code=f"{VILLAGE}0001")
    Member.objects.filter(household=household, relation_to_head="head").update(health="chronic")
    make_monitored(household, since=timezone.now() - timedelta(days=5))
    return household


@pytest.mark.browser
def test_a_county_official_assigns_measures_from_a_suggestion(page, screenshot, monitored):
    approver = make_user(Role.COUNTY_APPROVER, COUNTY, username="chen.county")
    _as(page, approver)
    page.goto(f"/plans/{monitored.code}/")
    boxes = page.locator("#suggestions input[name=choose]")
    assert boxes.count() >= 3
    screenshot("1-suggestions-with-reasons")
    first = boxes.nth(0).get_attribute("data-instrument")
    boxes.nth(0).check()
    page.locator("#suggestions input[data-instrument=WORKSHOP_JOB]").first.check()
    page.click("#suggestions button.primary")
    page.wait_for_url(f"**/plans/{monitored.code}/")
    rows = page.locator("#plan-measures tbody tr")
    assert rows.count() == 2
    assert {first, "WORKSHOP_JOB"} == {r.get_attribute("data-instrument")
                                       for r in rows.all()}
    screenshot("2-measures-assigned")


@pytest.mark.browser
def test_a_medical_insurance_officer_marks_a_premium_subsidy_delivered(page, screenshot,
                                                                      monitored):
    approver = make_user(Role.COUNTY_APPROVER, COUNTY, username="chen.county")
    officer = make_user(Role.DEPARTMENT_OFFICER, COUNTY, username="li.medical")
    head = monitored.members.get(relation_to_head="head").member_id
    measure = actions.do_plan_measures(monitored, [actions.Item(
        instrument="MEDICAL_PREMIUM_SUBSIDY", risk_type="ILLNESS", member_id=head)],
        actor=approver)[0]
    _as(page, officer)
    page.click("[data-nav=inbox]")
    from dixian.engine import assistance as engine

    said = page.locator("#notifications").inner_text()
    # The measure by its name and the household by its head's name, not by their codes.
    assert engine.DEFAULT.instruments["MEDICAL_PREMIUM_SUBSIDY"].zh in said
    assert "MEDICAL_PREMIUM_SUBSIDY" not in said
    assert monitored.members.get(relation_to_head="head").name in said
    page.click("[data-nav=measures]")
    form = page.locator(f"form[data-measure='{measure.pk}']")
    form.locator("select[name=status]").select_option("implemented")
    form.locator("input[name=evidence]").fill("城乡居民医保参保资助到账凭证 2025-0312")
    screenshot("1-board")
    form.locator("button").click()
    page.wait_for_url("**/measures/")
    measure.refresh_from_db()
    assert measure.status == "implemented" and measure.officer == officer
    page.goto("/measures/?status=implemented")
    assert page.locator(f"#board tr[data-household='{monitored.code}']").count() == 1
    screenshot("2-delivered")


@pytest.mark.browser
def test_a_rule_violation_appears_and_disappears_when_fixed(page, screenshot, monitored):
    approver = make_user(Role.COUNTY_APPROVER, COUNTY, username="chen.county")
    actions.refresh_issues(monitored, timezone.now())
    _as(page, approver)
    page.goto(f"/plans/{monitored.code}/")
    assert page.locator("#plan-issues [data-rule=R4-ILL]").count() == 1
    screenshot("1-violation")
    page.goto("/assistance/issues/")
    assert monitored.code in page.locator("#issues").inner_text()
    page.goto(f"/plans/{monitored.code}/")
    page.locator("#suggestions input[data-instrument=MEDICAL_ASSISTANCE], "
                 "#suggestions input[data-instrument=FAMILY_DOCTOR]").first.check()
    page.click("#suggestions button.primary")
    page.wait_for_url(f"**/plans/{monitored.code}/")
    assert page.locator("#plan-issues [data-rule=R4-ILL]").count() == 0
    assert Measure.objects.filter(household=monitored).count() == 1
    screenshot("2-violation-gone")
