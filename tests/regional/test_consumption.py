"""Consumption assistance (domain.md §8.4): budget units, their plans, purchase files applied
whole or not at all (re-sending harmless), each unit's compliance on the page and the API,
region scope."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dixian.core.access import NotFound, PermissionDenied
from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.regional import consumption
from dixian.regional.models import ConsumptionBatch, ConsumptionPurchase
from tests.conftest import COUNTY, OTHER_COUNTY

pytestmark = pytest.mark.django_db
HEADER = "订单编号,采购单位,采购日期,供应商,供应商所在县代码,商品,金额（元）\n"


def _file(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode("gb18030")


@pytest.fixture
def officer(users):
    return users[Role.FUND_OFFICER]


@pytest.fixture
def hospital(officer):
    unit = consumption.do_register_unit(region_code=COUNTY, name="望谟县人民医院", actor=officer)
    consumption.do_set_plan(unit, year=2025, food_budget="1000000", reserved="150000",
                            actor=officer)
    return unit


def test_units_and_plans_are_scoped_checked_and_audited(officer, hospital, users, user_in):
    assert consumption.do_register_unit(region_code=COUNTY, name="望谟县人民医院",
                                        actor=officer).pk == hospital.pk
    with pytest.raises(ValidationError, match="超过食材采购预算"):
        consumption.do_set_plan(hospital, year=2025, food_budget="100", reserved="101",
                                actor=officer)
    with pytest.raises(ValidationError):
        consumption.do_set_plan(hospital, year=2025, food_budget="abc", reserved="1",
                                actor=officer)
    with pytest.raises(PermissionDenied):
        consumption.do_register_unit(region_code=COUNTY, name="x", actor=users[Role.ANALYST])
    with pytest.raises(NotFound):
        consumption.do_register_unit(region_code=COUNTY, name="x",
                                     actor=user_in(Role.FUND_OFFICER, OTHER_COUNTY))
    consumption.do_set_plan(hospital, year=2025, food_budget="1000000", reserved="160000",
                            actor=officer)
    changed = AuditEvent.objects.filter(action="regional.consumption_plan").order_by("pk").last()
    assert changed.before == {"food_budget": "1000000.00", "reserved": "150000.00"}


def test_a_file_is_applied_whole_and_sending_it_again_is_harmless(officer, hospital):
    data = _file("A1,望谟县人民医院,2025-03-15,板栗合作社,522326,板栗,6000",
                 "A2,望谟县人民医院,2025-04-01,茶叶合作社,522326,茶叶,1250.50")
    batch = consumption.do_import_purchases(data, "orders.csv", actor=officer)
    assert batch.accepted and batch.rows == 2 and batch.original.read() == data
    assert consumption.do_import_purchases(data, "orders.csv", actor=officer).pk == batch.pk
    more = _file("A2,望谟县人民医院,2025-04-01,茶叶合作社,522326,茶叶,1250.50",
                 "A3,望谟县人民医院,2025-05-01,蔬菜基地,522326,蔬菜,300")
    second = consumption.do_import_purchases(more, "orders-2.csv", actor=officer)
    assert second.accepted and second.rows == 1  # A2 was already there: skipped
    assert ConsumptionPurchase.objects.count() == 3


def test_a_file_with_any_problem_applies_nothing_and_names_each(officer, hospital):
    consumption.do_import_purchases(_file("A1,望谟县人民医院,2025-03-15,合作社,522326,板栗,6000"),
                                    "first.csv", actor=officer)
    bad = _file("A9,望谟县人民医院,2025-03-16,合作社,522326,板栗,100",
                "A1,望谟县人民医院,2025-03-15,合作社,522326,板栗,7000",
                "B1,县一中,2025-03-15,合作社,522326,板栗,100",
                "B2,望谟县人民医院,not-a-date,合作社,522326,板栗,100")
    batch = consumption.do_import_purchases(bad, "bad.csv", actor=officer)
    assert not batch.accepted and batch.rows == 0
    assert [(p["row"], p["column"], p["rule"]) for p in batch.problems] == [
        (3, "订单编号", "order_changed"), (4, "采购单位", "unknown_unit"),
        (5, "采购日期", "date")]
    assert not ConsumptionPurchase.objects.filter(order="A9").exists()
    assert ConsumptionBatch.objects.count() == 2  # the refused file is kept, with its reasons


def test_compliance_on_the_page_and_the_api(client, officer, hospital, user_in):
    consumption.do_import_purchases(_file("A1,望谟县人民医院,2025-03-15,合作社,522326,板栗,100000"),
                                    "orders.csv", actor=officer)
    client.force_login(officer)
    page = client.get("/regional/consumption/?year=2025").content.decode()
    assert "15.0%" in page and "66.7%" in page  # reserved share; 100,000 of 150,000
    assert 'data-rule="CONSUMPTION_BELOW_RESERVED"' in page  # 2025 has ended
    api = client.get("/api/regional/consumption?year=2025").json()
    assert api["units"][0]["bought"] == "100000.00"
    assert [f["rule"] for f in api["findings"]] == ["CONSUMPTION_BELOW_RESERVED"]
    client.force_login(user_in(Role.FUND_OFFICER, OTHER_COUNTY))
    assert client.get("/api/regional/consumption?year=2025").json()["units"] == []
    batch = ConsumptionBatch.objects.get()
    assert client.get(f"/regional/consumption/files/{batch.pk}/").status_code == 404


def test_the_upload_form_and_the_template(client, officer, hospital):
    client.force_login(officer)
    template = client.get("/regional/consumption/template.csv")
    assert template.status_code == 200 and "订单编号" in template.content.decode("utf-8-sig")
    upload = SimpleUploadedFile("orders.csv", _file(
        "A1,望谟县人民医院,2025-03-15,合作社,522326,板栗,6000"))
    response = client.post("/regional/consumption/act/", {"do": "file", "file": upload})
    batch = ConsumptionBatch.objects.get()
    assert response.status_code == 302
    assert response.url == f"/regional/consumption/files/{batch.pk}/"
    shown = client.get(response.url).content.decode()
    assert "A1" in shown
    refused = client.post("/regional/consumption/act/", {"do": "file", "file": SimpleUploadedFile(
        "bad.csv", _file("A2,县一中,2025-03-15,合作社,522326,板栗,6000"))}, follow=True)
    assert 'data-rule="unknown_unit"' in refused.content.decode()
    assert client.post("/regional/consumption/act/", {"do": "plan", "unit": "abc"}).status_code \
        == 404
    assert Decimal(ConsumptionPurchase.objects.get().amount) == Decimal("6000.00")
    assert date(2025, 3, 15) == ConsumptionPurchase.objects.get().purchased_on
