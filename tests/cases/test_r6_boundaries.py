"""R6 at its limits, through the action callers use (``do_propose_elimination``).

Every expected value is written here from domain.md (§4, §11.1, R6), never read from the
code's parameters: elimination needs all of

- ``months_since_identification >= 6`` [VL S6]: 6 months passes, 5 fails;
- ``measures_implemented >= 1`` [VL S6]: an implemented (or implemented and ended) measure
  against the household's risk; a planned one, or one against another risk, does not count;
- ``pcni >= line``, stable for 6 months [VL S5, S6]: the 12-month per-capita income in each
  of the last 6 months at or above the line (exactly at the line passes, a yuan below fails);
- rigid expenditure resolved: income after rigid spending at or above the line;
- the 三保障 and water checks: housing graded C or D, or a dangerous house, fails [VL S29];
  unsafe water, a dropout, a member without medical insurance fail;
- not ``whole_household_no_labour`` (无劳动力 / 丧失劳动力 for every member) [V S7; VL S6];
- no new risk.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from django.utils import timezone

from dixian.assistance.models import Measure
from dixian.cases import actions
from dixian.cases.machine import State
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household, Income, Member
from tests.cases.builders import make_monitored, months_back, set_monthly_income
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

MIN_MONTHS = 6  # §11.1 elimination_min_months_since_identification [VL S6, S5]
LINE = 8700  # §11.1 monitoring line, Guizhou/Yunnan 2024-25 [VL S9, S17], carried forward
MEMBERS = 3  # the builder's households: head, spouse, son
AT_THE_LINE = LINE * MEMBERS // 12  # monthly wage that makes the 12-month pcni exactly LINE


@pytest.fixture
def household(county_regions):
    tables = households_and_members(1, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return Household.objects.get(code=f"{VILLAGE}0001")


def _month_start(now: datetime, months_ago: int) -> datetime:
    local = timezone.localtime(now)
    index = local.year * 12 + local.month - 1 - months_ago
    return local.replace(year=index // 12, month=index % 12 + 1, day=15, hour=12)


def _ready(household: Household, now: datetime, *, months: int = MIN_MONTHS,
           wage: int = 6000, measure_status: str = "implemented",
           measure_risk: str = "ILLNESS", measure_category: str = "HEALTH"):
    """Monitored for ``months`` calendar months, one measure, 18 months of income."""
    spell = make_monitored(household, since=_month_start(now, months))
    set_monthly_income(household, months_back(now, 18), wage=wage)
    Measure.objects.create(household=household, village_code=household.village_id,
                           risk_type=measure_risk, category=measure_category,
                           instrument="MEDICAL_ASSISTANCE", department="medical_insurance",
                           status=measure_status, planned_on=spell.started_on,
                           due_on=spell.started_on + timedelta(days=30),
                           implemented_on=spell.started_on + timedelta(days=20))
    return spell


def _outcome(household: Household, users, now: datetime) -> set[str]:
    """The names of the R6 conditions that fail; empty when the proposal is accepted."""
    try:
        case = actions.do_propose_elimination(Household.objects.get(pk=household.pk),
                                              actor=users[Role.VILLAGE_CADRE], now=now)
    except actions.EliminationRefused as refused:
        return {c.name for c in refused.conditions}
    assert case.state == State.VISIT
    return set()


@pytest.mark.django_db
@pytest.mark.parametrize("months,refused", [(MIN_MONTHS, set()),
                                            (MIN_MONTHS - 1, {"months_monitored"}),
                                            (MIN_MONTHS + 1, set())])
def test_six_months_monitored_is_enough_and_five_is_not(household, users, months, refused):
    now = timezone.now()
    _ready(household, now, months=months)
    assert _outcome(household, users, now) == refused


@pytest.mark.django_db
@pytest.mark.parametrize("status,risk,category,refused", [
    ("implemented", "ILLNESS", "HEALTH", set()),
    ("ended", "ILLNESS", "HEALTH", set()),  # implemented, since ended: it was done
    ("in_progress", "ILLNESS", "HEALTH", {"measures"}),
    ("planned", "ILLNESS", "HEALTH", {"measures"}),
    ("implemented", "DROPOUT", "EDUCATION", {"measures"}),  # against another risk
])
def test_at_least_one_implemented_measure_against_the_risk(household, users, status, risk,
                                                          category, refused):
    now = timezone.now()
    _ready(household, now, measure_status=status, measure_risk=risk,
           measure_category=category)
    assert _outcome(household, users, now) == refused


@pytest.mark.django_db
def test_income_exactly_at_the_line_for_six_months_is_stable(household, users):
    now = timezone.now()
    _ready(household, now, wage=AT_THE_LINE)
    assert AT_THE_LINE * 12 / MEMBERS == LINE
    # A shortfall only in the 7th window back (18 months ago) is older than the 6 months.
    Income.objects.filter(household=household, period=months_back(now, 18)[0]).update(
        wage=AT_THE_LINE - 1)
    assert _outcome(household, users, now) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("months_ago", [1, 12])  # in the latest window; in the oldest of six
def test_one_yuan_below_the_line_in_any_of_the_six_windows_is_not_stable(household, users,
                                                                        months_ago):
    now = timezone.now()
    _ready(household, now, wage=AT_THE_LINE)
    month = months_back(now, months_ago)[0]
    Income.objects.filter(household=household, period=month).update(wage=AT_THE_LINE - 1)
    assert "income_stable" in _outcome(household, users, now)


@pytest.mark.django_db
def test_a_window_with_a_month_missing_is_judged_annualised(household, users):
    # R1 (dixian.engine.income): from income.window_min_months (6) recorded months the
    # window is judged, annualised; eleven months of 6,000 are 72,000 a year, as twelve are.
    now = timezone.now()
    _ready(household, now, wage=6000)
    Income.objects.filter(household=household, period=months_back(now, 1)[0]).delete()
    assert "income_stable" not in _outcome(household, users, now)


@pytest.mark.django_db
def test_windows_with_five_recorded_months_are_not_stable(household, users):
    now = timezone.now()
    _ready(household, now, wage=6000)
    Income.objects.filter(household=household, period__in=months_back(now, 12)[:7]).delete()
    assert "income_stable" in _outcome(household, users, now)


@pytest.mark.django_db
@pytest.mark.parametrize("rigid,refused", [(45900, set()), (45901, {"rigid_spending"})])
def test_income_after_rigid_spending_at_the_line(household, users, rigid, refused):
    # 12 x 6,000 = 72,000 for 3 members; (72,000 - 45,900) / 3 = 8,700: exactly the line.
    now = timezone.now()
    _ready(household, now, wage=6000)
    Income.objects.filter(household=household, period=months_back(now, 1)[0]).update(
        compliant_oop_medical=rigid)
    assert _outcome(household, users, now) == refused


@pytest.mark.django_db
@pytest.mark.parametrize("field,value,refused", [
    ("housing_grade", "A", set()), ("housing_grade", "B", set()),
    ("housing_grade", "C", {"three_guarantees"}), ("housing_grade", "D", {"three_guarantees"}),
    ("dangerous_house", True, {"three_guarantees"}),
    ("safe_drinking_water", False, {"three_guarantees"}),
    ("dropout_flag", True, {"three_guarantees"}),
    ("uninsured_member_flag", True, {"three_guarantees"}),
])
def test_three_guarantees_and_water(household, users, field, value, refused):
    now = timezone.now()
    _ready(household, now)
    Household.objects.filter(pk=household.pk).update(**{field: value})
    assert _outcome(household, users, now) == refused


@pytest.mark.django_db
@pytest.mark.parametrize("skills,refused", [
    (("lost", "none", "none"), {"has_labour"}),  # 丧失劳动力 and 无劳动力: nobody can work
    (("lost", "lost", "lost"), {"has_labour"}),
    (("ordinary", "lost", "none"), set()),  # one member can work
])
def test_a_household_where_nobody_can_work_is_not_eliminated(household, users, skills,
                                                            refused):
    now = timezone.now()
    _ready(household, now)
    for member, skill in zip(household.members.order_by("member_id"), skills, strict=True):
        Member.objects.filter(pk=member.pk).update(labour_skill=skill)
    assert _outcome(household, users, now) == refused


@pytest.mark.django_db
def test_a_member_who_left_does_not_count_as_labour(household, users):
    now = timezone.now()
    _ready(household, now)
    head, spouse, son = household.members.order_by("member_id")
    Member.objects.filter(pk__in=[spouse.pk, son.pk]).update(labour_skill="lost")
    Member.objects.filter(pk=head.pk).update(member_status="deceased")
    assert _outcome(household, users, now) == {"has_labour"}


@pytest.mark.django_db
@pytest.mark.parametrize("risk,refused", [("HOUSING_SAFETY", {"no_new_risk"}),
                                          ("ILLNESS", set())])  # the identified risk
def test_a_new_risk_stops_the_elimination(household, users, risk, refused):
    now = timezone.now()
    _ready(household, now)
    actions.do_receive_clue(household, channel="department_alert", risk_type=risk,
                            received_at=now - timedelta(days=3))
    assert _outcome(household, users, now) == refused


@pytest.mark.django_db
def test_every_condition_says_what_it_found_when_all_fail(household, users):
    """What the letter and the household page show: each failed condition with its values."""
    now = timezone.now()
    _ready(household, now, months=MIN_MONTHS - 1, wage=100, measure_status="planned")
    Income.objects.filter(household=household, period=months_back(now, 1)[0]).update(
        compliant_oop_medical=5000)
    Household.objects.filter(pk=household.pk).update(housing_grade="D",
                                                     safe_drinking_water=False,
                                                     dropout_flag=True,
                                                     uninsured_member_flag=True)
    Member.objects.filter(household=household).update(labour_skill="lost")
    actions.do_receive_clue(household, channel="department_alert", risk_type="HOUSING_SAFETY",
                            received_at=now - timedelta(days=3))
    with pytest.raises(actions.EliminationRefused) as refused:
        actions.do_propose_elimination(Household.objects.get(pk=household.pk),
                                       actor=users[Role.VILLAGE_CADRE], now=now)
    found = {c.name: c for c in refused.value.conditions}
    assert list(found) == ["months_monitored", "measures", "income_stable", "rigid_spending",
                           "three_guarantees", "has_labour", "no_new_risk"]
    assert all(not c.ok for c in found.values())
    assert found["months_monitored"].values["months"] == MIN_MONTHS - 1
    assert "已监测 5 个月" in found["months_monitored"].sentence
    assert "至少需 6 个月" in found["months_monitored"].sentence
    assert found["measures"].values == {"implemented_measures": 0}
    assert "0" in found["measures"].sentence
    assert len(found["income_stable"].values["months_below"]) == 6
    assert found["income_stable"].values["line"] == LINE
    assert found["income_stable"].values["per_capita"] == 400.0  # 12 x 100 / 3
    after = (1200 - 5000) / MEMBERS
    assert found["rigid_spending"].values == {"per_capita_after_rigid": round(after, 2),
                                              "rigid_spending": 5000}
    assert "扣除刚性支出后" in found["rigid_spending"].sentence
    problems = found["three_guarantees"].values["problems"]
    assert problems == ["住房不安全", "饮水不安全", "有失学辍学", "有成员未参加医疗保险"]
    assert found["three_guarantees"].sentence.startswith("未保障：住房不安全")
    assert found["has_labour"].values == {"whole_household_no_labour": True}
    assert found["no_new_risk"].values == {"new_risks": ["HOUSING_SAFETY"]}
    assert "近 6 个月出现新风险：HOUSING_SAFETY" in found["no_new_risk"].sentence


@pytest.mark.django_db
def test_every_condition_says_what_it_found_when_all_hold(household):
    from dixian.cases import eligibility

    now = timezone.now()
    _ready(household, now, months=MIN_MONTHS + 2)
    found = {c.name: c for c in eligibility.elimination_conditions(household, now)}
    assert all(c.ok for c in found.values()), [c.name for c in found.values() if not c.ok]
    assert found["months_monitored"].values["months"] == MIN_MONTHS + 2
    assert found["measures"].values == {"implemented_measures": 1}
    assert found["income_stable"].values["months_below"] == []
    assert found["income_stable"].values["per_capita"] == 24000.0  # 12 x 6,000 / 3
    assert found["three_guarantees"].values["problems"] == []
    assert found["three_guarantees"].sentence == "义务教育、基本医疗、住房安全和饮水安全有保障"
    assert found["has_labour"].sentence == "家中有劳动能力成员"
    assert found["no_new_risk"].sentence == "近 6 个月未出现新风险"
    assert eligibility.failed(list(found.values())) == []


def _annual_block(household, now, per_capita: float, *, months_ago: int = 2):
    """The national system's annual income block, as a migrated county has it."""
    from dixian.registry.models import IncomeBlock

    reference = _month_start(now, months_ago)
    return IncomeBlock.objects.create(
        household=household, basis="identification",
        reference_month=f"{reference.year:04d}-{reference.month:02d}",
        household_net=round(per_capita * MEMBERS), per_capita_net=per_capita,
        compliant_oop_medical=0)


@pytest.mark.django_db
@pytest.mark.parametrize(("per_capita", "ok"), [(LINE, True), (LINE - 1, False)])
def test_a_migrated_household_is_judged_on_its_annual_income_block(household, per_capita, ok):
    """Issue 11 item 2: without monthly rows (a county migrated from the national system),
    R6's stable-income condition reads the annual income block of the last 12 months: at
    the line it holds, a yuan below it does not."""
    from dixian.cases import eligibility

    now = timezone.now()
    _ready(household, now, months=MIN_MONTHS + 2)
    Income.objects.filter(household=household).delete()
    _annual_block(household, now, per_capita, months_ago=MIN_MONTHS)
    found = {c.name: c for c in eligibility.elimination_conditions(household, now)}
    assert found["income_stable"].ok is ok
    assert found["rigid_spending"].ok is ok
    assert set(found["income_stable"].values["basis"].values()) == {
        f"annual:{household.income_blocks.get().reference_month}"}


@pytest.mark.django_db
def test_an_annual_block_older_than_a_year_does_not_count(household):
    from dixian.cases import eligibility

    now = timezone.now()
    _ready(household, now, months=MIN_MONTHS + 2)
    Income.objects.filter(household=household).delete()
    # a block speaks for the 12 months from its reference month: 13 months ago, it still
    # covers the first four of the last six months, not the last two
    _annual_block(household, now, LINE + 1000, months_ago=13)
    found = {c.name: c for c in eligibility.elimination_conditions(household, now)}
    assert not found["income_stable"].ok
    assert len(found["income_stable"].values["months_below"]) == 2
    household.income_blocks.all().delete()
    _annual_block(household, now, LINE + 1000, months_ago=18)
    found = {c.name: c for c in eligibility.elimination_conditions(household, now)}
    assert len(found["income_stable"].values["months_below"]) == MIN_MONTHS


@pytest.mark.django_db
def test_r2_falls_back_to_the_annual_block(household):
    from dixian.cases import eligibility

    now = timezone.now()
    Income.objects.filter(household=household).delete()
    _annual_block(household, now, LINE - 1, months_ago=1)
    verdict = eligibility.classify(household, ["ILLNESS"], now)
    assert verdict.category in ("UNSTABLE", "MARGINAL")
    assert verdict.values["source"].startswith("annual:")


@pytest.mark.django_db
def test_months_are_counted_from_the_open_spell_of_this_household(household):
    """R6's six months run from the start of the household's current monitoring spell: not
    from an earlier, ended spell, or the month the registry says
    it was first identified."""
    from dixian.cases import eligibility
    from dixian.cases.models import MonitoringSpell

    now = timezone.now()
    old = make_monitored(household, since=_month_start(now, 40))
    MonitoringSpell.objects.filter(pk=old.pk).update(
        ended_on=timezone.localdate(_month_start(now, 20)))
    make_monitored(household, since=_month_start(now, 3))
    Household.objects.filter(pk=household.pk).update(identified_month="2019-01")
    found = {c.name: c for c in eligibility.elimination_conditions(
        Household.objects.get(pk=household.pk), now)}
    assert found["months_monitored"].values["months"] == 3
    assert not found["months_monitored"].ok


@pytest.mark.django_db
def test_without_a_spell_months_count_from_the_identified_month(household):
    from dixian.cases import eligibility

    now = timezone.now()
    identified = _month_start(now, 7)
    Household.objects.filter(pk=household.pk).update(
        identified_month=f"{identified.year:04d}-{identified.month:02d}")
    found = {c.name: c for c in eligibility.elimination_conditions(
        Household.objects.get(pk=household.pk), now)}
    assert found["months_monitored"].values["months"] == 7


@pytest.mark.django_db
def test_the_line_of_a_year_is_the_one_in_force_in_july(household):
    """domain.md §1.2, Guizhou: 7,300 yuan in 2023 [VL S17], 8,700 from 2024 [VL S9]."""
    import datetime as dt

    from dixian.cases import eligibility

    assert eligibility.line_for(household, 2023) == 7300
    assert eligibility.line_for(household, 2024) == LINE
    assert eligibility.line_for(household, 2023, dt.date(2024, 3, 1)) == LINE
