"""Where the platform meets the policy engine: approved changes become engine records.

The engine resolves policy without Django; at start-up this module registers
:func:`approved_records` as its change source. The records are cached per process and
reloaded when an approval in this process invalidates them, or at most
``RELOAD_SECONDS`` after another process approved one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from dixian.core.bridge import reexport
from dixian.engine import policy as engine

#: engine names re-exported to the app's other modules (dixian/core/bridge.py)
ENGINE = {
    "files": "dixian.engine.policy",
    "parse_record": "dixian.engine.policy.catalogue",
    "plain": "dixian.engine.policy.model",
    "policy": "dixian.engine",
    "preview": "dixian.engine.policy",
    "RegionScope": "dixian.engine.scope",
}
__getattr__ = reexport(globals(), ENGINE)

RELOAD_SECONDS = 5.0
_lock = threading.Lock()
_cache: dict = {"records": None, "loaded": 0.0}


def to_records(change) -> list[engine.Record]:
    out = []
    for item in change.values:
        until = item.get("until")
        out.append(engine.Record(
            parameter=item["parameter"], region=change.region_id, start=change.effective_from,
            stop=dt.date.fromisoformat(until) if until else None, value=_canonical(item),
            source=f"{change.basis_number} ({change.basis_date:%Y-%m-%d})",
            change=str(change.pk or "proposal"), approved_at=change.decided_at))
    return out


def _canonical(item: dict):
    """A stored value in the form the engine reads (tuples, rule entries), as checked when
    the change was proposed."""
    spec = engine.parameters().get(item["parameter"])
    try:
        return spec.check(item["value"]) if spec else item["value"]
    except engine.PolicyError:  # a declaration changed since: keep the value as stored
        return item["value"]


def _load() -> tuple[engine.Record, ...]:
    from django.db import DatabaseError

    from dixian.policy.models import PolicyChange, Status

    try:
        changes = list(PolicyChange.objects.filter(status=Status.APPROVED).order_by("pk"))
    except DatabaseError:  # before the first migration
        return ()
    records = []
    for change in changes:
        records += to_records(change)
    return tuple(records)


def approved_records() -> tuple[engine.Record, ...]:
    with _lock:
        stale = time.monotonic() - _cache["loaded"] > RELOAD_SECONDS
        if _cache["records"] is None or stale:
            _cache["records"] = _load()
            _cache["loaded"] = time.monotonic()
        return _cache["records"]


def invalidate() -> None:
    with _lock:
        _cache["records"] = None


def register() -> None:
    engine.set_change_source(approved_records)
