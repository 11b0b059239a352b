"""R6: the conditions of a risk elimination, each a rule with an id, a version, a condition
in the rule language, the parameters it reads and its sentences (domain.md R6).

The platform gathers a household's facts (:data:`FACTS`); every condition that the province
applies (``procedure.elimination_conditions``) must hold. A condition whose fact is unknown
does not hold: an elimination is never granted on missing data.

>>> import datetime as dt
>>> from dixian.engine.policy import resolve
>>> policy = resolve("522326", dt.date(2026, 6, 1))
>>> r = {c.id: c for c in assess(dict(EXAMPLE, months_monitored=5), policy)}
>>> r["R6-MONTHS"].ok, r["R6-MONTHS"].sentence_en
(False, 'Monitored for 5 months since 2026-01 (at least 6 needed)')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dixian.engine.rules.spec import Rule

APPLIES = "procedure.elimination_conditions"

FACTS = ("months_monitored", "since_month", "implemented_measures", "stable_months",
         "months_below", "per_capita", "per_capita_after_rigid",
         "rigid_spending", "guarantee_problems", "guarantee_problems_zh",
         "guarantee_problems_en", "whole_household_no_labour", "new_risks")

CONDITIONS: tuple[Rule, ...] = (
    Rule("R6-MONTHS", 1, "months_monitored >= P.procedure.elimination_min_months",
         "自 {since_month} 起已监测 {months_monitored} 个月"
         "（至少需 {P.procedure.elimination_min_months} 个月）",
         "Monitored for {months_monitored} months since {since_month} (at least "
         "{P.procedure.elimination_min_months} needed)",
         source="domain.md R6 [VL S5, S6]"),
    Rule("R6-MEASURES", 1, "implemented_measures >= P.procedure.elimination_min_measures",
         "针对风险已实施 {implemented_measures} 项帮扶措施"
         "（至少需 {P.procedure.elimination_min_measures} 项）",
         "{implemented_measures} implemented measure(s) against the household's risks (at "
         "least {P.procedure.elimination_min_measures} needed)",
         source="domain.md R4, R6 [V S2]"),
    Rule("R6-INCOME", 1, "stable_months >= P.income.stable_months",
         "近 {P.income.stable_months} 个月每月测算的12个月人均纯收入均不低于监测范围（当前 "
         "{per_capita:.0f} 元，监测范围 {P.income.monitoring_line} 元）",
         "12-month per-capita income at or above the line in each of the last "
         "{P.income.stable_months} months (now {per_capita:.0f} yuan against "
         "{P.income.monitoring_line})",
         source="domain.md R6 收入持续稳定 [VL S5, S6]",
         failed_zh="12个月人均纯收入未稳定达到监测范围：以下月份低于监测范围或记录不足以判断："
                   "{months_below}",
         failed_en="12-month per-capita income not stably at or above the line: below, or too "
                   "few months recorded to judge, in {months_below}"),
    Rule("R6-RIGID", 1, "per_capita_after_rigid >= P.income.monitoring_line",
         "扣除刚性支出后人均 {per_capita_after_rigid:.0f} 元"
         "（监测范围 {P.income.monitoring_line} 元）",
         "Income after rigid spending {per_capita_after_rigid:.0f} yuan per person (line "
         "{P.income.monitoring_line})",
         source="domain.md R6 [VL S15]"),
    Rule("R6-GUARANTEES", 1, "count(guarantee_problems) == 0",
         "义务教育、基本医疗、住房安全和饮水安全有保障",
         "Schooling, medical care, housing and water assured",
         source="domain.md §1.3, R6 两不愁三保障 [V S2]",
         failed_zh="未保障：{guarantee_problems_zh}",
         failed_en="Not assured: {guarantee_problems_en}"),
    Rule("R6-LABOUR", 1, "not whole_household_no_labour",
         "家中有劳动能力成员",
         "Someone in the household can work",
         source="domain.md R6: 无劳动能力的监测户纳入兜底保障，继续监测 [V S2]",
         failed_zh="整户无劳动能力：兜底保障后继续监测，不标注风险消除",
         failed_en="No one in the household is able to work: it stays monitored under the "
                   "social safety net"),
    Rule("R6-NO-NEW-RISK", 1, "count(new_risks) == 0",
         "近 {P.income.stable_months} 个月未出现新风险",
         "No new risk in the last {P.income.stable_months} months",
         source="domain.md R6 [VL S5]",
         failed_zh="近 {P.income.stable_months} 个月出现新风险：{new_risks}",
         failed_en="New risk(s) in the last {P.income.stable_months} months: {new_risks}"),
)
BY_ID = {r.id: r for r in CONDITIONS}

#: a household that meets every condition (for examples and tests)
EXAMPLE = {"months_monitored": 8, "since_month": "2026-01", "implemented_measures": 2,
           "stable_months": 6, "months_below": [],
           "per_capita": 9500.0, "per_capita_after_rigid": 9300.0, "rigid_spending": 800,
           "guarantee_problems": [], "guarantee_problems_zh": [], "guarantee_problems_en": [],
           "whole_household_no_labour": False, "new_risks": []}


@dataclass(frozen=True)
class Result:
    id: str
    ok: bool
    sentence_zh: str
    sentence_en: str
    fingerprint: str

    def sentence(self, language: str) -> str:
        return self.sentence_zh if language.startswith("zh") else self.sentence_en


def assess(facts: Mapping[str, Any], policy: Mapping[str, Any]) -> list[Result]:
    """Every condition the province applies, in order, with what was found."""
    missing = set(FACTS) - set(facts)
    if missing:
        raise KeyError(f"R6 needs the facts {sorted(missing)}")
    out = []
    for rule in CONDITIONS:
        if rule.id not in policy[APPLIES]:
            continue
        ok = rule.holds(facts, policy) is True
        out.append(Result(rule.id, ok, rule.sentence(facts, policy, "zh", held=ok),
                          rule.sentence(facts, policy, "en", held=ok), rule.fingerprint()))
    return out
