"""R6's conditions at their limits (domain.md R6: at least 6 months monitored [VL S5, S6],
income stable for at least half a year, the three guarantees, no new risk), and a province
switching one off through its policy."""

from __future__ import annotations

import datetime as dt

import pytest

from dixian.engine.eligibility import assess
from dixian.engine.eligibility.elimination import CONDITIONS, EXAMPLE, FACTS
from dixian.engine.policy import resolve
from dixian.engine.policy.catalogue import load, parse_record

ON = dt.date(2026, 6, 1)
COUNTY = "522326"


@pytest.fixture(scope="module")
def policy():
    return resolve(COUNTY, ON, with_changes=False)


def results(policy, **changes):
    return {r.id: r for r in assess({**EXAMPLE, **changes}, policy)}


def test_the_example_meets_every_condition(policy):
    found = results(policy)
    assert set(found) == {r.id for r in CONDITIONS} and all(r.ok for r in found.values())
    assert set(EXAMPLE) == set(FACTS)


@pytest.mark.parametrize("fact,limit,condition", [
    ("months_monitored", 6, "R6-MONTHS"),          # 原则上不少于6个月 (domain.md R6)
    ("stable_months", 6, "R6-INCOME"),             # 收入持续稳定原则上不得低于半年
    ("implemented_measures", 1, "R6-MEASURES"),    # 落实帮扶措施 (R4)
])
def test_counts_pass_at_the_limit_and_fail_one_below(policy, fact, limit, condition):
    assert results(policy, **{fact: limit})[condition].ok
    refused = results(policy, **{fact: limit - 1})[condition]
    assert not refused.ok


def test_income_after_rigid_spending_at_the_line(policy):
    line = policy["income.monitoring_line"]
    assert results(policy, per_capita_after_rigid=float(line))["R6-RIGID"].ok
    assert not results(policy, per_capita_after_rigid=line - 0.01)["R6-RIGID"].ok
    unknown = results(policy, per_capita_after_rigid=None)["R6-RIGID"]
    assert not unknown.ok and "—" in unknown.sentence_zh


def test_guarantees_labour_and_new_risks(policy):
    housing = results(policy, guarantee_problems=["unsafe_housing"],
                      guarantee_problems_zh=["住房不安全"],
                      guarantee_problems_en=["unsafe housing"])["R6-GUARANTEES"]
    assert not housing.ok and housing.sentence_zh == "未保障：住房不安全"
    assert housing.sentence_en == "Not assured: unsafe housing"
    assert not results(policy, whole_household_no_labour=True)["R6-LABOUR"].ok
    new = results(policy, new_risks=["ILLNESS"])["R6-NO-NEW-RISK"]
    assert not new.ok and "ILLNESS" in new.sentence_zh


def test_a_province_switches_a_condition_off():
    keep = [r.id for r in CONDITIONS if r.id != "R6-MEASURES"]
    record = parse_record({"from": ON, "value": keep, "source": "test"},
                          parameter="procedure.elimination_conditions", region="52",
                          where="test", parameters=load().parameters)
    p = resolve(COUNTY, ON, overlay=[record], with_changes=False)
    found = results(p, implemented_measures=0)
    assert list(found) == keep and all(r.ok for r in found.values())


def test_a_changed_parameter_moves_the_limit():
    record = parse_record({"from": ON, "value": 9, "source": "test"},
                          parameter="procedure.elimination_min_months", region="52",
                          where="test", parameters=load().parameters)
    p = resolve(COUNTY, ON, overlay=[record], with_changes=False)
    assert not results(p, months_monitored=8)["R6-MONTHS"].ok
    assert "至少需 9 个月" in results(p, months_monitored=8)["R6-MONTHS"].sentence_zh


def test_each_result_keeps_its_rule_and_both_sentences(policy):
    from dixian.engine.eligibility.elimination import BY_ID

    found = results(policy, months_monitored=5)
    for rule_id, result in found.items():
        assert result.fingerprint == BY_ID[rule_id].fingerprint()
    months, rigid = found["R6-MONTHS"], found["R6-RIGID"]
    assert months.sentence_en == "Monitored for 5 months since 2026-01 (at least 6 needed)"
    assert months.sentence_zh == "自 2026-01 起已监测 5 个月（至少需 6 个月）"
    assert months.sentence("en") == months.sentence_en
    assert rigid.ok and rigid.sentence_en == "Income after rigid spending 9300 yuan per person " \
        "(line 8700)"
    labour = results(policy, whole_household_no_labour=True)["R6-LABOUR"]
    assert labour.sentence_en.startswith("No one in the household is able to work")
    assert labour.sentence_zh.startswith("整户无劳动能力")
    assert found["R6-LABOUR"].sentence_en == "Someone in the household can work"
    assert found["R6-LABOUR"].sentence_zh == "家中有劳动能力成员"


def test_missing_facts_are_named(policy):
    facts = {k: v for k, v in EXAMPLE.items() if k not in ("new_risks", "stable_months")}
    with pytest.raises(KeyError, match=r"R6 needs the facts \['new_risks', 'stable_months'\]"):
        assess(facts, policy)
