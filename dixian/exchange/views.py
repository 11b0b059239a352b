"""Feed uploads (department officers), screening runs (county administrators), alerts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability, role_has
from dixian.exchange import actions, tasks
from dixian.exchange.models import Alert, FeedBatch, ScreeningRun

PAGE_SIZE = 50


class FeedForm(forms.Form):
    file = forms.FileField(label=_lazy("File (CSV, XLSX or Parquet)"))
    period = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False,
                              label=_lazy("Period (YYYY-MM; read from the file name if empty)"))


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
        batch = actions.do_upload_feed(upload.read(), upload.name,
                                       department=request.user.department, actor=request.user,
                                       period=form.cleaned_data["period"] or None)
        return redirect("feed_batch", batch_id=batch.pk)
    return render(request, "exchange/feeds.html", {"form": form, "batches": batches[:50]})


@login_required
def feed_batch(request, batch_id: int):
    batch = _batches(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound
    return render(request, "exchange/batch.html", {"batch": batch,
                                                   "problems": batch.problems[:500]})


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
    page = Paginator(found.order_by("-run__started_at", "village_id", "household_id", "rule_id"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
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
    return render(request, "exchange/alert.html", {"alert": found})


@login_required
@require_POST
def run_screening(request):
    require(request.user, Capability.RUN_SCREENING)
    period = request.POST.get("period") or timezone.now().strftime("%Y-%m")
    result = tasks.run_screening.enqueue(period, actor_id=request.user.pk,
                                         request_id=getattr(request, "request_id", ""))
    if result.status == TaskResultStatus.SUCCESSFUL:  # run at once (dev, tests)
        run = ScreeningRun.objects.get(pk=result.return_value)
        messages.success(request, _("Screening for %(period)s: %(alerts)s alerts.")
                         % {"period": period, "alerts": run.counts["alerts"]})
    elif result.status == TaskResultStatus.FAILED:
        messages.error(request, _("The screening for %(period)s failed; the administrator "
                                  "finds the reason in the logs.") % {"period": period})
    else:  # queued for the worker
        messages.info(request, _("Screening for %(period)s started: its alerts appear here "
                                 "when it has run.") % {"period": period})
    return redirect("alerts")
