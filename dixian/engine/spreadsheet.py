"""The one helper that keeps spreadsheet formulas out of every CSV and XLSX Dixian writes.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and WPS as a formula (``=HYPERLINK(...)`` in a member's name would be a live link in
the registry export). Such text is written with a leading apostrophe, the spreadsheet
convention for "this is text"; a plain number (``-12.5``) is left as it is. The registry
reader strips that apostrophe again, so an export imports back to the same values.

>>> safe_cell('=HYPERLINK("http://x","y")'), safe_cell("-12.5"), safe_cell("王五"), safe_cell(3)
('\\'=HYPERLINK("http://x","y")', '-12.5', '王五', 3)
>>> unquote_cell("'=1+2"), unquote_cell("'abc")
('=1+2', "'abc")
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_RISKY = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def safe_cell(value):
    """``value`` as a spreadsheet may hold it without evaluating it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


def safe_table(table: pa.Table) -> pa.Table:
    """Every string column of ``table`` with :func:`safe_cell` applied (vectorised)."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.and_(pc.match_substring_regex(column, _RISKY),
                            pc.invert(pc.match_substring_regex(column, _PLAIN_NUMBER)))
            column = pc.if_else(pc.fill_null(risky, False),
                                pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def unquote_cell(text: str) -> str:
    """The inverse for a reader: ``'=x`` back to ``=x``; other text unchanged."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text
