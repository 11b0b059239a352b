"""The three writes that used to bypass an audited action (issue 11, item 9): a visit that
overwrites a month's income keeps the old value, a schedule moved on is audited, and
notifications are read only by POST."""

from datetime import date, timedelta

import polars as pl
import pytest
from django.utils import timezone

from dixian.cases import monitoring
from dixian.core.models import AuditEvent, Notification
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import FieldChange, Household, Income
from tests.cases.builders import make_monitored
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members


@pytest.fixture
def households(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return list(Household.objects.order_by("code"))


def _month_with_income(household, month, wage):
    Income.objects.update_or_create(household=household, period=month,
                                    defaults={"wage": wage, "source": "import"})


@pytest.mark.django_db
def test_a_visit_over_a_months_income_keeps_the_old_value(households, users):
    now = timezone.now()
    household = households[0]
    make_monitored(household, since=now - timedelta(days=130))
    month = f"{timezone.localdate(now):%Y-%m}"
    _month_with_income(household, month, 1500)
    cadre = users[Role.VILLAGE_CADRE]
    prefill = monitoring.visit_prefill(household, month)
    visit = monitoring.do_record_visit(household, month, actor=cadre,
                                       visited_on=timezone.localdate(now),
                                       values={**prefill.values, "wage": 2100})
    income = household.incomes.get(period=month)
    assert income.wage == 2100 and income.source == "visit"
    assert income.source_ref == f"visit:{month}"
    change = FieldChange.objects.get(household=household, object_type="income", field="wage")
    assert (change.old_value, change.new_value, change.source) == (1500, 2100, "visit")
    assert change.object_key == f"{household.pk}:{month}"
    event = AuditEvent.objects.get(action="monitoring.visit", object_id=str(visit.pk))
    assert event.before["income"]["wage"] == 1500 and event.after["income"]["wage"] == 2100

    # the correction keeps the visit's value as the old one, in both places
    monitoring.do_correct_visit(visit, actor=cadre, visited_on=timezone.localdate(now),
                                values={**prefill.values, "wage": 2400},
                                today=timezone.localdate(now))
    assert household.incomes.get(period=month).wage == 2400
    changes = FieldChange.objects.filter(household=household, object_type="income",
                                         field="wage").order_by("pk")
    assert [(c.old_value, c.new_value) for c in changes] == [(1500, 2100), (2100, 2400)]
    event = AuditEvent.objects.get(action="monitoring.visit_correct")
    assert event.before["income"]["wage"] == 2100 and event.after["income"]["wage"] == 2400


@pytest.mark.django_db
def test_a_visit_for_a_new_month_creates_it_with_no_old_value(households, users):
    now = timezone.now()
    household = households[1]
    make_monitored(household, since=now - timedelta(days=130))
    month = f"{timezone.localdate(now):%Y-%m}"
    Income.objects.filter(household=household, period=month).delete()
    visit = monitoring.do_record_visit(household, month, actor=users[Role.VILLAGE_CADRE],
                                       visited_on=timezone.localdate(now), values={"wage": 900})
    assert household.incomes.get(period=month).wage == 900
    assert not FieldChange.objects.filter(household=household, object_type="income").exists()
    event = AuditEvent.objects.get(action="monitoring.visit", object_id=str(visit.pk))
    assert event.before["income"] is None


@pytest.mark.django_db
def test_a_schedule_moved_on_after_its_run_is_audited(households, settings, tmp_path):
    from dixian.exchange import actions as exchange
    from dixian.exchange.models import ScreeningSchedule

    settings.MEDIA_ROOT = tmp_path
    today = date(2025, 6, 10)
    schedule = ScreeningSchedule.objects.create(scope_code=VILLAGE[:6], every_days=10,
                                                department="medical_insurance",
                                                next_run_on=today)
    [run] = exchange.do_run_due_schedules(today)
    event = AuditEvent.objects.get(action="screening.schedule_advance")
    assert event.object_id == str(schedule.pk) and event.region_code == VILLAGE[:6]
    assert event.before == {"next_run_on": "2025-06-10"}
    assert event.after == {"next_run_on": "2025-06-20", "run": run.pk}


@pytest.mark.django_db
def test_notifications_are_never_read_by_a_get(client, households, users):
    officer = users[Role.DEPARTMENT_OFFICER]
    note = Notification.objects.create(user=officer, text="逾期", link="/cases/1/")
    client.force_login(officer)
    assert client.get("/inbox/").status_code == 200
    assert client.get(f"/inbox/notifications/?op=read_all&ids={note.pk}").status_code == 405
    note.refresh_from_db()
    assert note.read_at is None
    assert not AuditEvent.objects.filter(action="notification.read").exists()
    client.post("/inbox/notifications/", {"op": "read_all"})
    note.refresh_from_db()
    assert note.read_at is not None
    assert AuditEvent.objects.filter(action="notification.read").count() == 1
