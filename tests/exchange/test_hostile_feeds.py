"""Hostile and damaged department files: a clear report naming row, column, value and rule,
no table, nothing stored but the original and its report, and never a 500."""

import io
import zipfile

import pytest

from dixian.core.roles import Role
from dixian.engine.feeds import validate
from dixian.exchange.models import FeedBatch

HEADER = "结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"
ROW = "C1,11010519491231002X,住院,2025-03-04,{cost},5000\n"
NAME = "medical_2025-03.csv"


def _problems(data, name=NAME, **kwargs):
    table, report = validate(data, name, "medical", **kwargs)
    assert table is None, "a bad file yields no table"
    assert report.errors and all(p.file == name for p in report.problems)
    return [(p.row, p.column, p.value, p.rule) for p in report.errors]


@pytest.mark.parametrize("cost, rule", [
    ("12345678901234567890", "too_large"),   # 20 digits: past int64, the cast used to raise
    ("2147483648", "too_large"),             # one past the int32 column
    ("-2147483649", "too_large"),
    ("1e400", "type_int"),
])
def test_a_number_too_large_for_its_column_is_named(cost, rule):
    assert _problems((HEADER + ROW.format(cost=cost)).encode()) == [
        (2, "医疗总费用", cost, rule)]


def test_the_largest_number_the_column_holds_reaches_the_declared_range_check():
    # int32's largest value is storable: only the declared range (0..5,000,000) refuses it
    assert _problems((HEADER + ROW.format(cost="2147483647")).encode()) == [
        (2, "医疗总费用", "2147483647", "range")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_the_encodings_chinese_excel_writes_are_read(encoding):
    table, report = validate((HEADER + ROW.format(cost="100")).encode(encoding), NAME,
                             "medical")
    assert report.ok and table["visit_type"].to_pylist() == ["inpatient"]


@pytest.mark.parametrize("data, expected", [
    (b"", [(None, None, None, "no_header")]),
    ((HEADER + "C1,1,2\n").encode(), [(2, None, "3 fields", "ragged_row")]),
    ((HEADER + ",".join(["x"] * 1_000_000) + "\n").encode(),
     [(2, None, "1000000 fields", "ragged_row")]),
    ((",".join(f"c{i}" for i in range(100_000)) + "\n").encode(),
     [(1, None, "100000 columns", "too_many_columns")]),
    (b"\x80\xff\xff,\xff\n", [(None, None, "80ffff2cff0a", "encoding")]),
])
def test_a_structurally_bad_csv_is_named(data, expected):
    assert _problems(data) == expected


@pytest.mark.parametrize("data", [b"PK\x03\x04 broken", b"not a zip", b""])
def test_a_corrupt_workbook_is_refused(data):
    assert [p[3] for p in _problems(data, "medical_2025-03.xlsx")] == ["not_xlsx"]


def test_a_zip_bomb_disguised_as_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 << 20))
    assert [p[3] for p in _problems(buffer.getvalue(), "medical_2025-03.xlsx")] == [
        "archive_too_large"]


def test_a_malformed_period_is_a_problem_not_a_crash():
    assert (None, None, "abc", "period") in _problems(
        (HEADER + ROW.format(cost="100")).encode(), period="abc")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
def test_hostile_feeds_through_the_page_and_the_api_are_reports(client, users, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users[Role.DEPARTMENT_OFFICER])
    for name, data in [(NAME, (HEADER + ROW.format(cost="9" * 20)).encode()),
                       ("medical_2025-03.xlsx", b"PK\x03\x04"), (NAME, b"")]:
        api = client.post("/api/exchange/feeds", {"file": SimpleUploadedFile(name, data)})
        assert api.status_code == 200, api.content[:300]
        assert api.json()["status"] == "rejected"
        page = client.post("/feeds/", {"file": SimpleUploadedFile(name, data)})
        assert page.status_code in (200, 302)
    api = client.post("/api/exchange/feeds?period=abc",
                      {"file": SimpleUploadedFile(NAME, (HEADER + ROW.format(cost="1"))
                                                  .encode())})
    assert api.status_code == 200 and api.json()["status"] == "rejected"
    assert not FeedBatch.objects.filter(status=FeedBatch.Status.ACCEPTED).exists()
    assert all(not b.parquet for b in FeedBatch.objects.all())
