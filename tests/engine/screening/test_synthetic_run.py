"""The screening on the shared synthetic county, and the Spark parity check."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from dixian.engine.schema import ENUMS
from dixian.engine.scope import RegionScope
from dixian.engine.screening import RULES_BY_ID, run

SCOPE = RegionScope.of("522326")


def test_alerts_on_the_synthetic_county_are_well_formed(data):
    a = run(data.snapshot, data.loaded.tables, SCOPE, period="2025-06")
    assert a.num_rows > 0
    for r in a.to_pylist():
        assert r["risk_type"] is None or r["risk_type"] in ENUMS["risk_type"]
        assert r["rule_version"] == RULES_BY_ID[r["rule_id"]].version
        assert "{" not in r["sentence_zh"] and "{" not in r["sentence_en"]
        assert r["household_code"].startswith(r["village_code"])
    # households already monitored for a risk get no new alert for that risk
    hh = data.snapshot["households"].to_pylist()
    active = {h["household_code"]: set(h["risk_types"] or []) for h in hh
              if h["monitoring_category"] and not h["risk_eliminated"]}
    for r in a.to_pylist():
        if r["household_code"] in active:
            assert r["category"] is None
            assert r["risk_type"] not in active[r["household_code"]]


def test_medical_alerts_agree_with_a_plain_recount(data):
    """R7-MED-01 recomputed with pyarrow from the matched feed and the documented lines."""
    import datetime as dt

    med = data.loaded.tables["medical"]
    hh = data.snapshot["households"]
    low = {h["household_code"] for h in hh.to_pylist()
           if h["household_type"] == "poverty_alleviated" or h["monitoring_category"]}
    m = med.filter(pc.and_(pc.is_valid(med["member_id"]),
                           pc.and_(pc.greater_equal(med["settle_date"], dt.date(2024, 7, 1)),
                                   pc.less(med["settle_date"], dt.date(2025, 7, 1)))))
    m = m.filter(pc.less_equal(m["batch_month"], "2025-06"))
    sums = m.group_by(["member_id", "household_code"]).aggregate([("oop_compliant", "sum")])
    expected = set()
    for r in sums.to_pylist():
        line = 0.5 * 23119 if r["household_code"] in low else 23119
        if r["oop_compliant_sum"] > line:
            expected.add(r["member_id"])
    a = run(data.snapshot, {"medical": med}, SCOPE, period="2025-06", rules=["R7-MED-01"])
    monitored_ill = {h["household_code"] for h in hh.to_pylist() if h["monitoring_category"]
                     and not h["risk_eliminated"] and "ILLNESS" in (h["risk_types"] or [])}
    expected = {e for e in expected if e.split("-")[0] not in monitored_ill}
    assert set(a["member_id"].to_pylist()) == expected


def test_spark_gives_the_same_alerts(data):
    pytest.importorskip("pyspark", reason="pyspark is not installed (extra 'spark': "
                                          "pyspark>=3.5,<4.1); the parity test needs it")
    kw = dict(period="2025-06")
    duck = run(data.snapshot, data.loaded.tables, SCOPE, backend="duckdb", **kw)
    spark = run(data.snapshot, data.loaded.tables, SCOPE, backend="spark", **kw)
    assert spark.equals(duck)


def _migrated(data):
    """The synthetic county with a third of its households migrated from the national
    system: their monthly rows gone, annual blocks instead (some in the window, some stale,
    some with only a household net, some with a tie of reference months)."""
    import pyarrow as pa

    from dixian.engine import schema

    codes = sorted(data.snapshot["households"]["household_code"].to_pylist())
    moved = set(codes[::3])
    incomes = data.snapshot["incomes"]
    keep = pc.invert(pc.is_in(incomes["household_code"], pa.array(sorted(moved))))
    months = ["2024-05", "2024-08", "2024-12", "2025-03", "2025-06", "2025-07", "2025-08"]
    blocks = []
    for k, code in enumerate(sorted(moved)):
        month = months[k % len(months)]
        per_capita = float(3000 + (k * 977) % 12000)
        blocks.append({"household_code": code, "basis": "identification",
                       "reference_month": month,
                       "per_capita_net": None if k % 5 == 0 else per_capita,
                       "household_net": int(per_capita * 3), "compliant_oop_medical": k % 4 * 900})
        if k % 4 == 1:  # after elimination, the same month: it speaks
            blocks.append({**blocks[-1], "basis": "elimination",
                           "per_capita_net": per_capita + 2500})
    return {**data.snapshot, "incomes": incomes.filter(keep),
            "income_blocks": schema.conform(pa.Table.from_pylist(blocks), "income_blocks")}


def test_spark_gives_the_same_alerts_on_a_migrated_county(data):
    pytest.importorskip("pyspark", reason="pyspark is not installed (extra 'spark': "
                                          "pyspark>=3.5,<4.1); the parity test needs it")
    snapshot = _migrated(data)
    duck = run(snapshot, data.loaded.tables, SCOPE, backend="duckdb", period="2025-06")
    spark = run(snapshot, data.loaded.tables, SCOPE, backend="spark", period="2025-06")
    assert spark.equals(duck)
    from_blocks = {r["rule_id"] for r in duck.to_pylist()
                   if (r["detail"] or "").startswith("annual:")}
    assert {"R2-INC-01", "R2-INC-02"} <= from_blocks


def test_the_command_line_screens_a_parquet_layout_as_a_cluster_job_would(data, tmp_path):
    """``python -m dixian.engine.screening run`` (docs/screening-at-scale.md) on the Parquet
    layout gives the same alerts as the library call."""
    import pyarrow.parquet as pq

    from dixian.engine.screening.__main__ import main

    snapshot, feeds = tmp_path / "snapshot", tmp_path / "feeds"
    snapshot.mkdir()
    for name in ("households", "members", "incomes"):
        pq.write_table(data.snapshot[name], snapshot / f"{name}.parquet")
    for name, table in data.loaded.tables.items():
        (feeds / name).mkdir(parents=True)
        pq.write_table(table, feeds / name / "part-0.parquet")
    out = tmp_path / "alerts.parquet"
    assert main(["run", "--snapshot", str(snapshot), "--feeds", str(feeds), "--scope",
                 "522326", "--period", "2025-06", "--out", str(out)]) == 0
    expected = run(data.snapshot, data.loaded.tables, SCOPE, period="2025-06")
    assert pq.read_table(out).equals(expected) and expected.num_rows > 0


def test_a_province_switches_a_rule_off(data):
    """Issue 11 item 7: a rule listed in ``screening.rules_off`` raises no alert; the others
    are untouched."""
    every = run(data.snapshot, data.loaded.tables, SCOPE, period="2025-06")
    fired = sorted(set(every["rule_id"].to_pylist()))
    assert fired, "the synthetic county raises alerts"
    off = fired[0]
    fewer = run(data.snapshot, data.loaded.tables, SCOPE, period="2025-06",
                params={"rules_off": (off,)})
    assert off not in set(fewer["rule_id"].to_pylist())
    assert fewer.num_rows == every.num_rows - every["rule_id"].to_pylist().count(off)


def test_the_switchable_rules_are_the_catalogue():
    from dixian.engine.policy import parameters
    from dixian.engine.quality.catalogue import RULES as QUALITY
    from dixian.engine.screening.spec import RULES as SCREENING

    assert parameters()["screening.rules_off"].choices == tuple(r.id for r in SCREENING)
    assert parameters()["quality.rules_off"].choices == tuple(r.id for r in QUALITY)


def test_the_switchable_assistance_rules_are_the_catalogue():
    from dixian.engine.assistance.rules import RULES as ASSISTANCE
    from dixian.engine.policy import parameters

    assert parameters()["assistance.rules_off"].choices == tuple(r.id for r in ASSISTANCE)
