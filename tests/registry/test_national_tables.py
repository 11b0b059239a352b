"""The national export's other tables: migrant work, planned work, and the village table."""

import io

import polars as pl
import pytest
from openpyxl import Workbook

from dixian.engine.scope import RegionScope
from dixian.registry import importing
from dixian.registry.models import ImportBatch, Member, VillageReport
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

SCOPE = RegionScope.of("522326")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return tables


def _workbook(sheet: str, rows: list[list]) -> bytes:
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_migrant_work_table_updates_registered_members_by_id_number(registry):
    head = registry["members"].to_pylist()[0]
    data = _workbook("已外出务工信息", [
        ["姓名", "证件号码", "务工状况", "务工所在地（县）", "务工开始时间", "务工月收入"],
        [head["name"], head["resident_id"], "省外务工", "440306", "202503", 4200],
    ])
    outcome = importing.import_file(data, "务工.xlsx", scope=SCOPE)
    assert outcome.applied, outcome.problems
    member = Member.objects.get(member_id=head["member_id"])
    assert (member.work_status, member.work_place_code, member.work_start_month,
            member.migrant_monthly_income) == ("migrant_out_of_province", "440306", "2025-03",
                                               4200)
    assert member.name == head["name"]  # untouched fields keep their values


@pytest.mark.django_db
def test_an_update_row_for_an_unknown_person_is_reported(registry):
    data = _workbook("计划外出务工信息", [
        ["证件号码", "是否计划务工", "计划务工所在县", "就业服务需求"],
        ["11010519491231002X", "是", "330106", "技能培训"],
    ])
    outcome = importing.import_file(data, "计划.xlsx", scope=SCOPE)
    assert outcome.batch.status == ImportBatch.Status.REJECTED
    assert [p.rule for p in outcome.problems] == ["registry.unknown_member"]
    assert outcome.problems[0].value.startswith("1101") and "*" in outcome.problems[0].value


@pytest.mark.django_db
def test_planned_work_is_recorded(registry):
    member = registry["members"].to_pylist()[1]
    data = _workbook("计划外出务工信息", [
        ["证件号码", "是否计划务工", "计划务工所在县", "就业服务需求"],
        [member["resident_id"], "是", "330106", "技能培训"],
    ])
    assert importing.import_file(data, "计划.xlsx", scope=SCOPE).applied
    stored = Member.objects.get(member_id=member["member_id"])
    assert (stored.plans_migrant_work, stored.planned_work_county,
            stored.employment_service_need) == (True, "330106", "技能培训")


@pytest.mark.django_db
def test_the_village_table_is_kept_and_compared_with_the_registry(registry):
    from dixian.quality import bridge
    from dixian.quality.models import QualityIssue

    data = _workbook("行政村信息", [
        ["行政村", "总户数", "总人口数", "低保户数", "未实现饮水安全户数", "危房户数"],
        [VILLAGE, 250, 900, 3, 0, 0],  # the registry holds 2 households, 6 persons
    ])
    outcome = importing.import_file(data, "村.xlsx", scope=SCOPE)
    assert outcome.applied, outcome.problems
    report = VillageReport.objects.get(village_id=VILLAGE)
    assert (report.households_total, report.population_total) == (250, 900)
    bridge.run(SCOPE)
    village_issues = QualityIssue.objects.filter(table="villages", village_id=VILLAGE)
    assert village_issues.exists()
