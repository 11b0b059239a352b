"""The measure catalogue as data: categories, instruments and departments (domain.md §2.3, §3).

**Categories** are the assistance columns of the national monitoring system (产业帮扶 …
基础设施建设, domain.md §2.3). Industry and employment are development-oriented (开发式): a
household with labour must have one of them implemented (§3.2, rule R4).

**Instruments** are the concrete policies a measure uses (小额信贷, 雨露计划, 低保 …), each in
one category, owned by one department, with the parameters its checks use (:mod:`.params`)
and, for loans, posts and 雨露计划, the point until which it continues after the household's
risk is eliminated (domain.md §4 [S S96]).

**Departments** are plain string codes. They are the codes of the Django side's
``dixian.core.roles.Department`` (the engine may not import it; a test outside the engine
compares the two), including ``agriculture_rural`` (农业农村 / 乡村振兴, which owns the
monitoring itself, 雨露计划, micro-credit and industry support) and ``health`` (卫生健康,
family doctors).

**Province extension.** A province extends or overrides the default catalogue with a
JSON-like mapping — what a YAML or JSON file in the province's configuration would hold::

    {"departments": {code: {"zh": ..., "en": ...}},
     "categories":  {code: {field: value, ...} or None},
     "instruments": {code: {field: value, ...} or None}}

An entry for an existing code replaces the fields it names; an entry for a new code must give
every required field; ``None`` removes the entry (a category still used by an instrument or a
plan rule cannot be removed). Unknown fields, categories, departments and parameters are
refused. Register a province's mapping in :data:`PROVINCES` or pass it per call:

>>> cat = for_province(None, {"instruments": {
...     "CATTLE_SUBSIDY": {"category": "INDUSTRY", "zh": "养牛补贴", "en": "Cattle subsidy",
...                        "department": "agriculture_rural", "source": "province notice"},
...     "ANTI_POVERTY_INSURANCE": {"category": "SOCIAL_ASSISTANCE"}}})
>>> cat.instrument("CATTLE_SUBSIDY").category, cat.instrument("ANTI_POVERTY_INSURANCE").category
('INDUSTRY', 'SOCIAL_ASSISTANCE')
>>> DEFAULT.instrument("ANTI_POVERTY_INSURANCE").category   # the default is untouched
'FINANCE'
>>> for_province(None, {"instruments": {"X": {"category": "NOPE"}}})
Traceback (most recent call last):
...
ValueError: catalogue: instrument X lacks required field(s) ['department', 'en', 'source', 'zh']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Any

from .params import PARAMETERS

__all__ = ["Category", "Instrument", "Catalogue", "DEPARTMENTS", "CATEGORIES", "INSTRUMENTS",
           "CONTINUATIONS", "TARGETS", "DEFAULT", "PROVINCES", "build", "for_province"]

#: department code -> (Chinese, English). All but the last two are codes of the Django
#: ``Department`` enum; see the module docstring.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "medical_insurance": ("医疗保障部门", "Medical insurance"),
    "civil_affairs": ("民政部门", "Civil affairs"),
    "education": ("教育部门", "Education"),
    "housing": ("住房和城乡建设部门", "Housing and urban-rural development"),
    "water": ("水利部门", "Water resources"),
    "emergency": ("应急管理部门", "Emergency management"),
    "human_resources": ("人力资源和社会保障部门", "Human resources and social security"),
    "disabled_federation": ("残疾人联合会", "Disabled persons' federation"),
    "agriculture_rural": ("农业农村部门（乡村振兴）",
                          "Agriculture and rural affairs (rural revitalisation)"),
    "health": ("卫生健康部门", "Health commission"),
}

#: how a measure continues after risk elimination -> (Chinese, English) [S S96]
CONTINUATIONS: dict[str, tuple[str, str]] = {
    "contract_end": ("风险消除后继续至合同到期", "continues after elimination until the contract "
                                          "ends"),
    "agreement_end": ("风险消除后继续至岗位协议到期", "continues after elimination until the post "
                                             "agreement ends"),
    "school_stage_end": ("风险消除后继续至当前学段结束", "continues after elimination until the "
                                              "current school stage ends"),
}
#: who an instrument is for -> (Chinese, English)
TARGETS: dict[str, tuple[str, str]] = {
    "member": ("到人（须指明成员）", "a member (the member must be named)"),
    "household": ("到户", "the household"),
    "either": ("到户或到人", "the household or a member"),
}


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    development: bool                     # 开发式 (industry, employment)
    departments: tuple[str, ...]          # lead departments, first = main
    source: str
    note: str = ""


@dataclass(frozen=True)
class Instrument:
    code: str
    category: str
    zh: str
    en: str
    department: str                       # owning department
    source: str
    target: str = "either"                # key of TARGETS
    continues_until: str | None = None    # key of CONTINUATIONS; None: no continuation rule
    params: tuple[str, ...] = ()          # parameters of :mod:`.params` its checks use
    development: bool | None = None       # None: as its category
    note: str = ""

    @property
    def continues_after_elimination(self) -> bool:
        return self.continues_until is not None


_REQUIRED = {
    "categories": ("zh", "en", "development", "departments", "source"),
    "instruments": ("category", "zh", "en", "department", "source"),
    "departments": ("zh", "en"),
}

_I = Instrument
_C = Category
_SYS = "§2.3 national export columns [VL S17]"

CATEGORIES: tuple[Category, ...] = (
    _C("INDUSTRY", "产业帮扶", "Industry support", True, ("agriculture_rural",),
       "§2.3 [VL S17]; 开发式 §3.2 [V S1, S30, S62]",
       "More than 85% of 脱贫 and monitored households had an industry measure by end-2025 "
       "[V S31]."),
    _C("EMPLOYMENT", "就业帮扶", "Employment support", True, ("human_resources",),
       "§2.3 [VL S17]; 开发式 §3.2 [V S1, S30, S62]"),
    _C("PUBLIC_WELFARE_POST", "公益岗位帮扶", "Public-welfare post", False, ("human_resources",),
       _SYS, "Not 开发式 in the national doctrine (§3.2), though the Guizhou tool lists it with "
             "the development columns in rule 5_11_030."),
    _C("FINANCE", "金融帮扶", "Financial support", False, ("agriculture_rural",), _SYS,
       "Micro-credit and insurance; a loan is for production, but the category itself is not "
       "开发式 in §3.2."),
    _C("HEALTH", "健康帮扶", "Health support", False, ("medical_insurance", "health"), _SYS),
    _C("EDUCATION", "教育帮扶", "Education support", False, ("education", "agriculture_rural"),
       _SYS, "雨露计划 is recorded here (§2.3)."),
    _C("COMPULSORY_EDUCATION", "义务教育保障", "Compulsory-education guarantee", False,
       ("education",), _SYS),
    _C("HOUSING_SAFETY", "住房安全保障", "Safe-housing guarantee", False, ("housing",), _SYS),
    _C("DRINKING_WATER", "饮水安全保障", "Drinking-water guarantee", False, ("water",), _SYS),
    _C("SOCIAL_SECURITY", "综合保障", "Social security (safety net)", False,
       ("civil_affairs", "disabled_federation"), _SYS,
       "兜底保障: 低保, 特困供养, 残疾人两项补贴 (§2.3)."),
    _C("SOCIAL_ASSISTANCE", "社会帮扶", "Social assistance", False,
       ("civil_affairs", "emergency"), _SYS,
       "The national column 社会帮扶 (help from society: enterprises, charities, pairing) "
       "[M]. "
       "Dixian also files here the one-off 社会救助 that are not 综合保障 — temporary "
       "assistance and disaster relief [I]."),
    _C("RELOCATION", "搬迁", "Relocation", False, ("agriculture_rural",), _SYS),
    _C("LIVING_CONDITIONS", "生产生活条件改善", "Better production and living conditions",
       False, ("agriculture_rural",), _SYS),
    _C("INFRASTRUCTURE", "基础设施建设", "Infrastructure", False, ("agriculture_rural",), _SYS),
)

INSTRUMENTS: tuple[Instrument, ...] = (
    # ------------------------------------------------------------------ industry
    _I("INDUSTRY_SUBSIDY", "INDUSTRY", "产业奖补", "Industry subsidy (到户产业奖补)",
       "agriculture_rural", "§3.3 因产业项目失败 → 产业帮扶; §3.2 [V S30, S31]",
       target="household",
       note="Awards or in-kind support for the household's own farming or small business."),
    _I("ASSET_INCOME", "INDUSTRY", "资产收益分红", "Asset-income dividend", "agriculture_rural",
       "§4 [S S96]; §7.3 asset income [VL S46b]", target="household",
       continues_until="contract_end", development=False,
       note="Recorded under 产业帮扶 in the national system but it gives no work, so it does "
            "not count as 开发式 here [I]."),
    # ------------------------------------------------------------------ employment
    _I("JOB_REFERRAL", "EMPLOYMENT", "劳务输出（就业推荐）", "Labour export (job referral)",
       "human_resources", "§3.3 因务工就业不稳 → 就业帮扶 (劳务输出)", target="member"),
    _I("MIGRANT_TRANSPORT_SUBSIDY", "EMPLOYMENT", "外出务工交通补贴",
       "Transport subsidy for migrant work", "human_resources",
       "§2.3 年度交通费补助; §3.3; §5.3 [VL S17 rules 4_11_012–016]", target="member",
       note="Only for a member working outside the home county (§5.3)."),
    _I("WORKSHOP_JOB", "EMPLOYMENT", "帮扶车间就业", "Job in an assistance workshop",
       "human_resources", "§3.3 因务工就业不稳 → 帮扶车间", target="member"),
    _I("VOCATIONAL_TRAINING", "EMPLOYMENT", "技能培训", "Vocational skills training",
       "human_resources", "§3.3 因务工就业不稳 → training", target="member"),
    # ------------------------------------------------------------------ public-welfare post
    _I("PUBLIC_WELFARE_POST", "PUBLIC_WELFARE_POST", "公益性岗位", "Public-welfare post",
       "human_resources", "§2.3, §3.3, §11.1 public_welfare_post [VL S17]; §4 [S S96]",
       target="member", continues_until="agreement_end",
       params=("public_welfare_post_min_age", "public_welfare_post_max_age_exclusive",
               "public_welfare_post_max_posts_per_person"),
       note="Post types as in ENUMS['welfare_post'] (保洁员, 生态护林员 …)."),
    # ------------------------------------------------------------------ finance
    _I("MICROCREDIT", "FINANCE", "小额信贷", "Micro-credit (脱贫人口小额信贷)",
       "agriculture_rural", "§3.3 instrument parameters [VL S58]; §4 [S S96]",
       target="member", continues_until="contract_end",
       params=("microcredit_max_amount", "microcredit_max_years",
               "microcredit_borrower_min_age", "microcredit_borrower_max_age",
               "microcredit_interest_subsidy_share_by_year"),
       note="Free of guarantee and collateral; rate at most the 1-year LPR (terms up to 1 "
            "year) or the 5-year-plus LPR (1–3 years); for production only; banks lend, "
            "the county subsidises the interest [VL S58]."),
    _I("ANTI_POVERTY_INSURANCE", "FINANCE", "防贫保", "Anti-poverty insurance (防止返贫保险)",
       "agriculture_rural", "§3.3 因意外事故 → insurance (防贫保) [I for the category]",
       target="household",
       note="Some provinces record it under 社会帮扶; override the category per province."),
    # ------------------------------------------------------------------ health
    _I("MEDICAL_PREMIUM_SUBSIDY", "HEALTH", "医保参保资助",
       "Medical-insurance premium subsidy (城乡居民基本医疗保险个人缴费资助)",
       "medical_insurance", "§3.3 [VL S17 rules 1111_06/09/13]", target="member",
       note="Granted at enrolment: households identified after the year's enrolment cut-off "
            "get it from the next insurance year (1111_09/13)."),
    _I("CRITICAL_ILLNESS_INSURANCE", "HEALTH", "大病保险", "Critical-illness insurance",
       "medical_insurance", "§1.3, §3.3 [VL S17]", target="member",
       note="Tilted payment (lower deductible, higher rates) for monitored persons."),
    _I("MEDICAL_ASSISTANCE", "HEALTH", "医疗救助", "Medical assistance", "medical_insurance",
       "§1.3, §3.3 [VL S17]", target="member",
       note="The third layer after basic insurance and critical-illness insurance."),
    _I("FAMILY_DOCTOR", "HEALTH", "家庭医生签约", "Family-doctor contract", "health",
       "§3.3 [VL S17]", target="member"),
    # ------------------------------------------------------------------ education
    _I("YULU_PLAN", "EDUCATION", "雨露计划", "Yulu plan (vocational-school grant)",
       "agriculture_rural", "§3.3 [VL S17 rule 1111_2]; §4 [S S96]", target="member",
       continues_until="school_stage_end",
       note="For a member in secondary (中职) or higher (高职) vocational school."),
    _I("STUDENT_AID", "EDUCATION", "学生资助", "Student financial aid", "education",
       "§3.3 因学 → school aid", target="member"),
    _I("DROPOUT_CONTROL", "COMPULSORY_EDUCATION", "控辍保学", "Dropout control (back to school)",
       "education", "§3.3 义务教育失学辍学 [VL S17 rule 5_18_005]", target="member"),
    # ------------------------------------------------------------------ housing, water
    _I("HOUSE_RENOVATION", "HOUSING_SAFETY", "危房改造", "Renovation of a C/D-grade house",
       "housing", "§1.3, §3.3 [VL S29]", target="household",
       note="Only for a dwelling appraised C (局部危房) or D (整幢危房)."),
    _I("WATER_PROJECT", "DRINKING_WATER", "饮水工程", "Drinking-water project", "water",
       "§1.3, §3.3 [VL S28]", target="household"),
    # ------------------------------------------------------------------ social security
    _I("DIBAO", "SOCIAL_SECURITY", "低保", "Minimum living guarantee (最低生活保障)",
       "civil_affairs", "§1.1 [V S88]; §3.3 [VL S17 rules 5_19_003/007]", target="either",
       note="Granted to the household; the registry marks each member covered."),
    _I("TEKUN", "SOCIAL_SECURITY", "特困供养", "Extreme-hardship support (特困人员救助供养)",
       "civil_affairs", "§3.3 [VL S17 rules 5_15_018/019]", target="member",
       params=("tekun_able_age_min", "tekun_able_age_max")),
    _I("DISABILITY_ALLOWANCES", "SOCIAL_SECURITY", "残疾人两项补贴",
       "Disability allowances (困难残疾人生活补贴、重度残疾人护理补贴)", "civil_affairs",
       "§2.3 综合保障; §3.3 因残 [VL S17]", target="member",
       note="Civil affairs pays; the disabled persons' federation certifies the disability."),
    # ------------------------------------------------------------------ social assistance
    _I("TEMPORARY_ASSISTANCE", "SOCIAL_ASSISTANCE", "临时救助", "Temporary assistance",
       "civil_affairs", "§3.3 因灾, 因意外事故 [V S62; VL S24]", target="household"),
    _I("DISASTER_RELIEF", "SOCIAL_ASSISTANCE", "受灾救助", "Disaster relief",
       "emergency", "§3.3 因灾 [V S62; VL S94]", target="household",
       note="Fast track: may be given before the identification procedure ends (R3)."),
    # ------------------------------------------------------------------ relocation, conditions
    _I("RELOCATION", "RELOCATION", "易地搬迁", "Relocation (同步搬迁、避险搬迁)",
       "agriculture_rural", "§3.3 因安全住房 → 搬迁 [VL S17 rule 5_18_004]",
       target="household",
       note="The 13th-FYP 易地扶贫搬迁 programme closed in 2020 (rule 1111_4 flags it for "
            "households identified since 2021); new moves are synchronous or hazard-avoidance "
            "relocation."),
    _I("HOUSEHOLD_FACILITIES", "LIVING_CONDITIONS", "生产生活条件改善",
       "Household facilities (toilet, access road, power)", "agriculture_rural",
       "§2.3 living conditions [VL S17]", target="household"),
    _I("VILLAGE_INFRASTRUCTURE", "INFRASTRUCTURE", "基础设施建设",
       "Village infrastructure (roads, water, power)", "agriculture_rural",
       "§2.3 [VL S17]; §7.2 project library", target="household"),
)

#: categories the plan rules name; they cannot be removed by a province (checked here so the
#: catalogue never depends on :mod:`.rules`)
PROTECTED_CATEGORIES = ("INDUSTRY", "EMPLOYMENT", "PUBLIC_WELFARE_POST", "FINANCE", "HEALTH",
                        "EDUCATION", "COMPULSORY_EDUCATION", "HOUSING_SAFETY", "DRINKING_WATER",
                        "SOCIAL_SECURITY", "SOCIAL_ASSISTANCE", "RELOCATION")
#: instruments the plan rules name (雨露计划, 低保, 特困): a province may change them but not
#: remove them
PROTECTED_INSTRUMENTS = ("YULU_PLAN", "DIBAO", "TEKUN")


@dataclass(frozen=True, eq=False)
class Catalogue:
    """An immutable catalogue: the default, or the default with a province's overrides."""

    departments: Mapping[str, tuple[str, str]]
    categories: Mapping[str, Category]
    instruments: Mapping[str, Instrument]

    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise KeyError(f"unknown measure category {code!r}") from None

    def instrument(self, code: str) -> Instrument:
        try:
            return self.instruments[code]
        except KeyError:
            raise KeyError(f"unknown instrument {code!r}") from None

    def instruments_in(self, category: str) -> tuple[Instrument, ...]:
        return tuple(i for i in self.instruments.values() if i.category == category)

    def development_categories(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories.values() if c.development)

    def is_development(self, category: str, instrument: str | None = None) -> bool:
        """开发式: the instrument's own flag if it has one, else its category's."""
        inst = self.instruments.get(instrument) if instrument else None
        if inst is not None and inst.development is not None:
            return inst.development
        cat = self.categories.get(category)
        return bool(cat and cat.development)

    def department_label(self, code: str | None) -> tuple[str, str]:
        return self.departments.get(code or "", (code or "", code or ""))

    def to_dict(self) -> dict[str, Any]:
        """The whole catalogue as plain JSON-like data (e.g. to seed the Django tables)."""
        def row(obj):
            d = {f.name: getattr(obj, f.name) for f in fields(obj) if f.name != "code"}
            return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}
        return {"departments": {k: {"zh": zh, "en": en}
                                for k, (zh, en) in self.departments.items()},
                "categories": {k: row(c) for k, c in self.categories.items()},
                "instruments": {k: row(i) for k, i in self.instruments.items()}}


def _merge(kind: str, cls, current: dict, changes: Mapping[str, Any] | None) -> None:
    allowed = {f.name for f in fields(cls)} - {"code"} if cls else {"zh", "en"}
    for code, change in (changes or {}).items():
        if change is None:
            if code not in current:
                raise ValueError(f"catalogue: cannot remove unknown {kind[:-1]} {code}")
            del current[code]
            continue
        unknown = sorted(set(change) - allowed)
        if unknown:
            raise ValueError(f"catalogue: {kind[:-1]} {code}: unknown field(s) {unknown}")
        change = {k: tuple(v) if isinstance(v, list) else v for k, v in change.items()}
        if code in current:
            old = current[code]
            current[code] = (replace(old, **change) if cls else
                             (change.get("zh", old[0]), change.get("en", old[1])))
        else:
            missing = sorted(set(_REQUIRED[kind]) - set(change))
            if missing:
                raise ValueError(f"catalogue: {kind[:-1]} {code} lacks required field(s) "
                                 f"{missing}")
            current[code] = cls(code=code, **change) if cls else (change["zh"], change["en"])


def _validate(cat: Catalogue) -> None:
    problems = []
    for c in cat.categories.values():
        problems += [f"category {c.code}: unknown department {d!r}"
                     for d in c.departments if d not in cat.departments]
        if not c.departments:
            problems.append(f"category {c.code}: no department")
    for code in PROTECTED_CATEGORIES:
        if code not in cat.categories:
            problems.append(f"category {code} is used by the plan rules and cannot be removed")
    for code in PROTECTED_INSTRUMENTS:
        if code not in cat.instruments:
            problems.append(f"instrument {code} is used by the plan rules and cannot be "
                            f"removed")
    for i in cat.instruments.values():
        if i.category not in cat.categories:
            problems.append(f"instrument {i.code}: unknown category {i.category!r}")
        if i.department not in cat.departments:
            problems.append(f"instrument {i.code}: unknown department {i.department!r}")
        if i.target not in TARGETS:
            problems.append(f"instrument {i.code}: target {i.target!r} not in {list(TARGETS)}")
        if i.continues_until is not None and i.continues_until not in CONTINUATIONS:
            problems.append(f"instrument {i.code}: continues_until {i.continues_until!r} not in "
                            f"{list(CONTINUATIONS)}")
        problems += [f"instrument {i.code}: unknown parameter {p!r}"
                     for p in i.params if p not in PARAMETERS]
    if problems:
        raise ValueError("catalogue: " + "; ".join(problems))


def build(overrides: Mapping[str, Any] | None = None, *, base: Catalogue | None = None
          ) -> Catalogue:
    """``base`` (default: the national default) with ``overrides`` applied and validated."""
    if base is None:
        deps = dict(DEPARTMENTS)
        cats = {c.code: c for c in CATEGORIES}
        insts = {i.code: i for i in INSTRUMENTS}
    else:
        deps, cats, insts = (dict(base.departments), dict(base.categories),
                             dict(base.instruments))
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(_REQUIRED))
    if unknown:
        raise ValueError(f"catalogue: unknown section(s) {unknown}; use {sorted(_REQUIRED)}")
    _merge("departments", None, deps, overrides.get("departments"))
    _merge("categories", Category, cats, overrides.get("categories"))
    _merge("instruments", Instrument, insts, overrides.get("instruments"))
    cat = Catalogue(MappingProxyType(deps), MappingProxyType(cats), MappingProxyType(insts))
    _validate(cat)
    return cat


#: province code -> overrides (same shape as :func:`build`'s); none documented yet
PROVINCES: dict[str, dict[str, Any]] = {}

DEFAULT: Catalogue = build()


def for_province(province: str | None, overrides: Mapping[str, Any] | None = None
                 ) -> Catalogue:
    """The catalogue of ``province``: the default, then :data:`PROVINCES`, then ``overrides``."""
    cat = DEFAULT
    if province and province in PROVINCES:
        cat = build(PROVINCES[province], base=cat)
    if overrides:
        cat = build(overrides, base=cat)
    return cat
