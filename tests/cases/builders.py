"""Households in the states the procedure tests need, built through the real actions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from dixian.assistance.models import Measure
from dixian.cases.machine import Kind, State
from dixian.cases.models import Case, MonitoringSpell
from dixian.registry.models import Household, Income


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def months_back(now: datetime, n: int) -> list[str]:
    """The n months before ``now``'s month, oldest first."""
    i = month_index(timezone.localdate(now))
    return [f"{k // 12:04d}-{k % 12 + 1:02d}" for k in range(i - n, i)]


def set_monthly_income(household: Household, months: list[str], wage: int) -> None:
    for month in months:
        Income.objects.update_or_create(household=household, period=month, defaults={
            "wage": wage, "business": 0, "property": 0, "transfer": 0, "business_cost": 0,
            "compliant_oop_medical": 0, "source": "form"})


def make_monitored(household: Household, *, since: datetime, risk_types=("ILLNESS",),
                   category: str = "MARGINAL") -> MonitoringSpell:
    """A household entered as monitored on ``since`` (its identification case closed)."""
    case = Case.objects.create(household=household, village_code=household.village_id,
                               kind=Kind.IDENTIFICATION, state=State.MONITORED, opened_at=since,
                               deadline=since + timedelta(days=15), risk_types=list(risk_types),
                               category=category, decided_at=since)
    household.monitoring_category = category
    household.identified_month = since.strftime("%Y-%m")
    household.risk_types = list(risk_types)
    household.risk_eliminated = False
    household.save()
    return MonitoringSpell.objects.create(
        household=household, village_code=household.village_id, category=category,
        risk_types=list(risk_types), started_on=timezone.localdate(since), identification_case=case)


def make_ready_for_elimination(household: Household, now: datetime | None = None,
                               months_monitored: int = 8) -> MonitoringSpell:
    """Monitored for ``months_monitored`` months, an implemented measure, 18 months of income
    well above the line, the three guarantees assured: R6 allows elimination."""
    now = now or timezone.now()
    spell = make_monitored(household, since=now - timedelta(days=31 * months_monitored))
    set_monthly_income(household, months_back(now, 18), wage=6000)
    Measure.objects.create(household=household, village_code=household.village_id,
                           risk_type=spell.risk_types[0], category="HEALTH",
                           instrument="MEDICAL_ASSISTANCE", department="medical_insurance",
                           status="implemented", planned_on=spell.started_on,
                           due_on=spell.started_on + timedelta(days=30),
                           implemented_on=spell.started_on + timedelta(days=20))
    return spell
