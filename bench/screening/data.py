"""Data for the screening benchmarks, generated once and cached (not timed).

* the province: the 10-million-person Guizhou snapshot the quality benchmark generates
  (``$DIXIAN_BENCH_QUALITY/p52``, default ``/tmp/dixian-bench-quality/p52``; made here with the
  same call if it is missing);
* ``synth12/``: a view of it (symlinks) whose summary says 2025-01..2025-12, so that
  :func:`dixian.engine.feeds.synthetic.derive_feeds` writes 12 months of departmental files;
* ``feeds12/``: those files (CSV, XLSX, Parquet, with the generator's noise);
* ``member_tokens.parquet``: the registry's lookup tokens (keyed HMAC of the normalised ID,
  as ``dixian.core.pii.token`` computes them) with member id and household code;
* ``matched/<department>.parquet``: every file validated, tokenised and matched
  (``dixian.engine.feeds.load.load_dir``), the screening's feed inputs;
* ``claims/medical_2025-12.csv``: 10 million medical-insurance claims as a bureau exports
  them (Chinese headers and labels), for the ingestion benchmark.
"""

from __future__ import annotations

import hmac
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUALITY_DATA = Path(os.environ.get("DIXIAN_BENCH_QUALITY", "/tmp/dixian-bench-quality")) / "p52"
WORK = Path(os.environ.get("DIXIAN_BENCH_SCREENING", "/tmp/dixian-bench-screening"))
PERIOD = "2025-12"
FEED_MONTHS = ("2025-01", 12)
SEED = 52
#: the lookup key of the benchmark's "registry" (any 32 bytes; pii.token's algorithm)
KEY = b"dixian-bench-screening-lookup-k!"


def tokenize(value: str) -> str:
    """``dixian.core.pii.token(pii.normalise_id(value))`` without Django settings."""
    v = value.strip().upper().replace(" ", "")
    return hmac.digest(KEY, v.encode("utf-8"), "sha256").hex()


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ensure_province(data: Path = QUALITY_DATA, households: int = 2_850_000, seed: int = 11
                    ) -> dict:
    summary = data / "summary.json"
    if summary.exists():
        return json.loads(summary.read_text())
    from dixian.engine.synth import generate

    log(f"generating the province into {data} (about 5-10 minutes) ...")
    s = generate("52", households=households, seed=seed, out_dir=data)
    return s.to_json()


def ensure_view(data: Path, work: Path) -> Path:
    view = work / "synth12"
    if (view / "summary.json").exists():
        return view
    view.mkdir(parents=True, exist_ok=True)
    for f in data.glob("*.parquet"):
        link = view / f.name
        if not link.exists():
            link.symlink_to(f)
    s = json.loads((data / "summary.json").read_text())
    start, months = FEED_MONTHS
    if s["end_month"] != PERIOD:
        raise SystemExit(f"the province ends in {s['end_month']}, the benchmark needs {PERIOD}")
    s.update(start_month=start, months=months)
    (view / "summary.json").write_text(json.dumps(s, ensure_ascii=False, indent=2))
    return view


def ensure_feeds(view: Path, work: Path) -> Path:
    out = work / "feeds12"
    if (out / "feeds_summary.json").exists():
        return out
    from dixian.engine.feeds.synthetic import derive_feeds

    t = time.perf_counter()
    log("deriving 12 months of departmental feeds (about 3 minutes, 13 GB) ...")
    derive_feeds(view, out, seed=SEED)
    log(f"  {time.perf_counter() - t:.0f} s")
    return out


def ensure_tokens(data: Path, work: Path) -> Path:
    out = work / "member_tokens.parquet"
    if out.exists():
        return out
    import pyarrow.parquet as pq

    from dixian.engine.feeds import add_tokens

    t = time.perf_counter()
    log("tokenising the registry's 10 million IDs ...")
    m = pq.read_table(data / "members.parquet", columns=["resident_id", "member_id",
                                                          "household_code"])
    m = add_tokens(m, tokenize).select(["id_token", "member_id", "household_code"])
    pq.write_table(m, out)
    log(f"  {time.perf_counter() - t:.0f} s")
    return out


def ensure_matched(feeds: Path, tokens: Path, work: Path) -> dict[str, Path]:
    from dixian.engine.feeds.schemas import FEEDS

    out = work / "matched"
    paths = {d: out / f"{d}.parquet" for d in FEEDS}
    if (out / "summary.json").exists():
        return paths
    import pyarrow.parquet as pq

    from dixian.engine.feeds.load import load_dir

    t = time.perf_counter()
    log("validating and matching the feeds ...")
    loaded = load_dir(feeds, tokenize=tokenize, members=pq.read_table(tokens))
    out.mkdir(parents=True, exist_ok=True)
    for d, table in loaded.tables.items():
        pq.write_table(table, paths[d])
    (out / "summary.json").write_text(json.dumps({
        "rows": {d: t.num_rows for d, t in loaded.tables.items()},
        "rejected_files": loaded.rejected_files,
        "match_rate": {d: m.match_rate for d, m in loaded.matches.items()}}, indent=2))
    log(f"  {time.perf_counter() - t:.0f} s")
    return paths


def ensure_claims(data: Path, work: Path, rows: int = 10_000_000, seed: int = SEED) -> Path:
    """10 million claims of December 2025 (5% late ones from October and November, 1% exact
    duplicates, 2% IDs the registry does not hold) as a Chinese-header CSV."""
    out = work / "claims" / f"medical_{PERIOD}.csv"
    if out.exists():
        return out
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from dixian.engine import identity
    from dixian.engine.feeds.schemas import FEEDS

    t = time.perf_counter()
    log(f"writing {rows:,} medical claims as CSV ...")
    rng = np.random.default_rng([seed, 4])
    tm = pq.read_table(data / "truth_members.parquet", columns=["resident_id"])
    names = pq.read_table(data / "members.parquet", columns=["name"])["name"]
    n_unique = rows - rows // 100
    pick = rng.integers(0, tm.num_rows, n_unique)
    rid = tm["resident_id"].take(pick).combine_chunks()
    name = pc.fill_null(names.take(pick % len(names)).combine_chunks(), "某某")
    fake = rng.random(n_unique) < 0.02
    fake_ids = identity.make_ids(np.full(int(fake.sum()), "522326"),
                                 np.datetime64("1960-01-01") + rng.integers(0, 20000,
                                                                             int(fake.sum())),
                                 rng.integers(400, 499, int(fake.sum())),
                                 rng.choice(["M", "F"], int(fake.sum())))
    rid_np = rid.to_numpy(zero_copy_only=False).astype(object)
    rid_np[fake] = np.asarray(fake_ids.to_pylist(), dtype=object)
    col = FEEDS["medical"].column("visit_type")
    kind = rng.choice(list(col.values), n_unique, p=[0.06, 0.86, 0.08])
    label = np.vectorize(col.values.get, otypes=[object])(kind)
    inpatient = kind == "inpatient"
    total = np.where(inpatient, rng.lognormal(9.0, 0.9, n_unique),
                     rng.lognormal(5.3, 0.8, n_unique)).round().astype(np.int64)
    total = np.clip(total, 10, 4_000_000)
    oop = (total * rng.uniform(0.05, 0.35, n_unique)).round().astype(np.int64)
    basic = ((total - oop) * 0.8).round().astype(np.int64)
    critical = np.where(inpatient, ((total - oop) * 0.12).round(), 0).astype(np.int64)
    assist = total - oop - basic - critical
    late = rng.random(n_unique) < 0.05
    month_start = np.where(late, np.where(rng.random(n_unique) < 0.5,
                                          np.datetime64("2025-10-01"),
                                          np.datetime64("2025-11-01")),
                           np.datetime64("2025-12-01"))
    settle = month_start + rng.integers(0, 28, n_unique).astype("timedelta64[D]")
    admit = settle - np.where(inpatient, rng.integers(1, 15, n_unique), 0).astype(
        "timedelta64[D]")
    hospital = np.where(inpatient, "县人民医院", "乡镇卫生院")
    diag = rng.choice(np.array(["高血压", "2型糖尿病", "上呼吸道感染", "肺炎", "骨折", "脑梗死",
                                None], dtype=object), n_unique)
    frame = pa.table({
        "结算编号": pa.array([f"YB52{i:010d}" for i in range(n_unique)]),
        "身份证号码": pa.array(rid_np, pa.string()),
        "姓名": name,
        "就诊类型": pa.array(label, pa.string()),
        "入院日期": pc.strftime(pa.array(admit.astype("datetime64[D]")), "%Y-%m-%d"),
        "结算日期": pc.strftime(pa.array(settle.astype("datetime64[D]")), "%Y-%m-%d"),
        "定点医疗机构": pa.array(hospital, pa.string()),
        "主要诊断": pa.array(diag, pa.string()),
        "医疗总费用": pa.array(total, pa.int64()),
        "基本医保统筹支付": pa.array(basic, pa.int64()),
        "大病保险支付": pa.array(critical, pa.int64()),
        "医疗救助支付": pa.array(assist, pa.int64()),
        "合规自付": pa.array(oop, pa.int64()),
    })
    # 1% exact duplicates, each placed right after its original
    dup = np.sort(rng.choice(n_unique, rows - n_unique, replace=False))
    order = np.sort(np.concatenate([np.arange(n_unique), dup]), kind="stable")
    frame = frame.take(pa.array(order))
    out.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(frame, out, pacsv.WriteOptions(quoting_style="needed"))
    log(f"  {time.perf_counter() - t:.0f} s, {out.stat().st_size / 1e9:.2f} GB")
    return out


def prepare(with_claims: bool = True) -> dict:
    """Everything, generated if missing; returns the paths."""
    data = QUALITY_DATA
    ensure_province(data)
    WORK.mkdir(parents=True, exist_ok=True)
    view = ensure_view(data, WORK)
    feeds = ensure_feeds(view, WORK)
    tokens = ensure_tokens(data, WORK)
    matched = ensure_matched(feeds, tokens, WORK)
    out = {"data": data, "work": WORK, "feeds": feeds, "tokens": tokens, "matched": matched,
           "snapshot": {n: data / f"{n}.parquet" for n in ("households", "members",
                                                             "incomes")}}
    if with_claims:
        out["claims"] = ensure_claims(data, WORK)
    return out


if __name__ == "__main__":
    p = prepare()
    print(json.dumps({k: str(v) for k, v in p.items()}, indent=2))
