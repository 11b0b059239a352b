"""The report as an Excel workbook (openpyxl).

Layout: a first sheet ``报告说明`` with the title, region, period, issuer, every section's
heading and paragraphs, the list of tables (with the sheet that holds each) and the notes;
then one sheet per table:

* row 1: the table title (merged over the table's columns), row 2: region and period;
* row 3: the Chinese column headers (bold, shaded, wrapped), frozen with the rows above it
  (``freeze_panes = "A4"``) and repeated on every printed page;
* the rows: numbers stay numbers, with the column's number format (``#,##0``, ``0.0%``...),
  text cells are text; total rows (合计) are bold with a rule above;
* the table note under the data; column widths fitted to the content (a CJK character counts
  two), printed landscape when the table is wide.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..spreadsheet import safe_cell
from .model import Report, ReportTable

__all__ = ["write_xlsx", "sheet_names", "HEADER_ROW"]

#: the row of the column headers on a table sheet (data start on the next row)
HEADER_ROW = 3
_FONT = "等线"  # the default CJK UI font of Office; LibreOffice and WPS substitute
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def text_width(text: str) -> int:
    """Display width in Excel character units: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def sheet_names(report: Report) -> list[str]:
    """The sheet name of each table: ``sheet_name`` or the title, made valid and unique.

    >>> from dixian.engine.reports.model import Column, ReportTable, Report, Section
    >>> t = ReportTable("表1 监测对象/类别", [Column("类别")], [("脱贫不稳定户",)])
    >>> sheet_names(Report("月报", "望谟县", "2025年6月", [Section("一", tables=[t, t])]))
    ['表1 监测对象_类别', '表1 监测对象_类别 (2)']
    """
    used = {"报告说明"}
    out = []
    for table in report.tables():
        base = _BAD_SHEET_CHARS.sub("_", table.sheet_name or table.title).strip("' ")[:31]
        base = base or "表"
        name, k = base, 2
        while name.lower() in {u.lower() for u in used}:
            suffix = f" ({k})"
            name = base[:31 - len(suffix)] + suffix
            k += 1
        used.add(name)
        out.append(name)
    return out


def _cover(ws, report: Report, names: list[str]) -> None:
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 90
    ws["A1"] = safe_cell(report.title)
    ws["A1"].font = Font(name=_FONT, size=16, bold=True)
    row = 2
    if report.subtitle:
        ws.cell(row, 1, safe_cell(report.subtitle)).font = Font(name=_FONT, size=12)
        row += 1
    row += 1
    for label, value in (("地区", report.region_name), ("统计期", report.period),
                         ("编制单位", report.issuer), ("生成日期", report.issued)):
        if value:
            ws.cell(row, 1, safe_cell(label)).font = Font(name=_FONT, bold=True)
            ws.cell(row, 2, safe_cell(value)).font = Font(name=_FONT)
            row += 1
    wrap = Alignment(wrap_text=True, vertical="top")
    k = 0
    for section in report.sections:
        row += 1
        ws.cell(row, 1, safe_cell(section.heading)).font = Font(name=_FONT, size=12, bold=True)
        row += 1
        for para in section.paragraphs:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
            cell = ws.cell(row, 1, safe_cell(para))
            cell.font = Font(name=_FONT)
            cell.alignment = wrap
            ws.row_dimensions[row].height = 15 * max(1, -(-text_width(para) // 100))
            row += 1
        for table in section.tables:
            ws.cell(row, 1, "表格").font = Font(name=_FONT, color="595959")
            text = f"{table.title}（见工作表“{names[k]}”）"
            ws.cell(row, 2, safe_cell(text)).font = Font(name=_FONT)
            k += 1
            row += 1
    if report.notes:
        row += 1
        ws.cell(row, 1, "说明").font = Font(name=_FONT, size=12, bold=True)
        row += 1
        for i, note in enumerate(report.notes, start=1):
            ws.cell(row, 1, f"{i}.").alignment = Alignment(horizontal="right", vertical="top")
            cell = ws.cell(row, 2, safe_cell(note))
            cell.alignment = wrap
            cell.font = Font(name=_FONT)
            row += 1


def _table_sheet(ws, report: Report, table: ReportTable) -> None:
    n_cols = len(table.columns)
    last = get_column_letter(n_cols)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = safe_cell(table.title)
    ws["A1"].font = Font(name=_FONT, size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 24
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = safe_cell(f"地区：{report.region_name}　统计期：{report.period}")
    ws["A2"].font = Font(name=_FONT, size=10, color="595959")
    ws["A2"].alignment = Alignment(horizontal="center")

    header_font = Font(name=_FONT, bold=True)
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [text_width(c.header) for c in table.columns]
    for j, col in enumerate(table.columns, start=1):
        cell = ws.cell(HEADER_ROW, j, safe_cell(col.header))
        cell.font, cell.alignment = header_font, header_align
        cell.fill, cell.border = _HEADER_FILL, _BORDER
    first_total = len(table.rows) - table.total_rows
    body_font = Font(name=_FONT)
    total_font = Font(name=_FONT, bold=True)
    total_border = Border(left=_THIN, right=_THIN, bottom=_THIN,
                          top=Side(style="medium", color="595959"))
    for i, row in enumerate(table.rows):
        r = HEADER_ROW + 1 + i
        is_total = i >= first_total
        for j, (col, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            cell = ws.cell(r, j, safe_cell(value))
            cell.font = total_font if is_total else body_font
            cell.border = total_border if is_total and i == first_total else _BORDER
            if is_total:
                cell.fill = _TOTAL_FILL
            if col.numeric:
                cell.number_format = col.excel_format
                cell.alignment = Alignment(horizontal="right")
            else:
                cell.alignment = Alignment(horizontal="left", wrap_text=False)
            shown = col.display(value) if value is not None else ""
            widths[j - 1] = max(widths[j - 1], text_width(shown))
    if table.note:
        r = HEADER_ROW + len(table.rows) + 2
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n_cols)
        cell = ws.cell(r, 1, safe_cell(f"注：{table.note}"))
        cell.font = Font(name=_FONT, size=9, color="595959")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        total_width = sum(min(max(w + 2, 8), 50) for w in widths)
        ws.row_dimensions[r].height = 14 * max(1, -(-text_width(cell.value) // total_width))
    for j, (col, w) in enumerate(zip(table.columns, widths, strict=True), start=1):
        ws.column_dimensions[get_column_letter(j)].width = (
            col.width if col.width is not None else min(max(w + 2, 8), 50))
    ws.row_dimensions[HEADER_ROW].height = 15 * max(
        1, max(-(-text_width(c.header) // 50) for c in table.columns))
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if sum(widths) > 100:
        ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_xlsx(report: Report, path: str | Path) -> Path:
    """Write ``report`` as an ``.xlsx`` workbook at ``path`` (module docstring for the layout).

    Returns the path. Reading it back gives the numbers as numbers:

    >>> import tempfile, openpyxl
    >>> from dixian.engine.reports.model import Column, ReportTable, Report, Section
    >>> t = ReportTable("表1 监测对象", [Column("类别"), Column("户数", kind="integer")],
    ...                 [("边缘易致贫户", 1204), ("合计", 1204)], total_rows=1)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_xlsx(Report("月报", "望谟县", "2025年6月", [Section("一、总体", tables=[t])]),
    ...                    f"{d}/r.xlsx")
    ...     ws = openpyxl.load_workbook(p)["表1 监测对象"]
    ...     ws["B4"].value, ws["B4"].number_format, ws.freeze_panes
    (1204, '#,##0', 'A4')
    """
    path = Path(path)
    names = sheet_names(report)
    wb = Workbook()
    cover = wb.active
    cover.title = "报告说明"
    _cover(cover, report, names)
    for table, name in zip(report.tables(), names, strict=True):
        _table_sheet(wb.create_sheet(name), report, table)
    wb.properties.title = report.title
    wb.properties.subject = f"{report.region_name} {report.period}"
    if report.issuer:
        wb.properties.creator = report.issuer
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
