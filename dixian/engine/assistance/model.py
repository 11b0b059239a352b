"""The plain records the assistance engine reads and the violations it returns.

The engine works on one household at a time (the plan page, the entry form), so its inputs are
small frozen dataclasses rather than Arrow tables: the Django side builds them from its models
(or a test builds them by hand). Enumerated fields hold the English codes of
:data:`dixian.engine.schema.ENUMS`; a code outside them is refused at construction so that a
typo cannot silently switch a rule off.

Measure status follows the national system's life of a measure: ``planned`` (recorded in the
plan, not yet started) → ``in_progress`` (being carried out) → ``implemented`` (已实施:
delivered — subsidy paid, loan disbursed, job taken, benefit granted) → ``ended`` (finished:
loan repaid, post agreement over, school stage completed). An ended measure was implemented.

>>> m = PlanMeasure("HEALTH", "MEDICAL_ASSISTANCE", status="implemented",
...                 started_on=date(2025, 3, 2), implemented_on=date(2025, 3, 9))
>>> m.in_place_on, m.is_implemented
(datetime.date(2025, 3, 2), True)
>>> PlanMember("m1", labour_skill="strong")
Traceback (most recent call last):
...
ValueError: member m1: labour_skill 'strong' is not a code of ENUMS['labour_skill']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..schema import ENUMS

__all__ = ["STATUSES", "SEVERITIES", "FINDINGS", "PlanHousehold", "PlanMember", "PlanMeasure",
           "Violation", "age_on", "ABLE_SKILLS", "NO_LABOUR_SKILLS", "VOCATIONAL_STATUSES",
           "IN_SCHOOL_STATUSES", "MIGRANT_WORK_STATUSES"]

#: measure status -> (Chinese, English)
STATUSES: dict[str, tuple[str, str]] = {
    "planned": ("计划", "planned"),
    "in_progress": ("实施中", "in progress"),
    "implemented": ("已实施", "implemented"),
    "ended": ("已结束", "ended"),
}
#: severity -> (Chinese, English); the same two levels as the data-quality rules
SEVERITIES: dict[str, tuple[str, str]] = {"error": ("错误", "must be corrected"),
                                          "warning": ("提示", "to be verified")}
#: what a violation says about the plan -> (Chinese, English)
FINDINGS: dict[str, tuple[str, str]] = {
    "missing": ("期限已过仍未落实", "the deadline has passed and no measure is in place"),
    "pending": ("尚未登记，期限未到", "nothing recorded yet; the deadline has not passed"),
    "late": ("已落实但晚于期限", "in place, but after the deadline"),
    "not_implemented": ("已登记但未实施", "recorded but not implemented"),
    "only_social_security": ("仅有综合保障", "social security is the only measure"),
    "doubtful_risk": ("风险类型与家庭情况不符", "the risk type does not fit the household"),
    "check": ("措施不符合政策要求", "the measure breaks an instrument rule"),
}

#: labour_skill codes of members who can work (普通劳动力, 技能劳动力) [VL S17 rule 5_11_032]
ABLE_SKILLS = ("ordinary", "skilled")
#: labour_skill codes of members who cannot work at all (无劳动力, 丧失劳动力) [R4]
NO_LABOUR_SKILLS = ("none", "lost")
#: secondary (中职) and higher (高职高专) vocational school: the 雨露计划 target group
VOCATIONAL_STATUSES = ("vocational_1", "vocational_2", "vocational_3", "higher_vocational_1",
                       "higher_vocational_2", "higher_vocational_3")
#: every schooling status of a pupil or student actually in school
IN_SCHOOL_STATUSES = tuple(
    s for s in ENUMS["schooling_status"]
    if s not in ("not_in_school", "preschool_child", "dropout"))
#: work statuses outside the home county (外出务工) — what a transport subsidy pays for
MIGRANT_WORK_STATUSES = ("migrant_in_province", "migrant_out_of_province")


def _check_code(owner: str, field: str, value, enum: str) -> None:
    if value is not None and value not in ENUMS[enum]:
        raise ValueError(f"{owner}: {field} {value!r} is not a code of ENUMS[{enum!r}]")


def age_on(birth: date, on: date) -> int:
    """Whole years from ``birth`` to ``on`` (a birthday counts on the day itself).

    >>> age_on(date(2000, 6, 15), date(2018, 6, 14)), age_on(date(2000, 6, 15), date(2018, 6, 15))
    (17, 18)
    """
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class PlanHousehold:
    """The household facts R4 and the suggestions need.

    ``identified_on`` is the date of identification (the registry keeps a month; use its first
    day). ``risk_types`` are codes of ``ENUMS["risk_type"]``, main risk first (at most five in
    the national system). ``eliminated_on`` is set once the risk is eliminated: the labour
    rules only apply while it is not. ``land_mu`` is the total productive land (耕地 + 林地 +
    退耕还林 + 林果 + 牧草地 + 水面, in 亩).
    """

    identified_on: date | None
    risk_types: tuple[str, ...] = ()
    household_ref: str | None = None
    province: str | None = None               # 2-digit code: picks the province's parameters
    eliminated_on: date | None = None
    dropout_flag: bool | None = None          # 是否义务教育阶段适龄儿童少年失学辍学
    uninsured_member_flag: bool | None = None  # 是否有家庭成员未参加基本医疗保险
    housing_grade: str | None = None          # A/B safe, C/D dangerous
    safe_drinking_water: bool | None = None
    main_road_distance_km: float | None = None
    land_mu: float | None = None

    def __post_init__(self):
        owner = f"household {self.household_ref or '?'}"
        object.__setattr__(self, "risk_types", tuple(self.risk_types))
        for r in self.risk_types:
            _check_code(owner, "risk_type", r, "risk_type")
        _check_code(owner, "housing_grade", self.housing_grade, "housing_grade")

    def eliminated_by(self, on: date) -> bool:
        return self.eliminated_on is not None and self.eliminated_on <= on


@dataclass(frozen=True)
class PlanMember:
    """One member. ``age`` is the age today and is used only when ``birth_date`` is missing
    (age-at-a-date checks need the birth date to be exact). ``insured`` is true when the
    member has basic medical insurance (resident or employee scheme), false when neither,
    ``None`` when unknown."""

    member_ref: str
    age: int | None = None
    birth_date: date | None = None
    labour_skill: str | None = None
    schooling_status: str | None = None
    health: str | None = None
    disability_type: str | None = None
    disability_grade: int | None = None
    insured: bool | None = None
    work_status: str | None = None
    dibao: str | None = None
    tekun: str | None = None
    active: bool = True                       # False: deceased or deregistered

    def __post_init__(self):
        owner = f"member {self.member_ref}"
        for f, enum in (("labour_skill", "labour_skill"), ("schooling_status", "schooling_status"),
                        ("health", "health"), ("disability_type", "disability_type"),
                        ("work_status", "work_status"), ("dibao", "dibao"), ("tekun", "tekun")):
            _check_code(owner, f, getattr(self, f), enum)

    def age_at(self, on: date) -> int | None:
        """Age on ``on`` from the birth date, else the recorded age, else ``None``."""
        if self.birth_date is not None:
            return age_on(self.birth_date, on)
        return self.age

    @property
    def able(self) -> bool:
        return self.labour_skill in ABLE_SKILLS

    @property
    def no_labour(self) -> bool:
        return self.labour_skill in NO_LABOUR_SKILLS

    @property
    def disabled(self) -> bool:
        return self.health == "disabled" or self.disability_type is not None

    @property
    def in_school(self) -> bool:
        return self.schooling_status in IN_SCHOOL_STATUSES


@dataclass(frozen=True)
class PlanMeasure:
    """One assistance measure of the plan.

    ``category`` is a category code of the catalogue; ``instrument`` an instrument code (or
    ``None`` for a measure recorded by category only, as the national export's free-text
    columns allow). The rules match measures to risks by category and instrument, as the
    national system does, not by the risk a measure was recorded against. ``member_ref``
    names the member it is for (borrower, post holder, student, patient). ``amount`` is in
    yuan (an int or a Decimal: loan principal, subsidy, monthly benefit);
    ``term_months`` the loan term; ``interest_subsidy_share`` the share of the loan interest
    the state pays this year (贴息比例); ``planned_end_on`` the end the measure runs to
    (loan maturity, end of the post agreement, end of the school stage).
    """

    category: str
    instrument: str | None = None
    status: str = "planned"
    measure_ref: str | None = None
    member_ref: str | None = None
    planned_on: date | None = None
    started_on: date | None = None
    implemented_on: date | None = None
    ended_on: date | None = None
    planned_end_on: date | None = None
    amount: int | Decimal | None = None
    term_months: int | None = None
    interest_subsidy_share: float | None = None

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"measure {self.measure_ref or '?'}: status {self.status!r} is not "
                             f"one of {list(STATUSES)}")

    @property
    def in_place_on(self) -> date | None:
        """The day the measure was in place (落实): its start, or its implementation if no
        start was recorded; ``None`` while it is only planned."""
        if self.status == "planned":
            return None
        days = [d for d in (self.started_on, self.implemented_on) if d is not None]
        return min(days) if days else None

    @property
    def is_implemented(self) -> bool:
        """已实施: implemented, or implemented and since ended."""
        return self.status in ("implemented", "ended")

    @property
    def start_or_plan(self) -> date | None:
        """The date the measure starts, or is planned to start (for age and overlap checks)."""
        return self.in_place_on or self.started_on or self.planned_on

    def running_on(self, on: date) -> bool:
        """In place on ``on`` and not ended before it."""
        start = self.in_place_on
        return start is not None and start <= on and (self.ended_on is None or self.ended_on >= on)

    def label(self) -> str:
        return self.measure_ref or self.instrument or self.category


@dataclass(frozen=True)
class Violation:
    """One problem with a plan or a measure.

    ``rule_id`` is an R4 plan rule (``R4-…``) or an instrument check (``C-…``);
    ``risk_type`` the risk it concerns (``None`` for labour rules and checks); ``finding`` one
    of :data:`FINDINGS`; ``department`` the code of the department that leads the fix;
    ``due_on`` the deadline for a plan rule.
    """

    rule_id: str
    risk_type: str | None
    severity: str
    sentence_zh: str
    sentence_en: str
    department: str | None
    finding: str = "check"
    rule_version: int = 1
    measure_ref: str | None = None
    member_ref: str | None = None
    due_on: date | None = None
