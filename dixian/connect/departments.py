"""Department settings and screening schedules, administered in the browser (audited)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability
from dixian.exchange.models import DepartmentSetting, ScreeningSchedule


def _check_region(actor, scope_code: str) -> None:
    require(actor, Capability.MANAGE_DEPARTMENTS)
    if not scope_code.isdigit() or len(scope_code) not in (2, 4, 6):
        raise ValidationError("the region is a province, prefecture or county code")
    if not scope_of(actor).contains(scope_code):
        raise ValidationError("the region must be within your own region")


def scoped_settings(actor):
    require(actor, Capability.MANAGE_DEPARTMENTS)
    return DepartmentSetting.objects.filter(scope_q(scope_of(actor), "scope_code"))


def scoped_schedules(actor):
    require(actor, Capability.MANAGE_DEPARTMENTS)
    return ScreeningSchedule.objects.filter(scope_q(scope_of(actor), "scope_code"))


def do_save_department_setting(*, scope_code: str, department: str, updates_facts: bool,
                               contact: str = "", notes: str = "", actor) -> DepartmentSetting:
    _check_region(actor, scope_code)
    with transaction.atomic():
        setting, created = DepartmentSetting.objects.select_for_update().get_or_create(
            scope_code=scope_code, department=department)
        before = None if created else {"updates_facts": setting.updates_facts,
                                       "contact": setting.contact, "notes": setting.notes}
        setting.updates_facts, setting.contact, setting.notes = updates_facts, contact, notes
        setting.save()
        audit.record("department.setting", actor=actor, obj=setting, region_code=scope_code,
                     before=before, after={"department": department,
                                           "updates_facts": updates_facts, "contact": contact,
                                           "notes": notes})
    return setting


def do_create_schedule(*, scope_code: str, department: str, every_days: int,
                       next_run_on: date, actor) -> ScreeningSchedule:
    _check_region(actor, scope_code)
    if not 1 <= every_days <= 366:
        raise ValidationError("every 1 to 366 days")
    with transaction.atomic():
        schedule = ScreeningSchedule.objects.create(
            scope_code=scope_code, department=department, every_days=every_days,
            next_run_on=next_run_on)
        audit.record("screening.schedule_create", actor=actor, obj=schedule,
                     region_code=scope_code,
                     after={"department": department, "every_days": every_days,
                            "next_run_on": next_run_on.isoformat()})
    return schedule


def do_set_schedule_active(schedule_id: int, active: bool, *, actor) -> ScreeningSchedule:
    schedule = scoped_schedules(actor).filter(pk=schedule_id).first()
    if schedule is None:
        raise NotFound
    with transaction.atomic():
        before = schedule.active
        schedule.active = active
        schedule.save(update_fields=["active"])
        audit.record("screening.schedule_active", actor=actor, obj=schedule,
                     region_code=schedule.scope_code, before={"active": before},
                     after={"active": active})
    return schedule
