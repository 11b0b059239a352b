"""Key counties (domain.md §8.5): the dated lists by province (real division codes), the
indicators and their growth, the tilt in the province's funds, the findings; indicators entered
or imported whole or not at all, audited and scoped; the nation → province → county pages, the
API and the workbook."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from dixian.core.access import NotFound, PermissionDenied
from dixian.core.models import AuditEvent
from dixian.core.regions import _all_divisions
from dixian.core.roles import Role
from dixian.engine.policy import resolve
from dixian.engine.regional import key_counties as rules
from dixian.funds.actions import do_record_allocation
from dixian.regional import key_counties as kc
from dixian.regional.models import CountyIndicatorBatch, CountyIndicators
from tests.conftest import COUNTY, OTHER_COUNTY

HEADER = ("县代码,年度,常住人口（人）,地区生产总值（万元）,一般公共预算收入（万元）,"
          "农村居民人均可支配收入（元）\n")
NOT_KEY = "522301"  # 兴义市: a county of Guizhou on neither list


def _file(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("gb18030")


# ---------------------------------------------------------------- lists (no database)

EXPECTED = {"15": 10, "45": 20, "50": 4, "51": 25, "52": 20, "53": 11}


def test_every_sourced_list_is_of_real_counties_of_its_province():
    codes, names = _all_divisions()
    county_names = {c: n for c, n in zip(codes, names, strict=True) if len(c) == 6}
    on = date(2024, 1, 1)
    for province, count in EXPECTED.items():
        national = resolve(province, on)["regional.key_counties_national"]
        assert len(national) == len(set(national)) == count, province
        assert all(c.startswith(province) and c in county_names for c in national)
    assert sum(EXPECTED.values()) == 90  # of 160: the rest not sourced, none invented
    sichuan = resolve("51", on)
    provincial = sichuan["regional.key_counties_provincial"]
    assert len(set(provincial)) == 25 and not set(provincial) & set(
        sichuan["regional.key_counties_national"])
    assert all(c in county_names and c.startswith("51") for c in provincial)
    assert county_names["513422"] == "木里藏族自治县"
    for province in ("61", "62", "63", "64", "65"):  # not sourced: empty, said in the source
        assert not resolve(province, on)["regional.key_counties_national"]
    assert "PARTIAL" in resolve("53", on).record("regional.key_counties_national").source


def test_the_lists_are_dated():
    assert not resolve("52", date(2021, 8, 26))["regional.key_counties_national"]
    assert COUNTY in resolve("52", date(2021, 8, 27))["regional.key_counties_national"]
    assert not resolve("51", date(2021, 8, 9))["regional.key_counties_provincial"]
    keys = rules.key_counties(resolve("51", date(2022, 1, 1)))
    assert keys["513422"] == rules.PROVINCIAL and keys["513437"] == rules.NATIONAL


# ---------------------------------------------------------------- engine


def _row(county, year, population, gdp, revenue, income):
    return rules.IndicatorRow(county, year, population, Decimal(gdp), Decimal(revenue),
                              Decimal(income))


def test_indicators_per_capita_and_growth():
    out = rules.indicators([_row(COUNTY, 2024, 250000, "1200000", "60000", "15000"),
                            _row(COUNTY, 2023, 250000, "1100000", "50000", "14000")])
    assert [f.year for f in out] == [2023, 2024]
    last = out[1]
    assert last.gdp_per_capita == Decimal("48000") and last.budget_revenue_per_capita == 2400
    assert last.gdp_growth == Decimal("0.0909") and last.budget_revenue_growth == Decimal("0.2")
    assert last.rural_income_growth == Decimal("0.0714")
    assert out[0].rural_income_growth is None


def test_tilt_per_resident_then_per_county():
    keys = {"520001": rules.NATIONAL}
    per_person = rules.tilt(2025, {"520001": Decimal(200), "520002": Decimal(300)},
                            {"520001": 100, "520002": 300}, keys, ["520001", "520002"])[0]
    assert per_person.basis == "per_capita" and per_person.ratio == 2
    assert per_person.share_of_allocations == Decimal("0.4")
    assert per_person.share_of_population == Decimal("0.25")
    per_county = rules.tilt(2025, {"520001": Decimal(100), "520002": Decimal(300),
                                   "520003": Decimal(100)}, {}, keys,
                            ["520001", "520002", "520003"])[0]
    assert per_county.basis == "per_county" and per_county.ratio == Decimal("0.5")


def test_findings_of_the_engine():
    tilt = rules.tilt(2025, {COUNTY: Decimal(50), NOT_KEY: Decimal(100)},
                      {COUNTY: 100, NOT_KEY: 100}, {COUNTY: rules.NATIONAL}, [NOT_KEY])
    figures = rules.indicators([_row(COUNTY, 2024, 1, "1", "1", "20000"),
                                _row(COUNTY, 2025, 1, "1", "1", "20100")])
    found = rules.findings(tilt, figures, [COUNTY, OTHER_COUNTY], resolve, date(2026, 7, 1))
    rules_found = sorted((f.rule, f.region_code) for f in found)
    assert rules_found == [
        ("KEY_COUNTY_INCOME_GROWTH_BELOW_PROVINCE", COUNTY),  # +0.5% against the province's
        ("KEY_COUNTY_INDICATORS_MISSING", OTHER_COUNTY),
        ("KEY_COUNTY_TILT_BELOW", COUNTY)]
    before_due = rules.findings([], [], [OTHER_COUNTY], resolve, date(2026, 5, 31))
    assert before_due == []


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


def _allocate(officer, county, year, amount, document):
    do_record_allocation(county_code=county, year=year, source="central", amount=amount,
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
