"""Feed validation: types, codes, Chinese headers, per-row problems, duplicates, matching."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dixian.engine import identity
from dixian.engine.feeds import FEEDS, add_tokens, arrow_schema, match, validate
from dixian.engine.feeds.synthetic import file_bytes

ID1 = identity.make_id("522326", "1970-05-01", 3, "M")
ID2 = identity.make_id("522326", "1985-11-20", 7, "F")
HEAD = "结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"


def _csv(*rows: str, head: str = HEAD) -> bytes:
    return (head + "\n".join(rows) + "\n").encode("utf-8")


def test_every_schema_declares_its_keys_dates_and_people():
    for dept, f in FEEDS.items():
        names = f.names
        assert all(k in names for k in f.key), dept
        assert f.date_column in names, dept
        assert f.person_column is None or f.person_column in names, dept
        assert f.village_column is None or f.village_column in names, dept
        assert f.person_column or f.village_column, dept
        s = arrow_schema(dept)
        assert s.names[-2:] == ["batch_month", "source_row"]
    assert {"medical", "civil_affairs", "disability", "education", "housing", "water",
            "emergency", "hr_social_security", "public_security", "assets"} <= set(FEEDS)


def test_a_good_csv_with_chinese_headers_and_labels():
    t, r = validate(_csv(f"C1,{ID1},住院,2025/3/4,\"23,400\",5000",
                         f"C2,{ID2},outpatient,20250305,300,90"), "医保_2025-03.csv", "medical")
    assert r.ok and r.problems == []
    assert t.schema == arrow_schema("medical")
    assert t["visit_type"].to_pylist() == ["inpatient", "outpatient"]
    assert t["total_cost"].to_pylist() == [23400, 300]
    assert [str(d) for d in t["settle_date"].to_pylist()] == ["2025-03-04", "2025-03-05"]
    assert t["batch_month"].to_pylist() == ["2025-03", "2025-03"]
    assert t["source_row"].to_pylist() == [2, 3]


def test_gbk_csv_is_read():
    data = _csv(f"C1,{ID1},住院,2025-03-04,100,50").decode().encode("gb18030")
    t, r = validate(data, "medical_2025-03.csv", "medical")
    assert r.ok and t.num_rows == 1


@pytest.mark.parametrize("row, column, value, rule", [
    (f"C1,{ID1},住院,2025-02-30,100,50", "结算日期", "2025-02-30", "type_date"),
    (f"C1,{ID1},住院,2025-03-04,一百,50", "医疗总费用", "一百", "type_int"),
    (f"C1,{ID1},急诊,2025-03-04,100,50", "就诊类型", "急诊", "code"),
    (f"C1,{ID1[:-1]}{'0' if ID1[-1] != '0' else '1'},住院,2025-03-04,100,50", "身份证号码",
     None, "id_format"),
    (f"C1,{ID1},住院,2025-04-01,100,50", "结算日期", "2025-04-01", "future"),
    (f"C1,{ID1},住院,2025-03-04,-5,50", "医疗总费用", "-5", "range"),
    (f",{ID1},住院,2025-03-04,100,50", "结算编号", None, "required"),
])
def test_a_bad_cell_rejects_the_file_and_is_reported(row, column, value, rule):
    good = f"C9,{ID2},住院,2025-03-09,100,50"
    t, r = validate(_csv(good, row), "medical_2025-03.csv", "medical")
    assert t is None and not r.ok
    [p] = r.errors
    assert (p.file, p.row, p.column, p.rule) == ("medical_2025-03.csv", 3, column, rule)
    if value is not None:
        assert p.value == value
    assert "第3行" in p.message_zh and "row 3" in p.message_en


def test_missing_required_column_and_unknown_column():
    t, r = validate(_csv(f"C1,{ID1},住院,2025-03-04,100", head="结算编号,身份证号码,就诊类型,"
                         "结算日期,备注\n"), "medical_2025-03.csv", "medical")
    assert t is None
    rules = {(p.rule, p.column) for p in r.problems}
    assert ("missing_column", "total_cost") in rules
    assert ("missing_column", "oop_compliant") in rules
    assert ("unknown_column", "备注") in rules


def test_duplicates_and_late_records():
    row = f"C1,{ID1},住院,2025-03-04,100,50"
    t, r = validate(_csv(row, row, f"C2,{ID2},住院,2025-01-30,80,20"), "medical_2025-03.csv",
                    "medical")
    assert r.ok and t.num_rows == 2  # the exact duplicate is kept once
    assert [(p.row, p.rule) for p in r.warnings] == [(3, "duplicate_record"), (4, "late")]
    t, r = validate(_csv(row, f"C1,{ID1},住院,2025-03-04,999,50"), "medical_2025-03.csv",
                    "medical")
    assert t is None and {p.rule for p in r.errors} == {"duplicate_key"}


def test_no_period_and_unknown_format():
    t, r = validate(_csv(f"C1,{ID1},住院,2025-03-04,100,50"), "medical.csv", "medical")
    assert t is None and r.errors[0].rule == "period"
    t, r = validate(b"x", "medical_2025-03.doc", "medical")
    assert t is None and r.errors[0].rule == "format"
    t, r = validate(b"\x00\x01garbage", "medical_2025-03.xlsx", "medical")
    assert t is None and r.errors[0].rule == "not_xlsx"


@pytest.mark.parametrize("fmt, lang", [("xlsx", "zh"), ("parquet", "en"), ("csv", "zh")])
def test_the_three_formats_give_the_same_table(fmt, lang):
    df = pd.DataFrame({"record_id": ["M1", "M2"], "resident_id": [ID1, ID2],
                       "name": ["张三", "李四"], "benefit": ["dibao", "temporary_assistance"],
                       "change": ["new", "granted"],
                       "effective_date": pd.to_datetime(["2025-03-02", "2025-03-15"]).date,
                       "amount": [500, 2000], "reason": ["因病", None],
                       "village_code": ["522326100201", "522326100202"]})
    t, r = validate(file_bytes("civil_affairs", df, fmt, lang), f"civil_affairs_2025-03.{fmt}",
                    "civil_affairs")
    assert r.ok, [p.message_en for p in r.problems]
    assert t["benefit"].to_pylist() == ["dibao", "temporary_assistance"]
    assert t["amount"].to_pylist() == [500, 2000]
    assert t["reason"].to_pylist() == ["因病", None]
    assert [str(d) for d in t["effective_date"].to_pylist()] == ["2025-03-02", "2025-03-15"]


def test_match_keeps_and_reports_unmatched_records():
    feed, _ = validate(_csv(f"C1,{ID1},住院,2025-03-04,100,50", f"C2,{ID2},住院,2025-03-05,1,1",
                            f"C3,{identity.make_id('522326', '1990-01-01', 1, 'M')},住院,"
                            "2025-03-06,1,1"), "medical_2025-03.csv", "medical")
    members = pa.table({"member_id": ["H1-01", "H2-01", "H3-01"],
                        "household_code": ["H1", "H2", "H3"],
                        "resident_id": [ID1, ID2, ID2]})  # ID2 twice in the registry
    tok = str.upper
    m, rep = match(add_tokens(feed, tok), add_tokens(members, tok))
    assert m.num_rows == 3
    assert m["match_status"].to_pylist() == ["matched", "ambiguous", "unmatched"]
    assert m["member_id"].to_pylist() == ["H1-01", None, None]
    assert rep.matched == 1 and rep.unmatched["claim_id"].to_pylist() == ["C2", "C3"]


def test_parquet_with_native_types():
    t = pa.table({"claim_id": ["C1"], "resident_id": [ID1], "visit_type": ["inpatient"],
                  "settle_date": pa.array([pd.Timestamp("2025-03-04").date()], pa.date32()),
                  "total_cost": pa.array([100], pa.int64()), "oop_compliant": [50]})
    buf = io.BytesIO()
    pq.write_table(t, buf)
    out, r = validate(buf.getvalue(), "medical_2025-03.parquet", "medical")
    assert r.ok and out["total_cost"].to_pylist() == [100]


def test_iso_and_other_date_spellings_in_one_file():
    t, r = validate(_csv(f"C1,{ID1},住院,2025-03-04,1,1", f"C2,{ID1},住院,2025年3月5日,1,1",
                         f"C3,{ID1},住院,2025-3-6,1,1", f"C4,{ID1},住院,2025-03-07 10:30:00,1,1",
                         f"C5,{ID1},住院,2025-03-08,1,1"), "medical_2025-03.csv", "medical")
    assert r.ok, [p.message_en for p in r.problems]
    assert [str(d) for d in t["settle_date"].to_pylist()] == [
        "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07", "2025-03-08"]
    t, r = validate(_csv(f"C1,{ID1},住院,2025-03-04,1,1", f"C2,{ID1},住院,2025年2月30日,1,1"),
                    "medical_2025-03.csv", "medical")
    assert t is None and [(p.row, p.value, p.rule) for p in r.errors] == [
        (3, "2025年2月30日", "type_date")]


def test_a_file_that_does_not_parse_is_unreadable():
    t, r = validate(_csv(f"C1,{ID1},住院,2025-03-04,1"), "medical_2025-03.csv", "medical")
    assert t is None and (r.errors[0].rule, r.errors[0].row) == ("ragged_row", 2)


def test_tokens_once_per_distinct_id_nulls_kept():
    calls = []

    def tok(v):
        calls.append(v)
        return v.lower()

    t = add_tokens(pa.table({"resident_id": ["B", None, "A", "B", "A", None]}), tok)
    assert t["id_token"].to_pylist() == ["b", None, "a", "b", "a", None]
    assert calls == ["B", "A"]


def test_match_keeps_the_feed_columns_and_types():
    feed, _ = validate(_csv(f"C1,{ID1},住院,2025-03-04,100,50"), "medical_2025-03.csv",
                       "medical")
    members = add_tokens(pa.table({"member_id": ["H1-01"], "household_code": ["H1"],
                                   "resident_id": [ID1]}), str.upper)
    feed = add_tokens(feed, str.upper)
    m, _ = match(feed, members)
    assert m.column_names == feed.column_names + ["member_id", "household_code",
                                                  "match_status"]
    assert m.schema.types[:feed.num_columns] == feed.schema.types
    assert m.select(feed.column_names).to_pylist() == feed.to_pylist()
