"""An import report in words: its counters by name and each structural problem (a file, a
value, an identity, a region) by a sentence in the person's language. Problems found by the
quality rules keep their own sentence (the national layout's are in Chinese)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

COUNTS = {
    "households_new": _("new households"),
    "households_changed": _("households changed"),
    "members_new": _("new members"),
    "members_changed": _("members changed"),
    "incomes_new": _("new monthly incomes"),
    "incomes_changed": _("monthly incomes changed"),
    "villages_new": _("new village reports"),
    "villages_changed": _("village reports changed"),
    "rejected_rows": _("rows rejected"),
    "problems": _("problems"),
    "spells": _("monitoring spells carried over"),
    "eliminated": _("of them with the risk eliminated"),
}

RULES = {
    "file.format": _("not a file type the import reads (send XLSX or CSV)"),
    "file.empty": _("the file is empty"),
    "file.sheet": _("a sheet the import does not know"),
    "file.missing_column": _("a required column is missing"),
    "file.duplicate_column": _("a column appears twice"),
    "value.enum": _("not one of the allowed codes or labels"),
    "value.bool": _("not 是/否 (yes/no)"),
    "value.int": _("not a whole number"),
    "value.number": _("not a number"),
    "value.date": _("not a date (YYYY-MM-DD)"),
    "value.month": _("not a month (YYYY-MM)"),
    "value.required": _("a required value is empty"),
    "value.masked": _("a masked value (with *) cannot be imported: send the full value"),
    "identity.in_two_households": _("this ID number is in two households"),
    "identity.bad_checksum": _("the ID number's check digit is wrong"),
    "identity.bad_length": _("the ID number has the wrong length"),
    "identity.bad_date": _("the ID number holds an impossible birth date"),
    "identity.bad_chars": _("the ID number holds characters other than digits and X"),
    "identity.missing": _("the ID number is missing"),
    "region.unknown_or_out_of_scope": _("village code unknown or outside your region"),
    "registry.unknown_household": _("household not in this file nor in the registry of your "
                                    "region"),
    "registry.conflicting_duplicate": _("appears more than once with different values"),
}


def counts(batch_counts: dict) -> list[tuple[str, object]]:
    return [(str(COUNTS.get(k, k)), v) for k, v in (batch_counts or {}).items()]


def sentence(problem: dict) -> str:
    rule = problem.get("rule", "")
    return str(RULES[rule]) if rule in RULES else problem.get("message", "")
