"""Projects, funds, assets and the checks over the API, scoped like the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from dixian.core.access import NotFound, require
from dixian.core.models import Region
from dixian.core.roles import Capability
from dixian.funds import actions, checks
from dixian.funds import documents as files_of
from dixian.funds.access import (
    access_asset,
    access_document,
    access_project,
    check_region,
    scoped_assets,
    scoped_distributions,
    scoped_projects,
)
from dixian.registry.actions import access_household
from dixian.web.api_body import documented, is_multipart, read_body
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


class DocumentOut(Schema):
    """A file of the project's file; ``url`` downloads it (audited)."""

    id: int
    attached_to: str  # "step:12", "payment:3", "disposal:4"
    step_kind: str  # the step's kind, "payment" or "disposal"
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_attached_to(obj) -> str:
        return obj.target

    @staticmethod
    def resolve_step_kind(obj) -> str:
        return obj.step.kind if obj.step_id else obj.target.split(":", 1)[0]

    @staticmethod
    def resolve_uploaded_by(obj) -> str:
        return obj.uploaded_by.username

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/api/funds/documents/{obj.pk}"


class StepOut(Schema):
    id: int
    kind: str
    on: date
    documents: list[str]  # names or numbers as typed
    files: list[DocumentOut]
    note: str

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.select_related("step", "uploaded_by"))


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


def _sent_files(request, field: str) -> list:
    return request.FILES.getlist(field) if is_multipart(request) else []


@router.post("/projects", response={201: ProjectFileOut}, openapi_extra=documented(
    ApplyIn, files="the files of the 四议两公开 steps as files.proposal, files.meeting, "
                   "files.village_notice, and the application's as files.application"))
def apply_project(request):
    """The village applies. As JSON, each 四议两公开 step names its documents; as
    ``multipart/form-data``, the same JSON in the field ``data`` and the steps' files beside
    it (``files.<step>``), checked like every document."""
    require(request.user, Capability.APPLY_PROJECTS)
    body = read_body(request, ApplyIn, "the application (region_code, title, year, category, "
                                       "amount, democracy...)", files=True)
    try:
        project = actions.do_apply_project(
            region_code=body.region_code, title=body.title, year=body.year,
            category=body.category, amount=body.amount, location=body.location,
            targets=body.targets, planned_completion=body.planned_completion,
            democracy=[actions.DemocracyStep(d.kind, d.on, tuple(d.documents), d.note,
                                             tuple(_sent_files(request, f"files.{d.kind}")))
                       for d in body.democracy],
            beneficiaries=list(body.beneficiaries),
            files=_sent_files(request, "files.application"), actor=request.user)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None
    return 201, _file(project)


@router.post("/projects/{project_id}/steps", response=ProjectFileOut,
             openapi_extra=documented(StepIn, files="the step's files as files"))
def project_step(request, project_id: int):
    """The next review (township, experts, county) or an execution step, with its documents:
    names or numbers in ``documents``, files (``multipart/form-data``: the JSON in the field
    ``data``, the files as ``files``) or both."""
    require(request.user, Capability.VIEW_FUNDS)
    project = access_project(request.user, project_id)
    body = read_body(request, StepIn, "the step (step, approve, documents, note...)",
                     files=True)
    try:
        if body.step == "review":
            actions.do_review_project(project, approve=body.approve, note=body.note,
                                      documents=body.documents,
                                      files=_sent_files(request, "files"), actor=request.user,
                                      on=body.on)
        else:
            actions.do_record_execution(project, body.step, documents=body.documents,
                                        files=_sent_files(request, "files"),
                                        note=body.note, amount=body.amount,
                                        percent=body.percent, contractor=body.contractor,
                                        actor=request.user, on=body.on)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None
    except PermissionDenied:
        raise HttpError(403, "your role may not take this step") from None
    return _file(project)


def _documents_of(project):
    return project.files.select_related("step", "uploaded_by").order_by("uploaded_at", "pk")


@router.get("/projects/{project_id}/documents", response=list[DocumentOut])
def list_documents(request, project_id: int):
    """Every document of the project's file: its steps', payments' and its assets'
    disposals', with who uploaded it, when, its type, size and SHA-256."""
    return list(_documents_of(access_project(request.user, project_id)))


@router.post("/projects/{project_id}/documents", response={201: list[DocumentOut]})
def upload_documents(request, project_id: int, step: Form[int | None] = None,
                     payment: Form[int | None] = None, disposal: Form[int | None] = None,
                     files: File[list[UploadedFile]] = None):
    """Attach files (multipart field ``files``, one or more) to one step (``step``: its id
    from the project's file), payment (``payment``) or disposal of the project's assets
    (``disposal``), by a role that takes that step. Each file is checked by its content
    (PDF, JPEG, PNG, XLSX, DOCX, OFD) and its size; a refused upload stores nothing."""
    from dixian.funds.models import Disposal

    project = access_project(request.user, project_id)
    found = None
    if step is not None:
        found = {"step": project.steps.filter(pk=step).first()}
    elif payment is not None:
        found = {"payment": project.payments.filter(pk=payment).first()}
    elif disposal is not None:
        found = {"disposal": Disposal.objects.filter(pk=disposal,
                                                     asset__project=project).first()}
    if not found:
        raise HttpError(400, "name what the files belong to: the form field step, payment or "
                             "disposal, with its id from the project's file")
    if None in found.values():
        raise NotFound
    if not files:
        raise HttpError(400, "send the files as the multipart field 'files'")
    documents = files_of.do_attach_documents(files, actor=request.user, **found)
    return 201, documents


@router.get("/documents/{document_id}", response={200: None},
            openapi_extra={"responses": {"200": {
                "description": "the file, as an attachment", "content": {
                    "application/octet-stream": {"schema": {"type": "string",
                                                            "format": "binary"}}}}}})
def download_document(request, document_id: int):
    """The document's bytes (audited: who downloaded which document)."""
    return files_of.download(access_document(request.user, document_id), actor=request.user)


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


# ------------------------------------------------------------------ writes: funds and assets
# Each calls the audited action the pages call; its errors are the action's (400 with the
# rule, 403 for a role that may not, 404 outside the region).

class AllocationIn(Schema):
    county_code: str
    year: int
    source: str
    amount: str
    document: str
    received_on: date


class AppropriationIn(Schema):
    project_id: int
    amount: str
    document: str
    on: date | None = None


class PaymentIn(Schema):
    amount: str
    paid_on: date
    payee: str
    document: str = ""  # the voucher's number; or send its file
    final: bool = False


class AssetIn(Schema):
    name: str
    category: str
    book_value: str
    operator: str = ""
    maintenance_duty: str = ""
    owner_household: str = ""
    condition: str = "good"
    on: date | None = None


class AssetIncomeIn(Schema):
    month: str
    amount: str
    note: str = ""


class ShareIn(Schema):
    channel: str
    amount: str
    household_code: str = ""
    member_id: str = ""
    basis: str = ""


class DistributionIn(Schema):
    shares: list[ShareIn]
    on: date | None = None


class DisposalIn(Schema):
    how: str
    reason: str


class DecisionIn(Schema):
    approve: bool
    proceeds: str | None = None
    note: str = ""


def _created(obj, **extra) -> tuple[int, dict]:
    return 201, {"id": obj.pk, **extra}


@router.post("/allocations", response={201: dict}, openapi_extra=documented(AllocationIn))
def record_allocation(request):
    require(request.user, Capability.MANAGE_FUNDS)
    body = read_body(request, AllocationIn, "the allocation (county_code, year, source, "
                                            "amount, document, received_on)")
    allocation = actions.do_record_allocation(
        county_code=body.county_code, year=body.year, source=body.source, amount=body.amount,
        document=body.document, received_on=body.received_on, actor=request.user)
    return _created(allocation, amount=str(allocation.amount))


@router.post("/allocations/{allocation_id}/appropriations", response={201: dict},
             openapi_extra=documented(AppropriationIn))
def appropriate(request, allocation_id: int):
    from dixian.funds.access import access_allocation

    require(request.user, Capability.MANAGE_FUNDS)
    allocation = access_allocation(request.user, allocation_id)
    body = read_body(request, AppropriationIn, "the appropriation (project_id, amount, "
                                               "document)")
    project = access_project(request.user, body.project_id)
    item = actions.do_appropriate_funds(allocation, project, body.amount, document=body.document,
                                        actor=request.user, on=body.on)
    return _created(item, amount=str(item.amount))


@router.post("/appropriations/{appropriation_id}/payments", response={201: dict},
             openapi_extra=documented(PaymentIn, files="the voucher's files as files"))
def pay(request, appropriation_id: int):
    from dixian.funds.models import Appropriation

    require(request.user, Capability.MANAGE_FUNDS)
    appropriation = Appropriation.objects.filter(
        pk=appropriation_id, project__in=scoped_projects(request.user)).first()
    if appropriation is None:
        raise NotFound
    body = read_body(request, PaymentIn, "the payment (amount, paid_on, payee, document)",
                     files=True)
    payment = actions.do_pay(appropriation, body.amount, paid_on=body.paid_on, payee=body.payee,
                             document=body.document, final=body.final,
                             files=_sent_files(request, "files"), actor=request.user)
    return _created(payment, amount=str(payment.amount))


@router.post("/projects/{project_id}/assets", response={201: AssetOut},
             openapi_extra=documented(AssetIn))
def register_asset(request, project_id: int):
    require(request.user, Capability.MANAGE_ASSETS)
    project = access_project(request.user, project_id)
    body = read_body(request, AssetIn, "the asset (name, category, book_value...)")
    asset = actions.do_register_asset(
        project, name=body.name, category=body.category, book_value=body.book_value,
        operator=body.operator, maintenance_duty=body.maintenance_duty,
        owner_household=body.owner_household, condition=body.condition, actor=request.user,
        on=body.on)
    return 201, asset


@router.post("/assets/{asset_id}/income", response={201: dict},
             openapi_extra=documented(AssetIncomeIn))
def record_asset_income(request, asset_id: int):
    require(request.user, Capability.MANAGE_ASSETS)
    asset = access_asset(request.user, asset_id)
    body = read_body(request, AssetIncomeIn, "the month's income (month, amount)")
    income = actions.do_record_asset_income(asset, month=body.month, amount=body.amount,
                                            note=body.note, actor=request.user)
    return _created(income, month=income.month, amount=str(income.amount))


@router.post("/asset-income/{income_id}/distributions", response={201: dict},
             openapi_extra=documented(DistributionIn))
def distribute_income(request, income_id: int):
    from dixian.funds.models import AssetIncome

    require(request.user, Capability.MANAGE_ASSETS)
    income = AssetIncome.objects.filter(pk=income_id,
                                        asset__in=scoped_assets(request.user)).first()
    if income is None:
        raise NotFound
    body = read_body(request, DistributionIn, "the shares (channel, amount, household_code, "
                                              "member_id, basis)")
    rows = actions.do_distribute_income(
        income, [actions.Share(s.channel, s.amount, s.household_code, s.member_id, s.basis)
                 for s in body.shares], actor=request.user, on=body.on)
    return 201, {"distributions": [r.pk for r in rows]}


@router.post("/assets/{asset_id}/disposals", response={201: dict},
             openapi_extra=documented(DisposalIn, files="the request's files as files"))
def request_disposal(request, asset_id: int):
    require(request.user, Capability.MANAGE_ASSETS)
    asset = access_asset(request.user, asset_id)
    body = read_body(request, DisposalIn, "the disposal (how, reason)", files=True)
    disposal = actions.do_request_disposal(asset, how=body.how, reason=body.reason,
                                           files=_sent_files(request, "files"),
                                           actor=request.user)
    return _created(disposal)


@router.post("/disposals/{disposal_id}/decision", response=dict,
             openapi_extra=documented(DecisionIn, files="the approval's files as files"))
def decide_disposal(request, disposal_id: int):
    from dixian.funds.models import Disposal

    require(request.user, Capability.APPROVE_PROJECTS)
    disposal = Disposal.objects.filter(pk=disposal_id,
                                       asset__in=scoped_assets(request.user)).first()
    if disposal is None:
        raise NotFound
    body = read_body(request, DecisionIn, "the decision (approve, proceeds, note)", files=True)
    disposal = actions.do_decide_disposal(disposal, approve=body.approve,
                                          proceeds=body.proceeds, note=body.note,
                                          files=_sent_files(request, "files"),
                                          actor=request.user)
    return {"id": disposal.pk, "state": disposal.state}
