"""``python -m dixian.engine.screening doc`` writes docs/screening-rules.md;
``feeds-doc`` writes docs/feeds.md; ``sql RULE [--period YYYY-MM]`` prints a rule's SQL;
``run`` screens a Parquet snapshot and feeds outside Dixian's server (a Spark cluster job,
see docs/screening-at-scale.md) and writes the alerts as Parquet."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dixian.engine.screening")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("doc", help="write docs/screening-rules.md (keeps the measurement section)")
    sub.add_parser("feeds-doc", help="write docs/feeds.md")
    s = sub.add_parser("sql", help="print the SQL of one rule")
    s.add_argument("rule")
    s.add_argument("--period", default="2025-06")
    r = sub.add_parser("run", help="screen a Parquet snapshot and feeds, write the alerts")
    r.add_argument("--snapshot", required=True,
                   help="directory with households.parquet, members.parquet, incomes.parquet "
                        "(and income_blocks.parquet, if the county has them)")
    r.add_argument("--feeds", help="directory with one sub-directory of Parquet files per feed")
    r.add_argument("--scope", required=True, help="division code prefix(es), comma-separated, "
                   "or 'national'")
    r.add_argument("--period", required=True, help="YYYY-MM")
    r.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    r.add_argument("--master", default=None,
                   help="Spark master (default: $DIXIAN_SPARK_MASTER or local[2])")
    r.add_argument("--out", required=True, help="alerts Parquet file to write")
    a = ap.parse_args(argv)
    if a.cmd == "run":
        return _run(a)
    from . import doc

    if a.cmd == "doc":
        print(doc.write_doc())
    elif a.cmd == "feeds-doc":
        doc.FEEDS_DOC_PATH.write_text(doc.render_feeds() + "\n", encoding="utf-8")
        print(doc.FEEDS_DOC_PATH)
    else:
        from .engine import to_sql

        print(to_sql(a.rule, period=a.period))
    return 0


def _run(a) -> int:
    import os
    from pathlib import Path

    import pyarrow.parquet as pq

    from ..scope import RegionScope
    from .engine import run

    snapshot = {name: str(Path(a.snapshot) / f"{name}.parquet")
                for name in ("households", "members", "incomes")}
    blocks = Path(a.snapshot) / "income_blocks.parquet"  # a migrated county's annual blocks
    if blocks.is_file():
        snapshot["income_blocks"] = str(blocks)
    feeds = {}
    if a.feeds:
        for folder in sorted(Path(a.feeds).iterdir()):
            files = sorted(str(f) for f in folder.glob("*.parquet"))
            if folder.is_dir() and files:
                feeds[folder.name] = files[0] if len(files) == 1 else files
    scope = (RegionScope.nation() if a.scope == "national"
             else RegionScope.of(*a.scope.split(",")))
    backend = a.engine
    if a.engine == "spark":
        import sys

        import ibis
        from pyspark.sql import SparkSession

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        master = a.master or os.environ.get("DIXIAN_SPARK_MASTER", "local[2]")
        session = (SparkSession.builder.master(master).appName("dixian-screening")
                   .config("spark.sql.session.timeZone", "UTC").getOrCreate())
        backend = ibis.pyspark.connect(session)
    alerts = run(snapshot, feeds, scope, period=a.period, backend=backend)
    pq.write_table(alerts, a.out)
    print(f"{alerts.num_rows} alerts -> {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
