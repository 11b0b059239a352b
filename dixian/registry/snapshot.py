"""The registry as Arrow tables in the engine's snapshot contract, and exports of it.

``snapshot(scope)`` is the bridge from Django to the engine: the ``households``,
``members`` and ``incomes`` tables of :mod:`dixian.engine.schema`, and beside them the
``income_blocks`` (the national system's annual blocks R1 falls back on) and the
``villages``' reports, scoped by region.
Protected values are decrypted only when ``reveal`` is true; otherwise they are masks.
``export(...)`` writes the same tables as XLSX, CSV or Parquet, in Dixian's template or
the national layout (Chinese headers and labels), so that an export imports back to the
same registry.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.core.exceptions import EmptyResultSet
from django.db import connection

from dixian.core import pii
from dixian.core.access import scope_q
from dixian.registry import layout
from dixian.registry.bridge import RegionScope, require_scope, safe_row, safe_table, schema
from dixian.registry.models import Household, Income, IncomeBlock, Member, VillageReport


def fetch_columns(queryset, fields: list[str]) -> dict[str, list]:
    """Run a ``values_list`` query on the raw cursor and return its columns: the one reader of
    database rows into the engine's tables (the registry snapshot here, the ledger tables of
    ``dixian.statistics.bridge``).

    Model instances (and even dicts) cost more than the query for a county's million
    income rows; values come back as the driver gives them and are cast by Arrow.
    """
    try:
        sql, params = queryset.values_list(*fields).query.sql_with_params()
    except EmptyResultSet:
        return {name: [] for name in fields}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return {name: [] for name in fields}
    return {name: list(values) for name, values in zip(fields, zip(*rows, strict=True),
                                                         strict=True)}


def _array(values: list, field: pa.Field) -> pa.Array:
    if pa.types.is_list(field.type):
        values = [json.loads(v) if isinstance(v, str) else v for v in values]
        values = [v or [] for v in values]
    elif pa.types.is_boolean(field.type):
        values = [None if v is None else bool(v) for v in values]
    elif pa.types.is_date(field.type):
        values = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
    elif pa.types.is_string(field.type):
        values = [None if v == "" else v for v in values]
    return pa.array(values, type=field.type)


def _decrypt_all(values: list[str], field: str) -> list[str | None]:
    return [pii.decrypt(v, field) if v else None for v in values]


def snapshot(scope: RegionScope, *, reveal: bool = False,
             household_code: str | None = None) -> dict[str, pa.Table]:
    """The registry tables within ``scope`` (or of one household, for entry-time checks)."""
    require_scope(scope)
    suffix = "enc" if reveal else "masked"
    one = {"household__code": household_code} if household_code else {}
    households = Household.objects.filter(scope_q(scope, "village__code")).order_by("code")
    if household_code:
        households = households.filter(code=household_code)
    h_fields = [c.name for c in layout.columns("households")
                if c.name not in layout.DERIVED["households"]
                and c.name not in ("household_code", "village_code", "phone",
                                   "monitoring_contact_phone")]
    h = fetch_columns(households, ["code", "village_id", f"phone_{suffix}",
                                    f"monitoring_contact_phone_{suffix}", *h_fields])
    members = Member.objects.filter(scope_q(scope, "household__village__code"), **one).filter(
        duplicate_of__isnull=True).order_by("member_id")
    m_fields = [c.name for c in layout.columns("members")
                if c.name not in ("household_code", "resident_id", "phone")]
    m = fetch_columns(members, ["household__code", f"resident_id_{suffix}", f"phone_{suffix}",
                                 *m_fields])
    head_of = {}
    for code, member_id, relation in zip(m["household__code"], m["member_id"],
                                         m["relation_to_head"], strict=True):
        if relation == "head":
            head_of.setdefault(code, member_id)
    if reveal:
        h["phone"] = _decrypt_all(h.pop("phone_enc"), "phone")
        h["monitoring_contact_phone"] = _decrypt_all(h.pop("monitoring_contact_phone_enc"),
                                                     "monitoring_contact_phone")
        m["resident_id"] = _decrypt_all(m.pop("resident_id_enc"), "resident_id")
        m["phone"] = _decrypt_all(m.pop("phone_enc"), "phone")
    else:
        h["phone"] = h.pop("phone_masked")
        h["monitoring_contact_phone"] = h.pop("monitoring_contact_phone_masked")
        m["resident_id"] = m.pop("resident_id_masked")
        m["phone"] = m.pop("phone_masked")
    h["household_code"] = h.pop("code")
    h["village_code"] = h.pop("village_id")
    h["county_code"] = [v[:6] for v in h["village_code"]]
    h["township_code"] = [v[:9] for v in h["village_code"]]
    h["head_member_id"] = [head_of.get(code) for code in h["household_code"]]
    m["household_code"] = m.pop("household__code")
    incomes = Income.objects.filter(scope_q(scope, "household__village__code"), **one).order_by(
        "household__code", "period")
    i = fetch_columns(incomes, ["household__code", "period", *schema.INCOME_COMPONENTS])
    i["household_code"] = i.pop("household__code")
    blocks = IncomeBlock.objects.filter(scope_q(scope, "household__village__code"), **one) \
        .order_by("household__code", "basis")
    b = fetch_columns(blocks, ["household__code", *[f.name for f in schema.INCOME_BLOCKS
                                                    if f.name != "household_code"]])
    b["household_code"] = b.pop("household__code")
    reports = VillageReport.objects.filter(scope_q(scope, "village__code")).order_by("village")
    if household_code:
        reports = reports.none()
    v_fields = [c.name for c in layout.columns("villages") if c.name != "village_code"]
    v = fetch_columns(reports, ["village_id", *v_fields])
    v["village_code"] = v.pop("village_id")
    return {
        name: pa.Table.from_arrays([_array(columns[f.name], f) for f in table_schema],
                                   schema=table_schema)
        for name, columns, table_schema in (("households", h, schema.HOUSEHOLDS),
                                            ("members", m, schema.MEMBERS),
                                            ("incomes", i, schema.INCOMES),
                                            ("income_blocks", b, schema.INCOME_BLOCKS),
                                            ("villages", v, schema.VILLAGES))
    }


# ---------------------------------------------------------------- exports
def _national(table: pa.Table, name: str) -> pa.Table:
    """Chinese headers, Chinese labels, 是/否, YYYYMM months: the national layout."""
    columns = {c.name: c for c in layout.columns(name)}
    arrays, names = [], []
    for field_name in table.column_names:
        column = columns[field_name]
        values = table[field_name].to_pylist()
        if column.enum and column.kind != "list":
            labels = schema.ENUMS[column.enum]
            values = [labels.get(v, v) if v is not None else None for v in values]
        elif column.kind == "list":
            labels = schema.ENUMS[column.enum] if column.enum else {}
            values = ["、".join(labels.get(x, x) for x in v) if v else None for v in values]
        elif column.kind == "bool":
            values = [None if v is None else (layout.YES if v else layout.NO) for v in values]
        elif column.kind == "month":
            values = [v.replace("-", "") if v else None for v in values]
        elif column.kind == "date":
            values = [v.isoformat() if v else None for v in values]
        arrays.append(pa.array(values, type=pa.string() if column.kind in
                               ("bool", "month", "list", "date") or column.enum
                               else table[field_name].type))
        names.append(column.zh)
    return pa.Table.from_arrays(arrays, names=names)


def _template(table: pa.Table, name: str) -> pa.Table:
    """Dixian's template: English names and codes; lists as comma-separated text."""
    arrays = []
    for field_name in table.column_names:
        column = table[field_name]
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            column = pa.array([",".join(v) if v else None for v in column.to_pylist()],
                              type=pa.string())
        arrays.append(column)
    return pa.Table.from_arrays(arrays, names=table.column_names)


SHEET_NAMES = {"dixian": {t: t for t in layout.TABLES},
               "national": {t: layout.NATIONAL_SHEETS[t][0] for t in layout.TABLES}}


def export(tables: dict[str, pa.Table], *, fmt: str, file_layout: str = "dixian") -> bytes:
    """XLSX (one sheet per table), CSV or Parquet (a zip with one file per table)."""
    shape = _national if file_layout == "national" else _template
    # the income blocks travel in the ledger file and the national export, and in the
    # Parquet snapshot a cluster job screens (beside the three tables), not in the sheets
    shaped = {SHEET_NAMES[file_layout][name]: safe_table(shape(table, name))
              for name, table in tables.items() if name in SHEET_NAMES[file_layout]}
    if fmt == "xlsx":
        return _xlsx(shaped)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, table in shaped.items():
            out = io.BytesIO()
            if fmt == "csv":
                out.write("\ufeff".encode())  # so that Excel reads UTF-8
                pacsv.write_csv(table, out)
                archive.writestr(f"{sheet}.csv", out.getvalue())
            elif fmt == "parquet":
                # Parquet keeps the contract's types (lists, dates, booleans) as they are.
                name = next(n for n, s in SHEET_NAMES[file_layout].items() if s == sheet)
                pq.write_table(tables[name], out)
                archive.writestr(f"{name}.parquet", out.getvalue())
            else:
                raise ValueError(f"unknown export format {fmt!r}")
        if fmt == "parquet" and tables.get("income_blocks") is not None:
            out = io.BytesIO()
            pq.write_table(tables["income_blocks"], out)
            archive.writestr("income_blocks.parquet", out.getvalue())
    return buffer.getvalue()


def _xlsx(shaped: dict[str, pa.Table]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet, table in shaped.items():
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(safe_row(table.column_names))
        columns = [table[c].to_pylist() for c in table.column_names]
        for values in zip(*columns, strict=True):
            worksheet.append(list(values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
