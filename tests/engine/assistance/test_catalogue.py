"""The measure catalogue: the national categories and instruments (domain.md §2.3, §3, §4) and
how a province extends it; the parameters per province and year (§11.1)."""

from __future__ import annotations

import json

import pytest

from dixian.engine.assistance import catalogue, params
from dixian.engine.assistance.catalogue import DEFAULT, build, for_province

CATEGORIES = {  # §2.3 system columns
    "INDUSTRY": "产业帮扶", "EMPLOYMENT": "就业帮扶", "PUBLIC_WELFARE_POST": "公益岗位帮扶",
    "FINANCE": "金融帮扶", "HEALTH": "健康帮扶", "EDUCATION": "教育帮扶",
    "COMPULSORY_EDUCATION": "义务教育保障", "HOUSING_SAFETY": "住房安全保障",
    "DRINKING_WATER": "饮水安全保障", "SOCIAL_SECURITY": "综合保障",
    "SOCIAL_ASSISTANCE": "社会帮扶", "RELOCATION": "搬迁",
    "LIVING_CONDITIONS": "生产生活条件改善", "INFRASTRUCTURE": "基础设施建设",
}
# the instruments the brief names, with their category
INSTRUMENTS = {
    "MICROCREDIT": "FINANCE", "YULU_PLAN": "EDUCATION", "MEDICAL_PREMIUM_SUBSIDY": "HEALTH",
    "MEDICAL_ASSISTANCE": "HEALTH", "CRITICAL_ILLNESS_INSURANCE": "HEALTH",
    "FAMILY_DOCTOR": "HEALTH", "TEMPORARY_ASSISTANCE": "SOCIAL_ASSISTANCE",
    "MIGRANT_TRANSPORT_SUBSIDY": "EMPLOYMENT", "WORKSHOP_JOB": "EMPLOYMENT",
    "VOCATIONAL_TRAINING": "EMPLOYMENT", "PUBLIC_WELFARE_POST": "PUBLIC_WELFARE_POST",
    "DIBAO": "SOCIAL_SECURITY", "TEKUN": "SOCIAL_SECURITY",
    "DISABILITY_ALLOWANCES": "SOCIAL_SECURITY", "HOUSE_RENOVATION": "HOUSING_SAFETY",
    "WATER_PROJECT": "DRINKING_WATER", "INDUSTRY_SUBSIDY": "INDUSTRY",
    "STUDENT_AID": "EDUCATION", "DROPOUT_CONTROL": "COMPULSORY_EDUCATION",
    "DISASTER_RELIEF": "SOCIAL_ASSISTANCE", "ANTI_POVERTY_INSURANCE": "FINANCE",
}


def test_the_national_categories_with_labels():
    assert {k: c.zh for k, c in DEFAULT.categories.items()} == CATEGORIES
    assert all(c.en and c.source and c.departments for c in DEFAULT.categories.values())
    assert DEFAULT.development_categories() == ("INDUSTRY", "EMPLOYMENT")


def test_the_named_instruments_with_category_department_and_source():
    for code, cat in INSTRUMENTS.items():
        i = DEFAULT.instrument(code)
        assert i.category == cat, code
        assert i.zh and i.en and i.source, code
        assert i.department in catalogue.DEPARTMENTS, code


def test_loans_posts_and_yulu_continue_after_elimination_and_nothing_else():
    cont = {k: i.continues_until for k, i in DEFAULT.instruments.items()
            if i.continues_after_elimination}
    assert cont == {"MICROCREDIT": "contract_end", "ASSET_INCOME": "contract_end",
                    "PUBLIC_WELFARE_POST": "agreement_end", "YULU_PLAN": "school_stage_end"}


def test_instrument_parameters_exist():
    assert DEFAULT.instrument("MICROCREDIT").params == (
        "microcredit_max_amount", "microcredit_max_years", "microcredit_borrower_min_age",
        "microcredit_borrower_max_age", "microcredit_interest_subsidy_share_by_year")
    for i in DEFAULT.instruments.values():
        assert set(i.params) <= set(params.PARAMETERS), i.code


def test_asset_income_is_industry_but_not_development():
    assert DEFAULT.is_development("INDUSTRY", "INDUSTRY_SUBSIDY")
    assert not DEFAULT.is_development("INDUSTRY", "ASSET_INCOME")
    assert DEFAULT.is_development("EMPLOYMENT", None)
    assert not DEFAULT.is_development("FINANCE", "MICROCREDIT")


def test_a_province_adds_overrides_and_removes():
    cat = for_province(None, {
        "departments": {"forestry": {"zh": "林业和草原部门", "en": "Forestry and grassland"}},
        "categories": {"CONSUMPTION": {"zh": "消费帮扶", "en": "Consumption assistance",
                                       "development": False,
                                       "departments": ["agriculture_rural"],
                                       "source": "§8.4"}},
        "instruments": {
            "FOREST_RANGER": {"category": "PUBLIC_WELFARE_POST", "zh": "生态护林员",
                              "en": "Forest ranger", "department": "forestry",
                              "source": "province notice", "target": "member",
                              "continues_until": "agreement_end"},
            "PURCHASE_832": {"category": "CONSUMPTION", "zh": "832平台采购",
                             "en": "832 platform purchase", "department": "agriculture_rural",
                             "source": "§8.4 [V S66]"},
            "MICROCREDIT": {"params": ["microcredit_max_amount"], "note": "province terms"},
            "FAMILY_DOCTOR": None,
        }})
    assert cat.instrument("FOREST_RANGER").continues_after_elimination
    assert cat.instrument("PURCHASE_832").category == "CONSUMPTION"
    assert cat.instrument("MICROCREDIT").params == ("microcredit_max_amount",)
    assert cat.instrument("MICROCREDIT").note == "province terms"
    assert "FAMILY_DOCTOR" not in cat.instruments
    # the default is untouched
    assert "FAMILY_DOCTOR" in DEFAULT.instruments and "CONSUMPTION" not in DEFAULT.categories


def test_a_registered_province_is_applied(monkeypatch):
    monkeypatch.setitem(catalogue.PROVINCES, "52", {"instruments": {
        "ANTI_POVERTY_INSURANCE": {"category": "SOCIAL_ASSISTANCE"}}})
    assert for_province("52").instrument("ANTI_POVERTY_INSURANCE").category == \
        "SOCIAL_ASSISTANCE"
    assert for_province("53").instrument("ANTI_POVERTY_INSURANCE").category == "FINANCE"
    assert for_province("52", {"instruments": {"ANTI_POVERTY_INSURANCE": {
        "category": "HEALTH"}}}).instrument("ANTI_POVERTY_INSURANCE").category == "HEALTH"


@pytest.mark.parametrize("overrides,message", [
    ({"instruments": {"X": {"category": "HEALTH"}}}, "lacks required field"),
    ({"instruments": {"DIBAO": {"colour": "red"}}}, "unknown field"),
    ({"instruments": {"DIBAO": {"category": "NOPE"}}}, "unknown category"),
    ({"instruments": {"DIBAO": {"department": "nope"}}}, "unknown department"),
    ({"instruments": {"DIBAO": {"params": ["nope"]}}}, "unknown parameter"),
    ({"instruments": {"DIBAO": {"target": "village"}}}, "target"),
    ({"instruments": {"DIBAO": {"continues_until": "forever"}}}, "continues_until"),
    ({"instruments": {"DIBAO": None}}, "cannot be removed"),
    ({"categories": {"HEALTH": None}}, "cannot be removed"),
    ({"categories": {"INFRASTRUCTURE": None}}, "unknown category"),   # still used
    ({"instruments": {"NOPE": None}}, "cannot remove unknown"),
    ({"rules": {}}, "unknown section"),
])
def test_bad_overrides_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        build(overrides)


def test_the_catalogue_exports_as_plain_data_and_rebuilds():
    data = DEFAULT.to_dict()
    json.dumps(data, ensure_ascii=False)
    assert data["instruments"]["MICROCREDIT"]["continues_until"] == "contract_end"
    empty = catalogue.Catalogue({}, {}, {})
    rebuilt = build({"departments": data["departments"], "categories": data["categories"],
                     "instruments": data["instruments"]}, base=empty)
    assert rebuilt.instruments == DEFAULT.instruments
    assert rebuilt.categories == DEFAULT.categories


def test_parameters_per_province_and_year(monkeypatch):
    assert params.resolve(None, 2023)["microcredit_interest_subsidy_share"] == 1.0
    assert params.resolve(None, 2024)["microcredit_interest_subsidy_share"] == 0.7
    assert params.resolve(None, 2030)["microcredit_interest_subsidy_share"] == 0.7
    assert params.resolve(None, 2021)["microcredit_interest_subsidy_share"] == 1.0
    import datetime as dt

    from dixian.engine.policy import Record
    guizhou = Record("assistance.public_welfare_post_max_posts_per_person", "52",
                     dt.date(2025, 1, 1), 1, "test")
    assert params.resolve("52", 2025, overlay=[guizhou]
                          )["public_welfare_post_max_posts_per_person"] == 1
    assert params.resolve("53", 2025, overlay=[guizhou]
                          )["public_welfare_post_max_posts_per_person"] == 2
    assert params.resolve("53", 2025)["public_welfare_post_max_posts_per_person"] == 2
    assert params.resolve("52", 2025, {"public_welfare_post_max_posts_per_person": 3}
                          )["public_welfare_post_max_posts_per_person"] == 3
    with pytest.raises(KeyError, match="unknown assistance parameter"):
        params.resolve("52", 2025, {"nope": 1})


def test_defaults_are_those_of_the_spec():
    d = params.DEFAULTS
    assert (d["microcredit_max_amount"], d["microcredit_max_years"],
            d["microcredit_borrower_min_age"], d["microcredit_borrower_max_age"]) == (
        50000, 3, 18, 65)
    assert (d["public_welfare_post_min_age"], d["public_welfare_post_max_age_exclusive"],
            d["public_welfare_post_max_posts_per_person"]) == (16, 70, 2)
    assert d["measure_deadline_days_after_identification"] == 30
    assert d["labour_shortage_max_able_share"] == 0.25
    for name, (_v, source, meaning) in params.PARAMETERS.items():
        assert source and meaning, name
