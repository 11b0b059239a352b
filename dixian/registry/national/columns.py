"""The five tables of the national export: their columns, in order, and what each becomes.

Headers are the national system's (domain.md §2.3; the Guizhou checker Gzuwkj/fuping reads
them by these names). A column has a ``part``:

- ``area``: 县 / 乡 / 村 by name (or by NBS code);
- ``household`` / ``member``: a field of the snapshot contract (:mod:`dixian.engine.schema`),
  typed as the contract types it;
- ``risk``: 致贫/返贫风险1…5;
- ``block``: an item of an annual income block (``identification`` or ``elimination``);
- ``measure``: one of the fourteen assistance-measure columns (a category code of
  :mod:`dixian.engine.assistance.catalogue`);
- ``derived``: written by the writer from other facts, read by nobody (实施开发式帮扶措施情况,
  整户无劳动能力兜底保障户).

Accepted aliases cover the contract's own Chinese names (Dixian's earlier national layout)
and the variants the checker reads (e.g. 县(市、区、旗) in 户信息, 公益性岗位帮扶).
"""

from __future__ import annotations

from dataclasses import dataclass

TABLES = ("objects", "households", "migrant", "planned", "villages")
#: the table's name in a sheet or file name → table; the first is the one the writer uses
TITLES = {
    "objects": ("监测对象信息", "（自定义）监测对象信息", "(自定义基础表)监测对象信息"),
    "households": ("户信息", "（乡村建设）户信息", "(乡村建设)户信息"),
    "migrant": ("已外出务工信息", "（务工月监测）已外出务工信息", "(务工月监测)已外出务工信息"),
    "planned": ("计划外出务工信息",),
    "villages": ("行政村信息", "（自定义）行政村信息"),
}
FILE_NAMES = {"objects": "（自定义）监测对象信息", "households": "（乡村建设）户信息",
              "migrant": "（务工月监测）已外出务工信息", "planned": "计划外出务工信息",
              "villages": "（自定义）行政村信息"}
TITLE_ROWS = 2  # the header is the third row (the checker reads with header=2)


@dataclass(frozen=True)
class Col:
    header: str
    part: str  # area | household | member | risk | block | measure | derived
    field: str  # contract field, area level, block basis:item, measure category
    aliases: tuple[str, ...] = ()


def _h(header, field, *aliases):
    return Col(header, "household", field, aliases)


def _m(header, field, *aliases):
    return Col(header, "member", field, aliases)


AREA_OBJECTS = (Col("县", "area", "county", ("县(市、区、旗)",)),
                Col("乡", "area", "township", ("乡(镇)",)),
                Col("村", "area", "village", ("行政村",)))
AREA_HOUSEHOLDS = (Col("县(市、区、旗)", "area", "county", ("县",)),
                   Col("乡(镇)", "area", "township", ("乡",)),
                   Col("行政村", "area", "village", ("村",)))
AREA_WORK = (Col("县", "area", "county", ("县(市、区、旗)",)),
             Col("乡", "area", "township", ("乡(镇)",)),
             Col("行政村", "area", "village", ("村",)))

KEY = (_h("自然村", "natural_village"), _h("户编号", "household_code"),
       _h("户类型", "household_type"))
PERSON = (
    _m("姓名", "name"), _m("证件类型", "id_type"), _m("证件号码", "resident_id"),
    _m("性别", "sex"), _m("出生日期", "birth_date"), _m("民族", "ethnicity"),
    _m("与户主关系", "relation_to_head"),
)
MONITORING = (
    _h("脱贫年度", "year_lifted", "脱贫年份"),
    _h("是否易地扶贫搬迁户", "relocated"),
    _h("户联系电话", "phone"),
    _h("监测联系人", "monitoring_contact"), _h("监测联系人电话", "monitoring_contact_phone"),
    _h("监测对象类别", "monitoring_category", "检测对象类别"),
    _h("识别监测时间", "identified_month"),
    *(Col(f"致贫/返贫风险{i}", "risk", str(i)) for i in range(1, 6)),
    _h("其他备注", "risk_other_note"),
    _h("风险是否已消除", "risk_eliminated"),
    _h("风险消除方式", "elimination_mode", "消除方式"),
    _h("消除监测时间", "eliminated_month"),
)
MEMBER_DETAIL = (
    _m("文化程度", "education"), _m("在校生状况", "schooling_status"),
    _m("健康状况", "health"), _m("残疾类别", "disability_type"),
    _m("残疾等级", "disability_grade"), _m("是否持有残疾人证", "disability_cert", "残疾人证"),
    _m("劳动技能", "labour_skill"), _m("务工状况", "work_status"),
    _m("是否参加城乡居民基本医疗保险", "med_ins_resident"),
    _m("是否参加城镇职工基本医疗保险", "med_ins_employee"),
    _m("是否参加大病保险", "critical_illness_ins"),
    _m("是否接受医疗救助", "medical_assistance"),
    _m("是否参加城乡居民基本养老保险", "pension_resident"),
    _m("是否参加城镇职工基本养老保险", "pension_employee"),
    _m("享受低保政策情况", "dibao"), _m("享受特困供养政策情况", "tekun"),
    _m("公益性岗位", "welfare_post"), _m("公益性岗位聘用时间", "welfare_post_start_month"),
    _m("家庭成员联系电话", "phone"),
    _m("人员状态", "member_status"), _m("状态变更时间", "status_month"),
)
CONDITIONS = (
    _h("住房安全鉴定等级", "housing_grade"),
    _h("是否危房户", "dangerous_house"),
    _h("住房面积", "housing_area_m2", "住房面积（平方米）"),
    _h("饮水水量是否达标", "water_quantity_ok"), _h("饮水水质是否达标", "water_quality_ok"),
    _h("取水是否方便", "water_convenience_ok"), _h("供水是否有保障", "water_supply_ok"),
    _h("是否解决安全饮用水", "safe_drinking_water"),
    _h("是否通自来水", "piped_water"),
    _h("入户道路是否硬化", "road_hardened"),
    _h("与村主干路距离", "main_road_distance_km", "与村主干路距离（公里）"),
    _h("是否通生活用电", "electricity"),
    _h("是否有卫生厕所", "sanitary_toilet", "有无卫生厕所"),
    _h("卫生厕所是否能正常使用", "toilet_usable"),
    _h("耕地面积（亩）", "cultivated_mu"), _h("林地面积（亩）", "forest_mu"),
    _h("退耕还林面积（亩）", "returned_forest_mu"), _h("林果面积（亩）", "orchard_mu"),
    _h("牧草地面积", "pasture_mu", "牧草地面积（亩）"),
    _h("水面面积", "water_surface_mu", "水面面积（亩）"),
    _h("是否义务教育阶段适龄儿童少年失学辍学", "dropout_flag"),
    _h("是否有家庭成员未参加城乡居民（职工）基本医疗保险", "uninsured_member_flag"),
)
#: an income block's items: header suffix → IncomeBlock field
BLOCK_ITEMS = (("工资性收入", "wage"), ("生产经营性收入", "business"),
               ("财产性收入", "property"), ("转移性收入", "transfer"),
               ("生产经营性支出", "business_cost"), ("理赔收入", "insurance_payout"),
               ("合规自付支出", "compliant_oop_medical"), ("家庭纯收入", "household_net"),
               ("人均纯收入（元）", "per_capita_net"))
ELIMINATION_FLAGS = (("风险消除后是否住房损毁", "house_damaged"),
                     ("风险消除后是否饮水设施损毁", "water_damaged"),
                     ("风险消除后是否义务教育阶段适龄儿童少年失学辍学", "dropout"),
                     ("风险消除后是否有家庭成员未参加城乡居民（职工）基本医疗保险",
                      "uninsured_member"))
BLOCKS = (
    *(Col(h, "block", f"identification:{f}") for h, f in BLOCK_ITEMS),
    *(Col(f"风险消除后{h}", "block", f"elimination:{f}") for h, f in BLOCK_ITEMS),
    *(Col(h, "block", f"elimination:{f}") for h, f in ELIMINATION_FLAGS),
)
#: the fourteen measure columns (header → category code of the assistance catalogue)
MEASURE_COLUMNS = (
    ("产业帮扶", "INDUSTRY"), ("就业帮扶", "EMPLOYMENT"),
    ("公益岗位帮扶", "PUBLIC_WELFARE_POST"), ("金融帮扶", "FINANCE"), ("健康帮扶", "HEALTH"),
    ("教育帮扶", "EDUCATION"), ("义务教育保障", "COMPULSORY_EDUCATION"),
    ("住房安全保障", "HOUSING_SAFETY"), ("饮水安全保障", "DRINKING_WATER"),
    ("综合保障", "SOCIAL_SECURITY"), ("社会帮扶", "SOCIAL_ASSISTANCE"), ("搬迁", "RELOCATION"),
    ("生产生活条件改善", "LIVING_CONDITIONS"), ("基础设施建设", "INFRASTRUCTURE"),
)
MEASURE_ALIASES = {"公益岗位帮扶": ("公益性岗位帮扶",)}
MEASURES = (
    *(Col(h, "measure", code, MEASURE_ALIASES.get(h, ())) for h, code in MEASURE_COLUMNS),
    Col("公益岗位帮扶其他备注", "derived", "post_note", ("公益性岗位帮扶其他备注",)),
    Col("实施开发式帮扶措施情况", "derived", "development"),
    Col("整户无劳动能力兜底保障户", "derived", "no_labour"),
)
WORK = (
    Col("是否已务工", "derived", "working", ("是否已外出务工",)),
    _m("务工状况", "work_status"),
    _m("务工所在县", "work_place_code", "务工所在地（县）", "务工所在地"),
    _m("开始时间", "work_start_month", "务工开始时间"),
    _m("务工月收入", "migrant_monthly_income"),
)
PLANNED = (
    _m("是否计划务工", "plans_migrant_work"), _m("计划务工所在县", "planned_work_county"),
    _m("就业服务需求", "employment_service_need"),
)
VILLAGE = (
    Col("县", "area", "county", ("县(市、区、旗)",)), Col("乡", "area", "township", ("乡(镇)",)),
    Col("村", "area", "village", ("行政村",)),
    Col("总户数", "village", "households_total"), Col("总人口数", "village", "population_total"),
    Col("低保户数", "village", "dibao_households"),
    Col("未实现饮水安全户数", "village", "unsafe_water_households"),
    Col("危房户数", "village", "dangerous_households"),
    Col("耕地面积（亩）", "village", "cultivated_mu"),
)

COLUMNS: dict[str, tuple[Col, ...]] = {
    "objects": (*AREA_OBJECTS, *KEY, *PERSON, *MONITORING, *MEMBER_DETAIL, *CONDITIONS,
                *BLOCKS, *MEASURES),
    "households": (*AREA_HOUSEHOLDS, *KEY, *PERSON[:3], PERSON[6], *CONDITIONS),
    "migrant": (*AREA_WORK, KEY[1], KEY[2], PERSON[0], PERSON[2], *WORK),
    "planned": (*AREA_WORK, KEY[1], KEY[2], PERSON[0], PERSON[2], *PLANNED),
    "villages": VILLAGE,
}
#: risk labels seen in exports besides the contract's own (domain.md §3.1: 因灾 = 因自然灾害)
RISK_ALIASES = {"因灾": "DISASTER", "因意外": "ACCIDENT", "因产业失败": "INDUSTRY_FAILURE",
                "因务工就业不稳定": "UNSTABLE_EMPLOYMENT"}

#: the columns whose presence tells which table a sheet holds, when its name does not
SIGNATURE = (("villages", ("总户数", "总人口数")), ("planned", ("是否计划务工",)),
             ("migrant", ("是否已务工", "是否已外出务工", "务工月收入")),
             ("objects", ("监测对象类别", "识别监测时间", "工资性收入")),
             ("households", ("户编号",)))


def header_index(table: str) -> dict[str, Col]:
    """Every accepted header of a table → its column."""
    index = {}
    for col in COLUMNS[table]:
        for name in (col.header, *col.aliases):
            index.setdefault(name, col)
    return index


def table_of(sheet_name: str, headers: list[str]) -> str | None:
    """Which of the five tables a sheet (or file) holds: by its name, else by its headers."""
    for table in ("migrant", "planned", "villages", "objects", "households"):
        if any(title in sheet_name for title in TITLES[table]):
            return table
    present = set(headers)
    for table, keys in SIGNATURE:
        if present & set(keys):
            return table
    return None
