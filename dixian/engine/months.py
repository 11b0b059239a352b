"""Month arithmetic on ``'YYYY-MM'`` strings: the one place for it (engine and platform).

>>> month_add("2025-01", -12), month_add("2024-12", 1)
('2024-01', '2025-01')
>>> months_ending("2021-05", 3)
['2021-03', '2021-04', '2021-05']
"""

from __future__ import annotations


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
