"""The measures board's bulk file: GBK text is read; a zip bomb, an undecodable or empty
file is a clear error naming the file (and the row), never a crash."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from dixian.assistance.actions import _read_rows

HEADER = "措施编号,状态\n"


def test_a_gbk_csv_is_read():
    rows = _read_rows((HEADER + "12,已落实\n").encode("gbk"), "board.csv")
    assert rows == [(2, {"id": "12", "status": "已落实"})]


@pytest.mark.parametrize("data, name, says", [
    (b"", "board.csv", "empty"),
    (b"\x80\xff\xff,\xff\n", "board.csv", "UTF-8, GBK or GB18030"),
    ((HEADER + "1,2,3\n").encode(), "board.csv", "row 2"),
    (b"PK\x03\x04 broken", "board.xlsx", "not an Excel workbook"),
])
def test_a_bad_bulk_file_is_a_clear_error(data, name, says):
    with pytest.raises(ValidationError) as raised:
        _read_rows(data, name)
    assert name in str(raised.value) and says in str(raised.value)


def test_a_zip_bomb_is_refused_before_unpacking():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 << 20))
    with pytest.raises(ValidationError) as raised:
        _read_rows(buffer.getvalue(), "board.xlsx")
    assert "zip bomb" in str(raised.value)
