"""The two file layouts the registry reads and writes.

- ``dixian``: Dixian's own template: one sheet (or CSV) per table, English column names
  exactly as the snapshot contract (``households``, ``members``, ``incomes``), enum codes.
- ``national``: the national monitoring system's export layout: Chinese column headers
  (the ``zh`` names of the contract, domain.md §2.3), Chinese enum labels, 是/否 booleans,
  ``YYYYMM`` months. Sheets 户信息, 家庭成员信息 (or 监测对象信息, a person-level table that
  repeats the household columns) and 收入信息.

Both layouts describe the same fields, taken from :mod:`dixian.engine.schema`, so a file
exported in either layout imports back to the same registry.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from dixian.registry.bridge import ALL_SCHEMAS, ENUMS

TABLES = ("households", "members", "incomes", "villages")
# Fields the registry derives rather than stores.
DERIVED = {"households": {"county_code", "township_code", "head_member_id"}}
NATIONAL_SHEETS = {
    "households": ("户信息", "(乡村建设)户信息"),
    "members": ("家庭成员信息", "监测对象信息", "监测对象信息(自定义基础表)"),
    "incomes": ("收入信息",),
    "villages": ("行政村信息",),
}
# National tables that update members already registered, keyed by ID number or member number:
# 已外出务工信息 (monthly migrant-work monitoring) and 计划外出务工信息 (planned migrant work).
MEMBER_UPDATE_SHEETS = ("已外出务工信息", "(务工月监测)已外出务工信息", "计划外出务工信息")
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    kind: str  # text, bool, int, float, date, month, list
    enum: str | None
    required: bool


def _kind(field: pa.Field) -> str:
    t = field.type
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_list(t):
        return "list"
    if field.name.endswith("month") or field.name == "period":
        return "month"
    return "text"


def columns(table: str) -> list[Column]:
    result = []
    for field in ALL_SCHEMAS[table]:
        meta = {k.decode(): v.decode() for k, v in (field.metadata or {}).items()}
        result.append(Column(field.name, meta.get("zh", field.name), _kind(field),
                             meta.get("enum"), meta.get("required") == "true"))
    return result


def header_map(table: str) -> dict[str, str]:
    """Every accepted header (English name, Chinese name) → field name."""
    mapping = {}
    for column in columns(table):
        mapping[column.name] = column.name
        mapping[column.zh] = column.name
    return mapping


def detect_table(headers: list[str]) -> str | None:
    """Which table a sheet holds, by its headers (members before households: the national
    person-level table repeats household columns)."""
    present = set(headers)
    for table, key in (("incomes", ("period", "月份")), ("members", ("member_id", "成员编号",
                                                                     "resident_id", "证件号码")),
                       ("households", ("household_code", "户编号")),
                       ("villages", ("households_total", "总户数", "population_total",
                                     "总人口数"))):
        if present & set(key):
            return table
    return None


def enum_from_zh(enum: str) -> dict[str, str]:
    return {zh: code for code, zh in ENUMS[enum].items()}
