"""Plans, measures, department boards and coverage over the API, scoped like the pages."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from dixian.assistance import actions, plans
from dixian.assistance.coverage import coverage as compute_coverage
from dixian.assistance.models import Measure, PlanIssue, Status
from dixian.core.access import require, scope_of, scope_q
from dixian.core.roles import Capability
from dixian.registry.actions import access_household
from dixian.web.api_body import documented, read_body
from dixian.web.pagination import Pagination

router = Router(tags=["assistance"])


class MeasureOut(Schema):
    id: int
    household_code: str
    risk_type: str
    category: str
    instrument: str
    department: str
    member_id: str
    status: str
    planned_on: date
    due_on: date
    implemented_on: date | None
    evidence: str

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code


class IssueOut(Schema):
    rule_id: str
    risk_type: str
    severity: str
    department: str
    sentence_zh: str
    sentence_en: str


class PlanOut(Schema):
    household_code: str
    measures: list[MeasureOut]
    issues: list[IssueOut]
    suggestions: list[dict]


class ItemIn(Schema):
    instrument: str
    risk_type: str = ""
    member_id: str = ""
    amount: float | None = None
    due_on: date | None = None


class UpdateIn(Schema):
    status: str
    on: date | None = None
    evidence: str = ""


@router.get("/plans/{code}", response=PlanOut)
def get_plan(request, code: str):
    require(request.user, Capability.VIEW_REGISTRY)
    household = access_household(request.user, code)
    today = timezone.localdate()
    return {"household_code": household.code,
            "measures": list(Measure.objects.filter(household=household)),
            "issues": list(PlanIssue.objects.filter(household=household,
                                                    status=PlanIssue.Status.OPEN)),
            "suggestions": [{"instrument": s.instrument, "risk_type": s.risk_type,
                             "members": list(s.member_refs), "reason_zh": s.reason_zh,
                             "reason_en": s.reason_en, "basis": s.basis}
                            for s in plans.suggestions(household, today)]
            if actions.may_receive_measures(household) else []}


class ItemsIn(Schema):
    items: list[ItemIn]


@router.post("/plans/{code}/measures", response=list[MeasureOut],
             openapi_extra=documented(ItemsIn))
def plan_measures(request, code: str):
    require(request.user, Capability.PLAN_MEASURES)
    household = access_household(request.user, code)
    body = read_body(request, ItemsIn, "the measures (items: instrument, risk_type, member_id...)")
    try:
        return actions.do_plan_measures(household, [
            actions.Item(instrument=i.instrument, risk_type=i.risk_type, member_id=i.member_id,
                         amount=actions.parse_amount(i.amount), due_on=i.due_on)
            for i in body.items], actor=request.user)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None


@router.get("/measures", response=list[MeasureOut])
@paginate(Pagination)
def list_measures(request, status: str = "", overdue: bool = False):
    """The officer's department's measures in their region."""
    require(request.user, Capability.DELIVER_MEASURES)
    measures = Measure.objects.filter(scope_q(scope_of(request.user), "village_code"),
                                      department=request.user.department).select_related(
        "household")
    if status:
        measures = measures.filter(status=status)
    if overdue:
        measures = measures.filter(status__in=[Status.PLANNED, Status.IN_PROGRESS],
                                   due_on__lt=timezone.localdate())
    return measures.order_by("due_on", "pk")


@router.post("/measures/{measure_id}", response=MeasureOut,
             openapi_extra=documented(UpdateIn))
def update_measure(request, measure_id: int):
    require(request.user, Capability.DELIVER_MEASURES)
    actions.access_measure(request.user, measure_id)
    body = read_body(request, UpdateIn, "the update (status, on, evidence)")
    try:
        return actions.do_update_measure(measure_id, actor=request.user, status=body.status,
                                         on=body.on, evidence=body.evidence)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None


@router.get("/coverage")
def coverage(request, on: date | None = None):
    require(request.user, Capability.VIEW_REGISTRY)
    c = compute_coverage(scope_of(request.user), on or timezone.localdate())
    return {"monitored": c.monitored, "with_measure": c.with_measure,
            "measure_share": c.measure_share, "with_labour": c.with_labour,
            "development_share": c.development_share, "industry_share": c.industry_share,
            "days_identification_to_measure": c.days_identification_to_measure,
            "days_clue_to_measure": c.days_clue_to_measure,
            "within_15_days": c.within_15_days,
            "overdue_by_department": c.overdue_by_department}
