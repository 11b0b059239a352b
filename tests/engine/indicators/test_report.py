"""The monthly county report of a demo-like county: synthetic registry, synthetic ledger,
indicators, report as XLSX and PDF; the PDF's pages go to test-artifacts/reports/ as PNG so a
person can look at them."""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from dixian.engine import divisions
from dixian.engine.indicators import compute
from dixian.engine.indicators.report import monthly_report
from dixian.engine.indicators.synthetic import synthetic_ledger
from dixian.engine.reports import render_pdf_pages_to_png, write_pdf, write_xlsx
from dixian.engine.scope import RegionScope
from dixian.engine.synth import generate

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "reports"


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    summary = generate("522326", households=3000, seed=7, out_dir=out)
    tables = {n: pq.read_table(out / f"{n}.parquet") for n in ("households", "members",
                                                               "incomes")}
    ledger = synthetic_ledger(tables["households"], as_of=summary.end_month, seed=7)
    result = compute({**tables, **ledger}, RegionScope.of("522326"), as_of=summary.end_month)
    return result


def _rows(result, code, period):
    b = result.breakdown
    f = result.flows
    return ([r for r in b.filter(pc.equal(b["region_code"], code)).to_pylist()
             if r["period"] == period],
            [r for r in f.filter(pc.equal(f["region_code"], code)).to_pylist()
             if r["period"] == period])


def _report(result, lang):
    period = result.as_of
    previous = result.periods[-2]
    breakdown, flows = _rows(result, "522326", period)
    towns = sorted({c for c in result.summary["region_code"].to_pylist() if len(c) == 9})
    children = [(divisions.name_of(c) or c, result.row(c, period)) for c in towns]
    name = "".join(divisions.name_of(c) for c in ("52", "5223", "522326"))
    return monthly_report(name, period, result.row("522326", period),
                          result.row("522326", previous), breakdown, flows, children,
                          lang=lang, issued="2026-01-05", computed="2026-01-05 08:00")


def test_the_county_report_is_complete_and_its_numbers_are_the_indicators(county, tmp_path):
    from openpyxl import load_workbook

    report = _report(county, "zh")
    path = write_xlsx(report, tmp_path / "report.xlsx")
    book = load_workbook(path)
    assert book.sheetnames[0] == "报告说明" and len(book.sheetnames) == 8
    sheet = book[book.sheetnames[2]]  # 表2 by category
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    total = next(r for r in values if r and r[0] == "合计")
    row = county.row("522326")
    assert total[1] == row["identified_households"]
    assert total[3] == row["monitored_households"]
    first = book[book.sheetnames[1]]
    cells = {r[0].value: r[1].value for r in first.iter_rows() if r[0].value}
    assert cells["监测对象户数（未消除风险）"] == row["monitored_households"]


def test_the_pdf_embeds_chinese_and_its_pages_render(county):
    import pypdfium2 as pdfium

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        pdf = write_pdf(_report(county, lang), ARTIFACTS / f"monthly-report-522326-{lang}.pdf")
        pages = render_pdf_pages_to_png(pdf, ARTIFACTS, scale=1.5)
        assert len(pages) >= 2 and all(p.stat().st_size > 20_000 for p in pages)
        text = "".join(pdfium.PdfDocument(str(pdf))[i].get_textpage().get_text_range()
                       for i in range(len(pages)))
        if lang == "zh":
            assert "防止返贫动态监测月报" in text and "望谟县" in text and "风险消除率" in text
        else:
            assert "Risk-elimination rate" in text
