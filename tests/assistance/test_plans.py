"""Plans, instrument checks, R4 issues, department delivery, bulk update and coverage."""

from datetime import date, timedelta

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dixian.assistance import actions, plans
from dixian.assistance.coverage import coverage
from dixian.assistance.models import Measure, PlanIssue, SuggestionRecord
from dixian.core.access import NotFound
from dixian.core.models import AuditEvent, Notification
from dixian.core.roles import Department, Role
from dixian.engine.scope import RegionScope
from dixian.registry import importing
from dixian.registry.models import Household, Member
from tests.cases.builders import make_monitored
from tests.conftest import COUNTY, VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.fixture
def monitored(county_regions):
    tables = households_and_members(3, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    household = Household.objects.get(code=f"{VILLAGE}0001")
    Member.objects.filter(household=household, relation_to_head="head").update(
        health="chronic")
    make_monitored(household, since=timezone.now() - timedelta(days=40))
    return household


@pytest.fixture
def medical_officer(county_regions):
    return make_user(Role.DEPARTMENT_OFFICER, COUNTY, username="li.medical")


def _head(household):
    return household.members.get(relation_to_head="head").member_id


@pytest.mark.django_db
def test_suggestions_become_measures_with_an_audit_row_and_a_notification(monitored, users,
                                                                          medical_officer):
    today = timezone.localdate()
    suggested = plans.suggestions(monitored, today)
    assert suggested and suggested[0].basis == "rules"
    health = next(s for s in suggested if s.category == "HEALTH")
    officer = make_user(Role.DEPARTMENT_OFFICER, COUNTY, username="health.officer")
    officer.department = health.department
    officer.save()
    items = [actions.Item(instrument=health.instrument, risk_type="ILLNESS",
                          member_id=(health.member_refs or ("",))[0])]
    created = actions.do_plan_measures(
        monitored, items, actor=users[Role.COUNTY_APPROVER],
        suggested=[{"instrument": s.instrument} for s in suggested], basis="rules")
    measure = created[0]
    assert measure.department == health.department and measure.status == "planned"
    # 30 days after identification, or today when that has passed (40 days ago here).
    assert measure.due_on == max(monitored.spells.get().started_on + timedelta(days=30), today)
    assert SuggestionRecord.objects.get(household=monitored).chosen == [health.instrument]
    assert AuditEvent.objects.filter(action="assistance.plan").count() == 1
    assert Notification.objects.filter(user=officer,
                                       link=f"/measures/?id={measure.pk}").exists()
    assert not Notification.objects.filter(user=medical_officer).exists() or \
        health.department == "medical_insurance"


@pytest.mark.django_db
def test_a_batch_with_one_failing_instrument_check_changes_nothing(monitored, users):
    items = [actions.Item(instrument="MEDICAL_ASSISTANCE", risk_type="ILLNESS",
                          member_id=_head(monitored)),
             actions.Item(instrument="MICROCREDIT", member_id=_head(monitored),
                          amount=actions.parse_amount("60000"))]
    with pytest.raises(ValidationError, match="50,000"):
        actions.do_plan_measures(monitored, items, actor=users[Role.COUNTY_APPROVER])
    assert not Measure.objects.exists()


@pytest.mark.django_db
def test_only_monitored_or_fast_track_households_receive_measures(monitored, users):
    from dixian.cases import actions as cases

    other = Household.objects.get(code=f"{VILLAGE}0002")
    item = [actions.Item(instrument="TEMPORARY_ASSISTANCE", risk_type="DISASTER")]
    with pytest.raises(ValidationError, match="只能安排给监测对象"):
        actions.do_plan_measures(other, item, actor=users[Role.TOWNSHIP_REVIEWER])
    cases.do_receive_clue(other, channel="department_alert", risk_type="DISASTER")
    assert actions.do_plan_measures(other, item, actor=users[Role.TOWNSHIP_REVIEWER])


@pytest.mark.django_db
def test_a_rule_violation_opens_and_closes_with_the_plan(monitored, users, medical_officer):
    now = timezone.now()
    issues = actions.refresh_issues(monitored, now)
    assert "R4-ILL" in {i.rule_id for i in issues}
    # Within the 30 days after identification, so the measure is not late.
    monitored.spells.update(started_on=timezone.localdate(now) - timedelta(days=10))
    measure = actions.do_plan_measures(
        monitored, [actions.Item(instrument="MEDICAL_ASSISTANCE", risk_type="ILLNESS",
                                 member_id=_head(monitored))],
        actor=users[Role.COUNTY_APPROVER])[0]
    open_rules = set(PlanIssue.objects.filter(household=monitored, status="open")
                     .values_list("rule_id", flat=True))
    assert "R4-ILL" not in open_rules
    assert PlanIssue.objects.get(rule_id="R4-ILL").status == "fixed"
    assert measure.department == "medical_insurance"


@pytest.mark.django_db
def test_the_department_delivers_with_evidence_and_only_its_own_measures(monitored, users,
                                                                         medical_officer):
    measure = actions.do_plan_measures(
        monitored, [actions.Item(instrument="MEDICAL_PREMIUM_SUBSIDY", risk_type="ILLNESS",
                                 member_id=_head(monitored))],
        actor=users[Role.COUNTY_APPROVER])[0]
    with pytest.raises(ValidationError, match="实施证明"):  # in the platform's language
        actions.do_update_measure(measure.pk, actor=medical_officer, status="implemented")
    done = actions.do_update_measure(measure.pk, actor=medical_officer, status="implemented",
                                     on=date(2025, 3, 1), evidence="参保缴费凭证 No. 88")
    assert done.implemented_on == date(2025, 3, 1) and done.officer == medical_officer
    with pytest.raises(ValidationError, match="不能退回"):
        actions.do_update_measure(measure.pk, actor=medical_officer, status="planned")
    civil = make_user(Role.DEPARTMENT_OFFICER, COUNTY, username="civil")
    civil.department = Department.CIVIL_AFFAIRS
    civil.save()
    with pytest.raises(NotFound):
        actions.do_update_measure(measure.pk, actor=civil, status="ended")


@pytest.mark.django_db
def test_bulk_update_is_all_or_nothing_with_row_and_column(monitored, users, medical_officer):
    ms = actions.do_plan_measures(monitored, [
        actions.Item(instrument="MEDICAL_PREMIUM_SUBSIDY", member_id=_head(monitored)),
        actions.Item(instrument="MEDICAL_ASSISTANCE", risk_type="ILLNESS",
                     member_id=_head(monitored))], actor=users[Role.COUNTY_APPROVER])
    bad = (f"措施编号,状态,日期,实施证明\n{ms[0].pk},已实施,2025-03-01,凭证1\n"
           f"{ms[1].pk},done,2025-03-01,凭证2\n").encode()
    with pytest.raises(ValidationError, match=r"m\.csv 第3行，“状态”列：'done'"):
        actions.do_bulk_update(bad, "m.csv", actor=medical_officer)
    assert not Measure.objects.filter(status="implemented").exists()
    good = bad.replace(b",done,", ",已实施,".encode())
    assert actions.do_bulk_update(good, "m.csv", actor=medical_officer) == 2
    assert Measure.objects.filter(status="implemented").count() == 2


@pytest.mark.django_db
def test_coverage_counts_measures_labour_and_lags(monitored, users):
    actions.do_plan_measures(monitored, [
        actions.Item(instrument="WORKSHOP_JOB", member_id=_head(monitored))],
        actor=users[Role.COUNTY_APPROVER])
    c = coverage(RegionScope.of(COUNTY), timezone.localdate())
    assert (c.monitored, c.with_measure, c.measure_share) == (1, 1, 1.0)
    assert c.with_labour == 1 and c.labour_with_development == 0  # planned, not implemented
    measure = Measure.objects.get()
    actions.do_update_measure(measure.pk, actor=users[Role.COUNTY_APPROVER],
                              status="implemented", evidence="车间用工合同")
    c = coverage(RegionScope.of(COUNTY), timezone.localdate())
    assert c.development_share == 1.0
    assert c.days_identification_to_measure == 40  # monitored 40 days ago, planned today


@pytest.mark.django_db
def test_the_plan_page_offers_suggestions_to_officials_only(client, monitored, users):
    client.force_login(users[Role.COUNTY_APPROVER])
    page = client.get(f"/plans/{monitored.code}/").content.decode()
    # The plan page shows the rules as they stand today, before any nightly refresh.
    assert 'id="suggestions"' in page and 'data-rule="R4-ILL"' in page
    client.force_login(users[Role.ANALYST])
    assert 'id="suggestions"' not in client.get(f"/plans/{monitored.code}/").content.decode()


@pytest.mark.django_db
def test_coverage_by_sub_region_stays_within_scope(client, monitored, users):
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    assert client.get(f"/assistance/coverage/?region={VILLAGE}").status_code == 200
    assert client.get(f"/assistance/coverage/?region={COUNTY}").status_code == 404


@pytest.mark.django_db
def test_the_coverage_page_counts_in_the_database(client, monitored, users,
                                                  django_assert_max_num_queries):
    """The shares are counted by sub-queries, a fixed number of queries whatever the size of
    the county (its ids are not brought into Python and sent back)."""
    actions.do_plan_measures(monitored, [
        actions.Item(instrument="WORKSHOP_JOB", member_id=_head(monitored))],
        actor=users[Role.COUNTY_APPROVER])
    client.force_login(users[Role.COUNTY_APPROVER])
    with django_assert_max_num_queries(16):
        page = client.get("/assistance/coverage/")
    assert page.status_code == 200
