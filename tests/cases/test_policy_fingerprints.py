"""Letters, notices and elimination decisions say which policy they used (issue 11, item 6):
the fingerprint of ``dixian.engine.policy.resolve(region, on)``."""

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from dixian.cases import actions
from dixian.cases.machine import Action, State
from dixian.cases.models import Case
from dixian.core.roles import Role
from dixian.engine import policy
from tests.cases.builders import make_ready_for_elimination
from tests.cases.test_machine import _ready
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members


@pytest.fixture
def household(county_regions):
    import polars as pl

    from dixian.registry import importing
    from dixian.registry.models import Household

    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return Household.objects.get(code=f"{VILLAGE}0001")


@pytest.fixture
def case(household):
    return actions.do_receive_clue(household, channel="self_declaration",
                                   risk_type="ILLNESS").case


def _reference_day(opened: Case) -> dt.date:
    today = timezone.localdate()
    month = opened.opened_at.strftime("%Y-%m")
    return today if month == today.strftime("%Y-%m") else dt.date.fromisoformat(month + "-01")


@pytest.mark.django_db
def test_the_letter_shows_the_fingerprint_of_the_policy_its_figures_used(client, case, users):
    _ready(case, State.COUNTY_APPROVAL)
    actions.do_transition(case.pk, Action.COUNTY_REJECT, actor=users[Role.COUNTY_APPROVER],
                          expected_state=State.COUNTY_APPROVAL,
                          data={"reason": "家庭人均纯收入明显高于监测范围"})
    expected = policy.resolve(VILLAGE, _reference_day(case)).fingerprint
    client.force_login(users[Role.VILLAGE_CADRE])
    letter = client.get(f"/cases/{case.pk}/letter/").content.decode()
    assert f'id="policy-fingerprint">{expected}<' in letter
    assert "政策版本指纹" in letter  # the letter is in Chinese whatever the reader's language
    assert str(policy.resolve(VILLAGE, _reference_day(case))["income.monitoring_line"]) \
        in letter.replace(",", "")


@pytest.mark.django_db
def test_a_letter_names_the_decisions_policy_when_it_differs(client, case, users):
    _ready(case, State.MONITORED)
    Case.objects.filter(pk=case.pk).update(decision_values={"r2": {"policy": "0123abcd4567"}})
    client.force_login(users[Role.VILLAGE_CADRE])
    letter = client.get(f"/cases/{case.pk}/letter/").content.decode()
    assert 'id="decision-policy">0123abcd4567<' in letter


@pytest.mark.django_db
def test_the_village_notice_shows_the_policy_it_used(client, case, users):
    _ready(case, State.NOTICE)
    client.force_login(users[Role.VILLAGE_CADRE])
    page = client.get(f"/notices/{VILLAGE}/").content.decode()
    expected = policy.resolve(VILLAGE, dt.date.today()).fingerprint
    assert f'id="policy-fingerprint">{expected}<' in page


@pytest.mark.django_db
def test_an_elimination_keeps_the_fingerprint_of_its_policy(household, users):
    from dixian.registry.models import Household

    other = Household.objects.get(code=f"{VILLAGE}0002")
    now = timezone.now()
    make_ready_for_elimination(other, now)
    proposed = actions.do_propose_elimination(other, actor=users[Role.VILLAGE_CADRE], now=now)
    later = now + timedelta(days=6)
    steps = [(Action.RECORD_VISIT, Role.VILLAGE_CADRE, {"consent_date": now.date()}, now),
             (Action.RECORD_DATA_MATCH, Role.COUNTY_ADMIN, {}, now),
             (Action.PROPOSE, Role.VILLAGE_CADRE, {"participants": "村民代表11人",
                                                   "minutes": "同意"}, now),
             (Action.CLOSE_NOTICE, Role.VILLAGE_CADRE, {}, later),
             (Action.TOWNSHIP_APPROVE, Role.TOWNSHIP_REVIEWER, {}, later),
             (Action.COUNTY_APPROVE, Role.COUNTY_APPROVER, {"mode": "ASSISTED"}, later),
             (Action.ELIMINATE, Role.VILLAGE_CADRE, {}, later)]
    for action, role, data, when in steps:
        proposed = actions.do_transition(proposed.pk, action, actor=users[role],
                                         expected_state=proposed.state, data=data, now=when)
    assert proposed.state == State.ELIMINATED
    assert proposed.decision_values["policy"] == policy.resolve(
        other.village_id, timezone.localdate(later)).fingerprint
