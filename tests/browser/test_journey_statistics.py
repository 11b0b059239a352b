"""Statistics in a real browser: a county dashboard with its charts, drill-down to a township
and a village, the households behind a figure, the monthly report downloaded and read back,
the province map of a national analyst, and the evaluation workflow from the draw to the
results. A screenshot at each step (test-artifacts/screenshots/)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from dixian.core.roles import Role
from dixian.statistics import bridge
from tests.browser.test_journey_registry import _login
from tests.conftest import COUNTY, make_user
from tests.statistics.builders import VILLAGE, build_county


@pytest.fixture
def county(county_regions, settings):
    settings.DIXIAN_STATS_SUPPRESS_BELOW = 1  # a tiny county: show every figure in the report
    build_county()
    bridge.do_recompute(COUNTY, as_of="2025-05", months=3)


def _charts_drawn(page, *ids):
    for chart in ids:
        page.wait_for_selector(f"#{chart}[data-rendered] canvas")
        box = page.locator(f"#{chart} canvas").first.bounding_box()
        assert box["width"] > 200 and box["height"] > 100


@pytest.mark.browser
def test_county_dashboard_drill_down_lists_and_report(page, screenshot, county, tmp_path):
    approver = make_user(Role.COUNTY_APPROVER, COUNTY, username="chen.county")
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _login(page, approver)
    page.click("[data-nav=statistics]")
    page.wait_for_url(f"**/statistics/{COUNTY}/")
    assert page.locator("#region-name").inner_text().startswith("望谟县")
    assert page.locator("[data-card=monitored] .value").inner_text() == "3"
    _charts_drawn(page, "chart-trend", "chart-rates", "chart-ranking")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    box = page.locator("#chart-trend").bounding_box()  # a tooltip, under the CSP
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5)
    page.wait_for_timeout(300)
    screenshot("1-county-dashboard")
    assert [m for m in console if "Content Security Policy" in m] == []

    # drill down: county -> township -> village
    page.click("#table-regions a:has-text('乐元镇')")
    page.wait_for_url("**/statistics/522326101/")
    _charts_drawn(page, "chart-trend", "chart-ranking")
    screenshot("2-township")
    page.click("#table-regions tbody a")
    page.wait_for_url(f"**/statistics/{VILLAGE}/")
    assert page.locator("[data-card=monitored] .value").inner_text() == "3"
    screenshot("3-village")

    # the households behind a figure
    page.click("[data-card=monitored]")
    page.wait_for_url("**/households/?indicator=monitored*")
    assert page.locator("#households tbody tr").count() == 3
    screenshot("4-households-behind")

    # the shared view suppresses nothing at a threshold of 1, but says it is shared
    page.goto(f"/statistics/{COUNTY}/")
    page.click("#view-shared")
    page.wait_for_selector("#shared-note")

    # the monthly report, downloaded and opened
    with page.expect_download() as info:
        page.click("#report-xlsx")
    path = tmp_path / "report.xlsx"
    info.value.save_as(path)
    book = load_workbook(path)
    first = book[book.sheetnames[1]]
    cells = {r[0].value: r[1].value for r in first.iter_rows() if r[0].value}
    assert cells["监测对象户数（未消除风险）"] == 3 and cells["累计识别户数"] == 4
    with page.expect_download() as info:
        page.click("#report-pdf")
    assert info.value.suggested_filename.endswith(".pdf")
    # a table of the dashboard, as CSV
    with page.expect_download() as info:
        page.click("[data-download=categories-csv]")
    assert "categories" in info.value.suggested_filename
    assert errors == []


@pytest.mark.browser
def test_the_province_map_of_a_national_analyst(page, screenshot, county):
    bridge.do_recompute("", as_of="2025-05", months=3)
    analyst = make_user(Role.ANALYST, None, national=True, username="zhou.analyst")
    console = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    _login(page, analyst)
    page.goto("/statistics/")
    page.wait_for_url("**/statistics/nation/")
    page.wait_for_selector("#chart-map[data-map-ready] canvas")
    _charts_drawn(page, "chart-trend", "chart-map")
    box = page.locator("#chart-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)
    screenshot("5-national-map")
    assert [m for m in console if "Content Security Policy" in m] == []
    page.click("#table-regions a:has-text('贵州省')")
    page.wait_for_url("**/statistics/52/")
    screenshot("6-province")


@pytest.mark.browser
def test_the_evaluation_workflow(page, screenshot, county, tmp_path):
    # the county is evaluated from above (R10 independence): a prefecture evaluator
    admin = make_user(Role.ANALYST, "5223", username="wu.prefecture")
    _login(page, admin)
    page.goto(f"/statistics/{COUNTY}/")
    page.click("text=效果评估" if page.locator("text=效果评估").count() else
               f"a[href='/statistics/{COUNTY}/evaluation/']")
    page.wait_for_url("**/evaluation/")
    page.fill("#draw-form input[name=villages]", "2")
    page.fill("#draw-form input[name=households]", "8")
    page.fill("#draw-form input[name=seed]", "3")
    page.click("#draw")
    page.wait_for_selector("#sample-households")
    rows = page.locator("#sample-households tbody tr")
    assert rows.count() == 8
    screenshot("7-sample")

    # one household by the form
    first = rows.first
    first.locator("select[name=eligible]").select_option("yes")
    first.locator("select[name=satisfied]").select_option("yes")
    first.locator("input[name=note]").fill("核实无误")
    first.locator("button").click()
    page.wait_for_selector(".messages")

    # the others by the file: download the sample list, fill it in, upload it
    with page.expect_download() as info:
        page.click("#sample-xlsx")
    path = tmp_path / "sample.xlsx"
    info.value.save_as(path)
    book = load_workbook(path)
    ws = book.active
    header = [c.value for c in ws[1]]
    monitored = header.index("监测对象（未消除）") + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, header.index("符合监测条件") + 1,
                "是" if ws.cell(r, monitored).value in ("是", "yes") else "否")
        ws.cell(r, header.index("认可") + 1, "是")
    filled = io.BytesIO()
    book.save(filled)
    (tmp_path / "findings.xlsx").write_bytes(filled.getvalue())
    page.set_input_files("#upload-form input[type=file]", str(tmp_path / "findings.xlsx"))
    page.click("#upload-form button")
    page.wait_for_selector(".messages")
    screenshot("8-findings-recorded")

    page.click("#results-link")
    page.wait_for_url("**/evaluation/results/")
    assert page.locator(f"#verdict-{COUNTY}").count() == 1
    assert page.locator("[data-rate=satisfaction]").inner_text().count("1") >= 1
    screenshot("9-results")
