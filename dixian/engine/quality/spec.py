"""The rule spec: what a data-quality rule is, as data.

A :class:`Rule` names the table it runs on, a condition in the rule language
(:mod:`~dixian.engine.rules.lang`),
the field it reports and the evidence value, and two messages (Chinese and English) whose
``{placeholders}`` are filled with the evidence of each finding. Everything else — which fields
the rule reads, whether it looks beyond one record — is worked out from the condition.

``each`` writes one rule for several fields: the condition, value and messages use
``{field}`` for the field at hand (in a condition it is replaced by the field's name; in a
message ``{field}`` is the name and ``{field_zh}`` its Chinese label).

Message placeholders: any column or derived column of the rule's table (enumerated codes are
shown with their Chinese label in ``message_zh``; booleans as 是/否 and yes/no), ``{value}``
(the evidence value), ``{field}``, ``{field_zh}`` and ``{P.<name>}`` (a parameter).

>>> r = Rule(id="DQ-TEST-01", version=1, family="logic", severity="error", level="village",
...          table="members", when="age < 16 and labour_skill != 'none'",
...          field="labour_skill", title="t", message_zh="{age}岁", message_en="aged {age}")
>>> r.checks()[0].field
'labour_skill'
"""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass, field

__all__ = ["Rule", "Check", "FAMILIES", "SEVERITIES", "LEVELS", "TABLES", "CONTEXTS"]

#: family -> (Chinese, English) label, in the order of the reference
FAMILIES = {
    "completeness": ("完整性", "Completeness: required fields are filled"),
    "identity": ("证件与编码", "Identity and codes: ID numbers, phones, keys, code lists"),
    "logic": ("逻辑（年龄、文化、劳动、在校）",
              "Logic: age, education, labour and schooling agree"),
    "relation": ("与户主关系", "Relationship to the head agrees with sex and age"),
    "plausibility": ("合理范围", "Plausibility: values within sensible ranges"),
    "policy": ("政策合规", "Policy compliance: benefits and flags agree with the facts"),
    "monitoring": ("监测信息", "Monitoring fields are complete and consistent"),
    "timeliness": ("时效", "Timeliness: dates in order, none in the future"),
    "village": ("村级一致性", "Village level: records agree with village totals"),
}
SEVERITIES = {"error": ("错误", "must be corrected"), "warning": ("提示", "to be verified")}
#: responsible level: who corrects (village cadres enter; townships review; counties approve
#: and own the departmental feeds)
LEVELS = {"village": "村", "township": "乡镇", "county": "县"}
TABLES = ("households", "members", "incomes", "villages")
#: what a rule looks at beyond its own record; the entry-time check sees only the batch,
#: so "registry" rules (duplicates across households, village totals) judge the batch alone
CONTEXTS = ("row", "household", "registry")


@dataclass(frozen=True)
class Check:
    """One compiled unit: a rule, or one field of an ``each`` rule."""

    rule: Rule
    field: str
    when: str
    value: str
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    family: str
    severity: str
    level: str
    table: str
    when: str
    field: str
    title: str
    message_zh: str
    message_en: str
    value: str | None = None
    each: tuple[str, ...] = ()
    fuping: tuple[str, ...] = ()
    target: str | None = None
    requires: tuple[str, ...] = ()
    source: str = ""
    note: str = ""
    extra_reads: tuple[str, ...] = field(default=())

    def __post_init__(self):
        problems = []
        if self.family not in FAMILIES:
            problems.append(f"family {self.family!r}")
        if self.severity not in SEVERITIES:
            problems.append(f"severity {self.severity!r}")
        if self.level not in LEVELS:
            problems.append(f"level {self.level!r}")
        if self.table not in TABLES:
            problems.append(f"table {self.table!r}")
        if not isinstance(self.version, int) or self.version < 1:
            problems.append(f"version {self.version!r}")
        if self.each and "{field}" not in self.field:
            problems.append("an 'each' rule reports field '{field}'")
        if problems:
            raise ValueError(f"rule {self.id}: bad " + ", ".join(problems))

    @property
    def target_table(self) -> str:
        """The table holding the reported field."""
        return self.target or self.table

    def checks(self) -> list[Check]:
        """The rule expanded over ``each`` (a single check otherwise)."""
        fields = self.each or (self.field,)
        out = []
        for f in fields:
            def sub(text, f=f):
                return text.replace("{field}", f) if self.each else text
            out.append(Check(
                rule=self, field=f, when=sub(self.when), value=sub(self.value or f),
                message_zh=_fill_field(self.message_zh, f) if self.each else self.message_zh,
                message_en=_fill_field(self.message_en, f) if self.each else self.message_en))
        return out

    def fingerprint(self) -> str:
        """Hash of everything that changes findings; a change needs a new version."""
        machine = {"table": self.table, "when": self.when, "field": self.field,
                   "value": self.value, "each": list(self.each), "target": self.target,
                   "requires": list(self.requires), "severity": self.severity,
                   "level": self.level, "message_zh": self.message_zh,
                   "message_en": self.message_en}
        blob = json.dumps(machine, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha1(blob).hexdigest()[:10]


def _fill_field(message: str, name: str) -> str:
    """Replace ``{field}`` by the field name, keep every other placeholder."""
    out = []
    for literal, fname, spec, conv in string.Formatter().parse(message):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if fname is None:
            continue
        if fname == "field":
            out.append(name)
        else:
            out.append("{" + fname + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
                       + "}")
    return "".join(out)
