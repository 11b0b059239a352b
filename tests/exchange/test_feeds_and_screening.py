"""A department's file becomes a batch; screening turns it into alerts with sentences."""

import polars as pl
import pytest

from dixian.core.roles import Role
from dixian.engine.scope import RegionScope
from dixian.exchange import actions
from dixian.exchange.models import Alert, FeedBatch
from dixian.registry import importing
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

HEADER = ("结算编号,身份证号码,姓名,就诊类型,入院日期,结算日期,定点医疗机构,主要诊断,"
          "医疗总费用,基本医保统筹支付,大病保险支付,医疗救助支付,政策范围内个人自付\n")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return tables


def _claims(member, oop: int, extra_rows: str = "") -> bytes:
    row = (f"C001,{member['resident_id']},{member['name']},住院,2025-05-02,2025-05-20,县医院,"
           f"肺炎,80000,40000,10000,0,{oop}\n")
    return (HEADER + row + extra_rows).encode("utf-8")


@pytest.mark.django_db
def test_a_month_of_claims_is_matched_kept_and_screened(registry, users):
    member = registry["members"].to_pylist()[0]
    officer = users[Role.DEPARTMENT_OFFICER]
    data = _claims(member, 30000, "C002,11010519491231002X,查无此人,住院,2025-05-01,"
                                  "2025-05-09,县医院,骨折,5000,3000,0,0,2000\n")
    batch = actions.do_upload_feed(data, "医保结算_2025-05.csv",
                                   department="medical_insurance", actor=officer)
    assert batch.status == FeedBatch.Status.ACCEPTED and batch.period == "2025-05"
    assert (batch.rows, batch.matched, batch.unmatched) == (2, 1, 1)  # reported, not dropped
    import pyarrow.parquet as pq

    stored = pq.read_table(batch.parquet.open("rb"))
    assert "resident_id" not in stored.column_names and stored.num_rows == 2
    again = actions.do_upload_feed(data, "copy.csv", department="medical_insurance",
                                   actor=officer)
    assert again.status == FeedBatch.Status.DUPLICATE

    run = actions.do_run_screening(RegionScope.of("522326"), "2025-05",
                                   actor=users[Role.COUNTY_ADMIN])
    medical = Alert.objects.filter(run=run, member_id=member["member_id"],
                                   rule_id__startswith="R7-MED")
    assert medical.exists(), run.counts
    sentence = medical.first().sentence_zh
    assert "30,000" in sentence and "元" in sentence


@pytest.mark.django_db
def test_a_bad_file_changes_nothing_and_names_the_problem(registry, users):
    member = registry["members"].to_pylist()[0]
    data = _claims(member, 30000).replace(b"2025-05-20", b"2025-13-45")
    batch = actions.do_upload_feed(data, "医保结算_2025-05.csv",
                                   department="medical_insurance",
                                   actor=users[Role.DEPARTMENT_OFFICER])
    assert batch.status == FeedBatch.Status.REJECTED and not batch.parquet
    assert any(p["row"] == 2 and p["value"] == "2025-13-45" for p in batch.problems)


@pytest.mark.django_db
def test_alert_pages_are_scoped(client, registry, users):
    member = registry["members"].to_pylist()[0]
    actions.do_upload_feed(_claims(member, 30000), "医保结算_2025-05.csv",
                           department="medical_insurance", actor=users[Role.DEPARTMENT_OFFICER])
    client.force_login(users[Role.COUNTY_ADMIN])
    assert client.post("/screening/run/", {"period": "2025-05"}).status_code == 302
    listing = client.get("/alerts/").content.decode()
    assert member["household_code"] in listing
    alert = Alert.objects.first()
    assert client.get(f"/alerts/{alert.pk}/").status_code == 200
