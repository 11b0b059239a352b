"""Mutation testing of the rules that are data (the category scheme of R2 and R6's conditions
are conditions in the rule language, which mutmut does not reach): every mutant of a
condition — a comparison moved across its boundary, ``and`` for ``or``, a ``not`` dropped, a
number moved by one — must change at least one expected outcome of the boundary cases below,
whose expectations come from domain.md R2 and R6 and their sources, not from the rules."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt

import pytest

from dixian.engine.eligibility import assess, assign
from dixian.engine.eligibility.categories import FACTS_UNKNOWN
from dixian.engine.eligibility.elimination import CONDITIONS, EXAMPLE
from dixian.engine.policy import resolve

POLICY = resolve("522326", dt.date(2026, 6, 1), with_changes=False)
LINE = 8700  # income.monitoring_line, Guizhou 2026 (carried forward from 2025 [VL S9c])

_SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
         ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}


def mutants(condition: str) -> list[str]:
    """Every single-point mutant of a condition."""
    tree = ast.parse(condition, mode="eval")
    nodes = list(ast.walk(tree))
    out = []
    for index, node in enumerate(nodes):
        def variant(change, index=index):
            copy = ast.parse(condition, mode="eval")
            target = list(ast.walk(copy))[index]
            change(target, copy)
            return ast.unparse(copy)

        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in _SWAP:
                    out.append(variant(lambda t, _c, k=k: t.ops.__setitem__(
                        k, _SWAP[type(t.ops[k])]())))
        elif isinstance(node, ast.BoolOp):
            out.append(variant(lambda t, _c: setattr(
                t, "op", ast.Or() if isinstance(t.op, ast.And) else ast.And())))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append(variant(lambda t, _c: setattr(t, "op", ast.UAdd())).replace("+", "", 1))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            for delta in (-1, 1):
                out.append(variant(lambda t, _c, d=delta: setattr(t, "value", t.value + d)))
    return sorted(set(out) - {condition})


def facts(per_capita, *, after=None, rigid=0, alleviated=False, risks=("ILLNESS",)):
    return dict(FACTS_UNKNOWN, per_capita=per_capita,
                per_capita_after_rigid=per_capita if after is None else after,
                household_net=None if per_capita is None else per_capita * 4,
                rigid_spending=rigid, members=4, months_recorded=12,
                poverty_alleviated=alleviated, risk_types=list(risks),
                whole_household_no_labour=False)


#: (facts, category) from domain.md R2 [V S2, S69, S88; VL S15]
R2_CASES = [
    (facts(LINE - 1, alleviated=True), "UNSTABLE"),
    (facts(LINE, alleviated=True), None),
    (facts(LINE - 1, alleviated=False), "MARGINAL"),
    (facts(LINE, alleviated=False), None),
    (facts(LINE + 1000, after=LINE - 1, rigid=1004), "SUDDEN"),
    (facts(LINE + 1000, after=LINE, rigid=1000), None),
    (facts(LINE + 10, after=LINE - 10, rigid=0, risks=("DISASTER",)), "SUDDEN"),
    (facts(LINE + 10, after=LINE - 10, rigid=0, risks=("EDUCATION",)), None),
    (facts(LINE, after=LINE - 0.25, rigid=1, risks=("EDUCATION",)), "SUDDEN"),  # any rigid
    (facts(LINE - 500, after=LINE - 900, rigid=1600, alleviated=True), "UNSTABLE"),
]


def _r2_outcomes(policy) -> list:
    return [assign(f, policy).category for f, _expected in R2_CASES]


def test_the_scheme_meets_the_sources():
    assert _r2_outcomes(POLICY) == [expected for _f, expected in R2_CASES]


class _Overlay(dict):
    pass


@pytest.mark.parametrize("index", range(len(POLICY["categories.scheme"])))
def test_every_mutant_of_a_category_condition_is_killed(index):
    scheme = POLICY["categories.scheme"]
    survivors = []
    for mutant in mutants(scheme[index].when):
        changed = list(scheme)
        changed[index] = dataclasses.replace(scheme[index], when=mutant)
        policy = _Overlay({name: POLICY[name] for name in POLICY})
        policy["categories.scheme"] = tuple(changed)
        if _r2_outcomes(policy) == [expected for _f, expected in R2_CASES]:
            survivors.append(mutant)
    assert survivors == []


#: (changes to a household meeting every condition, condition, holds) from domain.md R6
R6_CASES = [
    ({"months_monitored": 6}, "R6-MONTHS", True), ({"months_monitored": 5}, "R6-MONTHS", False),
    ({"implemented_measures": 1}, "R6-MEASURES", True),
    ({"implemented_measures": 0}, "R6-MEASURES", False),
    ({"stable_months": 6}, "R6-INCOME", True), ({"stable_months": 5}, "R6-INCOME", False),
    ({"per_capita_after_rigid": float(LINE)}, "R6-RIGID", True),
    ({"per_capita_after_rigid": LINE - 0.5}, "R6-RIGID", False),
    ({"guarantee_problems": []}, "R6-GUARANTEES", True),
    ({"guarantee_problems": ["unsafe_housing"]}, "R6-GUARANTEES", False),
    ({"whole_household_no_labour": False}, "R6-LABOUR", True),
    ({"whole_household_no_labour": True}, "R6-LABOUR", False),
    ({"new_risks": []}, "R6-NO-NEW-RISK", True),
    ({"new_risks": ["ILLNESS"]}, "R6-NO-NEW-RISK", False),
]


def _r6_outcomes(conditions) -> list[bool]:
    import dixian.engine.eligibility.elimination as elimination

    saved = elimination.CONDITIONS
    elimination.CONDITIONS = conditions
    try:
        return [{r.id: r.ok for r in assess({**EXAMPLE, **change}, POLICY)}[rule]
                for change, rule, _ok in R6_CASES]
    finally:
        elimination.CONDITIONS = saved


def test_r6_meets_the_sources():
    assert _r6_outcomes(CONDITIONS) == [ok for _c, _r, ok in R6_CASES]


@pytest.mark.parametrize("index", range(len(CONDITIONS)), ids=[c.id for c in CONDITIONS])
def test_every_mutant_of_an_r6_condition_is_killed(index):
    survivors = []
    for mutant in mutants(CONDITIONS[index].when):
        changed = list(CONDITIONS)
        changed[index] = dataclasses.replace(CONDITIONS[index], when=mutant)
        if _r6_outcomes(tuple(changed)) == [ok for _c, _r, ok in R6_CASES]:
            survivors.append(mutant)
    assert survivors == []


def test_the_mutator_makes_mutants():
    assert set(mutants("a < 1 and b")) == {"a <= 1 and b", "a < 1 or b", "a < 0 and b",
                                           "a < 2 and b"}
    assert "a < 2" in mutants("a < 1")
