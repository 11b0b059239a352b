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
TYPES = ("int", "number", "share", "bool", "text", "int_list", "number_list", "text_list")

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
