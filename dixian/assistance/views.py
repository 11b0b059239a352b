"""One plan per household, the department board, R4 issues and coverage."""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dixian.assistance import actions, plans, tasks
from dixian.assistance.bridge import assistance as engine
from dixian.assistance.coverage import coverage
from dixian.assistance.models import Measure, PlanIssue, Status
from dixian.core import jobs
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.models import Job
from dixian.core.roles import Capability, Department, role_has
from dixian.registry.actions import access_household
from dixian.registry.enums import label
from dixian.registry.people import attach_people
from dixian.web import downloads
from dixian.web.redirects import redirect_next

PAGE_SIZE = 50


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _instrument_label(code: str) -> str:
    item = engine.DEFAULT.instruments.get(code)
    return (item.en if _english() else item.zh) if item else code


def _category_label(code: str) -> str:
    item = engine.DEFAULT.categories.get(code)
    return (item.en if _english() else item.zh) if item else code


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(_("not a date: %(value)r") % {"value": value}) from None


def _named(measures):
    """The member a measure is for, by name (the member ID stays one click away)."""
    from dixian.registry.models import Member

    names = dict(Member.objects.filter(member_id__in={m.member_id for m in measures
                                                      if m.member_id})
                 .values_list("member_id", "name"))
    for m in measures:
        m.member_name = names.get(m.member_id, "")
    return measures


def _decorate(measures):
    today = timezone.localdate()
    for m in measures:
        m.instrument_label = _instrument_label(m.instrument)
        m.category_label = _category_label(m.category)
        m.risk_label = label("risk_type", m.risk_type)
        m.overdue = m.status in (Status.PLANNED, Status.IN_PROGRESS) and m.due_on < today
        m.department_label = Department(m.department).label if m.department in \
            Department.values else m.department
    return measures


@login_required
def plan(request, code: str):
    """The household's plan: its risks, measures by status, what R4 finds missing, and the
    platform's suggestions with their reasons."""
    household = access_household(request.user, code)
    today = timezone.localdate()
    spell = plans._spell(household)
    measures = _decorate(list(Measure.objects.filter(household=household)))
    # The rules as they stand today (the stored issues are refreshed by writes and nightly).
    issues = plans.assess(household, today).violations if spell else []
    may_plan = role_has(request.user.role, Capability.PLAN_MEASURES)
    offered = []
    if may_plan and actions.may_receive_measures(household):
        for s in plans.suggestions(household, today):
            offered.append({"instrument": s.instrument, "risk_type": s.risk_type or "",
                            "member": (s.member_refs or ("",))[0],
                            "label": _instrument_label(s.instrument),
                            "reason": s.reason_en if _english() else s.reason_zh,
                            "basis": s.basis, "rank": s.rank})
    return render(request, "assistance/plan.html", {
        "household": household, "spell": spell, "measures": measures, "issues": issues,
        "risks": [label("risk_type", r) for r in (spell.risk_types if spell else [])],
        "suggestions": offered, "suggested_json": json.dumps(offered, ensure_ascii=False),
        "may_plan": may_plan, "statuses": Status.choices, "today": today,
        "english": _english()})


@login_required
@require_POST
def assign(request, code: str):
    require(request.user, Capability.PLAN_MEASURES)
    household = access_household(request.user, code)
    items = []
    for value in request.POST.getlist("choose"):
        instrument, _sep, rest = value.partition("|")
        risk_type, _sep, member = rest.partition("|")
        items.append(actions.Item(instrument=instrument, risk_type=risk_type, member_id=member))
    try:
        suggested = json.loads(request.POST.get("suggested") or "[]")
        measures = actions.do_plan_measures(household, items, actor=request.user,
                                            suggested=suggested,
                                            basis=(suggested[0]["basis"] if suggested else ""))
        messages.success(request, _("%(n)d measure(s) assigned.") % {"n": len(measures)})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("plan", code=code)


@login_required
@require_POST
def plan_measure_update(request, code: str, measure_id: int):
    """An official moves a measure on from the plan page."""
    require(request.user, Capability.PLAN_MEASURES)
    access_household(request.user, code)
    _update(request, measure_id)
    return redirect("plan", code=code)


def _update(request, measure_id: int) -> None:
    try:
        actions.do_update_measure(measure_id, actor=request.user,
                                  status=request.POST.get("status", ""),
                                  on=_date(request.POST.get("on", "")),
                                  evidence=request.POST.get("evidence", "").strip(),
                                  amount=actions.parse_amount(request.POST.get("amount", "")))
        messages.success(request, _("Measure updated."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)


@login_required
def board(request):
    """A department officer's measures in their region: due and overdue first."""
    require(request.user, Capability.DELIVER_MEASURES)
    today = timezone.localdate()
    measures = (Measure.objects.filter(scope_q(scope_of(request.user), "village_code"),
                                       department=request.user.department)
                .select_related("household").order_by("due_on", "pk"))
    status = request.GET.get("status", "open")
    if status == "open":
        measures = measures.filter(status__in=[Status.PLANNED, Status.IN_PROGRESS])
    elif status == "overdue":
        measures = measures.filter(status__in=[Status.PLANNED, Status.IN_PROGRESS],
                                   due_on__lt=today)
    elif status in Status.values:
        measures = measures.filter(status=status)
    wanted = request.GET.get("id") or ""
    if wanted:  # a malformed id finds nothing rather than failing
        measures = measures.filter(pk=int(wanted)) if wanted.isdigit() and len(wanted) < 10 \
            else measures.none()
    village = request.GET.get("village", "").strip()
    if village.isdigit():
        measures = measures.filter(village_code__startswith=village)
    headers = ["#", _("Head of household"), _("Township"), _("Village"), _("ID number"),
               _("Household code"), _("Instrument"), _("Member"), _("Status"), _("Due")]
    if file := downloads.respond(request, "measures", headers, lambda: (
            [m.pk, m.household.person.name, m.household.person.township,
             m.household.person.village, m.household.person.masked_id, m.household.code,
             m.instrument_label, m.member_name, str(m.get_status_display()), m.due_on]
            for m in _named(_decorate(attach_people(measures.iterator(chunk_size=2000)))))):
        return file
    page = Paginator(measures, PAGE_SIZE).get_page(request.GET.get("page"))
    _named(_decorate(attach_people(page.object_list)))
    issues = PlanIssue.objects.filter(scope_q(scope_of(request.user), "village_code"),
                                      department=request.user.department,
                                      status=PlanIssue.Status.OPEN).select_related(
        "household")[:100]
    issues = attach_people(issues)
    return render(request, "assistance/board.html", {
        "page": page, "status": status, "statuses": Status.choices, "issues": issues,
        "village": village, "department": Department(request.user.department).label
        if request.user.department in Department.values else request.user.department,
        "today": today})


@login_required
@require_POST
def board_update(request, measure_id: int):
    require(request.user, Capability.DELIVER_MEASURES)
    actions.access_measure(request.user, measure_id)
    _update(request, measure_id)
    return redirect_next(request, "measures")


@login_required
@require_POST
def board_upload(request):
    require(request.user, Capability.DELIVER_MEASURES)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a spreadsheet to upload."))
        return redirect("measures")
    scope = scope_of(request.user)
    if scope.is_empty:
        raise NotFound
    job = jobs.start(Job.Kind.MEASURES_UPLOAD, actor=request.user,
                     scope_code=scope.stored_code(), task=tasks.bulk_update,
                     data=upload.read(), file_name=upload.name,
                     request_id=getattr(request, "request_id", ""))
    return redirect("job", job_id=job.pk)


@login_required
def issues(request):
    """R4 violations open in the region, by department and village."""
    require(request.user, Capability.VIEW_REGISTRY)
    found = (PlanIssue.objects.filter(scope_q(scope_of(request.user), "village_code"),
                                      status=PlanIssue.Status.OPEN).select_related("household"))
    department = request.GET.get("department", "")
    if department:
        found = found.filter(department=department)
    headers = [_("Head of household"), _("Township"), _("Village"), _("ID number"),
               _("Household code"), _("Rule"), _("What is missing"), _("Due")]
    if file := downloads.respond(request, "plan-issues", headers, lambda: (
            [i.household.person.name, i.household.person.township, i.household.person.village,
             i.household.person.masked_id, i.household.code, i.rule_id, i.sentence, i.due_on]
            for i in attach_people(found.iterator(chunk_size=2000)))):
        return file
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    attach_people(page.object_list)
    return render(request, "assistance/issues.html", {
        "page": page, "department": department, "departments": Department.choices})


@login_required
def coverage_page(request):
    from dixian.assistance.bridge import RegionScope
    from dixian.core.access import access_region

    require(request.user, Capability.VIEW_REGISTRY)
    today = _date(request.GET.get("on", "")) or timezone.localdate()
    region = request.GET.get("region", "")
    # A sub-region of the user's scope (a township, a village), or the whole scope.
    scope = RegionScope.of(access_region(request.user, region).code) if region \
        else scope_of(request.user)
    result = coverage(scope, today)
    overdue = sorted(((Department(d).label if d in Department.values else d, n)
                      for d, n in result.overdue_by_department.items()), key=lambda x: -x[1])
    return render(request, "assistance/coverage.html", {"c": result, "on": today,
                                                        "overdue": overdue, "region": region})
