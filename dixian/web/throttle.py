"""Throttling failed logins, counted from the audit trail (shared by all workers).

Two limits, both within ``LOGIN_FAILURE_WINDOW_SECONDS``:

- per client and account (``LOGIN_FAILURE_LIMIT``): after five wrong passwords for an
  account *from one client address*, that client may not try that account again. Someone
  typing wrong passwords elsewhere cannot lock the approver out of her own office PC.
- per client (``LOGIN_CLIENT_FAILURE_LIMIT``): a client address that fails many times,
  whatever the accounts, is refused altogether, so guessing across accounts is slow too.

The client is ``REMOTE_ADDR``: behind the reverse proxy it must be the real client's
address (docs/deployment.md: the proxy sets it, Dixian never trusts X-Forwarded-For).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from dixian.core import audit
from dixian.core.models import AuditEvent

FAILED = "auth.login_failed"


def _recent_failures():
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return AuditEvent.objects.filter(action=FAILED, time__gte=since)


def account_locked_for(username: str, client: str) -> bool:
    """Too many recent failures for this account from this client."""
    failures = _recent_failures().filter(object_id=username[:64], after__client=client)
    return failures.count() >= settings.LOGIN_FAILURE_LIMIT


def client_blocked(client: str) -> bool:
    """Too many recent failures from this client, whatever the accounts."""
    return (_recent_failures().filter(after__client=client).count()
            >= settings.LOGIN_CLIENT_FAILURE_LIMIT)


def record_failure(username: str, client: str) -> None:
    audit.record(FAILED, actor=None, object_type="auth.user", object_id=username[:64],
                 after={"client": client})
