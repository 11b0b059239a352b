"""Background jobs: an upload or a long run asked for from a page, with its progress.

The page that starts one keeps what the job needs first (the uploaded file, where its
importer keeps originals), records a :class:`~dixian.core.models.Job` and queues a task
(:func:`start`); it then redirects to the job's page, which shows the stage, the progress
and, when finished, a link to the result (``dixian/web/jobs.py``).

The task calls :func:`run` with the work to do; the work receives ``report(stage, done,
total)``, which records the stage and counts and is the job's heartbeat. A job that is
running but has sent no heartbeat for ``DIXIAN_JOB_STALE_SECONDS`` (its worker died) is
shown as failed and can be run again (:func:`do_rerun_job`): the work itself is
transactional, so a dead worker leaves nothing half-applied, and the importers recognise a
file already applied by its SHA-256, so running it again is harmless.

Audited: a job's creation, its end (done or failed) and a re-run. The progress ticks are
not (they change no data; each would otherwise add a row to the chain).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dixian.core import audit, context
from dixian.core.bridge import RegionScope
from dixian.core.models import Job

log = logging.getLogger(__name__)

Report = Callable[[str, int, "int | None"], None]

# The stages the work reports, in the person's language (an unknown stage shows as is).
STAGES = {
    "queued": gettext_lazy("Waiting for the worker"),
    "starting": gettext_lazy("Starting"),
    "reading": gettext_lazy("Reading the file"),
    "validating": gettext_lazy("Checking the values"),
    "matching": gettext_lazy("Matching with the registry"),
    "writing": gettext_lazy("Writing to the registry"),
    "screening": gettext_lazy("Screening the households"),
    "computing": gettext_lazy("Computing the indicators"),
    "done": gettext_lazy("Finished"),
    "failed": gettext_lazy("Stopped"),
}


def no_progress(stage: str, done: int = 0, total: int | None = None) -> None:
    """The default ``progress`` callback: report nothing."""


def _audit_region(job: Job) -> str:
    return RegionScope.from_stored(job.scope_code).audit_region() if job.scope_code else ""


def _kept_name(file_name: str, data: bytes) -> str:
    import hashlib

    return f"{hashlib.sha256(data).hexdigest()[:16]}-{file_name[-80:]}"


def do_create_job(kind: str, *, actor, scope_code: str, task, args=(), kwargs=None,
                  data: bytes | None = None, file_name: str = "", kept_as: str = "",
                  request_id: str = "", rerun_of: Job | None = None) -> Job:
    """Record a queued job (and keep its file first: nothing is lost if the worker dies).

    ``kept_as`` is the name the importer will give the original (so that it reuses the
    stored file); by default the registry importer's (SHA-256 prefix, file name)."""
    from dixian.core.storage import all_or_nothing

    job = Job(kind=kind, actor=actor if getattr(actor, "is_authenticated", False) else None,
              scope_code=scope_code, stage="queued", file_name=file_name[:255],
              request_id=request_id[:64], rerun_of=rerun_of,
              call={"task": task.module_path, "args": list(args), "kwargs": kwargs or {}})
    with all_or_nothing(), transaction.atomic():
        if data is not None:
            job.file.save(kept_as or _kept_name(file_name, data), ContentFile(data),
                          save=False)
        elif rerun_of is not None and rerun_of.file:
            job.file.name = rerun_of.file.name
        job.save()
        audit.record("job.create", actor=actor, obj=job, region_code=_audit_region(job),
                     after={"kind": kind, "file": job.file_name, "args": job.call["args"],
                            "kwargs": job.call["kwargs"],
                            "rerun_of": rerun_of.pk if rerun_of else None})
    return job


def enqueue(job: Job) -> Job:
    """Queue the job's task (with the immediate backend it runs now). A queue that refuses
    it fails the job with a message rather than leaving it waiting for ever."""
    task = import_string(job.call["task"])
    try:
        task.enqueue(*job.call["args"], job_id=job.pk, **job.call["kwargs"])
    except Exception as exc:
        log.exception("job %s could not be queued", job.pk)
        job.refresh_from_db()
        if job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
            do_finish_job(job, failed=True, error=_(
                "The job could not be queued (%(error)s); nothing was done. Try again, or "
                "tell the administrator.") % {"error": type(exc).__name__})
    job.refresh_from_db()
    return job


def start(kind: str, *, actor, scope_code: str, task, args=(), kwargs=None,
          data: bytes | None = None, file_name: str = "", kept_as: str = "",
          request_id: str = "") -> Job:
    """Record a job and queue it; returns the job (finished already with the immediate
    backend of dev and tests)."""
    job = do_create_job(kind, actor=actor, scope_code=scope_code, task=task, args=args,
                        kwargs=kwargs, data=data, file_name=file_name, kept_as=kept_as,
                        request_id=request_id)
    return enqueue(job)


def _tick(job: Job, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def reporter(job: Job) -> Report:
    def report(stage: str, done: int = 0, total: int | None = None) -> None:
        _tick(job, stage=stage[:64], done=max(int(done or 0), 0),
              total=None if total is None else max(int(total), 0))

    return report


def run(job_id: int | None, work: Callable[[Job | None, Report], tuple[str, str]]):
    """Run ``work(job, report)`` for the job ``job_id``: it returns (result URL, summary).
    Without a job (a task queued by a command) the work runs with no reporting."""
    if job_id is None:
        return work(None, no_progress)
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.QUEUED:  # delivered twice: it ran (or runs) already
        return None
    _tick(job, status=Job.Status.RUNNING, started_at=timezone.now(), stage="starting")
    with context.acting(job.request_id or None):
        try:
            result_url, summary = work(job, reporter(job))
        except Exception as exc:
            log.exception("job %s failed", job.pk)
            do_finish_job(job, failed=True, error=error_message(exc))
            raise
        do_finish_job(job, result_url=result_url, summary=summary)
    return result_url


def _request_id() -> str:
    current = context.current()
    return current.request_id if current is not None else ""


def error_message(exc: BaseException) -> str:
    """A sentence a person can act on."""
    from dixian.core.storage import StoreError

    if isinstance(exc, ValidationError):
        return "\n".join(str(m) for m in exc.messages[:50])
    if isinstance(exc, StoreError):  # the words of the 507 page (the details are logged)
        return _("The server could not store the file (its disk is full). Nothing was "
                 "recorded. Tell the system administrator, then send the file again.")
    if isinstance(exc, PermissionError | PermissionDenied):
        return _("You have no region (or no right) to do this any more: nothing was done.")
    return _("The job stopped on an unexpected error (%(error)s); nothing was applied. Run "
             "it again, or tell the administrator, who finds the details in the logs under "
             "request %(request)s.") % {"error": type(exc).__name__,
                                         "request": _request_id()}


def do_finish_job(job: Job, *, failed: bool = False, error: str = "", result_url: str = "",
                  summary: str = "") -> Job:
    now = timezone.now()
    status = Job.Status.FAILED if failed else Job.Status.DONE
    with transaction.atomic():
        fields = {"status": status, "finished_at": now, "error": error,
                  "result_url": result_url[:300], "summary": summary[:500],
                  "stage": "failed" if failed else "done"}
        if not failed and job.total:
            fields["done"] = job.total
        _tick(job, **fields)
        audit.record("job.finish", actor=job.actor, obj=job, region_code=_audit_region(job),
                     after={"kind": job.kind, "status": status, "error": error[:500],
                            "summary": job.summary})
    return job


# ---------------------------------------------------------------- the worker died
def stale_after() -> timedelta:
    return timedelta(seconds=settings.DIXIAN_JOB_STALE_SECONDS)


def is_stale(job: Job, now=None) -> bool:
    """Running, and no heartbeat for a while: its worker died."""
    if job.status != Job.Status.RUNNING:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return (now or timezone.now()) - last > stale_after()


def stale_message(job: Job) -> str:
    last = timezone.localtime(job.heartbeat_at or job.started_at or job.created_at)
    return _("The worker stopped while running this job (no sign of it since %(time)s). "
             "Nothing was applied: the work is all or nothing. Run it again.") % {
        "time": last.strftime("%Y-%m-%d %H:%M")}


def shown_status(job: Job) -> str:
    return Job.Status.FAILED if is_stale(job) else job.status


def may_rerun(job: Job) -> bool:
    return shown_status(job) == Job.Status.FAILED and bool(job.call.get("task"))


def do_rerun_job(job: Job, *, actor) -> Job:
    """Run a failed (or dead) job again as a new job with the same file and arguments; a
    dead one is recorded as failed first."""
    if is_stale(job):
        do_finish_job(job, failed=True, error=stale_message(job))
    new = do_create_job(job.kind, actor=actor, scope_code=job.scope_code,
                        task=import_string(job.call["task"]), args=job.call.get("args", []),
                        kwargs=job.call.get("kwargs", {}), file_name=job.file_name,
                        request_id=_request_id(), rerun_of=job)
    return enqueue(new)


def file_bytes(job: Job) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()
