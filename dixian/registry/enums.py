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


def category_name(code: str | None, names: dict | None = None, *, chinese: bool = False) -> str:
    """The name of a monitoring category: the names kept with the decision (a case or a spell
    keeps those in force when it was decided), else the names any category scheme gave the
    code (the province's policy, dixian.engine.policy ``categories.scheme``), else the code.
    ``chinese``: the Chinese name whatever the page's language (letters, national exports)."""
    from django.utils.translation import get_language

    if not code:
        return ""
    language = "zh" if chinese or (get_language() or "zh").startswith("zh") else "en"
    if names and names.get(language):
        return names[language]
    known = scheme_names().get(code)
    if known:
        return known[language]
    return zh_label("monitoring_category", code) if chinese else label("monitoring_category",
                                                                         code)


def scheme_names() -> dict[str, dict[str, str]]:
    from dixian.registry.bridge import known_categories

    return known_categories()


OBJECT_TERM = "categories.object_term"


def object_terms(region: str | None, start, stop) -> list[tuple]:
    """``[(from, until, {"zh": …, "en": …}), …]``: the word policy used for a household the
    procedure identified (``categories.object_term``: 防止返贫监测对象 for the transition's
    records, 防止返贫致贫对象 from 2026) over ``[start, stop)``, for a list's many dates at
    the cost of one lookup."""
    from dixian.registry.bridge import policy

    return [(a, b, {"zh": term.name_zh, "en": term.name_en})
            for a, b, (term,) in policy.timeline(OBJECT_TERM, region, start, stop)]


def object_term(region: str | None, on=None, *, chinese: bool = False) -> str:
    """The word for a household the procedure identified, as policy named it in ``region``
    on ``on`` (today), in the page's language or, for letters and notices, Chinese."""
    import datetime as dt

    from django.utils.translation import get_language

    from dixian.registry.bridge import policy

    (term,) = policy.resolve(region, on or dt.date.today())[OBJECT_TERM]
    zh = chinese or (get_language() or "zh").startswith("zh")
    return term.name_zh if zh else term.name_en
