"""Status periods, not labels: a household's page says what it is now and since when, in the
word policy used when the period began (防止返贫监测对象 for the transition's records,
防止返贫致贫对象 from 2026: domain-2026.md §2), and a letter uses its decision day's word."""

from datetime import date, datetime

import polars as pl
import pytest
from django.utils import timezone

from dixian.cases.models import MonitoringSpell
from dixian.cases.status import status_now
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.enums import object_term
from dixian.registry.models import Household
from tests.cases.builders import make_monitored
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members


def test_the_word_changes_with_2026_not_before():
    assert object_term("52", date(2025, 12, 31), chinese=True) == "防止返贫监测对象"
    assert object_term("52", date(2026, 1, 1), chinese=True) == "防止返贫致贫对象"


@pytest.fixture
def households(county_regions):
    tables = households_and_members(3, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return list(Household.objects.order_by("code"))


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10))


@pytest.mark.django_db
def test_a_household_is_what_its_latest_period_says(households, client, users):
    old, new, never = households
    spell = make_monitored(old, since=_at(date(2024, 5, 6)), category="UNSTABLE")
    MonitoringSpell.objects.filter(pk=spell.pk).update(ended_on=date(2025, 11, 20),
                                                       elimination_mode="ASSISTED")
    make_monitored(old, since=_at(date(2026, 3, 2)), category="SUDDEN")
    make_monitored(new, since=_at(date(2025, 12, 31)), category="MARGINAL")
    now = status_now(old)
    assert (now.state, now.since, now.periods) == ("monitored", date(2026, 3, 2), 2)
    assert now.text == "防止返贫致贫对象（突发严重困难户）"
    # begun on the transition's last day: its period's word, not today's
    assert status_now(new).text == "防止返贫监测对象（边缘易致贫户）"
    assert status_now(never).state == "never" and status_now(never).since is None
    MonitoringSpell.objects.filter(household=new).update(ended_on=date(2026, 6, 30),
                                                         elimination_mode="NATURAL")
    ended = status_now(new)
    assert ended.state == "eliminated" and ended.since == date(2026, 6, 30)
    assert "风险已消除" in ended.text and "防止返贫监测对象" in ended.text
    client.force_login(users[Role.COUNTY_ADMIN])
    page = client.get(f"/households/{old.code}/").content.decode()
    assert "防止返贫致贫对象（突发严重困难户）" in page and "自 2026-03-02 起" in page
    assert "共 2 个监测时段" in page
    page = client.get(f"/households/{never.code}/").content.decode()
    assert "从未纳入监测" in page


@pytest.mark.django_db
def test_the_letter_and_the_notice_use_the_word_of_their_day(households, client, users):
    from dixian.cases import actions
    from dixian.cases.machine import State
    from dixian.cases.models import Case

    case = actions.do_receive_clue(households[0], channel="self_declaration",
                                   risk_type="ILLNESS").case
    Case.objects.filter(pk=case.pk).update(state=State.NOTICE,
                                           notice_started_at=timezone.now())
    client.force_login(users[Role.VILLAGE_CADRE])
    notice = client.get(f"/notices/{VILLAGE}/").content.decode()
    today = object_term("52", timezone.localdate(), chinese=True)
    assert f"{today}拟纳入及风险消除名单公示" in notice
    Case.objects.filter(pk=case.pk).update(state=State.REJECTED, decision_reason="收入较高",
                                           decided_at=_at(date(2025, 6, 1)))
    letter = client.get(f"/cases/{case.pk}/letter/").content.decode()
    assert "暂不符合纳入防止返贫监测对象的条件" in letter
    Case.objects.filter(pk=case.pk).update(decided_at=_at(date(2026, 2, 10)))
    letter = client.get(f"/cases/{case.pk}/letter/").content.decode()
    assert "暂不符合纳入防止返贫致贫对象的条件" in letter


@pytest.mark.django_db
def test_the_household_list_says_what_each_is_now_and_since_when(households, client, users):
    old, new, never = households
    make_monitored(old, since=_at(date(2024, 5, 6)), category="UNSTABLE")
    make_monitored(new, since=_at(date(2026, 3, 2)), category="SUDDEN")
    Household.objects.filter(pk=old.pk).update(risk_eliminated=True, eliminated_month="2025-11")
    client.force_login(users[Role.COUNTY_ADMIN])
    page = client.get("/households/").content.decode()
    rows = {code: page.split(code, 2)[2].split("</tr>")[0] for code in
            (old.code, new.code, never.code)}
    assert "风险已消除，曾为防止返贫监测对象" in rows[old.code] and "2025-11" in rows[old.code]
    assert "防止返贫致贫对象（突发严重困难户）" in rows[new.code] and "2026-03" in rows[new.code]
    assert "监测对象" not in rows[never.code]
