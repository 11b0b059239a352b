"""Screening rules as data: the spec, the operators and the catalogue (domain.md R2, R7).

A :class:`Rule` names an **operator** (one of :data:`OPERATORS`, each compiled to Ibis by
:mod:`.engine`), the department feed it reads, a filter (``where``: a condition in the rule
language of :mod:`dixian.engine.rules`, over the feed's columns; ``P.<name>`` is a parameter of
:mod:`.params`), operator arguments, the risk type it signals (``ENUMS["risk_type"]``) and two
sentences whose placeholders are filled with each alert's evidence:

``{value}`` ``{value2}`` ``{threshold}`` (yuan or days, with thousands separators),
``{share_pct}``, ``{window}`` (months), ``{date}`` (the event date), ``{detail_zh}`` /
``{detail_en}`` (the coded detail with its label), ``{line}`` (the monitoring line).

>>> RULES_BY_ID["R7-MED-01"].operator
'sum_window'
>>> sorted({r.operator for r in RULES}) == sorted(OPERATORS)
True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..rules import lang
from ..schema import ENUMS

__all__ = ["Rule", "OPERATORS", "RULES", "RULES_BY_ID"]

#: operator -> (Chinese, English) description
OPERATORS: dict[str, tuple[str, str]] = {
    "event": ("本期推送的部门记录中满足条件的人员（每人一条线索，取最早日期）",
              "persons with a record received in the event window that meets the filter (one "
              "clue per person, earliest date)"),
    "village_event": ("本期推送的村级（或户级）记录：村级记录覆盖该村所有农户",
                      "village-level (or household-level) records received in the event "
                      "window: a village record reaches every household of the village"),
    "sum_window": ("回看期内（按结算日期）金额合计超过门槛；"
                   "门槛按人群（脱贫/监测对象或其他农村人口）",
                   "the sum of an amount over the look-back window (by record date) exceeds a "
                   "threshold that depends on the cohort (脱贫 or monitored vs other rural)"),
    "max_record": ("本期推送的单条记录金额超过门槛（按人群）",
                   "one record received in the event window exceeds a cohort threshold"),
    "unresolved_duration": ("开始事件之后未出现结束事件，且已持续不少于N个月",
                            "a start event with no later end event, lasting at least N months"),
    "income_below_line": ("近12个月人均纯收入（R1）低于监测范围，且未纳入监测或已消除风险",
                          "12-month per-capita net income (R1) below the monitoring line, and "
                          "the household is not (or no longer) monitored"),
    "rigid_spending_below_line": ("人均纯收入不低于监测范围，"
                                  "但扣除刚性支出后低于监测范围（突发严重困难）",
                                  "per-capita net income at or above the line, but below it "
                                  "after the rigid spending (sudden severe hardship)"),
    "negative_screen": ("资产核查：有线索的农户名下有车辆、商品房、工商注册或财政供养人员，"
                        "标记复核（不自动排除）",
                        "asset check: a household with another clue that holds a vehicle, "
                        "commercial housing, a business or a public-payroll member is flagged "
                        "for review (never excluded automatically)"),
}


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    operator: str
    department: str                       # a feed department, or "registry"
    title_zh: str
    title_en: str
    sentence_zh: str
    sentence_en: str
    risk_type: str | None = None
    category: str | None = None           # R2: the monitoring category the clue points to
    where: str = ""                        # a condition in the rule language (records kept)
    args: dict[str, Any] = field(default_factory=dict)
    params: tuple[str, ...] = ()          # parameters the rule uses (documented with it)
    source: str = ""
    note: str = ""

    def __post_init__(self):
        problems = []
        if self.operator not in OPERATORS:
            problems.append(f"operator {self.operator!r}")
        if self.risk_type is not None and self.risk_type not in ENUMS["risk_type"]:
            problems.append(f"risk_type {self.risk_type!r}")
        if self.category is not None and self.category not in ENUMS["monitoring_category"]:
            problems.append(f"category {self.category!r}")
        for condition in (self.where, self.args.get("start"), self.args.get("end")):
            if condition:
                try:
                    lang.parse(condition)
                except lang.RuleSyntaxError as error:
                    problems.append(f"condition {condition!r} ({error})")
        if problems:
            raise ValueError(f"rule {self.id}: bad " + ", ".join(problems))

    @property
    def feed(self) -> str | None:
        return None if self.department == "registry" else self.department

    def fingerprint(self) -> str:
        """Hash of the machine form and sentences; a change needs a new version."""
        blob = json.dumps({"operator": self.operator, "department": self.department,
                           "where": self.where, "args": self.args, "risk": self.risk_type,
                           "category": self.category, "zh": self.sentence_zh,
                           "en": self.sentence_en}, sort_keys=True, ensure_ascii=False,
                          default=list).encode()
        return hashlib.sha1(blob).hexdigest()[:10]


_MED_SHARE = ("P.medical_share_poverty_or_monitored * P.prov_rural_income_prev",
              "P.medical_share_other * P.prov_rural_income_prev")

RULES: tuple[Rule, ...] = (
    Rule("R7-MED-01", 1, "sum_window", "medical",
         "12个月合规自付医疗费用超过上年全省农村居民人均可支配收入的一定比例",
         "12-month compliant out-of-pocket medical spending above a share of the prior-year "
         "provincial rural income",
         "在过去{window}个月合规自付医疗费用 {value} 元，超过上年全省农村居民人均可支配收入的"
         "{share_pct}（{threshold} 元）",
         "Compliant out-of-pocket medical spending of {value} yuan in the past {window} months "
         "exceeds {share_pct} of the province's prior-year rural per-capita disposable income "
         "({threshold} yuan)",
         risk_type="ILLNESS",
         args={"amount": "oop_compliant", "window": "P.medical_lookback_months",
               "threshold": _MED_SHARE, "share": ("P.medical_share_poverty_or_monitored",
                                                  "P.medical_share_other")},
         params=("medical_lookback_months", "medical_share_poverty_or_monitored",
                 "medical_share_other", "prov_rural_income_by_year"),
         source="§5.2, R7 MEDICAL [VL S19, S21]",
         note="50% for 脱贫 and monitored persons (因病返贫), 100% for other rural persons "
              "(因病致贫)."),
    Rule("R7-MED-02", 1, "sum_window", "medical",
         "12个月合规自付医疗费用超过绝对金额",
         "12-month compliant out-of-pocket medical spending above an absolute line",
         "在过去{window}个月合规自付医疗费用 {value} 元，超过 {threshold} 元的预警线",
         "Compliant out-of-pocket medical spending of {value} yuan in the past {window} months "
         "exceeds the alert line of {threshold} yuan",
         risk_type="ILLNESS",
         args={"amount": "oop_compliant", "window": "P.medical_lookback_months",
               "threshold": ("P.medical_absolute_low_income", "P.medical_absolute_general")},
         params=("medical_lookback_months", "medical_absolute_low_income",
                 "medical_absolute_general"),
         source="§5.2 Xi'an 2025 [VL S20]",
         note="Low-income line for 脱贫 and monitored persons, general line for others."),
    Rule("R7-MED-03", 1, "max_record", "medical",
         "单次住院合规自付费用超过门槛", "One inpatient stay's out-of-pocket above a line",
         "{date}住院结算合规自付 {value} 元，超过单次住院预警线 {threshold} 元",
         "An inpatient stay settled on {date} left {value} yuan compliant out-of-pocket, above "
         "the single-stay line of {threshold} yuan",
         risk_type="ILLNESS", where="visit_type == 'inpatient'",
         args={"amount": "oop_compliant",
               "threshold": ("P.single_hospitalization_monitored",
                             "P.single_hospitalization_other")},
         params=("single_hospitalization_monitored", "single_hospitalization_other",
                 "event_window_months"),
         source="§5.2 [S S22]"),
    Rule("R7-CIV-01", 1, "event", "civil_affairs",
         "新增低保、特困、低保边缘或临时救助", "New 低保, 特困, 低保边缘 or temporary assistance",
         "民政部门{date}新增{detail_zh}，需核实家庭收入与困难情况",
         "Civil affairs recorded a new case of {detail_en} on {date}; verify the household's "
         "income and hardship",
         risk_type="OTHER",
         where="change in ('new', 'granted') and benefit in ('dibao', 'tekun', "
               "'temporary_assistance', 'low_income_margin')",
         args={"detail": "benefit"}, params=("event_window_months",),
         source="§5.2 civil affairs, R7 CIVIL_AFFAIRS [VL S23, S24]",
         note="Risk type OTHER: the cause is in the record's reason and is fixed at the visit."),
    Rule("R7-DIS-01", 1, "event", "disability",
         "新办或调级为重度残疾（一、二级）", "New severe (grade 1–2) disability certificate",
         "残联{date}核发{detail_zh}证件，等级为{value}级（重度）",
         "The disabled persons' federation issued a certificate for {detail_en} on {date}, "
         "grade {value} (severe)",
         risk_type="DISABILITY",
         where="change in ('new', 'regrade') and grade <= P.severe_disability_grade_max",
         args={"value": "grade", "detail": "disability_type", "value_agg": "min"},
         params=("severe_disability_grade_max", "event_window_months"),
         source="R7 DISABILITY [VL S23]"),
    Rule("R7-EDU-01", 1, "event", "education",
         "义务教育阶段疑似辍学", "Suspected dropout of compulsory-school age",
         "教育部门{date}报告疑似辍学（{detail_zh}），需入户核实并劝返",
         "Education reported a suspected dropout ({detail_en}) on {date}; visit and bring the "
         "child back to school",
         risk_type="DROPOUT", where="event == 'suspected_dropout'",
         args={"detail": "stage"}, params=("event_window_months",),
         source="§5.2, R7 EDUCATION [VL S24]"),
    Rule("R7-HOU-01", 1, "event", "housing",
         "住房安全鉴定为C级或D级", "Dwelling appraised C or D",
         "住建部门{date}鉴定住房为{detail_zh}",
         "Housing appraised the dwelling on {date} as {detail_en}",
         risk_type="HOUSING_SAFETY", where="grade in P.housing_unsafe_grades",
         args={"detail": "grade"}, params=("housing_unsafe_grades", "event_window_months"),
         source="R7 HOUSING [VL S29]"),
    Rule("R7-WAT-01", 1, "village_event", "water",
         "停水超过30天", "Water supply cut for more than 30 days",
         "水利部门报告自{date}起停水 {value} 天，超过 {threshold} 天",
         "Water resources reported an outage of {value} days from {date}, more than "
         "{threshold} days",
         risk_type="DRINKING_WATER",
         where="event == 'outage' and outage_days > P.water_outage_days_min",
         args={"value": "outage_days", "threshold": "P.water_outage_days_min"},
         params=("water_outage_days_min", "event_window_months"),
         source="R7 WATER [VL S16]"),
    Rule("R7-WAT-02", 1, "village_event", "water",
         "饮用水水质检测不合格", "Failed drinking-water quality test",
         "水利部门{date}检测饮用水水质不合格",
         "Water resources recorded a failed drinking-water test on {date}",
         risk_type="DRINKING_WATER", where="event == 'quality_failed'",
         params=("event_window_months",), source="R7 WATER [VL S16, S28]"),
    Rule("R7-EMG-01", 1, "event", "emergency",
         "受灾农户房屋严重损坏或直接损失较大", "Disaster: severe house damage or a large loss",
         "应急管理部门记录{date}灾害，直接经济损失 {value} 元（房屋：{detail_zh}），可走快速通道",
         "Emergency management recorded a disaster on {date} with a direct loss of {value} "
         "yuan (house: {detail_en}); the fast track applies",
         risk_type="DISASTER",
         where="house_damage in P.disaster_house_damage or loss_yuan > P.disaster_loss_yuan_min",
         args={"value": "loss_yuan", "detail": "house_damage", "value_agg": "max"},
         params=("disaster_house_damage", "disaster_loss_yuan_min", "event_window_months"),
         source="R7 EMERGENCY, R3 fast track [VL S94]"),
    Rule("R7-HR-01", 1, "unresolved_duration", "hr_social_security",
         "务工返乡未就业满N个月", "Migrant back home without work for N months",
         "{date}返乡后已 {value} 个月未就业（预警：{threshold} 个月）",
         "Back home without work for {value} months since {date} (alert at {threshold})",
         risk_type="UNSTABLE_EMPLOYMENT",
         args={"start": "event == 'returned_without_work'",
               "end": "event in ('employed', 're_employed')",
               "months": "P.returned_without_work_months"},
         params=("returned_without_work_months",),
         source="R7 HR_SOCIAL_SECURITY [I]"),
    Rule("R7-PS-01", 1, "event", "public_security",
         "交通事故或刑事案件致重伤、致残或死亡", "Serious injury, disability or death in a "
         "traffic or criminal event",
         "公安部门{date}记录{detail_zh}",
         "Public security recorded a {detail_en} on {date}",
         risk_type="ACCIDENT",
         where="event in ('traffic_injury', 'criminal_injury') and "
               "severity in ('serious', 'disabled', 'death')",
         args={"detail": "event"}, params=("event_window_months",),
         source="§5.2 public security, R7 PUBLIC_SECURITY [VL S24]",
         note="The feed does not say whether the person is the main earner; the visit does."),
    Rule("R7-PS-02", 1, "event", "public_security",
         "家庭成员死亡注销", "A household member's death",
         "公安部门{date}办理死亡注销，需更新家庭成员并核实收入和劳动力",
         "Public security deregistered a death on {date}; update the members and check income "
         "and labour",
         risk_type="LACK_OF_LABOUR", where="event == 'death'",
         params=("event_window_months",), source="R7 PUBLIC_SECURITY [VL S24; I]"),
    Rule("R2-INC-01", 2, "income_below_line", "registry",
         "脱贫户人均纯收入低于监测范围但未纳入监测",
         "Poverty-alleviated household below the line but not monitored",
         "近{window}个月人均纯收入 {value} 元，低于{year}年监测范围 {threshold} 元，"
         "该脱贫户未纳入监测",
         "Per-capita net income over the past {window} months is {value} yuan, below the "
         "{year} monitoring line of {threshold} yuan, and this poverty-alleviated household "
         "is not monitored",
         category="UNSTABLE", args={"household_type": "poverty_alleviated"},
         params=("monitoring_line_by_year", "income_window_months", "income_window_min_months"),
         source="R1, R2 UNSTABLE [V S2]; Guizhou rule [VL S17]",
         note="R1 (dixian.engine.income): the monthly rows where at least "
              "income_window_min_months are recorded, else the national system's latest annual "
              "income block within the window (a migrated county's households); the evidence's "
              "detail then names it (annual:YYYY-MM). Version 2 reads the blocks."),
    Rule("R2-INC-02", 2, "income_below_line", "registry",
         "一般农户人均纯收入低于监测范围", "Ordinary household below the line",
         "近{window}个月人均纯收入 {value} 元，低于{year}年监测范围 {threshold} 元",
         "Per-capita net income over the past {window} months is {value} yuan, below the "
         "{year} monitoring line of {threshold} yuan",
         category="MARGINAL", args={"household_type": "ordinary"},
         params=("monitoring_line_by_year", "income_window_months", "income_window_min_months"),
         source="R1, R2 MARGINAL [V S2]",
         note="R1 (dixian.engine.income): the monthly rows where at least "
              "income_window_min_months are recorded, else the national system's latest annual "
              "income block within the window (a migrated county's households); the evidence's "
              "detail then names it (annual:YYYY-MM). Version 2 reads the blocks."),
    Rule("R2-SUD-01", 2, "rigid_spending_below_line", "registry",
         "扣除刚性支出后人均收入低于监测范围（突发严重困难）",
         "Below the line after rigid spending (sudden severe hardship)",
         "人均纯收入 {value2} 元，扣除近{window}个月合规自付医疗等刚性支出后为 {value} 元，"
         "低于监测范围 {threshold} 元",
         "Per-capita net income is {value2} yuan but {value} yuan after the past {window} "
         "months' rigid spending (compliant out-of-pocket medical), below the monitoring line "
         "of {threshold} yuan",
         risk_type="ILLNESS", category="SUDDEN",
         params=("monitoring_line_by_year", "income_window_months", "income_window_min_months",
                 "medical_lookback_months"),
         source="R2 SUDDEN [VL S15; V S2]",
         note="Rigid spending = the larger of the registry's and the medical feed's 12-month "
              "compliant out-of-pocket (an annual block's own where R1 is the block); education "
              "costs are not in the snapshot. R1 as in R2-INC-01 (version 2 reads the annual "
              "blocks)."),
    Rule("R7-AST-01", 1, "negative_screen", "assets",
         "有线索农户名下有车辆、商品房、工商注册或财政供养人员",
         "Household with a clue holds assets or a public-payroll member",
         "资产核查：名下有{detail_zh}（{date}登记），请在核实时一并复核，不作为自动排除依据",
         "Asset check: holds {detail_en} (registered {date}); review at the visit, not an "
         "automatic exclusion",
         args={"detail": "asset"}, source="R7 ASSETS [VL S23; I]"),
)

RULES_BY_ID = {r.id: r for r in RULES}
assert len(RULES_BY_ID) == len(RULES)
