"""Instrument checks at their boundaries (domain.md §3.3 instrument parameters, §5.3, §11.1)."""

from __future__ import annotations

from datetime import date

import pytest

from dixian.engine.assistance import params
from dixian.engine.assistance.checks import CHECKS, check_measure, check_measures
from dixian.engine.assistance.model import PlanMeasure

from ._build import hh, member

TODAY = date(2025, 6, 1)
BIRTH = date(1990, 6, 15)


def run(m, *, mem=None, household=None, measures=(), today=TODAY, p=None):
    members = [mem] if mem is not None else []
    return [v.rule_id for v in check_measure(m, today=today, household=household,
                                             members=members, measures=measures, params=p)]


def birth_for_age(age: int, on: date) -> date:
    """A birth date that makes the person exactly ``age`` on ``on`` (a birthday that day)."""
    return date(on.year - age, on.month, on.day)


def loan(**kw):
    kw.setdefault("member_ref", "m1")
    kw.setdefault("status", "planned")
    kw.setdefault("planned_on", TODAY)
    return PlanMeasure("FINANCE", "MICROCREDIT", **kw)


def post(ref=None, *, start=TODAY, member_ref="m1", **kw):
    return PlanMeasure("PUBLIC_WELFARE_POST", "PUBLIC_WELFARE_POST", status="in_progress",
                       measure_ref=ref, member_ref=member_ref, started_on=start, **kw)


# ---------------------------------------------------------------- micro-credit
@pytest.mark.parametrize("amount,refused", [(50000, False), (50001, True), (0, False)])
def test_microcredit_amount(amount, refused):
    assert ("C-MC-01" in run(loan(amount=amount), mem=member(age=40))) is refused


def test_microcredit_amount_sentence_and_province_override():
    v = check_measure(loan(amount=50001), today=TODAY, members=[member(age=40)])
    assert [(x.rule_id, x.severity, x.department) for x in v] == [
        ("C-MC-01", "error", "agriculture_rural")]
    assert v[0].sentence_zh == "小额信贷金额 50,001 元，超过上限 50,000 元"
    assert v[0].sentence_en == ("The micro-credit loan of 50,001 yuan exceeds the maximum of "
                                "50,000 yuan")
    p = params.resolve("52", 2025, {"microcredit_max_amount": 80000})
    assert run(loan(amount=60000), mem=member(age=40), p=p) == []


def test_a_decimal_amount_reads_as_yuan():
    from decimal import Decimal

    v = check_measure(loan(amount=Decimal("50001.00")), today=TODAY, members=[member(age=40)])
    assert [x.sentence_zh for x in v] == ["小额信贷金额 50,001 元，超过上限 50,000 元"]
    assert check_measure(loan(amount=Decimal("50000.00")), today=TODAY,
                         members=[member(age=40)]) == []


@pytest.mark.parametrize("months,refused", [(12, False), (36, False), (37, True)])
def test_microcredit_term(months, refused):
    assert ("C-MC-02" in run(loan(term_months=months), mem=member(age=40))) is refused


def test_microcredit_term_from_the_maturity_date():
    ok = loan(planned_on=date(2025, 3, 15), planned_end_on=date(2028, 3, 15))
    too_long = loan(planned_on=date(2025, 3, 15), planned_end_on=date(2028, 3, 16))
    assert "C-MC-02" not in run(ok, mem=member(age=40))
    assert "C-MC-02" in run(too_long, mem=member(age=40))


@pytest.mark.parametrize("age,refused", [(17, True), (18, False), (65, False), (66, True)])
def test_microcredit_borrower_age_at_the_loan_start(age, refused):
    start = date(2025, 3, 1)
    borrower = member(birth_date=birth_for_age(age, start))
    m = loan(status="implemented", started_on=start, implemented_on=start)
    assert ("C-MC-03" in run(m, mem=borrower)) is refused
    # the day before the 18th / 66th birthday the borrower is still 17 / 65
    day_before = member(birth_date=date(start.year - age, start.month, start.day + 1))
    assert ("C-MC-03" in run(m, mem=day_before)) is (age - 1 not in range(18, 66))


def test_microcredit_borrower_age_without_birth_date_uses_the_recorded_age():
    assert "C-MC-03" in run(loan(), mem=member(age=66))
    assert "C-MC-03" not in run(loan(), mem=member(age=65))
    assert "C-MC-03" not in run(loan(), mem=member())          # unknown age: not judged


@pytest.mark.parametrize("year,share,refused", [
    (2023, 1.0, False), (2024, 1.0, True), (2024, 0.7, False), (2025, 0.71, True),
    (2025, 0.5, False)])
def test_microcredit_interest_subsidy_share_by_year(year, share, refused):
    today = date(year, 6, 1)
    m = loan(status="implemented", started_on=date(year, 1, 10),
             implemented_on=date(year, 1, 10), interest_subsidy_share=share, planned_on=None)
    assert ("C-MC-04" in run(m, mem=member(age=40), today=today)) is refused


def test_interest_subsidy_share_of_an_ended_loan_is_judged_in_its_last_year():
    m = loan(status="ended", started_on=date(2022, 1, 10), implemented_on=date(2022, 1, 10),
             ended_on=date(2023, 12, 31), interest_subsidy_share=1.0, planned_on=None)
    assert "C-MC-04" not in run(m, mem=member(age=40), today=date(2025, 6, 1))


# ---------------------------------------------------------------- public-welfare posts
@pytest.mark.parametrize("age,refused", [(15, True), (16, False), (69, False), (70, True)])
def test_post_holder_age(age, refused):
    holder = member(birth_date=birth_for_age(age, TODAY))
    assert ("C-PWP-01" in run(post(), mem=holder)) is refused


def test_a_running_post_is_refused_once_the_holder_turns_70():
    start = date(2024, 6, 1)
    holder = member(birth_date=birth_for_age(69, start))        # 70 on 2025-06-01
    running = post(start=start)
    v = check_measure(running, today=TODAY, members=[holder])
    assert [x.rule_id for x in v] == ["C-PWP-01"]
    assert "70岁" in v[0].sentence_zh and "不满70岁" in v[0].sentence_zh
    ended = PlanMeasure("PUBLIC_WELFARE_POST", "PUBLIC_WELFARE_POST", status="ended",
                        member_ref="m1", started_on=start, ended_on=date(2025, 5, 1))
    assert run(ended, mem=holder) == []


def test_at_most_two_posts_at_once_the_third_is_refused():
    holder = member(age=50)
    posts = [post("p1", start=date(2025, 1, 1)), post("p2", start=date(2025, 2, 1)),
             post("p3", start=date(2025, 3, 1))]
    found = check_measures(posts, [holder], today=TODAY)
    assert [(v.rule_id, v.measure_ref) for v in found] == [("C-PWP-02", "p3")]
    assert found[0].sentence_zh == "该成员在2025-03-01已有2个公益性岗位，每人同时最多2个"
    assert check_measures(posts[:2], [holder], today=TODAY) == []


def test_ended_posts_and_other_members_do_not_count():
    holder = member(age=50)
    ended = PlanMeasure("PUBLIC_WELFARE_POST", "PUBLIC_WELFARE_POST", status="ended",
                        measure_ref="p0", member_ref="m1", started_on=date(2024, 1, 1),
                        ended_on=date(2025, 1, 15))
    handed_over = PlanMeasure("PUBLIC_WELFARE_POST", "PUBLIC_WELFARE_POST", status="ended",
                              measure_ref="p1", member_ref="m1", started_on=date(2024, 1, 1),
                              ended_on=date(2025, 3, 1))
    other = post("px", start=date(2025, 1, 1), member_ref="m2")
    posts = [ended, handed_over, other, post("p2", start=date(2025, 2, 1)),
             post("p3", start=date(2025, 3, 1))]
    assert [v.rule_id for v in check_measures(posts, [holder, member("m2", age=40)],
                                              today=TODAY)] == []


def test_planned_posts_count_too():
    holder = member(age=50)
    posts = [post("p1", start=date(2025, 1, 1)), post("p2", start=date(2025, 2, 1)),
             PlanMeasure("PUBLIC_WELFARE_POST", "PUBLIC_WELFARE_POST", measure_ref="p3",
                         member_ref="m1", planned_on=date(2025, 7, 1))]
    assert [(v.rule_id, v.measure_ref) for v in check_measures(posts, [holder], today=TODAY)
            ] == [("C-PWP-02", "p3")]


# ---------------------------------------------------------------- education
@pytest.mark.parametrize("status,refused", [
    ("vocational_1", False), ("vocational_3", False), ("higher_vocational_1", False),
    ("higher_vocational_3", False), ("senior_2", True), ("undergraduate", True),
    ("grade_8", True), ("not_in_school", True)])
def test_yulu_plan_only_for_vocational_students(status, refused):
    m = PlanMeasure("EDUCATION", "YULU_PLAN", member_ref="m1", planned_on=TODAY)
    assert ("C-EDU-01" in run(m, mem=member(schooling_status=status))) is refused


def test_student_aid_for_a_member_not_in_school():
    m = PlanMeasure("EDUCATION", "STUDENT_AID", member_ref="m1", planned_on=TODAY)
    assert "C-EDU-02" in run(m, mem=member(schooling_status="not_in_school"))
    assert "C-EDU-02" not in run(m, mem=member(schooling_status="grade_5"))


# ---------------------------------------------------------------- social security
@pytest.mark.parametrize("instrument", ["DIBAO", "TEKUN", "DISABILITY_ALLOWANCES",
                                        "MICROCREDIT"])
@pytest.mark.parametrize("amount,refused", [(-1, True), (0, False), (800, False)])
def test_amounts_are_not_negative(instrument, amount, refused):
    m = PlanMeasure("SOCIAL_SECURITY" if instrument != "MICROCREDIT" else "FINANCE",
                    instrument, member_ref="m1", amount=amount, planned_on=TODAY)
    found = run(m, mem=member(age=75, health="disabled", labour_skill="none"))
    assert ("C-GEN-03" in found) is refused


def test_tekun_for_a_healthy_working_age_adult_is_flagged():
    m = PlanMeasure("SOCIAL_SECURITY", "TEKUN", member_ref="m1", planned_on=TODAY)
    assert "C-SS-01" in run(m, mem=member(age=30))
    assert "C-SS-01" in run(m, mem=member(age=18)) and "C-SS-01" in run(m, mem=member(age=59))
    assert "C-SS-01" not in run(m, mem=member(age=60))
    assert "C-SS-01" not in run(m, mem=member(age=30, health="disabled"))


def test_dibao_and_tekun_for_the_same_person():
    tekun = PlanMeasure("SOCIAL_SECURITY", "TEKUN", "implemented", member_ref="m1",
                        started_on=date(2025, 1, 1))
    dibao = PlanMeasure("SOCIAL_SECURITY", "DIBAO", "implemented", member_ref="m1",
                        started_on=date(2025, 1, 1))
    old = member(age=80, labour_skill="none")
    assert [v.rule_id for v in check_measures([tekun, dibao], [old], today=TODAY)] == [
        "C-SS-02"]
    assert [v.rule_id for v in check_measures([tekun], [member(age=80, dibao="rural")],
                                              today=TODAY)] == ["C-SS-02"]
    household_dibao = PlanMeasure("SOCIAL_SECURITY", "DIBAO", "implemented",
                                  started_on=date(2025, 1, 1))
    assert check_measures([tekun, household_dibao], [old], today=TODAY) == []


def test_disability_allowance_needs_a_disabled_member():
    m = PlanMeasure("SOCIAL_SECURITY", "DISABILITY_ALLOWANCES", member_ref="m1",
                    planned_on=TODAY)
    assert "C-SS-03" in run(m, mem=member(health="healthy"))
    assert "C-SS-03" not in run(m, mem=member(health="disabled"))
    assert "C-SS-03" not in run(m, mem=member(disability_type="physical"))


# ---------------------------------------------------------------- employment, housing
def test_transport_subsidy_needs_work_outside_the_county():
    m = PlanMeasure("EMPLOYMENT", "MIGRANT_TRANSPORT_SUBSIDY", member_ref="m1",
                    planned_on=TODAY)
    assert "C-EMP-01" in run(m, mem=member(work_status="local_employed"))
    assert "C-EMP-01" not in run(m, mem=member(work_status="migrant_out_of_province"))


@pytest.mark.parametrize("instrument", ["JOB_REFERRAL", "WORKSHOP_JOB", "VOCATIONAL_TRAINING"])
def test_employment_measures_for_a_member_who_cannot_work(instrument):
    m = PlanMeasure("EMPLOYMENT", instrument, member_ref="m1", planned_on=TODAY)
    assert "C-EMP-02" in run(m, mem=member(labour_skill="lost"))
    assert "C-EMP-02" not in run(m, mem=member(labour_skill="ordinary"))


def test_renovation_only_for_c_and_d_houses():
    m = PlanMeasure("HOUSING_SAFETY", "HOUSE_RENOVATION", planned_on=TODAY)
    assert "C-HOU-01" in run(m, household=hh("HOUSING_SAFETY", housing_grade="B"))
    assert "C-HOU-01" not in run(m, household=hh("HOUSING_SAFETY", housing_grade="D"))
    assert "C-HOU-01" not in run(m, household=hh("HOUSING_SAFETY"))


# ---------------------------------------------------------------- every measure
def test_unknown_category_and_instrument_and_wrong_category():
    assert run(PlanMeasure("CHARITY", planned_on=TODAY)) == ["C-GEN-01"]
    assert run(PlanMeasure("HEALTH", "MAGIC", planned_on=TODAY)) == ["C-GEN-02"]
    wrong = check_measure(PlanMeasure("HEALTH", "DIBAO", planned_on=TODAY), today=TODAY)
    assert [v.rule_id for v in wrong] == ["C-GEN-02"]
    assert wrong[0].sentence_zh == "帮扶措施“低保”属于“综合保障”，不能登记在“健康帮扶”"


def test_member_level_instruments_need_a_member_of_the_household():
    no_member = PlanMeasure("EDUCATION", "YULU_PLAN", planned_on=TODAY)
    assert run(no_member) == ["C-GEN-04"]
    stranger = PlanMeasure("EDUCATION", "YULU_PLAN", member_ref="zz", planned_on=TODAY)
    assert run(stranger, mem=member("m1", schooling_status="vocational_1")) == ["C-GEN-04"]
    household_level = PlanMeasure("DRINKING_WATER", "WATER_PROJECT", planned_on=TODAY)
    assert run(household_level) == []


@pytest.mark.parametrize("kw,refused", [
    (dict(status="planned", planned_on=TODAY), False),
    (dict(status="planned", implemented_on=TODAY), True),
    (dict(status="in_progress"), True),
    (dict(status="in_progress", started_on=TODAY), False),
    (dict(status="implemented", implemented_on=TODAY), False),
    (dict(status="ended", started_on=TODAY), True),
    (dict(status="ended", started_on=date(2025, 1, 1), ended_on=TODAY), False),
    (dict(status="implemented", started_on=TODAY, ended_on=TODAY), True),
])
def test_status_needs_its_dates(kw, refused):
    m = PlanMeasure("DRINKING_WATER", "WATER_PROJECT", **kw)
    assert ("C-GEN-05" in run(m)) is refused


def test_dates_in_order_and_not_in_the_future():
    future = PlanMeasure("DRINKING_WATER", "WATER_PROJECT", "in_progress",
                         started_on=date(2025, 7, 1))
    assert run(future) == ["C-GEN-06"]
    backwards = PlanMeasure("DRINKING_WATER", "WATER_PROJECT", "implemented",
                            started_on=date(2025, 3, 1), implemented_on=date(2025, 2, 1))
    assert run(backwards) == ["C-GEN-06"]
    ended_early = PlanMeasure("DRINKING_WATER", "WATER_PROJECT", "ended",
                              started_on=date(2025, 3, 1), ended_on=date(2025, 2, 1))
    assert run(ended_early) == ["C-GEN-06"]
    # a planned start in the future is fine
    assert run(PlanMeasure("DRINKING_WATER", "WATER_PROJECT", planned_on=date(2026, 1, 1))) == []


def test_bad_codes_are_refused_at_construction():
    with pytest.raises(ValueError, match="status"):
        PlanMeasure("HEALTH", status="done")
    with pytest.raises(ValueError, match="schooling_status"):
        member(schooling_status="grade_10")
    with pytest.raises(ValueError, match="risk_type"):
        hh("ILLNES")


def test_every_check_has_sentences_source_and_a_known_severity():
    for c in CHECKS:
        assert c.sentence_zh and c.sentence_en and c.source, c.id
        assert c.severity in ("error", "warning")


# ---------------------------------------------------------------- the sentences a person reads
def _sentences(m, mem):
    return [(v.rule_id, v.sentence_zh, v.sentence_en)
            for v in check_measure(m, today=TODAY, members=[mem] if mem else [])]


@pytest.mark.parametrize("instrument,rule,field,value,zh,en", [
    ("YULU_PLAN", "C-EDU-01", "schooling_status", "grade_8",
     "雨露计划只资助中职、高职在校生，该成员在校状况为“八年级”",
     "The Yulu plan is only for students in secondary or higher vocational school; the "
     "member's schooling status is grade_8"),
    ("YULU_PLAN", "C-EDU-01", "schooling_status", None,
     "雨露计划只资助中职、高职在校生，该成员在校状况为“未登记”",
     "The Yulu plan is only for students in secondary or higher vocational school; the "
     "member's schooling status is not recorded"),
    ("STUDENT_AID", "C-EDU-02", "schooling_status", "not_in_school",
     "学生资助对象在校状况为“非在校生”，不是在校学生",
     "Student aid goes to a member whose schooling status is not_in_school, not a pupil or "
     "student"),
    ("STUDENT_AID", "C-EDU-02", "schooling_status", None,
     "学生资助对象在校状况为“未登记”，不是在校学生",
     "Student aid goes to a member whose schooling status is not recorded, not a pupil or "
     "student"),
    ("DISABILITY_ALLOWANCES", "C-SS-03", "health", "chronic",
     "残疾人两项补贴发给了未登记残疾的成员（健康状况：长期慢性病）",
     "Disability allowances go to a member with no recorded disability (health: chronic)"),
    ("DISABILITY_ALLOWANCES", "C-SS-03", "health", None,
     "残疾人两项补贴发给了未登记残疾的成员（健康状况：未登记）",
     "Disability allowances go to a member with no recorded disability (health: not "
     "recorded)"),
    ("MIGRANT_TRANSPORT_SUBSIDY", "C-EMP-01", "work_status", "farming",
     "外出务工交通补贴对象的务工状况为“在家务农”，不是县外务工",
     "The transport subsidy goes to a member whose work status is farming, not work outside "
     "the county"),
    ("MIGRANT_TRANSPORT_SUBSIDY", "C-EMP-01", "work_status", None,
     "外出务工交通补贴对象的务工状况为“未登记”，不是县外务工",
     "The transport subsidy goes to a member whose work status is not recorded, not work "
     "outside the county"),
])
def test_member_checks_say_what_was_recorded(instrument, rule, field, value, zh, en):
    category = {"YULU_PLAN": "EDUCATION", "STUDENT_AID": "EDUCATION",
                "DISABILITY_ALLOWANCES": "SOCIAL_SECURITY",
                "MIGRANT_TRANSPORT_SUBSIDY": "EMPLOYMENT"}[instrument]
    m = PlanMeasure(category, instrument, member_ref="m1", planned_on=TODAY)
    found = [s for s in _sentences(m, member(**{field: value})) if s[0] == rule]
    assert found == [(rule, zh, en)]


@pytest.mark.parametrize("status,counts", [("migrant_in_province", False),
                                           ("migrant_out_of_province", False),
                                           ("local_employed", True), ("not_working", True)])
def test_transport_subsidy_is_for_work_outside_the_county_in_or_out_of_the_province(
        status, counts):
    m = PlanMeasure("EMPLOYMENT", "MIGRANT_TRANSPORT_SUBSIDY", member_ref="m1",
                    planned_on=TODAY)
    assert ("C-EMP-01" in run(m, mem=member(work_status=status))) is counts


def test_checks_of_a_member_say_nothing_without_the_member():
    for category, instrument, rule in (("EDUCATION", "YULU_PLAN", "C-EDU-01"),
                                       ("EDUCATION", "STUDENT_AID", "C-EDU-02"),
                                       ("SOCIAL_SECURITY", "DISABILITY_ALLOWANCES", "C-SS-03"),
                                       ("EMPLOYMENT", "MIGRANT_TRANSPORT_SUBSIDY", "C-EMP-01")):
        m = PlanMeasure(category, instrument, planned_on=TODAY)
        assert rule not in run(m)


@pytest.mark.parametrize("kw,zh,en", [
    (dict(status="planned", implemented_on=TODAY), "措施状态为“计划”，但已登记实施或结束日期",
     "The measure is planned, but it has an implementation or end date"),
    (dict(status="in_progress"), "措施状态为“实施中”，但未登记开始或实施日期",
     "The measure is in progress, but it has no start or implementation date"),
    (dict(status="ended", started_on=TODAY), "措施状态为“已结束”，但未登记结束日期",
     "The measure is ended, but it has no end date"),
    (dict(status="implemented", started_on=TODAY, ended_on=TODAY),
     "措施状态为“已实施”，但已登记结束日期", "The measure is implemented, but it has an end date"),
    (dict(status="in_progress", started_on=TODAY, ended_on=TODAY),
     "措施状态为“实施中”，但已登记结束日期", "The measure is in progress, but it has an end date"),
])
def test_status_and_dates_say_what_disagrees(kw, zh, en):
    m = PlanMeasure("DRINKING_WATER", "WATER_PROJECT", **kw)
    assert [s for s in _sentences(m, None) if s[0] == "C-GEN-05"] == [("C-GEN-05", zh, en)]


def test_catalogue_and_member_sentences():
    assert _sentences(PlanMeasure("DRINKING_WATER", "NOPE", planned_on=TODAY), None) == [
        ("C-GEN-02", "帮扶措施“NOPE”不在本省措施目录中",
         "Instrument NOPE is not in the province's catalogue")]
    assert _sentences(PlanMeasure("EDUCATION", "YULU_PLAN", planned_on=TODAY), None) == [
        ("C-GEN-04", "雨露计划须落实到具体成员，但未指明成员",
         "Yulu plan (vocational-school grant) is for a named member; no member is named")]
    stranger = PlanMeasure("EDUCATION", "YULU_PLAN", member_ref="zz", planned_on=TODAY)
    assert _sentences(stranger, member("m1", schooling_status="vocational_1")) == [
        ("C-GEN-04", "雨露计划须落实到具体成员，但成员 zz 不在本户",
         "Yulu plan (vocational-school grant) is for a named member; but member zz is not in "
         "the household")]


def test_a_measure_without_an_instrument_or_of_an_unknown_category_is_one_finding():
    assert run(PlanMeasure("HEALTH", planned_on=TODAY)) == []  # the category alone
    assert run(PlanMeasure("CHARITY", "DIBAO", planned_on=TODAY)) == ["C-GEN-01"]


def test_an_ended_post_without_its_end_date_is_judged_at_its_start_only():
    start = date(2024, 6, 1)
    holder = member(birth_date=birth_for_age(69, start))        # 70 on 2025-06-01
    ended = PlanMeasure("PUBLIC_WELFARE_POST", "PUBLIC_WELFARE_POST", status="ended",
                        member_ref="m1", started_on=start)
    assert "C-PWP-01" not in run(ended, mem=holder)
    assert "C-GEN-05" in run(ended, mem=holder)


def test_posts_starting_the_same_day_are_kept_by_reference_then_by_order():
    holder = member(age=50)
    day = date(2025, 2, 1)
    by_reference = [post("c", start=day), post("a", start=day), post("b", start=day)]
    assert [v.measure_ref for v in check_measures(by_reference, [holder], today=TODAY)] == ["c"]
    unnamed = [post(start=day), post(start=day), post(start=day)]
    found = check_measures(unnamed, [holder], today=TODAY)
    assert len(found) == 1 and found[0].rule_id == "C-PWP-02"
    third = check_measure(unnamed[2], today=TODAY, members=[holder], measures=unnamed)
    assert [v.rule_id for v in third] == ["C-PWP-02"]
    first = check_measure(unnamed[0], today=TODAY, members=[holder], measures=unnamed)
    assert first == []
    # a post without a reference comes before the named ones of its day
    mixed = [post("B", start=day), post(None, start=day), post("A", start=day)]
    assert [v.measure_ref for v in check_measures(mixed, [holder], today=TODAY)] == ["B"]


# ---------------------------------------------------------------- dates, and what a finding carries
@pytest.mark.parametrize("kw,zh,en", [
    (dict(status="in_progress", started_on=date(2025, 6, 2)),
     "开始日期（2025-06-02）晚于今天", "The start date (2025-06-02) is in the future"),
    (dict(status="implemented", started_on=TODAY, implemented_on=date(2025, 6, 2)),
     "实施日期（2025-06-02）晚于今天", "The implementation date (2025-06-02) is in the future"),
    (dict(status="ended", started_on=TODAY, ended_on=date(2025, 6, 2)),
     "结束日期（2025-06-02）晚于今天", "The end date (2025-06-02) is in the future"),
    (dict(status="implemented", started_on=TODAY, implemented_on=date(2025, 5, 31)),
     "实施日期（2025-05-31）早于开始日期", "The implementation date (2025-05-31) is before the "
     "start date"),
    (dict(status="ended", started_on=TODAY, ended_on=date(2025, 5, 31)),
     "结束日期（2025-05-31）早于开始日期", "The end date (2025-05-31) is before the start date"),
])
def test_dates_out_of_order_say_which_date_and_why(kw, zh, en):
    m = PlanMeasure("DRINKING_WATER", "WATER_PROJECT", **kw)
    assert [s for s in _sentences(m, None) if s[0] == "C-GEN-06"] == [("C-GEN-06", zh, en)]


def test_dates_on_the_same_day_are_in_order():
    today = PlanMeasure("DRINKING_WATER", "WATER_PROJECT", "ended", started_on=TODAY,
                        implemented_on=TODAY, ended_on=TODAY)
    assert "C-GEN-06" not in run(today)


def test_a_finding_carries_its_rule_version_member_department_and_kind():
    m = loan(amount=50001, measure_ref="L1")
    [v] = check_measure(m, today=TODAY, members=[member(age=40)])
    assert (v.rule_id, v.finding, v.rule_version, v.measure_ref, v.member_ref, v.department) \
        == ("C-MC-01", "check", 1, "L1", "m1", "agriculture_rural")
    [v] = check_measure(PlanMeasure("EDUCATION", "YULU_PLAN", planned_on=TODAY), today=TODAY)
    assert (v.rule_id, v.rule_version) == ("C-GEN-04", 2)


def test_a_findings_department_is_the_checks_then_the_instruments_then_the_categorys():
    from dixian.engine.assistance.catalogue import DEFAULT

    [v] = check_measure(PlanMeasure("DRINKING_WATER", "NOPE", planned_on=TODAY), today=TODAY)
    assert v.department == DEFAULT.category("DRINKING_WATER").departments[0]
    # the Yulu plan is the rural-affairs bureau's, though education leads its category
    m = PlanMeasure("EDUCATION", "YULU_PLAN", member_ref="m1", planned_on=TODAY)
    [v] = check_measure(m, today=TODAY, members=[member(schooling_status="grade_8")])
    assert (v.rule_id, v.department) == ("C-EDU-01", "agriculture_rural")
    assert DEFAULT.category("EDUCATION").departments[0] == "education"


def test_the_households_province_picks_its_catalogue_and_parameters(monkeypatch):
    from dixian.engine.assistance import checks

    asked = []
    real_catalogue, real_params = checks.for_province, checks.resolve
    monkeypatch.setattr(checks, "for_province",
                        lambda p, *a, **k: asked.append(("catalogue", p)) or real_catalogue(p))
    monkeypatch.setattr(checks, "resolve", lambda p, year, *a, **k: asked.append(
        ("params", p, year)) or real_params(p, year))
    check_measure(loan(amount=100), today=TODAY, household=hh(province="52"),
                  members=[member(age=40)])
    assert asked == [("catalogue", "52"), ("params", "52", 2025)]


def test_the_member_is_found_by_reference_and_the_measure_counts_among_the_households():
    holder = member("m7", age=50)
    m = post("p9", member_ref="m7")
    assert check_measure(m, today=TODAY, members=[member("m1", age=30), holder]) == []
    too_old = member("m7", age=75)
    assert run(m, mem=too_old) == ["C-PWP-01"]
    assert [v.rule_id for v in check_measure(m, today=TODAY, members=[too_old],
                                             measures=[post("p1", member_ref="m7")])] == [
        "C-PWP-01"]


@pytest.mark.parametrize("share,refused", [(None, False), ("cap", False), ("over", True)])
def test_interest_subsidy_at_the_years_cap_with_the_provinces_parameters(share, refused):
    p = params.resolve("52", 2025, {"microcredit_interest_subsidy_share_by_year": {2021: 0.5}})
    cap = p["microcredit_interest_subsidy_share"]
    value = {None: None, "cap": cap, "over": cap + 0.01}[share]
    found = check_measure(loan(interest_subsidy_share=value), today=TODAY,
                          members=[member(age=40)], params=p)
    assert ([v.rule_id for v in found] == ["C-MC-04"]) is refused
    if refused:
        assert found[0].sentence_zh.startswith("2025年")


def test_tekun_age_is_taken_today():
    m = PlanMeasure("SOCIAL_SECURITY", "TEKUN", member_ref="m1", planned_on=TODAY)
    assert "C-SS-01" in run(m, mem=member(birth_date=birth_for_age(59, TODAY)))
    assert "C-SS-01" not in run(m, mem=member(birth_date=birth_for_age(60, TODAY)))


def test_dibao_and_tekun_need_a_named_running_tekun_and_count_urban_dibao():
    start = date(2025, 1, 1)
    urban = member(age=80, dibao="urban")
    tekun = PlanMeasure("SOCIAL_SECURITY", "TEKUN", "implemented", member_ref="m1",
                        started_on=start)
    assert "C-SS-02" in run(tekun, mem=urban)
    ended = PlanMeasure("SOCIAL_SECURITY", "TEKUN", "ended", member_ref="m1",
                        started_on=start, ended_on=date(2025, 5, 1))
    assert "C-SS-02" not in run(ended, mem=urban)
    unnamed = PlanMeasure("SOCIAL_SECURITY", "TEKUN", "implemented", started_on=start)
    assert "C-SS-02" not in run(unnamed, mem=urban)


@pytest.mark.parametrize("grade,refused", [("A", True), ("B", True), ("C", False),
                                           ("D", False)])
def test_renovation_of_each_grade(grade, refused):
    m = PlanMeasure("HOUSING_SAFETY", "HOUSE_RENOVATION", planned_on=TODAY)
    assert ("C-HOU-01" in run(m, household=hh("HOUSING_SAFETY", housing_grade=grade))) \
        is refused


def test_a_member_given_directly_is_judged_without_the_households_list():
    m = PlanMeasure("EDUCATION", "YULU_PLAN", member_ref="m1", planned_on=TODAY)
    found = check_measure(m, today=TODAY, member=member(schooling_status="grade_8"))
    assert [v.rule_id for v in found] == ["C-EDU-01"]


def test_a_post_checked_alone_counts_the_households_other_posts_before_it():
    holder = member(age=50)
    day = date(2025, 2, 1)
    earlier = [post("a", start=day), post("a", start=day)]
    third = post("a", start=day)
    found = check_measure(third, today=TODAY, members=[holder], measures=earlier)
    assert [v.rule_id for v in found] == ["C-PWP-02"]


def test_posts_without_a_named_member_are_not_counted_per_person():
    posts = [post(f"p{k}", start=date(2025, 1, k + 1), member_ref=None) for k in range(3)]
    assert "C-PWP-02" not in [v.rule_id for v in check_measures(posts, today=TODAY)]


def test_an_interest_subsidy_share_at_the_cap_up_to_float_rounding_is_the_cap():
    p = params.resolve("52", 2025)
    at = loan(interest_subsidy_share=p["microcredit_interest_subsidy_share"] + 1e-9)
    assert "C-MC-04" not in [v.rule_id for v in check_measure(
        at, today=TODAY, members=[member(age=40)], params=p)]
