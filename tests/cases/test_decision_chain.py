"""Who decides is policy (``procedure.decision_level``): Guizhou adopts the joint chain by an
approved change, and the cases opened from then on are decided by the township, the county
overseeing; the cases already under way keep the county's approval (domain-2026.md §4)."""

from datetime import date, timedelta

import polars as pl
import pytest
from django.utils import timezone

from dixian.cases import actions
from dixian.cases.machine import Action, Chain, State
from dixian.cases.models import Case
from dixian.cases.params import procedure_params
from dixian.core.roles import Role
from dixian.policy import actions as policy_actions
from dixian.registry import importing
from dixian.registry.models import Household
from tests.conftest import VILLAGE, make_user
from tests.registry.builders import households_and_members

VISIT = {"consent_date": date(2025, 3, 1), "consent_confirmed": True, "net_income": 3000,
         "rigid_spending": 0}


def _joint_chain_in_guizhou():
    maker = make_user(Role.POLICY_ADMIN, "52", username="maker")
    checker = make_user(Role.POLICY_ADMIN, "52", username="checker")
    today = timezone.localdate()
    change = policy_actions.do_propose_policy_change(
        actor=maker, region="52", title="防止返贫致贫对象与农村低收入人口统筹认定",
        basis_number="黔民发〔2026〕1号", basis_date=today,
        basis_text="乡镇人民政府负责受理、调查、审核和认定，县级统筹。", effective_from=today,
        values=[{"parameter": "procedure.decision_level", "value": "township"}])
    policy_actions.do_approve_policy_change(change, actor=checker, reason="同意")


@pytest.fixture
def households(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return list(Household.objects.order_by("code"))


def test_the_national_chain_is_the_countys_and_heilongjiang_decides_at_the_township():
    assert procedure_params("522326")["decision_level"] == "county"
    assert procedure_params("230828", date(2025, 3, 19))["decision_level"] == "township"
    assert procedure_params("230828", date(2025, 3, 18))["decision_level"] == "county"


@pytest.mark.django_db
def test_the_township_decides_under_the_joint_chain(households, users, client):
    before = actions.do_receive_clue(households[1], channel="cadre_visit",
                                     risk_type="ILLNESS").case
    _joint_chain_in_guizhou()
    case = actions.do_receive_clue(households[0], channel="self_declaration",
                                   risk_type="ILLNESS").case
    assert (before.chain, case.chain) == (Chain.COUNTY, Chain.TOWNSHIP)
    steps = [(Action.ACCEPT, Role.TOWNSHIP_REVIEWER, {}),
             (Action.RECORD_DATA_MATCH, Role.COUNTY_ADMIN, {}),
             (Action.RECORD_VISIT, Role.VILLAGE_CADRE, VISIT),
             (Action.PROPOSE, Role.VILLAGE_CADRE, {"participants": "12人", "minutes": "同意"})]
    for action, role, data in steps:
        case = actions.do_transition(case.pk, action, actor=users[role],
                                     expected_state=case.state, data=data)
    later = timezone.now() + timedelta(days=5, minutes=1)
    case = actions.do_transition(case.pk, Action.CLOSE_NOTICE, actor=users[Role.VILLAGE_CADRE],
                                 expected_state=State.NOTICE, now=later)
    township, approver = users[Role.TOWNSHIP_REVIEWER], users[Role.COUNTY_APPROVER]
    assert actions.offered(case, township) == [Action.TOWNSHIP_APPROVE, Action.TOWNSHIP_RETURN,
                                               Action.TOWNSHIP_REJECT]
    assert case in actions.waiting_for(township, now=later)
    assert case not in actions.waiting_for(approver, now=later)
    case = actions.do_transition(case.pk, Action.TOWNSHIP_APPROVE, actor=township,
                                 expected_state=State.TOWNSHIP_REVIEW, now=later,
                                 data={"reason": "经乡镇审核认定"})
    # the township's approval is the decision: R2's category and the values, announced
    assert case.state == State.ANNOUNCED and case.category == "UNSTABLE"
    assert case.decided_at == later and "低于监测范围" in case.decision_reason
    assert case.decision_values["typed_reason"] == "经乡镇审核认定"
    assert actions.offered(case, approver) == []
    case = actions.do_transition(case.pk, Action.ENTER, actor=township,
                                 expected_state=State.ANNOUNCED, now=later)
    assert case.state == State.MONITORED
    client.force_login(users[Role.VILLAGE_CADRE])
    letter = client.get(f"/cases/{case.pk}/letter/").content.decode()
    assert "乡镇审核认定" in letter and "县级审定" not in letter
    # the case opened before the change is still the county's to approve
    actions.do_transition(before.pk, Action.ACCEPT, actor=township, expected_state="clue")
    Case.objects.filter(pk=before.pk).update(state=State.COUNTY_APPROVAL)
    assert actions.offered(Case.objects.get(pk=before.pk), approver)[:2] == [
        Action.COUNTY_APPROVE, Action.COUNTY_REJECT]


@pytest.mark.django_db
def test_the_township_refuses_with_its_reason_and_the_letter_says_it(households, users,
                                                                      client):
    _joint_chain_in_guizhou()
    case = actions.do_receive_clue(households[0], channel="self_declaration",
                                   risk_type="ILLNESS").case
    Case.objects.filter(pk=case.pk).update(state=State.TOWNSHIP_REVIEW,
                                           data_matched_at=timezone.now())
    township = users[Role.TOWNSHIP_REVIEWER]
    client.force_login(township)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="township_reject"' in page and 'data-action="county_approve"' not in page
    assert "乡镇认定（统筹认定，县级监督）" in page
    with pytest.raises(Exception, match="理由|reason"):
        actions.do_transition(case.pk, Action.TOWNSHIP_REJECT, actor=township,
                              expected_state=State.TOWNSHIP_REVIEW)
    case = actions.do_transition(case.pk, Action.TOWNSHIP_REJECT, actor=township,
                                 expected_state=State.TOWNSHIP_REVIEW,
                                 data={"reason": "家庭人均纯收入明显高于监测范围"})
    assert case.state == State.REJECTED and case.decided_at is not None
    client.force_login(users[Role.VILLAGE_CADRE])
    letter = client.get(f"/cases/{case.pk}/letter/").content.decode()
    assert "家庭人均纯收入明显高于监测范围" in letter
