"""R2: the category a household is identified under, from the province's category scheme.

The scheme is the policy parameter ``categories.scheme``: an ordered list of categories, each
with a condition in the rule language over the household's facts (:data:`FACTS`); the first
whose condition holds is assigned. A province that replaces the transition period's three
categories (2021–2025: 脱贫不稳定户, 边缘易致贫户, 突发严重困难户) by its own sub-types changes
that parameter; cases keep the code, the names and the rule they were decided under.

>>> import datetime as dt
>>> from dixian.engine.policy import resolve
>>> policy = resolve("522326", dt.date(2026, 6, 1))
>>> facts = dict(FACTS_UNKNOWN, per_capita=8000.0, per_capita_after_rigid=8000.0,
...              household_net=32000, rigid_spending=0, members=4, months_recorded=12,
...              poverty_alleviated=False, risk_types=["ILLNESS"],
...              whole_household_no_labour=False)
>>> a = assign(facts, policy)
>>> a.category, a.name_zh, a.rule
('MARGINAL', '边缘易致贫户', 'R2-MARGINAL')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dixian.engine.policy.model import Entry
from dixian.engine.rules.spec import Rule

SCHEME = "categories.scheme"

#: every fact a category condition may read (the parameter declares the same list)
FACTS = ("per_capita", "per_capita_after_rigid", "household_net", "rigid_spending", "members",
         "months_recorded", "poverty_alleviated", "risk_types", "whole_household_no_labour")
FACTS_UNKNOWN = dict.fromkeys(FACTS)
#: the facts' enumerations, for ``is_code``: none is enumerated
NO_ENUMERATION: dict[str, list[str]] = {}
#: their types, for a table that lacks some of them (unknown, typed)
FACT_TYPES = {"per_capita": "float64", "per_capita_after_rigid": "float64",
              "household_net": "float64", "rigid_spending": "float64", "members": "int64",
              "months_recorded": "int64", "poverty_alleviated": "boolean",
              "risk_types": "array<string>", "whole_household_no_labour": "boolean"}

#: the sentence when no category applies, and when the income cannot be judged
NONE = Rule(
    "R2-NONE", 1, "True",
    "家庭人均纯收入 {per_capita:.0f} 元，扣除刚性支出后 {per_capita_after_rigid:.0f} 元，均不低于"
    "监测范围 {P.income.monitoring_line} 元",
    "Per-capita net income {per_capita:.0f} yuan, and {per_capita_after_rigid:.0f} yuan after "
    "rigid spending, are not below the monitoring line {P.income.monitoring_line} yuan",
    source="domain.md R2")
UNKNOWN = Rule(
    "R2-UNKNOWN", 1, "household_net is None",
    "本月之前12个月中仅有{months_recorded}个月记录了收入，不足以判断：请在入户核查时录入核实的年收入",
    "The income is recorded for {months_recorded} of the 12 months before this month, too few "
    "to judge: record the verified annual income at the visit",
    source="domain.md §1.2 (R1: the window and its minimum months)")


@dataclass(frozen=True)
class Assignment:
    category: str | None       # the code in force, or None: not eligible (or not judged)
    name_zh: str
    name_en: str
    rule: str                  # R2-<code>, R2-NONE or R2-UNKNOWN
    rule_fingerprint: str
    sentence_zh: str
    sentence_en: str

    def sentence(self, language: str) -> str:
        return self.sentence_zh if language.startswith("zh") else self.sentence_en

    def names(self) -> dict[str, str]:
        return {"zh": self.name_zh, "en": self.name_en} if self.category else {}


def category_rules(policy: Mapping[str, Any]) -> list[tuple[Entry, Rule]]:
    """The scheme in force, each category with its rule."""
    return [(e, Rule(f"R2-{e.code}", 1, e.when, e.sentence_zh, e.sentence_en,
                     source=SCHEME)) for e in policy[SCHEME]]


def assign(facts: Mapping[str, Any], policy: Mapping[str, Any]) -> Assignment:
    """The first category whose condition holds on ``facts`` (unknown facts never assign)."""
    missing = set(FACTS) - set(facts)
    if missing:
        raise KeyError(f"R2 needs the facts {sorted(missing)}")
    if facts["household_net"] is None:
        return _none(UNKNOWN, facts, policy)
    for entry, rule in category_rules(policy):
        if rule.holds(facts, policy) is True:
            return Assignment(entry.code, entry.name_zh, entry.name_en, rule.id,
                              rule.fingerprint(), rule.sentence(facts, policy, "zh"),
                              rule.sentence(facts, policy, "en"))
    return _none(NONE, facts, policy)


def _none(rule: Rule, facts, policy) -> Assignment:
    return Assignment(None, "", "", rule.id, rule.fingerprint(),
                      rule.sentence(facts, policy, "zh"), rule.sentence(facts, policy, "en"))


def known_categories() -> dict[str, dict[str, str]]:
    """Every category code any scheme defines (the baseline's and approved changes', any
    region), with the names of its latest definition: what a category code found in the
    data can be, and what it is called when no decision kept its names."""
    from dixian.engine.policy import approved_changes, load

    records = [r for r in (*load().records, *approved_changes()) if r.parameter == SCHEME]
    out: dict[str, dict[str, str]] = {}
    for record in sorted(records, key=lambda r: r.start):
        for entry in record.value:
            out[entry.code] = {"zh": entry.name_zh, "en": entry.name_en}
    return out


def assign_table(table, policy: Mapping[str, Any]):
    """R2 over a table (Ibis): the code of the first category whose condition holds on each
    row, else null. The same conditions as :func:`assign`, compiled by the rule language;
    facts the table lacks are unknown (null), so conditions that need them do not hold.
    ``per_capita`` null (income not judged) assigns nothing, as :func:`assign` does."""
    import ibis

    from dixian.engine.rules import lang

    def column(name: str):
        return table[name] if name in table.columns else ibis.null(FACT_TYPES[name])

    judged = table["per_capita"].notnull()
    cases = []
    for entry, rule in category_rules(policy):
        condition = lang.compile_expr(rule.tree, column, policy, NO_ENUMERATION.get)
        cases.append((judged & condition.fill_null(False), ibis.literal(entry.code)))
    return ibis.cases(*cases)
