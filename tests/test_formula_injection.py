"""Every CSV and XLSX Dixian writes keeps spreadsheet formulas out: a member named
``=HYPERLINK("http://x","y")`` comes out as text through the registry export (both layouts,
XLSX and CSV), the rejected-rows file, the evaluation sample, the statistics tables and the
report workbook; and a registry export imports back to the same name."""

import csv
import io
import zipfile

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from dixian.core.roles import Role
from dixian.engine import schema
from dixian.engine.scope import RegionScope
from dixian.engine.spreadsheet import FORMULA_PREFIXES, safe_cell
from dixian.registry import importing, snapshot
from dixian.registry.models import Member
from tests.conftest import COUNTY
from tests.registry.builders import households_and_members

EVIL = '=HYPERLINK("http://x","y")'
SCOPE = RegionScope.of("522326")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _tables():
    tables = households_and_members(2)
    rows = tables["members"].to_pylist()
    rows[0]["name"] = EVIL
    rows[1]["name"] = "+1+cmd|' /C calc'!A0"
    rows[2]["name"] = "@SUM(1)"
    tables["members"] = schema.conform(pa.Table.from_pylist(rows), "members")
    return tables


def _assert_text(value):
    """No cell a spreadsheet would evaluate."""
    if isinstance(value, str):
        assert not value.startswith(FORMULA_PREFIXES) or value.lstrip("+-").replace(
            ".", "", 1).isdigit(), value


def _xlsx_cells(data: bytes):
    book = load_workbook(io.BytesIO(data))  # not read-only: data_type is the cell's own
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                _assert_text(cell.value)
                yield cell.value


def _csv_cells(text: str):
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        for value in row:
            _assert_text(value)
            yield value


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_each_formula_prefix_is_neutralised(prefix):
    assert safe_cell(prefix + "1+1") == "'" + prefix + "1+1"
    assert safe_cell("a" + prefix) == "a" + prefix


@pytest.mark.django_db
@pytest.mark.parametrize("file_layout", ["national", "dixian"])
def test_the_registry_export_writes_the_name_as_text_and_imports_it_back(county_regions,
                                                                        file_layout):
    tables = _tables()
    workbook = snapshot.export(tables, fmt="xlsx", file_layout=file_layout)
    assert "'" + EVIL in list(_xlsx_cells(workbook))
    archive = zipfile.ZipFile(io.BytesIO(snapshot.export(tables, fmt="csv",
                                                         file_layout=file_layout)))
    names = [v for n in archive.namelist() for v in _csv_cells(archive.read(n).decode())]
    assert "'" + EVIL in names
    outcome = importing.import_file(workbook, "back.xlsx", scope=SCOPE)
    assert outcome.applied, outcome.problems[:3]
    assert Member.objects.get(member_id="5223261012010001-01").name == EVIL


@pytest.mark.django_db
def test_the_rejected_rows_file_writes_the_name_as_text(county_regions):
    tables = _tables()
    rows = tables["members"].to_pylist()
    rows[0]["birth_date"] = None
    data = snapshot.export(tables, fmt="xlsx", file_layout="national")
    book = load_workbook(io.BytesIO(data))
    book["家庭成员信息"]["G2"] = "1975-13-45"  # the evil member's birth date: not a date
    out = io.BytesIO()
    book.save(out)
    outcome = importing.import_file(out.getvalue(), "bad.xlsx", scope=SCOPE,
                                    valid_rows_only=True)
    rejected = outcome.batch.error_file.read().decode("utf-8-sig")
    assert "'" + EVIL in list(_csv_cells(rejected))


@pytest.mark.django_db
def test_the_evaluation_sample_writes_the_head_as_text(client, users):
    from tests.statistics.builders import build_county

    build_county()
    Member.objects.filter(relation_to_head="head").update(name=EVIL)
    from tests.conftest import make_user

    # the sample is drawn from above the county (evaluation independence)
    client.force_login(make_user(Role.ANALYST, COUNTY[:4], username="prefecture-evaluator"))
    client.post(f"/statistics/{COUNTY}/evaluation/draw/",
                {"county": COUNTY, "villages": 2, "households": 8, "seed": 3})
    client.force_login(users[Role.COUNTY_APPROVER])  # who sees the heads' names in full
    sheet = client.get(f"/statistics/{COUNTY}/evaluation/sample.xlsx")
    assert "'" + EVIL in list(_xlsx_cells(sheet.content))
    text = client.get(f"/statistics/{COUNTY}/evaluation/sample.csv").content.decode()
    assert "'" + EVIL in list(_csv_cells(text))


def test_the_report_workbook_and_statistics_csv_write_text(tmp_path):
    from dixian.engine.reports import Report, ReportTable, Section, write_xlsx
    from dixian.engine.reports.model import Column

    table = ReportTable(EVIL, [Column("name"), Column("n", kind="integer")],
                        [[EVIL, 1], ["-3", -3]])
    report = Report(EVIL, "=region()", "2025-05", [Section("@s", paragraphs=["-p"],
                                                           tables=[table])], notes=["+n"])
    path = write_xlsx(report, tmp_path / "r.xlsx")
    cells = list(_xlsx_cells(path.read_bytes()))
    assert "'" + EVIL in cells and -3 in cells and "'-p" in cells


def test_the_relocation_workbook_writes_a_site_name_as_text(users):
    from datetime import date

    from dixian.regional import exports
    from tests.regional.builders import site_with_households

    site, _items = site_with_households(users, 1, name=EVIL)
    values = list(_xlsx_cells(exports.workbook(COUNTY, date.today())))
    assert any(isinstance(v, str) and v.endswith(EVIL) for v in values)
    assert site.name == EVIL
