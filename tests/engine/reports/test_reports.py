"""Report rendering: XLSX read back, PDF with the CJK font embedded, pages as PNG, font errors.

The rendered example goes to test-artifacts/reports/ (PDF, XLSX and one PNG per page) so a
person can look at it.
"""

from __future__ import annotations

import ctypes
import math
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image

from dixian.engine.reports import (
    FONT_ENV,
    HEADER_ROW,
    CjkFontError,
    CjkFontNotFoundError,
    Column,
    MissingGlyphsError,
    Report,
    ReportTable,
    Section,
    find_cjk_font,
    render_pdf_pages_to_png,
    sheet_names,
    write_pdf,
    write_xlsx,
)
from dixian.engine.reports import pdf as pdf_module

from ._example import TITLE, TOWNSHIPS, monthly_report

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"


@pytest.fixture(scope="module")
def cjk_font():
    try:
        return find_cjk_font()
    except CjkFontNotFoundError as exc:
        pytest.fail(f"{exc} (run scripts/ensure-browser; make test does)")


@pytest.fixture(scope="module")
def report():
    return monthly_report()


@pytest.fixture(scope="module")
def pdf_path(report, cjk_font):
    return write_pdf(report, ARTIFACTS / "monthly-report.pdf")


@pytest.fixture(scope="module")
def xlsx_path(report):
    return write_xlsx(report, ARTIFACTS / "monthly-report.xlsx")


def _text(path: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(path))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def _fonts(path: Path) -> set[tuple[str, bool]]:
    """(base font name, embedded) of every text object on every page."""
    out = set()
    doc = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(doc)):
            for obj in doc[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
                font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
                buf = ctypes.create_string_buffer(256)
                pdfium_c.FPDFFont_GetBaseFontName(font, buf, 256)
                out.add((buf.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    finally:
        doc.close()
    return out


# ------------------------------------------------------------------ XLSX
def test_xlsx_has_a_cover_and_one_sheet_per_table(report, xlsx_path):
    wb = openpyxl.load_workbook(xlsx_path)
    assert wb.sheetnames == ["报告说明", *sheet_names(report)]
    assert wb.sheetnames[1] == "表1 监测对象按类别统计"
    cover = wb["报告说明"]
    values = [c.value for row in cover.iter_rows() for c in row if c.value is not None]
    assert values[0] == TITLE
    assert "贵州省黔西南布依族苗族自治州望谟县" in values and "2025年6月" in values
    assert any(isinstance(v, str) and v.startswith("截至6月底") for v in values)
    assert "本报告数据为测试示例数据，不代表实际情况。" in values


def test_xlsx_tables_read_back_as_numbers_with_formats(report, xlsx_path):
    wb = openpyxl.load_workbook(xlsx_path)
    for table, name in zip(report.tables(), sheet_names(report), strict=True):
        ws = wb[name]
        assert ws["A1"].value == table.title
        assert ws.freeze_panes == f"A{HEADER_ROW + 1}" == "A4"
        assert [c.value for c in ws[HEADER_ROW]][:len(table.columns)] == \
            [c.header for c in table.columns]
        for i, row in enumerate(table.rows):
            cells = ws[HEADER_ROW + 1 + i]
            for col, value, cell in zip(table.columns, row, cells, strict=False):
                if value is None:
                    assert cell.value is None
                elif col.numeric:
                    assert isinstance(cell.value, (int, float)) and not isinstance(cell.value,
                                                                                    bool)
                    assert cell.value == pytest.approx(value)
                    assert cell.number_format == col.excel_format
                else:
                    assert cell.value == value
        # total rows bold, other rows not
        last = ws[HEADER_ROW + len(table.rows)][0]
        assert last.font.b == bool(table.total_rows)
        if table.note:
            assert ws.cell(HEADER_ROW + len(table.rows) + 2, 1).value == f"注：{table.note}"


def test_xlsx_specific_values_and_widths(xlsx_path):
    wb = openpyxl.load_workbook(xlsx_path)
    ws = wb["表1 监测对象按类别统计"]
    assert [c.value for c in ws[7]] == ["合计", 3602, 14517, 1.0, 1681, 0.4769]
    assert ws["F7"].number_format == "0.00%" and ws["B7"].number_format == "#,##0"
    # the widest text of column A is 突发严重困难户 (7 CJK characters = 14 units) + 2
    assert ws.column_dimensions["A"].width == 16
    t3 = wb["表3 各乡镇帮扶措施落实与风险消除情况"]
    assert [t3.cell(HEADER_ROW + 1 + k, 1).value for k in range(len(TOWNSHIPS))] == TOWNSHIPS
    assert t3.cell(HEADER_ROW + 13, 7).value is None          # 油迈瑶族乡 did not report
    assert t3["F4"].number_format == "#,##0.0"


# ------------------------------------------------------------------ PDF
def test_pdf_embeds_the_cjk_font(pdf_path, cjk_font):
    fonts = _fonts(pdf_path)
    assert fonts, "no text objects"
    assert all(embedded for _, embedded in fonts), fonts
    # reportlab names an embedded TrueType subset after the face: WenQuanYiMicroHei-0, ...
    if cjk_font.path.endswith("wqy-microhei.ttc"):
        assert {name.split("-")[0] for name, _ in fonts} == {"WenQuanYiMicroHei"}


def test_pdf_text_extracts_as_chinese(report, pdf_path):
    pages = _text(pdf_path)
    assert len(pages) >= 3
    first = pages[0]
    assert TITLE in first
    assert "贵州省黔西南布依族苗族自治州望谟县" in first
    whole = "".join(pages).replace("\r", "").replace("\n", "")
    for table in report.tables():
        assert table.title in whole
    assert "3,602" in whole and "47.69%" in whole and "第 1 页" in first
    assert f"共 {len(pages)} 页" in pages[-1]
    # the long village table repeats its header row on the next page
    assert sum("行政村代码" in p for p in pages) == 2


def test_pdf_pages_render_to_png(pdf_path):
    paths = render_pdf_pages_to_png(pdf_path, ARTIFACTS)
    assert [p.name for p in paths] == [f"monthly-report-page-{i}.png"
                                       for i in range(1, len(paths) + 1)]
    for p in paths:
        with Image.open(p) as im:
            assert im.size == (1191, 1684)                    # A4 at 2 px per point
            grey = im.convert("L")
            dark = sum(grey.histogram()[:128])
            assert dark > 0.005 * im.size[0] * im.size[1]      # not a blank page


def test_the_same_report_gives_the_same_pdf(report, tmp_path, cjk_font):
    a = write_pdf(report, tmp_path / "a.pdf").read_bytes()
    b = write_pdf(report, tmp_path / "b.pdf").read_bytes()
    assert a == b


def test_a_wide_table_turns_the_page(tmp_path, cjk_font):
    cols = [Column("乡镇")] + [Column(f"{m}月新识别户数", kind="integer") for m in range(1, 13)]
    rows = [(name, *[(k * m) % 17 for m in range(1, 13)]) for k, name in enumerate(TOWNSHIPS)]
    wide = Report("各月新识别情况", "望谟县", "2025年", [
        Section("一、分月情况", tables=[ReportTable("表1 分月新识别户数", cols, rows)])])
    path = write_pdf(wide, tmp_path / "wide.pdf")
    doc = pdfium.PdfDocument(str(path))
    w, h = doc[0].get_size()
    doc.close()
    assert w > h
    render_pdf_pages_to_png(path, ARTIFACTS)
    (ARTIFACTS / "wide-page-1.png").replace(ARTIFACTS / "wide-table-landscape.png")


# ------------------------------------------------------------------ font errors
def test_a_missing_font_file_is_a_clear_error(report, tmp_path):
    target = tmp_path / "r.pdf"
    with pytest.raises(CjkFontNotFoundError, match="CJK font not found: /no/such/font.ttc"):
        write_pdf(report, target, font_path="/no/such/font.ttc")
    assert not target.exists()


def test_no_font_anywhere_says_how_to_fix_it(report, tmp_path, monkeypatch):
    monkeypatch.delenv(FONT_ENV, raising=False)
    monkeypatch.setattr(pdf_module, "FONT_CANDIDATES", (("/no/such/wqy.ttc", 0),))
    with pytest.raises(CjkFontNotFoundError) as err:
        write_pdf(report, tmp_path / "r.pdf")
    message = str(err.value)
    assert "fonts-wqy-microhei" in message and FONT_ENV in message and "font_path" in message
    assert isinstance(err.value, FileNotFoundError)


def test_the_environment_variable_chooses_the_font(report, tmp_path, monkeypatch, cjk_font):
    monkeypatch.setenv(FONT_ENV, "/no/such/env-font.ttf")
    with pytest.raises(CjkFontNotFoundError, match=rf"\${FONT_ENV}"):
        write_pdf(report, tmp_path / "r.pdf")
    monkeypatch.setenv(FONT_ENV, f"{cjk_font.path}#{cjk_font.subfont_index}")
    assert find_cjk_font() == cjk_font


def test_a_font_without_chinese_is_refused_not_rendered_as_boxes(report, tmp_path):
    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert latin.exists(), "DejaVu Sans is missing: scripts/ensure-browser installs it"
    with pytest.raises(MissingGlyphsError) as err:
        write_pdf(report, tmp_path / "r.pdf", font_path=latin)
    assert "望" in err.value.missing and "谟" in err.value.missing
    assert "DejaVuSans.ttf" in str(err.value)
    assert not (tmp_path / "r.pdf").exists()


def test_a_character_the_cjk_font_lacks_is_named(tmp_path, cjk_font):
    rare = "\U00020000"  # 𠀀, CJK Extension B: not in WenQuanYi Micro Hei
    r = Report(f"报告{rare}", "望谟县", "2025年6月")
    with pytest.raises(MissingGlyphsError, match="U\\+20000"):
        write_pdf(r, tmp_path / "r.pdf")


def test_a_file_that_is_not_a_truetype_font_is_refused(report, tmp_path):
    fake = tmp_path / "fake.ttf"
    fake.write_bytes(b"not a font at all")
    with pytest.raises(CjkFontError, match="TrueType"):
        write_pdf(report, tmp_path / "r.pdf", font_path=fake)


# ------------------------------------------------------------------ the model
def test_the_model_checks_rows_against_columns():
    cols = [Column("类别"), Column("户数", kind="integer")]
    with pytest.raises(ValueError, match="row 2: 1 values for 2 columns"):
        ReportTable("表1", cols, [("a", 1), ("b",)])
    with pytest.raises(ValueError, match="户数.*integer"):
        ReportTable("表1", cols, [("a", "12")])
    with pytest.raises(ValueError, match="total_rows"):
        ReportTable("表1", cols, [("a", 1)], total_rows=2)
    with pytest.raises(ValueError, match="kind"):
        Column("x", kind="money")
    t = ReportTable("表1", cols, [["a", math.nan]])
    assert t.rows == (("a", None),)
    assert Column("率", kind="percent", decimals=2).display(0.02) == "2.00%"
    assert Column("元", kind="number", thousands=False).display(12345.678) == "12345.68"
