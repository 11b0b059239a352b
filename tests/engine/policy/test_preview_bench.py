"""The preview benchmark's two paths agree on a 20,000-person county (no timing here).

``bench/policy/preview.py`` times the preview (only what the change touches) against
re-running every screening rule and the whole R1 classification under both policies on a
10-million-person province; this runs both paths on a small county, for changes of the line
(up and down), of a screening parameter and of the income window, and checks that they give
the same households entering and leaving the range and the same alerts appearing and
disappearing.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from dixian.engine.policy import Record, resolve
from dixian.engine.scope import RegionScope
from tests.engine.feeds._shared import tokenize

ROOT = Path(__file__).resolve().parents[3]
COUNTY = "522326"
PERIOD = "2025-12"
ON = dt.date(2026, 1, 1)


def _bench():
    spec = importlib.util.spec_from_file_location("bench_policy_preview",
                                                  ROOT / "bench" / "policy" / "preview.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """About 20,000 persons with 18 months of incomes and their matched feeds."""
    from dixian.engine.feeds import add_tokens
    from dixian.engine.feeds.load import load_dir
    from dixian.engine.feeds.synthetic import derive_feeds
    from dixian.engine.synth import generate

    root = tmp_path_factory.mktemp("preview-bench")
    synth, feeds = root / "synth", root / "feeds"
    generate(COUNTY, households=5_700, seed=5, months=18, out_dir=synth)
    derive_feeds(synth, feeds, seed=5)
    members = add_tokens(pq.read_table(synth / "members.parquet"), tokenize)
    loaded = load_dir(feeds, tokenize=tokenize, members=members)
    snapshot = {n: synth / f"{n}.parquet" for n in ("households", "members", "incomes")}
    tables = dict(loaded.tables)
    tables["assets"] = _assets_near_the_line(snapshot, tables["assets"])
    matched = root / "matched"
    matched.mkdir()
    paths = {}
    for name, table in tables.items():
        paths[name] = matched / f"{name}.parquet"
        pq.write_table(table, paths[name])
    return snapshot, paths


def _assets_near_the_line(snapshot, assets: pa.Table) -> pa.Table:
    """The asset feed plus a car for a few unmonitored households just above and just below
    the line: when a line change gives or takes their R2 alert, the negative screen's alert
    (an asset check, shown only with another clue) comes or goes with it."""
    from dixian.engine.screening.engine import r1_table

    line = resolve(COUNTY, ON)["income.monitoring_line"]
    r1 = r1_table(snapshot, RegionScope.of(COUNTY), period=PERIOD)
    h = pq.read_table(snapshot["households"], columns=["household_code", "head_member_id",
                                                       "monitoring_category"])
    unmonitored = {c: head for c, head, cat in zip(*(h[n].to_pylist() for n in h.column_names),
                                                    strict=True) if cat is None}
    near = []
    for lo, hi in ((line, line + 400), (line - 600, line)):
        band = pc.and_(pc.greater_equal(r1["pcni"], lo), pc.less(r1["pcni"], hi))
        near += [c for c in r1.filter(band)["household_code"].to_pylist()
                 if c in unmonitored][:6]
    row = assets.slice(0, 1).to_pylist()[0]
    rows = [{**row, "record_id": f"ZCTEST{i:04d}", "asset": "vehicle",
             "household_code": c, "member_id": unmonitored[c]} for i, c in enumerate(near)]
    return pa.concat_tables([assets, pa.Table.from_pylist(rows, schema=assets.schema)])


def _line(delta: int) -> tuple[str, int]:
    name = "income.monitoring_line"
    return name, resolve(COUNTY, ON)[name] + delta


CHANGES = {
    "line up": lambda: _line(400),
    "line down": lambda: _line(-600),
    "medical share": lambda: ("screening.medical_share_other",
                              resolve(COUNTY, ON)["screening.medical_share_other"] * 0.8),
    "income window": lambda: ("income.window_months",
                              resolve(COUNTY, ON)["income.window_months"] - 3),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_preview_gives_what_rerunning_everything_gives(county, change):
    bench = _bench()
    snapshot, feeds = county
    parameter, value = CHANGES[change]()
    overlay = [Record(parameter=parameter, region="52", start=ON, value=value,
                      source="test", change="proposal")]
    kw = dict(period=PERIOD, on=ON, overlay=overlay)
    scope = RegionScope.of(COUNTY)
    fast = bench.incremental(snapshot, feeds, scope, **kw)
    full = bench.baseline(snapshot, feeds, scope, **kw)
    assert bench.differences(fast, full) == {}
    assert any(fast[k] for k in bench.KINDS)   # the change does something on this county
    assert len(fast["rules_run"]) < len(full["rules_run"])
    if parameter == "income.monitoring_line":
        up = value > resolve(COUNTY, ON)[parameter]
        assert fast["entering" if up else "leaving"]
        # the asset check follows the R2 alerts of the households planted near the line
        assert any(a["rule_id"] == "R7-AST-01"
                   for a in fast["alerts_appearing" if up else "alerts_disappearing"])


def test_the_same_with_the_snapshot_in_memory(county):
    """Arrow tables (as the platform's snapshot gives them) instead of Parquet paths."""
    bench = _bench()
    snapshot, feeds = county
    tables = {n: pq.read_table(p) for n, p in snapshot.items()}
    in_memory = {n: pq.read_table(p) for n, p in feeds.items()}
    parameter, value = _line(400)
    overlay = [Record(parameter=parameter, region="52", start=ON, value=value,
                      source="test", change="proposal")]
    kw = dict(period=PERIOD, on=ON, overlay=overlay)
    scope = RegionScope.of(COUNTY)
    fast = bench.incremental(tables, in_memory, scope, **kw)
    assert bench.differences(fast, bench.incremental(snapshot, feeds, scope, **kw)) == {}
    assert bench.differences(fast, bench.baseline(tables, in_memory, scope, **kw)) == {}
