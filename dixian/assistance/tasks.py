"""Background tasks of assistance: a department's measures spreadsheet uploaded on the page
runs on the worker (`dixian db_worker`, docs/deployment.md) and reports to its job."""

from __future__ import annotations

from django.tasks import task

from dixian.core import jobs


@task
def bulk_update(*, job_id: int) -> str:
    """Update measures from the job's kept spreadsheet as its actor: all rows or none."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from dixian.assistance.actions import do_bulk_update

    def work(job, report):
        n = do_bulk_update(jobs.file_bytes(job), job.file_name, actor=job.actor,
                           progress=report)
        return (reverse("measures"), _("%(n)d measure(s) updated from %(file)s.") % {
            "n": n, "file": job.file_name})

    return jobs.run(job_id, work)
