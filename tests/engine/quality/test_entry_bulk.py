"""Entry-time checks and bulk runs give the same findings: one compiled plan, two inputs."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dixian.engine import quality as q
from dixian.engine.quality.engine import compile_rules
from dixian.engine.scope import RegionScope

from ._records import AS_OF, Case
from .conftest import SYNTH_AS_OF


def _take(table, codes):
    return table.filter(pc.is_in(table["household_code"], pa.array(codes)))


def test_entry_time_equals_bulk_on_synthetic_households(synth_dirs):
    dirty, _ = synth_dirs
    tables = {n: pq.read_table(f"{dirty}/{n}.parquet") for n in ("households", "members",
                                                                 "incomes")}
    bulk = q.run(dirty, RegionScope.of("522326"), as_of=SYNTH_AS_OF)
    # households with findings of many rules, and some without any
    with_findings = sorted(set(bulk["household_code"].drop_null().to_pylist()))
    every = tables["households"]["household_code"].to_pylist()
    codes = with_findings[::9][:40] + [c for c in every if c not in set(with_findings)][:10]
    batch = {n: _take(t, codes) for n, t in tables.items()}
    entry = q.check_records(**batch, as_of=SYNTH_AS_OF)
    # rules that look only at the household and its members and incomes judge alike
    local = sorted({c.rule.id for c in compile_rules() if c.context != "registry"})
    want = bulk.filter(pc.and_(pc.is_in(bulk["household_code"], pa.array(codes)),
                               pc.is_in(bulk["rule_id"], pa.array(local))))
    got = entry.filter(pc.is_in(entry["rule_id"], pa.array(local)))
    assert got.num_rows > 50
    assert got.equals(want)
    # the same batch as a snapshot gives exactly the entry-time findings, all rules included
    assert q.run(batch, RegionScope.nation(), as_of=SYNTH_AS_OF).equals(entry)


def test_a_single_form_is_checked_without_the_other_tables():
    c = Case().set_member(3, labour_skill="ordinary")
    only_member = q.check_records(members=c.member(3), as_of=AS_OF)
    assert "DQ-LOG-01" in only_member["rule_id"].to_pylist()
    # rules needing the household record (orphan check) are skipped, not fired
    assert "DQ-IDN-19" not in only_member["rule_id"].to_pylist()


def test_entry_records_accept_dicts_pandas_and_arrow():
    c = Case().set(cultivated_mu=150.0)
    as_dicts = q.check_records(households=c.households, rules=["DQ-RNG-01"], as_of=AS_OF)
    import pandas as pd

    frame = pd.DataFrame(c.households)
    as_pandas = q.check_records(households=frame, rules=["DQ-RNG-01"], as_of=AS_OF)
    as_arrow = q.check_records(households=q.engine._arrow(c.households, "households"),
                               rules=["DQ-RNG-01"], as_of=AS_OF)
    assert as_dicts.num_rows == 1
    assert as_dicts.equals(as_pandas) and as_dicts.equals(as_arrow)
    assert isinstance(as_dicts, pa.Table)


def test_unknown_fields_in_a_record_are_refused():
    import pytest

    with pytest.raises(ValueError, match="houshold_code"):
        q.check_records(members={"houshold_code": "x", "member_id": "y"}, as_of=AS_OF)
