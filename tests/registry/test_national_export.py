"""The national export as the national system writes it: written, re-imported into an empty
registry, and reconciled with zero differences; planted differences each show."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dixian.assistance.models import Measure, Origin
from dixian.cases.models import MonitoringSpell
from dixian.engine.scope import RegionScope
from dixian.registry import importing, synthetic
from dixian.registry.models import Household, IncomeBlock, Member
from dixian.registry.national import columns as nc
from dixian.registry.national import reconcile, writer

SCOPE = RegionScope.of("522326")
OBJECTS = "（自定义）监测对象信息.xlsx"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _plan_measures():
    """Measures in several columns for the monitored households (the generator plans none)."""
    monitored = Household.objects.exclude(identified_month="").order_by("code")
    for n, household in enumerate(monitored):
        for category, department in (("INDUSTRY", "agriculture_rural"),
                                     ("HEALTH", "medical_insurance"),
                                     ("EMPLOYMENT", "human_resources"))[: 1 + n % 3]:
            Measure.objects.create(household=household, village_code=household.village_id,
                                   category=category, instrument="", department=department,
                                   planned_on=dt.date(2025, 3, 1), due_on=dt.date(2025, 3, 31),
                                   status="implemented")


def _empty_registry():
    """A fresh installation: no households, members, incomes, measures or spells."""
    from dixian.cases.models import Case
    from dixian.registry.models import FieldChange, Income

    MonitoringSpell.objects.all().delete()
    Case.objects.all().delete()
    Measure.objects.all().delete()
    for model in (FieldChange, Income, IncomeBlock, Member, Household):
        model.objects.all().delete()


@pytest.fixture
def exported(county_regions, tmp_path):
    synthetic.generate_and_load("522326", households=80, seed=5, out_dir=tmp_path / "s",
                                months=36, end_month="2025-12")
    _plan_measures()
    counts = (Household.objects.count(), Member.objects.count(), Measure.objects.count())
    return writer.export(SCOPE, reveal=True), counts


def _objects_sheet(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return load_workbook(io.BytesIO(archive.read(OBJECTS))).active


def _replace_objects(data: bytes, sheet) -> bytes:
    out = io.BytesIO()
    sheet.parent.save(out)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, out.getvalue() if info.filename == OBJECTS
                            else source.read(info))
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_export_has_the_national_shape(exported):
    data, _counts = exported
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == sorted(f"{n}.xlsx" for n in nc.FILE_NAMES.values())
    sheet = _objects_sheet(data)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "（自定义）监测对象信息" and rows[1][0].startswith("导出单位")
    header = list(rows[2])
    for name in ("县", "乡", "村", "户编号", "证件号码", "出生日期", "致贫/返贫风险5",
                 "风险是否已消除", "风险消除方式", "消除监测时间", "识别监测时间", "户类型",
                 "脱贫年度", "工资性收入", "人均纯收入（元）", "风险消除后人均纯收入（元）",
                 "产业帮扶", "基础设施建设", "整户无劳动能力兜底保障户"):
        assert name in header, name
    assert sum(1 for _h, code in nc.MEASURE_COLUMNS) == 14
    first = dict(zip(header, rows[3], strict=True))
    assert len(str(first["出生日期"])) == 8 and not str(first["村"]).isdigit()
    # both income blocks and the measure columns are filled somewhere
    body = [dict(zip(header, r, strict=True)) for r in rows[3:]]
    assert any(r["工资性收入"] is not None for r in body)
    assert any(r["风险消除后工资性收入"] is not None for r in body)
    assert any(r["产业帮扶"] for r in body) and any(r["健康帮扶"] for r in body)


@pytest.mark.django_db
def test_a_generated_county_migrates_with_zero_differences(exported):
    data, (households, members, measures) = exported
    _empty_registry()
    outcome = importing.import_file(data, "county.zip", scope=SCOPE, accept_quality_issues=True)
    assert outcome.applied, [p for p in outcome.problems if p.kind == "structure"][:5]
    assert (Household.objects.count(), Member.objects.count()) == (households, members)
    assert Measure.objects.filter(origin=Origin.NATIONAL).count() == measures
    assert IncomeBlock.objects.filter(basis="identification").exists()
    assert IncomeBlock.objects.filter(basis="elimination").exists()
    assert MonitoringSpell.objects.count() == Household.objects.exclude(
        identified_month="").exclude(monitoring_category="").count() > 0
    report = reconcile.reconcile_file(data, "county.zip", SCOPE)
    assert report.clean, reconcile.render_text(report)
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "reconciliation-clean.txt").write_text(reconcile.render_text(report),
                                                        encoding="utf-8")
    # re-sending the export changes nothing
    again = importing.import_file(data, "county.zip", scope=SCOPE, accept_quality_issues=True)
    assert again.batch.status == "duplicate"


@pytest.mark.django_db
def test_planted_differences_each_show_with_their_rows(exported):
    data, _counts = exported
    _empty_registry()
    assert importing.import_file(data, "county.zip", scope=SCOPE,
                                 accept_quality_issues=True).applied
    sheet = _objects_sheet(data)
    header = [c.value for c in sheet[3]]
    col = {name: header.index(name) + 1 for name in header}
    rows = list(range(4, sheet.max_row + 1))
    code_of = {r: sheet.cell(r, col["户编号"]).value for r in rows}
    monitored = [r for r in rows if sheet.cell(r, col["监测对象类别"]).value]
    with_income = [r for r in rows if sheet.cell(r, col["工资性收入"]).value is not None]
    with_measure = [r for r in rows if sheet.cell(r, col["产业帮扶"]).value]
    # 1. a category changed (on every row of the household)
    target = code_of[monitored[0]]
    for r in rows:
        if code_of[r] == target:
            sheet.cell(r, col["监测对象类别"]).value = "突发严重困难户" if sheet.cell(
                r, col["监测对象类别"]).value != "突发严重困难户" else "边缘易致贫户"
    # 2. a wage income changed
    wage_household = code_of[[r for r in with_income if code_of[r] != target][0]]
    for r in rows:
        if code_of[r] == wage_household:
            sheet.cell(r, col["工资性收入"]).value = (sheet.cell(r, col["工资性收入"]).value
                                                    or 0) + 1000
    # 3. a measure removed
    measure_household = code_of[with_measure[-1]]
    for r in rows:
        if code_of[r] == measure_household:
            sheet.cell(r, col["产业帮扶"]).value = None
    # 4. a risk added (the fifth risk column of another household)
    risk_household = code_of[[r for r in rows if code_of[r] not in
                              (target, wage_household, measure_household)][0]]
    for r in rows:
        if code_of[r] == risk_household:
            sheet.cell(r, col["致贫/返贫风险5"]).value = "因灾" if "因灾" not in [
                sheet.cell(r, col[f"致贫/返贫风险{i}"]).value for i in range(1, 5)] else "因学"
    planted = _replace_objects(data, sheet)

    report = reconcile.reconcile_file(planted, "planted.zip", SCOPE)
    assert not report.clean
    found = {(d.household_code, d.field) for d in report.differences}
    # the export's own totals (家庭纯收入, 人均纯收入) are compared as written: unchanged here
    assert found == {(target, "monitoring_category"), (wage_household, "id_wage"),
                     (measure_household, "measures"), (risk_household, "risks")}
    for d in report.differences:
        assert d.rows, d  # each names the rows of the file
    differing = {t.measure for t in report.totals if t.differs}
    assert {"households by type/category", "persons by type/category", "households per risk type",
            "measures by category", "income sum (identification)"} <= differing
    text = reconcile.render_text(report)
    assert target in text and "≠" in text
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "reconciliation-planted.txt").write_text(text, encoding="utf-8")
