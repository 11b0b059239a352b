"""Benchmark: loading every NBS division and querying one county by prefix.

Run: ``make bench-regions`` (SQLite, then a private PostgreSQL cluster).

Baselines in the same run, on the same data:
- load: Dixian's loader (COPY + one upsert on PostgreSQL, batched upserts on SQLite)
  against the ORM's plain ``bulk_create`` in 1,000-row batches (what most Django code does);
- prefix query: ``code LIKE '522326%'`` with the index against the same query with
  index scans switched off (PostgreSQL) or through a function that hides the index (SQLite).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dixian.settings")
os.environ.setdefault("DIXIAN_MODE", "test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from dixian.core import regions  # noqa: E402
from dixian.core.models import Region  # noqa: E402


def timed(fn, repeat=1):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def baseline_load():
    rows = list(regions.read_divisions())
    batch = []
    for code, name, level, parent in rows:
        batch.append(Region(code=code, name=name, level=level, parent_id=parent))
        if len(batch) == 1000:
            Region.objects.bulk_create(batch)
            batch = []
    Region.objects.bulk_create(batch)


def count_county(indexed: bool):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET enable_indexscan = {'on' if indexed else 'off'}")
            cursor.execute(f"SET enable_bitmapscan = {'on' if indexed else 'off'}")
            cursor.execute("SELECT count(*) FROM core_region WHERE code LIKE '522326%%'")
            count = cursor.fetchone()[0]
            # Back to normal: later statements (foreign-key checks) need their indexes.
            cursor.execute("RESET enable_indexscan")
            cursor.execute("RESET enable_bitmapscan")
            return count
        else:
            column = "code" if indexed else "lower(code)"
            cursor.execute(f"SELECT count(*) FROM core_region WHERE {column} >= '522326' "
                           f"AND {column} < '522327'")
        return cursor.fetchone()[0]


def main():
    state = setup_databases(verbosity=0, interactive=False)
    try:
        vendor = connection.vendor
        t_ours, _ = timed(lambda: regions.load(""))
        villages = Region.objects.filter(level=5).count()
        q_index, n = timed(lambda: count_county(True), repeat=21)
        q_scan, _ = timed(lambda: count_county(False), repeat=5)
        with connection.cursor() as cursor:
            # A row-by-row DELETE checks 665,000 deferred self-references: truncate instead.
            cursor.execute("TRUNCATE core_region CASCADE" if vendor == "postgresql"
                           else "DELETE FROM core_region")
        t_base, _ = timed(baseline_load)
        print(f"| {vendor} | load all 665,276 divisions ({villages:,} villages) | "
              f"{t_ours:.1f} s | ORM bulk_create: {t_base:.1f} s | {t_base / t_ours:.1f}x |")
        print(f"| {vendor} | count one county by code prefix ({n} rows) | "
              f"{q_index * 1000:.2f} ms | without the index: {q_scan * 1000:.1f} ms | "
              f"{q_scan / q_index:.0f}x |")
    finally:
        teardown_databases(state, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
