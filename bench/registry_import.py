"""Benchmark: importing one million members from CSV into PostgreSQL.

Run: ``make bench-import`` (a private PostgreSQL cluster; ~5 minutes).

Data: a synthetic slice of Guizhou from ``dixian.engine.synth`` (about 285,000 households and
1,000,000 members), written as Dixian-template CSV. The households file is imported first
(timed separately), then the members file, timed.

Baseline, same run, same file: what most Django projects would write, a row-by-row ORM
import (``Member(...).full_clean(); save()`` per row, with the same encryption). It is run
on the first ``BASELINE_ROWS`` rows and extrapolated linearly (row-by-row cost is linear);
the ratio is reported with that caveat.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dixian.settings")
os.environ.setdefault("DIXIAN_MODE", "test")

import django  # noqa: E402

django.setup()

import polars as pl  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from dixian.core import pii, regions  # noqa: E402
from dixian.engine.scope import RegionScope  # noqa: E402
from dixian.registry import importing, snapshot  # noqa: E402
from dixian.registry.models import Household, Member  # noqa: E402

TARGET_MEMBERS = int(os.environ.get("BENCH_MEMBERS", "1000000"))
BASELINE_ROWS = int(os.environ.get("BENCH_BASELINE_ROWS", "20000"))


def write_csvs(folder: Path) -> tuple[Path, Path, int]:
    from dixian.engine.synth import generate

    households = int(TARGET_MEMBERS / 3.52) + 1
    generate("52", households=households, seed=11, out_dir=str(folder / "synth"), months=12)
    tables = {name: pl.read_parquet(folder / "synth" / f"{name}.parquet")
              for name in ("households", "members")}
    tables["members"] = tables["members"].head(TARGET_MEMBERS)
    paths = []
    for name, frame in tables.items():
        shaped = snapshot._template(frame.to_arrow(), name)
        path = folder / f"{name}.csv"
        pl.from_arrow(shaped).write_csv(path)
        paths.append(path)
    return paths[0], paths[1], tables["members"].height


def row_by_row(members_csv: Path, limit: int) -> float:
    frame = pl.read_csv(members_csv, infer_schema=False, n_rows=limit)
    ids = dict(Household.objects.values_list("code", "id"))
    started = time.perf_counter()
    with transaction.atomic():
        for row in frame.iter_rows(named=True):
            member = Member(member_id=row["member_id"] + "-b",
                            household_id=ids[row["household_code"]],
                            name=row["name"] or "", sex=row["sex"] or "",
                            relation_to_head=row["relation_to_head"] or "",
                            health=row["health"] or "", labour_skill=row["labour_skill"] or "",
                            dibao=row["dibao"] or "none", tekun=row["tekun"] or "none",
                            source="import")
            protected = pii.protect_id(row["resident_id"])
            if protected:
                member.resident_id_enc, member.resident_id_token, member.resident_id_masked = (
                    protected.enc, protected.token, protected.masked)
            member.save()
        transaction.set_rollback(True)
    return time.perf_counter() - started


def main() -> int:
    state = setup_databases(verbosity=0, interactive=False)
    try:
        regions.load("52")
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            t0 = time.perf_counter()
            households_csv, members_csv, n_members = write_csvs(folder)
            print(f"data: {n_members:,} members written in {time.perf_counter() - t0:.0f} s")
            scope = RegionScope.of("52")
            t0 = time.perf_counter()
            out = importing.import_file(households_csv.read_bytes(), "households.csv",
                                        scope=scope, accept_quality_issues=True)
            t_households = time.perf_counter() - t0
            assert out.applied, out.problems[:3]
            t0 = time.perf_counter()
            out = importing.import_file(members_csv.read_bytes(), "members.csv", scope=scope,
                                        accept_quality_issues=True)
            t_members = time.perf_counter() - t0
            assert out.applied, out.problems[:3]
            n_loaded = Member.objects.count()
            t_base = row_by_row(members_csv, BASELINE_ROWS)
            per_row = t_base / BASELINE_ROWS
            extrapolated = per_row * n_members
        print(f"| {connection.vendor} | import {n_members:,} members (CSV, all-or-nothing, "
              f"encrypted IDs) | {t_members:.0f} s | row-by-row ORM: {per_row * 1e3:.2f} ms/row "
              f"→ {extrapolated:.0f} s (from {BASELINE_ROWS:,} rows) | "
              f"{extrapolated / t_members:.1f}x |")
        print(f"(households file: {t_households:.0f} s; members in the table: {n_loaded:,})")
    finally:
        teardown_databases(state, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
