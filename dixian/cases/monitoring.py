"""Watching households: the monthly visit to each monitored household (R5) and the county's
annual concentrated screening (a campaign of visit tasks).

Visit tasks are not stored ahead of time: a monitored household (an active spell) owes a
visit for every month from the month after it entered, so what is due and what was missed is
always computed from the spells and the visits recorded, and cannot drift from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dixian.cases import actions
from dixian.cases.bridge import first_day, month_add, months_between
from dixian.cases.eligibility import income_windows, local_month
from dixian.cases.models import Campaign, CampaignTask, Channel, MonitoringSpell, MonitoringVisit
from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.models import Region
from dixian.core.roles import Capability, Level
from dixian.registry import actions as registry_actions
from dixian.registry.models import Household, Income, Source

# What the visit confirms or corrects on the household (the three guarantees and water).
VISIT_HOUSEHOLD_FIELDS = ("housing_grade", "safe_drinking_water", "dropout_flag",
                          "uninsured_member_flag")
INCOME_FIELDS = ("wage", "business", "property", "transfer", "business_cost",
                 "compliant_oop_medical")


def owed_months(spell: MonitoringSpell, until: str) -> list[str]:
    """Months a visit is owed for: from the month after entry up to ``until`` inclusive."""
    first = month_add(local_month(spell.started_on), 1)
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
    this = local_month(now)
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


class VisitConflict(ValidationError):
    """The household changed after the form (or the phone's offline copy) was loaded: the
    cadre sees both and decides; nothing is overwritten silently."""

    def __init__(self, message, current: dict):
        super().__init__(message)
        self.current = current


def visit_version(household: Household, month: str) -> str:
    """A short fingerprint of what a visit form starts from: the household's fields, the
    month's income and the month's visit. A form sent with another fingerprint is a
    conflict (someone changed the household meanwhile)."""

    household.refresh_from_db(fields=["updated_at"])
    income = household.incomes.filter(period=month).values_list("updated_at", flat=True).first()
    visit = household.visits.filter(month=month).values_list("pk", "findings").first()
    return _version(household.updated_at, income, visit)


def _version(updated_at, income_updated_at, visit) -> str:
    """The fingerprint of :func:`visit_version` from its parts (``visit``: pk, findings)."""
    import hashlib

    seed = f"{updated_at.isoformat()}|" \
           f"{income_updated_at.isoformat() if income_updated_at else ''}|" \
           f"{visit[0] if visit else ''}|{visit[1] if visit else ''}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def visit_starts(households: list[Household], month: str) -> dict[int, tuple[dict, str]]:
    """Household pk → (the values a visit form of ``month`` starts from, as
    :func:`visit_prefill` gives them; its :func:`visit_version`), for many households in
    four queries (the phone's offline bundle: a village's households at once)."""
    ids = [h.pk for h in households]
    updated = dict(Household.objects.filter(pk__in=ids).values_list("pk", "updated_at"))
    this_month, last = {}, {}
    for income in (Income.objects.filter(household_id__in=ids)
                   .only("household_id", "period", "updated_at", *INCOME_FIELDS)
                   .order_by("household_id", "-period", "-pk")):
        last.setdefault(income.household_id, income)
        if income.period == month:
            this_month.setdefault(income.household_id, income)
    visits = {}
    for household_id, pk, findings in (MonitoringVisit.objects.filter(
            household_id__in=ids, month=month).order_by("pk")
            .values_list("household_id", "pk", "findings")):
        visits.setdefault(household_id, (pk, findings))
    out = {}
    for h in households:
        values = {f: getattr(h, f) for f in VISIT_HOUSEHOLD_FIELDS}
        income = this_month.get(h.pk) or last.get(h.pk)
        for f in INCOME_FIELDS:
            values[f] = getattr(income, f) if income else 0
        current = this_month.get(h.pk)
        out[h.pk] = (values, _version(updated.get(h.pk, h.updated_at),
                                      current.updated_at if current else None,
                                      visits.get(h.pk)))
    return out


def _check_version(household: Household, month: str, expected: str | None) -> None:
    if expected and expected != visit_version(household, month):
        raise VisitConflict(_("This household changed after your form was loaded: compare "
                              "and send again."), current=visit_prefill(household, month).values)


def correctable_until(visit: MonitoringVisit) -> date:
    """A saved visit may be corrected until its month closes: the last day of the month in
    which it was recorded (a late visit, recorded after its month, closes with the month it
    was recorded in)."""
    recorded = local_month(visit.recorded_at)
    closes = max(visit.month, recorded)
    return first_day(month_add(closes, 1)) - timedelta(days=1)


def do_correct_visit(visit: MonitoringVisit, *, actor, visited_on: date, values: dict,
                     new_risk: str = "", note: str = "", expected_version: str | None = None,
                     today: date | None = None) -> MonitoringVisit:
    """Correct a saved visit before its month closes: the household's fields and the month's
    income take the corrected answers (as a visit's), a new risk added now becomes a clue.
    A risk already raised stays raised (its clue is handled on the case)."""
    require(actor, Capability.VISIT_HOUSEHOLDS)
    household = visit.household
    if not scope_of(actor).contains(household.village_id):
        raise NotFound
    today = today or timezone.localdate()
    if today > correctable_until(visit):
        raise ValidationError(_("The month of this visit has closed: it can no longer be "
                                "corrected."))
    with transaction.atomic():
        visit = MonitoringVisit.objects.select_for_update().get(pk=visit.pk)
        _check_version(household, visit.month, expected_version)
        changes = {f: values[f] for f in VISIT_HOUSEHOLD_FIELDS if f in values}
        diff = registry_actions.do_update_household(
            household, changes, actor=actor, source=Source.VISIT,
            source_ref=f"visit:{visit.month}") if changes else {"after": {}}
        income_values = {f: int(values.get(f) or 0) for f in INCOME_FIELDS}
        income = registry_actions.set_month_income(
            household, visit.month, income_values, actor=actor, source=Source.VISIT,
            source_ref=f"visit:{visit.month}")
        before = {"visited_on": visit.visited_on.isoformat(), "findings": visit.findings,
                  "new_risk": visit.new_risk, "note": visit.note, "income": income["before"]}
        raise_clue = bool(new_risk) and not visit.new_risk
        visit.visited_on = visited_on
        visit.findings = {"household": {**visit.findings.get("household", {}),
                                        **diff.get("after", {})}, "income": income_values,
                          "corrected": timezone.now().isoformat()}
        visit.new_risk = visit.new_risk or new_risk
        visit.note = note
        visit.save()
        audit.record("monitoring.visit_correct", actor=actor, obj=visit,
                     region_code=household.village_id, before=before,
                     after={"visited_on": visited_on.isoformat(), "income": income_values,
                            "changes": diff.get("after", {}), "new_risk": visit.new_risk,
                            "note": note})
        if raise_clue:
            actions.do_receive_clue(household, channel=Channel.CADRE_VISIT, risk_type=new_risk,
                                    actor=actor, description=note,
                                    reference=f"visit:{visit.month}")
    return visit


def do_record_visit(household: Household, month: str, *, actor, visited_on: date,
                    values: dict, new_risk: str = "", note: str = "",
                    expected_version: str | None = None) -> MonitoringVisit:
    """Record the month's visit: the household's answers update its incomes and the three
    guarantees and water (each change a FieldChange with source 'visit'); a new risk becomes
    a clue of the cadre-visit channel. ``expected_version`` (the form's fingerprint) makes a
    household changed meanwhile a conflict, not an overwrite."""
    require(actor, Capability.VISIT_HOUSEHOLDS)
    if not scope_of(actor).contains(household.village_id):
        raise NotFound
    if not MonitoringSpell.objects.filter(household=household, ended_on__isnull=True).exists():
        raise ValidationError(_("only a monitored household has monthly visits"))
    if new_risk:
        actions.check_risk_type(new_risk)
    if month > local_month(visited_on):  # 'YYYY-MM' strings order as months do
        raise ValidationError(_("a visit for %(month)s cannot happen on %(day)s") % {
            "month": month, "day": visited_on})
    with transaction.atomic():
        if MonitoringVisit.objects.filter(household=household, month=month).exists():
            raise ValidationError(_("the visit for %(month)s is already recorded") % {
                "month": month})
        _check_version(household, month, expected_version)
        changes = {f: values[f] for f in VISIT_HOUSEHOLD_FIELDS if f in values}
        diff = registry_actions.do_update_household(
            household, changes, actor=actor, source=Source.VISIT,
            source_ref=f"visit:{month}") if changes else {"after": {}}
        income_values = {f: int(values.get(f) or 0) for f in INCOME_FIELDS}
        income = registry_actions.set_month_income(
            household, month, income_values, actor=actor, source=Source.VISIT,
            source_ref=f"visit:{month}")
        visit = MonitoringVisit.objects.create(
            household=household, village_code=household.village_id, month=month,
            visited_on=visited_on, visitor=actor, new_risk=new_risk, note=note,
            findings={"household": diff.get("after", {}), "income": income_values})
        audit.record("monitoring.visit", actor=actor, obj=visit,
                     region_code=household.village_id,
                     before={"changes": diff.get("before", {}), "income": income["before"]},
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
        raise ValidationError(_("describe the difficulty"))
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
        raise ValidationError(_("unknown criterion %(value)r") % {"value": criterion})
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
            raise ValidationError(_("this household's screening visit is already recorded"))
        if outcome not in CampaignTask.Outcome.values:
            raise ValidationError(_("unknown outcome %(value)r") % {"value": outcome})
        if outcome == CampaignTask.Outcome.RISK and not risk_type:
            raise ValidationError(_("a risk found needs its risk type"))
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
