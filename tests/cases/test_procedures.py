"""Risk elimination (R6), returns to poverty, clues from every channel, monthly visits, the
concentrated screening, escalation, schedules and the API."""

from datetime import date, timedelta

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dixian.assistance.models import Measure
from dixian.cases import actions, monitoring
from dixian.cases.machine import Action, Kind, State
from dixian.cases.models import Case, Clue
from dixian.core.models import Notification
from dixian.core.roles import Level, Role
from dixian.registry import importing
from dixian.registry.models import Household, Member
from tests.cases.builders import make_monitored, make_ready_for_elimination, months_back
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members


@pytest.fixture
def households(county_regions):
    tables = households_and_members(4, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return list(Household.objects.order_by("code"))


def _walk_elimination(case, users, now):
    later = now + timedelta(days=6)
    steps = [
        (Action.RECORD_VISIT, Role.VILLAGE_CADRE, {"consent_date": now.date()}, now),
        (Action.RECORD_DATA_MATCH, Role.COUNTY_ADMIN, {}, now),
        (Action.PROPOSE, Role.VILLAGE_CADRE, {"participants": "村民代表11人",
                                              "minutes": "同意标注风险消除"}, now),
        (Action.CLOSE_NOTICE, Role.VILLAGE_CADRE, {}, later),
        (Action.TOWNSHIP_APPROVE, Role.TOWNSHIP_REVIEWER, {}, later),
        (Action.COUNTY_APPROVE, Role.COUNTY_APPROVER, {"mode": "ASSISTED"}, later),
        (Action.ELIMINATE, Role.VILLAGE_CADRE, {}, later),
    ]
    for action, role, data, when in steps:
        case = actions.do_transition(case.pk, action, actor=users[role],
                                     expected_state=case.state, data=data, now=when)
    return case


# ------------------------------------------------------------------ risk elimination (R6)
@pytest.mark.django_db
def test_an_elimination_runs_the_whole_chain_and_keeps_the_values(households, users):
    household = households[0]
    now = timezone.now()
    spell = make_ready_for_elimination(household, now)
    loan = Measure.objects.create(household=household, village_code=household.village_id,
                                  category="FINANCE", instrument="MICROCREDIT",
                                  department="agriculture_rural", status="implemented",
                                  planned_on=spell.started_on, due_on=spell.started_on,
                                  implemented_on=spell.started_on)
    case = actions.do_propose_elimination(household, actor=users[Role.VILLAGE_CADRE], now=now)
    assert case.kind == Kind.ELIMINATION and case.state == State.VISIT
    case = _walk_elimination(case, users, now)
    assert case.state == State.ELIMINATED and case.elimination_mode == "ASSISTED"
    assert all(c["ok"] for c in case.decision_values["r6"].values())
    assert case.decision_values["after"]["housing_grade"] == "B"
    assert case.decision_values["continuing"] == [
        {"measure": loan.pk, "instrument": "MICROCREDIT", "until": "contract_end"}]
    assert not case.flagged_for_supervisors
    household.refresh_from_db()
    assert household.risk_eliminated and household.elimination_mode == "ASSISTED"
    spell = household.spells.get()
    assert spell.ended_on == timezone.localdate(now + timedelta(days=6))
    assert spell.elimination_case == case


def _refusal(household, users, now):
    with pytest.raises(actions.EliminationRefused) as refused:
        actions.do_propose_elimination(household, actor=users[Role.VILLAGE_CADRE], now=now)
    return {c.name for c in refused.value.conditions}


@pytest.mark.django_db
def test_elimination_is_refused_before_six_months(households, users):
    now = timezone.now()
    make_ready_for_elimination(households[0], now, months_monitored=4)
    assert _refusal(households[0], users, now) == {"months_monitored"}


@pytest.mark.django_db
def test_elimination_is_refused_without_an_implemented_measure(households, users):
    now = timezone.now()
    make_ready_for_elimination(households[0], now)
    Measure.objects.update(status="in_progress")
    assert _refusal(households[0], users, now) == {"measures"}


@pytest.mark.django_db
def test_elimination_is_refused_when_income_is_not_stably_above_the_line(households, users):
    now = timezone.now()
    make_ready_for_elimination(households[0], now)
    # Three bad months, four months ago: the 12-month income still clears the line, but a
    # single month of no income is not what unstable means; drop the income instead.
    households[0].incomes.filter(period__in=months_back(now, 18)[:12]).update(wage=100)
    assert "income_stable" in _refusal(households[0], users, now)


@pytest.mark.django_db
def test_elimination_is_refused_with_unresolved_rigid_spending(households, users):
    now = timezone.now()
    make_ready_for_elimination(households[0], now)
    households[0].incomes.filter(period=months_back(now, 1)[0]).update(
        compliant_oop_medical=60000)
    assert _refusal(households[0], users, now) == {"rigid_spending"}


@pytest.mark.django_db
@pytest.mark.parametrize("field,value", [("housing_grade", "D"), ("safe_drinking_water", False),
                                         ("dropout_flag", True),
                                         ("uninsured_member_flag", True)])
def test_elimination_is_refused_with_a_three_guarantees_or_water_problem(households, users,
                                                                         field, value):
    now = timezone.now()
    make_ready_for_elimination(households[0], now)
    Household.objects.filter(pk=households[0].pk).update(**{field: value})
    assert _refusal(Household.objects.get(pk=households[0].pk), users, now) == {
        "three_guarantees"}


@pytest.mark.django_db
def test_a_household_where_no_one_can_work_stays_monitored(households, users):
    now = timezone.now()
    make_ready_for_elimination(households[0], now)
    Member.objects.filter(household=households[0]).update(labour_skill="lost")
    assert _refusal(households[0], users, now) == {"has_labour"}


@pytest.mark.django_db
def test_elimination_is_refused_after_a_new_risk(households, users):
    now = timezone.now()
    make_ready_for_elimination(households[0], now)
    actions.do_receive_clue(households[0], channel="department_alert", risk_type="HOUSING_SAFETY")
    assert _refusal(households[0], users, now) == {"no_new_risk"}


@pytest.mark.django_db
def test_only_a_monitored_household_can_be_proposed_and_only_by_the_village_or_township(
        households, users):
    with pytest.raises(ValidationError, match="只有监测对象"):
        actions.do_propose_elimination(households[0], actor=users[Role.VILLAGE_CADRE])
    make_ready_for_elimination(households[0])
    with pytest.raises(PermissionDenied):
        actions.do_propose_elimination(households[0], actor=users[Role.COUNTY_APPROVER])


@pytest.mark.django_db
def test_a_condition_that_fails_later_stops_the_county(households, users):
    now = timezone.now()
    make_ready_for_elimination(households[0], now)
    case = actions.do_propose_elimination(households[0], actor=users[Role.VILLAGE_CADRE],
                                          now=now)
    Household.objects.filter(pk=households[0].pk).update(housing_grade="C")
    with pytest.raises(ValidationError, match="未保障|Not assured"):
        _walk_elimination(case, users, now)
    assert Case.objects.get(pk=case.pk).state == State.TOWNSHIP_REVIEW


@pytest.mark.django_db
def test_a_fast_elimination_is_flagged_for_supervisors(households, users, set_policy):
    set_policy("52", {"procedure.elimination_min_months": 0})
    now = timezone.now()
    make_ready_for_elimination(households[0], now, months_monitored=1)
    case = actions.do_propose_elimination(households[0], actor=users[Role.VILLAGE_CADRE],
                                          now=now)
    assert _walk_elimination(case, users, now).flagged_for_supervisors


# ------------------------------------------------------------------ after exit
@pytest.mark.django_db
def test_monitored_again_within_twelve_months_is_a_return_to_poverty(households, users):
    now = timezone.now()
    household = households[0]
    make_ready_for_elimination(household, now - timedelta(days=60))
    case = actions.do_propose_elimination(household, actor=users[Role.VILLAGE_CADRE],
                                          now=now - timedelta(days=60))
    _walk_elimination(case, users, now - timedelta(days=60))
    clue = actions.do_receive_clue(household, channel="department_alert", risk_type="ILLNESS")
    assert clue.case.kind == Kind.IDENTIFICATION and clue.case.state == State.CLUE
    Case.objects.filter(pk=clue.case_id).update(state=State.ANNOUNCED, category="SUDDEN")
    actions.do_transition(clue.case_id, Action.ENTER, actor=users[Role.VILLAGE_CADRE],
                          expected_state=State.ANNOUNCED)
    spells = list(household.spells.order_by("started_on"))
    assert [s.is_return for s in spells] == [False, True]
    assert spells[0].ended_on is not None and spells[1].ended_on is None


# ------------------------------------------------------------------ channels
@pytest.mark.django_db
def test_a_clue_for_a_monitored_household_adds_its_new_risk(households):
    household = households[0]
    spell = make_monitored(household, since=timezone.now() - timedelta(days=40))
    clue = actions.do_receive_clue(household, channel="cadre_visit", risk_type="EDUCATION")
    assert clue.case == spell.identification_case
    spell.refresh_from_db()
    household.refresh_from_db()
    assert spell.risk_types == household.risk_types == ["ILLNESS", "EDUCATION"]
    assert Case.objects.filter(household=household).count() == 1


@pytest.mark.django_db
def test_a_cadre_raises_a_clue_and_a_second_one_joins_the_case(households, users):
    first = monitoring.do_raise_clue(households[1], actor=users[Role.VILLAGE_CADRE],
                                     risk_type="DISABILITY", description="户主因车祸致残")
    second = monitoring.do_raise_clue(households[1], actor=users[Role.TOWNSHIP_REVIEWER],
                                      risk_type="ILLNESS", description="来电反映")
    assert first.channel == "cadre_visit" and first.case_id == second.case_id
    with pytest.raises(PermissionDenied):
        monitoring.do_raise_clue(households[1], actor=users[Role.ANALYST], risk_type="OTHER",
                                 description="x")


@pytest.mark.django_db
def test_a_split_from_a_monitored_household_is_followed(households, users):
    from dixian.registry.actions import do_split_household

    make_monitored(households[0], since=timezone.now() - timedelta(days=40))
    son = households[0].members.get(relation_to_head="son")
    new = do_split_household(households[0], [son.member_id], f"{VILLAGE}0099",
                             actor=users[Role.VILLAGE_CADRE])
    clue = Clue.objects.get(case__household=new)
    assert clue.channel == "associated" and clue.risk_type == "ILLNESS"


@pytest.mark.django_db
def test_alerts_become_clues_once_and_not_for_what_is_already_known(households, users,
                                                                    settings, tmp_path):
    from dixian.engine.scope import RegionScope
    from dixian.exchange import actions as exchange

    settings.MEDIA_ROOT = tmp_path
    ids = {h.code: h.members.get(relation_to_head="head") for h in households[:3]}
    from dixian.core import pii

    lines = ["结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付"]
    for k, member in enumerate(ids.values()):
        resident_id = pii.decrypt(member.resident_id_enc, "resident_id")
        lines.append(f"C{k},{resident_id},住院,2025-05-20,90000,40000")
    exchange.do_upload_feed("\n".join(lines).encode(), "m_2025-05.csv",
                            department="medical_insurance", actor=users[Role.DEPARTMENT_OFFICER])
    make_monitored(households[0], since=timezone.now() - timedelta(days=40))  # ILLNESS already
    actions.do_receive_clue(households[1], channel="cadre_visit", risk_type="ILLNESS")
    run = exchange.do_run_screening(RegionScope.of(VILLAGE[:6]), "2025-05")
    outcomes = dict(run.alerts.values_list("household__code", "outcome"))
    # The engine itself leaves out households monitored for the alert's risk.
    assert households[0].code not in outcomes
    assert outcomes[households[1].code] == "under_review"
    assert outcomes[households[2].code] == "clue"
    clues = {a.clue for a in run.alerts.filter(household=households[2])}
    assert len(clues) == 1  # three medical rules fired: one clue for the risk
    clue = clues.pop()
    assert clue.channel == "department_alert" and clue.case.state == State.CLUE
    again = exchange.do_run_screening(RegionScope.of(VILLAGE[:6]), "2025-05")
    assert set(again.alerts.filter(household=households[2]).values_list(
        "outcome", flat=True)) == {"under_review"}
    assert Clue.objects.filter(case__household=households[2]).count() == 1


@pytest.mark.django_db
def test_schedules_run_when_due_with_their_department_rules(households, settings, tmp_path):
    from dixian.exchange import actions as exchange
    from dixian.exchange.models import ScreeningSchedule

    settings.MEDIA_ROOT = tmp_path
    today = date(2025, 6, 10)
    medical = ScreeningSchedule.objects.create(scope_code=VILLAGE[:6],
                                               department="medical_insurance", every_days=10,
                                               next_run_on=today)
    ScreeningSchedule.objects.create(scope_code=VILLAGE[:6], every_days=30,
                                     next_run_on=today + timedelta(days=5))
    runs = exchange.do_run_due_schedules(today)
    assert [r.schedule for r in runs] == [medical]
    assert set(runs[0].rules) == set(exchange.rules_of("medical_insurance")) != set()
    medical.refresh_from_db()
    assert medical.next_run_on == today + timedelta(days=10)
    assert exchange.do_run_due_schedules(today) == []


# ------------------------------------------------------------------ monthly monitoring
@pytest.mark.django_db
def test_a_monthly_visit_confirms_incomes_and_guarantees_and_can_raise_a_risk(households,
                                                                              users):
    now = timezone.now()
    household = households[0]
    make_monitored(household, since=now - timedelta(days=130))
    cadre = users[Role.VILLAGE_CADRE]
    month = f"{timezone.localdate(now):%Y-%m}"
    assert household in [s.household for s in monitoring.visits_due(cadre, month)]
    missed = monitoring.missed_visits(cadre, now)
    assert [m for h, m in missed if h == household] == months_back(now, 3)
    prefill = monitoring.visit_prefill(household, month)
    assert prefill.values["housing_grade"] == "B"
    monitoring.do_record_visit(household, month, actor=cadre, visited_on=timezone.localdate(now),
                               values={**prefill.values, "wage": 2100, "housing_grade": "C"},
                               new_risk="HOUSING_SAFETY", note="房屋墙体开裂")
    household.refresh_from_db()
    assert household.housing_grade == "C" and household.incomes.get(period=month).wage == 2100
    assert household.changes.filter(field="housing_grade", source="visit").exists()
    assert household.risk_types == ["ILLNESS", "HOUSING_SAFETY"]
    assert household not in [s.household for s in monitoring.visits_due(cadre, month)]
    with pytest.raises(ValidationError, match="已经登记"):  # in the platform's language
        monitoring.do_record_visit(household, month, actor=cadre,
                                   visited_on=timezone.localdate(now),
                                   values={})


# ------------------------------------------------------------------ concentrated screening
@pytest.mark.django_db
def test_a_county_launches_a_screening_and_villages_complete_it(households, users):
    admin, cadre = users[Role.COUNTY_ADMIN], users[Role.VILLAGE_CADRE]
    campaign = monitoring.do_launch_campaign(VILLAGE[:6], actor=admin, name="2025年集中排查",
                                             criterion="poverty_alleviated",
                                             due_on=date(2025, 12, 31))
    expected = {h.code for h in households if h.household_type == "poverty_alleviated"}
    assert {t.household.code for t in campaign.tasks.all()} == expected
    first, second = campaign.tasks.order_by("household__code")[:2]
    monitoring.do_record_campaign_visit(first.pk, actor=cadre, visited_on=date(2025, 11, 2),
                                        outcome="no_risk")
    monitoring.do_record_campaign_visit(second.pk, actor=cadre, visited_on=date(2025, 11, 2),
                                        outcome="risk", risk_type="EDUCATION",
                                        note="两个孩子读高中")
    progress = monitoring.campaign_progress(campaign, admin)
    assert progress == [{"village_code": VILLAGE, "total": 2, "done": 2, "risks": 1,
                         "name": progress[0]["name"], "share": 1.0}]
    assert Clue.objects.get(case__household=second.household).channel == \
        "concentrated_screening"
    with pytest.raises(PermissionDenied):
        monitoring.do_launch_campaign(VILLAGE[:6], actor=cadre, name="x", criterion="all",
                                      due_on=date(2025, 12, 31))


# ------------------------------------------------------------------ deadlines
@pytest.mark.django_db
def test_overdue_cases_are_escalated_once_per_level_with_a_notification(households, users):
    clue = actions.do_receive_clue(households[0], channel="self_declaration",
                                   risk_type="ILLNESS")
    approver = users[Role.COUNTY_APPROVER]
    assert actions.do_escalate_overdue(timezone.now()) == 0
    later = timezone.now() + timedelta(days=16)
    assert actions.do_escalate_overdue(later) == 1
    assert actions.do_escalate_overdue(later) == 0  # once
    case = Case.objects.get(pk=clue.case_id)
    assert case.escalated_to_level == Level.COUNTY
    assert Notification.objects.filter(user=approver, link=f"/cases/{case.pk}/").count() == 1
    assert actions.do_escalate_overdue(later + timedelta(days=7)) == 1
    assert Case.objects.get(pk=case.pk).escalated_to_level == Level.PREFECTURE


@pytest.mark.django_db
def test_the_disaster_fast_track_starts_assistance_before_approval(households, users):
    disaster = actions.do_receive_clue(households[0], channel="department_alert",
                                       risk_type="DISASTER").case
    illness = actions.do_receive_clue(households[1], channel="cadre_visit",
                                      risk_type="ILLNESS").case
    reviewer = users[Role.TOWNSHIP_REVIEWER]
    case = actions.do_transition(disaster.pk, Action.START_ASSISTANCE, actor=reviewer,
                                 expected_state=State.CLUE, data={"assistance": "临时救助"})
    assert case.assistance_started_at and case.state == State.CLUE
    with pytest.raises(ValidationError, match="快速通道"):
        actions.do_transition(illness.pk, Action.START_ASSISTANCE, actor=reviewer,
                              expected_state=State.CLUE, data={"assistance": "临时救助"})


@pytest.mark.django_db
def test_the_deadline_is_a_parameter_of_the_province(county_regions, set_policy):
    tables = households_and_members(1, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    set_policy("52", {"procedure.identification_sla_days": 20})
    case = actions.do_receive_clue(Household.objects.get(), channel="cadre_visit",
                                   risk_type="ILLNESS").case
    assert case.deadline - case.opened_at == timedelta(days=20)


# ------------------------------------------------------------------ API
@pytest.mark.django_db
def test_the_api_takes_steps_and_reports_conflicts(client, households, users):
    case = actions.do_receive_clue(households[0], channel="cadre_visit",
                                   risk_type="ILLNESS").case
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    listed = client.get("/api/procedures/cases").json()
    assert [c["id"] for c in listed["items"]] == [case.pk]
    assert listed["items"][0]["actions"] == ["accept"]
    step = {"action": "accept", "expected_state": "clue"}
    response = client.post(f"/api/procedures/cases/{case.pk}/steps", step,
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "visit"
    again = client.post(f"/api/procedures/cases/{case.pk}/steps", step,
                        content_type="application/json")
    assert again.status_code == 409
    client.force_login(users[Role.VILLAGE_CADRE])
    refused = client.post(f"/api/procedures/households/{households[1].code}/elimination")
    assert refused.status_code == 400 and "监测对象" in refused.json()["detail"]
    clue = client.post("/api/procedures/clues", {"household": households[1].code,
                                                 "risk_type": "ILLNESS",
                                                 "description": "住院"},
                       content_type="application/json")
    assert clue.status_code == 200 and clue.json()["channel"] == "cadre_visit"
    assert client.get("/api/procedures/inbox").json()["cases"] >= 1


# ------------------------------------------------------------------ pages
@pytest.mark.django_db
def test_the_household_page_shows_both_spells_and_why_elimination_is_refused(client,
                                                                            households,
                                                                            users):
    now = timezone.now()
    make_ready_for_elimination(households[0], now, months_monitored=3)
    client.force_login(users[Role.VILLAGE_CADRE])
    page = client.get(f"/monitoring/{households[0].code}/").content.decode()
    assert 'data-condition="months_monitored" data-ok="0"' in page
    assert 'data-condition="measures" data-ok="1"' in page
    response = client.post(f"/monitoring/{households[0].code}/eliminate/", follow=True)
    assert "R6" in response.content.decode() and not Case.objects.filter(
        kind=Kind.ELIMINATION).exists()


@pytest.mark.django_db
def test_the_queue_renders_thousands_of_cases_with_a_bounded_number_of_queries(
        client, users, django_assert_max_num_queries):
    from dixian.core.models import Region

    village = Region.objects.get(code=VILLAGE)
    Household.objects.bulk_create([Household(code=f"{VILLAGE}{k:04d}", village=village,
                                             household_type="ordinary", source="import")
                                   for k in range(1, 5001)])
    now = timezone.now()
    Case.objects.bulk_create([Case(household_id=pk, village_code=VILLAGE, state="visit",
                                   opened_at=now, deadline=now + timedelta(days=k % 20 - 5))
                              for k, pk in enumerate(Household.objects.values_list("pk",
                                                                                   flat=True))])
    client.force_login(users[Role.COUNTY_APPROVER])
    with django_assert_max_num_queries(9):  # + 1: the approved policy changes, once
        page = client.get("/cases/").content.decode()
    assert page.count('href="/cases/') >= 50 and "5000" in page
    with django_assert_max_num_queries(9):  # + 1: the approved policy changes, once
        assert client.get("/cases/?overdue=1&page=3").status_code == 200


@pytest.mark.django_db
def test_the_inbox_lists_what_waits_for_each_role(client, households, users):
    now = timezone.now()
    make_monitored(households[0], since=now - timedelta(days=70))
    case = actions.do_receive_clue(households[1], channel="cadre_visit",
                                   risk_type="ILLNESS").case
    client.force_login(users[Role.VILLAGE_CADRE])
    page = client.get("/inbox/").content.decode()
    assert f'href="/cases/{case.pk}/"' in page  # a village cadre may accept a clue
    assert f"/monitoring/{households[0].code}/visits/" in page
    client.force_login(users[Role.COUNTY_APPROVER])
    page = client.get("/inbox/").content.decode()
    assert f'href="/cases/{case.pk}/"' not in page  # nothing at the county's step yet


@pytest.mark.django_db
def test_the_county_admin_is_asked_for_the_data_match_until_it_is_recorded(households, users):
    admin = users[Role.COUNTY_ADMIN]
    case = actions.do_receive_clue(households[0], channel="cadre_visit",
                                   risk_type="ILLNESS").case
    assert case not in actions.waiting_for(admin)  # a clue is not matched yet
    Case.objects.filter(pk=case.pk).update(state=State.VISIT)
    assert case in actions.waiting_for(admin)
    actions.do_transition(case.pk, Action.RECORD_DATA_MATCH, actor=admin,
                          expected_state=State.VISIT)
    assert case not in actions.waiting_for(admin)
    assert case in actions.waiting_for(users[Role.VILLAGE_CADRE])  # the visit is theirs
