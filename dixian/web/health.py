"""Liveness and readiness for a process manager or a load balancer (docs/deployment.md).

- ``/healthz``: the process answers (no database access): restart it when this fails.
- ``/readyz``: the database answers and every migration of this release is applied: send it
  traffic only when this passes (503 otherwise, with the reason).

Neither needs a login nor reveals anything but ``ok`` or the reason it is not ready.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)
_migrated = False  # once true, stays true for the life of the process (an upgrade restarts it)


def unapplied_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    global _migrated
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            pending = unapplied_migrations()
            if pending:
                return JsonResponse({"status": "migrations pending", "pending": len(pending)},
                                    status=503)
            _migrated = True
    except DatabaseError as exc:
        log.warning("readyz: database unreachable: %s", exc.__class__.__name__)
        return JsonResponse({"status": "database unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


class ProbeMiddleware:
    """Answer the probes before any other middleware: no session is read (a prober that
    keeps a cookie would otherwise make the session and user middleware ask the database,
    and a database outage would end /healthz in an error instead of 200)."""

    PROBES = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = self.PROBES.get(request.path)
        return probe(request) if probe else self.get_response(request)
