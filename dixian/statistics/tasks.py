"""Background tasks of the statistics: a recompute asked for from a page runs on the worker
(`dixian db_worker`, docs/deployment.md) and reports to its job (dixian/core/jobs.py)."""

from __future__ import annotations

from django.tasks import task

from dixian.core import context, jobs


@task
def recompute(code: str, *, actor_id: int, request_id: str = "",
              job_id: int | None = None) -> dict:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from dixian.core.models import User
    from dixian.statistics import bridge
    from dixian.statistics.views import segment

    actor = User.objects.get(pk=actor_id)
    if job_id is None:
        with context.acting(request_id or None):
            return bridge.do_recompute(code, actor=actor)
    outcome = {}

    def work(job, report):
        report("computing", 0, 1)
        outcome.update(bridge.do_recompute(code, actor=actor))
        return (reverse("statistics_region", args=[segment(code)]),
                _("Indicators recomputed: %(regions)s regions, latest month %(as_of)s, "
                  "%(seconds)s s.") % outcome)

    jobs.run(job_id, work)
    return outcome
