"""Files a registry import must refuse cleanly (or read correctly): encodings Chinese Excel
writes, damaged and hostile workbooks, ragged and empty CSVs, cells no column can hold.

Every bad file is rejected whole, with a problem naming the file, row, rule and value, and
nothing reaches the registry; through the page and the API it is a report, never a 500."""

import io
import zipfile

import pyarrow as pa
import pytest

from dixian.core.roles import Role
from dixian.engine import filecheck, schema
from dixian.engine.scope import RegionScope
from dixian.registry import importing, snapshot
from dixian.registry.models import Household, ImportBatch, Member
from tests.registry.builders import households_and_members

COUNTY_SCOPE = RegionScope.of("522326")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _national_csv(n=2, **changes) -> str:
    tables = households_and_members(n)
    if changes:
        rows = tables["households"].to_pylist()
        rows[0].update(changes)
        tables["households"] = schema.conform(pa.Table.from_pylist(rows), "households")
    archive = zipfile.ZipFile(io.BytesIO(snapshot.export(
        {"households": tables["households"]}, fmt="csv", file_layout="national")))
    name = next(n for n in archive.namelist() if n.startswith("户信息"))
    return archive.read(name).decode("utf-8-sig")


def _empty_registry():
    from dixian.registry.models import FieldChange, Income

    for model in (FieldChange, Income, Member, Household):
        model.objects.all().delete()


def _rejected(data: bytes, name: str):
    outcome = importing.import_file(data, name, scope=COUNTY_SCOPE)
    assert outcome.batch.status == ImportBatch.Status.REJECTED, outcome.problems
    assert Household.objects.count() == 0 and Member.objects.count() == 0
    assert outcome.batch.original.read() == data  # the original is kept
    assert outcome.problems and all(p.file == name for p in outcome.problems)
    return outcome.problems


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_the_encodings_chinese_excel_writes_are_read(county_regions, encoding):
    text = _national_csv(2, natural_village="䶮家寨" if encoding == "gb18030" else "岩脚寨")
    outcome = importing.import_file(text.encode(encoding), "户信息.csv", scope=COUNTY_SCOPE)
    assert outcome.batch.status == ImportBatch.Status.APPLIED, outcome.problems[:3]
    village = Household.objects.get(code="5223261012010001").natural_village
    assert village == ("䶮家寨" if encoding == "gb18030" else "岩脚寨")


@pytest.mark.django_db
def test_bytes_that_are_no_known_text_encoding_are_refused(county_regions):
    problems = _rejected(b"\xff\xfe\x00" * 0 + b"\x80\xff\xff,\xff\n", "x.csv")
    assert problems[0].rule == "file.encoding"


@pytest.mark.django_db
@pytest.mark.parametrize("data", [b"PK\x03\x04not really a zip", b"hello", b"",
                                  b"PK\x05\x06" + b"\x00" * 18])
def test_a_corrupt_workbook_is_refused(county_regions, data):
    problems = _rejected(data, "户信息.xlsx")
    assert problems[0].rule == "file.not_xlsx"


@pytest.mark.django_db
def test_a_truncated_workbook_is_refused(county_regions):
    data = snapshot.export(households_and_members(2), fmt="xlsx", file_layout="national")
    problems = _rejected(data[: len(data) // 2], "户信息.xlsx")
    assert problems[0].rule == "file.not_xlsx"


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_is_refused(county_regions):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert _rejected(buffer.getvalue(), "户信息.xlsx")[0].rule == "file.not_xlsx"


def _bomb(part_bytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * part_bytes)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_zip_bomb_disguised_as_a_workbook_is_refused_before_unpacking(county_regions):
    data = _bomb(8 << 20)  # 8 MiB of spaces pack into a few KiB
    assert len(data) < 64 << 10
    problem = _rejected(data, "户信息.xlsx")[0]
    assert problem.rule == "file.archive_too_large"
    assert "sheet1.xml" in problem.message


@pytest.mark.django_db
def test_the_unpacked_size_of_a_workbook_is_capped(county_regions, monkeypatch):
    data = snapshot.export(households_and_members(2), fmt="xlsx", file_layout="national")
    unpacked = sum(p.file_size for p in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setitem(filecheck.LIMITS, "max_xlsx_unpacked_bytes", unpacked - 1)
    assert _rejected(data, "b.xlsx")[0].rule == "file.archive_too_large"
    monkeypatch.setitem(filecheck.LIMITS, "max_xlsx_unpacked_bytes", unpacked)
    assert importing.import_file(data, "a.xlsx", scope=COUNTY_SCOPE).applied  # at the limit


@pytest.mark.django_db
def test_a_workbook_row_too_wide_is_refused(county_regions, monkeypatch):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "户信息"
    sheet.append(["户编号", "行政区划代码"])
    sheet.append(["5223261012010001", "522326101201", *["x"] * 600])
    buffer = io.BytesIO()
    workbook.save(buffer)
    problem = _rejected(buffer.getvalue(), "wide.xlsx")[0]
    assert (problem.rule, problem.row, problem.sheet) == ("file.too_many_columns", 2, "户信息")


@pytest.mark.django_db
@pytest.mark.parametrize("text, rule, row", [
    ("", "file.empty", 0),
    ("\n", "file.empty", 0),
])
def test_an_empty_csv_is_refused(county_regions, text, rule, row):
    problem = _rejected(text.encode(), "户信息.csv")[0]
    assert (problem.rule, problem.row) == (rule, row)


@pytest.mark.django_db
def test_a_header_without_rows_is_an_empty_table_not_an_error(county_regions):
    # what the export writes for a table with no rows: it imports back as nothing
    header = _national_csv(1).splitlines()[0] + "\n"
    outcome = importing.import_file(header.encode(), "户信息.csv", scope=COUNTY_SCOPE)
    assert outcome.batch.status == ImportBatch.Status.APPLIED, outcome.problems
    assert outcome.batch.counts["households_new"] == 0


@pytest.mark.django_db
def test_a_ragged_row_is_named(county_regions):
    text = _national_csv(2)
    lines = text.splitlines()
    lines[2] += ",extra,fields"
    problem = _rejected("\n".join(lines).encode(), "户信息.csv")[0]
    assert (problem.rule, problem.row) == ("file.ragged_row", 3)
    assert problem.value.endswith("fields")


@pytest.mark.django_db
def test_a_line_with_a_million_columns_is_refused_quickly(county_regions):
    import time

    started = time.monotonic()
    body = "户编号,行政区划代码\n" + ",".join(["1"] * 1_000_000) + "\n"
    problem = _rejected(body.encode(), "户信息.csv")[0]
    assert (problem.rule, problem.row) == ("file.ragged_row", 2)
    header = ",".join(f"列{i}" for i in range(1_000_000)) + "\n1\n"
    problem = _rejected(header.encode(), "户信息.csv")[0]
    assert (problem.rule, problem.row) == ("file.too_many_columns", 1)
    assert time.monotonic() - started < 20


@pytest.mark.django_db
def test_an_unclosed_quote_and_a_huge_cell_are_named(county_regions):
    text = _national_csv(2)
    lines = text.splitlines()
    problem = _rejected("\n".join([*lines[:2], '"' + lines[2]]).encode(), "户信息.csv")[0]
    assert problem.rule in ("file.csv_syntax", "file.ragged_row")
    huge = "\n".join([lines[0], lines[1] + "," + "x" * 20_000]).encode()
    problem = _rejected(huge, "户信息.csv")[0]
    assert problem.rule in ("file.cell_too_large", "file.ragged_row")


@pytest.mark.django_db
def test_a_nul_character_and_text_too_long_for_its_column_are_refused(county_regions):
    problems = _rejected(_national_csv(2, natural_village="寨\x00子").encode(), "户信息.csv")
    assert ("file.control_character", 2) in {(p.rule, p.row) for p in problems}
    _empty_registry()
    long_name = "寨" * 65  # the column holds 64
    problems = _rejected(_national_csv(2, natural_village=long_name).encode(), "户信息.csv")
    assert ("value.too_long", 2, "natural_village") in {(p.rule, p.row, p.column)
                                                         for p in problems}
    exact = importing.import_file(_national_csv(2, natural_village="寨" * 64).encode(),
                                  "ok.csv", scope=COUNTY_SCOPE)
    assert exact.applied, exact.problems[:3]


@pytest.mark.django_db
def test_hostile_files_through_the_page_and_the_api_are_reports_not_500s(client, users):
    client.force_login(users[Role.COUNTY_ADMIN])
    for name, data in [("户信息.csv", "户编号\n".encode("gbk") + b"\xff\xff\n"),
                       ("户信息.xlsx", b"PK\x03\x04 broken"), ("户信息.xlsx", _bomb(4 << 20)),
                       ("户信息.csv", b""), ("户信息.csv", b"a,b\n1,2,3\n")]:
        page = client.post("/imports/", {"file": _upload(name, data)})
        assert page.status_code in (200, 302), (name, page.status_code)
        api = client.post("/api/registry/imports", {"file": _upload(name, data)})
        assert api.status_code in (200, 400), (name, api.status_code, api.content[:200])
    assert Household.objects.count() == 0


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.django_db
def test_a_multi_region_scope_is_stored_whole_not_cut_to_twelve_characters(county_regions):
    from dixian.core.models import AuditEvent

    scope = RegionScope.of("522326101201", "522326101202")
    data = snapshot.export(households_and_members(1), fmt="xlsx", file_layout="national")
    outcome = importing.import_file(data, "two-villages.xlsx", scope=scope)
    assert outcome.applied, outcome.problems[:3]
    assert outcome.batch.scope_code == "522326101201,522326101202"
    assert RegionScope.from_stored(outcome.batch.scope_code) == scope
    # the audit row carries the smallest region holding both villages: their township
    assert AuditEvent.objects.get(action="registry.import").region_code == "522326101"
