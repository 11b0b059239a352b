"""The rules a decision rests on: the category of R2 at identification, the conditions of R6
at risk elimination. Each returns the values it used, so that the case keeps them and the
letter to the household can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dixian.cases.bridge import (
    categories,
    elimination,
    first_day,
    month_add,
    month_of,
    months_between,
    months_ending,
    policy_in_force,
    r1_for_policy,
)
from dixian.registry.models import Household

NO_LABOUR = frozenset({"lost", "none"})  # 丧失劳动力, 无劳动力


def policy_for(household: Household, day: date):
    """The policy in force for the household's village on ``day``."""
    return policy_in_force(household.village_id, day)


def line_for(household: Household, year: int, day: date | None = None) -> int:
    """The monitoring line in force for the household on ``day`` (else 1 July of ``year``)."""
    day = day or date(year, 7, 1)
    return int(policy_for(household, day)["income.monitoring_line"])


def local_month(moment: datetime | date) -> str:
    """'YYYY-MM' of a date, or of a moment in the platform's time zone (a clue at 03:00 in
    Beijing on the 1st belongs to that month, not to the previous one in UTC)."""
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return month_of(moment)


@dataclass(frozen=True)
class Window:
    """R1 (dixian.engine.income) for a decision in ``reference_month``: the window ends with
    the month before it (domain.md §1.2), from the monthly rows or, where too few months are
    recorded, the national system's annual income block; the rigid spending of R2 kept
    apart."""

    reference_month: str
    months_recorded: int
    members: int
    household_net: float | None  # annualised over the recorded months; None: not judged
    rigid_spending: float | None  # compliant out-of-pocket medical costs in the window
    per_capita: float | None = None
    per_capita_after_rigid: float | None = None
    basis: str = "none"  # monthly, annual:YYYY-MM (the block's reference month) or none


def income_windows(household: Household, reference_months: list[str]) -> dict[str, Window]:
    """Windows for several reference months from one query (R6 looks at six in a row)."""
    policies = {ref: policy_for(household, first_day(ref)) for ref in reference_months}
    longest = max(int(p["income.window_months"]) for p in policies.values())
    wanted = sorted({m for ref in reference_months
                     for m in months_ending(month_add(ref, -1), longest)})
    rows = list(household.incomes.filter(period__in=wanted).values(
        "period", "wage", "business", "property", "transfer", "business_cost",
        "compliant_oop_medical"))
    blocks = list(household.income_blocks.values(
        "basis", "reference_month", "household_net", "per_capita_net", "compliant_oop_medical"))
    members = household.members.filter(member_status="active").count()
    out = {}
    for ref in reference_months:
        r = r1_for_policy(rows, members=members, last_month=month_add(ref, -1),
                          policy=policies[ref], blocks=blocks)
        out[ref] = Window(ref, r.months_recorded, members, r.household_net, r.rigid_spending,
                          r.per_capita, r.per_capita_after_rigid, r.basis)
    return out


@dataclass(frozen=True)
class Classification:
    category: str | None  # a code of the category scheme in force, or None: not eligible
    reason: str
    values: dict

    @property
    def names(self) -> dict:
        return self.values.get("category_names", {})


def classify(household: Household, risk_types: list[str], now: datetime,
             verified: dict | None = None) -> Classification:
    """R2 (dixian.engine.eligibility.categories) on the verified data: the visit's verified
    annual figures when the cadre recorded them, otherwise the registry's incomes over the 12
    months before this month, otherwise the national system's latest annual income block.

    ``can_self_cope`` of R2 (income after out-of-pocket costs clearly above the local rural
    average) cannot hold for a household below the line after rigid spending, so it adds no
    test here.
    """
    today = timezone.localdate(now)
    policy = policy_for(household, today)
    line = int(policy["income.monitoring_line"])
    w = income_windows(household, [local_month(now)])[local_month(now)]
    members = w.members or 1
    source = w.basis if w.basis.startswith("annual:") else "registry"
    net, rigid = w.household_net, (w.rigid_spending or 0)
    per_capita, after = w.per_capita, w.per_capita_after_rigid
    if verified and verified.get("net_income") not in (None, ""):
        net, source = int(verified["net_income"]), "visit"
        per_capita = after = None
    if verified and verified.get("rigid_spending") not in (None, ""):
        rigid = int(verified["rigid_spending"])
        after = None
    if net is not None and per_capita is None:
        per_capita = round(net / members, 2)
    if net is not None and after is None:
        after = round((net - rigid) / members, 2)
    facts = {"per_capita": per_capita, "per_capita_after_rigid": after,
             "household_net": net, "rigid_spending": rigid, "members": members,
             "months_recorded": w.months_recorded,
             "poverty_alleviated": household.household_type == "poverty_alleviated",
             "risk_types": list(risk_types), "whole_household_no_labour":
             whole_household_no_labour(household)}
    assignment = categories.assign(facts, policy)
    values = {"line": line, "source": source, "policy": policy.fingerprint,
              "rule": assignment.rule, "rule_fingerprint": assignment.rule_fingerprint,
              "category_names": assignment.names(), **facts}
    if net is None:
        values = {k: values[k] for k in ("line", "months_recorded", "members", "source",
                                         "risk_types", "policy", "rule", "rule_fingerprint")}
    return Classification(assignment.category, assignment.sentence(get_language() or "zh"),
                          values)


def whole_household_no_labour(household: Household) -> bool:
    skills = list(household.members.filter(member_status="active").values_list(
        "labour_skill", flat=True))
    return bool(skills) and all(s in NO_LABOUR for s in skills)


@dataclass(frozen=True)
class Condition:
    name: str
    ok: bool
    sentence: str
    values: dict = field(default_factory=dict)
    rule: str = ""


#: R6's rule ids (dixian.engine.eligibility.elimination) -> the names cases and pages use
CONDITION_NAMES = {"R6-MONTHS": "months_monitored", "R6-MEASURES": "measures",
                   "R6-INCOME": "income_stable", "R6-RIGID": "rigid_spending",
                   "R6-GUARANTEES": "three_guarantees", "R6-LABOUR": "has_labour",
                   "R6-NO-NEW-RISK": "no_new_risk"}


def elimination_conditions(household: Household, now: datetime) -> list[Condition]:
    """Every condition of R6 the province applies, each with what was found; elimination
    needs all of them. The facts are gathered here, the rules decide in the engine."""
    from dixian.cases.models import Clue, MonitoringSpell, MonitoringVisit
    from dixian.cases.signals import implemented_measures

    today = timezone.localdate(now)
    policy = policy_for(household, today)
    this_month = local_month(now)
    spell = MonitoringSpell.objects.filter(household=household, ended_on__isnull=True).first()
    started = spell.started_on if spell else None
    started_month = local_month(started) if started else (household.identified_month or this_month)
    months = months_between(started_month, this_month)
    risks = list(spell.risk_types if spell else household.risk_types or [])
    # "No new risk" compares with the risks the household was identified for: a risk added
    # since (a visit, an alert) is new even though it is now on the household's record.
    identified = list(spell.identification_case.risk_types if spell else risks)

    # Implemented (or implemented and since ended) measures against one of the risks, as the
    # assistance app counts them (by the risk the plan recorded, or by category as R4 does).
    answers = [n for _receiver, n in implemented_measures.send(
        sender=Household, household=household, risks=risks)]
    implemented = sum(answers)

    # Stable income: in each of the last n months, the 12-month income ending there (or, where
    # too few months are recorded, the national system's annual block) is at or above that
    # month's line.
    n = int(policy["income.stable_months"])
    refs = [month_add(this_month, -k) for k in range(n - 1, -1, -1)]
    windows = income_windows(household, refs)
    evidence = {ref: (windows[ref].per_capita, windows[ref].per_capita_after_rigid)
                for ref in refs}
    basis = {ref: windows[ref].basis for ref in refs}
    below = [ref for ref in refs if evidence[ref][0] is None
             or evidence[ref][0] < line_for(household, int(ref[:4]), first_day(ref))]
    stable = 0
    for ref in reversed(refs):
        if ref in below:
            break
        stable += 1
    latest, latest_after = evidence[this_month]
    latest_window = windows[this_month]

    problems = []
    if household.housing_grade in ("C", "D") or household.dangerous_house:
        problems.append("unsafe_housing")
    if household.safe_drinking_water is False:
        problems.append("unsafe_water")
    if household.dropout_flag:
        problems.append("dropout")
    if household.uninsured_member_flag:
        problems.append("uninsured")
    with translation.override("zh-hans"):
        problems_zh = [str(PROBLEMS[p]) for p in problems]
    with translation.override("en"):
        problems_en = [str(PROBLEMS[p]) for p in problems]
    no_labour = whole_household_no_labour(household)

    since = today.replace(day=1)
    for _k in range(n):
        since = (since.replace(day=1) - timedelta(days=1)).replace(day=1)
    new_visit_risks = set(MonitoringVisit.objects.filter(
        household=household, visited_on__gte=since).exclude(new_risk="").exclude(
        new_risk__in=identified).values_list("new_risk", flat=True))
    new_clue_risks = set(Clue.objects.filter(
        case__household=household, received_at__date__gte=since).exclude(
        risk_type__in=identified).values_list("risk_type", flat=True))
    new = sorted(new_visit_risks | new_clue_risks)

    rigid = latest_window.rigid_spending
    facts = {"months_monitored": months, "since_month": started_month,
             "implemented_measures": implemented, "stable_months": stable,
             "months_below": below, "per_capita": latest, "per_capita_after_rigid": latest_after,
             "rigid_spending": rigid, "guarantee_problems": problems,
             "guarantee_problems_zh": problems_zh, "guarantee_problems_en": problems_en,
             "whole_household_no_labour": no_labour, "new_risks": new}
    line = int(policy["income.monitoring_line"])
    values = {
        "R6-MONTHS": {"months": months, "since": started_month},
        "R6-MEASURES": {"implemented_measures": implemented},
        "R6-INCOME": {"per_capita": latest, "line": line, "months_below": below,
                      "basis": basis},
        "R6-RIGID": {"per_capita_after_rigid": latest_after, "rigid_spending": rigid},
        "R6-GUARANTEES": {"problems": problems_zh, "housing_grade": household.housing_grade,
                          "safe_drinking_water": household.safe_drinking_water},
        "R6-LABOUR": {"whole_household_no_labour": no_labour},
        "R6-NO-NEW-RISK": {"new_risks": new},
    }
    language = get_language() or "zh"
    return [Condition(CONDITION_NAMES[r.id], r.ok, r.sentence(language), values[r.id], r.id)
            for r in elimination.assess(facts, policy)]


#: the three guarantees and water, as the R6 sentence names what is not assured
PROBLEMS = {"unsafe_housing": _("unsafe housing"), "unsafe_water": _("unsafe drinking water"),
            "dropout": _("a school dropout"),
            "uninsured": _("a member without medical insurance")}


def failed(conditions: list[Condition]) -> list[Condition]:
    return [c for c in conditions if not c.ok]


__all__ = ["classify", "elimination_conditions", "failed", "income_windows", "line_for"]
