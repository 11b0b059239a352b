"""Key counties (domain.md §8.5): indicators entered or imported whole or not at all, audited
and scoped; the tilt from the funds' allocations; the nation → province → county pages, the API
and the workbook; the demo step."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from dixian.core.access import NotFound, PermissionDenied
from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.funds.actions import do_record_allocation
from dixian.regional import key_counties as kc
from dixian.regional.models import CountyIndicatorBatch, CountyIndicators
from tests.conftest import COUNTY, OTHER_COUNTY

HEADER = ("县代码,年度,常住人口（人）,地区生产总值（万元）,一般公共预算收入（万元）,"
          "农村居民人均可支配收入（元）\n")
NOT_KEY = "522301"  # 兴义市: a county of Guizhou on neither list


def _file(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("gb18030")


# ---------------------------------------------------------------- actions and pages



@pytest.fixture
def officer(users):
    return users[Role.FUND_OFFICER]


@pytest.mark.django_db
def test_recording_is_checked_scoped_and_audited(officer, users, user_in):
    record = kc.do_record_indicators(county_code=COUNTY, year=2024, actor=officer,
                                     population="250000", gdp="1100000",
                                     budget_revenue="50000", rural_income="14000")
    assert record.rural_income == 14000
    kc.do_record_indicators(county_code=COUNTY, year=2024, actor=officer, population="250000",
                            gdp="1100000", budget_revenue="50000", rural_income="14100")
    event = AuditEvent.objects.filter(action="regional.county_indicators").order_by("pk").last()
    assert event.before["rural_income"] == "14000" and event.after["rural_income"] == "14100"
    assert CountyIndicators.objects.count() == 1
    with pytest.raises(ValidationError):
        kc.do_record_indicators(county_code=COUNTY, year=2024, actor=officer,
                                population="many", gdp="1", budget_revenue="1",
                                rural_income="1")
    with pytest.raises(PermissionDenied):
        kc.do_record_indicators(county_code=COUNTY, year=2024, actor=users[Role.ANALYST],
                                population="1", gdp="1", budget_revenue="1", rural_income="1")
    with pytest.raises(NotFound):
        kc.do_record_indicators(county_code=COUNTY, year=2024,
                                actor=user_in(Role.FUND_OFFICER, OTHER_COUNTY),
                                population="1", gdp="1", budget_revenue="1", rural_income="1")


@pytest.mark.django_db
def test_a_file_is_applied_whole_or_not_at_all(officer):
    good = _file(f"{COUNTY},2023,250000,1100000,50000,14000",
                 f"{COUNTY},2024,251000,1200000,60000,15000")
    batch = kc.do_import_indicators(good, "indicators.csv", actor=officer)
    assert batch.accepted and batch.rows == 2 and batch.original.read() == good
    assert kc.do_import_indicators(good, "indicators.csv", actor=officer).pk == batch.pk
    bad = _file(f"{COUNTY},2025,252000,1300000,65000,16000",
                f"{OTHER_COUNTY},2024,1,1,1,1",
                f"{COUNTY},1999,1,1,1,1",
                f"{COUNTY},2025,1,1,abc,1",
                "52232,2024,1,1,1,1")
    refused = kc.do_import_indicators(bad, "bad.csv", actor=officer)
    assert not refused.accepted and refused.rows == 0
    assert [(p["row"], p["column"], p["value"], p["rule"]) for p in refused.problems] == [
        (3, "县代码", OTHER_COUNTY, "out_of_scope"), (4, "年度", "1999", "year"),
        (5, "一般公共预算收入（万元）", "abc", "number"),
        (5, "县代码", COUNTY, "duplicate_county_year"),
        (6, "县代码", "52232", "county_code")]
    assert not CountyIndicators.objects.filter(year=2025).exists()
    assert CountyIndicatorBatch.objects.count() == 2
    assert AuditEvent.objects.filter(action="regional.county_indicators_import").count() == 2


def _allocate(officer, county, year, amount, document, source="central"):
    do_record_allocation(county_code=county, year=year, source=source, amount=amount,
                         document=document, received_on=date(year, 3, 1), actor=officer)


@pytest.mark.django_db
def test_pages_drill_down_from_nation_to_province_to_county(client, officer, user_in):
    province = user_in(Role.FUND_OFFICER, "52")
    kc.do_import_indicators(_file(f"{COUNTY},2024,250000,1100000,50000,14000",
                                  f"{COUNTY},2025,251000,1200000,60000,14100",
                                  f"{NOT_KEY},2025,900000,9000000,600000,20000"),
                            "i.csv", actor=province)
    _allocate(province, COUNTY, 2025, "10000000", "黔财农〔2025〕1号")
    _allocate(province, NOT_KEY, 2025, "18000000", "黔财农〔2025〕2号")

    national = user_in(Role.ANALYST, None, national=True)
    client.force_login(national)
    page = client.get("/regional/key-counties/").content.decode()
    assert 'data-province="52"' in page and 'data-province="51"' in page
    assert 'id="key-county-map"' in page and "<script>" not in page
    client.force_login(province)
    assert 'data-county="520204"' in client.get("/regional/key-counties/").content.decode()
    page = client.get("/regional/key-counties/52/?year=2025").content.decode()
    assert f'data-county="{COUNTY}"' in page and f'data-county="{NOT_KEY}"' not in page
    assert f'data-rule="KEY_COUNTY_INCOME_GROWTH_BELOW_PROVINCE" data-county="{COUNTY}"' in page
    county = client.get(f"/regional/key-counties/{COUNTY}/?year=2025").content.decode()
    assert 'id="kind"' in county and 'id="ratio">1.99' in county  # 39.84 a resident, 20
    assert 'data-rule="KEY_COUNTY_TILT_BELOW"' not in county
    api = client.get("/api/regional/key-counties/52?year=2025").json()
    tilt = next(t for t in api["tilt"] if t["county"] == COUNTY)
    assert tilt["basis"] == "per_capita" and Decimal(tilt["ratio"]) == Decimal("1.9920")
    assert len(api["key_counties"]) == 20
    book = load_workbook(io.BytesIO(client.get(
        "/regional/key-counties/52/export.xlsx?year=2025").content))
    assert book.sheetnames == ["发展状况指标", "资金倾斜", "发现"]

    client.force_login(officer)  # a county's officer: the county, not the province or nation
    assert 'id="county-name"' in client.get("/regional/key-counties/").content.decode()
    assert client.get("/regional/key-counties/52/").status_code == 404
    assert client.get(f"/regional/key-counties/{OTHER_COUNTY}/").status_code == 404
    assert len(client.get("/api/regional/key-counties").json()["provinces"]) == 31
    assert client.get("/api/regional/key-counties/52").status_code == 404
    batch = CountyIndicatorBatch.objects.get()
    assert client.get(f"/regional/key-counties/files/{batch.pk}/").status_code == 404


@pytest.mark.django_db
def test_forms_template_and_formula_safe_workbook(client, officer):
    client.force_login(officer)
    template = client.get("/regional/key-counties/template.csv")
    assert "县代码" in template.content.decode("utf-8-sig")
    response = client.post("/regional/key-counties/act/", {
        "do": "indicators", "county_code": COUNTY, "year": "2025", "population": "251000",
        "gdp": "1200000", "budget_revenue": "60000", "rural_income": "15000", "back": COUNTY})
    assert response.status_code == 302 and CountyIndicators.objects.count() == 1
    refused = client.post("/regional/key-counties/act/", {"do": "file", "file": SimpleUploadedFile(
        "bad.csv", _file("=cmd|' /C calc'!A0,2025,1,1,1,1"))}, follow=True)
    assert 'data-rule="county_code"' in refused.content.decode()
    assert client.post("/regional/key-counties/act/", {
        "do": "indicators", "county_code": OTHER_COUNTY, "year": "2025"}).status_code == 404
    book = load_workbook(io.BytesIO(client.get(
        f"/regional/key-counties/{COUNTY}/export.xlsx?year=2025").content))
    rows = list(book["发展状况指标"].values)
    assert rows[1][:4] == (COUNTY, "望谟县", "国家", 2025)


@pytest.mark.django_db
def test_the_demo_step_imports_indicators_and_plants_two_findings(users, user_in):
    from dixian.core.demo import DemoReport
    from dixian.regional.demo_key_counties import step_key_counties

    user_in(Role.FUND_OFFICER, COUNTY, username="finance")
    last = date.today().year - 1
    _allocate(users[Role.FUND_OFFICER], COUNTY, last, "60000000", "demo-central")
    report = DemoReport()
    step_key_counties(report)
    note = report.notes[-1]
    assert note.startswith("key counties: 90 county years")  # (20 + 10) counties, 3 years
    assert "1 KEY_COUNTY_INCOME_GROWTH_BELOW_PROVINCE" in note
    assert "1 KEY_COUNTY_TILT_BELOW" in note and "MISSING" not in note
    assert report.users[-1].username == "financeprovince"
    step_key_counties(DemoReport())  # a second run does nothing
    assert CountyIndicators.objects.count() == 90


@pytest.mark.django_db
def test_an_xlsx_file_is_read_like_a_csv(officer):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append([COUNTY, 2024, 250000, 1100000.5, 50000, 14000])
    sheet.append([COUNTY, 2025, 251000, 1200000, None, 15000])
    out = io.BytesIO()
    book.save(out)
    refused = kc.do_import_indicators(out.getvalue(), "indicators.xlsx", actor=officer)
    assert [(p["row"], p["column"], p["rule"]) for p in refused.problems] == [
        (3, "一般公共预算收入（万元）", "required")]
    sheet.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    batch = kc.do_import_indicators(out.getvalue(), "indicators.xlsx", actor=officer)
    assert batch.accepted and CountyIndicators.objects.get().gdp == Decimal("1100000.50")


@pytest.mark.django_db
def test_the_pairings_funds_have_their_own_tilt(client, officer, user_in):
    """§8.5: East–West cooperation tilts towards the key counties: the partners' and central
    units' allocations compared alone, beside all the funds."""
    province = user_in(Role.FUND_OFFICER, "52")
    kc.do_import_indicators(_file(f"{COUNTY},2025,250000,1100000,50000,14000",
                                  f"{NOT_KEY},2025,1000000,9000000,600000,20000"),
                            "i.csv", actor=province)
    _allocate(province, COUNTY, 2025, "10000000", "黔财农〔2025〕1号")
    _allocate(province, NOT_KEY, 2025, "40000000", "黔财农〔2025〕2号")
    _allocate(province, COUNTY, 2025, "5000000", "惠东县2025年援助资金", source="east_west")
    _allocate(province, NOT_KEY, 2025, "4000000", "中央单位定点帮扶资金", source="central_unit")
    [whole] = [t for t in kc.province_tilt("52", 2025) if t.county == COUNTY]
    [pairs] = [t for t in kc.province_tilt("52", 2025, kc.PAIRING_SOURCES)
               if t.county == COUNTY]
    # all funds: 60 a resident against 44 (1.36); the pairings: 20 against 4 (5.00)
    assert (whole.ratio, pairs.ratio) == (Decimal("1.3636"), Decimal("5.0000"))
    assert pairs.allocated == Decimal("5000000.00") and pairs.basis == "per_capita"
    client.force_login(province)
    page = client.get(f"/regional/key-counties/{COUNTY}/?year=2025").content.decode()
    assert 'id="ratio">1.36' in page and 'id="pairing-ratio">5.00' in page
    assert "东西部协作和定点帮扶资金倾斜情况" in page
