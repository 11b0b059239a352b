"""What a policy parameter is, and one dated value of it.

A parameter is declared once (name, type, unit, valid range, meaning, source, the lowest level
that may set it); its values are :class:`Record` s, each in force from a date (inclusive) until
a date (exclusive, open when absent) in one region: the nation (``""``), a province (2 digits),
a prefecture (4) or a county (6). OpenFisca's parameters-by-date are the model
(docs/policy.md); unlike OpenFisca, every value keeps the region it applies to and the basis
(document number, date, text) that set it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

#: the kinds of value a parameter may hold
TYPES = ("int", "number", "share", "bool", "text", "int_list", "number_list", "text_list",
         "labels", "rules")

#: an entry of a ``labels`` parameter (a named code: a detection channel) and of a ``rules``
#: parameter (a named code assigned by a condition: a category of R2)
LABEL_KEYS = ("code", "name_zh", "name_en")
RULE_KEYS = LABEL_KEYS + ("when", "sentence_zh", "sentence_en")
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")

#: who may set a parameter, from the top: a parameter set at "province" may be set by the
#: nation or a province, not by a prefecture or county
LEVELS = ("nation", "province", "prefecture", "county")
LEVEL_OF_CODE_LENGTH = {0: "nation", 2: "province", 4: "prefecture", 6: "county"}

NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class PolicyError(ValueError):
    """A policy value or change that breaks a rule; the message names the parameter and rule."""


@dataclass(frozen=True)
class Parameter:
    name: str                 # "<area>.<name>", e.g. "income.monitoring_line"
    type: str
    unit: str
    title: str                # English
    title_zh: str             # Chinese
    meaning: str
    min: float | None = None
    max: float | None = None
    level: str = "province"   # the lowest level that may set it
    choices: tuple[str, ...] = ()  # for text and text_list parameters, when closed
    #: for a ``rules`` parameter: the names its conditions may read (the facts of a decision)
    fields: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        return self.name.split(".", 1)[0]

    def check(self, value: Any) -> Any:
        """The value in its canonical form, or :class:`PolicyError` naming the rule broken."""
        def fail(rule: str) -> PolicyError:
            return PolicyError(f"{self.name}: {value!r} {rule}")

        def number(v: Any, integer: bool) -> float | int:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise fail("is not a number")
            if integer and (not float(v).is_integer()):
                raise fail("is not a whole number")
            v = int(v) if integer else float(v)
            low = 0.0 if self.type == "share" and self.min is None else self.min
            high = 1.0 if self.type == "share" and self.max is None else self.max
            if low is not None and v < low:
                raise fail(f"is below the valid range (at least {low:g})")
            if high is not None and v > high:
                raise fail(f"is above the valid range (at most {high:g})")
            return v

        def text(v: Any) -> str:
            if not isinstance(v, str):
                raise fail("is not text")
            if self.choices and v not in self.choices:
                raise fail(f"is not one of {', '.join(self.choices)}")
            return v

        kind = self.type
        if kind in ("labels", "rules"):
            return self._entries(value, fail)
        if kind == "int":
            return number(value, True)
        if kind in ("number", "share"):
            return number(value, False)
        if kind == "bool":
            if not isinstance(value, bool):
                raise fail("is not true or false")
            return value
        if kind == "text":
            return text(value)
        if kind.endswith("_list"):
            if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
                raise fail("is not a list")
            item = kind[: -len("_list")]
            if item == "text":
                return tuple(text(v) for v in value)
            return tuple(number(v, item == "int") for v in value)
        raise fail(f"has an unknown type {kind}")  # pragma: no cover - declarations are checked


    def _entries(self, value: Any, fail) -> tuple[Entry, ...]:
        """A list of tables, each with the keys of its kind; codes unique; conditions in the
        rule language (dixian.engine.rules.lang) reading only this parameter's fields."""
        from dixian.engine.rules import lang

        keys = RULE_KEYS if self.type == "rules" else LABEL_KEYS
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
            raise fail("is not a list of tables")
        if not value:
            raise fail("is empty")
        out, seen = [], set()
        for i, item in enumerate(value):
            item = item.as_dict() if isinstance(item, Entry) else item
            if not isinstance(item, dict):
                raise fail(f"has entry {i + 1} that is not a table")
            missing = [k for k in keys if not isinstance(item.get(k), str) or not item[k]]
            extra = sorted(set(item) - set(keys))
            if missing or extra:
                raise fail(f"has entry {i + 1} with missing {missing} or unknown {extra} keys")
            code = item["code"]
            if not CODE.match(code):
                raise fail(f"has code {code!r}: letters, digits or _, from a letter")
            if self.type == "rules" and len(code) > 16:
                raise fail(f"has code {code!r} longer than 16 characters")
            if code in seen:
                raise fail(f"has code {code} twice")
            if self.choices and code not in self.choices:
                raise fail(f"has code {code}, not one of {', '.join(self.choices)}")
            seen.add(code)
            if self.type == "rules":
                try:
                    unknown = lang.names(lang.parse(item["when"])) - set(self.fields)
                except lang.RuleSyntaxError as error:
                    raise fail(f"has a condition for {code} outside the rule language: "
                               f"{error}") from None
                if unknown:
                    raise fail(f"has a condition for {code} reading unknown name(s) "
                               f"{sorted(unknown)} (known: {', '.join(self.fields)})")
            out.append(Entry(**{k: item.get(k, "") for k in RULE_KEYS}))
        return tuple(out)


@dataclass(frozen=True)
class Entry:
    """One named code of a ``labels`` or ``rules`` parameter (``when`` and the sentences are
    empty for labels)."""

    code: str
    name_zh: str
    name_en: str
    when: str = ""
    sentence_zh: str = ""
    sentence_en: str = ""

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def name(self, language: str) -> str:
        return self.name_zh if language.startswith("zh") else self.name_en


def plain(value: Any) -> Any:
    """A value as JSON and TOML hold it: lists for tuples, tables for entries."""
    if isinstance(value, Entry):
        return value.as_dict()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Record:
    """One value of a parameter in one region, in force over ``[start, stop)``."""

    parameter: str
    region: str               # "" for the nation, else a 2-, 4- or 6-digit division code
    start: dt.date
    value: Any
    source: str               # the basis: document number, date, text, or a tag like [I]
    stop: dt.date | None = None
    inferred: bool = False    # a value of ours where no source gives one
    change: str = ""          # the approved change that set it ("" for the baseline)
    approved_at: dt.datetime | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def in_force(self, on: dt.date) -> bool:
        return self.start <= on and (self.stop is None or on < self.stop)

    @property
    def level(self) -> str:
        return LEVEL_OF_CODE_LENGTH[len(self.region)]
