"""The dashboard, the lists behind its figures, downloads, the report and recomputation."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.statistics import bridge
from tests.conftest import COUNTY, make_user
from tests.statistics.builders import VILLAGE, build_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(users):
    build_county()
    bridge.do_recompute(COUNTY, as_of="2025-05", months=3)
    return users


def test_the_statistics_entry_goes_to_the_readers_region(client, county):
    client.force_login(county[Role.COUNTY_APPROVER])
    response = client.get("/statistics/")
    assert response.status_code == 302 and response["Location"] == f"/statistics/{COUNTY}/"


def test_the_county_dashboard_shows_cards_charts_tables_and_links(client, county):
    client.force_login(county[Role.COUNTY_APPROVER])
    page = client.get(f"/statistics/{COUNTY}/").content.decode()
    assert 'data-card="monitored"' in page and "chart-trend" in page and "chart-ranking" in page
    assert "statistics/vendor/echarts/echarts.min.js" in page
    assert "/statistics/522326/households/?indicator=monitored&amp;period=2025-05" in page
    assert 'href="/statistics/522326101/"' in page  # drill down to a township
    assert 'id="dashboard-data"' in page and "<script>" not in page  # CSP: no inline script
    may = client.get(f"/statistics/{COUNTY}/?period=2025-04").content.decode()
    assert 'value="2025-04" selected' in may


def test_the_dashboard_reads_the_cache_in_few_queries(client, county,
                                                      django_assert_max_num_queries):
    client.force_login(county[Role.ANALYST])
    with django_assert_max_num_queries(12):
        assert client.get(f"/statistics/{COUNTY}/").status_code == 200


def test_a_village_cadre_sees_the_village(client, county):
    client.force_login(county[Role.VILLAGE_CADRE])
    assert client.get("/statistics/")["Location"] == f"/statistics/{VILLAGE}/"
    page = client.get(f"/statistics/{VILLAGE}/").content.decode()
    assert 'data-card="monitored"' in page
    assert client.get(f"/statistics/{COUNTY}/").status_code == 404


def test_the_shared_view_suppresses_small_counts(client, county):
    client.force_login(county[Role.COUNTY_APPROVER])
    exact = client.get(f"/statistics/{COUNTY}/").content.decode()
    shared = client.get(f"/statistics/{COUNTY}/?view=shared").content.decode()
    assert 'id="shared-note"' in shared and 'id="shared-note"' not in exact
    assert "&lt;5" in shared and "&lt;5" not in exact.split('id="cards"')[1]
    card = shared.split('data-card="monitored"')[1].split("</a>")[0]
    assert "&lt;5" in card and "9" not in card  # 9 persons in 3 households: suppressed too


def test_the_list_behind_a_figure(client, county):
    client.force_login(county[Role.COUNTY_APPROVER])
    page = client.get(f"/statistics/{COUNTY}/households/?indicator=monitored&period=2025-05"
                      ).content.decode()
    assert f"{VILLAGE}0001" in page and f"{VILLAGE}0003" in page
    assert page.split('<tbody>')[1].count("<tr>") == 3
    narrowed = client.get(f"/statistics/{COUNTY}/households/?indicator=identified&period="
                          "2025-05&category=SUDDEN&status=ACTIVE").content.decode()
    assert f"{VILLAGE}0001" in narrowed and f"{VILLAGE}0002" not in narrowed
    assert client.get(f"/statistics/{COUNTY}/households/?indicator=nope&period=2025-05"
                      ).status_code == 404


def test_tables_download_as_csv_and_xlsx(client, county):
    client.force_login(county[Role.ANALYST])
    response = client.get(f"/statistics/{COUNTY}/tables/categories.csv?period=2025-05")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    total = next(r for r in rows if r[0] in ("Total", "合计"))
    assert total[-3] == "4"  # households ever identified
    response = client.get(f"/statistics/{COUNTY}/tables/regions.xlsx?period=2025-05")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[book.sheetnames[1]]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert any(r[1] == "522326101" and r[2] == 3 for r in values if len(r) > 2)
    assert client.get(f"/statistics/{COUNTY}/tables/nope.csv").status_code == 404


def _first_table(response) -> dict:
    book = load_workbook(io.BytesIO(response.content))
    first = book[book.sheetnames[1]]
    return {r[0].value: r[1].value for r in first.iter_rows() if r[0].value}


def test_the_monthly_report(client, county, settings):
    client.force_login(county[Role.COUNTY_APPROVER])
    url = f"/statistics/{COUNTY}/report.xlsx?period=2025-05"
    # the shared version, as the dashboard's shared view: 4 households < 5 is suppressed
    assert _first_table(client.get(url + "&view=shared"))["累计识别户数"] is None
    assert _first_table(client.get(url))["累计识别户数"] == 4  # exact, as the dashboard
    settings.DIXIAN_STATS_SUPPRESS_BELOW = 1
    cells = _first_table(client.get(url))
    assert (cells["监测对象户数（未消除风险）"], cells["累计识别户数"]) == (3, 4)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert _first_table(client.get(url))["Households ever identified"] == 4
    assert english.status_code == 200
    pdf = client.get(f"/statistics/{COUNTY}/report.pdf?period=2025-05")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_recompute_is_for_administrators_and_audited(client, county):
    client.force_login(county[Role.ANALYST])
    assert client.post(f"/statistics/{COUNTY}/recompute/").status_code == 403
    client.force_login(county[Role.COUNTY_ADMIN])
    before = AuditEvent.objects.filter(action="statistics.recompute").count()
    assert client.post(f"/statistics/{COUNTY}/recompute/").status_code == 302
    assert AuditEvent.objects.filter(action="statistics.recompute").count() == before + 1


def test_national_analysts_see_the_province_map(client, county):
    analyst = make_user(Role.ANALYST, None, national=True, username="national-analyst")
    client.force_login(analyst)
    assert client.get("/statistics/")["Location"] == "/statistics/nation/"
    page = client.get("/statistics/nation/").content.decode()
    # the nation is computed by the command
    assert "not been computed" in page or "尚未计算" in page
    bridge.do_recompute("", as_of="2025-05", months=3)
    page = client.get("/statistics/nation/").content.decode()
    assert 'id="chart-map"' in page and "china-provinces.geojson" in page
    assert 'href="/statistics/52/"' in page
    regional = county[Role.ANALYST]
    client.force_login(regional)
    assert client.get("/statistics/nation/").status_code == 404


def test_a_prefecture_is_not_computed_on_a_page_view(client, county):
    analyst = make_user(Role.ANALYST, "5223", username="prefecture-analyst")
    client.force_login(analyst)
    page = client.get("/statistics/5223/").content.decode()
    assert "not been computed" in page or "尚未计算" in page
    assert "dixian indicators --region 5223" in page


def test_the_api_gives_the_figures_and_the_households_behind_them(client, county):
    client.force_login(county[Role.COUNTY_APPROVER])
    figures = client.get(f"/api/statistics/{COUNTY}").json()
    assert figures["region_code"] == COUNTY and "2025-05" in figures["periods"]
    assert figures["series"] and all(len(v) == len(figures["periods"])
                                     for v in figures["series"].values())
    listed = client.get(f"/api/statistics/{COUNTY}/households?indicator=monitored"
                        "&period=2025-05").json()
    assert listed["count"] == 3 == len(listed["households"])
    assert f"{VILLAGE}0001" in listed["households"]
    children = client.get(f"/api/statistics/{COUNTY}/children").json()
    assert children and all(c["region_code"].startswith(COUNTY) for c in children)


def _report_cells(response) -> dict:
    """Every table of the report's workbook: the first column's label → the next value."""
    book = load_workbook(io.BytesIO(response.content))
    cells = {}
    for sheet in book.worksheets[1:]:
        for r in sheet.iter_rows():
            if r[0].value and len(r) > 1:
                cells.setdefault(r[0].value, r[1].value)
    return cells


@pytest.mark.parametrize("view", ["", "shared"])
def test_the_report_and_the_dashboard_agree(client, users, view):
    """The month's eliminations, the stock and the income section: the report's figures are
    the dashboard's, exact or shared alike, including the latest month, whose incomes have
    not arrived yet (both read the latest month with a year of incomes)."""
    from dixian.statistics import conf
    from dixian.statistics.dashboard import Dashboard

    build_county()
    bridge.do_recompute(COUNTY, as_of="2025-07", months=4)  # incomes end in 2025-06
    snap = bridge.snapshot_of(COUNTY)
    client.force_login(users[Role.COUNTY_APPROVER])
    for period in ("2025-05", "2025-07"):
        board = Dashboard(code=COUNTY, snapshot=snap, children=bridge.children_of(COUNTY),
                          names={}, period=period, shared=view == "shared",
                          threshold=conf.suppress_below(), list_url=None,
                          region_url=lambda c: "")
        cells = _report_cells(client.get(
            f"/statistics/{COUNTY}/report.xlsx?period={period}&view={view}"))
        cards = {c.key: c.value.replace(",", "") for c in board.cards}

        def card(key, cards=cards):  # a suppressed count ("<5") is the report's empty cell
            return int(cards[key]) if cards[key].isdigit() else None

        assert cells["本月风险消除户数"] == card("new_eliminated")
        assert cells["监测对象户数（未消除风险）"] == card("monitored")
        assert cells["本月新识别户数"] == card("new_identified")
        incomes = [row[1].value for row in board.tables["incomes"].rows]
        assert board.income_period == ("2025-06" if period == "2025-07" else period)
        # the dashboard's rows: households, their mean income, median, growth, monitored
        # households, their mean, median, the line, FGT0 …
        assert cells["脱贫户人均纯收入（元，近12个月）"] == pytest.approx(incomes[1], abs=0.05)
        assert cells["监测户人均纯收入（元）"] == pytest.approx(incomes[5], abs=0.05)
        assert cells["监测范围（元/人·年）"] == pytest.approx(incomes[7], abs=0.05)
        assert cells["监测范围（元/人·年）"] is not None  # the income section is filled
    if view == "":  # the month's single elimination (H4), exact
        assert _report_cells(client.get(
            f"/statistics/{COUNTY}/report.xlsx?period=2025-05"))["本月风险消除户数"] == 1


def test_cached_figures_show_their_age(client, county):
    """The dashboard says when its figures were computed and how long ago, and warns once
    the region's ledger has changed since; a list behind a figure says when it was listed."""
    from dixian.core import audit

    client.force_login(county[Role.COUNTY_APPROVER])
    page = client.get(f"/statistics/{COUNTY}/").content.decode()
    assert 'id="computed-at"' in page and 'id="stale-note"' not in page
    audit.record("registry.household.update", actor=None, object_type="registry.household",
                 object_id=f"{VILLAGE}0001", region_code=VILLAGE)
    page = client.get(f"/statistics/{COUNTY}/").content.decode()
    assert 'id="stale-note"' in page
    audit.record("registry.household.update", actor=None, object_type="registry.household",
                 object_id="5226330010010001", region_code="522633001001")  # another county
    bridge.do_recompute(COUNTY, as_of="2025-05", months=3)
    assert 'id="stale-note"' not in client.get(f"/statistics/{COUNTY}/").content.decode()
    listed = client.get(f"/statistics/{COUNTY}/households/?indicator=monitored&period=2025-05"
                        ).content.decode()
    assert 'id="computed-at"' in listed
