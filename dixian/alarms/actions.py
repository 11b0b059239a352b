"""Raising the alarms of a month: the engine's scan over a region's ledger, each new alarm
stored with its households, audited, and sent to the county's and the province's people."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dixian.alarms.bridge import Params, RegionScope, region_of_scope, require_scope, resolve, scan
from dixian.alarms.models import Alarm
from dixian.core import audit
from dixian.core.models import Notification, Region, User
from dixian.core.roles import Capability, Role, role_has
from dixian.registry.models import Household


def current_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def _recipients(area_code: str) -> list[User]:
    """The active people of the area's county and province who read the registry, and the
    province's administrators."""
    users = User.objects.filter(region_id__in=[area_code[:6], area_code[:2]], is_active=True)
    return [u for u in users if role_has(u.role, Capability.VIEW_REGISTRY)
            or (u.region_id == area_code[:2] and u.role == Role.PROVINCE_ADMIN)]


def _notify(alarm: Alarm) -> int:
    region = Region.objects.filter(code=alarm.area_code).first()
    with translation.override(settings.LANGUAGE_CODE):  # stored: the platform's language
        text = _("Alarm: %(n)d %(kind)s in %(area)s (%(first)s to %(month)s), %(expected).1f "
                 "expected") % {
            "n": alarm.observed, "kind": alarm.get_kind_display(),
            "area": region.name if region else alarm.area_code, "first": alarm.first_month,
            "month": alarm.month, "expected": alarm.expected}
    users = _recipients(alarm.area_code)
    Notification.objects.bulk_create([Notification(user=u, text=text[:300],
                                                   link=f"/alarms/{alarm.pk}/") for u in users])
    return len(users)


def do_raise_alarms(region_code: str, month: str | None = None, *, actor=None) -> list[Alarm]:
    """Scan ``region_code``'s ledger for ``month`` (default: this month) and raise the alarms
    not raised before. Returns the new ones."""
    from dixian.statistics.bridge import ledger_tables

    scope = RegionScope.of(region_code)
    require_scope(scope)
    month = month or current_month()
    on = dt.date(int(month[:4]), int(month[5:7]), 1)
    policy = resolve(region_of_scope(scope), on)
    tables = ledger_tables(scope, incomes=False)
    found = scan(tables["spells"], tables["households"], month, Params.from_policy(policy))
    new = []
    with transaction.atomic():
        for a in found:
            if Alarm.objects.filter(area_code=a.area_code, kind=a.kind, month=a.month).exists():
                continue
            alarm = Alarm.objects.create(
                area_code=a.area_code, level=a.level, kind=a.kind, first_month=a.first_month,
                month=a.month, observed=a.observed, expected=a.expected, p_value=a.p_value,
                threshold=a.threshold, policy_fingerprint=policy.fingerprint)
            households = list(Household.objects.filter(code__in=a.households))
            alarm.households.set(households)
            sent = _notify(alarm)
            audit.record("alarm.raise", actor=actor, obj=alarm, after={
                "area": a.area_code, "level": a.level, "kind": a.kind,
                "months": [a.first_month, a.month], "observed": a.observed,
                "expected": a.expected, "p_value": a.p_value, "threshold": a.threshold,
                "households": len(households), "notified": sent,
                "policy": policy.fingerprint})
            new.append(alarm)
    return new
