"""Data of the indicator benchmark, generated once and cached (not timed).

* the province: the 10-million-person Guizhou snapshot of the quality benchmark
  (``$DIXIAN_BENCH_QUALITY/p52``, default ``/tmp/dixian-bench-quality/p52``), generated here
  with the same call when it is missing (about 5 minutes);
* ``<province>-ledger/``: the ledger Dixian would have kept since it took over 24 months ago
  (``dixian.engine.indicators.synthetic.synthetic_ledger``: spells, cases, clues, measures,
  quality issues, visits), as Parquet;
* ``<province>-isample/``: whole counties up to about a million persons, registry and ledger,
  for the pandas baseline.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PROVINCE = Path(os.environ.get("DIXIAN_BENCH_QUALITY", "/tmp/dixian-bench-quality")) / "p52"
LEDGER_TABLES = ("spells", "cases", "clues", "measures", "quality_issues", "visits")
REGISTRY_TABLES = ("households", "members", "incomes")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ensure_province(data: Path = PROVINCE, households: int = 2_850_000, seed: int = 11) -> dict:
    summary = data / "summary.json"
    if summary.exists():
        return json.loads(summary.read_text())
    from dixian.engine.synth import generate

    log(f"generating the province into {data} (about 5 minutes) ...")
    return generate("52", households=households, seed=seed, out_dir=data).to_json()


def ensure_ledger(data: Path, as_of: str, seed: int = 7) -> Path:
    out = data.parent / f"{data.name}-ledger"
    if (out / "visits.parquet").exists():
        return out
    import pyarrow.parquet as pq

    from dixian.engine.indicators.synthetic import synthetic_ledger

    log(f"drawing the ledger into {out} ...")
    t = time.perf_counter()
    households = pq.read_table(data / "households.parquet")
    ledger = synthetic_ledger(households, as_of=as_of, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in ledger.items():
        pq.write_table(table, out / f"{name}.parquet", compression="zstd")
    log(f"  {time.perf_counter() - t:.0f} s: " + ", ".join(
        f"{n} {t.num_rows:,}" for n, t in ledger.items()))
    return out


def tables(data: Path, ledger: Path) -> dict[str, str]:
    """Input paths for ``dixian.engine.indicators.compute``."""
    return {**{n: str(data / f"{n}.parquet") for n in REGISTRY_TABLES},
            **{n: str(ledger / f"{n}.parquet") for n in LEDGER_TABLES}}


def sample_counties(data: Path, target_persons: int) -> list[str]:
    import duckdb

    rows = duckdb.sql(f"select substr(household_code, 1, 6) c, count(*) n from read_parquet("
                      f"'{data}/members.parquet') group by 1 order by 1").fetchall()
    out, n = [], 0
    for code, k in rows:
        if n >= target_persons:
            break
        out.append(code)
        n += k
    return out


def ensure_sample(data: Path, ledger: Path, counties: list[str]) -> Path:
    import duckdb

    out = data.parent / f"{data.name}-isample"
    stamp = out / "counties.json"
    if stamp.exists() and json.loads(stamp.read_text()) == counties:
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name, folder, column in ([(n, data, "household_code") for n in REGISTRY_TABLES]
                                 + [(n, ledger, "household_code") for n in LEDGER_TABLES
                                    if n != "clues"]):
        cond = " or ".join(f"starts_with({column}, '{c}')" for c in counties)
        duckdb.sql(f"copy (select * from read_parquet('{folder}/{name}.parquet') where {cond}) "
                   f"to '{out}/{name}.parquet' (format parquet, compression zstd)")
    duckdb.sql(f"copy (select k.* from read_parquet('{ledger}/clues.parquet') k semi join "
               f"read_parquet('{out}/cases.parquet') c using (case_id)) to "
               f"'{out}/clues.parquet' (format parquet, compression zstd)")
    stamp.write_text(json.dumps(counties))
    return out
