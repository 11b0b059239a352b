"""The catalogue as data: ids, families, versions, the rule language and its safety."""

from __future__ import annotations

import re

import pytest

from dixian.engine import quality as q
from dixian.engine.quality import derive
from dixian.engine.quality.engine import RuleError, compile_check
from dixian.engine.quality.spec import Rule
from dixian.engine.rules import lang


def test_at_least_sixty_rules_with_unique_stable_ids():
    ids = [r.id for r in q.RULES]
    assert len(ids) >= 60
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"DQ-[A-Z]{3}-\d{2}", i) for i in ids)
    # the id's family code matches the family
    code = {"completeness": "CMP", "identity": "IDN", "logic": "LOG", "relation": "REL",
            "plausibility": "RNG", "policy": "POL", "monitoring": "MON",
            "timeliness": "TIM", "village": "VIL"}
    assert all(r.id.split("-")[1] == code[r.family] for r in q.RULES)


def test_every_family_of_the_brief_is_covered():
    families = {r.family for r in q.RULES}
    assert families == set(q.FAMILIES)


def test_all_rules_compile_and_read_known_fields():
    compiled = q.compile_rules()
    assert len(compiled) >= len(q.RULES)
    for c in compiled:
        assert c.reads, c.rule.id
        for field in c.reads:
            table, name = field.split(".")
            assert table in ("households", "members", "incomes", "villages"), field
        assert c.context in ("row", "household", "registry")


def test_fuping_ids_cited_where_the_domain_gives_them():
    cited = {f for r in q.RULES for f in r.fuping}
    for rule_id in ("1_01_002", "1_12_002", "1_12_004", "4_01_003", "5_13_003", "5_15_021",
                    "2_12_014", "5_12_008", "4_12_002", "5_17_003", "5_17_004", "5_17_006",
                    "5_17_007", "5_12_018", "5_12_019", "4_01_008", "2_01_004", "2_02_001",
                    "1111_12", "5_15_0023", "1111_18", "1111_10", "5_15_018", "5_12_004",
                    "2_11_002", "5_18_009", "3_03_001", "3_03_002", "1_11_011"):
        assert rule_id in cited, rule_id


def test_duplicate_derived_column_names_are_refused():
    with pytest.raises(ValueError):
        derive._col("members", "age", "again")


def _rule(**kw):
    base = dict(id="DQ-TST-01", version=1, family="logic", severity="error", level="village",
                table="members", when="age < 16", field="labour_skill", title="t",
                message_zh="x", message_en="x")
    base.update(kw)
    return Rule(**base)


def test_a_rule_with_an_unknown_enum_code_is_refused():
    bad = _rule(when="labour_skill == 'nonee'")
    with pytest.raises(RuleError, match="nonee"):
        compile_check(bad.checks()[0])


def test_a_rule_with_an_unknown_column_or_parameter_is_refused():
    with pytest.raises(RuleError):
        compile_check(_rule(when="agee < 16").checks()[0])
    with pytest.raises(RuleError):
        compile_check(_rule(when="age < P.nope").checks()[0])
    with pytest.raises(RuleError):
        compile_check(_rule(message_en="{nope}").checks()[0])


def test_bad_spec_values_are_refused():
    with pytest.raises(ValueError):
        _rule(severity="fatal")
    with pytest.raises(ValueError):
        _rule(level="province")
    with pytest.raises(ValueError):
        _rule(version=0)


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')",
    "age.__class__",
    "[x for x in y]",
    "lambda: 1",
    "open('/etc/passwd')",
    "age ** 2",
    "labour_skill in other_column",
    "P",
    "age is 3",
])
def test_the_rule_language_refuses_anything_else(text):
    with pytest.raises(lang.RuleSyntaxError):
        lang.parse(text)


def test_the_rule_language_compiles_to_the_expected_semantics():
    import ibis
    import pyarrow as pa

    t = ibis.memtable(pa.table({"age": [10, 16, None], "s": ["a", "b", None],
                                "m": ["2025-01", "2025-13", None]}))
    params = {"lo": 12, "pair": (1, 2)}

    def ev(text):
        e = lang.compile_expr(lang.parse(text), lambda n: t[n], params, lambda n: None)
        return t.select(x=e).to_pyarrow()["x"].to_pylist()

    assert ev("age < 16") == [True, False, None]
    assert ev("P.lo <= age <= 16") == [False, True, None]
    assert ev("s in ('a', 'c')") == [True, False, None]
    assert ev("s is None") == [False, False, True]
    assert ev("month(m)") == [2025 * 12, None, None]
    assert ev("coalesce(age, 0) + P.pair[1]") == [12, 18, 2]
    assert ev("'old' if age >= 16 else 'young'") == ["young", "old", "young"]
