"""The procedures in a real browser: a medical alert becomes a monitored household through
every step; an objection during the notice; a risk elimination refused, then accepted; the
disaster fast track. A screenshot at each step (test-artifacts/screenshots/)."""

from datetime import timedelta

import polars as pl
import pytest
from django.utils import timezone

from dixian.cases.machine import State
from dixian.cases.models import Case
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household
from tests.browser.test_journey_registry import _login
from tests.cases.builders import make_ready_for_elimination
from tests.conftest import COUNTY, TOWNSHIP, VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.fixture
def people(county_regions):
    return {
        Role.VILLAGE_CADRE: make_user(Role.VILLAGE_CADRE, VILLAGE, username="zhang.cadre"),
        Role.TOWNSHIP_REVIEWER: make_user(Role.TOWNSHIP_REVIEWER, TOWNSHIP,
                                          username="liu.township"),
        Role.COUNTY_APPROVER: make_user(Role.COUNTY_APPROVER, COUNTY, username="chen.county"),
        Role.COUNTY_ADMIN: make_user(Role.COUNTY_ADMIN, COUNTY, username="wu.admin"),
        Role.DEPARTMENT_OFFICER: make_user(Role.DEPARTMENT_OFFICER, COUNTY,
                                           username="li.medical"),
    }


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(4, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return tables


def _as(page, user):
    page.goto("/")
    if page.locator("button.link:has-text('退出')").count():
        page.click("button.link:has-text('退出')")
    _login(page, user)


def _step(page, case_id: int, action: str, fields: dict | None = None, check: str = ""):
    page.goto(f"/cases/{case_id}/")
    form = page.locator(f"form[data-action={action}]")
    for name, value in (fields or {}).items():
        box = form.locator(f"[name={name}]")
        if value is True:
            box.check()
        elif box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)
    form.locator("button").click()
    page.wait_for_url(f"**/cases/{case_id}/")
    state = page.locator("#state").get_attribute("data-state")
    if check:
        assert state == check, page.locator(".messages").all_inner_texts()
    return state


@pytest.mark.browser
def test_a_medical_alert_becomes_a_monitored_household(page, screenshot, registry, people,
                                                      settings, tmp_path):
    from dixian.engine.scope import RegionScope
    from dixian.exchange import actions as exchange

    settings.MEDIA_ROOT = tmp_path
    patient = registry["members"].to_pylist()[3]  # a member of household 0002
    claims = ("结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"
              f"C1,{patient['resident_id']},住院,2025-05-20,96000,31000\n")
    exchange.do_upload_feed(claims.encode(), "医保结算_2025-05.csv",
                            department="medical_insurance",
                            actor=people[Role.DEPARTMENT_OFFICER])
    exchange.do_run_screening(RegionScope.of(COUNTY), "2025-05",
                              actor=people[Role.COUNTY_ADMIN])
    case = Case.objects.get(household__code=patient["household_code"])

    _as(page, people[Role.TOWNSHIP_REVIEWER])
    page.click("[data-nav=inbox]")
    assert page.locator(f"#case-tasks a[href='/cases/{case.pk}/']").count() == 1
    screenshot("01-inbox-with-the-alert-clue")
    page.goto(f"/cases/{case.pk}/")
    assert "31,000" in page.locator("#clues").inner_text()  # the alert's sentence
    screenshot("02-clue-from-the-medical-alert")
    _step(page, case.pk, "accept", check=State.VISIT)
    screenshot("03-accepted")

    _as(page, people[Role.COUNTY_ADMIN])
    _step(page, case.pk, "record_data_match", check=State.VISIT)
    screenshot("04-data-matched")

    _as(page, people[Role.VILLAGE_CADRE])
    _step(page, case.pk, "record_visit", {"consent_date": "2025-05-28",
                                          "consent_confirmed": True, "net_income": "30000",
                                          "rigid_spending": "31000",
                                          "findings": "户主住院，家庭收入骤降"},
          check=State.VILLAGE_REVIEW)
    screenshot("05-visited-with-consent")
    _step(page, case.pk, "propose", {"participants": "村两委5人、村民代表12人",
                                     "minutes": "一致同意提名"}, check=State.NOTICE)
    page.goto(f"/notices/{VILLAGE}/")
    assert page.locator("#notice").inner_text().count("纳入监测") == 1
    assert patient["resident_id"] not in page.content()
    screenshot("06-village-notice")
    # Five days of notice pass.
    Case.objects.filter(pk=case.pk).update(
        notice_started_at=timezone.now() - timedelta(days=6))
    _step(page, case.pk, "close_notice", check=State.TOWNSHIP_REVIEW)
    screenshot("07-notice-closed")

    _as(page, people[Role.TOWNSHIP_REVIEWER])
    _step(page, case.pk, "township_approve", check=State.COUNTY_APPROVAL)
    screenshot("08-township-approved")

    _as(page, people[Role.COUNTY_APPROVER])
    page.goto(f"/cases/{case.pk}/")
    assert page.locator("#preview [data-category]").get_attribute("data-category") == "SUDDEN"
    screenshot("09-county-sees-the-category-by-rule")
    _step(page, case.pk, "county_approve", check=State.ANNOUNCED)
    assert page.locator("#category").get_attribute("data-category") == "SUDDEN"
    screenshot("10-approved")

    _as(page, people[Role.VILLAGE_CADRE])
    _step(page, case.pk, "enter", check=State.MONITORED)
    screenshot("11-monitored")
    page.goto(f"/cases/{case.pk}/letter/")
    # decided in 2026 or later: the 2026 word (domain-2026.md §2), not the transition's
    assert "纳入防止返贫致贫对象" in page.content() and "突发严重困难户" in page.content()
    screenshot("12-letter")
    household = Household.objects.get(code=patient["household_code"])
    assert household.monitoring_category == "SUDDEN" and household.spells.count() == 1


@pytest.mark.browser
def test_an_objection_during_the_notice_goes_back_to_the_village(page, screenshot, registry,
                                                                people):
    from dixian.cases import actions

    household = Household.objects.get(code=f"{VILLAGE}0003")
    case = actions.do_receive_clue(household, channel="self_declaration",
                                   risk_type="ILLNESS").case
    Case.objects.filter(pk=case.pk).update(state=State.NOTICE, notice_started_at=timezone.now())
    _as(page, people[Role.TOWNSHIP_REVIEWER])
    _step(page, case.pk, "record_objection", {"objection": "村民电话反映该户在县城有商品房"},
          check=State.VILLAGE_REVIEW)
    assert page.locator("#events [data-step=record_objection]").count() == 1
    screenshot("objection-back-to-review")
    _as(page, people[Role.VILLAGE_CADRE])
    page.goto(f"/notices/{VILLAGE}/")
    assert page.locator("#notice tbody").inner_text().count("纳入监测") == 0
    screenshot("notice-without-the-household")


@pytest.mark.browser
def test_risk_elimination_refused_then_accepted(page, screenshot, registry, people):
    too_early = Household.objects.get(code=f"{VILLAGE}0001")
    ready = Household.objects.get(code=f"{VILLAGE}0002")
    make_ready_for_elimination(too_early, months_monitored=3)
    make_ready_for_elimination(ready)

    _as(page, people[Role.VILLAGE_CADRE])
    page.goto(f"/monitoring/{too_early.code}/")
    assert page.locator("[data-condition=months_monitored]").get_attribute("data-ok") == "0"
    page.click("#propose-elimination button")
    page.wait_for_url(f"**/monitoring/{too_early.code}/")
    assert "R6" in page.locator(".messages").inner_text()
    screenshot("1-refused-with-reasons")
    assert not Case.objects.filter(household=too_early, kind="elimination").exists()

    page.goto(f"/monitoring/{ready.code}/")
    page.click("#propose-elimination button")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(household=ready, kind="elimination")
    assert page.locator("#conditions li[data-ok='1']").count() == 7
    screenshot("2-elimination-case-opened")
    _step(page, case.pk, "record_visit", {"consent_date": "2025-06-01"},
          check=State.VILLAGE_REVIEW)
    _step(page, case.pk, "propose", {"participants": "村民代表11人", "minutes": "同意"},
          check=State.NOTICE)
    page.goto(f"/notices/{VILLAGE}/")
    assert "风险消除" in page.locator("#notice").inner_text()
    screenshot("3-notice-of-elimination")
    Case.objects.filter(pk=case.pk).update(notice_started_at=timezone.now() - timedelta(days=6),
                                           data_matched_at=timezone.now())
    _step(page, case.pk, "close_notice", check=State.TOWNSHIP_REVIEW)
    _as(page, people[Role.TOWNSHIP_REVIEWER])
    _step(page, case.pk, "township_approve", check=State.COUNTY_APPROVAL)
    _as(page, people[Role.COUNTY_APPROVER])
    _step(page, case.pk, "county_approve", {"mode": "ASSISTED"}, check=State.ANNOUNCED)
    screenshot("4-county-approved")
    _as(page, people[Role.VILLAGE_CADRE])
    _step(page, case.pk, "eliminate", check=State.ELIMINATED)
    screenshot("5-eliminated")
    page.goto(f"/cases/{case.pk}/letter/")
    assert "风险消除告知书" in page.content() and "帮扶消除" in page.content()
    screenshot("6-letter")
    page.goto(f"/monitoring/{ready.code}/")
    assert page.locator("#spells tbody tr").count() == 1
    assert "帮扶消除" in page.locator("#spells").inner_text()
    screenshot("7-history")


@pytest.mark.browser
def test_the_disaster_fast_track(page, screenshot, registry, people):
    household = Household.objects.get(code=f"{VILLAGE}0004")
    _as(page, people[Role.VILLAGE_CADRE])
    page.goto(f"/monitoring/{household.code}/")
    page.select_option("#raise-clue select[name=risk_type]", "DISASTER")
    page.fill("#raise-clue input[name=description]", "山洪冲毁房屋一间")
    page.click("#raise-clue button")
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get(household=household)
    assert case.fast_track and case.clues.get().channel == "cadre_visit"
    screenshot("1-disaster-clue")
    _as(page, people[Role.TOWNSHIP_REVIEWER])
    _step(page, case.pk, "start_assistance", {"assistance": "临时救助3000元，安排过渡安置"},
          check=State.CLUE)
    assert page.locator("#assistance-started").count() == 1
    screenshot("2-assistance-before-approval")
    _step(page, case.pk, "accept", check=State.VISIT)
    assert page.locator("form[data-action=record_visit]").count() == 0  # the village's step
    screenshot("3-procedure-continues")
