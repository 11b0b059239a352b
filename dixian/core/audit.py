"""The audit trail: append-only, hash-chained events.

Every write goes through a ``do_<verb>_<noun>`` action that calls :func:`record`
inside its transaction, and every reveal of personal data calls it too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from dixian.core import context
from dixian.core.models import AuditEvent

GENESIS_HASH = "0" * 64
# An arbitrary constant that names the audit chain's PostgreSQL advisory lock.
_AUDIT_LOCK_KEY = 0x6469786961  # "dixia"


def _plain(value):
    """Values as they will read back from the JSON column (Decimals, dates → strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "time": _canonical_time(event.time),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "role": event.role,
        "region_code": event.region_code,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
    # SQLite: transactions start IMMEDIATE (settings), so writers are serialised.


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    region_code: str = "",
    before=None,
    after=None,
) -> AuditEvent:
    """Append one audit event; joins the caller's transaction (or opens one)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    ctx = context.current()
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        actor_obj = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            seq=seq,
            time=timezone.now(),
            actor=actor_obj,
            actor_username=(actor_obj.get_username() if actor_obj else str(actor or "")),
            role=getattr(actor_obj, "role", "") or "",
            region_code=region_code or (getattr(actor_obj, "region_id", "") or ""),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_plain(before),
            after=_plain(after),
            request_id=ctx.request_id if ctx else "",
            prev_hash=prev_hash,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first row whose hash or link is wrong."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq,
                                f"row {expected_seq} is missing (next row is {event.seq})")
        if event.prev_hash != expected_prev:
            return VerifyResult(False, checked, event.seq,
                                "its link to the previous row does not match")
        if event_hash(event) != event.hash:
            return VerifyResult(False, checked, event.seq,
                                "its contents do not match its hash (the row was changed)")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)
