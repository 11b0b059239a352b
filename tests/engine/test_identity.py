"""GB 11643 resident IDs: check characters, validity rules, extraction, generation."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dixian.engine import identity

# The two worked examples printed in GB 11643-1999 (Beijing 1949, Guangdong 1880).
PUBLISHED = ["11010519491231002X", "440524188001010014"]


def test_published_examples_are_valid():
    for value in PUBLISHED:
        assert identity.is_valid(value), value
        assert identity.check_char(value[:17]) == value[17]
    assert identity.birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert identity.sex("11010519491231002X") == "F"
    assert identity.birth_date("440524188001010014") == dt.date(1880, 1, 1)
    assert identity.sex("440524188001010014") == "M"


def test_statuses():
    values = ["11010519491231002X", "110105194912310021", "11010519491231002x",
              "999999194912310021", None, "", "1101051949123100", "11010519491331002X",
              "1101051949123100AX", "11010519491231002X12", "11010519491231002X1234",
              "11010519491231002X1"]
    assert identity.id_status(values).tolist() == [
        "ok", "bad_checksum", "bad_checksum", "no_id", "missing", "missing", "bad_length",
        "bad_date", "bad_chars", "ok", "ok", "bad_length"]


def test_dates_must_exist_and_not_be_in_the_future():
    assert identity.status("110105190002290011") == "bad_date"  # 1900 was not a leap year
    future = identity.make_id("110105", "2030-01-01", 0, "M")
    assert identity.status(future, today=dt.date(2026, 1, 1)) == "bad_date"
    assert identity.status(future, today=dt.date(2030, 1, 1)) == "ok"


def test_accepts_every_array_kind():
    values = ["11010519491231002X", "110105194912310021"]
    expected = [True, False]
    kinds = [values, np.array(values), np.array(values, dtype="S18"), np.array(values, object),
             pa.array(values), pa.chunked_array([values[:1], values[1:]]), pl.Series(values),
             pa.array(values, pa.large_string())]
    for kind in kinds:
        assert identity.is_valid_array(kind).tolist() == expected, type(kind)


def test_make_ids_unique_valid_and_roundtrip():
    births = np.array(["1990-01-01", "1990-01-01", "2000-02-29", "1955-12-31"], "datetime64[D]")
    ids = identity.make_ids(["522326"] * 4, births, [0, 0, 5, 498], ["M", "F", "F", "M"])
    assert identity.is_valid_array(ids).all()
    assert len(set(ids.to_pylist())) == 4
    assert (identity.birth_dates(ids) == births).all()
    assert identity.sexes(ids).tolist() == ["M", "F", "F", "M"]
    assert ids.to_pylist()[0].startswith("522326199001010")
    with pytest.raises(ValueError):
        identity.make_ids(["522326"], births[:1], [499], ["M"])


ids_strategy = st.builds(
    lambda area, days, seq, male: identity.make_id(
        str(area), dt.date(1900, 1, 1) + dt.timedelta(days=days), seq, "M" if male else "F"),
    st.integers(110000, 659999), st.integers(0, 45000), st.integers(0, 498), st.booleans())


@settings(max_examples=200, deadline=None)
@given(ids_strategy, st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_detected(value, pos, delta):
    assert identity.is_valid(value)
    changed = value[:pos] + str((int(value[pos]) + delta) % 10) + value[pos + 1:]
    assert not identity.is_valid(changed)


@settings(max_examples=200, deadline=None)
@given(ids_strategy, st.integers(0, 15))
def test_adjacent_transpositions_are_detected(value, pos):
    if value[pos] == value[pos + 1]:
        return
    swapped = value[:pos] + value[pos + 1] + value[pos] + value[pos + 2:]
    assert not identity.is_valid(swapped)


@settings(max_examples=50, deadline=None)
@given(st.lists(ids_strategy, min_size=1, max_size=30))
def test_polars_and_sql_agree_with_numpy(values):
    expected = [v[17] for v in values]
    got_pl = pl.DataFrame({"id": values}).select(
        identity.polars_check_char(pl.col("id")).alias("c"))["c"].to_list()
    assert got_pl == expected
    con = duckdb.connect()
    con.register("t", pa.table({"id": values}))
    got_sql = [r[0] for r in con.sql(
        f"select {identity.sql_check_char('id')} from t").fetchall()]
    assert got_sql == expected
    assert [c.decode() for c in identity.check_chars([v[:17] for v in values]).tolist()] \
        == expected
