"""Background tasks of the exchange: a screening run asked for from a page runs on the
worker (`dixian db_worker`, docs/deployment.md), so that the page answers at once."""

from __future__ import annotations

from django.tasks import task

from dixian.core import context


@task
def run_screening(period: str, *, actor_id: int, request_id: str = "") -> int:
    """Screen the actor's region for ``period``; the scope is read again when the task runs
    (a user whose region changed in between screens the new one, none if it was removed)."""
    from dixian.core.access import scope_of
    from dixian.core.models import User
    from dixian.exchange.actions import do_run_screening

    actor = User.objects.get(pk=actor_id)
    with context.acting(request_id or None):
        return do_run_screening(scope_of(actor), period, actor=actor).pk
