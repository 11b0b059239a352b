"""Key counties without Django (domain.md §8.5): every sourced list is of real counties of its
province and dated; the per-capita figures and growth; the tilt per resident and per county;
the findings at their limits."""

from datetime import date
from decimal import Decimal

from dixian.core.regions import _all_divisions
from dixian.engine.policy import resolve
from dixian.engine.regional import key_counties as rules

COUNTY = "522326"  # 望谟县, a national key county of Guizhou
OTHER_COUNTY = "522633"  # 从江县, another
NOT_KEY = "522301"  # 兴义市: a county of Guizhou on neither list

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
    due = rules.findings([], [], [OTHER_COUNTY], resolve, date(2026, 6, 1))
    assert [(f.rule, f.object_key) for f in due] == [
        ("KEY_COUNTY_INDICATORS_MISSING", f"{OTHER_COUNTY}-2025")]
    at_margin = rules.indicators([_row(COUNTY, 2024, 1, "1", "1", "23119"),
                                  _row(COUNTY, 2025, 1, "1", "1", "24456")])
    assert rules.findings([], at_margin, [], resolve, date(2026, 1, 1)) == []  # the same growth
