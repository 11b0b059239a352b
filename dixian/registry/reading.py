"""Reading registry files (CSV, XLSX) into typed, validated columns.

Reading never touches the database. It yields, per table, a Polars frame whose columns
are the snapshot contract's field names, typed, plus ``_sheet`` and ``_row`` (the row
number a person sees in the file: the header is row 1), and a list of problems that
name file, sheet, row, column, value and rule.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import polars as pl

from dixian.registry import layout
from dixian.registry.bridge import FORMULA_PREFIXES, filecheck, identity, safe_cell

TRUE_WORDS = {"是", "true", "True", "TRUE", "1", "yes", "Y", "y", "t"}
FALSE_WORDS = {"否", "false", "False", "FALSE", "0", "no", "N", "n", "f"}
LIST_SPLIT = r"[,;，；、|]"


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str
    row: int
    column: str
    value: str
    rule: str
    message: str
    severity: str = "error"  # error | warning
    kind: str = "structure"  # structure (always blocks) | quality (data-quality rule)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class ReadResult:
    file: str
    layout: str  # dixian | national
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _sheets_from_xlsx(data: bytes) -> dict[str, list[list[str]]]:
    """Every sheet's rows as text; raises :class:`filecheck.FileProblem` (with the sheet
    name in ``column``) for a workbook that is not one, too big, or too wide."""
    from openpyxl import load_workbook

    filecheck.check_xlsx(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any parser error is a bad file
        raise filecheck.FileProblem("not_xlsx", f"the workbook cannot be read "
                                    f"({type(exc).__name__})") from None
    sheets = {}
    try:
        for sheet in workbook.worksheets:
            rows = []
            try:
                for values in filecheck.xlsx_rows(sheet):
                    rows.append(["" if v is None else _cell_text(v) for v in values])
            except filecheck.FileProblem as problem:
                problem.column = problem.column or sheet.title
                raise
            except Exception as exc:  # noqa: BLE001 - a damaged sheet is a bad file
                raise filecheck.FileProblem("not_xlsx", f"the sheet {sheet.title!r} cannot be "
                                            f"read ({type(exc).__name__})",
                                            column=sheet.title) from None
            sheets[sheet.title] = rows
    finally:
        workbook.close()
    return sheets


def _csv_frame(data: bytes) -> tuple[list[str], pl.DataFrame]:
    """A CSV's header and its cells as strings; raises :class:`filecheck.FileProblem`."""
    text = filecheck.decode_text(data)
    headers = [h.strip() for h in filecheck.csv_header(text)]
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, has_header=True)
    except Exception:  # noqa: BLE001 - the scan names the row; Polars does not
        filecheck.scan_csv(text)
        raise filecheck.FileProblem("csv_syntax", "the CSV cannot be parsed") from None
    if frame.height > filecheck.LIMITS["max_rows"]:
        raise filecheck.FileProblem("too_many_rows", f"more than "
                                    f"{filecheck.LIMITS['max_rows']} rows in one file: split it",
                                    row=filecheck.LIMITS["max_rows"] + 2)
    frame = frame.rename({old: f"c{i}" for i, old in enumerate(frame.columns)})
    return headers, frame


def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _frame(rows: list[list[str]]) -> tuple[list[str], pl.DataFrame]:
    if not rows:
        return [], pl.DataFrame()
    headers = [h.strip() for h in rows[0]]
    width = len(headers)
    body = [(r + [""] * width)[:width] for r in rows[1:] if any(c.strip() for c in r)]
    columns = {f"c{i}": [r[i] for r in body] for i in range(width)}
    return headers, pl.DataFrame(columns, schema={f"c{i}": pl.String for i in range(width)})


def _sheets_from_csv(data: bytes) -> list[list[str]]:
    text = filecheck.decode_text(data)  # UTF-8 (BOM or not), GBK, GB18030
    return [row for row in csv.reader(io.StringIO(text))]


def _check_archive(data: bytes) -> None:
    """The zip-bomb limits of :func:`filecheck.check_xlsx`, for a plain archive."""
    try:
        filecheck.check_xlsx(data)
    except filecheck.FileProblem as problem:
        if problem.rule != "not_xlsx" or "no Excel workbook" not in problem.message:
            raise


def _sheets_from_zip(data: bytes) -> dict[str, list[list[str]]]:
    """A zip of the national export's files (XLSX or CSV, one table each)."""

    sheets = {}
    _check_archive(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = PurePath(info.filename)
            if info.is_dir() or name.name.startswith((".", "~")):
                continue
            if name.suffix.lower() == ".xlsx":
                for sheet, rows in _sheets_from_xlsx(archive.read(info)).items():
                    sheets[f"{name.stem}/{sheet}"] = rows
            elif name.suffix.lower() == ".csv":
                sheets[name.stem] = _sheets_from_csv(archive.read(info))
    return sheets


def read(data: bytes, file_name: str, resolve_village=None) -> ReadResult:
    """Parse and validate one uploaded file; nothing is written anywhere.

    The national system's export (title rows, per-person rows, areas by name) is read by
    :mod:`dixian.registry.national.reader`; ``resolve_village`` turns its area names into
    village codes (see :mod:`dixian.registry.national.areas`).
    """
    from dixian.registry.national import reader as national

    suffix = PurePath(file_name).suffix.lower()
    raw: dict[str, tuple[list[str], pl.DataFrame]] = {}
    sheets = None
    try:
        if suffix == ".xlsx":
            sheets = _sheets_from_xlsx(data)
        elif suffix == ".zip":
            sheets = _sheets_from_zip(data)
        elif suffix == ".csv":
            csv_frame = _csv_frame(data)
            sheets = {PurePath(file_name).stem: _sheets_from_csv(data)}
    except filecheck.FileProblem as problem:
        result = ReadResult(file_name, "dixian")
        sheet = problem.column if suffix in (".xlsx", ".zip") else PurePath(file_name).stem
        result.problems.append(Problem(file_name, sheet, problem.row, "", problem.value,
                                       f"file.{problem.rule}", problem.message))
        return result
    except (zipfile.BadZipFile, OSError, ValueError) as exc:  # a damaged archive
        result = ReadResult(file_name, "dixian")
        result.problems.append(Problem(file_name, "", 0, "", suffix, "file.unreadable",
                                       f"the file cannot be read: {exc}"))
        return result
    if sheets is not None and national.looks_national(sheets):
        return national.read_tables(sheets, file_name,
                                    resolve_village or (lambda *names: None))
    if suffix in (".xlsx", ".zip"):
        for sheet, rows in sheets.items():
            raw[sheet] = _frame(rows)
    elif suffix == ".csv":
        raw[PurePath(file_name).stem] = csv_frame
    else:
        result = ReadResult(file_name, "dixian")
        result.problems.append(Problem(file_name, "", 0, "", suffix, "file.format",
                                       f"unsupported file type {suffix!r}: use .csv, .xlsx "
                                       "or .zip"))
        return result

    national = any(re.search(r"[\u4e00-\u9fff]", h) for headers, _f in raw.values()
                   for h in headers)
    result = ReadResult(file_name, "national" if national else "dixian")
    for sheet, (headers, frame) in raw.items():
        table = layout.detect_table(headers)
        if table is None:
            if headers:
                result.problems.append(Problem(
                    file_name, sheet, 1, "", ",".join(headers[:5]), "file.sheet",
                    "cannot tell which table this sheet holds (no 户编号/household_code, "
                    "证件号码/resident_id or 月份/period column)"))
            continue
        _read_table(result, sheet, table, headers, frame)
    result.problems += _cell_problems(result)
    if not result.tables and not result.problems:
        result.problems.append(Problem(file_name, "", 0, "", "", "file.empty",
                                       "the file holds no rows"))
    return result


def _cell_problems(result: ReadResult) -> list[Problem]:
    """Cells no database column can hold: a NUL character, or text too long for any field."""
    limit = filecheck.LIMITS["max_cell_chars"]
    problems = []
    for frame in result.tables.values():
        for name, dtype in frame.schema.items():
            if name.startswith("_") or dtype != pl.String:
                continue
            bad = frame.filter(pl.col(name).str.contains("\x00", literal=True)
                               | (pl.col(name).str.len_chars() > limit))
            for sheet, row, value in bad.select("_sheet", "_row", name).iter_rows():
                rule = "value.control_character" if "\x00" in value else "value.too_long"
                shown = value if len(value) <= 40 else value[:40] + "…"
                problems.append(Problem(result.file, sheet, row, name, shown,
                                        rule, "a NUL character cannot be stored"
                                        if rule == "value.control_character"
                                        else f"longer than {limit} characters"))
    return problems


def _read_table(result: ReadResult, sheet: str, table: str, headers: list[str],
                frame: pl.DataFrame) -> None:
    mapping = layout.header_map(table)
    raw = frame
    renamed, seen = {}, {}
    for i, header in enumerate(headers):
        name = mapping.get(header)
        if name is None:
            continue  # unknown columns are kept in the original file, not read
        if name in seen:
            result.problems.append(Problem(result.file, sheet, 1, header, header,
                                           "file.duplicate_column",
                                           f"column {header!r} appears twice"))
            continue
        seen[name] = header
        renamed[f"c{i}"] = name
    frame = frame.select([pl.col(c).alias(n) for c, n in renamed.items()])
    frame = frame.with_columns(
        pl.lit(sheet).alias("_sheet"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("_row"),
    )
    typed = [pl.col("_sheet"), pl.col("_row")]
    for column in layout.columns(table):
        if column.name not in frame.columns:
            continue
        expr, problems = _parse(frame, column, result.file, sheet, seen[column.name])
        result.problems.extend(problems)
        typed.append(expr.alias(column.name))
    frame = frame.select(typed)
    # The national person-level table (监测对象信息) repeats household columns on every
    # member row: read those columns as the households table too.
    if table == "members":
        member_headers = set(mapping)
        household_only = [h for h in headers
                          if h in layout.header_map("households") and h not in member_headers]
        if household_only:
            _read_table(result, sheet, "households", headers, raw)
    _append(result, table, frame)


def _append(result: ReadResult, table: str, frame: pl.DataFrame) -> None:
    if table in result.tables:
        result.tables[table] = pl.concat([result.tables[table], frame], how="diagonal_relaxed")
    else:
        result.tables[table] = frame


def _blank_to_null(name: str) -> pl.Expr:
    text = pl.col(name).str.strip_chars()
    # an exported cell that began with a formula prefix carries a quote (spreadsheet.py)
    quoted = text.str.starts_with("'") & text.str.slice(1, 1).is_in(list(FORMULA_PREFIXES))
    text = pl.when(quoted).then(text.str.slice(1)).otherwise(text)
    return pl.when(text == "").then(None).otherwise(text)


def _parse(frame: pl.DataFrame, column: layout.Column, file: str, sheet: str,
           header: str) -> tuple[pl.Expr, list[Problem]]:
    """A typed expression for one column and the problems of its unparseable cells."""
    source = _blank_to_null(column.name)
    if column.enum and column.kind != "list":
        codes = list(layout.ENUMS[column.enum])
        by_zh = layout.enum_from_zh(column.enum)
        expr = (pl.when(source.is_in(codes)).then(source)
                .otherwise(source.replace_strict(by_zh, default=None, return_dtype=pl.String)))
        rule, message = "value.enum", f"not a {column.enum} code or label"
    elif column.kind == "bool":
        expr = (pl.when(source.is_in(list(TRUE_WORDS))).then(True)
                .when(source.is_in(list(FALSE_WORDS))).then(False)
                .otherwise(None))
        rule, message = "value.bool", "not 是/否 (yes/no)"
    elif column.kind == "int":
        expr = source.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
        rule, message = "value.int", "not a whole number"
    elif column.kind == "float":
        expr = source.cast(pl.Float64, strict=False)
        rule, message = "value.number", "not a number"
    elif column.kind == "date":
        digits = source.str.replace_all(r"[-/.]", "")
        expr = digits.str.strptime(pl.Date, "%Y%m%d", strict=False)
        rule, message = "value.date", "not a date (YYYY-MM-DD)"
    elif column.kind == "month":
        digits = source.str.replace_all(r"[-/.年月]", "")
        valid = digits.str.contains(r"^\d{4}(0[1-9]|1[0-2])$")
        expr = pl.when(valid).then(digits.str.slice(0, 4) + "-" + digits.str.slice(4, 2))
        rule, message = "value.month", "not a month (YYYY-MM)"
    elif column.kind == "list":
        codes = list(layout.ENUMS[column.enum]) if column.enum else None
        parts = source.str.replace_all(LIST_SPLIT, ",").str.split(",")
        if codes:
            by_zh = layout.enum_from_zh(column.enum)
            mapped = parts.list.eval(
                pl.when(pl.element().str.strip_chars().is_in(codes))
                .then(pl.element().str.strip_chars())
                .otherwise(pl.element().str.strip_chars()
                           .replace_strict(by_zh, default=None, return_dtype=pl.String)))
            expr = mapped
            bad = frame.select(
                (pl.col("_sheet") if "_sheet" in frame.columns else pl.lit(sheet)).alias("_s"),
                pl.col("_row"), source.alias("v"),
                mapped.list.eval(pl.element().is_null()).list.any().alias("bad"),
            ).filter(pl.col("bad") & pl.col("v").is_not_null())
            problems = [Problem(file, s or sheet, r, header, v, "value.enum",
                                f"contains a value that is not a {column.enum} code or label")
                        for s, r, v in bad.select("_s", "_row", "v").iter_rows()]
            return expr, problems
        expr = parts
        return expr, []
    else:
        return source, []
    sheets = pl.col("_sheet") if "_sheet" in frame.columns else pl.lit(sheet)
    bad = frame.select(sheets.alias("_s"), pl.col("_row"), source.alias("v"),
                       expr.alias("parsed")).filter(
        pl.col("v").is_not_null() & pl.col("parsed").is_null())
    problems = [Problem(file, s or sheet, r, header, v, rule, f"{v!r}: {message}")
                for s, r, v in bad.select("_s", "_row", "v").iter_rows()]
    return expr, problems


def id_problems(frame: pl.DataFrame, file: str, header: str = "resident_id") -> list[Problem]:
    """GB 11643 checks of resident IDs, as data-quality findings (kind ``quality``)."""
    if "resident_id" not in frame.columns or frame.is_empty():
        return []
    statuses = identity.id_status(frame["resident_id"].to_arrow())
    flagged = frame.select("_sheet", "_row", "resident_id").with_columns(
        pl.Series("status", statuses)).filter(~pl.col("status").is_in(["ok", "no_id"]))
    return [Problem(file, s, r, header, v or "", f"identity.{st}",
                    f"resident ID {st.replace('_', ' ')}", "error", "quality")
            for s, r, v, st in flagged.iter_rows()]


def write_rows_csv(rows: list[dict]) -> bytes:
    """Rejected rows (with their problems) as a CSV a person can open in Excel."""
    buffer = io.StringIO()
    if rows:
        fieldnames = list(dict.fromkeys(key for row in rows for key in row))
        writer = csv.DictWriter(buffer, fieldnames=fieldnames, restval="")
        writer.writerow({k: safe_cell(k) for k in fieldnames})
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
