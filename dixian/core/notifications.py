"""A person's notifications: reading them and dismissing them are writes (POST actions with
an audit row each), never a side effect of opening the inbox."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from dixian.core import audit
from dixian.core.models import Notification


def scoped_notifications(user):
    """A person sees only their own notifications."""
    return Notification.objects.filter(user=user)


def do_read_notifications(ids: list[int] | None, *, actor) -> int:
    """Mark the actor's notifications read (``ids`` None: all of them). Returns how many."""
    with transaction.atomic():
        found = scoped_notifications(actor).filter(read_at__isnull=True)
        if ids is not None:
            found = found.filter(pk__in=ids)
        chosen = list(found.values_list("pk", flat=True))
        n = Notification.objects.filter(pk__in=chosen).update(read_at=timezone.now())
        if n:
            audit.record("notification.read", actor=actor, object_type="notification",
                         object_id="all" if ids is None else ",".join(map(str, chosen[:50])),
                         after={"count": n})
    return n


def do_dismiss_notifications(ids: list[int], *, actor) -> int:
    """Remove the actor's notifications from their inbox (the audit row keeps what was
    dismissed). Returns how many."""
    with transaction.atomic():
        found = scoped_notifications(actor).filter(pk__in=ids)
        gone = list(found.values("pk", "text", "link"))
        n = Notification.objects.filter(pk__in=[g["pk"] for g in gone]).delete()[0]
        if n:
            audit.record("notification.dismiss", actor=actor, object_type="notification",
                         object_id=",".join(str(g["pk"]) for g in gone[:50]),
                         before={"notifications": gone[:50]}, after={"count": n})
    return n
