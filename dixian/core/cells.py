"""Cells written to CSV or XLSX: text that a spreadsheet would run as a formula is
neutralised (OWASP "CSV injection"): a leading ``=``, ``+``, ``-``, ``@``, tab or carriage
return gets a leading apostrophe. Numbers stay numbers; a negative number is a number."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """>>> neutralise("=HYPERLINK(1)"), neutralise(-3), neutralise("张三")
    ("'=HYPERLINK(1)", -3, '张三')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
