"""The procedures' state machine, exhaustively: every kind, state, action and role."""

import itertools
from datetime import date, timedelta

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dixian.cases import actions
from dixian.cases.machine import CHAINS, Action, Chain, Kind, State, allowed
from dixian.cases.models import Case, CaseEvent
from dixian.core.access import NotFound
from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household
from tests.cases.builders import make_ready_for_elimination
from tests.conftest import VILLAGE, make_user
from tests.registry.builders import households_and_members

FULL_DATA = {
    "consent_date": date(2025, 3, 1), "consent_confirmed": True,
    "net_income": 3000, "rigid_spending": 0,  # verified at the visit (the registry's is stale)
    "participants": "村两委5人、村民代表12人", "minutes": "一致同意纳入",
    "objection": "邻居反映该户有商品房", "reason": "经核实收入高于监测范围",
    "mode": "ASSISTED", "assistance": "临时救助2000元",
}


# Who may take which step, in which state: written from domain.md (§2.2, §4, R3, R6), NOT
# from dixian.cases.machine.TRANSITIONS, so a change to the code's table fails here.
#   village   = VILLAGE_CADRE     (入户核实, 民主评议 + 公示, 录入建档: "village")
#   township  = TOWNSHIP_REVIEWER (accepts self-declarations within 2 days [VL S4]; 乡级审核;
#                                  结果公告 "township, in the village"; 录入建档 "village/township")
#   county    = COUNTY_APPROVER   (县级审批); COUNTY_ADMIN runs the county's data matching
#                                  (信息比对, "township → county dept", in parallel, R3 step 3)
# Risk elimination mirrors identification (§4: verification → village review and notice →
# township → county approval and announcement → mark eliminated); it starts at the visit.
# Objections to the notice [I]: recorded by the village, township or county (anyone who
# receives one); the disaster fast track [V S62, VL S94]: the township or county starts
# assistance before approval, identification only, in any open state before the announcement.
V, T, C, A = Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER, Role.COUNTY_ADMIN
ID, EL = "identification", "elimination"
PRE_ANNOUNCEMENT = ("clue", "visit", "village_review", "notice", "township_review",
                    "county_approval")
EXPECTED_STEPS = [  # (action, kinds, states, roles)
    ("accept", {ID}, {"clue"}, {V, T}),
    ("record_visit", {ID, EL}, {"visit"}, {V}),
    ("record_data_match", {ID, EL}, {"visit", "village_review", "notice", "township_review"},
     {A}),
    ("propose", {ID, EL}, {"village_review"}, {V}),
    ("decline", {ID, EL}, {"village_review"}, {V}),
    ("record_objection", {ID, EL}, {"notice"}, {V, T, C}),
    ("close_notice", {ID, EL}, {"notice"}, {V}),
    ("township_approve", {ID, EL}, {"township_review"}, {T}),
    ("township_return", {ID, EL}, {"township_review"}, {T}),
    ("county_approve", {ID, EL}, {"county_approval"}, {C}),
    ("county_reject", {ID, EL}, {"county_approval"}, {C}),
    ("enter", {ID}, {"announced"}, {V, T}),
    ("eliminate", {EL}, {"announced"}, {V, T}),
    ("start_assistance", {ID}, set(PRE_ANNOUNCEMENT), {T, C}),
]
EXPECTED_TARGET = {"accept": "visit", "record_visit": "village_review", "propose": "notice",
                   "decline": "not_proposed", "record_objection": "village_review",
                   "close_notice": "township_review", "township_approve": "county_approval",
                   "township_return": "village_review", "county_approve": "announced",
                   "county_reject": "rejected", "enter": "monitored", "eliminate": "eliminated",
                   "record_data_match": None, "start_assistance": None}

# The joint chain (domain-2026.md §4, Heilongjiang's 《低收入人口认定办法(暂行)》 [VL T25]: the
# village takes in and publishes, the township investigates, reviews and determines (认定),
# the county coordinates): the township's approval announces the decision, or it refuses;
# nobody approves at the county, which still receives objections and runs the data match;
# the fast track runs in every open state before the announcement (none is the county's).
JOINT_STEPS = [
    *[step for step in EXPECTED_STEPS if step[0] not in (
        "township_approve", "county_approve", "county_reject", "start_assistance")],
    ("township_approve", {ID, EL}, {"township_review"}, {T}),
    ("township_reject", {ID, EL}, {"township_review"}, {T}),
    ("start_assistance", {ID}, set(PRE_ANNOUNCEMENT) - {"county_approval"}, {T, C}),
]
JOINT_TARGET = {**EXPECTED_TARGET, "township_approve": "announced",
                "township_reject": "rejected"}
EXPECTED = {"county": (EXPECTED_STEPS, EXPECTED_TARGET), "township": (JOINT_STEPS, JOINT_TARGET)}


def expected_actions(kind: str, state: str, role: Role, chain: str = "county") -> set[str]:
    return {action for action, kinds, states, roles in EXPECTED[chain][0]
            if kind in kinds and state in states and role in roles}


def test_the_expected_tables_cover_every_chain_and_action_of_the_code():
    assert set(EXPECTED) == {c.value for c in Chain}
    assert {a for steps, _ in EXPECTED.values() for a, *_ in steps} == {a.value for a in Action}


@pytest.fixture
def household(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return Household.objects.get(code=f"{VILLAGE}0001")


@pytest.fixture
def case(household):
    clue = actions.do_receive_clue(household, channel="self_declaration", risk_type="ILLNESS")
    return clue.case


@pytest.fixture
def elimination_case(household, users):
    other = Household.objects.get(code=f"{VILLAGE}0002")
    make_ready_for_elimination(other)
    return actions.do_propose_elimination(other, actor=users[Role.VILLAGE_CADRE])


def _ready(case: Case, state: State, chain: str = "county") -> None:
    """Put the case in ``state`` with every precondition of the next steps met."""
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        state=state, chain=chain, data_matched_at=now, notice_started_at=now - timedelta(days=6),
        category="MARGINAL", fast_track=True,
        decision_values={"visit": {"net_income": 3000, "rigid_spending": 0}},
        elimination_mode="ASSISTED" if case.kind == Kind.ELIMINATION else "")


@pytest.mark.django_db
@pytest.mark.parametrize("chain", ["county", "township"])
def test_every_kind_state_action_and_role(chain, case, elimination_case, users):
    from django.db import transaction

    surprises = []
    targets = EXPECTED[chain][1]
    for subject, state, action, (role, user) in itertools.product(
            (case, elimination_case), State, Action, users.items()):
        _ready(subject, state, chain)
        expected = action.value in expected_actions(subject.kind, state, role, chain)
        try:
            with transaction.atomic():
                moved = actions.do_transition(subject.pk, action, actor=user,
                                              expected_state=state, data=FULL_DATA)
                transaction.set_rollback(True)
            outcome = True
            target = targets[action.value] or state
            if moved.state != target:
                surprises.append(f"{subject.kind} {state} {action} {role}: went to "
                                 f"{moved.state}")
        except (PermissionDenied, ValidationError):
            outcome = False
        if outcome != expected:
            surprises.append(f"{subject.kind} {state} --{action}--> as {role}: "
                             f"{'allowed' if outcome else 'refused'}, expected "
                             f"{'allowed' if expected else 'refused'}")
    assert surprises == [], "\n".join(surprises)


@pytest.mark.django_db
def test_every_role_sees_exactly_its_actions():
    for chain, kind, state, role in itertools.product(Chain, Kind, State, Role):
        offered = {a.value for a in allowed(kind, state, role, chain)}
        assert offered == expected_actions(kind, state, role, chain), (chain, kind, state,
                                                                       role)
    assert allowed(Kind.IDENTIFICATION, State.COUNTY_APPROVAL, Role.COUNTY_APPROVER) == [
        Action.COUNTY_APPROVE, Action.COUNTY_REJECT, Action.START_ASSISTANCE]  # 2021 chain


@pytest.mark.django_db
def test_a_whole_identification_from_clue_to_monitored(case, users):
    steps = [
        (Action.ACCEPT, Role.TOWNSHIP_REVIEWER, {}),
        (Action.RECORD_DATA_MATCH, Role.COUNTY_ADMIN, {}),
        (Action.RECORD_VISIT, Role.VILLAGE_CADRE, {"consent_date": date(2025, 3, 1),
                                                    "consent_confirmed": True,
                                                    "net_income": 3000, "rigid_spending": 0}),
        (Action.PROPOSE, Role.VILLAGE_CADRE, {"participants": "12人", "minutes": "同意"}),
    ]
    for action, role, data in steps:
        case = actions.do_transition(case.pk, action, actor=users[role],
                                     expected_state=case.state, data=data)
    assert case.state == State.NOTICE
    with pytest.raises(ValidationError, match="公示不少于5天"):
        actions.do_transition(case.pk, Action.CLOSE_NOTICE, actor=users[Role.VILLAGE_CADRE],
                              expected_state=State.NOTICE)
    later = timezone.now() + timedelta(days=5, minutes=1)
    for action, role, data in [
        (Action.CLOSE_NOTICE, Role.VILLAGE_CADRE, {}),
        (Action.TOWNSHIP_APPROVE, Role.TOWNSHIP_REVIEWER, {}),
        (Action.COUNTY_APPROVE, Role.COUNTY_APPROVER, {}),
        (Action.ENTER, Role.TOWNSHIP_REVIEWER, {}),
    ]:
        case = actions.do_transition(case.pk, action, actor=users[role],
                                     expected_state=case.state, data=data, now=later)
    assert case.state == State.MONITORED
    household = case.household
    household.refresh_from_db()
    # Household 0001 is poverty-alleviated; its registry income (two months of 2025) is too
    # old to judge, so R2 decides on the verified 3,000 yuan for three: UNSTABLE.
    assert case.category == "UNSTABLE" and "低于监测范围" in case.decision_reason
    assert household.monitoring_category == "UNSTABLE" and household.risk_types == ["ILLNESS"]
    assert household.spells.get().started_on == timezone.localdate(later)
    assert CaseEvent.objects.filter(case=case).count() == 8
    assert AuditEvent.objects.filter(action__startswith="case.").count() == 9  # + the clue


@pytest.mark.django_db
def test_two_reviewers_cannot_both_decide(case, users):
    _ready(case, State.COUNTY_APPROVAL)
    approver = users[Role.COUNTY_APPROVER]
    other = make_user(Role.COUNTY_APPROVER, "522326", username="second-approver")
    actions.do_transition(case.pk, Action.COUNTY_APPROVE, actor=approver,
                          expected_state=State.COUNTY_APPROVAL)
    with pytest.raises(actions.Conflict):
        actions.do_transition(case.pk, Action.COUNTY_REJECT, actor=other,
                              expected_state=State.COUNTY_APPROVAL, data={"reason": "收入高"})
    assert Case.objects.get(pk=case.pk).state == State.ANNOUNCED


@pytest.mark.django_db
def test_a_second_clue_joins_the_open_case(household):
    first = actions.do_receive_clue(household, channel="self_declaration", risk_type="ILLNESS")
    second = actions.do_receive_clue(household, channel="department_alert",
                                     risk_type="DISASTER", reference="alert-17")
    assert first.case_id == second.case_id
    case = Case.objects.get(pk=first.case_id)
    assert case.risk_types == ["ILLNESS", "DISASTER"] and case.fast_track
    assert case.deadline - case.opened_at == timedelta(days=15)


@pytest.mark.django_db
def test_nobody_acts_outside_their_region(case, user_in):
    stranger = user_in(Role.TOWNSHIP_REVIEWER, "522326102", username="other-township")
    with pytest.raises(NotFound):
        actions.do_transition(case.pk, Action.ACCEPT, actor=stranger, expected_state="clue")
    assert Case.objects.get(pk=case.pk).state == State.CLUE


@pytest.mark.django_db
def test_overdue_cases_are_listed(case, users):
    later = timezone.now() + timedelta(days=16)
    assert list(actions.overdue(users[Role.COUNTY_APPROVER], now=later)) == [case]
    assert list(actions.overdue(users[Role.COUNTY_APPROVER])) == []


@pytest.mark.django_db
def test_the_case_page_offers_exactly_the_allowed_actions_and_takes_a_step(client, case, users):
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="accept"' in page and 'data-action="record_visit"' not in page
    response = client.post(f"/cases/{case.pk}/act/", {"action": "accept",
                                                       "expected_state": "clue"})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.VISIT
    # The same form sent again (a double click, a second reviewer) changes nothing.
    client.post(f"/cases/{case.pk}/act/", {"action": "accept", "expected_state": "clue"})
    assert CaseEvent.objects.filter(case=case).count() == 1
    client.force_login(users[Role.VILLAGE_CADRE])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="record_visit"' in page and 'data-action="accept"' not in page


@pytest.mark.django_db
def test_the_village_notice_shows_the_proposed_households_and_nothing_private(client, case,
                                                                            users):
    _ready(case, State.NOTICE)
    client.force_login(users[Role.VILLAGE_CADRE])
    page = client.get(f"/notices/{VILLAGE}/").content.decode()
    head = case.household.members.get(relation_to_head="head")
    assert head.name in page and "公示期" in page
    plain_id = head.resident_id_masked[:4]
    assert head.resident_id_masked not in page and plain_id + "*" not in page
    for private in ("138", "健康", "因病", "ILLNESS"):
        assert private not in page.split("本公示不公开")[0]


@pytest.mark.django_db
def test_the_letter_explains_the_decision_with_values_and_how_to_object(client, case, users):
    _ready(case, State.COUNTY_APPROVAL)
    actions.do_transition(case.pk, Action.COUNTY_REJECT, actor=users[Role.COUNTY_APPROVER],
                          expected_state=State.COUNTY_APPROVAL,
                          data={"reason": "家庭人均纯收入明显高于监测范围"})
    client.force_login(users[Role.VILLAGE_CADRE])
    letter = client.get(f"/cases/{case.pk}/letter/").content.decode()
    assert "暂不符合" in letter and "家庭人均纯收入明显高于监测范围" in letter
    assert "如有异议" in letter and "因病" in letter  # the household's own difficulty
    assert "8700" in letter or "8,700" in letter  # the line the values were compared with


@pytest.mark.django_db
def test_the_queue_page_needs_the_same_few_queries_for_many_cases(client, users,
                                                                  django_assert_max_num_queries):
    tables = households_and_members(30, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    for household in Household.objects.all():
        actions.do_receive_clue(household, channel="cadre_visit", risk_type="ILLNESS")
    client.force_login(users[Role.COUNTY_APPROVER])
    # + 1: the policy's approved changes, read once per process (dixian.policy.bridge)
    with django_assert_max_num_queries(9):
        page = client.get("/cases/").content.decode()
    assert page.count("href=\"/cases/") >= 30


@pytest.mark.parametrize("chain", list(Chain))
def test_every_action_and_requirement_is_in_the_procedures_doc(chain):
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "procedures.md").read_text()
    section = doc.split(f"(`{chain.value}`", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) == len(CHAINS[chain]), f"{chain}: rows for other actions in the doc"
    for action, transition in CHAINS[chain].items():
        row = next((line for line in rows if line.startswith(f"| `{action}` |")), None)
        assert row is not None, f"{action} is missing from docs/procedures.md ({chain})"
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == ", ".join(sorted(k.value for k in transition.kinds)), action
        assert cells[2] == ", ".join(sorted(s.value for s in transition.sources)), action
        assert cells[3] == (transition.target.value if transition.target else "(stays)")
        assert cells[4] == ", ".join(sorted(r.value for r in transition.roles)), action
        assert cells[5] == (", ".join(transition.requires) or "—"), action
