"""The registry as Arrow tables in the engine's snapshot contract, and exports of it.

``snapshot(scope)`` is the bridge from Django to the engine: the ``households``,
``members`` and ``incomes`` tables of :mod:`dixian.engine.schema`, scoped by region.
Protected values are decrypted only when ``reveal`` is true; otherwise they are masks.
``export(...)`` writes the same tables as XLSX, CSV or Parquet, in Dixian's template or
the national layout (Chinese headers and labels), so that an export imports back to the
same registry.
"""

from __future__ import annotations

import io
import zipfile

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dixian.core import pii
from dixian.core.access import scope_q
from dixian.engine import schema
from dixian.engine.scope import RegionScope, require_scope
from dixian.registry import layout
from dixian.registry.models import Household, Income, Member

BATCH = 20_000


def _plain(row: dict, prefix: str, field: str, reveal: bool) -> str | None:
    if reveal:
        enc = row[f"{prefix}_enc"]
        return pii.decrypt(enc, field) if enc else None
    return row[f"{prefix}_masked"] or None


def snapshot(scope: RegionScope, *, reveal: bool = False) -> dict[str, pa.Table]:
    require_scope(scope)
    households = Household.objects.filter(scope_q(scope, "village__code")).order_by("code")
    h_rows, head_of = [], {}
    members = Member.objects.filter(scope_q(scope, "household__village__code")).order_by(
        "member_id").values("member_id", "household__code", "relation_to_head")
    for m in members.iterator(chunk_size=BATCH):
        if m["relation_to_head"] == "head":
            head_of.setdefault(m["household__code"], m["member_id"])
    for row in households.values().iterator(chunk_size=BATCH):
        village = row["village_id"]
        record = {c.name: row.get(c.name) for c in layout.columns("households")}
        record.update(
            household_code=row["code"], village_code=village, county_code=village[:6],
            township_code=village[:9], head_member_id=head_of.get(row["code"]),
            phone=_plain(row, "phone", "phone", reveal),
            monitoring_contact_phone=_plain(row, "monitoring_contact_phone",
                                            "monitoring_contact_phone", reveal),
        )
        h_rows.append(_nulls_for_blanks(record))
    m_rows = []
    for row in Member.objects.filter(scope_q(scope, "household__village__code")).order_by(
            "member_id").values(*_member_values()).iterator(chunk_size=BATCH):
        record = {c.name: row.get(c.name) for c in layout.columns("members")}
        record.update(household_code=row["household__code"],
                      resident_id=_plain(row, "resident_id", "resident_id", reveal),
                      phone=_plain(row, "phone", "phone", reveal))
        m_rows.append(_nulls_for_blanks(record))
    i_rows = []
    for row in Income.objects.filter(scope_q(scope, "household__village__code")).order_by(
            "household__code", "period").values(
            "household__code", "period", *schema.INCOME_COMPONENTS).iterator(chunk_size=BATCH):
        row["household_code"] = row.pop("household__code")
        i_rows.append(row)
    return {
        "households": pa.Table.from_pylist(h_rows, schema=schema.HOUSEHOLDS),
        "members": pa.Table.from_pylist(m_rows, schema=schema.MEMBERS),
        "incomes": pa.Table.from_pylist(i_rows, schema=schema.INCOMES),
    }


def _member_values() -> list[str]:
    names = [f.attname for f in Member._meta.concrete_fields]
    return [*names, "household__code"]


def _nulls_for_blanks(record: dict) -> dict:
    return {k: (None if v == "" else v) for k, v in record.items()}


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
        if pa.types.is_list(column.type):
            column = pa.array([",".join(v) if v else None for v in column.to_pylist()],
                              type=pa.string())
        arrays.append(column)
    return pa.Table.from_arrays(arrays, names=table.column_names)


SHEET_NAMES = {"dixian": {t: t for t in layout.TABLES},
               "national": {t: layout.NATIONAL_SHEETS[t][0] for t in layout.TABLES}}


def export(tables: dict[str, pa.Table], *, fmt: str, file_layout: str = "dixian") -> bytes:
    """XLSX (one sheet per table), CSV or Parquet (a zip with one file per table)."""
    shape = _national if file_layout == "national" else _template
    shaped = {SHEET_NAMES[file_layout][name]: shape(table, name)
              for name, table in tables.items()}
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
    return buffer.getvalue()


def _xlsx(shaped: dict[str, pa.Table]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet, table in shaped.items():
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(table.column_names)
        columns = [table[c].to_pylist() for c in table.column_names]
        for values in zip(*columns, strict=True):
            worksheet.append(list(values))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
