"""Personal data at rest: encryption, lookup tokens and masks.

Resident ID numbers and phone numbers are stored three ways, never in clear:

- ``enc``: AES-256-GCM ciphertext, prefixed by the key id (``k1:…``), with the field name
  as associated data so a ciphertext cannot be moved to another field;
- ``token``: HMAC-SHA256 of the normalised value under the lookup key, for exact matching
  (duplicates, joining departmental data) without decrypting;
- ``masked``: what screens show (``5201**********1234``, ``138****5678``).

Keys come from the environment (``DIXIAN_DATA_KEYS``: ``id:base64,id:base64``, the first is
current; ``DIXIAN_LOOKUP_KEY``). Rotation: add a new key first in the list, run
``dixian keys rotate``; old ciphertexts stay readable until re-encrypted.
"""

from __future__ import annotations

import base64
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


class KeyError_(RuntimeError):
    pass


@dataclass(frozen=True)
class Protected:
    enc: str
    token: str
    masked: str


@lru_cache(maxsize=1)
def _keyring() -> tuple[str, dict[str, AESGCM]]:
    spec = settings.DIXIAN_DATA_KEYS
    keys: dict[str, AESGCM] = {}
    current = None
    for item in spec.split(","):
        key_id, _sep, material = item.strip().partition(":")
        raw = base64.urlsafe_b64decode(material + "=" * (-len(material) % 4))
        if len(raw) != 32 or not key_id:
            raise KeyError_(f"DIXIAN_DATA_KEYS entry {key_id!r}: need id:base64 of 32 bytes")
        keys[key_id] = AESGCM(raw)
        current = current or key_id
    if not keys:
        raise KeyError_("DIXIAN_DATA_KEYS is empty")
    return current, keys


def reset_keys() -> None:
    """Forget cached keys (after settings change, e.g. in rotation tests)."""
    _keyring.cache_clear()
    _lookup_key.cache_clear()


@lru_cache(maxsize=1)
def _lookup_key() -> bytes:
    material = settings.DIXIAN_LOOKUP_KEY
    return base64.urlsafe_b64decode(material + "=" * (-len(material) % 4))


def current_key_id() -> str:
    return _keyring()[0]


def normalise_id(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def normalise_phone(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[-11:] if len(digits) > 11 and digits.startswith("86") else digits


def encrypt(value: str, field: str) -> str:
    key_id, keys = _keyring()
    nonce = os.urandom(12)
    sealed = keys[key_id].encrypt(nonce, value.encode("utf-8"), field.encode())
    return f"{key_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(enc: str, field: str) -> str:
    key_id, _sep, payload = enc.partition(":")
    keys = _keyring()[1]
    if key_id not in keys:
        raise KeyError_(f"data key {key_id!r} is not configured (DIXIAN_DATA_KEYS)")
    raw = base64.urlsafe_b64decode(payload)
    return keys[key_id].decrypt(raw[:12], raw[12:], field.encode()).decode("utf-8")


def token(value: str) -> str:
    # hmac.digest is the one-shot C implementation: ~10x faster than hmac.new per value.
    return hmac.digest(_lookup_key(), value.encode("utf-8"), "sha256").hex()


def mask_id(value: str) -> str:
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def protect_id(value: str | None, token_of=None) -> Protected | None:
    """``token_of`` may supply a cached token function (bulk imports compute it earlier)."""
    if not value:
        return None
    value = normalise_id(value)
    return Protected(encrypt(value, "resident_id"), (token_of or token)(value), mask_id(value))


def protect_phone(value: str | None, field: str = "phone") -> Protected | None:
    if not value:
        return None
    value = normalise_phone(value)
    return Protected(encrypt(value, field), token(value), mask_phone(value))


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


# ---------------------------------------------------------------- names and health by role
def mask_name(name: str) -> str:
    """王小明 -> 王**: the family name, the rest withheld."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def shown_name(user, name: str) -> str:
    """A member's name as ``user`` may see it: in full for the roles whose work needs it
    (casework, department officers delivering measures), masked for readers."""
    from dixian.core.roles import Capability, role_has

    return name if role_has(getattr(user, "role", ""), Capability.SEE_NAMES) else \
        mask_name(name)


def may_see_health(user) -> bool:
    """Health condition and disability: casework roles only (not analysts, auditors or
    department officers; the statistics count them without naming anyone)."""
    from dixian.core.roles import Capability, role_has

    return role_has(getattr(user, "role", ""), Capability.SEE_HEALTH)
