"""Benchmark: the screening rules (issue 4, "Speed") on a 10-million-person province, against
plain pandas and PostgreSQL, and feed ingestion of 10 million claim rows.

    make bench-screening            # = scripts/with-postgres .venv/bin/python \\
                                    #   bench/screening/run.py --write-doc

1. Data (``data.py``, cached, not timed): the Guizhou synthetic province of the quality
   benchmark (2.85 million households, 10 million persons, 36 months of incomes), 12 months of
   departmental feeds derived from its ground truth (2025-01..2025-12, with late records,
   duplicates, unknown IDs and rejected files), validated and matched to the registry's
   lookup tokens, and a 10-million-row medical-insurance CSV for the ingestion test.
2. Screening, period 2025-12, every rule, scope = the province: ``dixian.engine.screening.run``
   on DuckDB (the Parquet files read lazily), the same rules in plain pandas
   (``baseline_pandas.py``) and the same Ibis expressions executed by PostgreSQL 15 (the
   tables loaded whole with ``COPY``, ``pg.py``). The runs are interleaved (DuckDB, floor,
   pandas, PostgreSQL, repeated) so that all of them see the same load; each runs in a child
   process so that its peak RSS (``ru_maxrss``) is its own; the best of the repeats is
   reported with all of them. The alerts of the three must be the same: the same (household,
   member, rule) keys and the same evidence (floats within 1e-9 relative).
3. Read-only floor: DuckDB reading, from the same Parquet files, exactly the columns the rules
   use (found by parsing the compiled query), each decoded once (``sum`` of numbers, of
   string lengths, of day numbers...). No screening can read its inputs faster.
4. Ingestion: the engine part of ``do_upload_feed`` on the 10-million-row CSV (``ingest.py``),
   and a naive row-by-row ``csv`` baseline on the first ``--naive-rows`` rows, extrapolated
   linearly (checked against the engine on the same rows).

Results: stdout, ``bench/screening/results.json`` and, with ``--write-doc``, the
"Screening (issue 4)" section of ``docs/benchmarks.md``. Without a PostgreSQL
``DATABASE_URL`` the PostgreSQL part is skipped (and said so). No timing is asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import data as D  # noqa: E402

PREFIX = "52"
OUT = D.WORK / "out"
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = HERE / "results.json"
SECTION = "## Screening (issue 4)"
NUMERIC = ("value", "value2", "threshold", "share")


def _inputs() -> tuple[dict, dict]:
    from dixian.engine.feeds.schemas import FEEDS

    snap = {n: D.QUALITY_DATA / f"{n}.parquet" for n in ("households", "members", "incomes")}
    feeds = {d: D.WORK / "matched" / f"{d}.parquet" for d in FEEDS}
    return snap, feeds


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def _counts(rule_ids) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rule_ids:
        out[r] = out.get(r, 0) + 1
    return dict(sorted(out.items()))


# ============================================================================== children
def _timed(steps: dict, key: str, f):
    def g(*a, **k):
        t0 = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            steps[key] = steps.get(key, 0.0) + time.perf_counter() - t0
    return g


def child_duckdb(memory_limit: str | None, threads: int) -> dict:
    import ibis
    import ibis.backends.duckdb
    import pyarrow.parquet as pq

    from dixian.engine.scope import RegionScope
    from dixian.engine.screening import engine, run

    # where the time goes (the wrappers only time the engine's own steps)
    steps: dict[str, float] = {}
    engine._Stage.__call__ = _timed(steps, "staged tables", engine._Stage.__call__)
    engine._finish = _timed(steps, "sentences and evidence", engine._finish)
    ibis.backends.duckdb.Backend.to_pyarrow = _timed(
        steps, "alert query", ibis.backends.duckdb.Backend.to_pyarrow)
    snap, feeds = _inputs()
    backend = "duckdb"
    if memory_limit or threads:
        kw = {"memory_limit": memory_limit} if memory_limit else {}
        if threads:
            kw["threads"] = threads
        backend = ibis.duckdb.connect(**kw)
    t, cpu = time.perf_counter(), time.process_time()
    alerts = run(snap, feeds, RegionScope.of(PREFIX), period=D.PERIOD, backend=backend)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    OUT.mkdir(parents=True, exist_ok=True)
    pq.write_table(alerts, OUT / "duckdb.parquet")
    steps["binding and compiling"] = seconds - sum(steps.values())
    return {"seconds": seconds, "cpu_seconds": cpu, "alerts": alerts.num_rows,
            "peak_rss_gb": _rss_gb(), "by_rule": _counts(alerts["rule_id"].to_pylist()),
            "steps": steps}


def used_columns() -> dict[str, list[str]]:
    """Input table -> the columns the compiled query of all rules reads (sqlglot: qualify,
    push projections down, collect the columns of each base table)."""
    import ibis
    import sqlglot
    from sqlglot import exp
    from sqlglot.optimizer.pushdown_projections import pushdown_projections
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.optimizer.scope import traverse_scope

    from dixian.engine.scope import RegionScope
    from dixian.engine.screening import engine

    tables = engine.unbound_tables()
    scope = RegionScope.of(PREFIX)
    bound = {}
    for name, t in tables.items():
        col = t.village_code if name == "households" else t.household_code
        pred = engine._scope_pred(col, scope)
        if name in engine.FEEDS and "village_code" in t.columns:
            pred = pred | (t.household_code.isnull() & engine._scope_pred(t.village_code, scope))
        bound[name] = t.filter(pred)
    ctx = engine.Context(bound, engine.resolve(PREFIX, int(D.PERIOD[:4])), D.PERIOD)
    sql = ibis.to_sql(engine.build_all(engine.RULES, ctx), dialect="duckdb")
    schema = {n: {c: "VARCHAR" for c in t.columns} for n, t in tables.items()}
    tree = pushdown_projections(qualify(sqlglot.parse_one(sql, read="duckdb"), schema=schema,
                                        dialect="duckdb"))
    used: dict[str, set] = {}
    for sc in traverse_scope(tree):
        for alias, (_node, source) in sc.selected_sources.items():
            if isinstance(source, exp.Table) and source.name in schema:
                used.setdefault(source.name, set()).update(
                    c.name for c in sc.columns if c.table == alias)
    return {k: sorted(v) for k, v in sorted(used.items())}


def child_floor(memory_limit: str | None, threads: int) -> dict:
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    snap, feeds = _inputs()
    paths = {**snap, **feeds}
    cols = used_columns()
    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {threads}")
    per_table, total = {}, 0.0
    for name, names in cols.items():
        types = pq.read_schema(paths[name])
        aggs = []
        for c in names:
            t = types.field(c).type
            q = f'"{c}"'
            if pa.types.is_string(t):
                aggs.append(f"sum(strlen({q}))")
            elif pa.types.is_date(t):
                aggs.append(f"sum({q} - DATE '1970-01-01')")
            elif pa.types.is_boolean(t):
                aggs.append(f"sum({q}::INT)")
            elif pa.types.is_list(t):
                aggs.append(f"sum(len({q}))")
            else:
                aggs.append(f"sum({q})")
        sql = f"SELECT {', '.join(aggs)} FROM read_parquet('{paths[name]}')"
        t0 = time.perf_counter()
        con.execute(sql).fetchall()
        per_table[name] = time.perf_counter() - t0
        total += per_table[name]
    return {"seconds": total, "per_table": per_table, "columns": cols,
            "n_columns": sum(len(v) for v in cols.values()), "peak_rss_gb": _rss_gb()}


def child_pandas() -> dict:
    import warnings

    import baseline_pandas

    snap, feeds = _inputs()
    warnings.simplefilter("ignore", FutureWarning)
    t, cpu = time.perf_counter(), time.process_time()
    df = baseline_pandas.run(snap, feeds, PREFIX, D.PERIOD)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    OUT.mkdir(parents=True, exist_ok=True)
    df.to_parquet(OUT / "pandas.parquet")
    return {"seconds": seconds, "cpu_seconds": cpu, "alerts": len(df),
            "peak_rss_gb": _rss_gb(), "by_rule": _counts(df.rule_id)}


def child_pg_load(url: str) -> dict:
    import pg

    snap, feeds = _inputs()
    t = time.perf_counter()
    tables = pg.load(url, {**snap, **feeds}, log=D.log)
    return {"seconds": time.perf_counter() - t, "tables": tables}


def child_postgres(url: str) -> dict:
    import pg
    import pyarrow.parquet as pq

    from dixian.engine.scope import RegionScope
    from dixian.engine.screening import run

    snap, feeds = _inputs()
    con = pg.ibis_connect(url)
    version = con.raw_sql("SHOW server_version")
    server = version.fetchone()[0]
    version.close()
    t = time.perf_counter()
    tables = {n: con.table(n) for n in [*snap, *feeds]}
    alerts = run({n: tables[n] for n in snap}, {d: tables[d] for d in feeds},
                 RegionScope.of(PREFIX), period=D.PERIOD, backend=con)
    seconds = time.perf_counter() - t
    OUT.mkdir(parents=True, exist_ok=True)
    pq.write_table(alerts, OUT / "postgres.parquet")
    return {"seconds": seconds, "alerts": alerts.num_rows, "peak_rss_gb": _rss_gb(),
            "server": server, "by_rule": _counts(alerts["rule_id"].to_pylist())}


def child_ingest() -> dict:
    import ingest
    import pyarrow.parquet as pq

    members = pq.read_table(D.WORK / "member_tokens.parquet")
    out = ingest.engine(D.WORK / "claims" / f"medical_{D.PERIOD}.csv", members, D.tokenize)
    out["peak_rss_gb"] = _rss_gb()
    return out


def child_ingest_naive(rows: int) -> dict:
    import ingest
    import pyarrow.parquet as pq

    members = pq.read_table(D.WORK / "member_tokens.parquet")
    full = D.WORK / "claims" / f"medical_{D.PERIOD}.csv"
    naive = ingest.naive(full, members, D.tokenize, rows)
    # the engine on the same rows, to check that the baseline finds the same
    sample = D.WORK / "claims" / "sample" / full.name
    sample.parent.mkdir(parents=True, exist_ok=True)
    with open(full, "rb") as src, open(sample, "wb") as dst:
        for i, line in enumerate(src):
            if i > rows:
                break
            dst.write(line)
    same = ingest.engine(sample, members, D.tokenize)
    return {"naive": naive, "engine_same_rows": same, "peak_rss_gb": _rss_gb()}


CHILDREN = {"duckdb", "floor", "pandas", "pg-load", "postgres", "ingest", "ingest-naive"}


def spawn(mode: str, *args: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), mode, *args]
    load = os.getloadavg()[0]
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"{mode} failed:\n{out.stderr[-4000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = time.perf_counter() - t
    result["load_before"] = round(load, 1)
    return result


# ============================================================================== comparing
def compare(a_path: Path, b_path: Path) -> dict:
    """Keys only in one, and keys whose evidence differs (floats within 1e-9 relative)."""
    import numpy as np
    import pandas as pd

    keys = ["household_code", "member_id", "rule_id"]
    cols = ["village_code", "event_date", "value", "value2", "threshold", "share", "detail"]

    def load(p: Path) -> pd.DataFrame:
        d = pd.read_parquet(p, columns=keys + cols)
        d["member_id"] = d.member_id.fillna("")
        d["event_date"] = pd.to_datetime(d.event_date)
        return d

    a, b = load(a_path), load(b_path)
    dup_a, dup_b = int(a.duplicated(keys).sum()), int(b.duplicated(keys).sum())
    m = a.merge(b, on=keys, how="outer", indicator=True, suffixes=("_a", "_b"))
    both = m[m._merge == "both"]
    differ = {}
    for c in cols:
        x, y = both[c + "_a"], both[c + "_b"]
        if c in NUMERIC:
            bad = ~np.isclose(x.astype(float), y.astype(float), rtol=1e-9, atol=0,
                              equal_nan=True)
        else:
            bad = ~((x == y) | (x.isna() & y.isna()))
        if bad.any():
            differ[c] = int(bad.sum())
    out = {"rows": [len(a), len(b)], "only_first": int((m._merge == "left_only").sum()),
           "only_second": int((m._merge == "right_only").sum()), "evidence_differs": differ,
           "duplicate_keys": [dup_a, dup_b]}
    out["same"] = (not out["only_first"] and not out["only_second"] and not differ
                   and not dup_a and not dup_b)
    return out


# ============================================================================== report
def _best(runs: list[dict]) -> dict:
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["all_seconds"] = [round(r["seconds"], 1) for r in runs]
    best["loads"] = [r["load_before"] for r in runs]
    return best


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def report(info: dict) -> str:
    from dixian.engine.screening import RULES

    duck, floor, pdas = info["duckdb"], info["floor"], info["pandas"]
    pgr = info.get("postgres")
    full = info["size"]
    ing, naive = info["ingest"], info["ingest_naive"]
    nv = naive["naive"]
    per_row = nv["seconds"] / nv["rows"]
    naive_total = nv["fixed_seconds"] + per_row * ing["rows_in"]
    r_pd = pdas["seconds"] / duck["seconds"]
    lines = [
        SECTION,
        f"`make bench-screening` (`bench/screening/run.py --write-doc` under "
        f"`scripts/with-postgres`; the data are generated once and cached under "
        f"`{D.WORK}` and `{D.QUALITY_DATA}`). Guizhou synthetic province: "
        f"{full['households']:,} households, {full['members']:,} persons, "
        f"{full['income_rows']:,} monthly income rows (2023-01..2025-12), and 12 months of "
        f"departmental feeds derived from its ground truth ({full['feed_rows']:,} matched "
        f"records in 10 departments, of which {full['medical_rows']:,} medical claims). "
        f"Screening of {D.PERIOD}, all {len(RULES)} rules, scope = the province; "
        f"{duck['alerts']:,} alerts.", "",
        "| what | Dixian | baseline | ratio | target |",
        "|---|---|---|---|---|",
        f"| all {len(RULES)} rules over 10 million persons, DuckDB (`screening.run`) | "
        f"**{duck['seconds']:.1f} s**, peak RSS {duck['peak_rss_gb']:.1f} GB | — | — | "
        f"under 60 s and 8 GB: {_met(duck['seconds'] < 60 and duck['peak_rss_gb'] < 8)} |",
        f"| the same rules in plain pandas (`bench/screening/baseline_pandas.py`), same data "
        f"| {duck['seconds']:.1f} s | {pdas['seconds']:.1f} s, peak RSS "
        f"{pdas['peak_rss_gb']:.1f} GB | **{r_pd:.1f}x** | ≥5x: {_met(r_pd >= 5)} |",
    ]
    if pgr:
        r_pg = pgr["seconds"] / duck["seconds"]
        lines.append(
            f"| the same Ibis expressions run by PostgreSQL {pgr['server'].split()[0]} "
            f"(tables loaded whole with `COPY`) | {duck['seconds']:.1f} s | "
            f"{pgr['seconds']:.1f} s | **{r_pg:.1f}x** | ≥3x: {_met(r_pg >= 3)} |")
    else:
        lines.append("| PostgreSQL | — | not run (no PostgreSQL `DATABASE_URL`) | — | ≥3x: "
                     "not measured |")
    lines += [
        f"| read-only floor: DuckDB decoding once the {floor['n_columns']} columns the rules "
        f"read, from the same files | {duck['seconds']:.1f} s | floor {floor['seconds']:.1f} s "
        f"| screening = **{duck['seconds'] / floor['seconds']:.1f}x** the floor | — |",
        f"| ingestion: {ing['rows_in']:,} medical claim rows, CSV "
        f"({info['csv_gb']:.2f} GB) validated, tokenised, matched, written as Parquet | "
        f"**{ing['seconds']:.1f} s**, peak RSS {ing['peak_rss_gb']:.1f} GB | row by row "
        f"(`csv` module): {naive_total:,.0f} s, extrapolated from {nv['rows']:,} rows | "
        f"**{naive_total / ing['seconds']:.1f}x** | under 2 min: "
        f"{_met(ing['seconds'] < 120)} |",
        "",
        f"* Best of {len(duck['all_seconds'])} interleaved runs each (ratios are between "
        f"best runs). DuckDB: "
        f"{', '.join(f'{x} s' for x in duck['all_seconds'])}; floor: "
        f"{', '.join(f'{x} s' for x in floor['all_seconds'])}; pandas: "
        f"{', '.join(f'{x} s' for x in pdas['all_seconds'])}"
        + (f"; PostgreSQL: {', '.join(f'{x} s' for x in pgr['all_seconds'])}" if pgr else "")
        + f". 1-minute load average before each DuckDB run: "
        f"{', '.join(str(x) for x in duck['loads'])} on {os.cpu_count()} CPUs (the machine "
        f"is shared; other sessions' test suites were running). DuckDB runs on both cores and "
        f"pandas on one, so load from other work slows DuckDB more; CPU time of the best "
        f"runs: DuckDB {duck['cpu_seconds']:.1f} s, pandas {pdas['cpu_seconds']:.1f} s "
        f"({pdas['cpu_seconds'] / duck['cpu_seconds']:.1f}x).",
        f"* Same alerts: pandas and DuckDB {_same(info['cmp_pandas'])}"
        + (("; PostgreSQL's alert table is identical to DuckDB's (sentences and JSON "
            "evidence included)" if info.get("pg_equal")
            else f"; PostgreSQL and DuckDB {_same(info['cmp_postgres'])}") if pgr else "")
        + ". Alerts per rule: " + ", ".join(f"{k} {v:,}" for k, v in duck["by_rule"].items())
        + ".",
        "* DuckDB, the best run by step: " + ", ".join(
            f"{k} {v:.1f} s" for k, v in duck["steps"].items()) + " (the staged tables are "
        f"the households and the R1 incomes: {full['window_income_rows']:,} income rows of "
        "the 12-month window grouped by household with their distinct months, and the active "
        "members counted).",
        "* DuckDB reads the Parquet files lazily (only the columns and row groups a rule "
        "needs), the households once and the R1 incomes once for the three R2 rules "
        "(staged as temporary tables); its time includes rendering the sentences and the "
        "JSON evidence of every alert. pandas reads only the columns it needs and only the "
        "income rows of the 12-month window, and does not render sentences. Floor per "
        "table: " + ", ".join(f"{k} {v:.1f} s" for k, v in floor["per_table"].items()
                               if v >= 0.05) + ".",
    ]
    if pgr:
        lt = info["pg_load"]
        lines.append(
            f"* PostgreSQL: a private cluster (`scripts/with-postgres`: fsync off), all "
            f"columns of every table `COPY`-loaded into `UNLOGGED` tables and analysed in "
            f"{lt['seconds']:.0f} s (not timed in the ratio), no indexes (every rule reads "
            f"whole tables), session `work_mem` 512MB, 2 parallel workers per gather; the "
            f"engine runs the same Ibis expressions there (`backend=` an Ibis PostgreSQL "
            f"connection, the inputs given as its tables).")
    steps = ", ".join(f"{k} {v} s" for k, v in ing["steps"].items())
    nsame = naive["engine_same_rows"]
    agree = (nsame["rows_out"] == nv["rows_out"] and nsame["matched"] == nv["matched"]
             and nsame["problems"] == nv["problems"])
    check = ("gives the same rows kept, matches and problems per rule as the engine"
             if agree else "DIFFERS from the engine: "
             + json.dumps({"naive": nv["problems"], "engine": nsame["problems"]}))
    lines += [
        f"* Ingestion, the engine's part of `do_upload_feed` (`feeds.validate`, "
        f"`feeds.add_tokens` with an HMAC-SHA256 tokenizer as `pii.token`, `feeds.match` "
        f"against {info['registry_tokens']:,} registry tokens, drop the ID, "
        f"`pyarrow.parquet.write_table`): {steps}; best of {len(ing['all_seconds'])}: "
        f"{', '.join(f'{x} s' for x in ing['all_seconds'])}. {ing['rows_out']:,} rows kept "
        f"({ing['problems'].get('duplicate_record', 0):,} exact duplicates dropped), "
        f"{ing['problems'].get('late', 0):,} late-record warnings, {ing['matched']:,} "
        f"matched. The baseline's fixed cost (the registry's tokens into a dict, "
        f"{nv['fixed_seconds']:.0f} s) is added once; its per-row cost "
        f"({per_row * 1e6:.0f} µs a row: per-cell checks and dict look-ups, constant) is "
        f"measured on the first {nv['rows']:,} rows and multiplied by the file's rows (a "
        f"full run would take that long and hold some 10 GB of Python objects); on those "
        f"rows it {check}.",
        f"* Measured {info['date']} with DuckDB {info['versions']['duckdb']}, Ibis "
        f"{info['versions']['ibis']}, pandas {info['versions']['pandas']}, pyarrow "
        f"{info['versions']['pyarrow']}, Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs.",
    ]
    return "\n".join(_wrap(x) for x in lines) + "\n"


def _wrap(line: str) -> str:
    """Prose wrapped at 100 columns as in the rest of the file (table rows left alone)."""
    import textwrap

    if line.startswith("|") or len(line) <= 100:
        return line
    bullet = line.startswith("* ")
    # a number stays with its unit, a rule with its count
    keep = re.sub(r"(\d) (s|GB|µs|rows)\b", "\\1\xa0\\2", line)
    keep = re.sub(r"(R\d-[A-Z]+-\d+) (\d)", "\\1\xa0\\2", keep)
    out = textwrap.fill(keep, 100, subsequent_indent="  " if bullet else "",
                        break_long_words=False, break_on_hyphens=False)
    return out.replace("\xa0", " ")


def _same(c: dict) -> str:
    if c["same"]:
        return f"agree on all {c['rows'][0]:,} alerts (keys and evidence)"
    return f"DIFFER: {json.dumps(c)}"


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(doc):
        doc = pattern.sub(lambda _m: text + "\n", doc, count=1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")


# ============================================================================== main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", nargs="?", default="all", choices=["all", *sorted(CHILDREN)])
    ap.add_argument("--repeat", type=int, default=3, help="interleaved runs of each engine")
    ap.add_argument("--ingest-repeat", type=int, default=2)
    ap.add_argument("--naive-rows", type=int, default=300_000)
    ap.add_argument("--memory-limit", default="", help="DuckDB memory limit (default: "
                    "DuckDB's own, 80%% of RAM)")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--write-doc", action="store_true")
    a = ap.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    pg_ok = url.startswith(("postgres://", "postgresql://")) and not a.no_postgres
    if a.mode != "all":
        result = {"duckdb": lambda: child_duckdb(a.memory_limit, a.threads),
                  "floor": lambda: child_floor(a.memory_limit, a.threads),
                  "pandas": child_pandas, "pg-load": lambda: child_pg_load(url),
                  "postgres": lambda: child_postgres(url), "ingest": child_ingest,
                  "ingest-naive": lambda: child_ingest_naive(a.naive_rows)}[a.mode]()
        print(json.dumps(result, default=str))
        return 0

    import duckdb
    import ibis
    import pandas
    import pyarrow

    from dixian.engine.screening.engine import month_add

    paths = D.prepare()
    common = ["--memory-limit", a.memory_limit, "--threads", str(a.threads)]
    info: dict = {"date": time.strftime("%Y-%m-%d"),
                  "versions": {"duckdb": duckdb.__version__, "ibis": ibis.__version__,
                               "pandas": pandas.__version__, "pyarrow": pyarrow.__version__}}
    con = duckdb.connect()

    def count(p) -> int:
        return con.sql(f"select count(*) from read_parquet('{p}')").fetchall()[0][0]

    snap, feeds = _inputs()
    info["size"] = {"households": count(snap["households"]), "members": count(snap["members"]),
                    "income_rows": count(snap["incomes"]),
                    "window_income_rows": con.sql(
                        f"select count(*) from read_parquet('{snap['incomes']}') where period "
                        f"between '{month_add(D.PERIOD, -11)}' and '{D.PERIOD}'").fetchall()[0][0],
                    "feed_rows": sum(count(p) for p in feeds.values()),
                    "medical_rows": count(feeds["medical"])}
    info["registry_tokens"] = count(paths["tokens"])
    info["csv_gb"] = paths["claims"].stat().st_size / 1e9
    if pg_ok:
        D.log("loading the tables into PostgreSQL ...")
        info["pg_load"] = spawn("pg-load")
    runs: dict[str, list] = {"duckdb": [], "floor": [], "pandas": [], "postgres": []}
    for k in range(a.repeat):
        for mode in ["duckdb", "floor", "pandas"] + (["postgres"] if pg_ok else []):
            D.log(f"{mode}, run {k + 1} of {a.repeat} (load {os.getloadavg()[0]:.1f}) ...")
            r = spawn(mode, *(common if mode in ("duckdb", "floor") else []))
            runs[mode].append(r)
            D.log(f"  {r['seconds']:.1f} s, peak RSS {r['peak_rss_gb']:.1f} GB")
            if k == 0 and mode != "floor":   # keep the first run's alerts for the comparison
                os.replace(OUT / f"{mode}.parquet", OUT / f"{mode}-first.parquet")
    for mode, rs in runs.items():
        if rs:
            info[mode] = _best(rs)
    info["cmp_pandas"] = compare(OUT / "duckdb-first.parquet", OUT / "pandas-first.parquet")
    if pg_ok:
        import pyarrow.parquet as pq

        info["cmp_postgres"] = compare(OUT / "duckdb-first.parquet",
                                       OUT / "postgres-first.parquet")
        info["pg_equal"] = pq.read_table(OUT / "duckdb-first.parquet").equals(
            pq.read_table(OUT / "postgres-first.parquet"))
    ing = []
    for k in range(a.ingest_repeat):
        D.log(f"ingestion, run {k + 1} of {a.ingest_repeat} (load {os.getloadavg()[0]:.1f}) ...")
        ing.append(spawn("ingest"))
        D.log(f"  {ing[-1]['seconds']:.1f} s ({ing[-1]['steps']})")
    info["ingest"] = _best(ing)
    D.log(f"naive ingestion on {a.naive_rows:,} rows ...")
    info["ingest_naive"] = spawn("ingest-naive", "--naive-rows", str(a.naive_rows))
    D.log(f"  {info['ingest_naive']['naive']['seconds']:.1f} s")
    text = report(info)
    print(text)
    RESULTS.write_text(json.dumps(info, indent=2, default=str) + "\n")
    ok = info["cmp_pandas"]["same"] and (not pg_ok or info["cmp_postgres"]["same"])
    if not ok:
        print("ALERTS DIFFER between the engines; see results.json", file=sys.stderr)
    if a.write_doc:
        write_doc(text)
        D.log(f"wrote the section to {DOC}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
