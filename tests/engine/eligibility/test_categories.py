"""R2 from the category scheme in force. Expectations come from domain.md R2 and its sources
([V S2, S69, S88]), not from the scheme's own table: a 脱贫户 below the line is 脱贫不稳定户, an
ordinary household below it 边缘易致贫户, a household above it whose income after rigid
spending falls below it after a sudden event 突发严重困难户."""

from __future__ import annotations

import datetime as dt

import pytest

from dixian.engine.eligibility import assign
from dixian.engine.eligibility.categories import FACTS_UNKNOWN
from dixian.engine.policy import PolicyError, Record, resolve
from dixian.engine.policy.catalogue import load, parse_record

ON = dt.date(2026, 6, 1)
COUNTY = "522326"
LINE = 8700  # Guizhou's line carried into 2026 (docs/policy.md, income.monitoring_line)


def facts(per_capita, *, after=None, rigid=0, alleviated=False, risks=("ILLNESS",),
          no_labour=False, members=4):
    after = per_capita if after is None else after
    return dict(FACTS_UNKNOWN, per_capita=per_capita, per_capita_after_rigid=after,
                household_net=None if per_capita is None else per_capita * members,
                rigid_spending=rigid, members=members, months_recorded=12,
                poverty_alleviated=alleviated, risk_types=list(risks),
                whole_household_no_labour=no_labour)


@pytest.fixture(scope="module")
def policy():
    p = resolve(COUNTY, ON, with_changes=False)
    assert p["income.monitoring_line"] == LINE
    return p


@pytest.mark.parametrize("alleviated,expected", [(True, "UNSTABLE"), (False, "MARGINAL")])
def test_below_the_line_by_household_type(policy, alleviated, expected):
    assert assign(facts(LINE - 1, alleviated=alleviated), policy).category == expected
    at_line = assign(facts(LINE, alleviated=alleviated), policy)
    assert at_line.category is None and at_line.rule == "R2-NONE"


def test_sudden_needs_the_income_after_rigid_spending_below_the_line(policy):
    hit = assign(facts(LINE + 2000, after=LINE - 1, rigid=8004), policy)
    assert (hit.category, hit.name_zh) == ("SUDDEN", "突发严重困难户")
    assert "扣除刚性支出" in hit.sentence_zh and str(LINE) in hit.sentence_zh
    assert assign(facts(LINE + 2000, after=LINE, rigid=8000), policy).category is None
    # no rigid spending recorded: a sudden event (illness, disaster, accident, income collapse)
    assert assign(facts(LINE + 10, after=LINE - 10, rigid=0, risks=["DISASTER"]),
                  policy).category == "SUDDEN"
    assert assign(facts(LINE + 10, after=LINE - 10, rigid=0, risks=["EDUCATION"]),
                  policy).category is None


def test_unknown_income_is_never_assigned(policy):
    a = assign(facts(None), policy)
    assert a.category is None and a.rule == "R2-UNKNOWN" and "不足以判断" in a.sentence_zh


def _scheme(entries):
    return parse_record({"from": ON, "value": entries, "source": "test"},
                        parameter="categories.scheme", region="52", where="test",
                        parameters=load().parameters)


SEVERITY = [
    {"code": "KEY", "name_zh": "防止返贫致贫对象（重点）", "name_en": "Priority",
     "when": "per_capita < P.income.monitoring_line and whole_household_no_labour",
     "sentence_zh": "重点{per_capita:.0f}", "sentence_en": "priority {per_capita:.0f}"},
    {"code": "INCOME", "name_zh": "防止返贫致贫对象（收入型）", "name_en": "Income",
     "when": "per_capita < P.income.monitoring_line",
     "sentence_zh": "收入型", "sentence_en": "income"},
]


def test_a_province_scheme_replaces_the_three_categories():
    record = _scheme(SEVERITY)
    p = resolve(COUNTY, ON, overlay=[record], with_changes=False)
    assert assign(facts(LINE - 1, no_labour=True), p).category == "KEY"
    assert assign(facts(LINE - 1, alleviated=True), p).category == "INCOME"
    assert assign(facts(LINE + 100, after=LINE - 100, rigid=800), p).category is None
    before = resolve(COUNTY, ON - dt.timedelta(days=1), overlay=[record], with_changes=False)
    assert assign(facts(LINE - 1, alleviated=True), before).category == "UNSTABLE"


@pytest.mark.parametrize("entry,message", [
    ({"when": "income < 1"}, "unknown name"),
    ({"when": "per_capita < P.income.no_such_line"}, "unknown parameter"),
    ({"when": "open('x')"}, "outside the rule language"),
    ({"code": "lower-case!"}, "has code"),
    ({"name_zh": ""}, "missing"),
    ({"colour": "red"}, "unknown"),
])
def test_a_bad_scheme_is_refused_naming_the_parameter(entry, message):
    with pytest.raises(PolicyError, match=message) as error:
        _scheme([{**SEVERITY[1], **entry}])
    assert "categories.scheme" in str(error.value)


def test_codes_are_unique():
    with pytest.raises(PolicyError, match="twice"):
        _scheme([SEVERITY[1], SEVERITY[1]])


def test_the_scheme_survives_export_and_import_as_toml():
    import tomllib

    import tomli_w

    from dixian.engine.policy.model import plain

    record = _scheme(SEVERITY)
    text = tomli_w.dumps({"value": [{"parameter": "categories.scheme", "from": ON,
                                     "value": plain(record.value), "source": "x"}]})
    again = _scheme(tomllib.loads(text)["value"][0]["value"])
    assert again.value == record.value
    assert isinstance(Record, type)


def test_the_table_version_agrees_with_the_one_household_version(policy):
    """The preview and statistics assign categories over tables; a household's decision one
    at a time. Both read the same scheme and must agree, unknowns included."""
    import ibis
    import pyarrow as pa

    rows = [facts(pc, after=after, rigid=rigid, alleviated=al, risks=risks, no_labour=nl)
            for pc in (None, LINE - 1, LINE, LINE + 500)
            for after, rigid in ((None, 0), (LINE - 1, 800), (LINE + 1, 0), (LINE - 1, None))
            for al in (True, False) for risks in ((), ("DISASTER",)) for nl in (True, False)]
    for row in rows:
        if row["per_capita"] is not None and row["per_capita_after_rigid"] is None:
            row["per_capita_after_rigid"] = row["per_capita"]
    table = ibis.memtable(pa.Table.from_pylist(rows, schema=pa.schema([
        ("per_capita", pa.float64()), ("per_capita_after_rigid", pa.float64()),
        ("household_net", pa.float64()), ("rigid_spending", pa.float64()),
        ("members", pa.int64()), ("months_recorded", pa.int64()),
        ("poverty_alleviated", pa.bool_()), ("risk_types", pa.list_(pa.string())),
        ("whole_household_no_labour", pa.bool_())])))
    from dixian.engine.eligibility.categories import assign_table

    got = table.mutate(category=assign_table(table, policy)).to_pyarrow()
    assert got.column("category").to_pylist() == [assign(r, policy).category for r in rows]
    assert set(got.column("category").to_pylist()) == {None, "UNSTABLE", "MARGINAL", "SUDDEN"}


def test_a_decision_keeps_the_whole_record_of_its_rule(policy):
    """What a case keeps from R2 (its category, names, the rule and its fingerprint, and the
    sentence in both languages), for each outcome; a different rule gives a different
    fingerprint."""
    from dixian.engine.eligibility.categories import NONE, UNKNOWN
    from dixian.engine.rules.spec import Rule

    marginal = assign(facts(8000.0), policy)
    entry = next(e for e in policy["categories.scheme"] if e.code == "MARGINAL")
    expected = Rule("R2-MARGINAL", 1, entry.when, entry.sentence_zh, entry.sentence_en,
                    source="categories.scheme")
    assert (marginal.category, marginal.name_zh, marginal.name_en, marginal.rule) == (
        "MARGINAL", "边缘易致贫户", "Household at the margin of poverty", "R2-MARGINAL")
    assert marginal.rule_fingerprint == expected.fingerprint()
    assert marginal.sentence_en == (f"Per-capita net income 8000 yuan is below the monitoring "
                                    f"line {LINE} yuan (an ordinary household)")
    assert marginal.sentence("en") == marginal.sentence_en
    assert marginal.sentence("zh-hans") == marginal.sentence_zh
    assert marginal.names() == {"zh": "边缘易致贫户", "en": "Household at the margin of poverty"}

    above = assign(facts(LINE + 100.0), policy)
    assert (above.category, above.name_zh, above.name_en, above.names()) == (None, "", "", {})
    assert (above.rule, above.rule_fingerprint) == ("R2-NONE", NONE.fingerprint())
    assert above.sentence_en.startswith(f"Per-capita net income {LINE + 100} yuan")
    assert "均不低于" in above.sentence_zh
    unknown = assign(facts(None), policy)
    assert (unknown.rule, unknown.rule_fingerprint) == ("R2-UNKNOWN", UNKNOWN.fingerprint())
    assert unknown.sentence_en.startswith("The income is recorded for 12 of the 12 months")
    assert len({marginal.rule_fingerprint, above.rule_fingerprint,
                unknown.rule_fingerprint}) == 3


def test_missing_facts_are_named(policy):
    incomplete = facts(8000.0)
    del incomplete["risk_types"], incomplete["members"]
    with pytest.raises(KeyError, match=r"R2 needs the facts \['members', 'risk_types'\]"):
        assign(incomplete, policy)


def test_the_rules_of_the_scheme_are_named_by_their_codes(policy):
    from dixian.engine.eligibility import category_rules

    rules = category_rules(policy)
    assert [r.id for _e, r in rules] == ["R2-UNSTABLE", "R2-MARGINAL", "R2-SUDDEN"]
    assert {(r.version, r.source) for _e, r in rules} == {(1, "categories.scheme")}
    assert [e.code for e, _r in rules] == ["UNSTABLE", "MARGINAL", "SUDDEN"]


def test_known_categories_span_every_scheme():
    from dixian.engine.eligibility.categories import known_categories

    known = known_categories()
    assert known["SUDDEN"] == {"zh": "突发严重困难户",
                               "en": "Household in sudden severe difficulty"}
    assert set(known) >= {"UNSTABLE", "MARGINAL", "SUDDEN"}


def test_the_scheme_declares_the_facts_r2_gathers():
    from dixian.engine.eligibility.categories import FACT_TYPES, FACTS
    from dixian.engine.policy import parameters

    assert parameters()["categories.scheme"].fields == FACTS
    assert set(FACT_TYPES) == set(FACTS)


def test_the_latest_definition_of_a_code_names_it(monkeypatch):
    """A code defined by several schemes (any region, any date) is named as its latest
    definition names it, whatever order the records come in."""
    from dixian.engine.eligibility.categories import known_categories
    from dixian.engine.policy import resolution

    def scheme(start, name):
        return parse_record({"from": start, "value": [{**SEVERITY[1], "name_zh": name}],
                             "source": "test"}, parameter="categories.scheme", region="52",
                            where="test", parameters=load().parameters)

    later, earlier = scheme(dt.date(2027, 1, 1), "新名称"), scheme(dt.date(2022, 1, 1), "旧名称")
    monkeypatch.setattr(resolution, "_change_source", lambda: (later, earlier))
    assert known_categories()["INCOME"]["zh"] == "新名称"
    monkeypatch.setattr(resolution, "_change_source", lambda: (earlier, later))
    assert known_categories()["INCOME"]["zh"] == "新名称"
    assert known_categories()["MARGINAL"]["zh"] == "边缘易致贫户"


def test_a_sentence_is_in_chinese_or_english_only():
    from dixian.engine.eligibility import category_rules

    _entry, rule = category_rules(resolve(COUNTY, ON, with_changes=False))[0]
    with pytest.raises(ValueError, match="no sentence in 'fr'"):
        rule.sentence(facts(8000.0), {}, "fr")


def test_a_table_lacking_facts_treats_them_as_unknown():
    """The preview knows only R1 and the household type: a condition on a missing fact does
    not hold, the next category is tried."""
    import ibis
    import pyarrow as pa

    from dixian.engine.eligibility.categories import assign_table

    p = resolve(COUNTY, ON, overlay=[_scheme(SEVERITY)], with_changes=False)
    t = ibis.memtable(pa.table({"per_capita": [LINE - 1.0, LINE + 1.0, None],
                                "poverty_alleviated": [True, False, True]}))
    got = t.mutate(category=assign_table(t, p)).to_pyarrow()["category"].to_pylist()
    assert got == ["INCOME", None, None]
