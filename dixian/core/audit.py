"""The audit trail: append-only events in a keyed hash chain, anchored outside the database.

Every write goes through a ``do_<verb>_<noun>`` action that calls :func:`record`
inside its transaction, and every reveal of personal data calls it too.

Each row's ``hash`` is HMAC-SHA256, under ``settings.DIXIAN_AUDIT_KEY`` (a key file kept
apart from the database), of the row's canonical JSON including the previous row's hash:
someone who can rewrite the table but does not hold the key cannot make a changed row, or
a rewritten tail of rows, verify. The head of the chain is periodically written to an
anchor file (``dixian audit anchor``, and every ``nightly``), each line signed with the
same key; a supervisor keeps a copy. :func:`verify` checks the chain and every anchor, so
even a rewrite by someone holding the key is detected for every row up to the last anchor
the supervisor kept (docs/audit.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
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


def _key() -> bytes:
    key = settings.DIXIAN_AUDIT_KEY
    if not key:
        raise RuntimeError("DIXIAN_AUDIT_KEY is not set: the audit chain cannot be keyed")
    return key.encode("utf-8")


def event_payload(event: AuditEvent) -> str:
    """The row's canonical JSON: sorted keys, no spaces, UTF-8, times in UTC to the
    microsecond. Every column is in it, the previous row's hash included."""
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
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(event: AuditEvent, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the row's canonical JSON under the audit key."""
    return hmac.new(key or _key(), event_payload(event).encode("utf-8"),
                    hashlib.sha256).hexdigest()


def unkeyed_event_hash(event: AuditEvent) -> str:
    """The hash of releases before the keyed chain (plain SHA-256), read by the upgrade."""
    return hashlib.sha256(event_payload(event).encode("utf-8")).hexdigest()


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
    anchors: int = 0  # anchors checked against the chain


def verify(batch_size: int = 5000, *, anchors: Path | None = None, check_anchors: bool = True,
           hash_of=None) -> VerifyResult:
    """Walk the chain in order; report the first row whose hash or link is wrong, then check
    every anchor (a signed head kept outside the database) against the rows."""
    hash_of = hash_of or event_hash
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    hashes: dict[int, str] = {}
    kept = read_anchors(anchors) if check_anchors else []
    wanted = {a.get("seq") for a in kept}
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size):
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq,
                                f"row {expected_seq} is missing (next row is {event.seq})")
        if event.prev_hash != expected_prev:
            return VerifyResult(False, checked, event.seq,
                                "its link to the previous row does not match")
        if not hmac.compare_digest(hash_of(event), event.hash):
            return VerifyResult(False, checked, event.seq,
                                "its contents do not match its hash (the row was changed, or "
                                "written without the audit key)")
        if event.seq in wanted:
            hashes[event.seq] = event.hash
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    count = 0
    for anchor in kept:
        problem = _anchor_problem(anchor, hashes, checked)
        if problem:
            return VerifyResult(False, checked, anchor.get("seq"), problem, count)
        count += 1
    return VerifyResult(True, checked, anchors=count)


# ----------------------------------------------------------------------------- anchors
def _anchor_signature(seq: int, head: str, time: str) -> str:
    message = f"dixian-audit-anchor|{seq}|{head}|{time}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def anchor_path(path: Path | None = None) -> Path:
    return Path(path or settings.DIXIAN_AUDIT_ANCHORS)


def write_anchor(path: Path | None = None) -> dict:
    """Append the chain's head (last row's seq and hash), signed, to the anchor file."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, head = last if last else (0, GENESIS_HASH)
    time = _canonical_time(timezone.now())
    anchor = {"seq": seq, "hash": head, "time": time,
              "signature": _anchor_signature(seq, head, time)}
    target = anchor_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as out:
        out.write(json.dumps(anchor, sort_keys=True) + "\n")
    return anchor


def read_anchors(path: Path | None = None) -> list[dict]:
    target = anchor_path(path)
    if not target.exists():
        return []
    out = []
    for number, line in enumerate(target.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            anchor = json.loads(line)
        except json.JSONDecodeError:
            anchor = {"line": number, "unreadable": line[:80]}
        anchor.setdefault("line", number)
        out.append(anchor)
    return out


def _anchor_problem(anchor: dict, hashes: dict[int, str], rows: int) -> str:
    where = f"anchor on line {anchor.get('line')}"
    try:
        seq, head, time = int(anchor["seq"]), str(anchor["hash"]), str(anchor["time"])
        signature = str(anchor["signature"])
    except (KeyError, TypeError, ValueError):
        return f"{where} is unreadable"
    if not hmac.compare_digest(_anchor_signature(seq, head, time), signature):
        return f"{where} is not signed with the audit key"
    if seq == 0:
        return ""
    if seq > rows:
        return f"{where} names row {seq}, but the chain ends at row {rows} (rows were removed)"
    if not hmac.compare_digest(hashes.get(seq, ""), head):
        return (f"{where} kept row {seq}'s hash {head[:12]}…, the database now has "
                f"{hashes.get(seq, '')[:12]}… (history was rewritten)")
    return ""


# ----------------------------------------------------------------------------- upgrade
def rechain_unkeyed(model, connection) -> int:
    """Re-chain rows written before the keyed chain (plain SHA-256) with the audit key.

    Run once by migration core 0005. The old chain is verified first, row by row, and the
    upgrade stops at the first broken row (it must be investigated, not blessed with a key);
    rows already keyed (a re-run) are left as they are. Returns the number of rows re-chained.
    """
    from dixian.core import audit_triggers

    updates = []
    old_prev, new_prev = GENESIS_HASH, GENESIS_HASH
    for event in model.objects.order_by("seq").iterator(chunk_size=5000):
        if event.prev_hash == new_prev and hmac.compare_digest(event_hash(event), event.hash):
            old_prev = new_prev = event.hash  # already keyed
            continue
        if event.prev_hash != old_prev or unkeyed_event_hash(event) != event.hash:
            raise RuntimeError(
                f"the audit chain is broken at row {event.seq} before the upgrade; "
                "investigate it (`dixian audit verify` on the previous release) before "
                "re-chaining it with the audit key")
        old_prev = event.hash
        event.prev_hash = new_prev
        new_prev = event_hash(event)
        updates.append((event.prev_hash, new_prev, event.seq))
    if not updates:
        return 0
    table = model._meta.db_table
    audit_triggers.disable(connection)
    try:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE seq = %s",
                               updates)
    finally:
        audit_triggers.enable(connection)
    return len(updates)
