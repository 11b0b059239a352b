"""The national export's real shape: title rows, areas by name, a column named 村, masked IDs."""

import io

import pytest
from openpyxl import Workbook

from dixian.core.models import Region
from dixian.engine.scope import RegionScope
from dixian.registry import importing
from dixian.registry.models import Household, Member
from tests.conftest import VILLAGE

SCOPE = RegionScope.of("522326")
HEADER = ["县", "乡", "村", "户编号", "户类型", "姓名", "证件号码", "性别", "出生日期", "民族",
          "与户主关系", "监测对象类别", "识别监测时间", "致贫/返贫风险1", "致贫/返贫风险2",
          "风险是否已消除", "工资性收入", "家庭纯收入", "人均纯收入（元）", "产业帮扶", "健康帮扶"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _names():
    village = Region.objects.get(code=VILLAGE)
    return village.parent.parent.name, village.parent.name, village.name


def _rows(masked: bool):
    county, township, village = _names()
    rows = []
    for h in range(1, 31):  # 30 households of 3 persons; masked, every ID reads the same
        code = f"{VILLAGE}{h:04d}"
        for i, (relation, sex) in enumerate((("户主", "男"), ("配偶", "女"), ("之子", "男"))):
            rid = "5223**********0011" if masked else ""
            rows.append([county, township, village, code, "脱贫户", f"张{h}{i}", rid, sex,
                         f"1980010{i + 1}", "汉族", relation,
                         "边缘易致贫户" if h == 1 else "", "202403" if h == 1 else "",
                         "因病" if h == 1 else "", "因灾" if h == 1 else "", "否" if h == 1
                         else "", 12000 if h == 1 else None, 30000 if h == 1 else None,
                         10000 if h == 1 else None, "产业奖补" if h == 1 else "",
                         "医疗救助；家庭医生签约" if h == 1 else ""])
    return rows


def _workbook(rows, *, titles=True, sheet="监测对象信息"):
    book = Workbook()
    book.active.title = sheet
    if titles:
        book.active.append(["（自定义）监测对象信息"])
        book.active.append(["导出时间：2026-11-30"])
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_title_rows_and_areas_by_name_import(county_regions):
    outcome = importing.import_file(_workbook(_rows(False)), "监测对象.xlsx", scope=SCOPE,
                                    accept_quality_issues=True)
    assert outcome.applied, [p for p in outcome.problems if p.kind == "structure"]
    household = Household.objects.get(code=f"{VILLAGE}0001")
    assert household.village_id == VILLAGE
    assert household.risk_types == ["ILLNESS", "DISASTER"]
    assert household.identified_month == "2024-03"
    assert household.income_blocks.get().wage == 12000
    assert household.income_blocks.get().first_month == "2023-03"  # R1's window before 202403
    assert sorted(household.measures.values_list("category", "national_text")) == [
        ("HEALTH", "医疗救助"), ("HEALTH", "家庭医生签约"), ("INDUSTRY", "产业奖补")]
    assert household.measures.filter(origin="national").count() == 3
    assert household.spells.count() == 1


@pytest.mark.django_db
def test_a_column_named_village_without_title_rows_does_not_crash(county_regions):
    data = _workbook(_rows(False)[:3], titles=False, sheet="Sheet1")
    outcome = importing.import_file(data, "sheet.xlsx", scope=SCOPE, accept_quality_issues=True)
    assert outcome.applied, outcome.problems[:5]
    assert Member.objects.count() == 3


@pytest.mark.django_db
def test_an_unknown_village_name_is_reported_with_its_row(county_regions):
    rows = _rows(False)[:3]
    rows[1][2] = "不存在村"
    outcome = importing.import_file(_workbook(rows), "bad.xlsx", scope=SCOPE)
    assert outcome.batch.status == "rejected"
    problem = next(p for p in outcome.problems if p.rule == "region.unknown_or_out_of_scope")
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "监测对象信息", 5, "村", "不存在村")  # two title rows, the header, then the rows


@pytest.mark.django_db
def test_a_masked_export_keeps_every_person(county_regions):
    outcome = importing.import_file(_workbook(_rows(True)), "masked.xlsx", scope=SCOPE,
                                    accept_quality_issues=True)
    assert outcome.applied
    assert Member.objects.count() == 90  # not 1: rows are keyed on household and row
    assert Household.objects.count() == 30
    assert not Member.objects.exclude(resident_id_token="").exists()  # masks are not IDs
    assert sum(p.rule == "value.masked" for p in outcome.problems) == 90


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["no_code", "only_header", "bad_date", "zip_garbage",
                                  "villages_only", "work_only"])
def test_bad_national_files_are_reported_never_crash(county_regions, case):
    county, township, village = _names()
    rows = _rows(False)[:3]
    if case == "no_code":
        rows[0][3] = ""
        data, name = _workbook(rows), "x.xlsx"
    elif case == "only_header":
        data, name = _workbook([]), "x.xlsx"
    elif case == "bad_date":
        rows[2][8] = "1980-13-45"
        data, name = _workbook(rows), "x.xlsx"
    elif case == "zip_garbage":
        data, name = b"PK\x03\x04 not a zip", "x.zip"
    elif case == "villages_only":
        book = Workbook()
        book.active.title = "行政村信息"
        for row in (["（自定义）行政村信息"], ["2026"], ["县", "乡", "村", "总户数", "总人口数"],
                    [county, township, village, "120", "450"]):
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        data, name = out.getvalue(), "村.xlsx"
    else:
        book = Workbook()
        book.active.title = "已外出务工信息"
        for row in (["已外出务工信息"], [""], ["县", "乡", "行政村", "户编号", "姓名", "证件号码",
                                            "务工月收入"],
                    [county, township, village, f"{VILLAGE}0001", "张", "11010519491231002X",
                     "4000"]):
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        data, name = out.getvalue(), "务工.xlsx"
    outcome = importing.import_file(data, name, scope=SCOPE)
    if case == "villages_only":
        assert outcome.applied, outcome.problems
    else:
        assert outcome.batch.status == "rejected" and outcome.problems
        assert all(p.rule for p in outcome.problems)
