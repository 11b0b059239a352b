"""Validate a departmental file (CSV, XLSX or Parquet) against its declared schema.

:func:`validate` returns ``(table, report)``. The report lists every problem with the file
name, the row (the header is row 1, the first record row 2, as a spreadsheet shows it), the
column, the value, the rule and a message in Chinese and English. Problems are ``error``
(the file yields no table: nothing is half-applied) or ``warning`` (the table is returned and
the warning kept with it): an exact duplicate record is a warning and is kept once; a late
record (dated before the period the file covers) is a warning and is kept.

Matching to the registry goes through a lookup token: :func:`add_tokens` adds ``id_token``
with a tokenizer the caller passes in (the registry computes keyed HMAC tokens; the engine
never sees the key), and :func:`match` joins a feed to members carrying the same token and
reports every unmatched record without dropping it.

>>> csv = "结算编号,身份证号码,就诊类型,结算日期,医疗总费用,合规自付\\n" \\
...       "C1,11010519491231002X,住院,2025-03-04,\\"23,400\\",5000\\n"
>>> t, r = validate(csv.encode(), "medical_2025-03.csv", "medical")
>>> r.ok, t.column("total_cost").to_pylist(), t.column("visit_type").to_pylist()
(True, [23400], ['inpatient'])
>>> t, r = validate(csv.replace("2025-03-04", "2025-13-04").encode(), "medical_2025-03.csv",
...                 "medical")
>>> t is None, [(p.row, p.column, p.value, p.rule) for p in r.problems]
(True, [(2, '结算日期', '2025-13-04', 'type_date')])
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .. import filecheck, identity
from .schemas import Column, FeedSchema, arrow_schema, feed_schema

__all__ = ["Problem", "Report", "MatchReport", "validate", "read_raw", "add_tokens", "match",
           "period_of", "RULES"]

#: rule -> (severity, Chinese, English)
RULES: dict[str, tuple[str, str, str]] = {
    "unreadable": ("error", "文件无法读取", "the file cannot be read"),
    "encoding": ("error", "文件编码无法识别（应为 UTF-8、GBK 或 GB18030）",
                 "not text in UTF-8, GBK or GB18030"),
    "control_character": ("error", "文件含有空字符（二进制文件？）",
                          "the file contains a NUL character (a binary file?)"),
    "not_xlsx": ("error", "不是有效的 Excel 工作簿（.xlsx）", "not an Excel workbook (.xlsx)"),
    "archive_too_large": ("error", "工作簿解压后过大（疑似压缩炸弹）",
                          "the workbook would unpack too large (a zip bomb?)"),
    "too_many_columns": ("error", "列数过多", "too many columns"),
    "too_many_rows": ("error", "行数过多，请拆分文件", "too many rows: split the file"),
    "ragged_row": ("error", "该行字段数与表头不符", "the row has another number of fields "
                   "than the header"),
    "cell_too_large": ("error", "单元格内容过长", "a cell is too long"),
    "csv_syntax": ("error", "CSV 格式错误（如引号未闭合）",
                   "CSV syntax error (an unclosed quote?)"),
    "too_large": ("error", "数值超出可存储范围", "the number is too large to store"),
    "no_header": ("error", "文件为空（没有表头）", "the file is empty (no header row)"),
    "format": ("error", "不支持的文件格式", "unsupported file format"),
    "period": ("error", "无法确定数据期（文件名应含 YYYY-MM）",
               "no period: the file name must contain YYYY-MM"),
    "missing_column": ("error", "缺少必需列", "a required column is missing"),
    "duplicate_column": ("error", "列名重复", "two columns map to the same field"),
    "unknown_column": ("warning", "未识别的列（已忽略）", "unrecognised column (ignored)"),
    "required": ("error", "必填项为空", "required value is empty"),
    "type_int": ("error", "不是整数", "not a whole number"),
    "type_float": ("error", "不是数值", "not a number"),
    "type_date": ("error", "不是有效日期", "not a valid date"),
    "type_bool": ("error", "不是 是/否", "not yes/no"),
    "code": ("error", "不在代码表中", "not one of the allowed codes"),
    "range": ("error", "超出合理范围", "outside the plausible range"),
    "id_format": ("error", "身份证号码格式或校验位错误", "ID number malformed or bad check digit"),
    "village_code": ("error", "村代码应为12位数字", "village code must be 12 digits"),
    "duplicate_key": ("error", "同一编号的记录内容不一致", "same key, different contents"),
    "duplicate_record": ("warning", "重复记录（保留一条）", "duplicate record (kept once)"),
    "future": ("error", "日期晚于数据期", "dated after the period the file covers"),
    "late": ("warning", "迟报记录（早于数据期）", "late record (dated before the period)"),
    "empty": ("warning", "文件没有记录", "the file has no records"),
}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str

    @property
    def severity(self) -> str:
        return RULES[self.rule][0]

    @property
    def message_zh(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        col = f"「{self.column}」" if self.column else ""
        val = f"值“{self.value}”" if self.value is not None else ""
        return f"{self.file} {where}{col}{val}：{RULES[self.rule][1]}"

    @property
    def message_en(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        col = f" column {self.column}" if self.column else ""
        val = f" value {self.value!r}" if self.value is not None else ""
        return f"{self.file} {where}{col}{val}: {RULES[self.rule][2]}"


@dataclass
class Report:
    file: str
    department: str
    period: str | None
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_arrow(self) -> pa.Table:
        return pa.table({
            "file": [p.file for p in self.problems],
            "row": pa.array([p.row for p in self.problems], pa.int32()),
            "column": [p.column for p in self.problems],
            "value": [p.value for p in self.problems],
            "rule": [p.rule for p in self.problems],
            "severity": [p.severity for p in self.problems],
            "message_zh": [p.message_zh for p in self.problems],
            "message_en": [p.message_en for p in self.problems],
        })


_PERIOD = re.compile(r"(20\d\d)[-_]?(0[1-9]|1[0-2])(?!\d)")


def period_of(file_name: str) -> str | None:
    """The ``'YYYY-MM'`` a file covers, from its name.

    >>> period_of("civil_affairs_2025-03.xlsx"), period_of("医保202412.csv"), period_of("x.csv")
    ('2025-03', '2024-12', None)
    """
    m = _PERIOD.search(Path(file_name).name)
    return f"{m.group(1)}-{m.group(2)}" if m else None


# ------------------------------------------------------------------------------ reading
def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time() else v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_raw(data: bytes, file_name: str) -> pa.Table:
    """The file as a table of strings with its own headers (raises ``ValueError``)."""
    ext = Path(file_name).suffix.lower().lstrip(".")
    if ext in ("csv", "txt"):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            data.decode("utf-8")  # valid UTF-8 is parsed as it is (decoding round-trips)
            if b"\x00" in data:
                raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL")
        except UnicodeDecodeError:
            data = filecheck.decode_text(data).encode("utf-8")  # Chinese Excel exports GBK
        text = data.decode("utf-8")
        filecheck.csv_header(text)
        try:
            return _read_csv(data)
        except pa.ArrowInvalid:
            filecheck.scan_csv(text, short_rows=False)  # names the row, or:
            raise

    if ext == "xlsx":
        import openpyxl

        filecheck.check_xlsx(data)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = filecheck.xlsx_rows(ws)
        header = [_cell_text(h) or f"column{i + 1}" for i, h in enumerate(next(rows, ()))]
        cols: list[list] = [[] for _ in header]
        for r in rows:
            if r is None or all(v is None or v == "" for v in r):
                continue
            for i in range(len(header)):
                cols[i].append(_cell_text(r[i]) if i < len(r) else None)
        wb.close()
        return pa.table({h: pa.array(c, pa.string()) for h, c in zip(header, cols, strict=True)})
    if ext == "parquet":
        t = pq.read_table(io.BytesIO(data))
        return pa.table({n: (pc.strftime(c, "%Y-%m-%d") if pa.types.is_date(c.type)
                             else c.cast(pa.string())) for n, c in zip(t.column_names, t.columns,
                                                                          strict=True)})
    raise ValueError(f"unsupported format {ext!r}")


def _read_csv(data: bytes) -> pa.Table:
    """A UTF-8 CSV as a table of strings (raises ``pyarrow.ArrowInvalid``)."""
    read = pacsv.ReadOptions(autogenerate_column_names=False)
    lenient = pacsv.ParseOptions(newlines_in_values=True)
    convert = dict(column_types={}, strings_can_be_null=False, auto_dict_encode=False,
                   include_missing_columns=False)
    names = pacsv.open_csv(io.BytesIO(data), read_options=read, parse_options=lenient,
                           convert_options=pacsv.ConvertOptions(**convert)).schema.names
    # the whole file must also parse with newlines inside quoted values allowed (what
    # the column names were read with); converting one column is enough to know
    pacsv.read_csv(io.BytesIO(data), read_options=read, parse_options=lenient,
                   convert_options=pacsv.ConvertOptions(**convert,
                                                        include_columns=names[:1]))
    # every column as strings (pyarrow infers types otherwise)
    return pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False))


# ------------------------------------------------------------------------------ conversion
_INT = r"^[+-]?[0-9]+(\.0*)?$"
_FLOAT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$"
_TRUE = {"是", "true", "1", "y", "yes", "t", "√"}
_FALSE = {"否", "false", "0", "n", "no", "f", "×"}


def _clean(col: pa.Array) -> pa.Array:
    s = pc.utf8_trim_whitespace(col)
    return pc.if_else(pc.equal(s, ""), pa.nulls(len(s), pa.string()), s)


def _bad(raw: pa.Array, out: pa.Array) -> np.ndarray:
    mask = pc.and_(pc.is_valid(raw), pc.is_null(out))
    return np.flatnonzero(mask.to_numpy(zero_copy_only=False))


_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _normalise_dates(s: pa.Array) -> pa.Array:
    """2025年3月4日, 2025/3/4, 2025.03.04, 20250304, 2025-03-04 10:00 ... -> 2025-03-04."""
    s = pc.replace_substring_regex(s, r"[年月/.]", "-")
    s = pc.replace_substring_regex(s, r"[日 ].*$|T.*$", "")
    s = pc.replace_substring_regex(s, r"^([0-9]{4})([0-9]{2})([0-9]{2})$", r"\1-\2-\3")
    s = pc.replace_substring_regex(s, r"^([0-9]{4})-([0-9])-", r"\1-0\2-")
    return pc.replace_substring_regex(s, r"-([0-9])$", r"-0\1")


def _same_date(out: pa.Array, s: pa.Array) -> pa.Array:
    """``strftime(out, "%Y-%m-%d") == s``; Arrow's strftime is slow, and for the years
    1000-9999 the date's own text (its cast to string) is the same."""
    same = pc.equal(pc.cast(out, pa.string()), s)
    year = pc.year(out)
    odd = pc.fill_null(pc.or_(pc.less(year, 1000), pc.greater(year, 9999)), False)
    if pc.any(odd).as_py():
        same = pc.replace_with_mask(same, odd, pc.equal(
            pc.strftime(out.filter(odd), format="%Y-%m-%d"), s.filter(odd)))
    return same


def _convert(c: Column, raw: pa.Array) -> tuple[pa.Array, list[tuple[int, str]]]:
    """(converted column, [(row index, rule)]) for one column of strings."""
    t = c.type
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        s = pc.replace_substring_regex(raw, "[,，]", "")
        ok = pc.match_substring_regex(s, _INT if pa.types.is_integer(t) else _FLOAT)
        s = pc.if_else(ok, s, pa.nulls(len(s), pa.string()))
        as_float = pc.cast(s, pa.float64())
        # a number the declared type cannot hold (a 20-digit "amount", 1e400) is refused
        # by name rather than by an overflow deep in Arrow
        big = float(np.finfo(np.float64).max)
        lo, hi = ((-(2 ** (t.bit_width - 1)), 2 ** (t.bit_width - 1) - 1)
                  if pa.types.is_integer(t) else (-big, big))
        huge = pc.fill_null(pc.or_(pc.less(as_float, lo), pc.greater(as_float, hi)), False)
        too_large = np.flatnonzero(huge.to_numpy(zero_copy_only=False))
        as_float = pc.if_else(huge, pa.nulls(len(s), pa.float64()), as_float)
        if pa.types.is_integer(t):
            out = pc.cast(as_float, pa.int64())
            rule = "type_int"
        else:
            out = as_float
            rule = "type_float"
        flagged = set(too_large.tolist())
        bad = [(i, "too_large") for i in too_large] + [
            (i, rule) for i in _bad(raw, out) if i not in flagged]
        if c.range is not None:
            lo, hi = c.range
            outside = pc.or_(pc.less(out, lo), pc.greater(out, hi))
            idx = np.flatnonzero(pc.fill_null(outside, False).to_numpy(zero_copy_only=False))
            bad += [(i, "range") for i in idx]
            out = pc.if_else(pc.fill_null(outside, False), pa.nulls(len(out), out.type), out)
        return pc.cast(out, t), bad
    if pa.types.is_date(t):
        iso = pc.match_substring_regex(raw, _ISO_DATE)
        other = pc.invert(pc.fill_null(iso, True))
        s = raw
        if pc.any(other).as_py():
            # the rewrites leave an ISO date as it is, so only the other cells need them
            s = pc.replace_with_mask(raw, other, _normalise_dates(raw.filter(other)))
            iso = pc.match_substring_regex(s, _ISO_DATE)
        s = pc.if_else(iso, s, pa.nulls(len(s), pa.string()))
        ts = pc.strptime(s, format="%Y-%m-%d", unit="s", error_is_null=True)
        out = pc.cast(ts, pa.date32())
        # strict: 2025-02-30 must not roll over to 2025-03-02
        same = _same_date(out, s)
        out = pc.if_else(pc.fill_null(same, False), out, pa.nulls(len(out), pa.date32()))
        return out, [(i, "type_date") for i in _bad(raw, out)]
    if pa.types.is_boolean(t):
        low = pc.utf8_lower(raw)
        out = pc.if_else(pc.is_in(low, pa.array(sorted(_TRUE))), True,
                         pc.if_else(pc.is_in(low, pa.array(sorted(_FALSE))), False,
                                    pa.nulls(len(raw), pa.bool_())))
        return out, [(i, "type_bool") for i in _bad(raw, out)]
    # strings
    if c.values:
        codes = list(c.values)
        labels = list(c.values.values())
        as_code = pc.if_else(pc.is_in(raw, pa.array(codes)), raw,
                             pc.take(pa.array(codes + [None]),
                                     pc.fill_null(pc.index_in(raw, pa.array(labels)),
                                                  len(codes))))
        return as_code, [(i, "code") for i in _bad(raw, as_code)]
    return raw, []


# ------------------------------------------------------------------------------ validate
def validate(data: bytes, file_name: str, department: str, *, period: str | None = None
             ) -> tuple[pa.Table | None, Report]:
    """Validate one file; ``(None, report)`` if it has any error."""
    name = Path(file_name).name
    period = period or period_of(name)
    report = Report(file=name, department=department, period=period)
    spec = feed_schema(department)
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in ("csv", "txt", "xlsx", "parquet"):
        report.problems.append(Problem(name, None, None, ext, "format"))
        return None, report
    if period is not None and not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", period):
        report.problems.append(Problem(name, None, None, period, "period"))
        report.period = period = None
    elif period is None:
        report.problems.append(Problem(name, None, None, None, "period"))
    try:
        raw = read_raw(data, name)
    except filecheck.FileProblem as p:
        rule = "no_header" if p.rule == "empty" else p.rule
        report.problems.append(Problem(name, p.row or None, p.column or None, p.value or None,
                                       rule))
        return None, report
    except Exception as exc:  # noqa: BLE001 - any parser error is a bad file
        report.problems.append(Problem(name, None, None, type(exc).__name__, "unreadable"))
        return None, report
    report.rows = raw.num_rows
    # headers
    mapping: dict[str, str] = {}
    for h in raw.column_names:
        target = next((c.name for c in spec.columns if c.resolve_header(h)), None)
        if target is None:
            report.problems.append(Problem(name, 1, h, None, "unknown_column"))
        elif target in mapping.values():
            report.problems.append(Problem(name, 1, h, target, "duplicate_column"))
        else:
            mapping[h] = target
    by_target = {v: k for k, v in mapping.items()}
    for c in spec.columns:
        if c.required and c.name not in by_target:
            report.problems.append(Problem(name, None, c.name, None, "missing_column"))
    if report.errors:
        return None, report
    n = raw.num_rows
    if n == 0:
        report.problems.append(Problem(name, None, None, None, "empty"))
    cols: dict[str, pa.Array] = {}
    for c in spec.columns:
        header = by_target.get(c.name)
        text = (_clean(raw[header].combine_chunks()) if header is not None
                else pa.nulls(n, pa.string()))
        out, bad = _convert(c, text)
        values = _values(text, [i for i, _ in bad])
        for (i, rule), v in zip(bad, values, strict=True):
            report.problems.append(Problem(name, int(i) + 2, header or c.name, v, rule))
        if c.required and header is not None:
            for i in np.flatnonzero(pc.is_null(text).to_numpy(zero_copy_only=False)):
                report.problems.append(Problem(name, int(i) + 2, header, None, "required"))
        if c.name == "resident_id" and header is not None:
            st = identity.id_status(text)
            st = np.asarray(st)
            idx = np.flatnonzero((st != "ok") & (st != "missing"))
            for i, v in zip(idx, _values(text, idx), strict=True):
                report.problems.append(Problem(name, int(i) + 2, header, v, "id_format"))
        if c.name == "village_code" and header is not None:
            okv = pc.match_substring_regex(text, r"^[0-9]{12}$")
            idx = np.flatnonzero(pc.invert(pc.fill_null(okv, True)).to_numpy(
                zero_copy_only=False))
            for i, v in zip(idx, _values(text, idx), strict=True):
                report.problems.append(Problem(name, int(i) + 2, header, v, "village_code"))
        cols[c.name] = out
    cols["batch_month"] = pa.repeat(pa.scalar(period, pa.string()), n)
    cols["source_row"] = pa.array(np.arange(2, n + 2, dtype=np.int32))
    table = pa.table(cols, schema=arrow_schema(department))
    # dates against the period
    if period is not None and n:
        y, m = map(int, period.split("-"))
        start = _dt.date(y, m, 1)
        end = _dt.date(y + (m == 12), m % 12 + 1, 1)
        d = table[spec.date_column]
        header = by_target.get(spec.date_column, spec.date_column)
        fut = pc.fill_null(pc.greater_equal(d, pa.scalar(end, pa.date32())), False)
        late = pc.fill_null(pc.less(d, pa.scalar(start, pa.date32())), False)
        for rule, flags in (("future", fut), ("late", late)):
            idx = np.flatnonzero(flags.to_numpy(zero_copy_only=False))
            for i, v in zip(idx, _values(d, idx), strict=True):
                report.problems.append(Problem(name, int(i) + 2, header, str(v), rule))
    # duplicates
    table, dup_problems = _dedupe(table, spec, name, by_target)
    report.problems.extend(dup_problems)
    report.problems.sort(key=lambda p: (p.row or 0, p.column or "", p.rule))
    if report.errors:
        return None, report
    return table, report


def _values(a: pa.Array | pa.ChunkedArray, idx) -> list:
    """The Python values of ``a`` at the positions ``idx`` (one take, not one scalar each)."""
    if len(idx) == 0:
        return []
    return a.take(pa.array(np.asarray(idx, dtype=np.int64))).to_pylist()


def _dedupe(table: pa.Table, spec: FeedSchema, name: str, by_target: dict[str, str]
            ) -> tuple[pa.Table, list[Problem]]:
    """Exact duplicates are kept once (warning); same key, other contents is an error."""
    if table.num_rows == 0:
        return table, []

    def text(t: pa.Table, c: str) -> pa.Array:
        return pc.fill_null(pc.cast(t[c], pa.string()), "\x00")

    keys = pc.binary_join_element_wise(*[text(table, k) for k in spec.key], "/")
    counts = pa.table({"k": keys}).group_by("k").aggregate([("k", "count")])
    multi = counts.filter(pc.greater(counts["k_count"], 1))
    if multi.num_rows == 0:
        return table, []
    # the contents are compared only among the records whose key is repeated
    in_multi = pc.is_in(keys, multi["k"])
    sub = table.filter(in_multi)
    sub_keys = keys.filter(in_multi)
    content = pc.binary_join_element_wise(*[text(sub, c) for c in spec.names], "\x1f")
    distinct = pa.table({"k": sub_keys, "c": content}).group_by("k").aggregate(
        [("c", "count_distinct")])
    varying = set(distinct.filter(pc.greater(distinct["c_count_distinct"], 1))["k"]
                  .to_pylist())
    problems, drop, seen = [], [], set()
    kh = by_target.get(spec.key[0], spec.key[0])
    for k, c, row in zip(sub_keys.to_pylist(), content.to_pylist(),
                         sub["source_row"].to_pylist(), strict=True):
        if k in varying:
            problems.append(Problem(name, int(row), kh, k, "duplicate_key"))
        elif (k, c) in seen:
            problems.append(Problem(name, int(row), kh, k, "duplicate_record"))
            drop.append(int(row))
        seen.add((k, c))
    if drop:
        table = table.filter(pc.invert(pc.is_in(table["source_row"], pa.array(drop, pa.int32()))))
    return table, problems


# ------------------------------------------------------------------------------ matching
def add_tokens(table: pa.Table, tokenize: Callable[[str], str], *, column: str = "resident_id",
               out: str = "id_token") -> pa.Table:
    """``table`` with a lookup-token column computed by ``tokenize`` from ``column``.

    The tokenizer belongs to the registry (a keyed HMAC); nulls stay null.

    >>> add_tokens(pa.table({"resident_id": ["A", None]}), str.lower)["id_token"].to_pylist()
    ['a', None]
    """
    values = table[column]
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    # once per distinct value, in order of first appearance
    distinct = pc.unique(values).drop_null()
    tokens = pa.array([tokenize(v) for v in distinct.to_pylist()], pa.string())
    arr = pc.take(tokens, pc.index_in(values, distinct))
    if out in table.column_names:
        return table.set_column(table.column_names.index(out), out, arr)
    return table.append_column(out, arr)


def _round_trips(t: pa.DataType) -> bool:
    """Types DuckDB returns as they came in (a feed's declared types are all of them)."""
    return (pa.types.is_string(t) or pa.types.is_boolean(t) or pa.types.is_date32(t)
            or pa.types.is_float32(t) or pa.types.is_float64(t)
            or (pa.types.is_integer(t) and pa.types.is_signed_integer(t)))


@dataclass
class MatchReport:
    department: str
    records: int
    matched: int
    unmatched: pa.Table      # the records that matched no member (kept in the table too)

    @property
    def match_rate(self) -> float:
        return self.matched / self.records if self.records else 1.0


def match(feed: pa.Table, members: pa.Table, *, department: str | None = None,
          token: str = "id_token") -> tuple[pa.Table, MatchReport]:
    """Join a feed to registry members by lookup token; never drops a record.

    Adds ``member_id``, ``household_code`` and ``match_status``: ``matched``, ``unmatched``
    (no member has the token), ``ambiguous`` (several members do; none is chosen),
    ``no_id`` (the record carries no ID) or ``village`` (a village-level record without ID).
    """
    import duckdb

    department = department or (feed.schema.metadata or {}).get(b"department", b"").decode()
    con = duckdb.connect()
    vill = "village_code" in feed.column_names
    # only the token (and the village code) go through the join when the feed's own columns
    # would come back from DuckDB unchanged; the three new columns are then appended
    narrow = (not {"member_id", "household_code", "match_status", "_ord"}
              & set(feed.column_names)
              and len(set(feed.column_names)) == feed.num_columns
              and all(_round_trips(f.type) for f in feed.schema))
    keep = [token] + (["village_code"] if vill else [])
    f = feed.select(keep) if narrow else feed
    con.register("f", f.append_column("_ord", pa.array(np.arange(feed.num_rows))))
    con.register("m", members.select([token, "member_id", "household_code"]))
    out = con.sql(f"""
        with mm as (select {token}, min(member_id) member_id, min(household_code) household_code,
                           count(*) n from m where {token} is not null group by {token})
        select f.* exclude (_ord),
               case when mm.n = 1 then mm.member_id end as member_id,
               case when mm.n = 1 then mm.household_code end as household_code,
               case when f.{token} is null then
                         {"case when f.village_code is not null then 'village' else 'no_id' end"
                          if vill else "'no_id'"}
                    when mm.n is null then 'unmatched'
                    when mm.n > 1 then 'ambiguous' else 'matched' end as match_status
        from f left join mm on f.{token} = mm.{token} order by f._ord""").to_arrow_table()
    con.close()
    if narrow:
        new = ["member_id", "household_code", "match_status"]
        out = pa.Table.from_arrays([*(feed[c] for c in feed.column_names), *(out[c] for c in new)],
                                   names=[*feed.column_names, *new])
    bad = out.filter(pc.is_in(out["match_status"], pa.array(["unmatched", "ambiguous",
                                                              "no_id"])))
    keep = [c for c in ("batch_month", "source_row", "record_id", "claim_id", "cert_no",
                        "match_status") if c in bad.column_names]
    rep = MatchReport(department, out.num_rows,
                      int(pc.sum(pc.equal(out["match_status"], "matched")).as_py() or 0),
                      bad.select(keep))
    return out, rep

