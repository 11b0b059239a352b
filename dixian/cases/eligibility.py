"""The rules a decision rests on: the category of R2 at identification, the conditions of R6
at risk elimination. Each returns the values it used, so that the case keeps them and the
letter to the household can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dixian.cases.params import procedure_params
from dixian.engine import policy as engine_policy
from dixian.engine.income import r1_for_policy
from dixian.engine.months import month_add, months_ending
from dixian.registry.models import Household

NO_LABOUR = frozenset({"lost", "none"})  # 丧失劳动力, 无劳动力
SUDDEN_RISKS = frozenset({"ILLNESS", "DISASTER", "ACCIDENT", "UNSTABLE_EMPLOYMENT",
                          "INDUSTRY_FAILURE"})


def policy_for(household: Household, day: date):
    """The policy in force for the household's village on ``day``."""
    return engine_policy.resolve(household.village_id, day)


def line_for(household: Household, year: int, day: date | None = None) -> int:
    """The monitoring line in force for the household on ``day`` (else 1 July of ``year``)."""
    day = day or date(year, 7, 1)
    return int(policy_for(household, day)["income.monitoring_line"])


def month_of(moment: datetime | date) -> str:
    """'YYYY-MM' of a date, or of a moment in the platform's time zone (a clue at 03:00 in
    Beijing on the 1st belongs to that month, not to the previous one in UTC)."""
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.year:04d}-{moment.month:02d}"


def first_day(month: str) -> date:
    """The first day of a 'YYYY-MM' month."""
    year, number = map(int, month.split("-"))
    return date(year, number, 1)


from dixian.engine.months import months_between  # noqa: E402  (one month arithmetic)


@dataclass(frozen=True)
class Window:
    """R1 (dixian.engine.income) for a decision in ``reference_month``: the window ends with
    the month before it (domain.md §1.2), with the rigid spending of R2 kept apart."""

    reference_month: str
    months_recorded: int
    members: int
    household_net: float | None  # annualised over the recorded months; None: not judged
    rigid_spending: float | None  # compliant out-of-pocket medical costs in the window

    @property
    def per_capita(self) -> float | None:
        if self.household_net is None or not self.members:
            return None
        return round(self.household_net / self.members, 2)

    @property
    def per_capita_after_rigid(self) -> float | None:
        if self.household_net is None or not self.members:
            return None
        return round((self.household_net - (self.rigid_spending or 0)) / self.members, 2)


def income_windows(household: Household, reference_months: list[str]) -> dict[str, Window]:
    """Windows for several reference months from one query (R6 looks at six in a row)."""
    policies = {ref: policy_for(household, first_day(ref)) for ref in reference_months}
    longest = max(int(p["income.window_months"]) for p in policies.values())
    wanted = sorted({m for ref in reference_months
                     for m in months_ending(month_add(ref, -1), longest)})
    rows = list(household.incomes.filter(period__in=wanted).values(
        "period", "wage", "business", "property", "transfer", "business_cost",
        "compliant_oop_medical"))
    members = household.members.filter(member_status="active").count()
    out = {}
    for ref in reference_months:
        r = r1_for_policy(rows, members=members, last_month=month_add(ref, -1),
                          policy=policies[ref])
        out[ref] = Window(ref, r.months_recorded, members, r.household_net, r.rigid_spending)
    return out


@dataclass(frozen=True)
class Classification:
    category: str | None  # UNSTABLE, MARGINAL, SUDDEN, or None: not eligible under R2
    reason: str
    values: dict


def classify(household: Household, risk_types: list[str], now: datetime,
             verified: dict | None = None) -> Classification:
    """R2 from the verified data: the visit's verified annual figures when the cadre recorded
    them, otherwise the registry's incomes over the 12 months before this month.

    ``can_self_cope`` of R2 (income after out-of-pocket costs clearly above the local rural
    average) cannot hold for a household below the line after rigid spending, so it adds no
    test here.
    """
    today = timezone.localdate(now)
    line = line_for(household, today.year, today)
    w = income_windows(household, [month_of(now)])[month_of(now)]
    members = w.members or 1
    net = int(verified["net_income"]) if verified and verified.get("net_income") not in (
        None, "") else w.household_net
    rigid = int(verified["rigid_spending"]) if verified and verified.get(
        "rigid_spending") not in (None, "") else (w.rigid_spending or 0)
    if net is None:
        reason = _("The income is recorded for %(n)d of the 12 months before this month, "
                   "too few to judge: record the verified annual income at the visit") % {
            "n": w.months_recorded}
        return Classification(None, str(reason), {
            "line": line, "months_recorded": w.months_recorded, "members": members,
            "source": "registry", "risk_types": list(risk_types),
            "policy": engine_policy.resolve(household.village_id, today).fingerprint})
    pcni = round(net / members, 2)
    after_rigid = round((net - rigid) / members, 2)
    values = {"line": line, "household_net": net, "members": members, "per_capita": pcni,
              "rigid_spending": rigid, "per_capita_after_rigid": after_rigid,
              "months_recorded": w.months_recorded,
              "source": "visit" if verified and verified.get("net_income") not in (None, "")
              else "registry", "poverty_alleviated": household.household_type ==
              "poverty_alleviated", "risk_types": list(risk_types),
              "policy": engine_policy.resolve(household.village_id, today).fingerprint}
    if pcni < line:
        category = "UNSTABLE" if values["poverty_alleviated"] else "MARGINAL"
        reason = _("Per-capita net income %(pcni).0f yuan is below the monitoring line "
                   "%(line)d yuan") % {"pcni": pcni, "line": line}
        return Classification(category, str(reason), values)
    if after_rigid < line and (rigid > 0 or SUDDEN_RISKS & set(risk_types)):
        reason = _("Per-capita income %(pcni).0f yuan is above the line, but after rigid "
                   "spending of %(rigid)d yuan it is %(after).0f yuan, below the monitoring line "
                   "%(line)d yuan") % {"pcni": pcni, "rigid": rigid, "after": after_rigid,
                                        "line": line}
        return Classification("SUDDEN", str(reason), values)
    reason = _("Per-capita net income %(pcni).0f yuan, and %(after).0f yuan after rigid "
               "spending, are not below the monitoring line %(line)d yuan") % {
        "pcni": pcni, "after": after_rigid, "line": line}
    return Classification(None, str(reason), values)


@dataclass(frozen=True)
class Condition:
    name: str
    ok: bool
    sentence: str
    values: dict = field(default_factory=dict)


def elimination_conditions(household: Household, now: datetime) -> list[Condition]:
    """Every condition of R6, each with what was found; elimination needs all of them."""
    from dixian.assistance.models import Measure
    from dixian.cases.models import Clue, MonitoringSpell, MonitoringVisit

    p = procedure_params(household.village_id)
    this_month = month_of(now)
    spell = MonitoringSpell.objects.filter(household=household, ended_on__isnull=True).first()
    started = spell.started_on if spell else None
    started_month = month_of(started) if started else (household.identified_month or this_month)
    months = months_between(started_month, this_month)
    risks = list(spell.risk_types if spell else household.risk_types or [])
    # "No new risk" compares with the risks the household was identified for: a risk added
    # since (a visit, an alert) is new even though it is now on the household's record.
    identified = list(spell.identification_case.risk_types if spell else risks)
    out = [Condition(
        "months_monitored", months >= p["elimination_min_months"],
        str(_("Monitored for %(n)d months since %(since)s (at least %(min)d needed)") % {
            "n": months, "since": started_month, "min": p["elimination_min_months"]}),
        {"months": months, "since": started_month})]

    # Implemented (or implemented and since ended) measures against one of the risks: by the
    # risk the plan recorded, or by category as R4 matches them (the national system's way).
    done = list(Measure.objects.filter(household=household,
                                       status__in=["implemented", "ended"]))
    covered = _covered_risks(household, risks, done)
    implemented = sum(1 for m in done if m.risk_type in risks or covered & {m.category})
    out.append(Condition(
        "measures", implemented >= p["elimination_min_measures"],
        str(_("%(n)d implemented measure(s) against the household's risks (at least %(min)d "
              "needed)") % {"n": implemented, "min": p["elimination_min_measures"]}),
        {"implemented_measures": implemented}))

    # Stable income: the 12-month income ending in each of the last n months is at or above
    # that year's line.
    n = p["income_stable_months"]
    refs = [this_month]
    for _k in range(n - 1):
        refs.insert(0, month_add(refs[0], -1))
    windows = income_windows(household, refs)
    below = [ref for ref in refs if windows[ref].per_capita is None
             or windows[ref].per_capita < line_for(household, int(ref[:4]), first_day(ref))]
    latest = windows[this_month]
    today = timezone.localdate(now)
    line = line_for(household, today.year, today)
    out.append(Condition(
        "income_stable", not below,
        str(_("12-month per-capita income at or above the line in each of the last %(n)d "
              "months (now %(pcni)s yuan against %(line)d)") % {
            "n": n, "pcni": _shown(latest.per_capita), "line": line}) if not below else
        str(_("12-month per-capita income not stably at or above the line: below, or too "
              "few months recorded to judge, in %(months)s") % {"months": ", ".join(below)}),
        {"per_capita": latest.per_capita, "line": line, "months_below": below}))

    after_rigid = latest.per_capita_after_rigid
    out.append(Condition(
        "rigid_spending", after_rigid is not None and after_rigid >= line,
        str(_("Income after rigid spending %(after)s yuan per person (line %(line)d)") % {
            "after": _shown(after_rigid), "line": line}),
        {"per_capita_after_rigid": after_rigid, "rigid_spending": latest.rigid_spending}))

    problems = []
    if household.housing_grade in ("C", "D") or household.dangerous_house:
        problems.append(str(_("unsafe housing")))
    if household.safe_drinking_water is False:
        problems.append(str(_("unsafe drinking water")))
    if household.dropout_flag:
        problems.append(str(_("a school dropout")))
    if household.uninsured_member_flag:
        problems.append(str(_("a member without medical insurance")))
    out.append(Condition(
        "three_guarantees", not problems,
        str(_("Schooling, medical care, housing and water assured")) if not problems else
        str(_("Not assured: %(problems)s") % {"problems": ", ".join(problems)}),
        {"problems": problems, "housing_grade": household.housing_grade,
         "safe_drinking_water": household.safe_drinking_water}))

    skills = list(household.members.filter(member_status="active").values_list(
        "labour_skill", flat=True))
    no_labour = bool(skills) and all(s in NO_LABOUR for s in skills)
    out.append(Condition(
        "has_labour", not no_labour,
        str(_("No one in the household is able to work: it stays monitored under the social "
              "safety net")) if no_labour else str(_("Someone in the household can work")),
        {"whole_household_no_labour": no_labour}))

    since = timezone.localdate(now).replace(day=1)
    for _k in range(n):
        since = (since.replace(day=1) - timedelta(days=1)).replace(day=1)
    new_visit_risks = set(MonitoringVisit.objects.filter(
        household=household, visited_on__gte=since).exclude(new_risk="").exclude(
        new_risk__in=identified).values_list("new_risk", flat=True))
    new_clue_risks = set(Clue.objects.filter(
        case__household=household, received_at__date__gte=since).exclude(
        risk_type__in=identified).values_list("risk_type", flat=True))
    new = sorted(new_visit_risks | new_clue_risks)
    out.append(Condition(
        "no_new_risk", not new,
        str(_("No new risk in the last %(n)d months") % {"n": n}) if not new else
        str(_("New risk(s) in the last %(n)d months: %(risks)s") % {
            "n": n, "risks": ", ".join(new)}),
        {"new_risks": new}))
    return out


def _shown(value) -> str:
    """A number for a sentence; "—" when it cannot be judged (too few months recorded)."""
    return "—" if value is None else f"{value:g}"


def _covered_risks(household: Household, risks: list[str], done: list) -> set[str]:
    """Categories of the done measures that R4 counts against the household's risks."""
    from dixian.assistance import plans
    from dixian.engine import assistance

    plan = assistance.PlanHousehold(identified_on=None, risk_types=tuple(risks),
                                    province=household.village_id[:2])
    coverage = assistance.eligible_for_elimination_measures(
        plan, [plans.plan_measure(m) for m in done])
    return {m.category for measures in coverage.covered.values() for m in measures}


def failed(conditions: list[Condition]) -> list[Condition]:
    return [c for c in conditions if not c.ok]


__all__ = ["classify", "elimination_conditions", "failed", "income_windows", "line_for"]
