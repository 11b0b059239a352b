"""Months as 'YYYY-MM' strings: ranges, offsets and bounds.

>>> month_range("2025-11", 3)
['2025-09', '2025-10', '2025-11']
>>> add_months("2025-01", -1), month_index("2025-01") - month_index("2024-01")
('2024-12', 12)
>>> month_bounds("2024-02")
(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), datetime.date(2024, 3, 1))
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["check_month", "month_index", "month_of_index", "add_months", "month_range",
           "month_bounds"]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_month(month: str, name: str = "month") -> str:
    if not isinstance(month, str) or not _MONTH.match(month):
        raise ValueError(f"{name}: {month!r} is not a month ('YYYY-MM')")
    return month


from dixian.engine.months import month_add as add_months  # noqa: E402
from dixian.engine.months import month_index, month_of_index, months_ending  # noqa: E402,F401


def month_range(last: str, n: int) -> list[str]:
    """The ``n`` months ending with ``last``, oldest first."""
    check_month(last, "last")
    return months_ending(last, n)


def month_bounds(month: str) -> tuple[dt.date, dt.date, dt.date]:
    """(first day, last day, first day of the next month)."""
    first = dt.date(int(month[:4]), int(month[5:7]), 1)
    nxt = dt.date.fromisoformat(add_months(month, 1) + "-01")
    return first, nxt - dt.timedelta(days=1), nxt
