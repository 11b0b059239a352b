"""Pages: a region's funds, shares, projects, assets and findings; the project library and a
project's whole file; the asset registry; printable notices; a household's asset income; the
county's workbook. Reads go through :mod:`dixian.funds.access`, writes through the actions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from dixian.core.access import NotFound, require, scope_of
from dixian.core.models import Region
from dixian.core.roles import Capability, role_has
from dixian.funds import actions, checks, exports
from dixian.funds import documents as files_of
from dixian.funds.access import (
    access_asset,
    access_document,
    access_project,
    check_region,
    scoped_allocations,
    scoped_assets,
    scoped_distributions,
    scoped_projects,
)
from dixian.funds.bridge import classify_asset, resolve
from dixian.funds.models import (
    Appropriation,
    Asset,
    AssetAction,
    AssetCategory,
    Benefit,
    Category,
    Condition,
    Disposal,
    Distribution,
    Notice,
    OwnerLevel,
    ProjectState,
    ProjectStep,
    Source,
)
from dixian.registry.actions import access_household

PAGE_SIZE = 50
RULE_LABELS = {
    "FUNDS_INDUSTRY_SHARE_LOW": _l("Industry share below the minimum"),
    "FUNDS_PAID_BEFORE_ACCEPTANCE": _l("Paid before acceptance"),
    "FUNDS_PROJECT_OVERDUE": _l("Project overdue"),
    "FUNDS_IDLE": _l("Idle funds"),
    "FUNDS_INCOME_TO_INELIGIBLE": _l("Asset income to someone no longer eligible"),
    "FUNDS_NOT_TILTED_TO_WEAK": _l("Asset income not tilted to the weak"),
    "FUNDS_ASSET_IDLE": _l("Idle asset"),
    "FUNDS_ASSET_LOW_RETURN": _l("Low-efficiency asset"),
    "FUNDS_ASSET_NO_SUPERVISION": _l("Asset outside any supervision system"),
    "FUNDS_NOTICE_LATE": _l("Notice late"),
    "WORK_RELIEF_LABOUR_SHARE_LOW": _l("Work relief: labour share below the minimum"),
    "WORK_RELIEF_PAYROLL_SHORT": _l("Work relief: pay not in full"),
    "WORK_RELIEF_PAYROLL_LATE": _l("Work relief: pay late"),
}


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _sentence(finding) -> str:
    return finding.sentence_en if _english() else finding.sentence_zh


def _date(value: str, what: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


def _documents(request) -> list[str]:
    return [d.strip() for d in request.POST.get("documents", "").splitlines() if d.strip()]


def _files(request, field: str = "files") -> list:
    return request.FILES.getlist(field)


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def home(request):
    require(request.user, Capability.VIEW_FUNDS)
    code = request.user.region_id
    if not code:
        code = "52" if scope_of(request.user).national else ""
    if not code:
        raise NotFound
    return redirect("funds_region", code)


@login_required
def region(request, code: str):
    """A region's funds by source and use, industry shares, disbursement, projects by state,
    assets by type and owner, and what the checks find."""
    check_region(request.user, code)
    place = Region.objects.filter(code=code).first()
    if place is None:
        raise NotFound
    today = timezone.localdate()
    view = checks.overview(code, today)
    source_labels = dict(Source.choices)
    for row in view.funds_by_source:
        row["label"] = source_labels.get(row["source"], row["source"])
    labels, owners, statuses = (dict(AssetCategory.choices), dict(OwnerLevel.choices),
                                dict(Asset.Status.choices))
    for row in view.assets_by_type:
        row["label"] = labels.get(row["category"], row["category"])
        row["owner_label"] = owners.get(row["owner_level"], row["owner_level"])
        row["status_label"] = statuses.get(row["status"], row["status"])
    findings = [{"rule": f.rule, "label": RULE_LABELS.get(f.rule, f.rule),
                 "sentence": _sentence(f), "object_type": f.object_type,
                 "key": f.object_key, "region": f.region_code} for f in view.findings]
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f["label"]] = by_rule.get(f["label"], 0) + 1
    children = Region.objects.filter(parent_id=code).order_by("code")[:200] \
        if len(code) < 9 else []
    return render(request, "funds/region.html", {
        "place": place, "code": code, "view": view, "findings": findings[:300],
        "by_rule": list(by_rule.items()), "children": children,
        "parent": place.parent_id if place.parent_id and scope_of(request.user).contains(
            place.parent_id) else None})


@login_required
def export(request, code: str):
    check_region(request.user, code)
    if not Region.objects.filter(code=code).exists():
        raise NotFound
    data = exports.workbook(code, timezone.localdate())
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument"
                                                ".spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="funds-{code}.xlsx"'
    return response


@login_required
def projects(request):
    query = scoped_projects(request.user).order_by("-year", "region_code", "pk")
    state = request.GET.get("state", "")
    if state in ProjectState.values:
        query = query.filter(state=state)
    year = request.GET.get("year", "")
    if year.isdigit():
        query = query.filter(year=int(year))
    if request.GET.get("overdue"):
        query = query.filter(state__in=["approved", "funded", "under_way"],
                             planned_completion__lt=timezone.localdate())
    page = Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funds/projects.html", {
        "page": page, "states": ProjectState.choices, "state": state, "year": year,
        "overdue": bool(request.GET.get("overdue")),
        "may_apply": role_has(request.user.role, Capability.APPLY_PROJECTS)})


@login_required
def apply(request):
    require(request.user, Capability.APPLY_PROJECTS)
    today = timezone.localdate()
    if request.method == "POST":
        p = request.POST
        try:
            democracy = [actions.DemocracyStep(kind, _date(p.get(f"{kind}_on", ""), kind)
                                               or today,
                                               tuple(d.strip() for d in p.get(f"{kind}_doc", "")
                                                     .splitlines() if d.strip()),
                                               p.get(f"{kind}_note", ""),
                                               tuple(_files(request, f"{kind}_file")))
                         for kind in actions.DEMOCRACY]
            beneficiaries = []
            for line in p.get("beneficiaries", "").splitlines():
                if line.strip():
                    code, _sep, how = line.strip().replace("，", ",").partition(",")
                    beneficiaries.append((code.strip(),
                                          _code_of(Benefit.choices, how) or "jobs"))
            year = int(p.get("year") or today.year + 1)
            project = actions.do_apply_project(
                region_code=request.user.region_id or "", title=p.get("title", ""),
                year=year, category=p.get("category", ""), amount=p.get("amount", ""),
                location=p.get("location", ""), targets=p.get("targets", ""),
                planned_completion=_date(p.get("planned_completion", ""), "planned completion"),
                democracy=democracy, beneficiaries=beneficiaries,
                files=_files(request, "application_file"), actor=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        except ValueError:
            messages.error(request, _("The year must be a number."))
        else:
            messages.success(request, _("Project applied for; the township reviews it next."))
            return redirect("project", project.pk)
    return render(request, "funds/apply.html", {
        "categories": Category.choices, "benefits": Benefit.choices, "today": today,
        "next_year": today.year + 1, "democracy": [(k, ProjectStep.Kind(k).label)
                                                   for k in actions.DEMOCRACY],
        "form": request.POST})


def _project_context(request, project):
    user = request.user
    appropriations = list(project.appropriations.select_related("allocation"))
    for a in appropriations:
        a.left = actions.unpaid(a)
    paid = project.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    review = actions.REVIEWS.get(project.state)
    open_allocations = []
    if role_has(user.role, Capability.MANAGE_FUNDS):
        for a in scoped_allocations(user).filter(county_code=project.county_code).order_by(
                "-year", "source"):
            a.left = actions.unappropriated(a)
            if a.left > 0:
                open_allocations.append(a)
    steps = list(project.steps.select_related("actor").prefetch_related("files__uploaded_by"))
    payments = list(project.payments.prefetch_related("files__uploaded_by"))
    disposals = list(Disposal.objects.filter(asset__project=project).select_related(
        "asset").prefetch_related("files__uploaded_by").order_by("requested_on", "pk"))
    return {
        "project": project, "steps": steps,
        "file": (whole := _whole_file(user, steps, payments, disposals)),
        "attachable": [section for section in whole if section["may_attach"]],
        "max_document": filesizeformat(settings.DIXIAN_MAX_DOCUMENT_BYTES),
        "beneficiaries": project.beneficiaries.select_related("household"),
        "appropriations": appropriations, "payments": payments, "paid": paid,
        "notices": project.notices.all(), "assets": project.assets.all(),
        "may_review": review is not None and role_has(user.role, review[0]),
        "review_label": ProjectStep.Kind(review[2]).label if review else "",
        "may_execute": role_has(user.role, Capability.MANAGE_PROJECTS),
        "may_fund": role_has(user.role, Capability.MANAGE_FUNDS),
        "may_register": role_has(user.role, Capability.MANAGE_ASSETS)
        and project.state in (ProjectState.ACCEPTED, ProjectState.SETTLED),
        "may_publish": actions.may_publish(user),
        "execution": [(k, ProjectStep.Kind(k).label) for k in actions.EXECUTION
                      if project.state in actions.EXECUTION[k][0]],
        "open_allocations": open_allocations, "asset_categories": AssetCategory.choices,
        "today": timezone.localdate(),
    }


def _whole_file(user, steps, payments, disposals) -> list[dict]:
    """The project's file, step by step: each step's, payment's and disposal's documents
    (the names typed and the files), and whether the user may attach a file to it."""
    sections = []
    for item in [*steps, *payments, *disposals]:
        for f in item.files.all():
            f.kind = files_of.kind_label(f.content_type)
    for s in steps:
        sections.append({"key": f"step:{s.pk}", "kind": s.kind, "label": s.get_kind_display(),
                         "on": s.on, "typed": s.documents, "files": list(s.files.all()),
                         "may_attach": files_of.may_attach(user, step=s)})
    for p in payments:
        sections.append({"key": f"payment:{p.pk}", "kind": "payment",
                         "label": _("Payment of %(amount)s yuan to %(payee)s") % {
                             "amount": f"{p.amount:,.2f}", "payee": p.payee},
                         "on": p.paid_on, "typed": [p.document] if p.document else [],
                         "files": list(p.files.all()),
                         "may_attach": files_of.may_attach(user, payment=p)})
    for d in disposals:
        sections.append({"key": f"disposal:{d.pk}", "kind": "disposal",
                         "label": _("Disposal of %(asset)s (%(state)s)") % {
                             "asset": d.asset.name, "state": d.get_state_display()},
                         "on": d.decided_on or d.requested_on, "typed": [],
                         "files": list(d.files.all()),
                         "may_attach": files_of.may_attach(user, disposal=d)})
    return sections


def _attach(request, project) -> str:
    """Files attached to one step, payment or disposal of the project already recorded."""
    kind, _sep, pk = request.POST.get("target", "").partition(":")
    pk = int(pk) if pk.isdigit() else 0
    found = None
    if kind == "step":
        found = {"step": project.steps.filter(pk=pk).first()}
    elif kind == "payment":
        found = {"payment": project.payments.filter(pk=pk).first()}
    elif kind == "disposal":
        found = {"disposal": Disposal.objects.filter(pk=pk, asset__project=project).first()}
    if not found or None in found.values():
        raise ValidationError(_("Choose the step the files belong to."))
    files_of.do_attach_documents(_files(request), actor=request.user, **found)
    return _("Documents attached.")


@login_required
def document(request, pk: int):
    """A document of a project's file, downloaded (audited; the same 404 outside the
    region as for a document that does not exist)."""
    return files_of.download(access_document(request.user, pk), actor=request.user)


@login_required
def project(request, pk: int):
    project = access_project(request.user, pk)
    return render(request, "funds/project.html", _project_context(request, project))


def _publish(request, notice_id: str, **owner):
    notice = Notice.objects.filter(pk=int(notice_id) if notice_id.isdigit() else 0,
                                   **owner).first()
    if notice is None:
        raise NotFound
    actions.do_publish_notice(notice, on=_date(request.POST.get("on", ""), "date"),
                              actor=request.user)
    return _("Notice posted.")


@login_required
@require_POST
def project_act(request, pk: int):
    project = access_project(request.user, pk)
    p = request.POST
    action = p.get("action", "")
    on = None
    try:
        on = _date(p.get("on", ""), "date")
        if action == "review":
            actions.do_review_project(project, approve=p.get("decision") == "approve",
                                      note=p.get("note", ""), documents=_documents(request),
                                      files=_files(request), actor=request.user, on=on)
            done = _("Review recorded.")
        elif action == "execute":
            actions.do_record_execution(project, p.get("kind", ""),
                                        documents=_documents(request), files=_files(request),
                                        note=p.get("note", ""),
                                        amount=p.get("amount") or None,
                                        percent=p.get("percent") or None,
                                        contractor=p.get("contractor", ""), actor=request.user,
                                        on=on)
            done = _("Step recorded.")
        elif action == "roll_over":
            actions.do_roll_over_project(project, actor=request.user, on=on)
            done = _("Rolled over to the next year.")
        elif action == "appropriate":
            require(request.user, Capability.MANAGE_FUNDS)
            allocation = scoped_allocations(request.user).filter(
                pk=int(p.get("allocation") or 0)).first()
            if allocation is None:
                raise ValidationError(_("Choose an allocation."))
            actions.do_appropriate_funds(allocation, project, p.get("amount", ""),
                                         document=p.get("document", ""), actor=request.user,
                                         on=on)
            done = _("Funds appropriated.")
        elif action == "pay":
            require(request.user, Capability.MANAGE_FUNDS)
            item = Appropriation.objects.filter(project=project,
                                                pk=int(p.get("appropriation") or 0)).first()
            if item is None:
                raise ValidationError(_("Choose an appropriation."))
            actions.do_pay(item, p.get("amount", ""), paid_on=on or timezone.localdate(),
                           payee=p.get("payee", ""), document=p.get("document", ""),
                           final=bool(p.get("final")), files=_files(request),
                           actor=request.user)
            done = _("Payment recorded.")
        elif action == "register_asset":
            asset = actions.do_register_asset(
                project, name=p.get("name", ""), category=p.get("category", ""),
                book_value=p.get("book_value", ""), operator=p.get("operator", ""),
                maintenance_duty=p.get("maintenance_duty", ""),
                owner_household=p.get("owner_household", ""), actor=request.user, on=on)
            messages.success(request, _("Asset registered."))
            return redirect("asset", asset.pk)
        elif action == "attach":
            done = _attach(request, project)
        elif action == "publish":
            done = _publish(request, p.get("notice", ""), project=project)
        else:
            raise ValidationError(_("Choose an action."))
        messages.success(request, done)
    except ValidationError as exc:
        _errors(request, exc)
    except ValueError:
        messages.error(request, _("A number or a choice is not valid."))
    return redirect("project", project.pk)


@login_required
def allocations(request):
    query = scoped_allocations(request.user)
    rows = list(query.order_by("-year", "county_code", "source")[:500])
    for a in rows:
        a.left = actions.unappropriated(a)
    return render(request, "funds/allocations.html", {
        "rows": rows, "sources": Source.choices, "today": timezone.localdate(),
        "may_add": role_has(request.user.role, Capability.MANAGE_FUNDS),
        "county": (request.user.region_id or "")[:6]})


@login_required
@require_POST
def allocation_add(request):
    require(request.user, Capability.MANAGE_FUNDS)
    p = request.POST
    try:
        actions.do_record_allocation(
            county_code=p.get("county", "") or (request.user.region_id or "")[:6],
            year=int(p.get("year") or 0), source=p.get("source", ""), amount=p.get("amount", ""),
            document=p.get("document", ""),
            received_on=_date(p.get("received_on", ""), "received") or timezone.localdate(),
            actor=request.user)
        messages.success(request, _("Allocation recorded."))
    except ValidationError as exc:
        _errors(request, exc)
    except ValueError:
        messages.error(request, _("The year must be a number."))
    return redirect("allocations")


@login_required
def assets(request):
    query = scoped_assets(request.user)
    category = request.GET.get("category", "")
    if category in AssetCategory.values:
        query = query.filter(category=category)
    flagged = request.GET.get("flagged", "")
    flags = {}
    if flagged:
        today = timezone.localdate()
        code = request.user.region_id or ""
        for f in checks.findings(code, today):
            if f.object_type == "asset":
                flags[int(f.object_key)] = f
        query = query.filter(pk__in=list(flags))
    page = Paginator(query.order_by("region_code", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    for a in page:
        f = flags.get(a.pk)
        a.finding = _sentence(f) if f else ""
        a.suggested = AssetAction(f.figures["action"]).label if f and f.figures.get(
            "action") else ""
    return render(request, "funds/assets.html", {
        "page": page, "categories": AssetCategory.choices, "category": category,
        "flagged": flagged, "actions": dict(AssetAction.choices)})


@login_required
def asset(request, pk: int):
    asset = access_asset(request.user, pk)
    incomes = list(asset.incomes.all()[:36])
    distributions = Distribution.objects.filter(income__asset=asset).select_related(
        "income", "household", "member").order_by("-income__month", "pk")[:200]
    today = timezone.localdate()
    state, suggested = classify_asset(_row(asset, today), resolve(asset.county_code, on=today),
                                      today)
    return render(request, "funds/asset.html", {
        "asset": asset, "incomes": incomes, "distributions": distributions,
        "disposals": asset.disposals.prefetch_related("files"), "notices": asset.notices.all(),
        "state": state, "suggested": dict(AssetAction.choices).get(suggested, ""),
        "may_manage": role_has(request.user.role, Capability.MANAGE_ASSETS),
        "may_decide": role_has(request.user.role, Capability.APPROVE_PROJECTS),
        "may_publish": actions.may_publish(request.user),
        "conditions": Condition.choices, "asset_actions": AssetAction.choices,
        "channels": Distribution.Channel.choices, "today": today,
        "last_month": checks.rules.add_months(checks.rules.month_of(today), -1)})


def _row(asset, today):
    return next(r for r in checks.asset_rows(asset.region_code, today) if r.key == str(asset.pk))


def _code_of(choices, typed: str) -> str:
    """A choice typed by its label (as the page lists them) or by its code: the code."""
    typed = typed.strip()
    for value, label in choices:
        if typed in (value, str(label)):
            return value
    return typed


def _shares(text: str) -> list[actions.Share]:
    shares = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.replace("，", ",").split(",")]
        if len(cells) < 2:
            raise ValidationError(f"line {n}: write channel,amount[,household,member,basis]")
        cells += [""] * (5 - len(cells))
        shares.append(actions.Share(channel=_code_of(Distribution.Channel.choices, cells[0]),
                                    amount=cells[1], household_code=cells[2],
                                    member_id=cells[3], basis=cells[4]))
    return shares


@login_required
@require_POST
def asset_act(request, pk: int):
    asset = access_asset(request.user, pk)
    p = request.POST
    action = p.get("action", "")
    try:
        on = _date(p.get("on", ""), "date")
        if action == "income":
            actions.do_record_asset_income(asset, month=p.get("month", ""),
                                           amount=p.get("amount", ""), note=p.get("note", ""),
                                           actor=request.user)
            done = _("Income recorded.")
        elif action == "distribute":
            income = asset.incomes.filter(month=p.get("month", "")).first()
            if income is None:
                raise ValidationError(_("Record the month's income first."))
            actions.do_distribute_income(income, _shares(p.get("shares", "")),
                                         actor=request.user, on=on)
            done = _("Income distributed.")
        elif action == "assess":
            actions.do_assess_asset(asset, condition=p.get("condition", ""),
                                    action=p.get("class", ""), actor=request.user)
            done = _("Assessment recorded.")
        elif action == "request_disposal":
            actions.do_request_disposal(asset, how=p.get("how", ""), reason=p.get("reason", ""),
                                        files=_files(request), actor=request.user, on=on)
            done = _("Disposal requested; the county decides.")
        elif action == "decide_disposal":
            disposal = asset.disposals.filter(state=Disposal.State.REQUESTED).first()
            if disposal is None:
                raise ValidationError(_("There is no disposal to decide."))
            actions.do_decide_disposal(disposal, approve=p.get("decision") == "approve",
                                       proceeds=p.get("proceeds") or None,
                                       note=p.get("note", ""), files=_files(request),
                                       actor=request.user, on=on)
            done = _("Disposal decided.")
        elif action == "publish":
            done = _publish(request, p.get("notice", ""), asset=asset)
        else:
            raise ValidationError(_("Choose an action."))
        messages.success(request, done)
    except ValidationError as exc:
        _errors(request, exc)
    except ValueError:
        messages.error(request, _("A number or a choice is not valid."))
    return redirect("asset", asset.pk)


@login_required
def notice(request, pk: int):
    """The notice as it is posted: printable."""
    from dixian.funds.access import access_notice

    item = access_notice(request.user, pk)
    place = Region.objects.filter(code=item.region_code).first()
    return render(request, "funds/notice.html", {"notice": item, "place": place})


@login_required
def household(request, code: str):
    """What a household received from asset income, and the projects it benefits from."""
    require(request.user, Capability.VIEW_FUNDS)
    household = access_household(request.user, code)
    rows = scoped_distributions(request.user).filter(household=household).select_related(
        "income__asset", "member").order_by("-income__month")
    total = rows.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    projects = scoped_projects(request.user).filter(beneficiaries__household=household)\
        .distinct()
    return render(request, "funds/household.html", {
        "household": household, "rows": rows, "total": total, "projects": projects})



@login_required
def work_relief_page(request, pk: int):
    """A work-relief project: central investment, the labour-remuneration share against the
    policy, the workers by group, the payroll with its shortfalls."""
    from dixian.funds import work_relief
    from dixian.funds.models import PayrollEntry, Worker

    project = access_project(request.user, pk)
    item = getattr(project, "work_relief", None)
    today = timezone.localdate()
    figures = work_relief.figures(item, today) if item else None
    flagged = {f.figures.get("payroll") for f in (figures.findings if figures else [])}
    payroll = list(PayrollEntry.objects.filter(worker__work_relief=item).select_related(
        "worker__member")) if item else []
    for e in payroll:
        e.flagged = str(e.pk) in flagged
    groups = dict(Worker.Group.choices)
    return render(request, "funds/work_relief.html", {
        "project": project, "item": item, "figures": figures, "payroll": payroll,
        "findings": [_sentence(f) for f in (figures.findings if figures else [])],
        "groups": [(groups[g], n) for g, n in (figures.workers.items() if figures else [])],
        "workers": item.workers.select_related("member") if item else [],
        "may_manage": role_has(request.user.role, Capability.MANAGE_WORK_RELIEF),
        "today": today,
        "last_month": checks.rules.add_months(checks.rules.month_of(today), -1)})


@login_required
@require_POST
def work_relief_act(request, pk: int):
    from dixian.funds import work_relief

    project = access_project(request.user, pk)
    p = request.POST
    action = p.get("action", "")
    try:
        if action == "start":
            work_relief.do_start_work_relief(project, central_investment=p.get("central", ""),
                                             actor=request.user)
            done = _("Work relief started.")
        elif action == "hire":
            item = getattr(project, "work_relief", None)
            if item is None:
                raise ValidationError(_("Start work relief first."))
            for member_id in p.get("members", "").split():
                work_relief.do_hire_worker(item, member_id=member_id.strip(),
                                           actor=request.user)
            done = _("Workers hired.")
        elif action == "payroll":
            item = getattr(project, "work_relief", None)
            if item is None:
                raise ValidationError(_("Start work relief first."))
            paid_on = _date(p.get("paid_on", ""), "paid on")
            rows = []
            for worker in item.workers.all():
                due = p.get(f"due_{worker.pk}", "").strip()
                if due:
                    rows.append(work_relief.Pay(worker.pk, due, p.get(f"paid_{worker.pk}", ""),
                                                paid_on))
            work_relief.do_record_payroll(item, p.get("month", ""), rows, actor=request.user)
            done = _("Payroll recorded.")
        else:
            raise ValidationError(_("Choose an action."))
        messages.success(request, done)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("work_relief", project.pk)
