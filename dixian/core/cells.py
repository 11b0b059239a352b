"""Cells written to CSV or XLSX files: text that a spreadsheet would run as a formula is made
inert (OWASP "CSV injection").

>>> [safe_cell(v) for v in ("=1+1", "+86 138", "-x", "@SUM(A1)", "\\tx", "王", 12, -3, None)]
["'=1+1", "'+86 138", "'-x", "'@SUM(A1)", "'\\tx", '王', 12, -3, None]
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text starting with a formula prefix gets a leading apostrophe; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]


#: the name the national writer uses
neutralise = safe_cell
