"""Feed uploads (department officers), screening runs (county administrators), alerts."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dixian.core import jobs
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.models import Job
from dixian.core.roles import Capability, role_has
from dixian.exchange import actions, tasks
from dixian.exchange.bridge import check_month
from dixian.exchange.models import Alert, FeedBatch, ScreeningRun
from dixian.registry.people import attach_people
from dixian.web import downloads

PAGE_SIZE = 50


class FeedForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV, XLSX or Parquet)"))
    period = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                              label=gettext_lazy("Period (YYYY-MM; read from the file name "
                                                 "if empty)"))


def _batches(user):
    require(user, Capability.UPLOAD_FEEDS)
    batches = FeedBatch.objects.all()
    if not scope_of(user).national:
        batches = batches.filter(scope_q(scope_of(user), "scope_code"))
    if user.department:
        batches = batches.filter(department=actions.FEED_OF_DEPARTMENT.get(user.department))
    return batches


@login_required
def feeds(request):
    batches = _batches(request.user)
    form = FeedForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        scope = scope_of(request.user)
        if scope.is_empty:
            raise NotFound
        data = upload.read()
        job = jobs.start(Job.Kind.FEED_UPLOAD, actor=request.user,
                         scope_code=scope.stored_code(), task=tasks.upload_feed,
                         data=data, file_name=upload.name,
                         kept_as=actions.original_name(request.user.department,
                                                       hashlib.sha256(data).hexdigest(),
                                                       upload.name),
                         kwargs={"department": request.user.department,
                                 "period": form.cleaned_data["period"] or None},
                         request_id=getattr(request, "request_id", ""))
        return redirect("job", job_id=job.pk)
    return render(request, "exchange/feeds.html", {
        "form": form, "batches": batches[:50],
        "jobs": Job.objects.filter(actor=request.user).order_by("-created_at")[:10]})


@login_required
def feed_batch(request, batch_id: int):
    batch = _batches(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound
    page = Paginator(batch.problems or [], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exchange/batch.html", {"batch": batch, "page": page,
                                                   "problems": page.object_list})


def scoped_alerts(user):
    require(user, Capability.VIEW_REGISTRY)
    return Alert.objects.filter(scope_q(scope_of(user), "village__code"))


@login_required
def alerts(request):
    found = scoped_alerts(request.user).select_related("household", "village", "run")
    rule = request.GET.get("rule", "")
    village = request.GET.get("village", "")
    if rule:
        found = found.filter(rule_id=rule)
    if village:
        found = found.filter(village__code__startswith=village)
    # The latest run first: runs are numbered in time order (no join to sort by its start).
    found = found.order_by("-run_id", "village_id", "household_id", "rule_id")
    headers = [_("Period"), _("Township"), _("Village"), _("Head of household"), _("ID number"),
               _("Household code"), _("Rule"), _("Evidence")]
    if file := downloads.respond(request, "alerts", headers, lambda: (
            [a.run.period, a.household.person.township, a.household.person.village,
             a.household.person.name, a.household.person.masked_id, a.household.code,
             a.rule_id, a.sentence] for a in attach_people(found.iterator(chunk_size=2000)))):
        return file
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    attach_people(page.object_list)
    runs = ScreeningRun.objects.filter(scope_q(scope_of(request.user), "scope_code"))[:10] \
        if not scope_of(request.user).national else ScreeningRun.objects.all()[:10]
    return render(request, "exchange/alerts.html", {
        "page": page, "rule": rule, "village": village, "runs": runs,
        "may_run": role_has(request.user.role, Capability.RUN_SCREENING),
        "default_period": timezone.now().strftime("%Y-%m")})


@login_required
def alert(request, alert_id: int):
    found = scoped_alerts(request.user).select_related("household", "village", "run").filter(
        pk=alert_id).first()
    if found is None:
        raise NotFound
    from dixian.registry.enums import label
    from dixian.registry.people import person_of

    return render(request, "exchange/alert.html", {
        "alert": found, "person": person_of(found.household), "facts": evidence_facts(found),
        "risk_label": label("risk_type", found.risk_type) if found.risk_type else "—"})


EVIDENCE = {
    "value": gettext_lazy("Value found"), "value2": gettext_lazy("Second value"),
    "threshold": gettext_lazy("Threshold"), "monitoring_line": gettext_lazy("Monitoring line"),
    "share": gettext_lazy("Share"), "event_date": gettext_lazy("Date of the event"),
    "window_months": gettext_lazy("Months looked back"), "detail": gettext_lazy("Detail"),
    "income_window_months": gettext_lazy("Months of income counted"),
    "income_window_min_months": gettext_lazy("Fewest months of income needed"),
    "event_window_months": gettext_lazy("Months looked back for events"),
    "medical_lookback_months": gettext_lazy("Months of medical claims summed"),
    "medical_share_poverty_or_monitored": gettext_lazy(
        "Share of the provincial rural income (poverty-alleviated or monitored persons)"),
    "medical_share_other": gettext_lazy("Share of the provincial rural income (other rural "
                                        "persons)"),
    "medical_absolute_low_income": gettext_lazy("Out-of-pocket line, low-income persons"),
    "medical_absolute_general": gettext_lazy("Out-of-pocket line, other persons"),
    "single_hospitalization_monitored": gettext_lazy(
        "One stay's out-of-pocket line (poverty-alleviated or monitored persons)"),
    "single_hospitalization_other": gettext_lazy("One stay's out-of-pocket line (other "
                                                 "rural persons)"),
    "prov_rural_income_prev": gettext_lazy("Provincial rural income, prior year"),
    "severe_disability_grade_max": gettext_lazy("Most severe disability grades"),
    "water_outage_days_min": gettext_lazy("Days of water outage that raise a clue"),
    "returned_without_work_months": gettext_lazy("Months back home without work"),
    "housing_unsafe_grades": gettext_lazy("Unsafe housing grades"),
    "disaster_house_damage": gettext_lazy("House damage that raises a clue"),
    "disaster_loss_yuan_min": gettext_lazy("Disaster loss that raises a clue (yuan)"),
}


def evidence_facts(alert) -> list[tuple[str, str]]:
    """The alert's evidence as labelled facts (the sentence says it in words; these are the
    numbers it rests on), not as the stored JSON."""
    import json

    try:
        data = json.loads(alert.evidence or "{}")
    except ValueError:
        return [(str(EVIDENCE["detail"]), alert.evidence)]
    if not isinstance(data, dict):
        return [(str(EVIDENCE["detail"]), str(data))]
    flat = {**{k: v for k, v in data.items() if k != "params"}, **(data.get("params") or {})}
    facts = []
    for key, value in flat.items():
        if value in (None, "", []) or key not in EVIDENCE:
            continue  # a parameter without a name for people is not shown
        if isinstance(value, (list, tuple)):
            value = "、".join(map(str, value))
        if isinstance(value, float):
            value = f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
        facts.append((str(EVIDENCE.get(key, key)), str(value)))
    return facts


def scoped_feed_alerts(user):
    """The alerts a department's own feeds raised, in the officer's region."""
    require(user, Capability.UPLOAD_FEEDS)
    feed = actions.FEED_OF_DEPARTMENT.get(user.department, user.department or "")
    return Alert.objects.filter(scope_q(scope_of(user), "village__code"), department=feed)


OUTCOMES = {
    "clue": gettext_lazy("became a clue: the household is being checked"),
    "already_monitored": gettext_lazy("the household is already monitored"),
    "under_review": gettext_lazy("the household's case was already open"),
    "seen_before": gettext_lazy("seen before: already raised"),
    "no_risk": gettext_lazy("shown to the reviewers (no clue)"),
}


@login_required
def feed_alerts(request):
    """A department officer sees the alerts their data raised and what became of each: a
    clue, and the step its case has reached."""
    from dixian.registry.enums import label

    found = (scoped_feed_alerts(request.user)
             .select_related("household", "village", "run", "clue__case")
             .order_by("-run_id", "village_id", "household_id", "rule_id"))
    period = request.GET.get("period", "").strip()
    if period:
        found = found.filter(run__period=period)

    def decorate(alerts):
        for a in alerts:
            a.outcome_label = OUTCOMES.get(a.outcome, a.outcome or "—")
            case = a.clue.case if a.clue_id and a.clue.case_id else None
            a.case = case
            a.case_step = case.step_label if case else ""
            a.risk_label = label("risk_type", a.risk_type) if a.risk_type else "—"
        return attach_people(alerts)

    headers = [_("Period"), _("Township"), _("Village"), _("Head of household"),
               _("ID number"), _("Risk type"), _("Evidence"), _("What became of it"),
               _("Step of the case")]
    if file := downloads.respond(request, "feed-alerts", headers, lambda: (
            [a.run.period, a.household.person.township, a.household.person.village,
             a.household.person.name, a.household.person.masked_id, str(a.risk_label),
             a.sentence, str(a.outcome_label), str(a.case_step)]
            for a in decorate(found.iterator(chunk_size=2000)))):
        return file
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    decorate(page.object_list)
    return render(request, "exchange/feed_alerts.html", {"page": page, "period": period})


@login_required
def feed_template(request):
    """The department's file format as a spreadsheet: the columns (required ones marked),
    one example row, and a sheet that explains each column and its allowed values."""
    from dixian.exchange.templates_xlsx import template_for

    require(request.user, Capability.UPLOAD_FEEDS)
    feed = actions.FEED_OF_DEPARTMENT.get(request.user.department, request.user.department)
    try:
        body = template_for(feed)
    except KeyError:
        raise NotFound from None
    response = HttpResponse(body, content_type=downloads.XLSX)
    response["Content-Disposition"] = f'attachment; filename="dixian-feed-{feed}-template.xlsx"'
    return response


@login_required
@require_POST
def run_screening(request):
    require(request.user, Capability.RUN_SCREENING)
    period = request.POST.get("period") or timezone.now().strftime("%Y-%m")
    try:  # a malformed period is the visitor's error, said before anything is queued
        check_month(period, "period")
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("alerts")
    scope = scope_of(request.user)
    if scope.is_empty:
        raise NotFound
    request_id = getattr(request, "request_id", "")
    job = jobs.start(Job.Kind.SCREENING, actor=request.user, scope_code=scope.stored_code(),
                     task=tasks.run_screening, args=[period],
                     kwargs={"actor_id": request.user.pk, "request_id": request_id},
                     request_id=request_id)
    return redirect("job", job_id=job.pk)
