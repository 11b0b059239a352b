"""Rule R4 on hand-built plans: the risk → measure table (domain.md §3.3), the deadline
(§11.1 measure_deadline_days_after_identification = 30), the labour rules (§3.2, R4) and the
R6 coverage helper (§4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dixian.engine.assistance import catalogue, params
from dixian.engine.assistance.rules import (
    RULES,
    assess_plan,
    check_plan,
    continuing_after_elimination,
    eligible_for_elimination_measures,
    rules_for,
    whole_household_no_labour,
)

from ._build import AFTER_DUE, BEFORE_DUE, DUE, IDENT, hh, ids, measure, member

# the §3.3 table as the brief and domain.md state it: rule id, risk, categories that satisfy it
RISK_RULES = [
    ("R4-ILL", "ILLNESS", ("HEALTH", "SOCIAL_ASSISTANCE")),
    ("R4-EDU", "EDUCATION", ("COMPULSORY_EDUCATION", "EDUCATION", "SOCIAL_ASSISTANCE")),
    ("R4-DIS", "DISABILITY", ("SOCIAL_SECURITY", "SOCIAL_ASSISTANCE")),
    ("R4-HOU", "HOUSING_SAFETY", ("HOUSING_SAFETY", "RELOCATION")),
    ("R4-WAT", "DRINKING_WATER", ("DRINKING_WATER",)),
    ("R4-DRP", "DROPOUT", ("COMPULSORY_EDUCATION",)),
    ("R4-INS", "UNINSURED", ("HEALTH", "SOCIAL_ASSISTANCE")),
    ("R4-EMP", "UNSTABLE_EMPLOYMENT", ("EMPLOYMENT", "PUBLIC_WELFARE_POST")),
    ("R4-LAB", "LACK_OF_LABOUR", ("SOCIAL_SECURITY", "PUBLIC_WELFARE_POST")),
    ("R4-DST", "DISASTER", ("SOCIAL_ASSISTANCE", "HOUSING_SAFETY")),
    ("R4-ACC", "ACCIDENT", ("SOCIAL_ASSISTANCE", "HEALTH")),
    ("R4-IND", "INDUSTRY_FAILURE", ("INDUSTRY", "FINANCE")),
]
RULE_CATEGORY = [(rid, risk, cat) for rid, risk, cats in RISK_RULES for cat in cats]
ALL_CATEGORIES = [c.code for c in catalogue.CATEGORIES]


def plan(risk, measures=(), *, today=AFTER_DUE, members=None, **kw):
    return check_plan(hh(risk, **kw), members if members is not None else [member()],
                      list(measures), today=today, include_checks=False)


def test_the_table_of_the_code_is_the_table_of_the_spec():
    code = {(r.id, r.risk_type, r.categories) for r in RULES
            if r.kind == "measure" and r.risk_type}
    assert code == set(RISK_RULES)


@pytest.mark.parametrize("rule_id,risk,cats", RISK_RULES, ids=[r[0] for r in RISK_RULES])
def test_a_risk_without_a_measure_is_missing_after_the_deadline(rule_id, risk, cats):
    found = [v for v in plan(risk) if v.rule_id == rule_id]
    assert [(v.finding, v.severity, v.risk_type, v.due_on) for v in found] == [
        ("missing", "error", risk, DUE)]
    assert found[0].department in catalogue.DEPARTMENTS
    assert DUE.isoformat() in found[0].sentence_zh and DUE.isoformat() in found[0].sentence_en


@pytest.mark.parametrize("rule_id,risk,cats", RISK_RULES, ids=[r[0] for r in RISK_RULES])
def test_before_the_deadline_an_empty_plan_is_only_pending(rule_id, risk, cats):
    found = [v for v in plan(risk, today=BEFORE_DUE) if v.rule_id == rule_id]
    assert [(v.finding, v.severity) for v in found] == [("pending", "warning")]


@pytest.mark.parametrize("rule_id,risk,cat", RULE_CATEGORY,
                         ids=[f"{r}-{c}" for r, _, c in RULE_CATEGORY])
def test_a_measure_of_each_listed_category_satisfies_the_rule(rule_id, risk, cat):
    assert ids(plan(risk), rule_id) == [(rule_id, "missing")]
    assert ids(plan(risk, [measure(cat)]), rule_id) == []
    # in place on the deadline itself is on time
    assert ids(plan(risk, [measure(cat, on=DUE)]), rule_id) == []


@pytest.mark.parametrize("rule_id,risk,cats", RISK_RULES, ids=[r[0] for r in RISK_RULES])
def test_a_measure_after_the_deadline_is_late(rule_id, risk, cats):
    late = measure(cats[0], on=DUE + timedelta(days=1))
    found = [v for v in plan(risk, [late]) if v.rule_id == rule_id]
    assert [(v.finding, v.severity) for v in found] == [("late", "warning")]
    assert (DUE + timedelta(days=1)).isoformat() in found[0].sentence_zh


@pytest.mark.parametrize("rule_id,risk,cats", RISK_RULES, ids=[r[0] for r in RISK_RULES])
def test_a_measure_of_another_category_does_not_satisfy(rule_id, risk, cats):
    for other in ALL_CATEGORIES:
        if other not in cats:
            assert ids(plan(risk, [measure(other)]), rule_id) == [(rule_id, "missing")], other


def test_a_planned_measure_is_not_in_place():
    planned = measure("HEALTH", status="planned")
    assert ids(plan("ILLNESS", [planned], today=BEFORE_DUE), "R4-ILL") == []
    assert ids(plan("ILLNESS", [planned]), "R4-ILL") == [("R4-ILL", "missing")]
    started = measure("HEALTH", status="in_progress")
    assert ids(plan("ILLNESS", [started]), "R4-ILL") == []


def test_a_measure_ended_before_identification_does_not_count():
    old = measure("HEALTH", on=date(2024, 1, 1), status="ended", ended_on=date(2024, 6, 1))
    assert ids(plan("ILLNESS", [old]), "R4-ILL") == [("R4-ILL", "missing")]
    before_but_running = measure("HEALTH", on=date(2024, 1, 1))
    assert ids(plan("ILLNESS", [before_but_running]), "R4-ILL") == []


def test_disaster_fast_track_counts_relief_given_just_before_identification():
    relief = measure("SOCIAL_ASSISTANCE", "DISASTER_RELIEF", on=IDENT - timedelta(days=10),
                     status="ended", ended_on=IDENT - timedelta(days=10))
    assert ids(plan("DISASTER", [relief]), "R4-DST") == []
    too_old = measure("SOCIAL_ASSISTANCE", "DISASTER_RELIEF", on=IDENT - timedelta(days=31),
                      status="ended", ended_on=IDENT - timedelta(days=31))
    assert ids(plan("DISASTER", [too_old]), "R4-DST") == [("R4-DST", "missing")]
    running = measure("SOCIAL_ASSISTANCE", "TEMPORARY_ASSISTANCE", on=date(2023, 1, 1))
    assert ids(plan("DISASTER", [running]), "R4-DST") == []


def test_the_deadline_is_a_parameter():
    p = params.resolve(None, 2025, {"measure_deadline_days_after_identification": 15})
    v = check_plan(hh("ILLNESS"), [member(health="chronic")], [], today=date(2025, 3, 17),
                   params=p, include_checks=False)
    assert ids(v, "R4-ILL") == [("R4-ILL", "missing")] and v[0].due_on == date(2025, 3, 16)


def test_the_missing_sentence():
    v = plan("ILLNESS")[0]
    assert v.sentence_zh == ("“因病”风险：识别后30天内（2025-03-31前）应落实"
                             "健康帮扶或社会帮扶措施，至今未落实")
    assert v.sentence_en == ("Risk “illness”: a health support or social assistance measure "
                             "was due within 30 days of identification (by 2025-03-31) and "
                             "none is in place")


# ---------------------------------------------------------------- rules triggered by facts
def test_dropout_rule_fires_on_the_flag_or_a_member_without_the_risk():
    v = plan("ILLNESS", dropout_flag=True)
    assert [(x.rule_id, x.risk_type) for x in v if x.rule_id == "R4-DRP"] == [("R4-DRP", None)]
    v = plan("ILLNESS", members=[member(schooling_status="dropout")])
    assert ids(v, "R4-DRP") == [("R4-DRP", "missing")]
    drp = next(x for x in v if x.rule_id == "R4-DRP")
    assert drp.sentence_zh.startswith("有义务教育阶段适龄儿童少年失学辍学：")
    v = plan("ILLNESS", [measure("COMPULSORY_EDUCATION", "DROPOUT_CONTROL", member_ref="m1")],
             members=[member(schooling_status="dropout")])
    assert ids(v, "R4-DRP") == []


def test_uninsured_rule_fires_on_a_member_or_the_flag():
    assert ids(plan("ILLNESS", members=[member(insured=False)]), "R4-INS") == [
        ("R4-INS", "missing")]
    assert ids(plan("ILLNESS", uninsured_member_flag=True), "R4-INS") == [("R4-INS", "missing")]
    assert ids(plan("ILLNESS", members=[member(insured=None)]), "R4-INS") == []
    assert ids(plan("ILLNESS", [measure("HEALTH", "MEDICAL_PREMIUM_SUBSIDY")],
                    members=[member(insured=False)]), "R4-INS") == []


def test_a_vocational_student_needs_the_yulu_plan_itself():
    student = [member(schooling_status="vocational_2")]
    assert ids(plan("ILLNESS", members=student), "R4-YULU") == [("R4-YULU", "missing")]
    aid = measure("EDUCATION", "STUDENT_AID", member_ref="m1")
    assert ids(plan("ILLNESS", [aid], members=student), "R4-YULU") == [("R4-YULU", "missing")]
    yulu = measure("EDUCATION", "YULU_PLAN", member_ref="m1")
    assert ids(plan("ILLNESS", [yulu], members=student), "R4-YULU") == []
    assert ids(plan("ILLNESS", members=[member(schooling_status="senior_2")]), "R4-YULU") == []


def test_a_deceased_member_triggers_nothing():
    dead = member(insured=False, active=False)
    assert ids(plan("ILLNESS", members=[member(), dead]), "R4-INS") == []


# ---------------------------------------------------------------- labour rules
def labour(*skills, risks=("ILLNESS",), measures=(), today=AFTER_DUE, **kw):
    ms = [member(f"m{k}", labour_skill=s, health="chronic") for k, s in enumerate(skills)]
    return assess_plan(hh(*risks, **kw), ms, list(measures), today=today, include_checks=False)


@pytest.mark.parametrize("skill", ["ordinary", "skilled"])
def test_a_household_with_labour_needs_an_implemented_development_measure(skill):
    a = labour(skill, "none")
    assert ids(a.violations, "R4-DEV") == [("R4-DEV", "missing")]
    assert a.has_able_member and not a.development_implemented
    assert ids(labour(skill, today=BEFORE_DUE).violations, "R4-DEV") == [("R4-DEV", "pending")]
    for cat in ("INDUSTRY", "EMPLOYMENT"):
        ok = labour(skill, measures=[measure(cat)])
        assert ids(ok.violations, "R4-DEV") == [] and ok.development_implemented
    ended = measure("EMPLOYMENT", status="ended", ended_on=date(2025, 4, 1))
    assert ids(labour(skill, measures=[ended]).violations, "R4-DEV") == []


def test_a_recorded_but_unimplemented_development_measure():
    for status in ("planned", "in_progress"):
        m = measure("INDUSTRY", "INDUSTRY_SUBSIDY", status=status)
        assert ids(labour("ordinary", measures=[m], today=BEFORE_DUE).violations,
                   "R4-DEV") == []
        assert ids(labour("ordinary", measures=[m]).violations, "R4-DEV") == [
            ("R4-DEV", "not_implemented")]


def test_other_categories_and_asset_income_are_not_development():
    for cat in ALL_CATEGORIES:
        if cat not in ("INDUSTRY", "EMPLOYMENT"):
            assert ids(labour("ordinary", measures=[measure(cat)]).violations, "R4-DEV") == [
                ("R4-DEV", "missing")], cat
    dividend = measure("INDUSTRY", "ASSET_INCOME")
    assert ids(labour("ordinary", measures=[dividend]).violations, "R4-DEV") == [
        ("R4-DEV", "missing")]


def test_a_household_with_labour_must_not_rely_on_social_security_alone():
    dibao = measure("SOCIAL_SECURITY", "DIBAO")
    assert ids(labour("ordinary", measures=[dibao]).violations, "R4-NSS") == [
        ("R4-NSS", "only_social_security")]
    assert ids(labour("ordinary", measures=[dibao, measure("HEALTH")]).violations,
               "R4-NSS") == []
    assert ids(labour("ordinary").violations, "R4-NSS") == []        # no measures at all
    assert ids(labour("weak", measures=[dibao]).violations, "R4-NSS") == []


@pytest.mark.parametrize("skills", [("none",), ("lost",), ("none", "lost", "none")])
def test_a_household_without_labour_needs_dibao_or_tekun_and_is_flagged(skills):
    a = labour(*skills)
    assert a.whole_household_no_labour
    assert ids(a.violations, "R4-NOL") == [("R4-NOL", "missing")]
    assert ids(a.violations, "R4-DEV") == []
    for inst in ("DIBAO", "TEKUN"):
        ok = labour(*skills, measures=[measure("SOCIAL_SECURITY", inst, member_ref="m0")])
        assert ids(ok.violations, "R4-NOL") == [] and ok.whole_household_no_labour
    allowance = measure("SOCIAL_SECURITY", "DISABILITY_ALLOWANCES", member_ref="m0")
    assert ids(labour(*skills, measures=[allowance]).violations, "R4-NOL") == [
        ("R4-NOL", "missing")]


def test_weak_labour_is_in_neither_labour_rule():
    a = labour("weak", "none")
    assert not a.whole_household_no_labour and not a.has_able_member
    assert [v.rule_id for v in a.violations if v.rule_id in ("R4-DEV", "R4-NSS", "R4-NOL")] == []
    assert not whole_household_no_labour([])


def test_labour_rules_stop_after_elimination_but_risk_rules_stay():
    a = labour("ordinary", eliminated_on=date(2025, 4, 20))
    assert ids(a.violations, "R4-DEV") == []
    assert ids(a.violations, "R4-ILL") == [("R4-ILL", "missing")]
    b = labour("none", eliminated_on=date(2025, 4, 20))
    assert ids(b.violations, "R4-NOL") == []


# ---------------------------------------------------------------- doubtful risks
def test_risk_types_that_do_not_fit_the_household():
    def doubt(risk, ms):
        return ids(check_plan(hh(risk), ms, [], today=AFTER_DUE, include_checks=False))

    assert ("R4-FCT-ILL", "doubtful_risk") in doubt("ILLNESS", [member()])
    assert ("R4-FCT-ILL", "doubtful_risk") not in doubt("ILLNESS", [member(health="chronic")])
    assert ("R4-FCT-DIS", "doubtful_risk") in doubt("DISABILITY", [member()])
    assert ("R4-FCT-DIS", "doubtful_risk") not in doubt(
        "DISABILITY", [member(health="disabled")])
    assert ("R4-FCT-DIS", "doubtful_risk") not in doubt(
        "DISABILITY", [member(disability_type="visual")])
    assert ("R4-FCT-EMP", "doubtful_risk") in doubt("UNSTABLE_EMPLOYMENT", [member()])
    assert ("R4-FCT-EMP", "doubtful_risk") not in doubt(
        "UNSTABLE_EMPLOYMENT", [member(labour_skill="skilled")])


def test_lack_of_labour_with_more_than_a_quarter_able_is_doubtful():
    def share(able, total):
        ms = [member(f"m{k}", labour_skill="ordinary" if k < able else "none")
              for k in range(total)]
        return ("R4-FCT-LAB", "doubtful_risk") in ids(
            check_plan(hh("LACK_OF_LABOUR"), ms, [], today=AFTER_DUE, include_checks=False))

    assert not share(1, 4)          # 0.25: at the limit
    assert share(2, 4) and share(1, 3)
    assert not share(0, 2)


# ---------------------------------------------------------------- R6 coverage, elimination
def test_elimination_needs_an_implemented_measure_against_each_risk():
    household = hh("ILLNESS", "HOUSING_SAFETY")
    health = measure("HEALTH", "MEDICAL_ASSISTANCE")
    c = eligible_for_elimination_measures(household, [health])
    assert not c.ok and c.uncovered == ("HOUSING_SAFETY",) and c.covered["ILLNESS"] == (health,)
    house = measure("HOUSING_SAFETY", "HOUSE_RENOVATION", status="ended",
                    ended_on=date(2025, 6, 1))
    assert eligible_for_elimination_measures(household, [health, house]).ok
    in_progress = measure("HOUSING_SAFETY", "HOUSE_RENOVATION", status="in_progress")
    assert not eligible_for_elimination_measures(household, [health, in_progress]).ok


def test_other_accepts_any_implemented_measure_and_no_risk_is_not_ok():
    assert eligible_for_elimination_measures(hh("OTHER"), [measure("INFRASTRUCTURE")]).ok
    assert not eligible_for_elimination_measures(hh("OTHER"), []).ok
    assert not eligible_for_elimination_measures(hh(), [measure("HEALTH")]).ok


def test_loans_posts_and_yulu_continue_after_elimination():
    elim = date(2025, 9, 1)
    loan = measure("FINANCE", "MICROCREDIT", member_ref="m1")
    post = measure("PUBLIC_WELFARE_POST", "PUBLIC_WELFARE_POST", member_ref="m1")
    yulu = measure("EDUCATION", "YULU_PLAN", member_ref="m1")
    dibao = measure("SOCIAL_SECURITY", "DIBAO")
    repaid = measure("FINANCE", "MICROCREDIT", status="ended", ended_on=date(2025, 8, 1))
    out = continuing_after_elimination([loan, post, yulu, dibao, repaid], elim)
    assert [(m.instrument, why) for m, why in out] == [
        ("MICROCREDIT", "contract_end"), ("PUBLIC_WELFARE_POST", "agreement_end"),
        ("YULU_PLAN", "school_stage_end")]


# ---------------------------------------------------------------- provinces, API edges
def test_a_province_can_widen_a_rule_and_the_sentence_follows():
    insurance = measure("FINANCE", "ANTI_POVERTY_INSURANCE")
    assert ids(plan("ACCIDENT", [insurance]), "R4-ACC") == [("R4-ACC", "missing")]
    wider = rules_for(None, {"R4-ACC": {"categories": ["SOCIAL_ASSISTANCE", "HEALTH",
                                                       "FINANCE"]}})
    v = check_plan(hh("ACCIDENT"), [member()], [], today=AFTER_DUE, rules=wider,
                   include_checks=False)
    assert "社会帮扶或健康帮扶或金融帮扶" in next(x for x in v if x.rule_id == "R4-ACC").sentence_zh
    assert ids(check_plan(hh("ACCIDENT"), [member()], [insurance], today=AFTER_DUE,
                          rules=wider, include_checks=False), "R4-ACC") == []
    with pytest.raises(KeyError):
        rules_for(None, {"R4-NOPE": {"note": "x"}})
    with pytest.raises(ValueError, match="cannot override"):
        rules_for(None, {"R4-ACC": {"risk_type": "ILLNESS"}})


def test_a_province_catalogue_that_moves_an_instrument_changes_what_satisfies():
    moved = catalogue.for_province(None, {"instruments": {
        "ANTI_POVERTY_INSURANCE": {"category": "SOCIAL_ASSISTANCE"}}})
    m = measure("SOCIAL_ASSISTANCE", "ANTI_POVERTY_INSURANCE")
    v = check_plan(hh("ACCIDENT"), [member()], [m], today=AFTER_DUE, catalogue=moved)
    assert ids(v, "R4-ACC") == [] and ids(v, "C-GEN-02") == []
    v = check_plan(hh("ACCIDENT"), [member()], [m], today=AFTER_DUE)
    assert ids(v, "C-GEN-02") == [("C-GEN-02", "check")]


def test_check_plan_includes_the_instrument_checks_after_the_rules():
    loan = measure("FINANCE", "MICROCREDIT", amount=50001, member_ref="m1")
    v = check_plan(hh("ILLNESS"), [member(age=40, health="chronic")], [loan], today=AFTER_DUE)
    assert [(x.rule_id, x.finding) for x in v] == [("R4-ILL", "missing"), ("C-MC-01", "check")]
    assert v[1].sentence_zh == "小额信贷金额 50,001 元，超过上限 50,000 元"


def test_a_plan_needs_an_identification_date():
    with pytest.raises(ValueError, match="identification date"):
        check_plan(hh("ILLNESS", identified_on=None), [], [], today=AFTER_DUE)


def test_the_result_is_deterministic():
    ms = [member("a", labour_skill="ordinary", insured=False), member("b", labour_skill="none")]
    ms_ = [member("a", labour_skill="ordinary", insured=False), member("b", labour_skill="none")]
    args = dict(today=AFTER_DUE)
    assert check_plan(hh("ILLNESS", "DROPOUT"), ms, [], **args) == \
        check_plan(hh("ILLNESS", "DROPOUT"), ms_, [], **args)


def test_a_province_switches_a_plan_rule_off():
    """Issue 11 item 7: a rule in ``assistance.rules_off`` makes no finding."""
    from dixian.engine.assistance.params import resolve

    rule_id, risk, _cats = RISK_RULES[0]
    assert [v for v in plan(risk) if v.rule_id == rule_id]
    params = resolve("52", AFTER_DUE.year, {"rules_off": (rule_id,)})
    found = check_plan(hh(risk), [member()], [], today=AFTER_DUE, params=params,
                       include_checks=False)
    assert [v for v in found if v.rule_id == rule_id] == []
