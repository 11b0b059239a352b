"""How figures are shown: small counts suppressed on shared views, rates with a Wilson interval.

A *shared* view is one that leaves the people entitled to the household lists: the tables
downloaded, the monthly report, the dashboard in its "shared" mode. There a count between 1
and ``threshold - 1`` households (default 5) is shown as "<5" and a rate whose denominator is
below the threshold is withheld, since it is a count in disguise. Zero is shown. No
complementary suppression is done (a suppressed cell may sometimes be recovered from a total
and its visible neighbours); see docs/statistics.md.

Every rate carries its Wilson score interval (95 % by default): over a village of 12
households a coverage of 11/12 is 92 % (65 %–99 %), not "92 %".

>>> r = rate(11, 12)
>>> round(r.value, 3), round(r.low, 3), round(r.high, 3)
(0.917, 0.646, 0.985)
>>> count(3, shared=True).text, count(3).text, count(0, shared=True).text
('<5', '3', '0')
>>> rate(2, 3, shared=True).suppressed, rate(None, 0).value is None
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DEFAULT_THRESHOLD", "wilson", "Count", "Rate", "count", "persons", "rate"]

DEFAULT_THRESHOLD = 5


def wilson(k: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials (n > 0).

    >>> [round(x, 4) for x in wilson(0, 10)]
    [0.0, 0.2775]
    """
    if n <= 0:
        raise ValueError("n must be positive")
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if k <= 0 else max(0.0, centre - half)
    high = 1.0 if k >= n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Count:
    value: int | None
    suppressed: bool
    text: str


@dataclass(frozen=True)
class Rate:
    value: float | None
    low: float | None
    high: float | None
    numerator: int | None
    denominator: int | None
    suppressed: bool

    def percent(self, digits: int = 1) -> str:
        if self.suppressed:
            return "—"
        if self.value is None:
            return "—"
        return f"{self.value * 100:.{digits}f}%"

    def interval(self, digits: int = 0) -> str:
        if self.suppressed or self.low is None or self.high is None:
            return ""
        return f"{self.low * 100:.{digits}f}–{self.high * 100:.{digits}f}%"


def count(value: int | None, *, shared: bool = False,
          threshold: int = DEFAULT_THRESHOLD) -> Count:
    """A count as shown: suppressed below ``threshold`` on shared views."""
    if value is None:
        return Count(None, False, "—")
    value = int(value)
    if shared and 0 < value < threshold:
        return Count(None, True, f"<{threshold}")
    return Count(value, False, f"{value:,}")


def persons(value: int | None, households: int | None, *, shared: bool = False,
            threshold: int = DEFAULT_THRESHOLD) -> Count:
    """A count of persons, suppressed with the count of households it belongs to (five
    persons in two households are still two households).

    >>> persons(7, 2, shared=True).text, persons(7, 2).text, persons(30, 9, shared=True).text
    ('—', '7', '30')
    """
    if value is None:
        return Count(None, False, "—")
    if shared and households is not None and 0 < int(households) < threshold:
        return Count(None, True, "—")
    return count(value, shared=shared, threshold=threshold)


def rate(numerator: int | None, denominator: int | None, *, shared: bool = False,
         threshold: int = DEFAULT_THRESHOLD) -> Rate:
    """numerator / denominator with its Wilson interval; withheld on shared views when the
    denominator is below ``threshold``; no value when the denominator is 0 or unknown."""
    if numerator is None or not denominator:
        return Rate(None, None, None, numerator, denominator, False)
    if shared and denominator < threshold:
        return Rate(None, None, None, None, None, True)
    low, high = wilson(numerator, denominator)
    return Rate(numerator / denominator, low, high, int(numerator), int(denominator), False)
