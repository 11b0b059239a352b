"""The procedures over the API: cases, steps, clues, eliminations, visits and the inbox,
scoped and checked exactly like the pages (the same actions do the work)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from dixian.cases import actions, eligibility, monitoring
from dixian.cases.machine import FINAL
from dixian.cases.models import Case
from dixian.core.access import require, scope_of, scope_q
from dixian.core.roles import Capability, Role
from dixian.registry.actions import access_household
from dixian.web.api_body import documented, read_body
from dixian.web.pagination import Pagination

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    kind: str
    household_code: str
    village_code: str
    state: str
    opened_at: datetime
    deadline: datetime
    overdue: bool
    risk_types: list[str]
    fast_track: bool
    category: str
    elimination_mode: str
    decision_reason: str
    decision_values: dict
    actions: list[str]

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code

    @staticmethod
    def resolve_overdue(obj):
        return obj.deadline < timezone.now() and obj.state not in FINAL

    @staticmethod
    def resolve_actions(obj, context):
        user = context["request"].user
        return [a.value for a in actions.offered(obj, user)]


class StepIn(Schema):
    action: str
    expected_state: str
    data: dict = {}


class ClueIn(Schema):
    household: str
    risk_type: str
    description: str


class ClueOut(Schema):
    id: int
    case_id: int
    channel: str
    risk_type: str


class VisitIn(Schema):
    household: str
    month: str
    visited_on: date
    values: dict = {}
    new_risk: str = ""
    note: str = ""


class VisitOut(Schema):
    id: int
    month: str
    visited_on: date
    findings: dict
    new_risk: str


def _invalid(exc: ValidationError):
    raise HttpError(400, "; ".join(exc.messages))


@router.get("/cases", response=list[CaseOut])
@paginate(Pagination)
def list_cases(request, kind: str = "", state: str = "", overdue: bool = False,
               include_closed: bool = False):
    require(request.user, Capability.VIEW_REGISTRY)
    cases = Case.objects.filter(scope_q(scope_of(request.user), "village_code")).select_related(
        "household")
    if not include_closed:
        cases = cases.exclude(state__in=[s.value for s in FINAL])
    if kind:
        cases = cases.filter(kind=kind)
    if state:
        cases = cases.filter(state=state)
    if overdue:
        cases = cases.filter(deadline__lt=timezone.now())
    return cases.order_by("deadline", "pk")


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request, case_id: int):
    require(request.user, Capability.VIEW_REGISTRY)
    return actions.access_case(request.user, case_id)


@router.post("/cases/{case_id}/steps", response=CaseOut, openapi_extra=documented(StepIn))
def take_step(request, case_id: int):
    require(request.user, Capability.VIEW_REGISTRY)
    actions.access_case(request.user, case_id)
    step = read_body(request, StepIn, "the step (action, expected_state, data)")
    try:
        return actions.do_transition(case_id, step.action, actor=request.user,
                                     expected_state=step.expected_state, data=step.data)
    except actions.Conflict as exc:
        raise HttpError(409, "; ".join(exc.messages)) from None
    except ValueError:
        raise HttpError(400, f"unknown action {step.action!r}") from None
    except ValidationError as exc:
        _invalid(exc)


@router.get("/cases/{case_id}/conditions")
def elimination_conditions(request, case_id: int):
    """R6, condition by condition, as it stands now for the case's household."""
    require(request.user, Capability.VIEW_REGISTRY)
    case = actions.access_case(request.user, case_id)
    return [{"name": c.name, "ok": c.ok, "sentence": c.sentence, "values": c.values}
            for c in eligibility.elimination_conditions(case.household, timezone.now())]


@router.post("/clues", response=ClueOut, openapi_extra=documented(ClueIn))
def raise_clue(request):
    require(request.user, Capability.RAISE_CLUES)
    clue = read_body(request, ClueIn, "the clue (household, risk_type, description)")
    household = access_household(request.user, clue.household)
    try:
        return monitoring.do_raise_clue(household, actor=request.user, risk_type=clue.risk_type,
                                        description=clue.description)
    except ValidationError as exc:
        _invalid(exc)


@router.post("/households/{code}/elimination", response=CaseOut)
def propose_elimination(request, code: str):
    require(request.user, Capability.PROPOSE_ELIMINATION)
    household = access_household(request.user, code)
    try:
        return actions.do_propose_elimination(household, actor=request.user)
    except ValidationError as exc:
        _invalid(exc)


@router.post("/visits", response=VisitOut, openapi_extra=documented(VisitIn))
def record_visit(request):
    require(request.user, Capability.VISIT_HOUSEHOLDS)
    visit = read_body(request, VisitIn, "the visit (household, month, visited_on, values)")
    household = access_household(request.user, visit.household)
    try:
        return monitoring.do_record_visit(household, visit.month, actor=request.user,
                                          visited_on=visit.visited_on, values=visit.values,
                                          new_risk=visit.new_risk, note=visit.note)
    except ValidationError as exc:
        _invalid(exc)


@router.get("/inbox")
def inbox(request):
    """Counts of what waits for the person: their cases, overdue cases, visits due."""
    user, now = request.user, timezone.now()
    out = {"notifications": user.notifications.filter(read_at__isnull=True).count()}
    if Role(user.role) in (Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER,
                           Role.COUNTY_ADMIN):
        out["cases"] = actions.waiting_for(user).count()
        out["overdue"] = actions.overdue(user, now).count()
    if Role(user.role) == Role.VILLAGE_CADRE:
        out["visits_due"] = monitoring.visits_due(user, eligibility.local_month(now)).count()
    return out
