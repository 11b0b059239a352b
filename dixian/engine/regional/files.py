"""The files the regional programmes take in (a unit's purchases, a province's key-county
indicators): CSV in UTF-8, GBK or GB18030, or XLSX, checked by :mod:`dixian.engine.filecheck`;
one header row (the first non-empty row) whose cells name the columns in Chinese or by code.
Each reader names every problem by row, column, value and rule; the caller keeps all rows of a
file or none."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence

from dixian.engine import filecheck

#: ``problem(row, column, value, rule, message)``: how a reader records a problem
Report = Callable[[int, str, str, str, str], None]


def rows_of(data: bytes, file_name: str) -> list[list[str]]:
    """Every row of the file's first sheet (or of the CSV) as text cells."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        filecheck.check_xlsx(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return [["" if v is None else str(v) for v in r]
                    for r in filecheck.xlsx_rows(book.worksheets[0])]
        finally:
            book.close()
    text = filecheck.decode_text(data)
    filecheck.scan_csv(text)
    return list(csv.reader(io.StringIO(text, newline="")))


def header_columns(cells: Sequence[str], headers: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Where each column is: ``headers`` maps a column's code to the names it may carry."""
    where: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip().replace(" ", "")
        for column, names in headers.items():
            if name in names or name.lower() == column:
                where.setdefault(column, index)
    return where


def open_table(data: bytes, file_name: str, *, what: str, headers: Mapping[str, Sequence[str]],
               required: Sequence[str], problem: Report
               ) -> tuple[list[list[str]], int, dict[str, int]] | None:
    """The file's rows, the index of its header row and where each column is; or None after
    reporting why the file cannot be read as a table (not CSV or XLSX, unreadable, empty,
    a required column missing). ``what``: the file's kind in the messages."""
    if not file_name.lower().endswith((".csv", ".xlsx")):
        problem(0, "", file_name, "file_type", f"{what} is CSV or XLSX")
        return None
    try:
        rows = rows_of(data, file_name)
    except filecheck.FileProblem as exc:
        problem(exc.row, exc.column, exc.value, exc.rule, exc.message)
        return None
    except Exception as exc:  # a workbook openpyxl cannot read
        problem(0, "", "", "unreadable", f"the file cannot be read: {type(exc).__name__}")
        return None
    start = next((n for n, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:
        problem(0, "", "", "empty", "the file is empty (not even a header row)")
        return None
    where = header_columns(rows[start], headers)
    missing = [headers[c][0] for c in required if c not in where]
    if missing:
        problem(start + 1, "、".join(missing), "", "missing_column",
                "the header lacks the columns " + "、".join(missing))
        return None
    return rows, start, where


def records(rows: Sequence[Sequence[str]], start: int, where: Mapping[str, int],
            headers: Mapping[str, Sequence[str]]):
    """``(row number, {column: text})`` for each non-empty row below the header at ``start``
    (row numbers as the person sees them, from 1; a column the header lacks is empty)."""
    for n, cells in enumerate(rows[start + 1:], start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        yield n, {c: (cells[where[c]].strip() if c in where and where[c] < len(cells) else "")
                  for c in headers}
