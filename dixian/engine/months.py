"""Month arithmetic on ``'YYYY-MM'`` strings: the one place for it (engine and platform).

>>> month_add("2025-01", -12), month_add("2024-12", 1)
('2024-01', '2025-01')
>>> months_ending("2021-05", 3)
['2021-03', '2021-04', '2021-05']
>>> months_after(dt.date(2025, 1, 31), 1), first_day("2025-02"), month_of(dt.date(2025, 2, 9))
(datetime.date(2025, 2, 28), datetime.date(2025, 2, 1), '2025-02')
"""

from __future__ import annotations

import calendar
import datetime as dt


def month_index(month: str) -> int:
    """Months since year 0 (January of year 0 is 0)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_of_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_add(month: str, k: int) -> str:
    """``'YYYY-MM'`` plus ``k`` months."""
    return month_of_index(month_index(month) + k)


def months_ending(last: str, n: int) -> list[str]:
    """The ``n`` months ending with ``last``, oldest first."""
    end = month_index(last)
    return [month_of_index(i) for i in range(end - n + 1, end + 1)]


def months_between(first: str, last: str) -> int:
    """Whole months from ``first`` to ``last`` (negative when ``last`` is earlier)."""
    return month_index(last) - month_index(first)


def month_of(day: dt.date) -> str:
    """``'YYYY-MM'`` of a date (of a datetime as it is: convert an aware one to local time
    first)."""
    return f"{day.year:04d}-{day.month:02d}"


def first_day(month: str) -> dt.date:
    """The first day of ``'YYYY-MM'``."""
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def months_after(day: dt.date, n: int) -> dt.date:
    """The same day ``n`` months later (the month's last day when it is shorter)."""
    month = month_add(month_of(day), n)
    year, mon = int(month[:4]), int(month[5:7])
    return dt.date(year, mon, min(day.day, calendar.monthrange(year, mon)[1]))


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole months from the day ``start`` to the day ``end`` (the 15th to the next month's
    14th is not yet a month; the 31st to the next month's last day is not either).

    >>> whole_months(dt.date(2024, 1, 15), dt.date(2026, 1, 15))
    24
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)
