"""Instrument checks: one function per check, each with its sentence in Chinese and English.

A check looks at one measure (with its member, its household and the household's other
measures) and returns ``None`` when the measure is fine, or the values that fill its sentences
when it is not. :func:`check` registers a function with its id, version, the instruments it
applies to (none: every measure), severity, parameters and source; :data:`CHECKS` lists them in
order. ``error`` means the measure must be refused or corrected, ``warning`` that it should be
verified.

Ages are taken on the measure's start (or planned start) and, for a running post, also today;
they come from the member's birth date, else from the recorded age.

>>> from datetime import date
>>> from .model import PlanMeasure
>>> loan = PlanMeasure("FINANCE", "MICROCREDIT", amount=50001, planned_on=date(2025, 3, 1))
>>> [v.rule_id for v in check_measure(loan, today=date(2025, 3, 1))]
['C-GEN-04', 'C-MC-01']
>>> print(check_measure(loan, today=date(2025, 3, 1))[1].sentence_zh)
小额信贷金额 50,001 元，超过上限 50,000 元
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ..schema import ENUMS
from .catalogue import Catalogue, for_province
from .model import (
    MIGRANT_WORK_STATUSES,
    STATUSES,
    VOCATIONAL_STATUSES,
    PlanHousehold,
    PlanMeasure,
    PlanMember,
    Violation,
)
from .params import PARAMETERS, interest_subsidy_share, resolve

__all__ = ["Check", "CheckContext", "CHECKS", "CHECKS_BY_ID", "check", "check_measure",
           "check_measures", "format_values"]


@dataclass(frozen=True)
class CheckContext:
    measure: PlanMeasure
    member: PlanMember | None
    household: PlanHousehold | None
    measures: tuple[PlanMeasure, ...]     # every measure of the household, this one included
    members: Mapping[str, PlanMember]
    params: Mapping[str, Any]
    today: date
    catalogue: Catalogue


@dataclass(frozen=True)
class Check:
    id: str
    version: int
    func: Callable[[CheckContext], Mapping[str, Any] | None]
    instruments: tuple[str, ...]          # () = every measure
    severity: str
    title_zh: str
    title_en: str
    sentence_zh: str
    sentence_en: str
    params: tuple[str, ...] = ()
    source: str = ""
    department: str | None = None         # None: the instrument's department

    def fingerprint(self) -> str:
        """Hash of the code and sentences; a change needs a new version."""
        blob = json.dumps({"code": inspect.getsource(self.func), "inst": self.instruments,
                           "sev": self.severity, "zh": self.sentence_zh, "en": self.sentence_en,
                           "params": self.params}, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha1(blob).hexdigest()[:10]


CHECKS: list[Check] = []


def check(id: str, *, version: int, severity: str, title_zh: str, title_en: str,
          sentence_zh: str, sentence_en: str, instruments: Sequence[str] = (),
          params: Sequence[str] = (), source: str, department: str | None = None):
    """Register a function as check ``id``: ``check("C-…", …)(function)`` right after its
    definition (not decorator syntax: mutmut does not mutate decorated functions, and these
    functions decide; docs/mutation-testing.md)."""
    def register(func):
        unknown = [p for p in params if p not in PARAMETERS]
        if unknown or severity not in ("error", "warning"):
            raise ValueError(f"check {id}: bad parameters {unknown} or severity {severity!r}")
        CHECKS.append(Check(id, version, func, tuple(instruments), severity, title_zh, title_en,
                            sentence_zh, sentence_en, tuple(params), source, department))
        return func
    return register


def format_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Numbers get thousands separators (whole numbers without decimals, so a Decimal amount
    of 50001.00 reads 50,001) and dates ISO form, as in the screening sentences.

    >>> format_values({"a": 50001, "b": Decimal("50001.00"), "c": 12.5, "d": date(2025, 1, 2)})
    {'a': '50,001', 'b': '50,001', 'c': '12.50', 'd': '2025-01-02'}
    """
    out = {}
    for k, v in values.items():
        if isinstance(v, bool):
            out[k] = v
        elif isinstance(v, (int, float, Decimal)):
            out[k] = f"{int(v):,}" if v == int(v) else f"{v:,.2f}"
        elif isinstance(v, date):
            out[k] = v.isoformat()
        else:
            out[k] = v
    return out


def _inst_label(ctx: CheckContext) -> tuple[str, str]:
    inst = ctx.catalogue.instruments.get(ctx.measure.instrument or "")
    return (inst.zh, inst.en) if inst else (ctx.measure.instrument or ctx.measure.category,) * 2


def _ages(ctx: CheckContext, *, while_running: bool) -> list[tuple[int, date]]:
    """(age, on) at the measure's start and, if asked and still running, today."""
    m, member = ctx.measure, ctx.member
    if member is None:
        return []
    days = [d for d in (m.start_or_plan,) if d is not None]
    if while_running and m.status != "ended" and m.ended_on is None:
        days.append(ctx.today)
    out = []
    for d in days or [ctx.today]:
        a = member.age_at(d)
        if a is not None:
            out.append((a, d))
    return out


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, a started month counting as one."""
    return (end.year - start.year) * 12 + end.month - start.month + (end.day > start.day)


# ============================================================================ every measure
def unknown_category(ctx):
    if ctx.measure.category not in ctx.catalogue.categories:
        return {"category": ctx.measure.category}
check("C-GEN-01", version=1, severity="error",
      title_zh="措施类别不在目录中", title_en="Unknown measure category",
      sentence_zh="帮扶措施类别“{category}”不在本省措施目录中",
      sentence_en="Measure category {category} is not in the province's catalogue",
      source="catalogue (§2.3 national columns)")(unknown_category)


def instrument_in_catalogue(ctx):
    m = ctx.measure
    if m.instrument is None or m.category not in ctx.catalogue.categories:
        return None
    inst = ctx.catalogue.instruments.get(m.instrument)
    if inst is None:
        return {"instrument": m.instrument, "problem_zh": "不在本省措施目录中",
                "problem_en": "is not in the province's catalogue"}
    if inst.category != m.category:
        cat = ctx.catalogue.category(inst.category)
        return {"instrument": inst.zh, "problem_zh": f"属于“{cat.zh}”，不能登记在"
                                                      f"“{ctx.catalogue.category(m.category).zh}”",
                "problem_en": f"belongs to {inst.category}, not {m.category}"}
check("C-GEN-02", version=1, severity="error",
      title_zh="措施不在目录中或与类别不符", title_en="Unknown instrument or wrong category",
      sentence_zh="帮扶措施“{instrument}”{problem_zh}",
      sentence_en="Instrument {instrument} {problem_en}",
      source="catalogue")(instrument_in_catalogue)


def amount_not_negative(ctx):
    if ctx.measure.amount is not None and ctx.measure.amount < 0:
        zh, en = _inst_label(ctx)
        return {"instrument_zh": zh, "instrument_en": en, "amount": ctx.measure.amount}
check("C-GEN-03", version=1, severity="error",
      title_zh="金额为负数", title_en="Negative amount",
      sentence_zh="{instrument_zh}金额为 {amount} 元，不能为负数",
      sentence_en="The amount of {instrument_en} is {amount} yuan; it cannot be negative",
      source="[I] amounts (loans, subsidies, 低保/特困 benefits) are non-negative",
      )(amount_not_negative)


def member_named(ctx):
    m = ctx.measure
    inst = ctx.catalogue.instruments.get(m.instrument)
    zh, en = _inst_label(ctx)
    if m.member_ref is not None and ctx.members and m.member_ref not in ctx.members:
        return {"instrument_zh": zh, "instrument_en": en,
                "problem_zh": f"但成员 {m.member_ref} 不在本户",
                "problem_en": f"but member {m.member_ref} is not in the household"}
    if inst is not None and inst.target == "member" and m.member_ref is None:
        return {"instrument_zh": zh, "instrument_en": en, "problem_zh": "但未指明成员",
                "problem_en": "no member is named"}
check("C-GEN-04", version=2, severity="error",
      title_zh="到人措施未指明本户成员", title_en="Member-level measure without a member",
      sentence_zh="{instrument_zh}须落实到具体成员，{problem_zh}",
      sentence_en="{instrument_en} is for a named member; {problem_en}",
      source="catalogue target; §2.3 person-level fields")(member_named)


def status_dates(ctx):
    m = ctx.measure
    zh, en = STATUSES[m.status]
    problem = None
    if m.status == "planned" and (m.implemented_on or m.ended_on):
        problem = ("已登记实施或结束日期", "it has an implementation or end date")
    elif m.status != "planned" and m.in_place_on is None:
        problem = ("未登记开始或实施日期", "it has no start or implementation date")
    elif m.status == "ended" and m.ended_on is None:
        problem = ("未登记结束日期", "it has no end date")
    elif m.status != "ended" and m.ended_on is not None:  # in progress or implemented
        problem = ("已登记结束日期", "it has an end date")
    if problem is not None:
        return {"status_zh": zh, "status_en": en, "problem_zh": problem[0],
                "problem_en": problem[1]}
check("C-GEN-05", version=2, severity="error",
      title_zh="措施状态与日期不符", title_en="Status and dates disagree",
      sentence_zh="措施状态为“{status_zh}”，但{problem_zh}",
      sentence_en="The measure is {status_en}, but {problem_en}",
      source="measure life: planned → in progress → implemented → ended")(status_dates)


def dates_in_order(ctx):
    m = ctx.measure
    named = (("started_on", "开始日期", "start date"), ("implemented_on", "实施日期",
                                                         "implementation date"),
             ("ended_on", "结束日期", "end date"))
    for f, zh, en in named:
        d = getattr(m, f)
        if d is not None and d > ctx.today:
            return {"what_zh": zh, "what_en": en, "day": d, "problem_zh": "晚于今天",
                    "problem_en": "is in the future"}
    if m.started_on and m.implemented_on and m.implemented_on < m.started_on:
        return {"what_zh": "实施日期", "what_en": "implementation date", "day": m.implemented_on,
                "problem_zh": "早于开始日期", "problem_en": "is before the start date"}
    first = m.in_place_on
    if m.ended_on and first and m.ended_on < first:
        return {"what_zh": "结束日期", "what_en": "end date", "day": m.ended_on,
                "problem_zh": "早于开始日期", "problem_en": "is before the start date"}
check("C-GEN-06", version=1, severity="error",
      title_zh="措施日期顺序错误或晚于今天", title_en="Dates out of order or in the future",
      sentence_zh="{what_zh}（{day}）{problem_zh}",
      sentence_en="The {what_en} ({day}) {problem_en}",
      source="§5.3 timeliness (dates in order, none in the future)")(dates_in_order)


# ============================================================================ micro-credit
def microcredit_amount(ctx):
    cap = ctx.params["microcredit_max_amount"]
    if ctx.measure.amount is not None and ctx.measure.amount > cap:
        return {"amount": ctx.measure.amount, "max": cap}
check("C-MC-01", version=1, severity="error", instruments=("MICROCREDIT",),
      params=("microcredit_max_amount",),
      title_zh="小额信贷金额超过上限", title_en="Micro-credit above the maximum",
      sentence_zh="小额信贷金额 {amount} 元，超过上限 {max} 元",
      sentence_en="The micro-credit loan of {amount} yuan exceeds the maximum of {max} yuan",
      source="§3.3, §11.1 microcredit.max_amount [VL S58]")(microcredit_amount)


def microcredit_term(ctx):
    m = ctx.measure
    months = m.term_months
    if months is None and m.planned_end_on and m.start_or_plan:
        months = _months_between(m.start_or_plan, m.planned_end_on)
    years = ctx.params["microcredit_max_years"]
    if months is not None and months > 12 * years:
        return {"months": months, "years": years}
check("C-MC-02", version=1, severity="error", instruments=("MICROCREDIT",),
      params=("microcredit_max_years",),
      title_zh="小额信贷期限超过上限", title_en="Micro-credit term too long",
      sentence_zh="小额信贷期限 {months} 个月，超过 {years} 年",
      sentence_en="The micro-credit term of {months} months exceeds {years} years",
      source="§3.3, §11.1 microcredit.max_years [VL S58]")(microcredit_term)


def microcredit_borrower_age(ctx):
    lo, hi = ctx.params["microcredit_borrower_min_age"], ctx.params["microcredit_borrower_max_age"]
    for age, on in _ages(ctx, while_running=False):
        if not lo <= age <= hi:
            return {"age": age, "on": on, "min": lo, "max": hi}
check("C-MC-03", version=1, severity="error", instruments=("MICROCREDIT",),
      params=("microcredit_borrower_min_age", "microcredit_borrower_max_age"),
      title_zh="借款人年龄不符合要求", title_en="Borrower too young or too old",
      sentence_zh="借款人在贷款开始时（{on}）{age}岁，小额信贷借款人须为{min}-{max}周岁",
      sentence_en="The borrower is {age} at the loan start ({on}); micro-credit borrowers "
                  "must be {min}–{max}",
      source="§3.3, §11.1 microcredit.borrower_age [VL S58]")(microcredit_borrower_age)


def microcredit_interest_subsidy(ctx):
    m = ctx.measure
    if m.interest_subsidy_share is None:
        return None
    # the share is the one paid this year while the loan runs, else in the year it ended
    year = (m.ended_on or ctx.today).year
    cap = interest_subsidy_share(year, ctx.params)
    if m.interest_subsidy_share > cap + 1e-9:
        return {"year": str(year), "share": f"{m.interest_subsidy_share:.0%}", "max": f"{cap:.0%}"}
check("C-MC-04", version=1, severity="error", instruments=("MICROCREDIT",),
      params=("microcredit_interest_subsidy_share_by_year",),
      title_zh="小额信贷贴息比例超过当年标准", title_en="Interest subsidy above the year's share",
      sentence_zh="{year}年小额信贷贴息比例为{share}，超过当年标准{max}",
      sentence_en="The {year} interest subsidy share of {share} exceeds that year's {max}",
      source="§3.3, §11.1 microcredit.interest_subsidy_share [VL S58]",
      )(microcredit_interest_subsidy)


# ============================================================================ posts
def post_age(ctx):
    lo = ctx.params["public_welfare_post_min_age"]
    hi = ctx.params["public_welfare_post_max_age_exclusive"]
    for age, on in _ages(ctx, while_running=True):
        if not lo <= age < hi:
            return {"age": age, "on": on, "min": lo, "max_excl": hi}
check("C-PWP-01", version=1, severity="error", instruments=("PUBLIC_WELFARE_POST",),
      params=("public_welfare_post_min_age", "public_welfare_post_max_age_exclusive"),
      title_zh="公益性岗位人员年龄不符合要求", title_en="Post holder too young or too old",
      sentence_zh="公益性岗位人员在{on}为{age}岁，岗位人员须年满{min}岁且不满{max_excl}岁",
      sentence_en="The post holder is {age} on {on}; holders must be at least {min} and "
                  "under {max_excl}",
      source="§5.3, §11.1 public_welfare_post [VL S17 rules 5_12_004/005, 3_01_008]")(post_age)


def posts_per_person(ctx):
    m = ctx.measure
    start = m.start_or_plan
    if m.member_ref is None or start is None:
        return None
    order = {id(x): k for k, x in enumerate(ctx.measures)}

    def key(x):
        return (x.start_or_plan, x.measure_ref or "", order[id(x)])

    # posts of the same member that started before this one (ties: by reference, then by
    # order) and are still held on its start day; the earlier ones are kept and the one that
    # goes over the limit is refused. A post ending on the day another starts is handed over.
    held = [x for x in ctx.measures
            if x is not m and x.instrument == "PUBLIC_WELFARE_POST"
            and x.member_ref == m.member_ref and x.start_or_plan is not None
            and key(x) < key(m) and (x.ended_on is None or x.ended_on > start)]
    cap = ctx.params["public_welfare_post_max_posts_per_person"]
    if len(held) >= cap:
        return {"held": len(held), "on": start, "max": cap}
check("C-PWP-02", version=2, severity="error", instruments=("PUBLIC_WELFARE_POST",),
      params=("public_welfare_post_max_posts_per_person",),
      title_zh="同一人同时担任的公益性岗位过多", title_en="Too many posts for one person",
      sentence_zh="该成员在{on}已有{held}个公益性岗位，每人同时最多{max}个",
      sentence_en="The member already holds {held} public-welfare posts on {on}; at most "
                  "{max} at a time",
      source="§5.3, §11.1 public_welfare_post.max_posts_per_person [VL S17 rules 3_01_010/011]",
      )(posts_per_person)


# ============================================================================ education
def yulu_vocational(ctx):
    if ctx.member is not None and ctx.member.schooling_status not in VOCATIONAL_STATUSES:
        s = ctx.member.schooling_status
        return {"status": ENUMS["schooling_status"][s] if s else "未登记",
                "status_en": s or "not recorded"}
check("C-EDU-01", version=2, severity="error", instruments=("YULU_PLAN",),
      title_zh="雨露计划对象不是职业院校在校生", title_en="Yulu plan for a non-vocational student",
      sentence_zh="雨露计划只资助中职、高职在校生，该成员在校状况为“{status}”",
      sentence_en="The Yulu plan is only for students in secondary or higher vocational "
                  "school; the member's schooling status is {status_en}",
      source="§3.3 [VL S17 rule 1111_2]")(yulu_vocational)


def student_aid_in_school(ctx):
    if ctx.member is not None and not ctx.member.in_school:
        s = ctx.member.schooling_status
        return {"status": ENUMS["schooling_status"][s] if s else "未登记",
                "status_en": s or "not recorded"}
check("C-EDU-02", version=2, severity="warning", instruments=("STUDENT_AID",),
      title_zh="学生资助对象不在校", title_en="Student aid for a member not in school",
      sentence_zh="学生资助对象在校状况为“{status}”，不是在校学生",
      sentence_en="Student aid goes to a member whose schooling status is {status_en}, not a "
                  "pupil or student",
      source="[I] §3.3 因学 → school aid")(student_aid_in_school)


# ============================================================================ social security
def tekun_able_adult(ctx):
    mem = ctx.member
    if mem is None or mem.health != "healthy" or mem.in_school:
        return None
    age = mem.age_at(ctx.today)
    if age is not None and ctx.params["tekun_able_age_min"] <= age <= \
            ctx.params["tekun_able_age_max"]:
        return {"age": age}
check("C-SS-01", version=1, severity="warning", instruments=("TEKUN",),
      params=("tekun_able_age_min", "tekun_able_age_max"),
      title_zh="特困供养对象为健康劳动年龄人口", title_en="特困 for a healthy working-age adult",
      sentence_zh="特困供养对象{age}岁、身体健康且不在校，请核实是否符合特困条件",
      sentence_en="The 特困 recipient is {age}, healthy and not a student; verify the "
                  "eligibility",
      source="§5.3 [VL S17 rules 5_15_018/019]")(tekun_able_adult)


def dibao_and_tekun(ctx):
    m = ctx.measure
    if m.member_ref is None or not m.running_on(ctx.today):  # a TEKUN measure (instruments)
        return None
    member = ctx.members.get(m.member_ref)
    # a household-level 低保 measure does not name the person, so only a 低保 measure for this
    # member (or the registry's own 低保 field) counts
    on_dibao = any(x.instrument == "DIBAO" and x.running_on(ctx.today) and
                   x.member_ref == m.member_ref for x in ctx.measures)
    if on_dibao or (member is not None and member.dibao in ("rural", "urban")):
        return {}
check("C-SS-02", version=2, severity="warning", instruments=("TEKUN",),
      title_zh="同一人同时享受低保和特困供养", title_en="低保 and 特困 for the same person",
      sentence_zh="该成员同时享受低保和特困供养，特困人员不再重复享受低保",
      sentence_en="The member receives both 低保 and 特困 support; 特困 recipients do not also "
                  "receive 低保",
      source="[M] 社会救助暂行办法: 特困供养 replaces 低保 for the person")(dibao_and_tekun)


def allowance_disabled(ctx):
    mem = ctx.member
    if mem is not None and not mem.disabled:
        return {"health": ENUMS["health"][mem.health] if mem.health else "未登记",
                "health_en": mem.health or "not recorded"}
check("C-SS-03", version=2, severity="error", instruments=("DISABILITY_ALLOWANCES",),
      title_zh="残疾人补贴对象不是残疾人", title_en="Disability allowance without a disability",
      sentence_zh="残疾人两项补贴发给了未登记残疾的成员（健康状况：{health}）",
      sentence_en="Disability allowances go to a member with no recorded disability (health: "
                  "{health_en})",
      source="§5.3 [VL S17 rules 4_11_012–016]")(allowance_disabled)


# ============================================================================ employment
def transport_migrant(ctx):
    mem = ctx.member
    if mem is not None and mem.work_status not in MIGRANT_WORK_STATUSES:
        s = mem.work_status
        return {"status": ENUMS["work_status"][s] if s else "未登记",
                "status_en": s or "not recorded"}
check("C-EMP-01", version=2, severity="warning", instruments=("MIGRANT_TRANSPORT_SUBSIDY",),
      title_zh="交通补贴对象未在县外务工", title_en="Transport subsidy without out-of-county work",
      sentence_zh="外出务工交通补贴对象的务工状况为“{status}”，不是县外务工",
      sentence_en="The transport subsidy goes to a member whose work status is {status_en}, "
                  "not work outside the county",
      source="§5.3 [VL S17 rules 4_11_012–016]")(transport_migrant)


def employment_able(ctx):
    mem = ctx.member
    if mem is not None and mem.no_labour:
        zh, en = _inst_label(ctx)
        return {"instrument_zh": zh, "instrument_en": en,
                "skill": ENUMS["labour_skill"][mem.labour_skill], "skill_en": mem.labour_skill}
check("C-EMP-02", version=1, severity="warning",
      instruments=("JOB_REFERRAL", "MIGRANT_TRANSPORT_SUBSIDY", "WORKSHOP_JOB",
                   "VOCATIONAL_TRAINING"),
      title_zh="就业帮扶对象无劳动能力",
      title_en="Employment measure for a member who cannot work",
      sentence_zh="{instrument_zh}的对象劳动技能为“{skill}”，请核实劳动能力",
      sentence_en="{instrument_en} goes to a member recorded as {skill_en}; verify the labour "
                  "capacity",
      source="[I], as rule 5_15_013 (employment needs an able member) [VL S17]")(employment_able)


# ============================================================================ housing
def renovation_unsafe(ctx):
    h = ctx.household
    if h is not None and h.housing_grade in ("A", "B"):
        return {"grade": ENUMS["housing_grade"][h.housing_grade], "grade_en": h.housing_grade}
check("C-HOU-01", version=1, severity="warning", instruments=("HOUSE_RENOVATION",),
      title_zh="危房改造对象住房为安全等级", title_en="Renovation of a safe (A/B) house",
      sentence_zh="危房改造只针对C、D级危房，该户住房鉴定为{grade}",
      sentence_en="Renovation is for C- and D-grade houses; this house is graded {grade_en}",
      source="§1.3 [VL S29]")(renovation_unsafe)


CHECKS_BY_ID: dict[str, Check] = {c.id: c for c in CHECKS}
assert len(CHECKS_BY_ID) == len(CHECKS)


def _applies(c: Check, m: PlanMeasure) -> bool:
    return not c.instruments or m.instrument in c.instruments


def check_measure(measure: PlanMeasure, *, today: date, member: PlanMember | None = None,
                  household: PlanHousehold | None = None,
                  measures: Iterable[PlanMeasure] = (), members: Iterable[PlanMember] = (),
                  params: Mapping[str, Any] | None = None,
                  catalogue: Catalogue | None = None) -> list[Violation]:
    """Every check that applies to ``measure``; violations in check order.

    ``measures`` are the household's measures (for the posts-per-person limit), ``members``
    its members (``member`` is looked up there by ``measure.member_ref`` when not given).
    ``params`` and ``catalogue`` default to those of the household's province.
    """
    province = household.province if household else None
    cat = catalogue or for_province(province)
    p = params if params is not None else resolve(province, today.year)
    members_by_ref = {x.member_ref: x for x in members}
    if member is None and measure.member_ref is not None:
        member = members_by_ref.get(measure.member_ref)
    all_measures = tuple(measures)
    if not any(x is measure for x in all_measures):
        all_measures = all_measures + (measure,)
    ctx = CheckContext(measure, member, household, all_measures, members_by_ref, p, today, cat)
    inst = cat.instruments.get(measure.instrument)
    out = []
    for c in CHECKS:
        if not _applies(c, measure):
            continue
        values = c.func(ctx)
        if values is None:
            continue
        v = format_values(values)
        dept = c.department or (inst.department if inst else None)
        if dept is None and measure.category in cat.categories:
            dept = cat.category(measure.category).departments[0]
        out.append(Violation(c.id, None, c.severity, c.sentence_zh.format(**v),
                             c.sentence_en.format(**v), dept, rule_version=c.version,
                             measure_ref=measure.measure_ref, member_ref=measure.member_ref))
    return out


def check_measures(measures: Iterable[PlanMeasure], members: Iterable[PlanMember] = (),
                   household: PlanHousehold | None = None, *, today: date,
                   params: Mapping[str, Any] | None = None,
                   catalogue: Catalogue | None = None) -> list[Violation]:
    """:func:`check_measure` over every measure of a household, in the measures' order."""
    measures, members = tuple(measures), tuple(members)
    province = household.province if household else None
    p = params if params is not None else resolve(province, today.year)
    cat = catalogue or for_province(province)
    out = []
    for m in measures:
        out += check_measure(m, today=today, household=household, measures=measures,
                             members=members, params=p, catalogue=cat)
    return out
