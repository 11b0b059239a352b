"""The inputs of a screening run: Parquet paths (read lazily on DuckDB), tables already in the
backend (as a PostgreSQL database holds them), and all rules in one expression."""

from __future__ import annotations

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from dixian.engine.scope import RegionScope
from dixian.engine.screening import RULES, engine, run

SCOPE = RegionScope.of("522326")
PERIOD = "2025-06"


def test_parquet_paths_give_the_same_alerts(data, tmp_path):
    paths = {}
    for name, table in {**data.snapshot, **data.loaded.tables}.items():
        paths[name] = tmp_path / f"{name}.parquet"
        pq.write_table(table, paths[name])
    snap = {n: paths[n] for n in data.snapshot}
    feeds = {n: str(paths[n]) for n in data.loaded.tables}
    expected = run(data.snapshot, data.loaded.tables, SCOPE, period=PERIOD)
    assert expected.num_rows > 0
    assert run(snap, feeds, SCOPE, period=PERIOD).equals(expected)


def test_tables_of_the_backend_are_used_where_they_are(data):
    con = ibis.duckdb.connect()
    inputs = {}
    for name, table in {**data.snapshot, **data.loaded.tables}.items():
        con.con.register("src", table)
        con.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM src')
        con.con.unregister("src")
        inputs[name] = con.table(name)
    out = run({n: inputs[n] for n in data.snapshot}, {n: inputs[n] for n in data.loaded.tables},
              SCOPE, period=PERIOD, backend=con)
    assert out.equals(run(data.snapshot, data.loaded.tables, SCOPE, period=PERIOD))
    # the staged intermediate tables are dropped after the run
    left = con.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    assert sorted(t for (t,) in left) == sorted(inputs)


def test_all_rules_in_one_expression_equal_the_rules_one_by_one(data):
    con = ibis.duckdb.connect()
    tables = engine._bind(data.snapshot, data.loaded.tables, SCOPE, con)
    ctx = engine.Context(tables, engine.resolve("52", 2025), PERIOD)
    together = con.to_pyarrow(engine.build_all(RULES, ctx))
    one_by_one = pa.concat_tables([con.to_pyarrow(engine.build(r, ctx)) for r in RULES])
    keys = [(k, "ascending") for k in engine.SORT + ["rule_id", "value", "value2"]]
    assert together.num_rows == one_by_one.num_rows > 0
    assert together.sort_by(keys).equals(one_by_one.cast(together.schema).sort_by(keys))
