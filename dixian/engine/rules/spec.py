"""A decision rule as data: an id, a version, a condition in the rule language, the
parameters it reads and two sentences.

The rules that decide about one household (R2's category, each condition of R6) are
:class:`Rule` s. ``holds`` evaluates the condition on the household's facts with the policy in
force; ``sentence`` fills the placeholders: ``{name}`` a fact, ``{name:.0f}`` with a format,
``{P.area.name}`` a parameter. The fingerprint changes with the machine form and the sentences,
so a changed rule needs a new version (tests/engine/rules/test_spec.py).

>>> r = Rule("R-T", 1, "per_capita < P.income.monitoring_line",
...          "人均纯收入{per_capita:.0f}元，低于监测范围{P.income.monitoring_line}元",
...          "Per-capita income {per_capita:.0f} yuan, below the line {P.income.monitoring_line}")
>>> facts, policy = {"per_capita": 8000.4}, {"income.monitoring_line": 8700}
>>> r.holds(facts, policy), r.sentence(facts, policy, "en")
(True, 'Per-capita income 8000 yuan, below the line 8700')
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dixian.engine.rules import lang

__all__ = ["Rule"]

_PARAM_FIELD = re.compile(r"\{P\.([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)")


def _shown(value: Any, separator: str = "、") -> Any:
    """Unknown values read "—" in a sentence; lists as text (、 in Chinese, commas in English)."""
    if value is None:
        return _Dash()
    if isinstance(value, (list, tuple)):
        return separator.join(str(v) for v in value) or "—"
    return value


class _Dash(str):
    """"—" that accepts any number format (``{per_capita:.0f}`` of an unknown value)."""

    def __new__(cls):
        return super().__new__(cls, "—")

    def __format__(self, spec: str) -> str:
        return "—"


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    when: str
    sentence_zh: str
    sentence_en: str
    source: str = ""
    failed_zh: str = ""       # the sentence when the condition does not hold (else sentence_*)
    failed_en: str = ""

    def __post_init__(self):
        self.tree  # noqa: B018  (a rule that does not parse is refused when it is made)

    @functools.cached_property
    def tree(self):
        return lang.parse(self.when)

    @property
    def names(self) -> set[str]:
        return lang.names(self.tree)

    @property
    def params(self) -> set[str]:
        return lang.param_names(self.tree) | set(
            _PARAM_FIELD.findall(self.sentence_zh + self.sentence_en + self.failed_zh
                                 + self.failed_en))

    def holds(self, facts: Mapping[str, Any], policy: Mapping[str, Any]) -> bool | None:
        """True, False, or None when a fact it needs is unknown."""
        return lang.evaluate(self.tree, facts, policy)

    def sentence(self, facts: Mapping[str, Any], policy: Mapping[str, Any], language: str,
                 *, held: bool = True) -> str:
        """The sentence in ``language`` ("zh…" or "en…"), for when the rule held or not."""
        if not language.startswith(("zh", "en")):
            raise ValueError(f"{self.id}: no sentence in {language!r} (zh or en)")
        zh = language.startswith("zh")
        template = (self.sentence_zh if zh else self.sentence_en) if held or not (
            self.failed_zh and self.failed_en) else (self.failed_zh if zh else self.failed_en)
        separator = "、" if zh else ", "
        values = {k: _shown(v, separator) for k, v in facts.items()}
        values.update({f"P_{name.replace('.', '__')}": _shown(policy[name], separator)
                       for name in self.params})
        text = _PARAM_FIELD.sub(lambda m: "{P_" + m.group(1).replace(".", "__"), template)
        return string.Formatter().vformat(text, (), values)

    def fingerprint(self) -> str:
        blob = json.dumps([self.id, self.version, self.when, self.sentence_zh,
                           self.sentence_en, self.failed_zh, self.failed_en],
                          ensure_ascii=False).encode()
        return hashlib.sha1(blob).hexdigest()[:10]
