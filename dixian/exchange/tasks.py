"""Background tasks of the exchange: a screening run asked for from a page and a feed
uploaded on the page run on the worker (`dixian db_worker`, docs/deployment.md), so that the
page answers at once; each reports to its job (dixian/core/jobs.py)."""

from __future__ import annotations

from django.tasks import task

from dixian.core import context, jobs


@task
def run_screening(period: str, *, actor_id: int, request_id: str = "",
                  job_id: int | None = None) -> int:
    """Screen the actor's region for ``period``; the scope is read again when the task runs
    (a user whose region changed in between screens the new one, none if it was removed)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from dixian.core.access import scope_of
    from dixian.core.models import User
    from dixian.exchange.actions import do_run_screening

    actor = User.objects.get(pk=actor_id)
    if job_id is None:
        with context.acting(request_id or None):
            return do_run_screening(scope_of(actor), period, actor=actor).pk

    def work(job, report):
        report("screening", 0, 1)
        run = do_run_screening(scope_of(actor), period, actor=actor)
        return (reverse("alerts"), _("Screening for %(period)s: %(alerts)s alerts.") % {
            "period": period, "alerts": run.counts.get("alerts", 0)})

    jobs.run(job_id, work)
    return job_id


@task
def upload_feed(*, department: str, period: str | None = None, job_id: int) -> str:
    """Validate, match and keep the job's kept file as its actor's department feed."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from dixian.exchange.actions import do_upload_feed

    def work(job, report):
        batch = do_upload_feed(jobs.file_bytes(job), job.file_name, department=department,
                               actor=job.actor, period=period, progress=report)
        return (reverse("feed_batch", kwargs={"batch_id": batch.pk}),
                _("%(status)s (%(rows)s rows, %(matched)s matched).") % {
                    "status": batch.get_status_display(), "rows": batch.rows,
                    "matched": batch.matched})

    return jobs.run(job_id, work)
