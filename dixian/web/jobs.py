"""The pages of background jobs: one job's progress (refreshing itself while it runs), its
state as JSON, a re-run of a failed job, and the person's recent jobs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dixian.core import jobs
from dixian.core.access import NotFound, scope_of
from dixian.core.models import Job

REFRESH_SECONDS = 2


def access_job(user, job_id: int) -> Job:
    """A job within the user's region (every region of its scope inside theirs); any other,
    and a national job for a user who is not national, is not found."""
    job = Job.objects.select_related("actor").filter(pk=job_id).first()
    scope = scope_of(user)
    codes = [c for c in (job.scope_code if job else "").split(",") if c]
    if job is None or not (scope.national or (codes and all(scope.contains(c)
                                                             for c in codes))):
        raise NotFound
    return job


def describe(job: Job, now=None) -> dict:
    """What the page and the JSON show."""
    now = now or timezone.now()
    status = jobs.shown_status(job)
    end = job.finished_at or now
    elapsed = int((end - (job.started_at or job.created_at)).total_seconds())
    error = jobs.stale_message(job) if jobs.is_stale(job, now) else job.error
    stage = "failed" if status == Job.Status.FAILED else job.stage
    return {
        "id": job.pk, "kind": job.kind, "kind_label": str(job.get_kind_display()),
        "status": status, "status_label": str(Job.Status(status).label),
        "stage": stage, "stage_label": str(jobs.STAGES.get(stage, stage)),
        "done": job.done, "total": job.total, "elapsed_seconds": max(elapsed, 0),
        "elapsed": _("%(minutes)d min %(seconds)02d s") % {"minutes": elapsed // 60,
                                                           "seconds": elapsed % 60}
        if elapsed >= 60 else _("%(seconds)d s") % {"seconds": max(elapsed, 0)},
        "finished": status in (Job.Status.DONE, Job.Status.FAILED),
        "result_url": job.result_url if status == Job.Status.DONE else "",
        "summary": job.summary, "error": error, "file_name": job.file_name,
    }


@login_required
def job_page(request, job_id: int):
    job = access_job(request.user, job_id)
    state = describe(job)
    return render(request, "web/job.html", {
        "job": job, "state": state, "refresh": 0 if state["finished"] else REFRESH_SECONDS,
        "may_rerun": jobs.may_rerun(job) and job.actor_id == request.user.pk})


@login_required
def job_status(request, job_id: int):
    return JsonResponse(describe(access_job(request.user, job_id)))


@login_required
@require_POST
def job_rerun(request, job_id: int):
    job = access_job(request.user, job_id)
    if not jobs.may_rerun(job):
        messages.info(request, _("Only a failed job can be run again."))
        return redirect("job", job_id=job.pk)
    if job.actor_id != request.user.pk:
        raise PermissionDenied(_("Only the person who started a job can run it again."))
    new = jobs.do_rerun_job(job, actor=request.user)
    return redirect("job", job_id=new.pk)


@login_required
def job_list(request):
    return render(request, "web/jobs.html", {
        "jobs": Job.objects.filter(actor=request.user).order_by("-created_at")[:50]})
