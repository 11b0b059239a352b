"""Every list downloads as XLSX or CSV with the filters on screen: the page's own URL with
``format=xlsx`` or ``format=csv`` (the pager and the download links keep the other
parameters, so the file holds exactly the rows the filters select, all pages of them).

Cells are formula-safe: a text cell that a spreadsheet would read as a formula (it starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
apostrophe, so a name or a note typed as ``=HYPERLINK(...)`` stays text (OWASP "CSV
injection"). Numbers, dates and booleans are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 100_000  # a download is a county at most; beyond, narrow the filters


def safe_cell(value):
    """The value as a spreadsheet should hold it: formula-looking text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(
            value) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (int, float, date)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_bytes(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(str(h)) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], sheet: str = "list") -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.append([safe_cell(str(h)) for h in headers])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def wanted(request) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in ("csv", "xlsx") else None


def respond(request, name: str, headers: Sequence, rows: Callable[[], Iterable[Sequence]]
            ) -> HttpResponse | None:
    """The list as a file when the request asks for one (``?format=csv|xlsx``), else None.
    ``rows`` is called only then, so the page itself pays nothing."""
    fmt = wanted(request)
    if fmt is None:
        return None
    limited = (row for i, row in enumerate(rows()) if i < MAX_ROWS)
    filename = f"dixian-{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        body, content_type = csv_bytes(headers, limited), "text/csv; charset=utf-8"
    else:
        body, content_type = xlsx_bytes(headers, limited, sheet=name), XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
