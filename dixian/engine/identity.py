"""Resident identity numbers (居民身份证号码, GB 11643-1999).

An 18-character number is ``AAAAAA YYYYMMDD SSS C``: the six-digit area code of the place of
first registration, the birth date, a three-digit order code whose last digit is odd for men
and even for women, and a check character computed with ISO 7064 MOD 11-2 over the first 17
digits (weights 2^(17-i) mod 11, check characters ``10X98765432``).

The national monitoring system's exports (domain.md §2.3) also accept 20- and 22-character
numbers (disability-certificate numbers: the 18-character resident ID followed by category,
grade and reissue characters) and use a ``999999`` prefix for "no ID". The rules are:

* a null or empty value is ``missing``;
* ``999999...`` is ``no_id`` (flagged by rule 4_01_003, not a format error);
* any length other than 18, 20 or 22 is ``bad_length`` (rule 1_01_002);
* the first 17 characters must be digits (``bad_chars``);
* the embedded birth date must be a real date between 1800-01-01 and today (``bad_date``;
  the standard's own example is born in 1880);
* the check character of the first 18 characters must match (``bad_checksum``, rule 1_12_004).
  Only an upper-case ``X`` is accepted, as in the national system.

Everything here is vectorised: the array functions take a numpy array (``U``, ``S`` or object
dtype), a Python list, a polars Series or a pyarrow (Chunked)Array and work on the raw bytes
of an Arrow string buffer, without a Python loop. :func:`polars_check_char` and
:func:`sql_check_char` give the same computation as a polars expression and as SQL for DuckDB.

>>> check_char("11010519491231002")
'X'
>>> is_valid("11010519491231002X")
True
>>> id_status(["11010519491231002X", "110105194912310021", "999999194912310021", None]).tolist()
['ok', 'bad_checksum', 'no_id', 'missing']
>>> make_id("522326", "1980-02-29", 12, "F")
'522326198002290268'
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = [
    "WEIGHTS",
    "CHECK_CHARS",
    "STATUSES",
    "check_char",
    "is_valid",
    "status",
    "birth_date",
    "sex",
    "make_id",
    "check_chars",
    "id_status",
    "is_valid_array",
    "birth_dates",
    "sexes",
    "make_ids",
    "polars_check_char",
    "sql_check_char",
]

#: ISO 7064 MOD 11-2 weights of the first 17 positions: 2**(17 - i) mod 11.
WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
#: Check character for each value of (sum of weighted digits) mod 11.
CHECK_CHARS = "10X98765432"
VALID_LENGTHS = (18, 20, 22)
NO_ID_PREFIX = "999999"
#: Status codes returned by :func:`id_status`, in the order they are tested.
STATUSES = ("ok", "missing", "no_id", "bad_length", "bad_chars", "bad_date", "bad_checksum")
_STATUS_INDEX = {name: i for i, name in enumerate(STATUSES)}
_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)
_MIN_BIRTH = np.datetime64("1800-01-01")


# ----------------------------------------------------------------------------- scalar API


def check_char(first17: str) -> str:
    """The check character for the first 17 digits of an ID.

    >>> check_char("52232619800229026")
    '8'
    """
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(c) * int(w) for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def status(value: str | None, *, today: _dt.date | None = None) -> str:
    """The :data:`STATUSES` code of one ID (see the module docstring)."""
    return str(id_status([value], today=today)[0])


def is_valid(value: str | None) -> bool:
    """True for a well-formed ID of length 18, 20 or 22 with a correct check character."""
    return status(value) == "ok"


def birth_date(value: str) -> _dt.date | None:
    """The birth date embedded in a valid-format ID, else None.

    >>> birth_date("11010519491231002X")
    datetime.date(1949, 12, 31)
    """
    out = birth_dates([value])[0]
    return None if np.isnat(out) else out.astype(_dt.date)


def sex(value: str) -> str | None:
    """``"M"`` or ``"F"`` from the parity of the 17th digit, None if unreadable.

    >>> sex("11010519491231002X")
    'F'
    """
    out = sexes([value])[0]
    return out or None


def make_id(area_code: str, birth: _dt.date | str, sequence: int, sex: str) -> str:
    """Build a valid 18-character ID.

    ``sequence`` (0-498) numbers the people of one sex born on one day in one area; the
    order code is ``2*sequence + 1`` for men (odd) and ``2*sequence + 2`` for women (even).
    """
    return make_ids([area_code], [np.datetime64(birth, "D")], [sequence], [sex])[0].as_py()


# ----------------------------------------------------------------------------- helpers


def _to_arrow(values: Any) -> pa.Array:
    """Any supported array-like of strings as one contiguous Arrow string array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    elif not isinstance(values, pa.Array):
        if type(values).__module__.startswith("polars"):
            values = values.to_arrow()
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks()
        elif isinstance(values, np.ndarray) and values.dtype.kind == "S":
            values = pa.array(values, type=pa.binary())
        else:
            values = pa.array(values, type=pa.string())
    t = values.type
    if pa.types.is_dictionary(t):
        values = values.cast(t.value_type)
        t = values.type
    if pa.types.is_string_view(t) or pa.types.is_large_string(t):
        values = values.cast(pa.string())
    elif (pa.types.is_large_binary(t) or pa.types.is_binary_view(t)
          or pa.types.is_fixed_size_binary(t)):
        values = values.cast(pa.binary())
    elif pa.types.is_null(t):
        values = pa.array([None] * len(values), type=pa.string())
    elif not (pa.types.is_string(values.type) or pa.types.is_binary(values.type)):
        raise TypeError(f"expected strings, got {values.type}")
    return values


def _byte_matrix(arr: pa.Array, width: int = 18) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, width) uint8 matrix of the first ``width`` bytes, the byte lengths, the null mask.

    Rows shorter than ``width`` are zero-padded (callers test the length first).
    """
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset: arr.offset + n + 1]
    data_buf = arr.buffers()[2]
    data = (np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None
            else np.zeros(0, dtype=np.uint8))
    lengths = np.diff(offsets).astype(np.int64)
    nulls = (arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count
             else np.zeros(n, dtype=bool))
    starts = offsets[:-1].astype(np.int64)
    take = np.minimum(lengths, width)
    cols = np.arange(width, dtype=np.int64)
    idx = starts[:, None] + cols[None, :]
    inside = cols[None, :] < take[:, None]
    mat = np.zeros((n, width), dtype=np.uint8)
    if data.size:
        mat[inside] = data[idx[inside]]
    return mat, lengths, nulls


def _dates_from_matrix(mat: np.ndarray) -> np.ndarray:
    """datetime64[D] from bytes 6..13 (YYYYMMDD); NaT where not a real date."""
    d = mat[:, 6:14].astype(np.int64) - 48
    digits_ok = ((d >= 0) & (d <= 9)).all(axis=1)
    d = np.where(digits_ok[:, None], d, 0)
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month = d[:, 4] * 10 + d[:, 5]
    day = d[:, 6] * 10 + d[:, 7]
    ok = digits_ok & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (year >= 1)
    ym = ((np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1).astype(
        "datetime64[M]")
    first = ym.astype("datetime64[D]")
    dates = first + (np.where(ok, day, 1) - 1).astype("timedelta64[D]")
    ok &= dates.astype("datetime64[M]") == ym  # e.g. 0231 rolls over into March
    return np.where(ok, dates, np.datetime64("NaT", "D"))


# ----------------------------------------------------------------------------- array API


def check_chars(first17: Any) -> np.ndarray:
    """Check characters (``S1`` array) for strings whose first 17 characters are digits.

    Rows whose first 17 characters are not all digits get ``b"?"``.
    """
    arr = _to_arrow(first17)
    mat, lengths, nulls = _byte_matrix(arr, 17)
    digits = mat.astype(np.int64) - 48
    ok = ((digits >= 0) & (digits <= 9)).all(axis=1) & (lengths >= 17) & ~nulls
    chars = _CHECK_BYTES[(digits @ WEIGHTS) % 11]
    return np.where(ok, chars, ord("?")).astype(np.uint8).view("S1")


def id_status(values: Any, *, today: _dt.date | None = None) -> np.ndarray:
    """Status code per value (an object array of :data:`STATUSES` strings)."""
    codes = _status_codes(values, today=today)
    return np.array(STATUSES, dtype=object)[codes]


def _status_codes(values: Any, *, today: _dt.date | None = None) -> np.ndarray:
    arr = _to_arrow(values)
    mat, lengths, nulls = _byte_matrix(arr, 18)
    n = len(arr)
    code = np.full(n, _STATUS_INDEX["ok"], dtype=np.int8)
    digits = mat[:, :17].astype(np.int64) - 48
    digits_ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
    chars = _CHECK_BYTES[(np.where(digits_ok[:, None], digits, 0) @ WEIGHTS) % 11]
    dates = _dates_from_matrix(mat)
    max_birth = np.datetime64(today or _dt.date.today(), "D")
    date_ok = ~np.isnat(dates) & (dates >= _MIN_BIRTH) & (dates <= max_birth)
    no_id = (mat[:, :6] == ord("9")).all(axis=1) & (lengths >= 6)
    length_ok = np.isin(lengths, VALID_LENGTHS)
    # later assignments win, so test from the least to the most fundamental problem
    code[chars != mat[:, 17]] = _STATUS_INDEX["bad_checksum"]
    code[~date_ok] = _STATUS_INDEX["bad_date"]
    code[~digits_ok] = _STATUS_INDEX["bad_chars"]
    code[~length_ok] = _STATUS_INDEX["bad_length"]
    code[no_id] = _STATUS_INDEX["no_id"]
    code[nulls | (lengths == 0)] = _STATUS_INDEX["missing"]
    return code


def is_valid_array(values: Any, *, today: _dt.date | None = None) -> np.ndarray:
    """Boolean array: status is ``ok``."""
    return _status_codes(values, today=today) == _STATUS_INDEX["ok"]


def birth_dates(values: Any) -> np.ndarray:
    """datetime64[D] birth dates (NaT where the ID is too short or the date is not real)."""
    arr = _to_arrow(values)
    mat, lengths, nulls = _byte_matrix(arr, 18)
    dates = _dates_from_matrix(mat)
    return np.where((lengths >= 14) & ~nulls, dates, np.datetime64("NaT", "D"))


def sexes(values: Any) -> np.ndarray:
    """Object array of ``"M"``, ``"F"`` or ``""`` (unreadable) from the 17th digit."""
    arr = _to_arrow(values)
    mat, lengths, nulls = _byte_matrix(arr, 18)
    d = mat[:, 16].astype(np.int64) - 48
    ok = (d >= 0) & (d <= 9) & (lengths >= 17) & ~nulls
    out = np.where(d % 2 == 1, "M", "F").astype(object)
    out[~ok] = ""
    return out


def make_ids(area_codes: Any, birth: Any, sequence: Any, sex: Any) -> pa.StringArray:
    """Valid 18-character IDs, vectorised.

    ``area_codes``: six-digit strings (or ints); ``birth``: datetime64[D]-convertible;
    ``sequence``: ints 0-498 (see :func:`make_id`); ``sex``: ``"M"``/``"F"`` strings or a
    boolean array that is True for men.
    """
    area = np.asarray(area_codes)
    if area.dtype.kind in "iu":
        area_num = area.astype(np.int64)
    else:
        area_num = np.asarray(area, dtype="U6").astype(np.int64)
    n = area_num.shape[0]
    dates = np.asarray(birth, dtype="datetime64[D]")
    seq = np.asarray(sequence, dtype=np.int64)
    s = np.asarray(sex)
    male = s.astype(bool) if s.dtype == bool else (s == "M")
    if ((seq < 0) | (seq > 498)).any():
        raise ValueError("sequence must be in 0..498")
    order = seq * 2 + np.where(male, 1, 2)
    ym = dates.astype("datetime64[M]").astype(np.int64)
    year = ym // 12 + 1970
    month = ym % 12 + 1
    day = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    mat = np.empty((n, 18), dtype=np.uint8)
    for pos, (num, width) in enumerate(
            ((area_num, 6), (year, 4), (month, 2), (day, 2), (order, 3))):
        start = (0, 6, 10, 12, 14)[pos]
        for k in range(width):
            mat[:, start + k] = (num // 10 ** (width - 1 - k)) % 10 + 48
    digits = mat[:, :17].astype(np.int64) - 48
    mat[:, 17] = _CHECK_BYTES[(digits @ WEIGHTS) % 11]
    return fixed_bytes_to_strings(mat)


def fixed_bytes_to_strings(mat: np.ndarray) -> pa.StringArray:
    """An (n, w) uint8 matrix of ASCII bytes as an Arrow string array (no Python loop)."""
    mat = np.ascontiguousarray(mat, dtype=np.uint8)
    n, w = mat.shape
    fsb = pa.FixedSizeBinaryArray.from_buffers(pa.binary(w), n, [None, pa.py_buffer(mat)])
    return fsb.cast(pa.string())


# ----------------------------------------------------------------------------- engines


def polars_check_char(expr: Any) -> Any:
    """A polars expression: the check character computed from the first 17 characters.

    Null where the first 17 characters are not digits.

    >>> import polars as pl
    >>> pl.DataFrame({"id": ["11010519491231002X"]}).select(
    ...     polars_check_char(pl.col("id")).alias("c"))["c"].to_list()
    ['X']
    """
    import polars as pl

    total = None
    for i, w in enumerate(WEIGHTS.tolist()):
        term = expr.str.slice(i, 1).cast(pl.Int64, strict=False) * w
        total = term if total is None else total + term
    mapping = {i: c for i, c in enumerate(CHECK_CHARS)}
    return (total % 11).replace_strict(mapping, default=None, return_dtype=pl.String)


def sql_check_char(column: str) -> str:
    """SQL (DuckDB/PostgreSQL) for the check character of ``column``'s first 17 digits.

    >>> import duckdb
    >>> duckdb.sql("select " + sql_check_char("'11010519491231002X'") + " as c").fetchall()[0][0]
    'X'
    """
    terms = " + ".join(
        f"CAST(substr({column}, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(WEIGHTS))
    return f"substr('{CHECK_CHARS}', (({terms}) % 11) + 1, 1)"
