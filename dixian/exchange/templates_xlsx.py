"""A department's expected file as a spreadsheet template: the header row in Chinese (the
required columns marked ＊), one example row, and a sheet "说明" that explains each column:
its English name, whether it is required, its allowed values or range, and what it means.

The example values are made up and marked as such; an example ID number is the fake
``110101199003070000`` form that fails the check digit, so a template sent back unchanged
matches nobody."""

from __future__ import annotations

import io

import pyarrow as pa

from dixian.exchange.bridge import FeedSchema, feed_schema
from dixian.web.downloads import safe_cell

EXAMPLE_TEXT = {
    "resident_id": "110101199003070000", "name": "张三（示例）", "village_code": "522326101201",
    "hospital": "望谟县人民医院", "diagnosis": "示例诊断",
}


def _example(column) -> object:
    if column.name in EXAMPLE_TEXT:
        return EXAMPLE_TEXT[column.name]
    if column.values:
        return next(iter(column.values.values()))
    if column.type == pa.date32():
        return "2025-05-20"
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        low, high = column.range or (0, 100)
        return int(min(max(low, 1000), high)) if high >= 1000 else int((low + high) / 2)
    if column.type == pa.bool_():
        return "是"
    return "示例-0001" if "id" in column.name else "示例"


def template_for(department: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    schema: FeedSchema = feed_schema(department)
    book = Workbook()
    sheet = book.active
    sheet.title = schema.zh[:31]
    sheet.append([("＊" if c.required else "") + c.zh for c in schema.columns])
    sheet.append([safe_cell(_example(c)) for c in schema.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    about = book.create_sheet("说明")
    about.append(["列名", "英文名", "必填", "允许的值或范围", "含义", "可用的其他列名"])
    for c in schema.columns:
        allowed = "、".join(c.values.values()) if c.values else (
            f"{c.range[0]:g}–{c.range[1]:g}" if c.range else "")
        about.append([c.zh, c.name, "是" if c.required else "否", allowed, c.doc,
                      "、".join(c.aliases)])
    about.append([])
    about.append(["文件", f"{schema.zh}：{schema.en}。{schema.doc}"])
    about.append(["报送", schema.push])
    about.append(["格式", "、".join(f.upper() for f in schema.file_formats) +
                  "；文件名含数据期，如 m_2025-05.csv；第一行为列名，第二行示例请删除后再上传。"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
