"""Feed ingestion: one medical-insurance file validated, tokenised, matched and converted to
Parquet, the engine's part of ``dixian.exchange.actions.do_upload_feed`` (which calls
``feeds.validate``, ``feeds.add_tokens``, ``feeds.match``, drops the ID column and writes the
table with ``pyarrow.parquet.write_table``; the Django part - checksum, storing the original
and the Parquet file, the batch row and the audit entry - is not timed here).

The naive baseline is what a first version would do: the ``csv`` module, one row at a time,
each cell checked and converted in Python (the same rules: required cells, numbers with
thousands separators, dates in the usual spellings, codes or their Chinese labels, ranges,
ID numbers with their check digit, dates against the period, duplicate claims), the token
from a cache, the member from a dict, then the same Parquet output.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dixian.engine import feeds
from dixian.engine.feeds.schemas import feed_schema


def engine(csv_path: Path, members: pa.Table, tokenize) -> dict:
    """The engine path on the whole file; seconds per step."""
    steps = {}
    t0 = t = time.perf_counter()

    def step(name):
        nonlocal t
        now = time.perf_counter()
        steps[name] = round(now - t, 2)
        t = now

    data = csv_path.read_bytes()
    step("read file")
    table, report = feeds.validate(data, csv_path.name, "medical")
    del data
    step("validate")
    if table is None:
        raise RuntimeError(f"the file was rejected: {report.errors[:3]}")
    table = feeds.add_tokens(table, tokenize)
    step("tokens")
    matched, match_report = feeds.match(table, members, department="medical")
    del table
    step("match")
    out = io.BytesIO()
    pq.write_table(matched.drop_columns(["resident_id"]), out)
    step("parquet")
    by_rule: dict[str, int] = {}
    for p in report.problems:
        by_rule[p.rule] = by_rule.get(p.rule, 0) + 1
    return {"seconds": round(time.perf_counter() - t0, 2), "steps": steps,
            "rows_in": report.rows, "rows_out": matched.num_rows,
            "matched": match_report.matched, "problems": by_rule,
            "parquet_bytes": out.getbuffer().nbytes}


# ------------------------------------------------------------------------------ naive
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK = "10X98765432"
_INT = re.compile(r"^[+-]?[0-9]+(\.0*)?$")
_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _id_ok(v: str, today: _dt.date) -> bool:
    if v.startswith("999999") or len(v) not in (18, 20, 22) or not v[:17].isdigit():
        return False
    if not v[:17].isascii():
        return False
    try:
        born = _dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return False
    if born < _dt.date(1800, 1, 1) or born > today:
        return False
    return _CHECK[sum(int(c) * w for c, w in zip(v[:17], _WEIGHTS, strict=True)) % 11] == v[17]


def _date(v: str) -> _dt.date | None:
    s = re.sub(r"[年月/.]", "-", v)
    s = re.sub(r"[日 ].*$|T.*$", "", s)
    s = re.sub(r"^([0-9]{4})([0-9]{2})([0-9]{2})$", r"\1-\2-\3", s)
    s = re.sub(r"^([0-9]{4})-([0-9])-", r"\1-0\2-", s)
    s = re.sub(r"-([0-9])$", r"-0\1", s)
    if not _ISO.match(s):
        return None
    try:
        return _dt.date.fromisoformat(s)
    except ValueError:
        return None


def naive(csv_path: Path, members: pa.Table, tokenize, rows: int, period: str = "2025-12"
          ) -> dict:
    """Row by row on the first ``rows`` records. Returns the fixed cost (reading the
    registry's tokens into a dict) and the per-row cost separately."""
    t0 = time.perf_counter()
    who: dict[str, tuple[str, str] | None] = {}
    for tok, mid, hh in zip(members["id_token"].to_pylist(), members["member_id"].to_pylist(),
                            members["household_code"].to_pylist(), strict=True):
        if tok is None:
            continue
        who[tok] = None if tok in who else (mid, hh)   # None: ambiguous
    fixed = time.perf_counter() - t0

    spec = feed_schema("medical")
    y, m = map(int, period.split("-"))
    start, end = _dt.date(y, m, 1), _dt.date(y + (m == 12), m % 12 + 1, 1)
    today = _dt.date.today()
    t1 = time.perf_counter()
    problems: dict[str, int] = {}
    out = {c.name: [] for c in spec.columns}
    out.update(id_token=[], member_id=[], household_code=[], match_status=[])
    seen: dict[str, tuple] = {}
    cache: dict[str, str] = {}
    n = 0
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        cols = []
        for h in header:
            cols.append(next((c for c in spec.columns if c.resolve_header(h)), None))
        for row in reader:
            if n >= rows:
                break
            n += 1
            rec = {}
            for c, cell in zip(cols, row, strict=False):
                if c is None:
                    continue
                v = cell.strip() or None
                if v is None:
                    if c.required:
                        problems["required"] = problems.get("required", 0) + 1
                    rec[c.name] = None
                    continue
                if pa.types.is_integer(c.type):
                    s = v.replace(",", "").replace("，", "")
                    if not _INT.match(s):
                        problems["type_int"] = problems.get("type_int", 0) + 1
                        rec[c.name] = None
                        continue
                    x = int(float(s))
                    if c.range and not (c.range[0] <= x <= c.range[1]):
                        problems["range"] = problems.get("range", 0) + 1
                        x = None
                    rec[c.name] = x
                elif pa.types.is_date(c.type):
                    d = _date(v)
                    if d is None:
                        problems["type_date"] = problems.get("type_date", 0) + 1
                    rec[c.name] = d
                elif c.values:
                    if v in c.values:
                        rec[c.name] = v
                    else:
                        code = next((k for k, lab in c.values.items() if lab == v), None)
                        if code is None:
                            problems["code"] = problems.get("code", 0) + 1
                        rec[c.name] = code
                else:
                    rec[c.name] = v
            rid = rec.get("resident_id")
            if rid is not None and not _id_ok(rid, today):
                problems["id_format"] = problems.get("id_format", 0) + 1
            d = rec.get("settle_date")
            if d is not None and d >= end:
                problems["future"] = problems.get("future", 0) + 1
            elif d is not None and d < start:
                problems["late"] = problems.get("late", 0) + 1
            content = tuple(rec.get(c.name) for c in spec.columns)
            prev = seen.get(rec["claim_id"])
            if prev is not None:
                rule = "duplicate_record" if prev == content else "duplicate_key"
                problems[rule] = problems.get(rule, 0) + 1
                if rule == "duplicate_record":
                    continue
            seen[rec["claim_id"]] = content
            for c in spec.columns:
                out[c.name].append(rec.get(c.name))
            if rid is None:
                tok, hit = None, None
            else:
                tok = cache.get(rid)
                if tok is None:
                    tok = cache[rid] = tokenize(rid)
                hit = who.get(tok, False)
            out["id_token"].append(tok)
            out["member_id"].append(hit[0] if hit else None)
            out["household_code"].append(hit[1] if hit else None)
            out["match_status"].append("no_id" if tok is None else "unmatched" if hit is False
                                       else "ambiguous" if hit is None else "matched")
    table = pa.table({k: pa.array(v, pa.date32() if k in ("settle_date", "admission_date")
                                   else None) for k, v in out.items()})
    buf = io.BytesIO()
    pq.write_table(table.drop_columns(["resident_id"]), buf)
    per_rows = time.perf_counter() - t1
    return {"fixed_seconds": round(fixed, 2), "rows": n, "seconds": round(per_rows, 2),
            "rows_out": table.num_rows,
            "matched": sum(1 for s in out["match_status"] if s == "matched"),
            "problems": problems}
