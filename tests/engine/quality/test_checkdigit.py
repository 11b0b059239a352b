"""The GB 11643 check digit as the rules compute it (portable SQL arithmetic), against known
IDs and against the vectorised reference in ``dixian.engine.identity``."""

from __future__ import annotations

import ibis
import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from dixian.engine import identity
from dixian.engine.quality import derive

from ._records import Case

#: valid IDs: the GB 11643 standard's example, a widely published sample, and the
#: identity module's doctest (checked by hand with the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2)
KNOWN_VALID = ["11010519491231002X", "110101199003074477",
               "522326198002290268"]


def _sql_check_chars(ids: list[str]) -> list[str]:
    t = ibis.memtable(pa.table({"id": pa.array(ids, pa.string())}))
    a = t.id.substr(0, 9).try_cast("int64")
    b = t.id.substr(9, 8).try_cast("int64")
    return t.select(c=derive._check_char(a, b)).to_pyarrow()["c"].to_pylist()


def test_known_valid_ids():
    assert all(identity.is_valid(i) for i in KNOWN_VALID)
    assert _sql_check_chars(KNOWN_VALID) == [i[17] for i in KNOWN_VALID]


def test_every_wrong_check_character_is_caught():
    base = "11010519491231002"
    wrong = [base + ch for ch in identity.CHECK_CHARS if ch != "X"]
    assert _sql_check_chars(wrong) == ["X"] * len(wrong)
    c = Case().set_member(1, resident_id=base + "1", birth_date="1949-12-31", sex="F")
    assert [f["member_id"][-2:] for f in c.fired("DQ-IDN-02")] == ["01"]
    c.set_member(1, resident_id=base + "X")
    assert c.fired("DQ-IDN-02") == []


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=17, max_size=17), min_size=1,
                max_size=40))
def test_sql_check_digit_equals_the_reference(first17):
    ref = identity.check_chars(first17).astype(str).tolist()
    assert _sql_check_chars([f + "0" for f in first17]) == ref


def test_many_generated_ids_are_valid():
    rng = np.random.default_rng(0)
    n = 2000
    births = np.datetime64("1930-01-01") + rng.integers(0, 30000, n).astype("timedelta64[D]")
    ids = identity.make_ids(np.full(n, "522326"), births, rng.integers(0, 499, n),
                            rng.random(n) < 0.5).to_pylist()
    assert _sql_check_chars(ids) == [i[17] for i in ids]
