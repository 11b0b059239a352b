"""No scope, no run; a scope limits what is read and what is reported."""

from __future__ import annotations

import pytest

from dixian.engine import identity
from dixian.engine import quality as q
from dixian.engine.scope import RegionScope, ScopeRequired

from ._records import AS_OF, household, incomes, members

V1, V2 = "522326101201", "522326102202"      # two villages of two townships
H1, H2 = V1 + "0001", V2 + "0001"


def _snapshot(tmp_path=None):
    hh = [household(H1, phone="1380000000"), household(H2, phone="1380000000")]
    second = members(H2)
    for p in second:  # other people: other order codes
        p["resident_id"] = identity.make_id("522326", p["birth_date"], 7, p["sex"])
    mm = members(H1) + second
    # one ID held in both households: a cross-household duplicate across the two townships
    mm[3]["resident_id"] = mm[0]["resident_id"]
    mm[3]["birth_date"], mm[3]["sex"] = mm[0]["birth_date"], mm[0]["sex"]
    ii = incomes(H1) + incomes(H2)
    tables = {"households": q.engine._arrow(hh, "households"),
              "members": q.engine._arrow(mm, "members"),
              "incomes": q.engine._arrow(ii, "incomes")}
    if tmp_path is None:
        return tables
    import pyarrow.parquet as pq

    for name, t in tables.items():
        pq.write_table(t, tmp_path / f"{name}.parquet")
    return tmp_path


@pytest.mark.parametrize("scope", [None, "522326", ("522326",)])
def test_no_scope_no_run(scope):
    with pytest.raises(ScopeRequired):
        q.run(_snapshot(), scope, as_of=AS_OF)


def test_an_empty_scope_sees_nothing():
    out = q.run(_snapshot(), RegionScope.nothing(), as_of=AS_OF)
    assert out.num_rows == 0 and out.schema == q.FINDINGS


def test_findings_are_limited_to_the_scope(tmp_path):
    snap = _snapshot(tmp_path)
    nation = q.run(snap, RegionScope.nation(), as_of=AS_OF)
    both = {v for v in nation["village_code"].to_pylist()}
    assert both == {V1, V2}
    for code, village in (("522326101", V1), (V2, V2)):
        out = q.run(snap, RegionScope.of(code), as_of=AS_OF)
        assert set(out["village_code"].to_pylist()) == {village}
        assert all(h.startswith(village) for h in out["household_code"].to_pylist())


def test_cross_household_rules_see_only_the_scope():
    snap = _snapshot()
    nation = q.run(snap, RegionScope.nation(), rules=["DQ-IDN-07"], as_of=AS_OF)
    assert sorted(nation["household_code"].to_pylist()) == [H1, H2]
    # seen from one township, the other household's ID is out of sight
    assert q.run(snap, RegionScope.of("522326101"), rules=["DQ-IDN-07"],
                 as_of=AS_OF).num_rows == 0
    assert q.run(snap, RegionScope.of("522326"), rules=["DQ-IDN-07"],
                 as_of=AS_OF).num_rows == 2


def test_results_have_the_findings_schema_and_a_deterministic_order(tmp_path):
    snap = _snapshot(tmp_path)
    a = q.run(snap, RegionScope.nation(), as_of=AS_OF)
    b = q.run(snap, RegionScope.nation(), as_of=AS_OF)
    assert a.schema == q.FINDINGS and a.equals(b)
    keys = list(zip(a["village_code"].to_pylist(), a["household_code"].to_pylist(),
                    [m or "" for m in a["member_id"].to_pylist()],
                    a["rule_id"].to_pylist(), strict=True))
    assert keys == sorted(keys)


def test_parquet_with_a_missing_optional_column_still_runs(tmp_path):
    import pyarrow.parquet as pq

    t = _snapshot()
    pq.write_table(t["households"].drop_columns(["piped_water"]), tmp_path / "households.parquet")
    pq.write_table(t["members"], tmp_path / "members.parquet")
    pq.write_table(t["incomes"], tmp_path / "incomes.parquet")
    out = q.run(tmp_path, RegionScope.of("522326"), as_of=AS_OF)
    assert out.num_rows > 0


def test_a_snapshot_lacking_a_table_is_refused():
    t = _snapshot()
    del t["incomes"]
    with pytest.raises(ValueError, match="incomes"):
        q.run(t, RegionScope.nation(), as_of=AS_OF)


def test_an_unsupported_backend_is_refused_with_a_clear_message():
    import pytest

    from dixian.engine.quality import engine

    with pytest.raises(ValueError, match="not supported for the data-quality rules"):
        engine._duckdb("spark")
