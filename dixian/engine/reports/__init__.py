"""Report rendering without Django: a report described as data, written as XLSX and PDF.

A :class:`Report` holds a title, region, period, sections (heading, paragraphs, tables) and
notes; :func:`write_xlsx` writes one sheet per table (numbers as numbers with their formats,
frozen header row, fitted columns) after a cover sheet, and :func:`write_pdf` lays it out on
A4 with a Chinese font embedded (found by :func:`find_cjk_font`; a missing font or glyph is
an error, never empty boxes). :func:`render_pdf_pages_to_png` rasterises a PDF for a look.
The report's content (indicators) is built elsewhere.

>>> from dixian.engine.reports import Column, Report, ReportTable, Section
>>> t = ReportTable("表1 监测对象按类别统计",
...                 [Column("类别"), Column("户数", kind="integer"),
...                  Column("风险消除率", kind="percent")],
...                 [("脱贫不稳定户", 412, 0.5183), ("边缘易致贫户", 655, 0.4702),
...                  ("合计", 1067, 0.4884)], total_rows=1)
>>> r = Report("防止返贫动态监测月报", "望谟县", "2025年6月", [Section("一、总体情况", tables=[t])])
>>> [c.display(v) for c, v in zip(t.columns, t.rows[-1])]
['合计', '1,067', '48.8%']
"""

from .model import MISSING, Column, ColumnKind, Report, ReportTable, Section
from .pdf import (
    FONT_CANDIDATES,
    FONT_ENV,
    CjkFont,
    CjkFontError,
    CjkFontNotFoundError,
    MissingGlyphsError,
    find_cjk_font,
    write_pdf,
)
from .preview import render_pdf_pages_to_png
from .xlsx import HEADER_ROW, sheet_names, write_xlsx

__all__ = [
    "Report",
    "Section",
    "ReportTable",
    "Column",
    "ColumnKind",
    "MISSING",
    "write_xlsx",
    "sheet_names",
    "HEADER_ROW",
    "write_pdf",
    "find_cjk_font",
    "CjkFont",
    "CjkFontError",
    "CjkFontNotFoundError",
    "MissingGlyphsError",
    "FONT_ENV",
    "FONT_CANDIDATES",
    "render_pdf_pages_to_png",
]
