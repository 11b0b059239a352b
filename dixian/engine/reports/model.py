"""A report described as data: title, region, period, sections of paragraphs and tables.

The renderers (:func:`~dixian.engine.reports.write_xlsx`, :func:`~dixian.engine.reports.
write_pdf`) take a :class:`Report` and lay it out; nothing here knows where the numbers come
from. Values in numeric columns stay numbers: Excel gets the number with a number format, the
PDF gets the same format as text.

>>> col = Column("风险消除率", kind="percent")
>>> col.display(0.4969), col.excel_format
('49.7%', '0.0%')
>>> Column("户数", kind="integer").display(12345), Column("户数", kind="integer").display(None)
('12,345', '—')
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any, Literal

__all__ = ["Column", "ReportTable", "Section", "Report", "ColumnKind", "MISSING"]

ColumnKind = Literal["text", "integer", "number", "percent"]
_DEFAULT_DECIMALS = {"text": 0, "integer": 0, "number": 2, "percent": 1}
#: how a missing value (None or NaN) is shown in the PDF (Excel leaves the cell empty)
MISSING = "—"


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Attributes: ``header`` (Chinese header text); ``kind``: ``"text"``, ``"integer"``,
    ``"number"`` or ``"percent"`` (a fraction: 0.4969 shows as 49.7%); ``decimals`` (default
    0 for integers, 2 for numbers, 1 for percentages); ``thousands`` (a thousands separator
    for integers and numbers); ``width`` (Excel width in characters; ``None`` fits the
    content).
    """

    header: str
    kind: ColumnKind = "text"
    decimals: int | None = None
    thousands: bool = True
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in _DEFAULT_DECIMALS:
            raise ValueError(f"column {self.header!r}: kind must be text, integer, number or "
                             f"percent, got {self.kind!r}")
        if self.decimals is not None and not (isinstance(self.decimals, int)
                                              and 0 <= self.decimals <= 10):
            raise ValueError(f"column {self.header!r}: decimals must be an integer 0-10")

    @property
    def numeric(self) -> bool:
        """True for integer, number and percent columns."""
        return self.kind != "text"

    @property
    def places(self) -> int:
        """Decimal places shown."""
        return _DEFAULT_DECIMALS[self.kind] if self.decimals is None else self.decimals

    @property
    def excel_format(self) -> str:
        """The Excel number format (``@`` for text)."""
        if self.kind == "text":
            return "@"
        frac = ("." + "0" * self.places) if self.places else ""
        if self.kind == "percent":
            return f"0{frac}%"
        return ("#,##0" if self.thousands else "0") + frac

    def display(self, value: Any) -> str:
        """The value as the PDF shows it."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return MISSING
        if self.kind == "text":
            return str(value)
        sep = "," if self.thousands and self.kind != "percent" else ""
        if self.kind == "percent":
            return f"{value * 100:.{self.places}f}%"
        return f"{value:{sep}.{self.places}f}"


def _check_value(col: Column, value: Any, where: str) -> Any:
    if value is None:
        return None
    if col.kind == "text":
        return value if isinstance(value, str) else str(value)
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{where}: column {col.header!r} is {col.kind}, got {value!r}")
    value = float(value) if not isinstance(value, int) else value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            raise ValueError(f"{where}: column {col.header!r}: infinite value")
    return value


@dataclass(frozen=True)
class ReportTable:
    """A table: ``title`` (e.g. "表1 监测对象按类别统计"), ``columns``, ``rows`` (one
    sequence of values per row, in column order; None or NaN = missing), ``total_rows`` (how
    many of the last rows are totals, 合计, shown emphasised), ``note`` (a line under the
    table, e.g. the data source) and ``sheet_name`` (the Excel sheet; by default from the
    title). Lists are accepted and stored as tuples; values are checked against the column
    kinds (NaN becomes None).
    """

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    total_rows: int = 0
    note: str | None = None
    sheet_name: str | None = None

    def __post_init__(self) -> None:
        cols = tuple(c if isinstance(c, Column) else Column(str(c)) for c in self.columns)
        if not cols:
            raise ValueError(f"table {self.title!r}: no columns")
        rows = []
        for i, row in enumerate(self.rows, start=1):
            row = tuple(row)
            if len(row) != len(cols):
                raise ValueError(f"table {self.title!r}, row {i}: {len(row)} values for "
                                 f"{len(cols)} columns")
            rows.append(tuple(_check_value(c, v, f"table {self.title!r}, row {i}")
                              for c, v in zip(cols, row, strict=True)))
        if not 0 <= self.total_rows <= len(rows):
            raise ValueError(f"table {self.title!r}: total_rows must lie in 0..{len(rows)}")
        object.__setattr__(self, "columns", cols)
        object.__setattr__(self, "rows", tuple(rows))


@dataclass(frozen=True)
class Section:
    """A section: ``heading``, then its ``paragraphs`` and its ``tables``, in that order."""

    heading: str
    paragraphs: Sequence[str] = ()
    tables: Sequence[ReportTable] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "paragraphs", tuple(self.paragraphs))
        object.__setattr__(self, "tables", tuple(self.tables))


@dataclass(frozen=True)
class Report:
    """A whole report.

    Attributes: ``title``; ``region_name`` (e.g. "贵州省黔西南州望谟县"); ``period`` (e.g.
    "2025年6月"); ``sections``; ``subtitle``; ``notes`` (说明 at the end); ``issuer``
    (编制单位); ``issued`` (the date shown, as text: the renderers never read the clock, so
    the same report gives the same file).
    """

    title: str
    region_name: str
    period: str
    sections: Sequence[Section] = ()
    subtitle: str | None = None
    notes: Sequence[str] = ()
    issuer: str | None = None
    issued: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "notes", tuple(self.notes))

    def tables(self) -> Iterator[ReportTable]:
        """Every table, in order."""
        for s in self.sections:
            yield from s.tables

    def texts(self) -> Iterator[str]:
        """Every piece of text a renderer shows (for the font's glyph check)."""
        for t in (self.title, self.subtitle, self.region_name, self.period, self.issuer,
                  self.issued):
            if t:
                yield t
        yield from self.notes
        for s in self.sections:
            yield s.heading
            yield from s.paragraphs
            for t in s.tables:
                yield t.title
                if t.note:
                    yield t.note
                for c in t.columns:
                    yield c.header
                for row in t.rows:
                    for c, v in zip(t.columns, row, strict=True):
                        yield c.display(v)
