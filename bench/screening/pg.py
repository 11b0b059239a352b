"""The screening inputs in PostgreSQL: every Parquet table loaded whole (all its columns) into
a database of the private cluster that ``scripts/with-postgres`` starts, with ``COPY``.

Tables are ``UNLOGGED`` (no write-ahead log: this cluster lives for one run; queries are not
affected) and analysed after loading; no indexes are added (every rule reads whole tables).
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DBNAME = "dixian_bench_screening"
#: session settings for the analytical query (the cluster's defaults are for tests)
SESSION = {"work_mem": "'512MB'", "max_parallel_workers_per_gather": "2",
           "hash_mem_multiplier": "2"}


def params(url: str, dbname: str | None = None) -> dict:
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return {"host": u.hostname or "127.0.0.1", "port": u.port or 5432,
            "user": u.username or "postgres", "password": u.password or None,
            "dbname": dbname or (u.path.lstrip("/") or "postgres")}


def connect(url: str, dbname: str | None = None, autocommit: bool = False):
    import psycopg

    p = params(url, dbname)
    return psycopg.connect(**{k: v for k, v in p.items() if v is not None},
                           autocommit=autocommit)


def _pg_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "text"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_int8(t) or pa.types.is_int16(t):
        return "smallint"
    if pa.types.is_int32(t):
        return "integer"
    if pa.types.is_int64(t):
        return "bigint"
    if pa.types.is_float32(t):
        return "real"
    if pa.types.is_float64(t):
        return "double precision"
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_list(t) and pa.types.is_string(t.value_type):
        return "text[]"
    raise TypeError(f"no PostgreSQL type for {t}")


def _pg_array(col: pa.Array) -> pa.Array:
    """A list<string> column as PostgreSQL array literals ('{"A","B"}'), nulls kept."""
    flat = pc.list_flatten(col)
    quoted = pc.binary_join_element_wise(
        '"', pc.replace_substring(pc.replace_substring(flat, "\\", "\\\\"), '"', '\\"'), '"',
        "")
    offsets = pc.subtract(col.offsets, col.offsets[0])
    lists = pa.ListArray.from_arrays(offsets, quoted, mask=col.is_null())
    return pc.binary_join_element_wise("{", pc.binary_join(lists, ","), "}", "")


def _csv_batch(batch: pa.RecordBatch) -> bytes:
    cols = [(_pg_array(c) if pa.types.is_list(c.type) else c) for c in batch.columns]
    t = pa.Table.from_arrays(cols, names=batch.schema.names)
    buf = io.BytesIO()
    pacsv.write_csv(t, buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return buf.getvalue()


def load(url: str, tables: Mapping[str, Path], *, log=print) -> dict:
    """(Re)create the database and load every table; returns rows and seconds per table."""
    with connect(url, "postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DBNAME}")
        admin.execute(f"CREATE DATABASE {DBNAME}")
    out = {}
    with connect(url, DBNAME) as conn:
        for name, path in tables.items():
            t0 = time.perf_counter()
            f = pq.ParquetFile(path)
            schema = f.schema_arrow
            cols = ", ".join(f'"{fld.name}" {_pg_type(fld.type)}' for fld in schema)
            conn.execute(f'CREATE UNLOGGED TABLE "{name}" ({cols})')
            rows = 0
            with conn.cursor() as cur, cur.copy(f'COPY "{name}" FROM STDIN (FORMAT csv)') as cp:
                for batch in f.iter_batches(batch_size=200_000):
                    cp.write(_csv_batch(batch))
                    rows += batch.num_rows
            conn.commit()
            conn.execute(f'ANALYZE "{name}"')
            conn.commit()
            out[name] = {"rows": rows, "seconds": round(time.perf_counter() - t0, 1)}
            log(f"  {name}: {rows:,} rows in {out[name]['seconds']} s")
    return out


def ibis_connect(url: str):
    """An Ibis PostgreSQL backend on the benchmark database, with the session settings."""
    import ibis

    p = params(url, DBNAME)
    con = ibis.postgres.connect(host=p["host"], port=p["port"], user=p["user"],
                                password=p["password"], database=p["dbname"])
    for k, v in SESSION.items():
        con.raw_sql(f"SET {k} = {v}").close()
    return con
