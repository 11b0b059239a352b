"""The alarms of one's region and one alarm with the households behind it."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from dixian.alarms.models import Alarm
from dixian.core import pii
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.models import Region
from dixian.core.roles import Capability, role_has

PAGE_SIZE = 50


def scoped_alarms(user):
    """The alarms on areas inside the reader's region (none without one: fails closed).
    Every role sees an alarm's figures; its households only the roles that read the
    registry."""
    require(user, Capability.VIEW_REGIONS)
    return Alarm.objects.filter(scope_q(scope_of(user), "area_code"))


def access_alarm(user, alarm_id: int) -> Alarm:
    alarm = scoped_alarms(user).filter(pk=alarm_id).first()
    if alarm is None:
        raise NotFound
    return alarm


def _names(alarms) -> dict[str, str]:
    return dict(Region.objects.filter(code__in={a.area_code for a in alarms})
                .values_list("code", "name"))


@login_required
def alarm_list(request):
    page = Paginator(scoped_alarms(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    names = _names(page.object_list)
    for alarm in page.object_list:
        alarm.area_name = names.get(alarm.area_code, "")
    return render(request, "alarms/list.html", {"page": page})


@login_required
def alarm_detail(request, alarm_id: int):
    from dixian.cases.models import MonitoringSpell
    from dixian.registry.enums import label
    from dixian.registry.people import attach_people

    alarm = access_alarm(request.user, alarm_id)
    alarm.area_name = _names([alarm]).get(alarm.area_code, "")
    may_read = role_has(request.user.role, Capability.VIEW_REGISTRY)
    households = [] if not may_read else list(
        alarm.households.filter(scope_q(scope_of(request.user), "village__code"))
        .order_by("village_id", "code"))
    attach_people(households, household_of=lambda h: h)
    spells = {}
    for s in MonitoringSpell.objects.filter(
            household__in=households, is_return=(alarm.kind == "return"),
            started_on__gte=f"{alarm.first_month}-01").order_by("started_on"):
        spells.setdefault(s.household_id, s)
    for h in households:
        h.person = replace(h.person, name=pii.shown_name(request.user, h.person.name))
        h.alarm_spell = spells.get(h.pk)
        h.alarm_risks = ", ".join(label("risk_type", r) for r in (
            h.alarm_spell.risk_types if h.alarm_spell else []))
    return render(request, "alarms/detail.html", {"alarm": alarm, "households": households,
                                                  "may_read": may_read})
