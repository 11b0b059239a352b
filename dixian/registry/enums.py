"""Django choices for the registry's enumerated fields.

Codes and Chinese labels come from the engine's snapshot contract
(:data:`dixian.engine.schema.ENUMS`), so the registry and the engine cannot drift.
"""

from dixian.registry.bridge import ENUMS
from dixian.registry.enum_labels import LABELS


def choices(enum: str) -> list[tuple[str, str]]:
    return [(code, LABELS[enum][code]) for code in ENUMS[enum]]


def label(enum: str, code: str | None) -> str:
    if code is None or code == "":
        return ""
    return str(LABELS[enum].get(code, code))


def zh_label(enum: str, code: str | None) -> str:
    """The Chinese label the national system uses (exports, notices)."""
    if code is None or code == "":
        return ""
    return ENUMS[enum].get(code, code)


def code_for_zh(enum: str) -> dict[str, str]:
    """Chinese label → code, for reading the national layout."""
    return {zh: code for code, zh in ENUMS[enum].items()}
