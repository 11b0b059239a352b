"""Rule R4, the assistance plan, as data (domain.md §3.3, §11.2 R4).

Each :class:`PlanRule` is one line of the risk → measure table or one labour rule:

* ``kind = "measure"``: when the household records ``risk_type`` (or one of ``facts`` holds,
  e.g. a member without medical insurance), at least one measure of ``categories`` (or, if
  given, of ``instruments``) must be in place within
  ``measure_deadline_days_after_identification`` days of identification. Nothing recorded
  before the deadline is a *pending* warning, nothing in place after it a *missing* error, a
  measure in place after it a *late* warning. A planned measure is not in place.
* ``kind = "development"``: a household with a member who can work (普通/技能劳动力) must
  have a development-oriented (开发式) measure — industry or employment — implemented.
* ``kind = "not_only_social_security"``: such a household must not rely on 综合保障 alone.
* ``kind = "risk_fact"``: the recorded risk must fit the household (``expect``), otherwise the
  risk type is doubtful (a warning).

Rules with ``while_monitored`` (the labour rules and the risk-fact rules) apply only until the
household's risk is eliminated; the risk → measure rules keep their history afterwards. Which
measures continue after elimination is a property of the instrument (:mod:`.catalogue`).

The sentences are templates per kind and finding (:data:`TEMPLATES`), filled with the
subject (the risk or fact that triggered the rule), the measures needed (labels from the
province's catalogue, so a province that widens a rule gets a true sentence), the deadline and
dates; a rule may carry its own sentence for its main finding.

>>> from datetime import date
>>> from .model import PlanHousehold, PlanMeasure, PlanMember
>>> hh = PlanHousehold(date(2025, 3, 1), ("ILLNESS",))
>>> ms = [PlanMember("a", age=70, labour_skill="none", health="chronic")]
>>> [(v.rule_id, v.finding) for v in check_plan(hh, ms, [], today=date(2025, 4, 1))]
[('R4-ILL', 'missing'), ('R4-NOL', 'missing')]
>>> print(check_plan(hh, ms, [], today=date(2025, 4, 1))[0].sentence_zh)
“因病”风险：识别后30天内（2025-03-31前）应落实健康帮扶或社会帮扶措施，至今未落实
>>> plan = [PlanMeasure("HEALTH", "MEDICAL_ASSISTANCE", "implemented", member_ref="a",
...                     started_on=date(2025, 3, 10)),
...         PlanMeasure("SOCIAL_SECURITY", "DIBAO", "implemented", started_on=date(2025, 3, 20))]
>>> check_plan(hh, ms, plan, today=date(2025, 4, 1))
[]
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from ..rules import lang
from ..schema import ENUMS
from .catalogue import (
    DEFAULT,
    PROTECTED_CATEGORIES,
    PROTECTED_INSTRUMENTS,
    Catalogue,
    for_province,
)
from .checks import check_measures
from .model import VOCATIONAL_STATUSES, PlanHousehold, PlanMeasure, PlanMember, Violation
from .params import PARAMETERS, resolve

__all__ = ["PlanRule", "KINDS", "FACTS", "TEMPLATES", "RULES", "RULES_BY_ID", "PROVINCES",
           "RISK_LABELS_EN", "PlanAssessment", "MeasureCoverage", "rules_for", "check_plan",
           "assess_plan", "eligible_for_elimination_measures", "whole_household_no_labour",
           "continuing_after_elimination", "rule_for_risk", "need_labels"]

#: English labels of the risk types (the Chinese ones are ENUMS["risk_type"])
RISK_LABELS_EN: dict[str, str] = {
    "ILLNESS": "illness", "DISABILITY": "disability", "EDUCATION": "education costs",
    "DISASTER": "natural disaster", "ACCIDENT": "accident",
    "UNSTABLE_EMPLOYMENT": "unstable employment", "INDUSTRY_FAILURE": "failed industry project",
    "LACK_OF_LABOUR": "lack of labour", "HOUSING_SAFETY": "unsafe housing",
    "DRINKING_WATER": "unsafe drinking water", "DROPOUT": "school dropout",
    "UNINSURED": "uninsured member", "OTHER": "other",
}
assert set(RISK_LABELS_EN) == set(ENUMS["risk_type"])

#: kind -> (Chinese, English) description
KINDS: dict[str, tuple[str, str]] = {
    "measure": ("登记该风险（或出现该情形）后，识别后规定天数内须至少落实一项"
                "所列类别（或所列措施）的帮扶措施",
                "once the risk is recorded (or the fact holds), at least one measure of the "
                "listed categories (or instruments) must be in place within the deadline "
                "after identification"),
    "development": ("有劳动力的户须有已实施的开发式帮扶措施（产业或就业）",
                    "a household with labour must have an implemented development measure "
                    "(industry or employment)"),
    "not_only_social_security": ("有劳动力的户不得仅享受综合保障",
                                 "a household with labour must not rely on social security "
                                 "alone"),
    "risk_fact": ("登记的风险须与家庭情况相符，否则提示核实",
                  "the recorded risk must fit the household's facts, otherwise it is flagged "
                  "for checking"),
}

#: (kind, finding) -> (Chinese, English) sentence template
TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    ("measure", "missing"): (
        "{subject_zh}：识别后{days}天内（{due}前）应落实{need_zh}措施，至今未落实",
        "{subject_en}: a {need_en} measure was due within {days} days of identification "
        "(by {due}) and none is in place"),
    ("measure", "pending"): (
        "{subject_zh}：尚未登记{need_zh}措施，须在{due}前落实",
        "{subject_en}: no {need_en} measure is recorded yet; one must be in place by {due}"),
    ("measure", "late"): (
        "{subject_zh}：{need_zh}措施于{on}落实，晚于期限{due}（识别后{days}天）",
        "{subject_en}: the {need_en} measure was in place on {on}, after the deadline of "
        "{due} ({days} days after identification)"),
    ("development", "missing"): (
        "家中有劳动力，但识别后{days}天内（{due}前）未登记开发式帮扶措施（{need_zh}）",
        "The household has labour, but no development measure ({need_en}) was recorded "
        "within {days} days of identification (by {due})"),
    ("development", "pending"): (
        "家中有劳动力，须在{due}前登记并实施开发式帮扶措施（{need_zh}）",
        "The household has labour: a development measure ({need_en}) must be recorded and "
        "implemented; due by {due}"),
    ("development", "not_implemented"): (
        "家中有劳动力，已登记开发式帮扶措施（{need_zh}），但期限{due}已过仍未实施",
        "The household has labour and a development measure ({need_en}) is recorded, but "
        "it is still not implemented after the deadline of {due}"),
    ("not_only_social_security", "only_social_security"): (
        "家中有劳动力，但帮扶措施仅有综合保障，不能只靠兜底保障，须有产业、就业等措施",
        "The household has labour but its only measures are social security; it must not "
        "rely on the safety net alone and needs industry, employment or other measures"),
    ("risk_fact", "doubtful_risk"): (
        "{subject_zh}，但{fact_zh}，请核实风险类型或成员信息",
        "{subject_en}, but {fact_en}; check the risk type or the member records"),
}

FINDING_BY_KIND = {"measure": ("missing", "pending", "late"),
                   "development": ("missing", "pending", "not_implemented"),
                   "not_only_social_security": ("only_social_security",),
                   "risk_fact": ("doubtful_risk",)}
#: the findings that take the rule's own severity; the others are warnings
MAIN_FINDINGS = ("missing", "not_implemented", "only_social_security", "doubtful_risk")


# ============================================================================ facts
@dataclass(frozen=True)
class Fact:
    """A fact about a household and its active members: a condition in the rule language
    (:mod:`dixian.engine.rules`) over :func:`fact_record`, with its two sentences."""

    zh: str
    en: str
    not_zh: str                                # the sentence when the fact does not hold
    not_en: str
    when: str

    @functools.cached_property
    def tree(self):
        return lang.parse(self.when)

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(sorted(lang.param_names(self.tree)))

    def holds(self, household: PlanHousehold, members: Sequence[PlanMember],
              p: Mapping[str, Any]) -> bool:
        return lang.evaluate(self.tree, fact_record(household, members), p) is True


def _able_share(members: Sequence[PlanMember]) -> float | None:
    return sum(m.able for m in members) / len(members) if members else None


def fact_record(household: PlanHousehold, members: Sequence[PlanMember]) -> dict[str, Any]:
    """What the facts read: the household's flags and, per member, a list of each value."""
    return {"dropout_flag": household.dropout_flag,
            "uninsured_member_flag": household.uninsured_member_flag,
            "members": len(members), "able_share": _able_share(members),
            "schooling": [m.schooling_status for m in members],
            "vocational": [m.schooling_status in VOCATIONAL_STATUSES for m in members],
            "insured": [m.insured for m in members],
            "able": [m.able for m in members],
            "no_labour": [m.no_labour for m in members],
            "health": [m.health for m in members],
            "disabled": [m.disabled for m in members]}


FACTS: dict[str, Fact] = {
    "dropout_member": Fact(
        "有义务教育阶段适龄儿童少年失学辍学", "a compulsory-school-age child has dropped out",
        "没有失学辍学的成员", "no member has dropped out",
        "dropout_flag or contains(schooling, 'dropout')"),
    "uninsured_member": Fact(
        "有家庭成员未参加基本医疗保险", "a member has no basic medical insurance",
        "所有成员均已参保", "every member is insured",
        "uninsured_member_flag or contains(insured, False)"),
    "vocational_student": Fact(
        "家中有中职、高职在校生", "a member is in secondary or higher vocational school",
        "没有中职、高职在校生", "no member is in vocational school",
        "contains(vocational, True)"),
    "able_member": Fact(
        "家中有普通劳动力或技能劳动力", "a member is ordinary or skilled labour",
        "没有普通劳动力或技能劳动力", "no member is ordinary or skilled labour",
        "contains(able, True)"),
    "no_labour_household": Fact(
        "整户无劳动能力（均为无劳动力或丧失劳动力）",
        "no member can work (all 无劳动力 or 丧失劳动力)",
        "有成员具有劳动能力", "some member can work",
        "members > 0 and not contains(no_labour, False)"),
    "ill_member": Fact(
        "有患大病或长期慢性病的成员", "a member is seriously or chronically ill",
        "没有患大病或长期慢性病的成员", "no member is seriously or chronically ill",
        "overlaps(health, ('serious_illness', 'chronic'))"),
    "disabled_member": Fact(
        "有残疾成员", "a member is disabled", "没有残疾成员", "no member is disabled",
        "contains(disabled, True)"),
    "labour_share_plausible": Fact(
        "有劳动力成员占比不超过缺劳动力上限",
        "the share of able members is within the lack-of-labour limit",
        "普通、技能劳动力占家庭成员比例超过缺劳动力上限",
        "the share of ordinary and skilled labour among the members is above the "
        "lack-of-labour limit",
        "coalesce(able_share, 0.0) <= P.labour_shortage_max_able_share"),
}


# ============================================================================ rules
@dataclass(frozen=True)
class PlanRule:
    id: str
    version: int
    kind: str
    title_zh: str
    title_en: str
    department: str | None
    risk_type: str | None = None          # fires when the household records this risk...
    facts: tuple[str, ...] = ()           # ...or when one of these facts holds
    categories: tuple[str, ...] = ()      # any measure of these categories satisfies it
    instruments: tuple[str, ...] = ()     # if given: only these instruments satisfy it
    expect: str | None = None             # risk_fact: the fact that must hold
    severity: str = "error"               # of the main finding; pending and late are warnings
    while_monitored: bool = False         # only until the risk is eliminated
    fast_track: bool = False              # measures may come first (R3 disaster fast track)
    params: tuple[str, ...] = ("measure_deadline_days_after_identification",)
    source: str = ""
    note: str = ""
    sentence_zh: str = ""                 # overrides the template of the main finding
    sentence_en: str = ""

    def __post_init__(self):
        problems = []
        if self.kind not in KINDS:
            problems.append(f"kind {self.kind!r}")
        if self.risk_type is not None and self.risk_type not in ENUMS["risk_type"]:
            problems.append(f"risk_type {self.risk_type!r}")
        problems += [f"fact {f!r}" for f in (*self.facts, *filter(None, [self.expect]))
                     if f not in FACTS]
        problems += [f"parameter {p!r}" for p in self.params if p not in PARAMETERS]
        if self.severity not in ("error", "warning"):
            problems.append(f"severity {self.severity!r}")
        if self.kind == "measure" and not (self.categories or self.instruments):
            problems.append("no categories or instruments")
        if self.kind == "risk_fact" and not (self.risk_type and self.expect):
            problems.append("a risk_fact rule needs risk_type and expect")
        if problems:
            raise ValueError(f"plan rule {self.id}: bad " + ", ".join(problems))

    def fingerprint(self) -> str:
        """Hash of the machine form and sentences; a change needs a new version."""
        blob = json.dumps({"kind": self.kind, "risk": self.risk_type, "facts": self.facts,
                           "cats": self.categories, "insts": self.instruments,
                           "expect": self.expect, "sev": self.severity,
                           "monitored": self.while_monitored, "fast": self.fast_track,
                           "params": self.params, "zh": self.sentence_zh,
                           "en": self.sentence_en}, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha1(blob).hexdigest()[:10]


_D = ("measure_deadline_days_after_identification",)
_R = PlanRule

RULES: tuple[PlanRule, ...] = (
    _R("R4-ILL", 1, "measure", "因病：须有健康帮扶或社会帮扶",
       "Illness: health or social assistance", "medical_insurance", risk_type="ILLNESS",
       categories=("HEALTH", "SOCIAL_ASSISTANCE"),
       source="§3.3 [VL S17 rule 5_18_001]; deadline §11.1 [VL S17 rule 1_11_010]",
       note="Typical instruments: premium subsidy, 大病保险, 医疗救助, family doctor "
            "(rules 1111_06/09/13). Lead departments 医保 and 卫健."),
    _R("R4-EDU", 1, "measure", "因学：须有义务教育保障、教育帮扶或社会帮扶",
       "Education: compulsory-education guarantee, education support or social assistance",
       "education", risk_type="EDUCATION",
       categories=("COMPULSORY_EDUCATION", "EDUCATION", "SOCIAL_ASSISTANCE"),
       source="§3.3 [VL S17 rule 5_18_002]"),
    _R("R4-DIS", 1, "measure", "因残：须有综合保障或社会帮扶",
       "Disability: social security or social assistance", "disabled_federation",
       risk_type="DISABILITY", categories=("SOCIAL_SECURITY", "SOCIAL_ASSISTANCE"),
       source="§3.3 [VL S17 rule 5_18_003]",
       note="Typical instruments: 残疾人两项补贴, 低保. Lead departments 残联 and 民政."),
    _R("R4-HOU", 1, "measure", "因安全住房：须有住房安全保障或搬迁",
       "Unsafe housing: safe-housing guarantee or relocation", "housing",
       risk_type="HOUSING_SAFETY", categories=("HOUSING_SAFETY", "RELOCATION"),
       source="§3.3 [VL S17 rule 5_18_004]; C/D grades [VL S29]"),
    _R("R4-WAT", 1, "measure", "因安全饮水：须有饮水安全保障",
       "Unsafe drinking water: drinking-water guarantee", "water",
       risk_type="DRINKING_WATER", categories=("DRINKING_WATER",),
       source="§3.3 [VL S17 rule 5_18_006]"),
    _R("R4-DRP", 1, "measure", "失学辍学：须有义务教育保障",
       "School dropout: compulsory-education guarantee", "education", risk_type="DROPOUT",
       facts=("dropout_member",), categories=("COMPULSORY_EDUCATION",),
       source="§3.3 [VL S17 rule 5_18_005]",
       note="Fires on the household's dropout flag or a member recorded as dropped out, "
            "whatever the risk types (as rule 5_18_005 does)."),
    _R("R4-INS", 1, "measure", "有成员未参保：须有健康帮扶或社会帮扶",
       "Uninsured member: health or social assistance", "medical_insurance",
       risk_type="UNINSURED", facts=("uninsured_member",),
       categories=("HEALTH", "SOCIAL_ASSISTANCE"),
       source="§3.3 [VL S17 rule 5_18_007]",
       note="Fires on the household's uninsured flag or a member with insured = false."),
    _R("R4-YULU", 1, "measure", "有中职、高职在校生：须有雨露计划",
       "Vocational student: Yulu plan", "agriculture_rural", facts=("vocational_student",),
       instruments=("YULU_PLAN",), source="§3.3 [VL S17 rule 1111_2]",
       note="Applies to every monitored household with such a student, whatever its risks."),
    _R("R4-EMP", 1, "measure", "因务工就业不稳：须有就业帮扶或公益岗位",
       "Unstable employment: employment support or a public-welfare post", "human_resources",
       risk_type="UNSTABLE_EMPLOYMENT", categories=("EMPLOYMENT", "PUBLIC_WELFARE_POST"),
       source="§3.3 typical instruments (劳务输出, 交通补贴, 帮扶车间, training, 公益性岗位) [I]"),
    _R("R4-LAB", 1, "measure", "缺劳动力：须有综合保障或公益岗位",
       "Lack of labour: social security or a public-welfare post", "civil_affairs",
       risk_type="LACK_OF_LABOUR", categories=("SOCIAL_SECURITY", "PUBLIC_WELFARE_POST"),
       source="§3.3 typical instruments (综合保障, 公益岗位) [I]"),
    _R("R4-DST", 1, "measure", "因灾：须有社会帮扶（救助）或住房安全保障（快速通道）",
       "Disaster: social assistance or safe housing (fast track)", "emergency",
       risk_type="DISASTER", categories=("SOCIAL_ASSISTANCE", "HOUSING_SAFETY"),
       fast_track=True, params=_D + ("fast_track_lookback_days",),
       source="§3.3, R3 fast track [V S62; VL S94]; categories [I] from the typical "
              "instruments (临时救助, 受灾救助, house rebuild)",
       note="Fast track: assistance may come before the procedure, so a measure given up to "
            "fast_track_lookback_days before identification counts even if it has ended."),
    _R("R4-ACC", 1, "measure", "因意外事故：须有社会帮扶（救助）或健康帮扶",
       "Accident: social assistance or health support", "civil_affairs",
       risk_type="ACCIDENT", categories=("SOCIAL_ASSISTANCE", "HEALTH"),
       source="§3.3 typical instruments (临时救助, 医疗救助) [I]",
       note="防贫保 is in 金融帮扶 by default and does not satisfy this rule unless a province "
            "moves it."),
    _R("R4-IND", 1, "measure", "因产业项目失败：须有产业帮扶或金融帮扶",
       "Failed industry project: industry or financial support", "agriculture_rural",
       risk_type="INDUSTRY_FAILURE", categories=("INDUSTRY", "FINANCE"),
       source="§3.3 typical instruments (产业帮扶, 小额信贷) [I]"),
    _R("R4-DEV", 1, "development", "有劳动力：须有已实施的开发式措施",
       "Household with labour: an implemented development measure", "agriculture_rural",
       facts=("able_member",), categories=("INDUSTRY", "EMPLOYMENT"), while_monitored=True,
       source="§3.2 [V S1, S30, S62]; R4 [VL S17 rule 5_11_030]",
       note="Development = the catalogue's 开发式 categories (industry, employment), less "
            "instruments flagged otherwise (asset income). Implemented = status implemented "
            "or ended. The Guizhou tool also counts posts and finance as development; the "
            "national doctrine (§3.2) does not."),
    _R("R4-NSS", 1, "not_only_social_security", "有劳动力：不得仅有综合保障",
       "Household with labour: not social security alone", "agriculture_rural",
       facts=("able_member",), categories=("SOCIAL_SECURITY",), while_monitored=True,
       params=(), source="§3.3 [VL S17 rule 5_11_032]"),
    _R("R4-NOL", 1, "measure", "整户无劳动能力：须有低保或特困供养（兜底保障户）",
       "No labour at all: 低保 or 特困 (safety-net household)", "civil_affairs",
       facts=("no_labour_household",), instruments=("DIBAO", "TEKUN"), while_monitored=True,
       source="R4 [VL S17 rules 5_11_033, 5_19_003/007]; §4 such households are not "
              "eliminated [V S7]",
       note="The household is flagged whole_household_no_labour (整户无劳动能力兜底保障户). "
            "无劳动力 and 丧失劳动力 both count as no labour (R4; the Guizhou rule counts only "
            "无劳动力). A household of weak labour only (弱劳动力或半劳动力) is in neither "
            "labour rule."),
    _R("R4-FCT-ILL", 1, "risk_fact", "因病风险须有患病成员", "Illness risk needs an ill member",
       "medical_insurance", risk_type="ILLNESS", expect="ill_member", severity="warning",
       while_monitored=True, params=(), source="§3.3 [VL S17 rule 5_15_015]"),
    _R("R4-FCT-DIS", 1, "risk_fact", "因残风险须有残疾成员",
       "Disability risk needs a disabled member", "disabled_federation",
       risk_type="DISABILITY", expect="disabled_member", severity="warning",
       while_monitored=True, params=(), source="§3.3 [VL S17 rule 2_11_001]"),
    _R("R4-FCT-EMP", 1, "risk_fact", "务工就业不稳风险须有劳动力",
       "Unstable-employment risk needs an able member", "human_resources",
       risk_type="UNSTABLE_EMPLOYMENT", expect="able_member", severity="warning",
       while_monitored=True, params=(), source="§3.3 [VL S17 rule 5_15_013]"),
    _R("R4-FCT-LAB", 1, "risk_fact", "缺劳动力风险与劳动力占比不符",
       "Lack-of-labour risk with too many able members", "civil_affairs",
       risk_type="LACK_OF_LABOUR", expect="labour_share_plausible", severity="warning",
       while_monitored=True, params=("labour_shortage_max_able_share",),
       source="§3.3, §11.1 labour_shortage_max_able_share [VL S17 rule 5_18_008]",
       note="The Guizhou tool also flags households of 4+ where half or more can work (rule "
            "5_11_029), which the 1/4 share already covers."),
)

RULES_BY_ID: dict[str, PlanRule] = {r.id: r for r in RULES}
assert len(RULES_BY_ID) == len(RULES)
assert {c for r in RULES for c in r.categories} <= set(PROTECTED_CATEGORIES)
assert {i for r in RULES for i in r.instruments} <= set(PROTECTED_INSTRUMENTS)

#: province code -> {rule id: {field: value}}; a province may widen or narrow what satisfies
#: a rule (categories, instruments), change its department or severity, or add a note. None
#: documented yet.
PROVINCES: dict[str, dict[str, dict[str, Any]]] = {}
_OVERRIDABLE = ("categories", "instruments", "department", "severity", "note")


def rules_for(province: str | None = None,
              overrides: Mapping[str, Mapping[str, Any]] | None = None) -> tuple[PlanRule, ...]:
    """The rules of ``province``: the national rules with :data:`PROVINCES` and ``overrides``.

    >>> r = rules_for(None, {"R4-ACC": {"categories": ["SOCIAL_ASSISTANCE", "HEALTH",
    ...                                                "FINANCE"]}})
    >>> next(x for x in r if x.id == "R4-ACC").categories
    ('SOCIAL_ASSISTANCE', 'HEALTH', 'FINANCE')
    """
    out = list(RULES)
    for changes in (PROVINCES.get(province or "", {}), overrides or {}):
        for rid, change in changes.items():
            if rid not in RULES_BY_ID:
                raise KeyError(f"unknown plan rule {rid!r}")
            bad = sorted(set(change) - set(_OVERRIDABLE))
            if bad:
                raise ValueError(f"plan rule {rid}: cannot override {bad}; only "
                                 f"{list(_OVERRIDABLE)}")
            k = next(i for i, r in enumerate(out) if r.id == rid)
            out[k] = replace(out[k], **{f: tuple(v) if isinstance(v, list) else v
                                        for f, v in change.items()})
    return tuple(out)


def rule_for_risk(risk_type: str, rules: Iterable[PlanRule] = RULES) -> PlanRule | None:
    """The risk → measure rule of ``risk_type`` (``None`` for OTHER)."""
    return next((r for r in rules if r.kind == "measure" and r.risk_type == risk_type), None)


# ============================================================================ evaluation
def _lower_first(label: str) -> str:
    """'Minimum living guarantee' -> 'minimum living guarantee' inside a sentence; names
    (Yulu) keep their capital."""
    first = label.split(" ", 1)[0]
    return label if first in ("Yulu",) or first.isupper() else label[:1].lower() + label[1:]


def need_labels(rule: PlanRule, catalogue: Catalogue = DEFAULT) -> tuple[str, str]:
    """What satisfies ``rule``, in words: '健康帮扶或社会帮扶' / 'health or social assistance'."""
    if rule.instruments:
        items = [catalogue.instruments[i] if i in catalogue.instruments else None
                 for i in rule.instruments]
        zh = [x.zh if x else c for x, c in zip(items, rule.instruments, strict=True)]
        en = [_lower_first(x.en) if x else c
              for x, c in zip(items, rule.instruments, strict=True)]
    else:
        items = [catalogue.categories.get(c) for c in rule.categories]
        zh = [x.zh if x else c for x, c in zip(items, rule.categories, strict=True)]
        en = [x.en.lower() if x else c for x, c in zip(items, rule.categories, strict=True)]
    return "或".join(zh), " or ".join(en)


def _active(members: Iterable[PlanMember]) -> list[PlanMember]:
    return [m for m in members if m.active]


def whole_household_no_labour(members: Iterable[PlanMember]) -> bool:
    """整户无劳动能力: at least one active member, and none can work (无劳动力 or 丧失劳动力).

    >>> whole_household_no_labour([PlanMember("a", labour_skill="none"),
    ...                            PlanMember("b", labour_skill="lost")])
    True
    >>> whole_household_no_labour([PlanMember("a", labour_skill="weak")])
    False
    """
    ms = _active(members)
    return bool(ms) and all(m.no_labour for m in ms)


def _subject(rule: PlanRule, hh: PlanHousehold, ms: Sequence[PlanMember],
             p: Mapping[str, Any]) -> tuple[str, str] | None:
    """Why the rule applies, in words, or ``None`` when it does not."""
    if rule.risk_type is not None and rule.risk_type in hh.risk_types:
        return (f"“{ENUMS['risk_type'][rule.risk_type]}”风险",
                f"Risk “{RISK_LABELS_EN[rule.risk_type]}”")
    if rule.kind == "risk_fact":
        return None
    for f in rule.facts:
        fact = FACTS[f]
        if fact.holds(hh, ms, p):
            return fact.zh, fact.en[0].upper() + fact.en[1:]
    return None


def _matches(rule: PlanRule, m: PlanMeasure) -> bool:
    if rule.instruments:
        return m.instrument in rule.instruments
    return m.category in rule.categories


def _counts(m: PlanMeasure, rule: PlanRule | None, identified: date,
            p: Mapping[str, Any]) -> bool:
    """Whether ``m`` can answer a risk identified on ``identified``: not ended before it, or
    (fast-track rules) given within the look-back before it, even if already ended."""
    if m.ended_on is None or m.ended_on >= identified:
        return True
    return (rule is not None and rule.fast_track and m.in_place_on is not None and
            m.in_place_on >= identified - timedelta(days=p["fast_track_lookback_days"]))


@dataclass(frozen=True)
class MeasureCoverage:
    """Implemented measures against each recorded risk (R6: at least one per risk).

    ``ok`` is true when every risk type has one and at least one measure is implemented at
    all; ``covered`` maps each covered risk type to its implemented measures.
    """

    ok: bool
    covered: Mapping[str, tuple[PlanMeasure, ...]]
    uncovered: tuple[str, ...]


@dataclass(frozen=True)
class PlanAssessment:
    violations: tuple[Violation, ...]
    whole_household_no_labour: bool
    has_able_member: bool
    development_implemented: bool
    coverage: MeasureCoverage
    due_on: date
    params: Mapping[str, Any] = field(repr=False, default_factory=dict)


def eligible_for_elimination_measures(household: PlanHousehold,
                                      measures: Iterable[PlanMeasure], *,
                                      params: Mapping[str, Any] | None = None,
                                      rules: Iterable[PlanRule] | None = None
                                      ) -> MeasureCoverage:
    """Does the household have an implemented measure against each of its risks (R6)?

    A risk with a risk → measure rule needs an implemented measure that satisfies the rule;
    OTHER (no rule) accepts any implemented measure. Implemented = status implemented or
    ended, and not ended before identification.

    >>> from datetime import date
    >>> hh = PlanHousehold(date(2025, 1, 1), ("ILLNESS", "HOUSING_SAFETY"))
    >>> done = PlanMeasure("HEALTH", "MEDICAL_ASSISTANCE", status="implemented",
    ...                    started_on=date(2025, 1, 5))
    >>> c = eligible_for_elimination_measures(hh, [done])
    >>> c.ok, c.uncovered
    (False, ('HOUSING_SAFETY',))
    """
    rules = tuple(RULES if rules is None else rules)
    measures = tuple(measures)
    p = params if params is not None else resolve(household.province,
                                                  (household.identified_on or date.today()).year)
    ident = household.identified_on or date.min
    covered, uncovered = {}, []
    for risk in household.risk_types:
        rule = rule_for_risk(risk, rules)
        found = tuple(m for m in measures if m.is_implemented and _counts(m, rule, ident, p)
                      and (rule is None or _matches(rule, m)))
        if found:
            covered[risk] = found
        else:
            uncovered.append(risk)
    any_implemented = any(m.is_implemented and _counts(m, None, ident, p) for m in measures)
    ok = bool(household.risk_types) and not uncovered and any_implemented
    return MeasureCoverage(ok, covered, tuple(uncovered))


def _violation(rule: PlanRule, finding: str, values: Mapping[str, Any], *,
               risk_type: str | None, due: date | None) -> Violation:
    zh, en = TEMPLATES[(rule.kind, finding)]
    if finding in MAIN_FINDINGS and rule.sentence_zh:
        zh, en = rule.sentence_zh, rule.sentence_en
    v = {k: (x.isoformat() if isinstance(x, date) else x) for k, x in values.items()}
    severity = rule.severity if finding in MAIN_FINDINGS else "warning"
    return Violation(rule.id, risk_type, severity, zh.format(**v), en.format(**v),
                     rule.department, finding=finding, rule_version=rule.version, due_on=due)


def assess_plan(household: PlanHousehold, members: Iterable[PlanMember],
                measures: Iterable[PlanMeasure], *, today: date,
                params: Mapping[str, Any] | None = None, catalogue: Catalogue | None = None,
                rules: Iterable[PlanRule] | None = None,
                include_checks: bool = True) -> PlanAssessment:
    """Every R4 rule (and, with ``include_checks``, every instrument check) on one plan.

    ``params`` default to the household's province and ``today``'s year; ``catalogue`` and
    ``rules`` to the province's (:func:`.catalogue.for_province`, :func:`rules_for`).
    Violations come in rule order, then the checks in measure order.
    """
    if household.identified_on is None:
        raise ValueError("an assistance plan needs the household's identification date")
    members, measures = tuple(members), tuple(measures)
    cat = catalogue or for_province(household.province)
    p = params if params is not None else resolve(household.province, today.year)
    rules = tuple(r for r in (rules_for(household.province) if rules is None else rules)
                  if r.id not in p.get("rules_off", ()))
    active = _active(members)
    ident = household.identified_on
    days = int(p["measure_deadline_days_after_identification"])
    due = ident + timedelta(days=days)
    monitored = not household.eliminated_by(today)
    out: list[Violation] = []
    for rule in rules:
        if rule.while_monitored and not monitored:
            continue
        subject = _subject(rule, household, active, p)
        if subject is None:
            continue
        risk = rule.risk_type if rule.risk_type in household.risk_types else None
        need_zh, need_en = need_labels(rule, cat)
        base = {"subject_zh": subject[0], "subject_en": subject[1], "need_zh": need_zh,
                "need_en": need_en, "days": days, "due": due}
        if rule.kind == "measure":
            matching = [m for m in measures if _matches(rule, m) and _counts(m, rule, ident, p)]
            in_place = [m.in_place_on for m in matching if m.in_place_on is not None]
            if in_place:
                if min(in_place) > due:
                    out.append(_violation(rule, "late", {**base, "on": min(in_place)},
                                          risk_type=risk, due=due))
            elif today > due:
                out.append(_violation(rule, "missing", base, risk_type=risk, due=due))
            elif not matching:
                out.append(_violation(rule, "pending", base, risk_type=risk, due=due))
        elif rule.kind == "development":
            dev = [m for m in measures if cat.is_development(m.category, m.instrument)
                   and _counts(m, None, ident, p)]
            if any(m.is_implemented for m in dev):
                continue
            if not dev:
                finding = "missing" if today > due else "pending"
                out.append(_violation(rule, finding, base, risk_type=None, due=due))
            elif today > due:
                out.append(_violation(rule, "not_implemented", base, risk_type=None, due=due))
        elif rule.kind == "not_only_social_security":
            current = [m for m in measures if _counts(m, None, ident, p)]
            if current and all(m.category in rule.categories for m in current):
                out.append(_violation(rule, "only_social_security", base, risk_type=None,
                                      due=None))
        elif rule.kind == "risk_fact":
            fact = FACTS[rule.expect]
            if not fact.holds(household, active, p):
                out.append(_violation(rule, "doubtful_risk",
                                      {**base, "fact_zh": fact.not_zh, "fact_en": fact.not_en},
                                      risk_type=rule.risk_type, due=None))
    if include_checks:
        out += check_measures(measures, members, household, today=today, params=p,
                              catalogue=cat)
    dev_done = any(m.is_implemented and cat.is_development(m.category, m.instrument)
                   and _counts(m, None, ident, p) for m in measures)
    return PlanAssessment(
        violations=tuple(out),
        whole_household_no_labour=whole_household_no_labour(active),
        has_able_member=any(m.able for m in active),
        development_implemented=dev_done,
        coverage=eligible_for_elimination_measures(household, measures, params=p, rules=rules),
        due_on=due, params=p)


def check_plan(household: PlanHousehold, members: Iterable[PlanMember],
               measures: Iterable[PlanMeasure], *, today: date,
               params: Mapping[str, Any] | None = None, catalogue: Catalogue | None = None,
               rules: Iterable[PlanRule] | None = None,
               include_checks: bool = True) -> list[Violation]:
    """The violations of :func:`assess_plan`."""
    return list(assess_plan(household, members, measures, today=today, params=params,
                            catalogue=catalogue, rules=rules,
                            include_checks=include_checks).violations)


def continuing_after_elimination(measures: Iterable[PlanMeasure], eliminated_on: date,
                                 catalogue: Catalogue | None = None
                                 ) -> list[tuple[PlanMeasure, str]]:
    """The measures still running on ``eliminated_on`` whose instrument continues after
    elimination (loans, posts, 雨露计划 — domain.md §4), each with its continuation code
    (``contract_end``, ``agreement_end``, ``school_stage_end``). Other measures follow their own
    programme's rules; the engine does not end them.
    """
    cat = catalogue or DEFAULT
    out = []
    for m in measures:
        inst = cat.instruments.get(m.instrument or "")
        if inst is not None and inst.continues_until and m.status != "planned" and \
                (m.ended_on is None or m.ended_on >= eliminated_on):
            out.append((m, inst.continues_until))
    return out
