"""Key rotation: re-encrypt every protected value with the current key.

Put the new key first in ``DIXIAN_DATA_KEYS`` (old keys after it, so old ciphertexts stay
readable), then run ``dixian keys rotate``. Tokens are re-derived with the current lookup
key, so a new ``DIXIAN_LOOKUP_KEY`` can be rotated in the same run. One transaction: it
finishes or changes nothing. Afterwards the old keys can be removed.
"""

from __future__ import annotations

from django.db import transaction

from dixian.core import audit, pii
from dixian.registry.models import Household, Member

PROTECTED = {Household: ("phone", "monitoring_contact_phone"), Member: ("resident_id", "phone")}


def rotate(batch_size: int = 2000) -> dict[str, int]:
    counts = {}
    key_id = pii.current_key_id()
    with transaction.atomic():
        for model, fields in PROTECTED.items():
            changed = 0
            rows = model.objects.only("pk", *(f"{f}_enc" for f in fields)).order_by("pk")
            pending = []
            for obj in rows.iterator(chunk_size=batch_size):
                for field in fields:
                    enc = getattr(obj, f"{field}_enc")
                    if not enc:
                        continue
                    value = pii.decrypt(enc, field)
                    setattr(obj, f"{field}_enc", pii.encrypt(value, field))
                    normalised = (pii.normalise_id(value) if field == "resident_id"
                                  else pii.normalise_phone(value))
                    setattr(obj, f"{field}_token", pii.token(normalised))
                pending.append(obj)
                if len(pending) == batch_size:
                    changed += _save(model, fields, pending)
            changed += _save(model, fields, pending)
            counts[model._meta.model_name] = changed
        audit.record("pii.rotate_keys", object_type="core.pii", object_id=key_id,
                     after={"key": key_id, **counts})
    return counts


def _save(model, fields, pending) -> int:
    columns = [f"{f}_{s}" for f in fields for s in ("enc", "token")]
    model.objects.bulk_update(pending, columns)
    n = len(pending)
    pending.clear()
    return n
