"""Declared schemas of the departmental feeds (domain.md §5.1, §5.2, §11.2 R7).

Each department pushes its records monthly (by month-end, [VL S25]). A :class:`FeedSchema`
declares, for one department, the columns with their Arrow types, the key, the Chinese header
names a department's spreadsheet may use, which column identifies the person (``resident_id``)
or the village / household, which column dates each record, and the period a file covers.

The validated table has exactly the declared columns (in order) plus ``batch_month`` (the
month the file covers, ``'YYYY-MM'``) and ``source_row`` (the row number in the file, the
header being row 1), so that every record keeps its provenance.

>>> FEEDS["medical"].zh
'医疗保障局'
>>> FEEDS["medical"].column("oop_compliant").resolve_header("合规自付")
True
>>> sorted(FEEDS) == sorted(DEPARTMENTS)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from ..schema import ENUMS

__all__ = ["Column", "FeedSchema", "FEEDS", "DEPARTMENTS", "PROVENANCE", "arrow_schema",
           "feed_schema"]

S, I8, I16, I32, F32, D, B = pa.string(), pa.int8(), pa.int16(), pa.int32(), pa.float32(), \
    pa.date32(), pa.bool_()


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    zh: str
    doc: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    #: allowed codes -> Chinese label (either is accepted in a file; the code is stored)
    values: dict[str, str] | None = None
    #: inclusive numeric range
    range: tuple[float, float] | None = None

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)

    def resolve_header(self, header: str) -> bool:
        h = header.strip().replace(" ", "").replace("（", "(").replace("）", ")")
        return h.lower() == self.name or h in {a.replace("（", "(").replace("）", ")")
                                              for a in self.headers()}


@dataclass(frozen=True)
class FeedSchema:
    department: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: column holding the person's ID number (matched through the lookup token), or None
    person_column: str | None
    #: column holding a village code (village-level records) or None
    village_column: str | None
    #: column dating each record (late records are dated before the period)
    date_column: str
    period: str = "month"
    push: str = "monthly, by month-end"
    source: str = ""
    doc: str = ""
    file_formats: tuple[str, ...] = field(default=("csv", "xlsx", "parquet"))

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


PROVENANCE = (
    Column("batch_month", S, "数据期", "Month the file covers ('YYYY-MM')."),
    Column("source_row", pa.int32(), "源行号", "Row number in the file (header = row 1)."),
)

_ID = ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证")
_NAME = ("姓名", "人员姓名", "参保人姓名")
_VILLAGE = ("村代码", "行政村代码", "村级区划代码", "行政区划代码")


def _id(required=True, zh="身份证号码", doc="Resident ID number (GB 11643) of the person."):
    return Column("resident_id", S, zh, doc, _ID, required=required)


def _name():
    return Column("name", S, "姓名", "Name as recorded by the department.", _NAME)


def _rid(zh="记录编号"):
    return Column("record_id", S, zh, "The department's record key.",
                  ("记录号", "编号", "流水号", "业务编号"), required=True)


MEDICAL = FeedSchema(
    "medical", "医疗保障局", "Medical insurance bureau: settled claims",
    (
        Column("claim_id", S, "结算编号", "Settlement (claim) key.", ("结算ID", "结算流水号"),
               required=True),
        _id(), _name(),
        Column("visit_type", S, "就诊类型", "Inpatient, outpatient or chronic-disease outpatient.",
               ("医疗类别",), required=True,
               values={"inpatient": "住院", "outpatient": "普通门诊",
                       "chronic_outpatient": "门诊慢特病"}),
        Column("admission_date", D, "入院日期", "Admission or visit date.", ("就诊日期",)),
        Column("settle_date", D, "结算日期", "Settlement date (dates the record).",
               ("结算时间",), required=True),
        Column("hospital", S, "定点医疗机构", "Hospital or clinic.", ("医疗机构名称", "医院")),
        Column("diagnosis", S, "主要诊断", "Main diagnosis (ICD-10 text).", ("诊断",)),
        Column("total_cost", I32, "医疗总费用", "Total medical cost (yuan).", ("总费用",),
               required=True, range=(0, 5_000_000)),
        Column("basic_paid", I32, "基本医保统筹支付", "Paid by basic medical insurance.",
               ("统筹支付",), range=(0, 5_000_000)),
        Column("critical_paid", I32, "大病保险支付", "Paid by critical-illness insurance.",
               ("大病支付",), range=(0, 5_000_000)),
        Column("assistance_paid", I32, "医疗救助支付", "Paid by medical assistance.",
               ("救助支付",), range=(0, 5_000_000)),
        Column("oop_compliant", I32, "政策范围内个人自付", "In-scope (compliant) out-of-pocket "
               "after the three schemes (合规自付).", ("合规自付", "合规自付费用", "个人自付"),
               required=True, range=(0, 5_000_000)),
    ),
    key=("claim_id",), person_column="resident_id", village_column=None,
    date_column="settle_date", push="every 10 days for 脱贫/monitored persons, else monthly",
    source="domain.md §5.2 medical rows [VL S19, S20, S21, S23; S S22]",
    doc="One row per settled claim after basic insurance, critical-illness insurance and "
        "medical assistance.")

CIVIL = FeedSchema(
    "civil_affairs", "民政局", "Civil affairs: social assistance changes",
    (
        _rid(), _id(), _name(),
        Column("benefit", S, "救助类别", "Type of assistance.", ("救助类型", "保障类别"),
               required=True,
               values={"dibao": "最低生活保障", "tekun": "特困人员供养",
                       "temporary_assistance": "临时救助", "low_income_margin": "低保边缘"}),
        Column("change", S, "变动类型", "New, ended or one-off grant.", ("变更类型",),
               required=True, values={"new": "新增", "ended": "停保", "granted": "发放"}),
        Column("effective_date", D, "生效日期", "Date the change takes effect (dates the record).",
               ("审批日期", "批准日期"), required=True),
        Column("amount", I32, "金额", "Monthly benefit or one-off grant (yuan).", ("救助金额",),
               range=(0, 1_000_000)),
        Column("reason", S, "原因", "Reason (illness, disaster, accident...).", ("致困原因",)),
        Column("village_code", S, "村代码", "Village code (12 digits), if known.", _VILLAGE),
    ),
    key=("record_id",), person_column="resident_id", village_column="village_code",
    date_column="effective_date", source="[VL S23, S24, S26]",
    doc="New and ended 低保 / 特困 / 低保边缘 cases and 临时救助 grants.")

DISABILITY = FeedSchema(
    "disability", "残疾人联合会", "Disabled persons' federation: certificates",
    (
        Column("cert_no", S, "残疾人证号", "Certificate number (ID + type + grade + reissue).",
               ("残疾证号",), required=True),
        _id(), _name(),
        Column("disability_type", S, "残疾类别", "GB/T 26341 category.", ("残疾类型",),
               required=True, values=dict(ENUMS["disability_type"])),
        Column("grade", I8, "残疾等级", "Grade 1 (most severe) to 4.", ("等级",), required=True,
               range=(1, 4)),
        Column("change", S, "变动类型", "New certificate, re-grading or cancellation.",
               ("办证类型",), required=True,
               values={"new": "新办", "regrade": "换证调级", "cancelled": "注销"}),
        Column("issue_date", D, "发证日期", "Date of issue (dates the record).", ("办证日期",),
               required=True),
    ),
    key=("cert_no", "issue_date"), person_column="resident_id", village_column=None,
    date_column="issue_date", source="[VL S23]",
    doc="Certificates issued, re-graded or cancelled in the period.")

EDUCATION = FeedSchema(
    "education", "教育局", "Education: enrolment, dropouts, student aid",
    (
        _rid(), _id(zh="学生身份证号"), _name(),
        Column("event", S, "事项", "What the record says.", ("类型",), required=True,
               values={"enrolled": "在籍", "suspected_dropout": "疑似辍学",
                       "returned": "劝返复学", "student_aid": "学生资助",
                       "vocational_enrolled": "职业教育在读"}),
        Column("stage", S, "学段", "School stage.", ("就读学段",),
               values={"primary": "小学", "junior": "初中", "senior": "普通高中",
                       "vocational": "中职", "higher_vocational": "高职", "college": "本科"}),
        Column("school", S, "学校", "School name.", ("就读学校",)),
        Column("event_date", D, "日期", "Date of the record.", ("登记日期",), required=True),
        Column("aid_amount", I32, "资助金额", "Student aid paid (yuan).", ("金额",),
               range=(0, 200_000)),
        Column("aid_programme", S, "资助项目", "Programme (雨露计划, 国家助学金...).", ("项目",)),
    ),
    key=("record_id",), person_column="resident_id", village_column=None,
    date_column="event_date", source="[VL S24, S25]",
    doc="Compulsory-school-age suspected dropouts, student aid and vocational students.")

HOUSING = FeedSchema(
    "housing", "住房和城乡建设局", "Housing: dwelling safety appraisals",
    (
        _rid("鉴定编号"), _id(zh="户主身份证号码", doc="ID of the household head."), _name(),
        Column("village_code", S, "村代码", "Village code (12 digits).", _VILLAGE, required=True),
        Column("appraisal_date", D, "鉴定日期", "Date of appraisal.", ("鉴定时间",), required=True),
        Column("grade", S, "鉴定等级", "Safety grade (A/B safe, C/D dangerous).", ("安全等级",),
               required=True, values={k: v for k, v in ENUMS["housing_grade"].items()}),
        Column("cause", S, "原因", "Why appraised.", ("鉴定原因",),
               values={"routine": "常规排查", "disaster": "灾害损毁", "ageing": "年久失修"}),
        Column("damaged", B, "是否受损", "Damaged (by disaster or otherwise).", ("受损",)),
    ),
    key=("record_id",), person_column="resident_id", village_column="village_code",
    date_column="appraisal_date", source="[VL S29]",
    doc="Appraisals under 农村危险房屋鉴定技术导则: grade A–D, cause and damage.")

WATER = FeedSchema(
    "water", "水利局", "Water resources: supply outages and water-quality tests",
    (
        _rid(),
        Column("village_code", S, "村代码", "Village code (12 digits).", _VILLAGE, required=True),
        _id(required=False, zh="户主身份证号码",
            doc="Household head's ID when the record concerns one household (else empty)."),
        Column("event", S, "事项", "Outage or failed quality test.", ("类型",), required=True,
               values={"outage": "停水", "quality_failed": "水质检测不合格"}),
        Column("start_date", D, "开始日期", "Start of the outage / date of the test.",
               ("检测日期",), required=True),
        Column("end_date", D, "结束日期", "End of the outage (empty while it lasts).", ()),
        Column("outage_days", I16, "停水天数", "Days without supply so far.", ("天数",),
               range=(0, 366)),
        Column("indicator", S, "超标指标", "Failed indicator (turbidity, E. coli...).", ()),
    ),
    key=("record_id",), person_column="resident_id", village_column="village_code",
    date_column="start_date", source="[VL S16, S28]",
    doc="By village (most records) or by household.")

EMERGENCY = FeedSchema(
    "emergency", "应急管理局", "Emergency management: disaster losses",
    (
        _rid(),
        Column("disaster_id", S, "灾害编号", "Declared disaster event.", ("灾情编号",),
               required=True),
        Column("disaster_type", S, "灾害类型", "Kind of disaster.", ("灾种",), required=True,
               values={"flood": "洪涝", "landslide": "地质灾害", "drought": "干旱",
                       "hail": "风雹", "earthquake": "地震", "frost": "低温冷冻",
                       "other": "其他"}),
        Column("declared_date", D, "灾害发生日期", "Date of the disaster.", ("发生日期",),
               required=True),
        Column("village_code", S, "村代码", "Village code (12 digits).", _VILLAGE, required=True),
        _id(zh="户主身份证号码", doc="ID of the household head."), _name(),
        Column("house_damage", S, "房屋受损程度", "Damage to the dwelling.", ("房屋损坏",),
               values={"none": "未受损", "minor": "一般损坏", "severe": "严重损坏",
                       "collapsed": "倒塌"}),
        Column("crop_loss_mu", F32, "农作物受灾面积（亩）", "Crop area lost (mu).", ("受灾面积",),
               range=(0, 10_000)),
        Column("loss_yuan", I32, "直接经济损失（元）", "Direct economic loss (yuan).",
               ("经济损失",), range=(0, 10_000_000)),
    ),
    key=("record_id",), person_column="resident_id", village_column="village_code",
    date_column="declared_date", source="[VL S94, S94b]",
    doc="Households in a declared disaster area with house damage or crop loss.")

HR = FeedSchema(
    "hr_social_security", "人力资源和社会保障局", "Human resources and social security",
    (
        _rid(), _id(), _name(),
        Column("event", S, "事项", "Employment event.", ("类型",), required=True,
               values={"employed": "就业登记", "unemployed": "失业登记",
                       "returned_without_work": "返乡未就业", "re_employed": "再就业"}),
        Column("event_date", D, "日期", "Date of the event.", ("登记日期",), required=True),
        Column("work_region", S, "务工地域", "Where the job is (or was).", ("务工地点",),
               values={"in_county": "县内", "in_province": "省内县外",
                       "out_of_province": "省外"}),
        Column("monthly_wage", I32, "月收入", "Monthly wage (yuan).", ("月工资",),
               range=(0, 200_000)),
    ),
    key=("record_id",), person_column="resident_id", village_column=None,
    date_column="event_date", source="[VL S25; I]",
    doc="Employment and unemployment registrations; migrants returning without work.")

PUBLIC_SECURITY = FeedSchema(
    "public_security", "公安局", "Public security: deaths, registration moves, injuries",
    (
        _rid(), _id(), _name(),
        Column("event", S, "事项", "Kind of event.", ("类型",), required=True,
               values={"death": "死亡注销", "move_out": "户口迁出", "move_in": "户口迁入",
                       "traffic_injury": "交通事故伤亡", "criminal_injury": "刑事案件伤亡"}),
        Column("severity", S, "伤亡程度", "Injury, disability or death.", ("程度",),
               values={"minor": "轻伤", "serious": "重伤", "disabled": "致残", "death": "死亡"}),
        Column("event_date", D, "日期", "Date of the event.", ("发生日期",), required=True),
        Column("note", S, "备注", "Free text.", ()),
    ),
    key=("record_id",), person_column="resident_id", village_column=None,
    date_column="event_date", source="[VL S24]",
    doc="Deaths and household-registration moves (membership) and traffic or criminal "
        "injuries, disabilities and deaths.")

ASSETS = FeedSchema(
    "assets", "资产核查（公安交管、不动产、市场监管、财政）", "Asset checks",
    (
        _rid(), _id(), _name(),
        Column("asset", S, "资产类型", "Kind of asset or status.", ("类型",), required=True,
               values={"vehicle": "机动车", "commercial_housing": "商品房",
                       "business": "工商注册", "public_payroll": "财政供养人员"}),
        Column("registered_date", D, "登记日期", "Registration date.", ("日期",), required=True),
        Column("value_yuan", I32, "价值（元）", "Declared or assessed value.", ("价值",),
               range=(0, 100_000_000)),
        Column("detail", S, "说明", "Plate, address, company...", ()),
    ),
    key=("record_id",), person_column="resident_id", village_column=None,
    date_column="registered_date", source="[VL S23; S S93]",
    doc="Vehicles, commercial housing, business registrations and public-payroll staff "
        "(a negative screen at identification, never an automatic exclusion).")

FEEDS: dict[str, FeedSchema] = {f.department: f for f in (
    MEDICAL, CIVIL, DISABILITY, EDUCATION, HOUSING, WATER, EMERGENCY, HR, PUBLIC_SECURITY,
    ASSETS)}
DEPARTMENTS = tuple(FEEDS)


def feed_schema(department: str) -> FeedSchema:
    try:
        return FEEDS[department]
    except KeyError:
        raise KeyError(f"unknown department {department!r}; known: {list(FEEDS)}") from None


def arrow_schema(department: str, *, provenance: bool = True) -> pa.Schema:
    """The Arrow schema of a validated feed table (declared columns + provenance)."""
    f = feed_schema(department)
    cols = list(f.columns) + (list(PROVENANCE) if provenance else [])
    return pa.schema([pa.field(c.name, c.type, metadata={"zh": c.zh, "doc": c.doc})
                      for c in cols], metadata={"department": department, "zh": f.zh,
                                                "key": ",".join(f.key)})
