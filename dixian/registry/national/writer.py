"""Writing a region's registry in the national export's shape (the reader's counterpart,
written separately from it so that each checks the other).

Five tables, each with two title rows above the header, as the national system writes them
and as the counties' checkers read them (``header=2``): a zip of five workbooks (the
default: one file per table, as the national system exports them) or one workbook of five
sheets. 监测对象信息 has one row per person carrying the household's fields, the risks in
致贫/返贫风险1…5, both annual income blocks and the fourteen measure columns.

Income blocks are the ones the national system recorded (:class:`IncomeBlock`); where a
household has none, the block is computed from its monthly income records over the 12 months
before the identification (or elimination) month, as R1 computes it (domain.md §1.2).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict

from dixian.core.access import scope_q
from dixian.core.cells import neutralise
from dixian.core.models import Region
from dixian.registry import layout, snapshot
from dixian.registry.bridge import CATEGORIES, INSTRUMENTS, RegionScope, require_scope, schema
from dixian.registry.income import months_before
from dixian.registry.models import Income, IncomeBlock
from dixian.registry.national import columns as nc

DEVELOPMENT = {c.code for c in CATEGORIES if c.development}
ABLE = {"ordinary", "skilled"}
WORKING = {"local_employed", "migrant_in_province", "migrant_out_of_province"}


def export(scope: RegionScope, *, reveal: bool = False, split: bool = True) -> bytes:
    """The region's registry as the national export: a zip of five XLSX files (``split``)
    or one workbook of five sheets."""
    tables = national_rows(scope, reveal=reveal)
    region = Region.objects.filter(code__in=scope.prefixes).first()
    subtitle = (f"导出单位：{region.name if region else '全国'}　"
                f"导出时间：{dt.date.today():%Y-%m-%d}　来源：底线 Dixian")
    if not split:
        return _workbook({nc.TITLES[t][0]: (t, rows) for t, rows in tables.items()}, subtitle)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table, rows in tables.items():
            archive.writestr(f"{nc.FILE_NAMES[table]}.xlsx",
                             _workbook({nc.TITLES[table][0]: (table, rows)}, subtitle))
    return buffer.getvalue()


def _workbook(sheets: dict[str, tuple[str, list[list]]], subtitle: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, (table, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append([nc.FILE_NAMES[table]])
        sheet.append([subtitle])
        sheet.append([c.header for c in nc.COLUMNS[table]])
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- the rows of each table
def national_rows(scope: RegionScope, *, reveal: bool = False) -> dict[str, list[list]]:
    require_scope(scope)
    tables = snapshot.snapshot(scope, reveal=reveal)
    households = {h["household_code"]: h for h in tables["households"].to_pylist()}
    members = tables["members"].to_pylist()
    names = _area_names(scope)
    blocks = income_blocks(scope, households, members)
    measures = measure_texts(scope)
    able = defaultdict(bool)
    for m in members:
        if m["member_status"] == "active" and m["labour_skill"] in ABLE:
            able[m["household_code"]] = True
    implemented_development = {code for code, cats in measures.items()
                               if any(c in DEVELOPMENT for c in cats)}
    out: dict[str, list[list]] = {t: [] for t in nc.TABLES}
    for m in members:
        h = households.get(m["household_code"])
        if h is None:
            continue
        context = {"h": h, "m": m, "names": names, "blocks": blocks.get(h["household_code"], {}),
                   "measures": measures.get(h["household_code"], {}),
                   "derived": {"development": "已实施" if h["household_code"] in
                               implemented_development else "尚未实施",
                               "no_labour": "否" if able[h["household_code"]] else "是",
                               "working": "是" if m["work_status"] in WORKING else "否",
                               "post_note": None}}
        out["objects"].append([_value(c, context) for c in nc.COLUMNS["objects"]])
        out["households"].append([_value(c, context) for c in nc.COLUMNS["households"]])
        if m["work_status"] in WORKING or m["work_start_month"] or m["migrant_monthly_income"]:
            out["migrant"].append([_value(c, context) for c in nc.COLUMNS["migrant"]])
        if m["plans_migrant_work"] is not None or m["employment_service_need"]:
            out["planned"].append([_value(c, context) for c in nc.COLUMNS["planned"]])
    for v in tables["villages"].to_pylist():
        context = {"h": {"village_code": v["village_code"]}, "names": names, "v": v}
        out["villages"].append([_village_value(c, context) for c in nc.COLUMNS["villages"]])
    return out


def _area_names(scope: RegionScope) -> dict[str, str]:
    return dict(Region.objects.filter(scope_q(scope, "code"), level__in=(3, 4, 5))
                .values_list("code", "name"))


def _area(level: str, village_code: str, names: dict[str, str]) -> str:
    length = {"county": 6, "township": 9, "village": 12}[level]
    code = village_code[:length]
    return names.get(code, code)


CONTRACT = {t: {c.name: c for c in layout.columns(t)} for t in ("households", "members",
                                                                 "villages")}


def _format(column: layout.Column, value):
    """A contract value as the national system writes it: labels, 是/否, YYYYMM, YYYYMMDD."""
    if value is None or value == "":
        return None
    if column.enum and column.kind != "list":
        return schema.ENUMS[column.enum].get(value, value)
    if column.kind == "bool":
        return layout.YES if value else layout.NO
    if column.kind == "month":
        return value.replace("-", "")
    if column.kind == "date":
        return f"{value:%Y%m%d}"
    if column.kind == "float":  # float32 in the contract: 124.1, not 124.0999984741211
        value = round(float(value), 2)
        return int(value) if value.is_integer() else value
    return value


def _value(col: nc.Col, c: dict):
    h, m = c["h"], c["m"]
    if col.part == "area":
        return _area(col.field, h["village_code"], c["names"])
    if col.part == "household":
        return _format(CONTRACT["households"][col.field], h.get(col.field))
    if col.part == "member":
        return _format(CONTRACT["members"][col.field], m.get(col.field))
    if col.part == "risk":
        risks = h.get("risk_types") or []
        i = int(col.field) - 1
        return schema.ENUMS["risk_type"].get(risks[i], risks[i]) if i < len(risks) else None
    if col.part == "block":
        basis, item = col.field.split(":")
        value = c["blocks"].get(basis, {}).get(item)
        if isinstance(value, bool):
            return layout.YES if value else layout.NO
        return value
    if col.part == "measure":
        texts = c["measures"].get(col.field)
        return "；".join(texts) if texts else None
    if col.part == "derived":
        return c["derived"].get(col.field)
    return None


def _village_value(col: nc.Col, c: dict):
    if col.part == "area":
        return _area(col.field, c["h"]["village_code"], c["names"])
    return _format(CONTRACT["villages"][col.field], c["v"].get(col.field))


# ---------------------------------------------------------------- blocks and measures
BLOCK_FIELDS = [name for _h, name in nc.BLOCK_ITEMS] + [n for _h, n in nc.ELIMINATION_FLAGS]


def income_blocks(scope: RegionScope, households: dict[str, dict], members: list[dict]
                  ) -> dict[str, dict[str, dict]]:
    """household code → basis → item → value: the recorded blocks, else computed from the
    monthly records (the reconciliation reads the same function)."""
    out: dict[str, dict[str, dict]] = defaultdict(dict)
    recorded = IncomeBlock.objects.filter(scope_q(scope, "household__village__code")) \
        .values("household__code", "basis", *BLOCK_FIELDS)
    for row in recorded:
        out[row.pop("household__code")][row.pop("basis")] = row
    persons = defaultdict(int)
    for m in members:
        if m["member_status"] == "active":
            persons[m["household_code"]] += 1
    wanted: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, h in households.items():
        for basis, month in (("identification", h.get("identified_month")),
                             ("elimination", h.get("eliminated_month")
                              if h.get("risk_eliminated") else None)):
            if month and basis not in out.get(code, {}):
                wanted[code].append((basis, month))
    if not wanted:
        return out
    monthly: dict[str, dict[str, tuple]] = defaultdict(dict)
    items = schema.INCOME_COMPONENTS
    codes = list(wanted)
    for start in range(0, len(codes), 5000):
        rows = Income.objects.filter(household__code__in=codes[start:start + 5000]) \
            .values_list("household__code", "period", *items)
        for code, period, *values in rows:
            monthly[code][period] = values
    for code, needs in wanted.items():
        for basis, month in needs:
            window = months_before(month)
            totals = [sum(monthly[code].get(p, (0,) * len(items))[i] for p in window)
                      for i in range(len(items))]
            if not any(p in monthly[code] for p in window):
                continue  # no monthly records in the window: no block
            block = dict(zip(items, totals, strict=True))
            net = (block["wage"] + block["business"] + block["property"] + block["transfer"]
                   - block["business_cost"])
            block["household_net"] = net
            block["per_capita_net"] = round(net / persons[code], 2) if persons[code] else None
            out[code][basis] = block
    return out


def measure_texts(scope: RegionScope) -> dict[str, dict[str, list[str]]]:
    """household code → category → the texts of its measures (the national text, else the
    instrument's Chinese name, else the category's)."""
    from dixian.assistance.models import Measure

    instrument_zh = {i.code: i.zh for i in INSTRUMENTS}
    category_zh = {c.code: c.zh for c in CATEGORIES}
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = Measure.objects.filter(scope_q(scope, "village_code")).order_by(
        "household__code", "planned_on", "pk").values_list(
        "household__code", "category", "instrument", "national_text")
    for code, category, instrument, text in rows:
        out[code][category].append(text or instrument_zh.get(instrument)
                                   or category_zh.get(category, category))
    return out
