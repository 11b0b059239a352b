"""The procedures over simulated time: a county's cadres, townships, county and departments
working through clues, cases, visits, measures and eliminations, day by day.

Every change goes through the same actions people use (``do_transition``, ``do_plan_measures``
...), dated at the simulated moment, so the result is a ledger like a real county's: cases in
every state, some overdue, plans in every state, spells ending and restarting. Behaviour is
set by delays per step, working days (no steps at weekends) and a daily capacity per office;
decisions follow the rules (R2 decides eligibility, R6 decides elimination) with small rates
of objections and returns. The measurement the issue asks for (share decided within 15 days,
median clue-to-decision and clue-to-first-measure) is :func:`figures`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import median

from django.core.exceptions import ValidationError
from django.db.models import Min

from dixian.cases import actions, eligibility, monitoring
from dixian.cases.machine import FINAL, Action, Kind, State
from dixian.cases.models import Case, Channel, MonitoringSpell
from dixian.core.models import User
from dixian.core.roles import Role
from dixian.simulation.bridge import RegionScope

# Working days each step takes once the case reaches it: (fewest, most), uniform. Set from
# the documented local limits (domain.md §2.2: accepted within 2 days, visited within 2,
# data match within 5, review and notice within 5 + the notice's 5 days, township and
# county within a few days) with some slack; they are assumptions, stated in
# docs/procedures.md with the figures they produce.
DELAYS = {
    State.CLUE: (0, 2), State.VISIT: (0, 3), "data_match": (1, 5),
    State.VILLAGE_REVIEW: (0, 4), State.NOTICE: (0, 1),  # after the 5 days of notice
    State.TOWNSHIP_REVIEW: (0, 3), State.COUNTY_APPROVAL: (1, 4), State.ANNOUNCED: (0, 2),
    "plan": (0, 5), "deliver": (3, 35),
}
# Instruments paid or done once: they end soon after they are implemented.
ONE_OFF = {"TEMPORARY_ASSISTANCE", "DISASTER_RELIEF", "MIGRANT_TRANSPORT_SUBSIDY",
           "MEDICAL_PREMIUM_SUBSIDY", "HOUSE_RENOVATION"}
# Steps an office can take in a working day.
CAPACITY = {Role.TOWNSHIP_REVIEWER: 10, Role.COUNTY_APPROVER: 30, Role.COUNTY_ADMIN: 40,
            Role.VILLAGE_CADRE: 6, Role.DEPARTMENT_OFFICER: 40}
RATES = {"decline_eligible": 0.05, "objection": 0.03, "township_return": 0.04,
         "county_reject_eligible": 0.02, "visit_done": 0.94, "propose_elimination": 0.35,
         "clues_per_10000_households_a_day": 1.5, "natural_elimination": 0.15,
         "campaign_visits_per_village_a_day": 2, "campaign_risk": 0.03}


@dataclass
class Result:
    days: int = 0
    steps: int = 0
    screenings: int = 0
    clues: int = 0
    measures: int = 0
    visits: int = 0
    eliminations_proposed: int = 0
    notes: list[str] = field(default_factory=list)


class _People:
    """One person per office the simulation needs (created once, like real staff)."""

    def __init__(self, county: str):
        self.county = county
        self.cache: dict[tuple, User] = {}

    def get(self, role: Role, region: str, department: str = "") -> User:
        key = (role, region, department)
        if key not in self.cache:
            from dixian.core.actions import do_create_user

            username = f"{role.value}-{department or region}"
            # Simulated staff never sign in: no password to hash (Argon2 costs about a
            # second a user, half the demo's simulation when it hashed one per office).
            user = User.objects.filter(username=username).first() or do_create_user(
                username=username, role=role, region_code=region, password=None,
                department=department)
            self.cache[key] = user
        return self.cache[key]

    def for_step(self, role: Role, village: str, department: str = "") -> User:
        region = {Role.VILLAGE_CADRE: village, Role.TOWNSHIP_REVIEWER: village[:9]}.get(
            role, self.county)
        return self.get(role, region, department)


def _working(day: date) -> bool:
    return day.weekday() < 5


def _add_working(day: date, n: int) -> date:
    while n > 0 or not _working(day):
        day += timedelta(days=1)
        if _working(day):
            n -= 1
    return day


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(1 + rng.randrange(8), rng.randrange(60)), tzinfo=UTC)


def simulate(county: str, start: date, end: date, *, seed: int = 7,
             screen: bool = True) -> Result:
    rng = random.Random(seed)
    people = _People(county)
    scope = RegionScope.of(county)
    result = Result()
    due: dict[int, date] = {}  # case → the day its next step is due
    match_due: dict[int, date] = {}
    plan_due: dict[int, date] = {}  # household → the day its plan is made
    deliver_due: dict[int, date] = {}  # measure → the day it is delivered
    visit_day: dict[tuple[int, str], int] = {}
    _catch_up_plans(scope, start, plan_due, rng)
    from dixian.registry.models import Household

    households = Household.objects.filter(village__code__startswith=scope.prefixes[0]).count()
    from dixian.core import progress

    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    for day in progress.track(days, "    simulating the county's days"):
        result.days += 1
        if _working(day):
            used: dict[tuple, int] = defaultdict(int)
            if screen and day.day <= 7 and not _screened_this_month(scope, day):
                _screen(scope, day, rng, result)
            _new_clues(scope, day, rng, result, people, households)
            _schedule_new_cases(scope, day, due, match_due, rng)
            _take_steps(day, due, match_due, plan_due, rng, used, people, result)
            _plans(day, plan_due, deliver_due, rng, people, result)
            _deliveries(day, deliver_due, rng, used, people, result)
            _visits(scope, day, rng, visit_day, people, result)
            if day.day <= 3 and _first_working_day(day):
                _eliminations(scope, day, due, match_due, rng, people, result)
            if day == _add_working(end - timedelta(days=45), 0):
                _launch_campaign(county, day, rng, people, result)
            _campaign_visits(day, rng, people, result)
    return result


def _first_working_day(day: date) -> bool:
    first = day.replace(day=1)
    while not _working(first):
        first += timedelta(days=1)
    return first == day


def _screened_this_month(scope, day: date) -> bool:
    from dixian.exchange.models import ScreeningRun

    return ScreeningRun.objects.filter(started_at__date__gte=day.replace(day=1),
                                       started_at__date__lte=day,
                                       scope_code=scope.stored_code()).exists()


def _screen(scope, day: date, rng, result: Result) -> None:
    from dixian.exchange.actions import do_run_screening
    from dixian.exchange.models import FeedBatch

    period = eligibility.local_month(day.replace(day=1) - timedelta(days=1))
    if not FeedBatch.objects.filter(period=period, status="accepted").exists():
        return
    run = do_run_screening(scope, period, now=_at(day, rng))
    result.screenings += 1
    result.clues += run.counts.get("outcomes", {}).get("clue", 0)


def _new_clues(scope, day, rng, result, people, households: int) -> None:
    """Self-declarations and cadres' clues: households below the line after rigid spending
    that are neither monitored nor under review."""
    from dixian.registry.models import Household

    n = _poisson(rng, RATES["clues_per_10000_households_a_day"] * households / 10000)
    if not n:
        return
    busy = Case.objects.exclude(state__in=[s.value for s in FINAL]).values("household_id")
    watched = MonitoringSpell.objects.filter(ended_on__isnull=True).values("household_id")
    pool = list(Household.objects.filter(village__code__startswith=scope.prefixes[0],
                                         monitoring_category="")
                .exclude(pk__in=busy).exclude(pk__in=watched).values_list("pk", flat=True)
                .order_by("pk")[:20000])
    for household_id in rng.sample(pool, min(n, len(pool))):
        household = Household.objects.get(pk=household_id)
        verdict = eligibility.classify(household, ["OTHER"], _at(day, rng))
        if verdict.category is None and rng.random() < 0.7:
            continue  # most cadres only raise a clue for a household that looks in need
        channel = rng.choice([Channel.SELF_DECLARATION, Channel.CADRE_VISIT])
        risk = rng.choice(["ILLNESS", "UNSTABLE_EMPLOYMENT", "EDUCATION", "ACCIDENT",
                           "DISASTER" if rng.random() < 0.2 else "ILLNESS"])
        actions.do_receive_clue(household, channel=channel, risk_type=risk,
                                actor=people.for_step(Role.VILLAGE_CADRE, household.village_id),
                                description="入户走访发现" if channel == Channel.CADRE_VISIT
                                else "农户自主申报", received_at=_at(day, rng))
        result.clues += 1


def _poisson(rng: random.Random, lam: float) -> int:
    n, p, threshold = 0, 1.0, pow(2.718281828, -lam)
    while True:
        p *= rng.random()
        if p < threshold:
            return n
        n += 1


def _schedule_new_cases(scope, day, due, match_due, rng) -> None:
    for case in Case.objects.filter(village_code__startswith=scope.prefixes[0],
                                    imported=False).exclude(
            state__in=[s.value for s in FINAL]).exclude(pk__in=list(due)):
        due[case.pk] = _add_working(day, rng.randint(*DELAYS[State(case.state)]))
        if case.data_matched_at is None:
            match_due[case.pk] = _add_working(day, rng.randint(*DELAYS["data_match"]))


ROLE_OF_STEP = {State.CLUE: Role.TOWNSHIP_REVIEWER, State.VISIT: Role.VILLAGE_CADRE,
                State.VILLAGE_REVIEW: Role.VILLAGE_CADRE, State.NOTICE: Role.VILLAGE_CADRE,
                State.TOWNSHIP_REVIEW: Role.TOWNSHIP_REVIEWER,
                State.COUNTY_APPROVAL: Role.COUNTY_APPROVER, State.ANNOUNCED: Role.VILLAGE_CADRE}


def _take_steps(day, due, match_due, plan_due, rng, used, people, result) -> None:
    for case_id, when in sorted(match_due.items(), key=lambda kv: kv[1]):
        if when > day or used[(Role.COUNTY_ADMIN, "")] >= CAPACITY[Role.COUNTY_ADMIN]:
            continue
        case = Case.objects.get(pk=case_id)
        del match_due[case_id]
        if case.state in FINAL or case.data_matched_at or case.state == State.CLUE:
            if case.state == State.CLUE:
                match_due[case_id] = _add_working(day, 1)
            continue
        _do(case, Action.RECORD_DATA_MATCH, {}, people.for_step(Role.COUNTY_ADMIN,
                                                                case.village_code), day, rng)
        used[(Role.COUNTY_ADMIN, "")] += 1
        result.steps += 1
    for case_id, when in sorted(due.items(), key=lambda kv: kv[1]):
        if when > day:
            continue
        case = Case.objects.get(pk=case_id)
        if case.state in FINAL:
            del due[case_id]
            continue
        state = State(case.state)
        role = ROLE_OF_STEP[state]
        office = (role, case.village_code[:9] if role == Role.TOWNSHIP_REVIEWER else
                  case.village_code if role == Role.VILLAGE_CADRE else "")
        if used[office] >= CAPACITY[role]:
            continue  # tomorrow, first in line
        actor = people.for_step(role, case.village_code)
        action, data = _decide(case, state, day, rng)
        if action is None:
            due[case_id] = _add_working(day, 1)
            continue
        moved = _do(case, action, data, actor, day, rng)
        used[office] += 1
        result.steps += 1
        if moved is None:
            due[case_id] = _add_working(day, 1)
            continue
        if moved.state in FINAL:
            del due[case_id]
            if moved.state == State.MONITORED:
                plan_due[moved.household_id] = _add_working(day, rng.randint(*DELAYS["plan"]))
            continue
        if action == Action.ACCEPT and case.fast_track:
            _do(moved, Action.START_ASSISTANCE, {"assistance": "临时救助，先行落实帮扶"},
                actor, day, rng)
            plan_due[moved.household_id] = day
        wait = rng.randint(*DELAYS[State(moved.state)])
        if moved.state == State.NOTICE:
            wait += 4  # five calendar days of notice, at least
        due[case_id] = _add_working(day, wait)


def _decide(case: Case, state: State, day: date, rng) -> tuple[Action | None, dict]:
    when = _at(day, rng)
    if state == State.CLUE:
        return Action.ACCEPT, {}
    if state == State.VISIT:
        return Action.RECORD_VISIT, {"consent_date": day, "consent_confirmed": True,
                                     "findings": "入户核实", **_verified(case, when)}
    if state == State.VILLAGE_REVIEW:
        record = {"participants": "村两委、村民代表", "minutes": "民主评议"}
        if case.kind == Kind.IDENTIFICATION:
            verdict = eligibility.classify(case.household, case.risk_types, when,
                                           case.decision_values.get("visit"))
            if verdict.category is None or rng.random() < RATES["decline_eligible"]:
                return Action.DECLINE, record
        return Action.PROPOSE, record
    if state == State.NOTICE:
        if rng.random() < RATES["objection"]:
            return Action.RECORD_OBJECTION, {"objection": "群众反映情况，需重新评议"}
        return Action.CLOSE_NOTICE, {}
    if state == State.TOWNSHIP_REVIEW:
        if case.data_matched_at is None:
            return None, {}
        if rng.random() < RATES["township_return"]:
            return Action.TOWNSHIP_RETURN, {"reason": "材料不全，退回补充"}
        return Action.TOWNSHIP_APPROVE, {}
    if state == State.COUNTY_APPROVAL:
        if case.kind == Kind.ELIMINATION:
            mode = "NATURAL" if rng.random() < RATES["natural_elimination"] else "ASSISTED"
            return Action.COUNTY_APPROVE, {"mode": mode}
        verdict = eligibility.classify(case.household, case.risk_types, when,
                                       case.decision_values.get("visit"))
        if verdict.category is None or rng.random() < RATES["county_reject_eligible"]:
            return Action.COUNTY_REJECT, {"reason": verdict.reason}
        return Action.COUNTY_APPROVE, {}
    if state == State.ANNOUNCED:
        return (Action.ELIMINATE if case.kind == Kind.ELIMINATION else Action.ENTER), {}
    return None, {}


def _verified(case: Case, when: datetime) -> dict:
    """What the visit verifies: the 12-month net income on record, and rigid spending that
    includes the out-of-pocket medical costs the insurance data shows (the registry's
    incomes alone do not hold them)."""
    from dixian.exchange.models import Alert

    window = eligibility.income_windows(case.household, [eligibility.local_month(when)])
    w = window[eligibility.local_month(when)]
    medical = max((a.value or 0 for a in Alert.objects.filter(
        household=case.household, rule_id__startswith="R7-MED")), default=0)
    return {"net_income": w.household_net, "rigid_spending": int(max(w.rigid_spending or 0,
                                                                     medical))}


def _do(case: Case, action: Action, data: dict, actor, day: date, rng) -> Case | None:
    try:
        return actions.do_transition(case.pk, action, actor=actor, expected_state=case.state,
                                     data=data, now=_at(day, rng))
    except ValidationError:
        if action in (Action.TOWNSHIP_APPROVE, Action.COUNTY_APPROVE, Action.ELIMINATE) and \
                case.kind == Kind.ELIMINATION:
            # R6 no longer holds (a new risk, income fell): the county does not approve.
            if case.state == State.COUNTY_APPROVAL:
                return actions.do_transition(
                    case.pk, Action.COUNTY_REJECT, actor=actor, expected_state=case.state,
                    data={"reason": "复核时风险消除条件不再满足"}, now=_at(day, rng))
        return None


def _catch_up_plans(scope, start: date, plan_due, rng) -> None:
    """Households monitored before the platform get their plan made in the first weeks."""
    from dixian.assistance.models import Measure

    planned = Measure.objects.values("household_id")
    for spell in MonitoringSpell.objects.filter(village_code__startswith=scope.prefixes[0],
                                                ended_on__isnull=True).exclude(
            household_id__in=planned):
        plan_due[spell.household_id] = _add_working(start, rng.randint(0, 15))


def _plans(day, plan_due, deliver_due, rng, people, result) -> None:
    from dixian.assistance import actions as assistance
    from dixian.assistance import plans
    from dixian.registry.models import Household

    past = None  # the platform's history, read once a day (not once per household)
    for household_id, when in sorted(plan_due.items(), key=lambda kv: kv[1]):
        if when > day:
            continue
        del plan_due[household_id]
        household = Household.objects.get(pk=household_id)
        if not assistance.may_receive_measures(household):
            continue
        chosen, blocks = [], set()
        past = plans.history() if past is None else past
        for s in plans.suggestions(household, day, past):
            if (s.risk_type or s.block) in blocks:
                continue  # the first suggestion of each block: the cadre's usual choice
            blocks.add(s.risk_type or s.block)
            chosen.append(assistance.Item(instrument=s.instrument, risk_type=s.risk_type or "",
                                          member_id=(s.member_refs or ("",))[0]))
        if not chosen:
            continue
        actor = people.for_step(Role.TOWNSHIP_REVIEWER, household.village_id)
        for item in chosen[:3]:
            try:
                made = assistance.do_plan_measures(household, [item], actor=actor,
                                                   now=_at(day, rng))
            except ValidationError:
                continue  # an instrument check refused it (age, amount...): the next one
            result.measures += len(made)
            for m in made:
                deliver_due[m.pk] = _add_working(day, rng.randint(*DELAYS["deliver"]))


def _deliveries(day, deliver_due, rng, used, people, result) -> None:
    from dixian.assistance import actions as assistance
    from dixian.assistance.models import Measure

    for measure_id, when in sorted(deliver_due.items(), key=lambda kv: kv[1]):
        if when > day:
            continue
        measure = Measure.objects.get(pk=measure_id)
        office = (Role.DEPARTMENT_OFFICER, measure.department)
        if used[office] >= CAPACITY[Role.DEPARTMENT_OFFICER]:
            continue
        officer = people.for_step(Role.DEPARTMENT_OFFICER, measure.village_code,
                                  measure.department)
        status = "in_progress" if measure.status == "planned" and rng.random() < 0.3 else \
            "implemented"
        if measure.status == "implemented":
            status = "ended"  # a one-off measure, paid out: it ends
        assistance.do_update_measure(measure_id, actor=officer, status=status,
                                     evidence="落实凭证已归档", now=_at(day, rng))
        used[office] += 1
        if status == "implemented" and measure.instrument in ONE_OFF:
            deliver_due[measure_id] = _add_working(day, rng.randint(0, 10))
        elif status in ("implemented", "ended"):
            del deliver_due[measure_id]
        else:
            deliver_due[measure_id] = _add_working(day, rng.randint(3, 15))


def _visits(scope, day, rng, visit_day, people, result) -> None:
    month = eligibility.local_month(day)
    for spell in MonitoringSpell.objects.filter(village_code__startswith=scope.prefixes[0],
                                                ended_on__isnull=True,
                                                started_on__lt=day.replace(day=1)):
        key = (spell.household_id, month)
        if key not in visit_day:
            visit_day[key] = rng.randint(1, 25) if rng.random() < RATES["visit_done"] else 99
        if visit_day[key] != day.day:
            continue
        household = spell.household
        prefill = monitoring.visit_prefill(household, month)
        try:
            monitoring.do_record_visit(household, month, actor=people.for_step(
                Role.VILLAGE_CADRE, household.village_id), visited_on=day,
                values=prefill.values)
        except ValidationError:
            continue
        result.visits += 1


def _launch_campaign(county: str, day: date, rng, people, result) -> None:
    monitoring.do_launch_campaign(
        county, actor=people.get(Role.COUNTY_ADMIN, county),
        name=f"{day.year}年防止返贫集中排查", criterion="watch",
        due_on=day + timedelta(days=60), now=_at(day, rng))
    result.notes.append(f"concentrated screening launched on {day}")


def _campaign_visits(day, rng, people, result) -> None:
    from dixian.cases.models import CampaignTask

    per_village: dict[str, int] = defaultdict(int)
    quota = RATES["campaign_visits_per_village_a_day"]
    tasks = CampaignTask.objects.filter(done_on__isnull=True, campaign__due_on__gte=day,
                                        campaign__launched_at__date__lte=day)
    for task in tasks.order_by("village_code", "pk").iterator(chunk_size=2000):
        if per_village[task.village_code] >= quota:
            continue
        per_village[task.village_code] += 1
        risk = rng.random() < RATES["campaign_risk"]
        try:
            monitoring.do_record_campaign_visit(
                task.pk, actor=people.for_step(Role.VILLAGE_CADRE, task.village_code),
                visited_on=day, outcome="risk" if risk else "no_risk",
                risk_type=rng.choice(["ILLNESS", "EDUCATION", "UNSTABLE_EMPLOYMENT",
                                      "HOUSING_SAFETY"]) if risk else "",
                note="集中排查入户发现" if risk else "")
        except ValidationError:
            continue
        result.clues += risk


def _eliminations(scope, day, due, match_due, rng, people, result) -> None:
    """At the start of each month, villages propose households that meet R6."""
    cutoff = day - timedelta(days=182)
    busy = Case.objects.exclude(state__in=[s.value for s in FINAL]).values("household_id")
    for spell in MonitoringSpell.objects.filter(
            village_code__startswith=scope.prefixes[0], ended_on__isnull=True,
            started_on__lte=cutoff).exclude(household_id__in=busy).select_related("household"):
        if rng.random() > RATES["propose_elimination"]:
            continue
        try:
            case = actions.do_propose_elimination(spell.household, actor=people.for_step(
                Role.VILLAGE_CADRE, spell.village_code), now=_at(day, rng))
        except ValidationError:
            continue
        due[case.pk] = _add_working(day, rng.randint(*DELAYS[State.VISIT]))
        match_due[case.pk] = _add_working(day, rng.randint(*DELAYS["data_match"]))
        result.eliminations_proposed += 1


def figures(county: str, until: date, since: date | None = None) -> dict:
    """The issue's measurements over the cases run here (imported history left out), for
    clues received from ``since`` on (leave out the backlog of the first screening)."""
    from dixian.assistance.models import Measure

    cases = Case.objects.filter(village_code__startswith=county, imported=False,
                                kind=Kind.IDENTIFICATION)
    if since is not None:
        cases = cases.filter(opened_at__date__gte=since)
    cases = list(cases)
    sla = {c.pk: (c.deadline - c.opened_at) for c in cases}
    decided = [c for c in cases if c.decided_at]
    lags = [(c.decided_at - c.opened_at).total_seconds() / 86400 for c in decided]
    # Cases old enough to have been decided within the deadline, decided or not.
    due_by_now = [c for c in cases if c.deadline.date() <= until]
    within = [c for c in due_by_now if c.decided_at and c.decided_at - c.opened_at <= sla[c.pk]]
    first = dict(Measure.objects.filter(village_code__startswith=county).values(
        "household_id").annotate(first=Min("planned_on")).values_list("household_id", "first"))
    measure_lags = [(first[c.household_id] - c.opened_at.date()).days for c in cases
                    if c.state == State.MONITORED and c.household_id in first]
    by_state: dict[str, int] = defaultdict(int)
    for c in Case.objects.filter(village_code__startswith=county, imported=False):
        if since is None or c.opened_at.date() >= since:
            by_state[f"{c.kind}:{c.state}"] += 1
    return {
        "cases": len(cases), "decided": len(decided),
        "due_by_now": len(due_by_now), "decided_within_deadline": len(within),
        "share_within_deadline": len(within) / len(due_by_now) if due_by_now else None,
        "median_days_clue_to_decision": round(median(lags), 1) if lags else None,
        "median_days_clue_to_first_measure": median(measure_lags) if measure_lags else None,
        "monitored_from_clues": sum(1 for c in cases if c.state == State.MONITORED),
        "by_state": dict(sorted(by_state.items())),
        "overdue_open": sum(1 for c in Case.objects.filter(
            village_code__startswith=county, deadline__date__lt=until).exclude(
            state__in=[s.value for s in FINAL])),
    }


__all__ = ["simulate", "figures"]
