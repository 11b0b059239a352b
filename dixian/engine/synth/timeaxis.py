"""Months, dates and ages as numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class TimeAxis:
    """The panel's months: ``months`` months ending with ``end_month`` (inclusive)."""

    end_month: str
    months: int

    @property
    def end(self) -> np.datetime64:
        return np.datetime64(self.end_month, "M")

    @property
    def start(self) -> np.datetime64:
        return self.end - np.timedelta64(self.months - 1, "M")

    @property
    def month_values(self) -> np.ndarray:
        """datetime64[M] of each panel month."""
        return self.start + np.arange(self.months).astype("timedelta64[M]")

    @property
    def labels(self) -> list[str]:
        return [str(m) for m in self.month_values]

    @property
    def month_of_year(self) -> np.ndarray:
        """0..11 for each panel month."""
        return (self.month_values.astype(np.int64) % 12).astype(np.int64)

    @property
    def year(self) -> np.ndarray:
        return (self.month_values.astype(np.int64) // 12 + 1970).astype(np.int64)

    @property
    def start_date(self) -> np.datetime64:
        return self.start.astype("datetime64[D]")

    @property
    def snapshot_date(self) -> np.datetime64:
        """Last day of the end month."""
        return (self.end + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")

    @property
    def full_years(self) -> list[int]:
        years, counts = np.unique(self.year, return_counts=True)
        return [int(y) for y, c in zip(years, counts, strict=True) if c == 12]

    def month_label(self, t: np.ndarray) -> pa.Array:
        """Arrow strings 'YYYY-MM' for panel indices ``t`` (null where t < 0)."""
        return month_strings(self.start.astype(np.int64) + np.asarray(t, dtype=np.int64),
                             valid=np.asarray(t) >= 0)


def month_strings(month_index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'YYYY-MM' strings from months since 1970-01 (vectorised via a small dictionary)."""
    idx = np.asarray(month_index, dtype=np.int64)
    if valid is None:
        valid = np.ones(idx.shape, dtype=bool)
    if not valid.any():
        return pa.nulls(idx.size, pa.string())
    lo = int(idx[valid].min())
    hi = int(idx[valid].max())
    labels = pa.array([str(np.datetime64(m, "M")) for m in range(lo, hi + 1)], pa.string())
    pos = np.where(valid, idx - lo, 0)
    return labels.take(pa.array(pos, mask=~valid))


def ymd(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12), day arrays of datetime64[D] values."""
    d = np.asarray(dates, dtype="datetime64[D]")
    m = d.astype("datetime64[M]")
    year = m.astype(np.int64) // 12 + 1970
    month = m.astype(np.int64) % 12 + 1
    day = (d - m.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def age_years(birth: np.ndarray, on: np.datetime64) -> np.ndarray:
    """Completed years of age on date ``on`` (exact, birthday-aware)."""
    by, bm, bd = ymd(birth)
    oy, om, od = ymd(np.array([on]))
    before = (bm > om[0]) | ((bm == om[0]) & (bd > od[0]))
    return (oy[0] - by - before).astype(np.int64)
