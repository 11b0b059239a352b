"""Suggested measures for a household: a ranked bundle of instruments with reasons.

**By the rules.** Every R4 rule that applies to the household (:mod:`.rules`) opens a
*block*: the risk rules in the household's risk order (main risk first), then the rules
triggered by facts (an uninsured member, a dropout, a vocational student), then the
development block for a household with labour and the safety-net block for a household
without any. Each block lists instruments in a fixed order (:data:`SUGGESTIONS`), each with a
condition on the household's capacities (:data:`CONDITIONS`: labour, skills, illness,
schooling members, land, distance to the road) and a reason sentence. Blocks whose rule is
already satisfied by a measure in place are skipped, and so are instruments the household
already has (not ended). An instrument suggested by several blocks appears once, at its first
place, with the members of all of them.

**By history.** ``history`` is an iterable of past cases: (household features, instrument,
outcome = the risk was eliminated within ``history_horizon_months`` or not), as
:class:`HistoryCase` or a plain ``(features, instrument, eliminated)`` tuple whose features
carry ``risk_types``. Cases are *similar* to a block when they share its risk type (blocks
without one — development, safety net, vocational student — use every case). When a block
has at least ``min_history`` similar cases, its instruments are reordered by a ranker; the
blocks themselves keep their order, because R4 needs a measure for every risk anyway.

The default ranker (:func:`shrinkage_ranker`) shrinks each instrument's observed success
rate toward a prior that encodes the rule order::

    p̄      = successes / cases over all similar cases
    prior_j = clamp(p̄ + spread · ((R − 1)/2 − j) / max(R − 1, 1), 0, 1)   # j = rule position
    score_j = (s_j + k · prior_j) / (n_j + k)

with ``k = suggest_prior_strength`` pseudo-cases and ``spread = suggest_rule_spread``. An
instrument never tried keeps its rule prior, so with no data the rule order stands; with many
cases the observed rate decides. Ties fall back to the rule order, so the result is
deterministic. Any callable with the same signature can be passed as ``ranker``.

>>> from datetime import date
>>> from .model import PlanHousehold, PlanMember
>>> hh = PlanHousehold(date(2025, 3, 1), ("ILLNESS",))
>>> ms = [PlanMember("a", age=45, labour_skill="ordinary", health="serious_illness",
...                  insured=True)]
>>> [s.instrument for s in suggest(hh, ms, today=date(2025, 3, 1))][:4]
['CRITICAL_ILLNESS_INSURANCE', 'MEDICAL_ASSISTANCE', 'FAMILY_DOCTOR', 'TEMPORARY_ASSISTANCE']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..schema import ENUMS
from .catalogue import Catalogue, for_province
from .model import (
    MIGRANT_WORK_STATUSES,
    VOCATIONAL_STATUSES,
    PlanHousehold,
    PlanMeasure,
    PlanMember,
)
from .params import resolve
from .rules import RULES_BY_ID, PlanRule, _matches, _subject, rules_for

__all__ = ["Option", "Condition", "CONDITIONS", "SUGGESTIONS", "HistoryCase", "Suggestion",
           "Ranker", "shrinkage_ranker", "suggest", "blocks_for"]


# ============================================================================ conditions
@dataclass(frozen=True)
class Condition:
    zh: str
    en: str
    #: the members it selects (a tuple, possibly empty for a household-level condition), or
    #: ``None`` when it does not hold
    select: Callable[[PlanHousehold, Sequence[PlanMember], Mapping[str, Any], date],
                     tuple[PlanMember, ...] | None]


def _members(pred) -> Callable:
    def select(h, ms, p, today):
        out = tuple(m for m in ms if pred(m, p, today))
        return out or None
    return select


def _household(pred) -> Callable:
    return lambda h, ms, p, today: () if pred(h, ms, p) else None


def _age_between(m: PlanMember, today: date, lo: int, hi: int) -> bool:
    a = m.age_at(today)
    return a is not None and lo <= a <= hi


def _uninsured(h, ms, p, today):
    out = tuple(m for m in ms if m.insured is False)
    return out or (() if h.uninsured_member_flag else None)


def _dropout(h, ms, p, today):
    out = tuple(m for m in ms if m.schooling_status == "dropout")
    return out or (() if h.dropout_flag else None)


CONDITIONS: dict[str, Condition] = {
    "always": Condition("无条件", "always", _household(lambda h, ms, p: True)),
    "uninsured": Condition("有未参加基本医疗保险的成员", "a member lacks basic medical insurance",
                           _uninsured),
    "serious_ill": Condition("有患大病的成员", "a member is seriously ill",
                             _members(lambda m, p, t: m.health == "serious_illness")),
    "ill": Condition("有患大病或长期慢性病的成员", "a member is seriously or chronically ill",
                     _members(lambda m, p, t: m.health in ("serious_illness", "chronic"))),
    "disabled": Condition("有残疾成员", "a member is disabled",
                          _members(lambda m, p, t: m.disabled)),
    "vocational_student": Condition(
        "有中职、高职在校生", "a member is in vocational school",
        _members(lambda m, p, t: m.schooling_status in VOCATIONAL_STATUSES)),
    "student": Condition("有在校学生", "a member is in school",
                         _members(lambda m, p, t: m.in_school)),
    "dropout": Condition("有失学辍学儿童", "a child has dropped out", _dropout),
    "able": Condition("有普通或技能劳动力", "a member is ordinary or skilled labour",
                      _members(lambda m, p, t: m.able)),
    "ordinary": Condition("有普通劳动力（可通过培训提升技能）",
                          "a member is ordinary labour (training can add skills)",
                          _members(lambda m, p, t: m.labour_skill == "ordinary")),
    "migrant": Condition("有县外务工成员", "a member works outside the county",
                         _members(lambda m, p, t: m.work_status in MIGRANT_WORK_STATUSES)),
    "post_eligible": Condition(
        "有不在校、有一定劳动能力且年龄符合公益性岗位要求的成员",
        "a member not in school, with some labour capacity and of post age",
        _members(lambda m, p, t: m.labour_skill in ("weak", "ordinary", "skilled")
                 and not m.in_school
                 and _age_between(m, t, p["public_welfare_post_min_age"],
                                  p["public_welfare_post_max_age_exclusive"] - 1))),
    "borrower": Condition(
        "有年龄符合小额信贷要求的劳动力", "an able member of borrower age",
        _members(lambda m, p, t: m.able and _age_between(
            m, t, p["microcredit_borrower_min_age"], p["microcredit_borrower_max_age"]))),
    "no_labour_household": Condition(
        "整户无劳动能力", "no member can work",
        _household(lambda h, ms, p: bool(ms) and all(m.no_labour for m in ms))),
    "single_no_labour": Condition(
        "独居且无劳动能力（特困供养的近似条件）", "lives alone and cannot work (a proxy for 特困)",
        _household(lambda h, ms, p: len(ms) == 1 and ms[0].no_labour)),
    "unsafe_house": Condition("住房为C/D级危房或未鉴定", "the house is graded C/D or not graded",
                              _household(lambda h, ms, p: h.housing_grade in (None, "C", "D"))),
    "remote": Condition(
        "住房距村主干路超过搬迁建议距离", "the house is farther from the main road than the "
                                        "relocation distance",
        _household(lambda h, ms, p: h.main_road_distance_km is not None
                   and h.main_road_distance_km > p["relocation_suggest_road_km"])),
    "has_land": Condition("有耕地、林地等生产用地", "the household has productive land",
                          _household(lambda h, ms, p: (h.land_mu or 0) > 0)),
    "has_land_or_able": Condition(
        "有生产用地或有劳动力", "the household has land or able members",
        _household(lambda h, ms, p: (h.land_mu or 0) > 0 or any(m.able for m in ms))),
}


# ============================================================================ options
@dataclass(frozen=True)
class Option:
    instrument: str
    when: str                     # key of CONDITIONS
    reason_zh: str                # placeholders: {n} {km} {grade} {land} {mc_max} {mc_years}
    reason_en: str


_O = Option
_PREMIUM = _O("MEDICAL_PREMIUM_SUBSIDY", "uninsured",
              "家中有{n}名成员未参加基本医疗保险：资助参保，先让医保能报销",
              "{n} member(s) lack basic medical insurance: subsidise the premium so that "
              "costs can be reimbursed")
_YULU = _O("YULU_PLAN", "vocational_student", "有{n}名中职、高职在校生：申请雨露计划资助",
           "{n} member(s) are in vocational school: apply for the Yulu plan grant")
_DROPOUT = _O("DROPOUT_CONTROL", "dropout", "有义务教育阶段失学辍学儿童：落实控辍保学，劝返复学",
              "A compulsory-school-age child has dropped out: bring the child back to school")
_JOB = _O("JOB_REFERRAL", "able", "有{n}名劳动力：组织劳务输出，推荐稳定岗位",
          "{n} able member(s): refer them to stable jobs (labour export)")
_WORKSHOP = _O("WORKSHOP_JOB", "able", "有{n}名劳动力：安排到帮扶车间就近就业",
               "{n} able member(s): place them in a nearby assistance workshop")
_TRAINING = _O("VOCATIONAL_TRAINING", "ordinary", "有{n}名普通劳动力：参加技能培训，提高就业稳定性",
               "{n} member(s) are ordinary labour: skills training makes jobs steadier")
_POST = _O("PUBLIC_WELFARE_POST", "post_eligible",
           "有{n}名成员可就近从事公益性岗位（保洁、护林、护路等）",
           "{n} member(s) can take a public-welfare post near home (cleaning, forest or road "
           "ranger)")
_CREDIT = _O("MICROCREDIT", "borrower",
             "有{n}名年龄符合要求的劳动力：可申请小额信贷（{mc_max}元以下、{mc_years}年以内、免担保免抵押、"
             "财政贴息）",
             "{n} able member(s) of borrower age: micro-credit up to {mc_max} yuan for up to "
             "{mc_years} years, no guarantee or collateral, interest subsidised")
_TEMP = _O("TEMPORARY_ASSISTANCE", "always", "支出骤增或收入骤减、基本生活困难：申请临时救助",
           "A sudden cost or income loss threatens basic living: apply for temporary "
           "assistance")
_DIBAO_ALL = _O("DIBAO", "no_labour_household", "整户无劳动能力：纳入低保兜底",
                "No member can work: the minimum living guarantee is the safety net")
_TEKUN = _O("TEKUN", "single_no_labour", "独居且无劳动能力：申请特困人员救助供养",
            "Lives alone and cannot work: apply for extreme-hardship support")

#: block (an R4 rule id, or OTHER) -> options in rule order
SUGGESTIONS: dict[str, tuple[Option, ...]] = {
    "R4-ILL": (
        _PREMIUM,
        _O("CRITICAL_ILLNESS_INSURANCE", "serious_ill",
           "有{n}名成员患大病：落实大病保险倾斜支付（降低起付线、提高报销比例）",
           "{n} member(s) are seriously ill: apply the tilted critical-illness insurance "
           "payment (lower deductible, higher rate)"),
        _O("MEDICAL_ASSISTANCE", "serious_ill",
           "有{n}名成员患大病：基本医保和大病保险报销后，合规自付费用申请医疗救助",
           "{n} member(s) are seriously ill: medical assistance covers the compliant "
           "out-of-pocket costs left after basic and critical-illness insurance"),
        _O("FAMILY_DOCTOR", "ill",
           "有{n}名成员患大病或长期慢性病：签约家庭医生，规范治疗和慢病管理",
           "{n} member(s) are seriously or chronically ill: a family-doctor contract manages "
           "the treatment"),
        _TEMP,
    ),
    "R4-EDU": (
        _YULU,
        _O("STUDENT_AID", "student", "有{n}名在校学生：落实学生资助",
           "{n} member(s) are in school: apply for student financial aid"),
        _DROPOUT,
        _TEMP,
    ),
    "R4-DIS": (
        _O("DISABILITY_ALLOWANCES", "disabled",
           "有{n}名残疾成员：申请困难残疾人生活补贴和重度残疾人护理补贴",
           "{n} disabled member(s): apply for the living and nursing allowances"),
        _DIBAO_ALL,
        _POST,
        _TEMP,
    ),
    "R4-HOU": (
        _O("RELOCATION", "remote", "住房距村主干路{km}公里，较为偏远：优先考虑搬迁",
           "The house is {km} km from the village main road: consider relocation first"),
        _O("HOUSE_RENOVATION", "unsafe_house", "住房安全等级为{grade}：鉴定后实施危房改造",
           "The house is graded {grade_en}: appraise and renovate it"),
    ),
    "R4-WAT": (
        _O("WATER_PROJECT", "always", "饮水不安全：通过饮水工程解决水量、水质、取水方便和供水保障",
           "Unsafe drinking water: a water project fixes quantity, quality, access and supply"),
    ),
    "R4-DRP": (_DROPOUT,),
    "R4-INS": (_PREMIUM,),
    "R4-YULU": (_YULU,),
    "R4-EMP": (
        _JOB,
        _O("MIGRANT_TRANSPORT_SUBSIDY", "migrant", "有{n}名成员在县外务工：发放外出务工交通补贴",
           "{n} member(s) work outside the county: pay the migrant-work transport subsidy"),
        _TRAINING,
        _WORKSHOP,
        _POST,
    ),
    "R4-LAB": (
        _TEKUN,
        _O("DIBAO", "always", "缺劳动力、收入难以保障基本生活：申请低保",
           "Too little labour to secure basic living: apply for the minimum living guarantee"),
        _POST,
    ),
    "R4-DST": (
        _O("DISASTER_RELIEF", "always", "受灾：走快速通道，先行落实受灾救助",
           "Hit by a disaster: use the fast track and give disaster relief first"),
        _TEMP,
        _O("HOUSE_RENOVATION", "unsafe_house", "房屋受损或为危房（{grade}）：实施危房改造或重建",
           "The house is damaged or unsafe ({grade_en}): renovate or rebuild it"),
    ),
    "R4-ACC": (
        _TEMP,
        _O("MEDICAL_ASSISTANCE", "ill", "有{n}名成员因伤病治疗：申请医疗救助",
           "{n} member(s) are under treatment: apply for medical assistance"),
        _O("ANTI_POVERTY_INSURANCE", "always", "当地已投保防贫保的，申请理赔",
           "Where anti-poverty insurance is in place, file a claim"),
    ),
    "R4-IND": (
        _O("INDUSTRY_SUBSIDY", "has_land_or_able",
           "产业受挫但有土地{land}亩或有劳动力：落实产业奖补，恢复生产",
           "The business failed but the household has {land} mu of land or labour: an "
           "industry subsidy restarts production"),
        _CREDIT,
        _JOB,
    ),
    "R4-DEV": (
        _O("INDUSTRY_SUBSIDY", "has_land", "有生产用地{land}亩：发展种养业，落实产业奖补",
           "The household has {land} mu of productive land: support farming with an industry "
           "subsidy"),
        _JOB,
        _WORKSHOP,
        _TRAINING,
        _CREDIT,
    ),
    "R4-NOL": (
        _TEKUN,
        _O("DIBAO", "always", "整户无劳动能力：纳入低保，标记为整户无劳动能力兜底保障户",
           "No member can work: grant the minimum living guarantee and flag the household "
           "as a safety-net household"),
    ),
    "OTHER": (_TEMP,),
}


# ============================================================================ history
@dataclass(frozen=True)
class HistoryCase:
    """One past case: a household with these risks received this instrument, and its risk
    was (or was not) eliminated within the horizon. ``features`` carries anything else a
    custom ranker wants."""

    risk_types: tuple[str, ...]
    instrument: str
    eliminated: bool
    features: Mapping[str, Any] = field(default_factory=dict)


def _as_case(x) -> HistoryCase:
    if isinstance(x, HistoryCase):
        return x
    features, instrument, outcome = x
    risks = (features.get("risk_types", ()) if isinstance(features, Mapping)
             else getattr(features, "risk_types", ()))
    feats = features if isinstance(features, Mapping) else {}
    return HistoryCase(tuple(risks or ()), instrument, bool(outcome), feats)


#: (block risk type or None, instruments in rule order, similar cases, params) -> scores
Ranker = Callable[[str | None, Sequence[str], Sequence[HistoryCase], Mapping[str, Any]],
                  Mapping[str, float]]


def shrinkage_ranker(risk_type: str | None, instruments: Sequence[str],
                     cases: Sequence[HistoryCase], params: Mapping[str, Any]
                     ) -> dict[str, float]:
    """Success rates shrunk toward a rule-order prior (see the module docstring).

    >>> cases = [HistoryCase(("ILLNESS",), "B", True)] * 30 + \\
    ...         [HistoryCase(("ILLNESS",), "A", False)] * 30
    >>> s = shrinkage_ranker("ILLNESS", ["A", "B"], cases, {"suggest_prior_strength": 10,
    ...                                                      "suggest_rule_spread": 0.1})
    >>> s["B"] > s["A"]
    True
    """
    k = float(params["suggest_prior_strength"])
    spread = float(params["suggest_rule_spread"])
    n_all = len(cases)
    pbar = sum(c.eliminated for c in cases) / n_all if n_all else 0.5
    r = len(instruments)
    out = {}
    for j, inst in enumerate(instruments):
        prior = min(1.0, max(0.0, pbar + spread * ((r - 1) / 2 - j) / max(r - 1, 1)))
        mine = [c for c in cases if c.instrument == inst]
        s = sum(c.eliminated for c in mine)
        out[inst] = (s + k * prior) / (len(mine) + k)
    return out


# ============================================================================ suggestions
@dataclass(frozen=True)
class Suggestion:
    rank: int                              # 1-based, over the whole bundle
    instrument: str
    category: str
    department: str
    block: str                             # the R4 rule id (or OTHER) that placed it
    risk_type: str | None                  # that block's risk type
    member_refs: tuple[str, ...]           # the members it is for (empty: the household)
    satisfies: tuple[str, ...]             # the applicable R4 rules it would satisfy
    reason_zh: str
    reason_en: str
    basis: str                             # "rules" or "history"
    rule_order: int                        # 0-based position in its block by the rules
    score: float | None = None             # the ranker's score (history basis)
    cases: int = 0                         # similar past cases with this instrument
    successes: int = 0                     # ...eliminated within the horizon


@dataclass(frozen=True)
class _Block:
    id: str
    rule: PlanRule | None
    risk_type: str | None


def blocks_for(household: PlanHousehold, members: Sequence[PlanMember],
               measures: Sequence[PlanMeasure] = (), *, params: Mapping[str, Any],
               rules: Sequence[PlanRule], catalogue: Catalogue) -> list[_Block]:
    """The blocks of a household, in order; blocks whose rule is satisfied are left out."""
    active = [m for m in members if m.active]
    by_id = {r.id: r for r in rules}
    applicable = [r for r in rules if r.id in SUGGESTIONS and
                  _subject(r, household, active, params) is not None]
    ordered: list[_Block] = []
    for risk in household.risk_types:
        r = next((x for x in applicable if x.risk_type == risk), None)
        if r is not None:
            ordered.append(_Block(r.id, r, risk))
        elif risk == "OTHER":
            ordered.append(_Block("OTHER", None, "OTHER"))
    seen = {b.id for b in ordered}
    ordered += [_Block(r.id, r, r.risk_type) for r in applicable if r.id not in seen]
    open_measures = [m for m in measures if m.status != "planned" and m.ended_on is None]
    out = []
    for b in ordered:
        r = by_id.get(b.id)
        if r is not None and r.kind == "measure" and any(_matches(r, m) for m in open_measures):
            continue
        if r is not None and r.kind == "development" and any(
                m.is_implemented and catalogue.is_development(m.category, m.instrument)
                for m in open_measures):
            continue
        out.append(b)
    return out


def suggest(household: PlanHousehold, members: Iterable[PlanMember],
            history: Iterable[HistoryCase | tuple] | None = None, *,
            min_history: int | None = None, measures: Iterable[PlanMeasure] = (),
            today: date | None = None, params: Mapping[str, Any] | None = None,
            catalogue: Catalogue | None = None, rules: Iterable[PlanRule] | None = None,
            ranker: Ranker | None = None, limit: int | None = None) -> list[Suggestion]:
    """A ranked bundle of instruments for ``household``, each with a reason (zh + en).

    ``today`` (for ages) defaults to the identification date, else the current date;
    ``min_history`` to the parameter ``suggest_min_history``; ``ranker`` to
    :func:`shrinkage_ranker`. Deterministic for given inputs.
    """
    members = tuple(m for m in members if m.active)
    measures = tuple(measures)
    today = today or household.identified_on or date.today()
    p = params if params is not None else resolve(household.province, today.year)
    cat = catalogue or for_province(household.province)
    rules = tuple(rules_for(household.province) if rules is None else rules)
    min_history = p["suggest_min_history"] if min_history is None else min_history
    ranker = ranker or shrinkage_ranker
    cases = [_as_case(x) for x in (history or ())]
    have = {m.instrument for m in measures if m.instrument and m.ended_on is None}
    triggered = [r for r in rules if _subject(r, household, members, p) is not None]
    grade = household.housing_grade
    values = {
        "km": "" if household.main_road_distance_km is None
        else f"{household.main_road_distance_km:g}",
        "grade": ENUMS["housing_grade"][grade] if grade else "未鉴定",
        "grade_en": grade or "not graded",
        "land": f"{household.land_mu or 0:g}",
        "mc_max": f"{p['microcredit_max_amount']:,}", "mc_years": p["microcredit_max_years"],
    }

    picked: dict[str, dict[str, Any]] = {}   # instrument -> row, in final order
    for block in blocks_for(household, members, measures, params=p, rules=rules, catalogue=cat):
        rows = []
        for j, opt in enumerate(SUGGESTIONS[block.id]):
            inst = cat.instruments.get(opt.instrument)
            if inst is None or opt.instrument in have:
                continue
            chosen = CONDITIONS[opt.when].select(household, members, p, today)
            if chosen is None:
                continue
            v = {**values, "n": len(chosen)}
            rows.append({"instrument": inst.code, "category": inst.category,
                         "department": inst.department, "block": block.id,
                         "risk_type": block.risk_type,
                         "member_refs": tuple(m.member_ref for m in chosen),
                         "reason_zh": opt.reason_zh.format(**v),
                         "reason_en": opt.reason_en.format(**v), "rule_order": j,
                         "basis": "rules", "score": None, "cases": 0, "successes": 0})
        similar = [c for c in cases
                   if block.risk_type is None or block.risk_type in c.risk_types]
        if rows and len(similar) >= min_history:
            scores = ranker(block.risk_type, [r["instrument"] for r in rows], similar, p)
            for r in rows:
                mine = [c for c in similar if c.instrument == r["instrument"]]
                s = sum(c.eliminated for c in mine)
                r.update(basis="history", score=float(scores[r["instrument"]]),
                         cases=len(mine), successes=s)
                if mine:
                    r["reason_zh"] += (f"；历史上同类风险使用该措施{len(mine)}例，"
                                       f"{p['history_horizon_months']}个月内消除风险{s}例")
                    r["reason_en"] += (f"; of {len(mine)} similar past cases with this "
                                       f"instrument, {s} were eliminated within "
                                       f"{p['history_horizon_months']} months")
            rows.sort(key=lambda r: (-r["score"], r["rule_order"]))
        for r in rows:
            if r["instrument"] in picked:
                old = picked[r["instrument"]]
                old["member_refs"] += tuple(x for x in r["member_refs"]
                                            if x not in old["member_refs"])
            else:
                picked[r["instrument"]] = r

    out = []
    for rank, r in enumerate(picked.values(), start=1):
        probe = PlanMeasure(r["category"], r["instrument"])
        satisfies = tuple(x.id for x in triggered if x.kind in ("measure", "development") and (
            _matches(x, probe) if x.kind == "measure" else
            cat.is_development(r["category"], r["instrument"])))
        out.append(Suggestion(rank=rank, satisfies=satisfies, **r))
    return out[:limit] if limit is not None else out


assert set(SUGGESTIONS) - {"OTHER"} <= set(RULES_BY_ID)
assert all(o.when in CONDITIONS for opts in SUGGESTIONS.values() for o in opts)
