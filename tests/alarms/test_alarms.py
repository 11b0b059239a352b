"""The bottom-line alarm in the platform: raised from the ledger, stored with its households,
audited, sent to the county and the province; listed and opened within one's region only."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.management import call_command

from dixian.alarms.actions import do_raise_alarms
from dixian.alarms.models import Alarm
from dixian.cases.machine import Kind, State
from dixian.cases.models import Case, MonitoringSpell
from dixian.core.models import AuditEvent, Notification
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household, Member
from tests.conftest import COUNTY, OTHER_COUNTY, make_user
from tests.registry.builders import VILLAGES, households_and_members

MONTH = "2025-12"
FLOODED = 10


def _spell(household, day, *, ended=True, risks=("ILLNESS",)):
    moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    case = Case.objects.create(household=household, village_code=household.village_id,
                               kind=Kind.IDENTIFICATION, state=State.MONITORED,
                               opened_at=moment, deadline=moment + dt.timedelta(days=15),
                               decided_at=moment, risk_types=list(risks), category="SUDDEN")
    return MonitoringSpell.objects.create(
        household=household, village_code=household.village_id, category="SUDDEN",
        risk_types=list(risks), started_on=day, identification_case=case,
        ended_on=day + dt.timedelta(days=20) if ended else None)


@pytest.fixture
def flooded(users):
    """Two villages of 28 households, an entry every two months in each for two years, then
    a flood: ten households of the first village enter in December 2025."""
    for village in VILLAGES:
        tables = households_and_members(28, village)
        importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    for village in VILLAGES:
        hh = list(Household.objects.filter(village_id=village).order_by("code"))
        for i, month in enumerate(range(0, 23, 2)):
            y, m = divmod(2023 * 12 + 11 + month, 12)  # 2023-12 .. 2025-10
            _spell(hh[i], dt.date(y, m + 1, 10))
    victims = list(Household.objects.filter(village_id=VILLAGES[0]).order_by("-code")[:FLOODED])
    for h in victims:
        _spell(h, dt.date(2025, 12, 3), ended=False, risks=("DISASTER",))
    return sorted(h.code for h in victims)


@pytest.mark.django_db
def test_a_flood_raises_one_alarm_with_its_households_sent_to_county_and_province(
        flooded, users):
    province_admin = users[Role.PROVINCE_ADMIN]
    assert do_raise_alarms(COUNTY, "2025-11") == []
    raised = do_raise_alarms(COUNTY, MONTH)
    assert len(raised) == 1
    alarm = raised[0]
    assert (alarm.area_code, alarm.kind, alarm.month) == (VILLAGES[0], "entry", MONTH)
    assert alarm.observed == FLOODED and alarm.p_value <= alarm.threshold
    assert sorted(alarm.households.values_list("code", flat=True)) == flooded
    told = set(Notification.objects.filter(link=f"/alarms/{alarm.pk}/")
               .values_list("user__username", flat=True))
    assert users[Role.COUNTY_APPROVER].username in told and province_admin.username in told
    assert users[Role.VILLAGE_CADRE].username not in told  # the village is not the county
    event = AuditEvent.objects.get(action="alarm.raise")
    assert event.after["observed"] == FLOODED and event.after["notified"] == len(told)
    # the next night's run raises nothing again
    assert do_raise_alarms(COUNTY, MONTH) == []
    assert Alarm.objects.count() == 1


@pytest.mark.django_db
def test_the_command_runs_the_scan(flooded, capsys):
    call_command("alarm", "run", "--region", COUNTY, "--month", MONTH)
    assert "1 new alarm(s) in 522326" in capsys.readouterr().out
    call_command("alarm", "run", "--all", "--month", MONTH)  # the province: nothing new
    assert "0 new alarm(s) in 52" in capsys.readouterr().out
    assert Alarm.objects.count() == 1


@pytest.mark.django_db
def test_pages_show_alarms_in_scope_only_with_names_masked_by_role(flooded, users, client):
    alarm = do_raise_alarms(COUNTY, MONTH)[0]
    head = Member.objects.filter(household__code=flooded[0], relation_to_head="head").first()
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    page = client.get("/alarms/").content.decode()
    assert f"/alarms/{alarm.pk}/" in page
    detail = client.get(f"/alarms/{alarm.pk}/").content.decode()
    assert all(code in detail for code in flooded)
    assert head.name in detail  # casework roles see names
    client.force_login(users[Role.ANALYST])
    detail = client.get(f"/alarms/{alarm.pk}/").content.decode()
    assert flooded[0] in detail and head.name not in detail and head.name[:1] + "*" in detail
    outsider = make_user(Role.COUNTY_APPROVER, OTHER_COUNTY, username="outsider")
    client.force_login(outsider)
    assert f"/alarms/{alarm.pk}/" not in client.get("/alarms/").content.decode()
    assert client.get(f"/alarms/{alarm.pk}/").status_code == 404
    from dixian.core.models import User

    orphan = User.objects.create(username="orphan", role=Role.COUNTY_APPROVER)  # no region
    client.force_login(orphan)
    assert f"/alarms/{alarm.pk}/" not in client.get("/alarms/").content.decode()
    assert client.get(f"/alarms/{alarm.pk}/").status_code == 404
