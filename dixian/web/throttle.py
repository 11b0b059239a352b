"""Throttling failed logins, counted from the audit trail (shared by all workers)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from dixian.core import audit
from dixian.core.models import AuditEvent

FAILED = "auth.login_failed"


def too_many_failures(username: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    failures = AuditEvent.objects.filter(
        action=FAILED, object_id=username[:64], time__gte=since
    ).count()
    return failures >= settings.LOGIN_FAILURE_LIMIT


def record_failure(username: str, client: str) -> None:
    audit.record(FAILED, actor=None, object_type="auth.user", object_id=username[:64],
                 after={"client": client})
