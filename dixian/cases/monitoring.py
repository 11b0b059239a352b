"""Watching households: the monthly visit to each monitored household (R5) and the county's
annual concentrated screening (a campaign of visit tasks).

Visit tasks are not stored ahead of time: a monitored household (an active spell) owes a
visit for every month from the month after it entered, so what is due and what was missed is
always computed from the spells and the visits recorded, and cannot drift from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from dixian.cases import actions
from dixian.cases.eligibility import first_day, income_windows, month_of, months_between
from dixian.cases.models import Campaign, CampaignTask, Channel, MonitoringSpell, MonitoringVisit
from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.models import Region
from dixian.core.roles import Capability, Level
from dixian.engine.screening.engine import month_add
from dixian.registry import actions as registry_actions
from dixian.registry.models import Household, Income, Source

# What the visit confirms or corrects on the household (the three guarantees and water).
VISIT_HOUSEHOLD_FIELDS = ("housing_grade", "safe_drinking_water", "dropout_flag",
                          "uninsured_member_flag")
INCOME_FIELDS = ("wage", "business", "property", "transfer", "business_cost",
                 "compliant_oop_medical")


def owed_months(spell: MonitoringSpell, until: str) -> list[str]:
    """Months a visit is owed for: from the month after entry up to ``until`` inclusive."""
    first = month_add(month_of(spell.started_on), 1)
    return [month_add(first, k) for k in range(months_between(first, until) + 1)]


def visits_due(actor, month: str):
    """Monitored households in the actor's region without a visit in ``month``."""
    visited = MonitoringVisit.objects.filter(month=month).values("household_id")
    return (MonitoringSpell.objects.filter(scope_q(scope_of(actor), "village_code"),
                                           ended_on__isnull=True,
                                           started_on__lt=first_day(month))
            .exclude(household_id__in=visited).select_related("household")
            .order_by("village_code", "household__code"))


def missed_visits(actor, now: datetime | None = None, months: int = 3) -> list[tuple]:
    """(household, month) for each of the last ``months`` whole months with no visit."""
    now = now or timezone.now()
    this = month_of(now)
    window = [month_add(this, -k) for k in range(months, 0, -1)]
    spells = list(MonitoringSpell.objects.filter(
        scope_q(scope_of(actor), "village_code"), ended_on__isnull=True,
        started_on__lt=first_day(window[-1])).select_related("household"))
    done = set(MonitoringVisit.objects.filter(
        household_id__in=[s.household_id for s in spells], month__in=window)
        .values_list("household_id", "month"))
    out = []
    for spell in spells:
        for month in owed_months(spell, window[-1]):
            if month in window and (spell.household_id, month) not in done:
                out.append((spell.household, month))
    return sorted(out, key=lambda hm: (hm[1], hm[0].code))


@dataclass(frozen=True)
class Prefill:
    """What the platform already knows, so the cadre confirms or corrects."""

    household: Household
    month: str
    last_visit: MonitoringVisit | None
    income_12m: object  # eligibility.Window
    last_income: Income | None
    alerts: list
    values: dict


def visit_prefill(household: Household, month: str) -> Prefill:
    from dixian.exchange.models import Alert

    window = income_windows(household, [month])[month]
    recent = [month_add(month, -k) for k in range(3)]
    alerts = list(Alert.objects.filter(household=household, run__period__in=recent)
                  .order_by("-run__started_at", "rule_id")[:10])
    last_income = household.incomes.order_by("-period").first()
    values = {f: getattr(household, f) for f in VISIT_HOUSEHOLD_FIELDS}
    income = household.incomes.filter(period=month).first() or last_income
    for f in INCOME_FIELDS:
        values[f] = getattr(income, f) if income else 0
    return Prefill(household, month, household.visits.order_by("-month").first(), window,
                   last_income, alerts, values)


def do_record_visit(household: Household, month: str, *, actor, visited_on: date,
                    values: dict, new_risk: str = "", note: str = "") -> MonitoringVisit:
    """Record the month's visit: the household's answers update its incomes and the three
    guarantees and water (each change a FieldChange with source 'visit'); a new risk becomes
    a clue of the cadre-visit channel."""
    require(actor, Capability.VISIT_HOUSEHOLDS)
    if not scope_of(actor).contains(household.village_id):
        raise NotFound
    if not MonitoringSpell.objects.filter(household=household, ended_on__isnull=True).exists():
        raise ValidationError("only a monitored household has monthly visits")
    if new_risk:
        actions.check_risk_type(new_risk)
    if month > month_of(visited_on):  # 'YYYY-MM' strings order as months do
        raise ValidationError(f"a visit for {month} cannot happen on {visited_on}")
    with transaction.atomic():
        if MonitoringVisit.objects.filter(household=household, month=month).exists():
            raise ValidationError(f"the visit for {month} is already recorded")
        changes = {f: values[f] for f in VISIT_HOUSEHOLD_FIELDS if f in values}
        diff = registry_actions.do_update_household(
            household, changes, actor=actor, source=Source.VISIT,
            source_ref=f"visit:{month}") if changes else {"after": {}}
        income_values = {f: int(values.get(f) or 0) for f in INCOME_FIELDS}
        income, created = Income.objects.get_or_create(
            household=household, period=month,
            defaults={**income_values, "source": Source.VISIT, "source_ref": f"visit:{month}",
                      "created_by": actor})
        if not created:
            for f, v in income_values.items():
                setattr(income, f, v)
            income.source, income.source_ref = Source.VISIT, f"visit:{month}"
            income.save()
        visit = MonitoringVisit.objects.create(
            household=household, village_code=household.village_id, month=month,
            visited_on=visited_on, visitor=actor, new_risk=new_risk, note=note,
            findings={"household": diff.get("after", {}), "income": income_values})
        audit.record("monitoring.visit", actor=actor, obj=visit,
                     region_code=household.village_id,
                     after={"month": month, "changes": diff.get("after", {}),
                            "income": income_values, "new_risk": new_risk})
        if new_risk:
            actions.do_receive_clue(household, channel=Channel.CADRE_VISIT, risk_type=new_risk,
                                    actor=actor, description=note,
                                    reference=f"visit:{month}")
    return visit


def do_raise_clue(household: Household, *, actor, risk_type: str, description: str,
                  channel: str = Channel.CADRE_VISIT):
    """A cadre's clue from a visit (or a call or a walk-in, entered for the household)."""
    require(actor, Capability.RAISE_CLUES)
    if not scope_of(actor).contains(household.village_id):
        raise NotFound
    if not description.strip():
        raise ValidationError("describe the difficulty")
    actions.check_risk_type(risk_type)
    return actions.do_receive_clue(household, channel=channel, risk_type=risk_type, actor=actor,
                                   description=description)


# ---------------------------------------------------------------- concentrated screening
def _campaign_households(county: Region, criterion: str):
    households = Household.objects.filter(village__code__startswith=county.code,
                                          status="active")
    if criterion == Campaign.Criterion.POVERTY_ALLEVIATED:
        return households.filter(household_type="poverty_alleviated")
    if criterion == Campaign.Criterion.WATCH:
        return households.filter(Q(household_type="poverty_alleviated")
                                 | ~Q(monitoring_category=""))
    return households


def do_launch_campaign(county_code: str, *, actor, name: str, criterion: str,
                       due_on: date, now: datetime | None = None) -> Campaign:
    """A county launches its concentrated screening: one visit task per household in scope
    that meets the criterion (a county of 50,000 households: one bulk insert)."""
    require(actor, Capability.LAUNCH_CAMPAIGNS)
    county = Region.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None or not scope_of(actor).contains(county.code):
        raise NotFound
    if criterion not in Campaign.Criterion.values:
        raise ValidationError(f"unknown criterion {criterion!r}")
    with transaction.atomic():
        campaign = Campaign.objects.create(county=county, name=name, criterion=criterion,
                                           due_on=due_on, launched_by=actor,
                                           launched_at=now or timezone.now())
        rows = _campaign_households(county, criterion).values_list("pk", "village_id")
        CampaignTask.objects.bulk_create(
            [CampaignTask(campaign=campaign, household_id=pk, village_code=village)
             for pk, village in rows.iterator(chunk_size=5000)], batch_size=5000)
        audit.record("campaign.launch", actor=actor, obj=campaign, region_code=county.code,
                     after={"name": name, "criterion": criterion, "due_on": due_on.isoformat(),
                            "tasks": campaign.tasks.count()})
    return campaign


def do_record_campaign_visit(task_id: int, *, actor, visited_on: date, outcome: str,
                             risk_type: str = "", note: str = "") -> CampaignTask:
    require(actor, Capability.VISIT_HOUSEHOLDS)
    with transaction.atomic():
        task = (CampaignTask.objects.select_for_update().select_related("household", "campaign")
                .filter(pk=task_id).first())
        if task is None or not scope_of(actor).contains(task.village_code):
            raise NotFound
        if task.done_on:
            raise ValidationError("this household's screening visit is already recorded")
        if outcome not in CampaignTask.Outcome.values:
            raise ValidationError(f"unknown outcome {outcome!r}")
        if outcome == CampaignTask.Outcome.RISK and not risk_type:
            raise ValidationError("a risk found needs its risk type")
        if outcome == CampaignTask.Outcome.RISK:
            actions.check_risk_type(risk_type)
        task.done_on, task.visitor, task.outcome = visited_on, actor, outcome
        task.risk_type, task.note = (risk_type if outcome == CampaignTask.Outcome.RISK
                                     else ""), note
        task.save()
        audit.record("campaign.visit", actor=actor, obj=task, region_code=task.village_code,
                     after={"outcome": outcome, "risk_type": task.risk_type})
        if task.risk_type:
            actions.do_receive_clue(task.household, channel=Channel.CONCENTRATED_SCREENING,
                                    risk_type=task.risk_type, actor=actor, description=note,
                                    reference=f"campaign:{task.campaign_id}")
    return task


def campaign_progress(campaign: Campaign, actor) -> list[dict]:
    """Per village in the actor's region: tasks, done, risks found."""
    rows = (campaign.tasks.filter(scope_q(scope_of(actor), "village_code"))
            .values("village_code").annotate(
                total=Count("pk"), done=Count("pk", filter=Q(done_on__isnull=False)),
                risks=Count("pk", filter=Q(outcome=CampaignTask.Outcome.RISK)))
            .order_by("village_code"))
    names = dict(Region.objects.filter(code__in=[r["village_code"] for r in rows])
                 .values_list("code", "name"))
    return [{**r, "name": names.get(r["village_code"], ""),
             "share": r["done"] / r["total"] if r["total"] else 0.0} for r in rows]
