"""``screening.run``'s options for callers that run rules twice (the policy preview): R1
given instead of computed, and alerts without their rendered sentences."""

from __future__ import annotations

import pyarrow as pa

from dixian.engine.scope import RegionScope
from dixian.engine.screening import run
from dixian.engine.screening.engine import r1_table

SCOPE = RegionScope.of("522326")
R2 = ["R2-INC-01", "R2-INC-02", "R2-SUD-01"]


def test_a_given_r1_gives_the_same_alerts(data):
    income = r1_table(data.snapshot, SCOPE, period="2025-06")
    computed = run(data.snapshot, data.loaded.tables, SCOPE, period="2025-06", rules=R2)
    assert computed.num_rows > 0
    given = run(data.snapshot, data.loaded.tables, SCOPE, period="2025-06", rules=R2,
                income=income)
    assert given.equals(computed)
    # with R1 given, the income rows and the members are not read
    empty = {**data.snapshot, "incomes": data.snapshot["incomes"].schema.empty_table(),
             "members": data.snapshot["members"].schema.empty_table()}
    assert run(empty, data.loaded.tables, SCOPE, period="2025-06", rules=R2,
               income=income).equals(computed)


def test_alerts_without_sentences_are_the_same_alerts(data):
    full = run(data.snapshot, data.loaded.tables, SCOPE, period="2025-06")
    bare = run(data.snapshot, data.loaded.tables, SCOPE, period="2025-06", render=False)
    text = ["evidence", "sentence_zh", "sentence_en"]
    assert bare.schema == full.schema
    assert bare.drop_columns(text).equals(full.drop_columns(text))
    assert all(bare[c].null_count == bare.num_rows for c in text)
    assert isinstance(bare, pa.Table)
