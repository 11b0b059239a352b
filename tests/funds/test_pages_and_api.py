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
