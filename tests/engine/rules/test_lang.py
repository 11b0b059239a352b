"""One language, two targets: a condition evaluated on one record (Python) and compiled for a
table (Ibis on DuckDB) gives the same answer, unknowns included."""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dixian.engine.rules import lang
from dixian.engine.rules.spec import Rule

CONDITIONS = [
    "per_capita < P.income.monitoring_line",
    "poverty_alleviated and per_capita < P.line",
    "not poverty_alleviated and per_capita < P.line",
    "after < P.line and (rigid > 0 or overlaps(risks, P.sudden))",
    "per_capita is None or per_capita >= P.line",
    "12 <= age <= 17 and not poverty_alleviated",
    "(per_capita - after) * 2 > rigid",
    "per_capita / members < 100 if members > 0 else False",
    "coalesce(per_capita, 0) >= P.line or contains(risks, 'ILLNESS')",
    "count(risks) == 0",
    "age in (16, 60) or age not in (1, 2, 3)",
]
PARAMS = {"income.monitoring_line": 8700, "line": 8700, "sudden": ("ILLNESS", "DISASTER")}

records = st.fixed_dictionaries({
    "per_capita": st.one_of(st.none(), st.integers(0, 20000).map(float)),
    "after": st.one_of(st.none(), st.integers(-2000, 20000).map(float)),
    "rigid": st.one_of(st.none(), st.integers(0, 5000)),
    "members": st.one_of(st.none(), st.integers(0, 8)),
    "age": st.one_of(st.none(), st.integers(0, 90)),
    "poverty_alleviated": st.one_of(st.none(), st.booleans()),
    "risks": st.lists(st.sampled_from(["ILLNESS", "DISASTER", "EDUCATION", "OTHER"]),
                      max_size=3),
})

SCHEMA = ibis.schema({"per_capita": "float64", "after": "float64", "rigid": "int64",
                      "members": "int64", "age": "int64", "poverty_alleviated": "boolean",
                      "risks": "array<string>"})


def _table_answers(conditions: list[str], rows: list[dict]) -> list[list]:
    """Every condition's answers on the rows, in one query (a query per condition made the
    test five times slower, and it runs for every mutant of lang.py)."""
    table = ibis.memtable(pa.Table.from_pylist(rows, schema=SCHEMA.to_pyarrow()))
    out = table.mutate(**{
        f"answer{i}": lang.compile_expr(lang.parse(c), lambda n: table[n], PARAMS,
                                        lambda n: None)
        for i, c in enumerate(conditions)}).to_pyarrow()
    return [out.column(f"answer{i}").to_pylist() for i in range(len(conditions))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records, min_size=1, max_size=25))
def test_one_record_and_the_table_agree(rows):
    for condition, many in zip(CONDITIONS, _table_answers(CONDITIONS, rows), strict=True):
        tree = lang.parse(condition)
        one = [lang.evaluate(tree, row, PARAMS) for row in rows]
        for a, b, row in zip(one, many, rows, strict=True):
            if isinstance(a, float) or isinstance(b, float):
                assert a == pytest.approx(b), (condition, row)
            else:
                assert a == b, (condition, row, a, b)


def test_unknown_follows_sql():
    tree = lang.parse("a < 1 and b")
    assert lang.evaluate(tree, {"a": None, "b": False}, {}) is False
    assert lang.evaluate(tree, {"a": None, "b": True}, {}) is None
    assert lang.evaluate(lang.parse("a < 1 or b"), {"a": None, "b": True}, {}) is True
    assert lang.evaluate(lang.parse("a in (1, 2)"), {"a": None}, {}) is None
    assert lang.evaluate(lang.parse("a is None"), {"a": None}, {}) is True


def test_parameters_by_full_name_and_errors():
    tree = lang.parse("x < P.income.monitoring_line")
    assert lang.param_names(tree) == {"income.monitoring_line"}
    with pytest.raises(lang.RuleSyntaxError, match="unknown parameter P.income.monitoring_line"):
        lang.evaluate(tree, {"x": 1}, {})
    with pytest.raises(lang.RuleSyntaxError, match="unknown name: x"):
        lang.evaluate(tree, {}, {"income.monitoring_line": 1})
    with pytest.raises(lang.RuleSyntaxError):
        lang.parse("__import__('os').system('x')")
    with pytest.raises(lang.RuleSyntaxError):
        lang.parse("x.attr < 1")


def test_a_rule_fills_its_sentence_and_marks_unknowns():
    rule = Rule("T-1", 1, "a < P.line", "收入{a:.0f}元，线{P.line}元；{risks}",
                "income {a:.0f}, line {P.line}; {risks}", failed_zh="不低于", failed_en="not below")
    assert rule.sentence({"a": 12.4, "risks": ["A", "B"]}, {"line": 13}, "zh") == \
        "收入12元，线13元；A、B"
    assert rule.sentence({"a": None, "risks": []}, {"line": 13}, "en") == \
        "income —, line 13; —"
    assert rule.sentence({"a": 20, "risks": []}, {"line": 13}, "en", held=False) == "not below"
    assert rule.params == {"line"}
    changed = Rule("T-1", 1, "a <= P.line", rule.sentence_zh, rule.sentence_en)
    assert changed.fingerprint() != rule.fingerprint()


def _both(condition: str, name: str, values: list, dtype: str) -> list:
    """The one-record answers, after checking that the table gives the same ones."""
    tree = lang.parse(condition)
    one = [lang.evaluate(tree, {name: v}, {}) for v in values]
    table = ibis.memtable(pa.table({name: pa.array(values, type=getattr(pa, dtype)())}))
    expr = lang.compile_expr(tree, lambda n: table[n], {}, lambda n: None)
    assert table.mutate(answer=expr).to_pyarrow().column("answer").to_pylist() == one
    return one


def test_month_numbers_months_and_is_empty_when_malformed():
    """month(): "a 'YYYY-MM' month as a month number (empty if malformed); differences are
    months" (the function's documentation): months since year 0, January is month 0."""
    good = ["2024-01", "2023-12", "2024-12", "1000-01", "9999-12"]
    assert _both("month(m)", "m", good, "string") == [
        2024 * 12, 2023 * 12 + 11, 2024 * 12 + 11, 1000 * 12, 9999 * 12 + 11]
    assert lang.evaluate(lang.parse("month(a) - month(b)"), {"a": "2024-02", "b": "2023-11"},
                         {}) == 3
    malformed = ["2024-13", "2024-00", "0999-12", "2024-1", "2024-001", "202401",
                 "2024/01", "2024-1a", "abcd-01", "24-01-01", "", None]
    assert _both("month(m)", "m", malformed, "string") == [None] * len(malformed)
    assert lang.evaluate(lang.parse("month(m)"), {"m": 202401}, {}) is None  # not a text


def test_to_int_reads_a_number_and_is_empty_otherwise():
    """to_int(): "text to integer, empty if not a number"."""
    # (not "4.5": DuckDB's cast rounds it to 5, the one-record reading leaves it empty; a
    # disagreement reported in docs/mutation-testing.md, not settled here)
    values = ["42", "-3", "0", "007", " 8 ", "abc", "", "4 2", None]
    assert _both("to_int(s)", "s", values, "string") == [42, -3, 0, 7, 8, None, None, None,
                                                         None]
    assert lang.evaluate(lang.parse("to_int(s)"), {"s": 12}, {}) == 12


def test_division_and_remainder_by_zero_are_unknown():
    """Arithmetic follows SQL: by zero the value is unknown (empty), not an error."""
    record = {"a": 7, "b": 2, "z": 0}
    assert lang.evaluate(lang.parse("a / b"), record, {}) == 3.5
    assert lang.evaluate(lang.parse("a % b"), record, {}) == 1
    assert lang.evaluate(lang.parse("a / z"), record, {}) is None
    assert lang.evaluate(lang.parse("a % z"), record, {}) is None
    assert lang.evaluate(lang.parse("a % z == 1"), record, {}) is None
    assert lang.evaluate(lang.parse("-a"), record, {}) == -7
    assert lang.evaluate(lang.parse("b - a < -a + b + 1"), record, {}) is True
    assert lang.evaluate(lang.parse("-n"), {"n": None}, {}) is None


def test_in_a_tuple_parameter_on_one_record():
    """``x in P.name``: the parameter's values (a tuple parameter), as in a literal tuple."""
    params = {"sudden": ("ILLNESS", "DISASTER"), "area.codes": ["52", "53"]}
    tree = lang.parse("risk in P.sudden and province not in P.area.codes")
    assert lang.evaluate(tree, {"risk": "ILLNESS", "province": "44"}, params) is True
    assert lang.evaluate(tree, {"risk": "EDUCATION", "province": "44"}, params) is False
    assert lang.evaluate(tree, {"risk": "DISASTER", "province": "52"}, params) is False
    assert lang.evaluate(tree, {"risk": None, "province": "44"}, params) is None


def test_a_chain_after_in_or_is_goes_on_comparing_the_same_value():
    """In a chained comparison the value on the left of ``in`` / ``is`` is compared again
    with the next operand, on one record as in the table: ``x in (1, 2, 9) < 5`` is
    ``x in (1, 2, 9) and x < 5``."""
    values = [1, 9, 3, None]
    assert _both("x in (1, 2, 9) < 5", "x", values, "int64") == [True, False, False, None]
    assert _both("x is not None < 5", "x", values, "int64") == [True, False, True, False]


def test_tuple_elements_literal_lists_and_what_one_record_cannot_do():
    params = {"limits": (3, 10)}
    assert lang.evaluate(lang.parse("x < P.limits[1]"), {"x": 5}, params) is True
    assert lang.evaluate(lang.parse("x < P.limits[0]"), {"x": 5}, params) is False
    overlap = lang.parse("overlaps(risks, ('ILLNESS', 'FLOOD'))")
    assert lang.evaluate(overlap, {"risks": ["OTHER", "FLOOD"]}, {}) is True
    assert lang.evaluate(overlap, {"risks": ["OTHER"]}, {}) is False
    with pytest.raises(lang.RuleSyntaxError) as refused:
        lang.evaluate(lang.parse("is_code(x)"), {"x": "A"}, {})
    assert str(refused.value) == "is_code() is not available on one record"
