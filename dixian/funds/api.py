"""Projects, funds, assets and the checks over the API, scoped like the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from dixian.core.access import NotFound, require
from dixian.core.models import Region
from dixian.core.roles import Capability
from dixian.funds import actions, checks
from dixian.funds.access import (
    access_asset,
    access_project,
    check_region,
    scoped_assets,
    scoped_distributions,
    scoped_projects,
)
from dixian.registry.actions import access_household
from dixian.web.api_body import documented, read_body
from dixian.web.pagination import Pagination

router = Router(tags=["funds"])


class ProjectOut(Schema):
    id: int
    year: int
    region_code: str
    title: str
    category: str
    state: str
    amount: Decimal
    contract_amount: Decimal | None
    progress: int
    planned_completion: date | None
    accepted_on: date | None


class StepOut(Schema):
    kind: str
    on: date
    documents: list[str]
    note: str


class ProjectFileOut(ProjectOut):
    steps: list[StepOut]
    appropriated: Decimal
    paid: Decimal
    notices: list[dict]
    assets: list[int]


class DemocracyIn(Schema):
    kind: str
    on: date
    documents: list[str]
    note: str = ""


class ApplyIn(Schema):
    region_code: str
    title: str
    year: int
    category: str
    amount: str
    location: str = ""
    targets: str = ""
    planned_completion: date | None = None
    democracy: list[DemocracyIn]
    beneficiaries: list[tuple[str, str]] = []


class StepIn(Schema):
    step: str  # review, or one of tender, contract, progress, acceptance, final_accounts
    approve: bool = True
    note: str = ""
    documents: list[str] = []
    amount: str | None = None
    percent: int | None = None
    contractor: str = ""
    on: date | None = None


class AssetOut(Schema):
    id: int
    project_id: int | None
    region_code: str
    name: str
    category: str
    owner_level: str
    owner_code: str
    operator: str
    book_value: Decimal
    formed_on: date
    condition: str
    supervision: str
    status: str
    action: str


class FindingOut(Schema):
    rule: str
    object_type: str
    object_key: str
    region_code: str
    sentence_zh: str
    sentence_en: str


def _yuan(value) -> str:
    """An amount as text with two decimals, the same on SQLite and PostgreSQL."""
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _plain(row: dict) -> dict:
    return {k: (_yuan(v) if isinstance(v, Decimal) else v) for k, v in row.items()}


def _file(project) -> dict:
    data = ProjectOut.from_orm(project).dict()
    data.update(
        steps=list(project.steps.all()),
        appropriated=project.appropriations.aggregate(s=Sum("amount"))["s"] or Decimal(0),
        paid=project.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0),
        notices=[{"id": n.pk, "kind": n.kind, "decided_on": n.decided_on, "due_by": n.due_by,
                  "published_on": n.published_on} for n in project.notices.all()],
        assets=list(project.assets.values_list("pk", flat=True)))
    return data


@router.get("/projects", response=list[ProjectOut])
@paginate(Pagination)
def list_projects(request, state: str = "", year: int | None = None):
    query = scoped_projects(request.user)
    if state:
        query = query.filter(state=state)
    if year:
        query = query.filter(year=year)
    return query.order_by("-year", "pk")


@router.get("/projects/{project_id}", response=ProjectFileOut)
def get_project(request, project_id: int):
    return _file(access_project(request.user, project_id))


@router.post("/projects", response={201: ProjectFileOut}, openapi_extra=documented(ApplyIn))
def apply_project(request):
    require(request.user, Capability.APPLY_PROJECTS)
    body = read_body(request, ApplyIn, "the application (region_code, title, year, category, "
                                       "amount, democracy...)")
    try:
        project = actions.do_apply_project(
            region_code=body.region_code, title=body.title, year=body.year,
            category=body.category, amount=body.amount, location=body.location,
            targets=body.targets, planned_completion=body.planned_completion,
            democracy=[actions.DemocracyStep(d.kind, d.on, tuple(d.documents), d.note)
                       for d in body.democracy],
            beneficiaries=list(body.beneficiaries), actor=request.user)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None
    return 201, _file(project)


@router.post("/projects/{project_id}/steps", response=ProjectFileOut,
             openapi_extra=documented(StepIn))
def project_step(request, project_id: int):
    """The next review (township, experts, county) or an execution step."""
    require(request.user, Capability.VIEW_FUNDS)
    project = access_project(request.user, project_id)
    body = read_body(request, StepIn, "the step (step, approve, documents, note...)")
    try:
        if body.step == "review":
            actions.do_review_project(project, approve=body.approve, note=body.note,
                                      documents=body.documents, actor=request.user, on=body.on)
        else:
            actions.do_record_execution(project, body.step, documents=body.documents,
                                        note=body.note, amount=body.amount,
                                        percent=body.percent, contractor=body.contractor,
                                        actor=request.user, on=body.on)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None
    except PermissionDenied:
        raise HttpError(403, "your role may not take this step") from None
    return _file(project)


@router.get("/regions/{code}")
def funds_summary(request, code: str):
    """Funds by source and use, industry shares against the policy, projects by state,
    assets by type, and the disbursement progress of a region."""
    check_region(request.user, code)
    if not Region.objects.filter(code=code).exists():
        raise NotFound
    view = checks.overview(code, timezone.localdate())
    return {"code": code, "totals": _plain(view.totals),
            "funds_by_source": [_plain(r) for r in view.funds_by_source],
            "industry_shares": [s.__dict__ for s in view.shares],
            "projects_by_state": [{"state": r["state"], "n": r["n"],
                                   "amount": _yuan(r["amount"])}
                                  for r in view.projects_by_state],
            "assets_by_type": [{**r, "value": _yuan(r["value"])}
                               for r in view.assets_by_type],
            "findings": len(view.findings)}


@router.get("/regions/{code}/findings", response=list[FindingOut])
def funds_findings(request, code: str):
    check_region(request.user, code)
    if not Region.objects.filter(code=code).exists():
        raise NotFound
    return checks.findings(code, timezone.localdate())


@router.get("/assets", response=list[AssetOut])
@paginate(Pagination)
def list_assets(request, category: str = ""):
    query = scoped_assets(request.user)
    if category:
        query = query.filter(category=category)
    return query.order_by("pk")


@router.get("/assets/{asset_id}", response=AssetOut)
def get_asset(request, asset_id: int):
    return access_asset(request.user, asset_id)


@router.get("/households/{code}/income")
def household_income(request, code: str):
    """What a household received from asset income, month by month."""
    require(request.user, Capability.VIEW_FUNDS)
    household = access_household(request.user, code)
    rows = scoped_distributions(request.user).filter(household=household).select_related(
        "income", "member").order_by("income__month", "pk")
    return {"household_code": household.code,
            "total": _yuan(sum((r.amount for r in rows), Decimal(0))),
            "rows": [{"month": r.income.month, "asset": r.income.asset_id,
                      "channel": r.channel, "member": r.member.member_id if r.member else "",
                      "amount": _yuan(r.amount), "basis": r.basis} for r in rows]}


@router.get("/projects/{project_id}/work-relief")
def get_work_relief(request, project_id: int):
    """A work-relief project's labour-remuneration share against the policy, its workers by
    group and its payroll findings."""
    from dixian.funds import work_relief

    project = access_project(request.user, project_id)
    item = getattr(project, "work_relief", None)
    if item is None:
        raise NotFound
    f = work_relief.figures(item, timezone.localdate())
    return {"project": project.pk, "central_investment": _yuan(f.central),
            "remuneration": _yuan(f.remuneration), "share": f.share, "minimum": f.minimum,
            "workers": f.workers,
            "findings": [{"rule": x.rule, "sentence_zh": x.sentence_zh,
                          "sentence_en": x.sentence_en} for x in f.findings]}
