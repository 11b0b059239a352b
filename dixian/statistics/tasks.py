"""Background tasks of the statistics: a recompute asked for from a page runs on the worker
(`dixian db_worker`, docs/deployment.md)."""

from __future__ import annotations

from django.tasks import task

from dixian.core import context


@task
def recompute(code: str, *, actor_id: int, request_id: str = "") -> dict:
    from dixian.core.models import User
    from dixian.statistics import bridge

    actor = User.objects.get(pk=actor_id)
    with context.acting(request_id or None):
        return bridge.do_recompute(code, actor=actor)
