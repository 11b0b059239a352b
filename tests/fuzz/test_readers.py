"""Property-based fuzzing of the two file readers (Hypothesis): the registry import
(`registry.reading.read`, and `importing.import_file` against the database) and the
departmental feeds (`engine.feeds.validate`).

Inputs start from valid files and are damaged the ways real files are: another encoding
(UTF-8 with and without BOM, GBK, GB18030, UTF-16), a cell replaced by a huge, formula,
control-character or random Unicode value, a row lengthened or cut, bytes flipped or the file
truncated; workbooks with formula cells, flipped bytes and truncation.

Properties: the readers never raise; a file with errors yields no table (feeds) or is
rejected whole with nothing written (registry); every problem names the file and a rule.
CI-sized by default; ``make fuzz`` sets ``DIXIAN_FUZZ_EXAMPLES`` for a longer run.
"""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dixian.engine import feeds
from dixian.engine.feeds.validate import RULES
from dixian.registry import reading, snapshot
from tests.registry.builders import households_and_members

EXAMPLES = int(os.environ.get("DIXIAN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"]
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(['=HYPERLINK("http://x","y")', "+1+1", "-2-3", "@SUM(A1)", "\t=1",
                     "\r=1", '"', '""', "a\nb", "\x00", "\ufeff", "1" * 40, "9" * 20,
                     "1e400", "NaN", "-0", "２０２５-０３-０４", "是", "否"]),
    st.builds(lambda n: "寨" * n, st.integers(0, 20_000)),
)


def _national_csv_text() -> str:
    archive = zipfile.ZipFile(io.BytesIO(snapshot.export(
        {k: v for k, v in households_and_members(3).items() if k == "members"},
        fmt="csv", file_layout="national")))
    return archive.read(archive.namelist()[0]).decode("utf-8-sig")


REGISTRY_CSV = _national_csv_text()
REGISTRY_XLSX = snapshot.export(households_and_members(2), fmt="xlsx", file_layout="national")
FEED_CSV = ("结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"
            "C1,11010519491231002X,住院,2025-03-04,23400,5000\n"
            "C2,11010519491231002X,门诊,2025-03-05,400,100\n")


@st.composite
def damaged_csv(draw, text: str) -> bytes:
    rows = [line.split(",") for line in text.splitlines()]
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(CELLS)
    if draw(st.booleans()):
        r = draw(st.integers(0, len(rows) - 1))
        extra = draw(st.integers(-len(rows[r]) + 1, 50))
        rows[r] = rows[r][:extra] if extra < 0 else rows[r] + ["x"] * extra
    body = "\n".join(",".join(row) for row in rows) + "\n"
    data = body.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.integers(0, 4)) == 0:
        data = data[:draw(st.integers(0, 10**6)) % (len(data) + 1)]
    for _ in range(draw(st.integers(0, 2))):
        if data:
            i = draw(st.integers(0, 10**6)) % len(data)
            data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    return data


@st.composite
def damaged_xlsx(draw, data: bytes) -> bytes:
    from openpyxl import load_workbook

    if draw(st.booleans()):
        book = load_workbook(io.BytesIO(data))
        sheet = book.worksheets[draw(st.integers(0, len(book.worksheets) - 1))]
        for _ in range(draw(st.integers(1, 3))):
            cell = sheet.cell(draw(st.integers(1, 5)), draw(st.integers(1, 30)))
            value = draw(CELLS)
            cell.value = "".join(ch for ch in value if ch >= " " or ch in "\t\n")[:32000]
        if draw(st.booleans()):
            sheet.cell(2, 3).value = "=1/0"  # a formula cell (no cached value)
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    # positions are drawn independently of the file's length: a saved workbook carries its
    # time stamp, so its length may differ between two runs of the same example
    if draw(st.integers(0, 3)) == 0:
        data = data[:draw(st.integers(0, 10**6)) % (len(data) + 1)]
    for _ in range(draw(st.integers(0, 3))):
        if data:
            i = draw(st.integers(0, 10**6)) % len(data)
            data = data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1:]
    return data


def _registry_read_holds(data: bytes, name: str):
    result = reading.read(data, name)  # must not raise
    for p in result.problems:
        assert p.file == name and p.rule and p.message
    return result


@FUZZ
@given(damaged_csv(REGISTRY_CSV))
def test_the_registry_reader_never_crashes_on_a_damaged_csv(data):
    _registry_read_holds(data, "家庭成员信息.csv")


@FUZZ
@given(damaged_xlsx(REGISTRY_XLSX))
def test_the_registry_reader_never_crashes_on_a_damaged_workbook(data):
    _registry_read_holds(data, "户信息.xlsx")


def _feed_holds(data: bytes, name: str):
    table, report = feeds.validate(data, name, "medical")  # must not raise
    assert all(p.rule in RULES and p.file == name for p in report.problems)
    assert (table is None) == bool(report.errors)
    if table is not None:
        assert table.num_rows <= report.rows


@FUZZ
@given(damaged_csv(FEED_CSV))
def test_the_feed_reader_never_crashes_on_a_damaged_csv(data):
    _feed_holds(data, "medical_2025-03.csv")


@FUZZ
@given(damaged_xlsx(REGISTRY_XLSX))
def test_the_feed_reader_never_crashes_on_a_damaged_workbook(data):
    _feed_holds(data, "medical_2025-03.xlsx")


@pytest.mark.django_db
@settings(max_examples=max(EXAMPLES // 4, 5), deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.one_of(damaged_csv(REGISTRY_CSV).map(lambda d: ("家庭成员信息.csv", d)),
                 damaged_xlsx(REGISTRY_XLSX).map(lambda d: ("户信息.xlsx", d))))
def test_an_import_applies_whole_or_writes_nothing(county_regions, settings, tmp_path, item):
    from dixian.engine.scope import RegionScope
    from dixian.registry import importing
    from dixian.registry.models import FieldChange, Household, ImportBatch, Member

    settings.MEDIA_ROOT = tmp_path / "media"
    name, data = item
    before = (Household.objects.count(), Member.objects.count(), FieldChange.objects.count())
    outcome = importing.import_file(data, name, scope=RegionScope.of("522326"))
    if outcome.batch.status == ImportBatch.Status.REJECTED:
        assert (Household.objects.count(), Member.objects.count(),
                FieldChange.objects.count()) == before
        assert outcome.problems
