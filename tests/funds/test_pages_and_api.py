"""Pages, the API and the workbook over a small ledger."""

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from dixian.core.cells import safe_cell
from dixian.core.roles import Role
from dixian.funds.models import Project
from tests.conftest import COUNTY, VILLAGE
from tests.funds.builders import approved_project, load_households

pytestmark = pytest.mark.django_db


def test_formula_prefixes_are_neutralised():
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "\t=x", "ok", 5)] == \
        ["'=1+1", "'+1", "'-1", "'@A1", "'\t=x", "ok", 5]


def test_the_workbook_is_formula_safe(client, users):
    load_households()
    project = approved_project(users)
    Project.objects.filter(pk=project.pk).update(title='=HYPERLINK("http://x","y")')
    client.force_login(users[Role.COUNTY_APPROVER])
    response = client.get(f"/funds/{COUNTY}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["资金来源", "产业发展比重", "项目库", "资金支付", "资产台账",
                               "收益分配", "发现的问题"]
    titles = [row[3].value for row in book["项目库"].iter_rows(min_row=2)]
    assert titles == ['\'=HYPERLINK("http://x","y")']


def test_the_region_page_shows_the_share_and_the_findings(client, users):
    load_households()
    approved_project(users, on=date(2025, 1, 10))
    client.force_login(users[Role.ANALYST])
    page = client.get(f"/funds/{COUNTY}/").content.decode()
    assert 'id="industry-share"' in page and 'data-rule="FUNDS_NOTICE_LATE"' in page
    assert client.get("/funds/assets/?flagged=1").status_code == 200
    assert client.get("/funds/projects/?overdue=1&year=2025").status_code == 200


def test_the_api_takes_a_project_through_the_library(client, users):
    load_households()
    client.force_login(users[Role.VILLAGE_CADRE])
    body = {"region_code": VILLAGE, "title": "茶叶加工厂", "year": 2026, "category": "industry",
            "amount": "1200000", "democracy": [
                {"kind": k, "on": "2025-12-01", "documents": [f"{k}.pdf"]}
                for k in ("proposal", "meeting", "village_notice")],
            "beneficiaries": [[f"{VILLAGE}0001", "jobs"]]}
    created = client.post("/api/funds/projects", json.dumps(body),
                          content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = client.post("/api/funds/projects", json.dumps({**body, "democracy": []}),
                      content_type="application/json")
    assert bad.status_code == 400 and "village_notice" in bad.json()["detail"]
    step = {"step": "review", "documents": ["意见.pdf"]}
    assert client.post(f"/api/funds/projects/{pk}/steps", json.dumps(step),
                       content_type="application/json").status_code == 403
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    reviewed = client.post(f"/api/funds/projects/{pk}/steps", json.dumps(step),
                           content_type="application/json")
    assert reviewed.status_code == 200 and reviewed.json()["state"] == "township_reviewed"
    summary = client.get(f"/api/funds/regions/{VILLAGE[:9]}").json()
    assert summary["projects_by_state"] == [{"state": "township_reviewed", "n": 1,
                                             "amount": "1200000.00"}]
    schema = client.get("/api/openapi.json").json()
    assert "/api/funds/projects" in schema["paths"]
    assert "/api/funds/regions/{code}/findings" in schema["paths"]


def test_garbage_gets_a_clear_answer_not_a_500(client, users):
    load_households()
    project = approved_project(users)
    client.force_login(users[Role.FUND_OFFICER])
    for data in ({"action": "pay", "appropriation": "x"}, {"action": "appropriate",
                                                            "allocation": "99", "amount": "1"},
                 {"action": "execute", "kind": "contract", "amount": "-5"},
                 {"action": "review", "on": "31/12/2025"}):
        # refused with the reason (302 back to the page), or 403 for a step of another role
        assert client.post(f"/funds/projects/{project.pk}/act/", data).status_code in (302, 403)
    assert client.post("/funds/allocations/add/", {"year": "x"}).status_code == 302
    assert client.post("/api/funds/projects/1/steps", "{not json",
                       content_type="application/json").status_code in (400, 404)


def test_funds_and_assets_are_written_over_the_api(client, users):
    """Issue 15: allocation → appropriation → payments → acceptance → asset → a month's income
    → its distribution → a disposal and the county's decision, each through the API and the
    same audited action as the pages; errors answer 400 with the rule, never 500."""
    from dixian.core.models import AuditEvent
    from dixian.funds import actions

    load_households()
    project = approved_project(users)

    def post(role, url, body):
        client.force_login(users[role])
        return client.post(url, json.dumps(body), content_type="application/json")

    made = post(Role.FUND_OFFICER, "/api/funds/allocations", {
        "county_code": VILLAGE[:6], "year": 2025, "source": "central", "amount": "500000",
        "document": "财农〔2025〕8号", "received_on": "2025-02-01"})
    assert made.status_code == 201, made.content
    allocation = made.json()["id"]
    assert post(Role.FUND_OFFICER, "/api/funds/allocations", {
        "county_code": VILLAGE[:6], "year": 2025, "source": "nowhere", "amount": "1",
        "document": "x", "received_on": "2025-02-01"}).status_code == 400
    given = post(Role.FUND_OFFICER, f"/api/funds/allocations/{allocation}/appropriations",
                 {"project_id": project.pk, "amount": "300000", "document": "拨〔2025〕1号",
                  "on": "2025-02-02"})
    assert given.status_code == 201, given.content
    appropriation = given.json()["id"]
    paid = post(Role.FUND_OFFICER, f"/api/funds/appropriations/{appropriation}/payments",
                {"amount": "100000", "paid_on": "2025-03-01", "payee": "合作社",
                 "document": "付1"})
    assert paid.status_code == 201, paid.content
    early = post(Role.FUND_OFFICER, f"/api/funds/appropriations/{appropriation}/payments",
                 {"amount": "200000", "paid_on": "2025-03-02", "payee": "合作社",
                  "document": "付2", "final": True})
    assert early.status_code == 400  # the final payment waits for acceptance
    officer = users[Role.PROJECT_OFFICER]
    actions.do_record_execution(project, "contract", documents=["合同"], amount="300000",
                                contractor="合作社", actor=officer)
    actions.do_record_execution(project, "acceptance", documents=["验收"], actor=officer)
    asset = post(Role.ASSET_OFFICER, f"/api/funds/projects/{project.pk}/assets",
                 {"name": "冷库", "category": "income", "book_value": "300000"})
    assert asset.status_code == 201, asset.content
    asset_id = asset.json()["id"]
    income = post(Role.ASSET_OFFICER, f"/api/funds/assets/{asset_id}/income",
                  {"month": "2025-11", "amount": "3000"})
    assert income.status_code == 201, income.content
    shares = post(Role.ASSET_OFFICER,
                  f"/api/funds/asset-income/{income.json()['id']}/distributions",
                  {"shares": [{"channel": "collective", "amount": "2000", "basis": "村集体"},
                              {"channel": "household", "amount": "1000",
                               "household_code": f"{VILLAGE}0001", "basis": "弱劳力户"}]})
    assert shares.status_code == 201, shares.content
    handout = post(Role.ASSET_OFFICER,
                   f"/api/funds/asset-income/{income.json()['id']}/distributions",
                   {"shares": [{"channel": "household", "amount": "1",
                                "household_code": f"{VILLAGE}0002"}]})
    assert handout.status_code == 400 and "handouts" in handout.json()["detail"]
    asked = post(Role.ASSET_OFFICER, f"/api/funds/assets/{asset_id}/disposals",
                 {"how": "报废", "reason": "水毁"})
    assert asked.status_code == 201
    assert post(Role.ASSET_OFFICER, f"/api/funds/disposals/{asked.json()['id']}/decision",
                {"approve": True}).status_code == 403
    decided = post(Role.COUNTY_APPROVER, f"/api/funds/disposals/{asked.json()['id']}/decision",
                   {"approve": True, "proceeds": "0.5"})
    assert decided.status_code == 200, decided.content
    assert decided.json()["state"] == "approved"
    assert AuditEvent.objects.filter(action__startswith="funds.").count() >= 7
