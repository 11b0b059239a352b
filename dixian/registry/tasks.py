"""Background tasks of the registry: an import uploaded on the page runs on the worker
(`dixian db_worker`, docs/deployment.md) and reports its progress to its job."""

from __future__ import annotations

from django.tasks import task

from dixian.core import jobs


@task
def import_upload(*, valid_rows_only: bool = False, accept_quality_issues: bool = False,
                  job_id: int) -> str:
    """Import the job's kept file as its actor (scope read again when the task runs)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from dixian.registry import importing

    def work(job, report):
        outcome = importing.import_file(
            jobs.file_bytes(job), job.file_name, actor=job.actor,
            valid_rows_only=valid_rows_only, accept_quality_issues=accept_quality_issues,
            progress=report)
        batch = outcome.batch
        return (reverse("import_report", kwargs={"batch_id": batch.pk}),
                _("%(status)s (%(problems)s problem(s) reported).") % {
                    "status": batch.get_status_display(), "problems": len(outcome.problems)})

    return jobs.run(job_id, work)
