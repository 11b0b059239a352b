"""The demo's alarm: a flood in the demo township this month (new entries with risk
DISASTER), then the month's scan over the county, which raises it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dixian.alarms.actions import do_raise_alarms
from dixian.alarms.models import Alarm
from dixian.core import audit
from dixian.core.demo import DEMO_COUNTY, DemoReport, demo_users

#: households of the demo township that enter monitoring after the flood
FLOODED = 15


def plant_flood(area_code: str, day, n: int = FLOODED) -> int:
    """Identify ``n`` households of the area (a township or a village) without an open spell
    on ``day`` (the demo's flood: a sudden-hardship category, risk DISASTER). Returns how
    many."""
    from dixian.cases.machine import Kind, State
    from dixian.cases.models import Case, MonitoringSpell
    from dixian.core.access import code_prefix_q
    from dixian.registry.models import Household

    watched = MonitoringSpell.objects.filter(ended_on__isnull=True).values("household_id")
    chosen = list(Household.objects.filter(code_prefix_q("village_id", area_code))
                  .exclude(pk__in=watched).order_by("code")[:n])
    from dixian.cases.params import procedure_params

    moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    opened = moment - timedelta(days=3)
    with transaction.atomic():
        for h in chosen:
            sla = procedure_params(h.village_id, day)["identification_sla_days"]
            case = Case.objects.create(
                household=h, village_code=h.village_id, kind=Kind.IDENTIFICATION,
                state=State.MONITORED, opened_at=opened,
                deadline=opened + timedelta(days=sla), decided_at=moment,
                risk_types=["DISASTER"], category="SUDDEN", imported=True,
                decision_values={"origin": "demo flood"})
            MonitoringSpell.objects.create(
                household=h, village_code=h.village_id, category="SUDDEN",
                risk_types=["DISASTER"], started_on=day, identification_case=case)
            h.monitoring_category, h.identified_month = "SUDDEN", day.strftime("%Y-%m")
            h.risk_types, h.risk_eliminated = ["DISASTER"], False
            h.save(update_fields=["monitoring_category", "identified_month", "risk_types",
                                  "risk_eliminated"])
        audit.record("alarm.demo_flood", object_type="registry.household",
                     object_id=area_code, after={"households": [h.code for h in chosen],
                                                    "day": day.isoformat()})
    return len(chosen)


def step_alarm(report: DemoReport) -> None:
    """A flood in one township and the bottom-line alarm it raises."""
    if Alarm.objects.filter(area_code__startswith=DEMO_COUNTY).exists():
        return
    township = next(u.region_code for u in demo_users() if u.username == "township")
    today = timezone.localdate()
    flooded = plant_flood(township, today.replace(day=1))
    raised = do_raise_alarms(DEMO_COUNTY, today.strftime("%Y-%m"))
    report.notes.append(
        f"a flood: {flooded} households of township {township} entered monitoring this "
        f"month; "
        f"the bottom-line alarm raised {len(raised)} alarm(s): " + ", ".join(
            f"{a.area_code} {a.kind} {a.observed} vs {a.expected:.1f} expected" for a in raised))
