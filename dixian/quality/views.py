"""Quality issue lists for cadres, counts per village for their superiors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.models import Region
from dixian.core.roles import Capability, role_has
from dixian.quality import bridge
from dixian.quality.models import IssueStatus, QualityIssue, QualityRun
from dixian.web import downloads
from dixian.web.redirects import redirect_next

PAGE_SIZE = 50


def scoped_issues(user):
    require(user, Capability.VIEW_REGISTRY)
    return QualityIssue.objects.filter(scope_q(scope_of(user), "village__code"))


def access_issue(user, issue_id: int) -> QualityIssue:
    issue = scoped_issues(user).filter(pk=issue_id).first()
    if issue is None:
        raise NotFound
    return issue


def _with_households(issues) -> list:
    """Each issue's household (by its code) with its person, in two queries a page."""
    from dixian.registry.models import Household
    from dixian.registry.people import attach_people

    issues = list(issues)
    found = {}
    codes = sorted({i.household_code for i in issues if i.household_code})
    for start in range(0, len(codes), 900):
        found.update((h.code, h) for h in Household.objects.filter(
            code__in=codes[start:start + 900]))
    for issue in issues:
        issue.household = found.get(issue.household_code)
    attach_people([i for i in issues if i.household])
    return issues


@login_required
def issue_list(request):
    issues = scoped_issues(request.user).select_related("village")
    filters = {key: (request.GET.get(key) or "").strip()
               for key in ("status", "rule", "village", "severity")}
    status = filters["status"] or IssueStatus.OPEN
    issues = issues.filter(status=status)
    if filters["rule"]:
        issues = issues.filter(rule_id=filters["rule"])
    if filters["village"]:
        issues = issues.filter(village__code__startswith=filters["village"])
    if filters["severity"]:
        issues = issues.filter(severity=filters["severity"])
    issues = issues.order_by("village_id", "household_code", "rule_id", "pk")
    headers = [_("Township"), _("Village"), _("Head of household"), _("ID number"),
               _("Household code"), _("Member"), _("Rule"), _("Severity"), _("Problem"),
               _("Value"), _("Status"), _("Reason")]
    if file := downloads.respond(request, "quality-issues", headers, lambda: (
            [p.township if p else "", p.village if p else i.village.name, p.name if p else "",
             p.masked_id if p else "", i.household_code, i.member_id, i.rule_id, i.severity,
             i.message, i.value, i.status, i.reason]
            for i in _with_households(issues.iterator(chunk_size=2000))
            for p in [getattr(i.household, "person", None) if i.household else None])):
        return file
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_households(page.object_list)
    return render(request, "quality/issues.html", {
        "page": page, "filters": filters, "status": status, "statuses": IssueStatus.choices,
        "may_accept": role_has(request.user.role, Capability.EDIT_REGISTRY),
        "may_run": role_has(request.user.role, Capability.IMPORT_REGISTRY),
        "last_run": QualityRun.objects.filter(
            scope_q(scope_of(request.user), "scope_code")).first()
        if not scope_of(request.user).national else QualityRun.objects.first(),
    })


@login_required
def village_counts(request):
    """Open issues per village (errors and warnings), for township and county superiors."""
    issues = scoped_issues(request.user)
    rows = (issues.filter(status=IssueStatus.OPEN).values("village_id")
            .annotate(errors=Count("pk", filter=Q(severity="error")),
                      warnings=Count("pk", filter=Q(severity="warning")),
                      households=Count("household_code", distinct=True))
            .order_by("-errors", "village_id"))
    names = dict(Region.objects.filter(code__in=[r["village_id"] for r in rows])
                 .values_list("code", "name"))
    for row in rows:
        row["name"] = names.get(row["village_id"], "")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/villages.html", {"page": page})


@login_required
@require_POST
def accept_issue(request, issue_id: int):
    require(request.user, Capability.EDIT_REGISTRY)
    issue = access_issue(request.user, issue_id)
    reason = request.POST.get("reason", "")
    if not reason.strip():
        messages.error(request, _("Say why the value is right before accepting it."))
    else:
        bridge.do_accept_issue(issue, reason, actor=request.user)
        messages.success(request, _("Issue accepted."))
    return redirect_next(request, "quality_issues")


@login_required
@require_POST
def run_rules(request):
    require(request.user, Capability.IMPORT_REGISTRY)
    quality_run = bridge.run(scope_of(request.user), actor=request.user)
    messages.success(request, _("Quality rules run: %(findings)s findings, %(new)s new, "
                                "%(fixed)s fixed.") % quality_run.counts)
    return redirect("quality_issues")
