"""Every user-visible string has a Chinese translation, and the compiled catalogue is current."""

import ast
import gettext
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dixian"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def read_po(path: Path) -> dict[str, str]:
    """msgid → msgstr (for plural entries, the first form; Chinese has one form)."""
    entries, msgid, msgstr, target = {}, [], [], None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#~"):
            continue
        if line.startswith("msgid "):
            if msgid:
                entries["".join(msgid)] = "".join(msgstr)
            msgid, msgstr, target = [_unquote(line[6:])], [], "id"
        elif line.startswith("msgid_plural "):
            target = "plural"
        elif line.startswith(("msgstr ", "msgstr[0] ")):
            msgstr, target = [_unquote(line.split(" ", 1)[1])], "str"
        elif line.startswith("msgstr["):
            target = "other-form"
        elif line.startswith('"') and target in ("id", "str"):
            (msgid if target == "id" else msgstr).append(_unquote(line))
    if msgid:
        entries["".join(msgid)] = "".join(msgstr)
    entries.pop("", None)
    return entries


def test_every_message_is_translated_and_compiled():
    entries = read_po(PO)
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in entries.items()
             if compiled.gettext(msgid) != msgstr and compiled.ngettext(msgid, "", 1) != msgstr]
    assert stale == [], "run `make messages` to recompile"


TEMPLATE_STRING = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1""")
PY_STRING = re.compile(r"""\b_\(\s*\n?\s*(["'])(.+?)\1\s*\)""")


def test_every_marked_string_is_in_the_catalogue():
    entries = read_po(PO)
    missing = []
    for path in PACKAGE.rglob("*.html"):
        missing += [m.group(2) for m in TEMPLATE_STRING.finditer(path.read_text()) if
                    m.group(2) not in entries]
    for path in PACKAGE.rglob("*.py"):
        if "engine" in path.parts or "migrations" in path.parts:
            continue
        missing += [m.group(2) for m in PY_STRING.finditer(path.read_text()) if
                    m.group(2) not in entries]
    assert missing == [], "run `make messages` and translate the new strings"
