"""Funds, projects and assets in a real browser: a village applies, the township, the sector's
experts and the county approve, the fund pays, the project is accepted and forms an asset
whose income is distributed to households; then the demo's planted irregularities are found
on the county's page."""

from datetime import date

import pytest

from dixian.core.audit import AuditEvent
from dixian.core.roles import Role
from dixian.engine import funds as rules
from dixian.funds import demo
from dixian.funds.models import Asset, Distribution, Project
from dixian.registry.models import Member
from tests.browser.test_journey_procedures import _as
from tests.conftest import COUNTY, TOWNSHIP, VILLAGE, make_user
from tests.funds.builders import load_households, pdf_bytes


def _pdf(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes(text)}


def _post(page, form: str, fields: dict, button: str = "button[type=submit]"):
    for name, value in fields.items():
        box = page.locator(f"{form} [name={name}]")
        if value is True:
            box.check()
        elif isinstance(value, dict):  # a file: {"name", "mimeType", "buffer"}
            box.set_input_files(files=[value])
        elif box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)
    page.click(f"{form} {button}")
    page.wait_for_load_state()


@pytest.mark.browser
def test_from_the_village_application_to_income_distributed_to_households(
        page, screenshot, county_regions):
    load_households(3, VILLAGE)
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE, username="wang.village")
    township = make_user(Role.TOWNSHIP_REVIEWER, TOWNSHIP, username="li.township")
    experts = make_user(Role.PROJECT_OFFICER, COUNTY, username="zhao.projects")
    county = make_user(Role.COUNTY_APPROVER, COUNTY, username="chen.county")
    finance = make_user(Role.FUND_OFFICER, COUNTY, username="sun.finance")
    assets = make_user(Role.ASSET_OFFICER, COUNTY, username="zhou.assets")

    application = _pdf("项目申报书.pdf", "Application: Leyuan mushroom greenhouses")
    acceptance = _pdf("竣工验收报告.pdf", "Completion acceptance report")
    _as(page, cadre)
    page.goto("/funds/projects/apply/")
    _post(page, "#apply-form", {"application_file": application,
        "title": "乐元村食用菌大棚", "category": "industry", "amount": "800000",
        "planned_completion": "2026-10-31", "targets": "带动20户脱贫户增收",
        "proposal_doc": "村党支部提议.pdf", "meeting_doc": "村民代表会议决议.pdf",
        "village_notice_doc": "村务公开照片.jpg",
        "beneficiaries": f"{VILLAGE}0001,dividends\n{VILLAGE}0002,jobs"})
    project = Project.objects.get(title="乐元村食用菌大棚")
    page.wait_for_url(f"**/funds/projects/{project.pk}/")
    assert page.locator("#steps [data-step=meeting]").count() == 1
    assert page.locator("#documents tr[data-step=application] a.document").inner_text() == \
        "项目申报书.pdf"
    screenshot("1-village-applied")

    for user in (township, experts, county):
        _as(page, user)
        page.goto(f"/funds/projects/{project.pk}/")
        _post(page, "#review-form", {"documents": "审核意见.pdf"},
              button="button[value=approve]")
    project.refresh_from_db()
    assert project.state == "approved"
    assert page.locator("[data-notice=approval]").count() == 1
    screenshot("2-county-approved")

    _as(page, finance)
    page.goto("/funds/allocations/")
    _post(page, "#allocation-form", {"year": "2026", "source": "central",
                                     "amount": "5000000", "document": "黔财农〔2026〕8号"})
    page.goto(f"/funds/projects/{project.pk}/")
    _post(page, "#appropriate-form", {"amount": "800000", "document": "望财农〔2026〕3号"})
    _post(page, "#pay-form", {"amount": "560000", "payee": "望谟县农业发展有限公司",
                              "document": "付2026-001", "on": "2026-06-01"})
    _as(page, experts)
    page.goto(f"/funds/projects/{project.pk}/")
    _post(page, "#execute-form", {"kind": "contract", "documents": "合同.pdf",
                                  "amount": "800000", "contractor": "望谟县农业发展有限公司",
                                  "on": "2026-05-01"})
    _post(page, "#execute-form", {"kind": "acceptance", "files": acceptance,
                                  "on": "2026-11-01"})
    _as(page, finance)
    page.goto(f"/funds/projects/{project.pk}/")
    _post(page, "#pay-form", {"amount": "240000", "payee": "望谟县农业发展有限公司",
                              "document": "付2026-002", "on": "2026-11-10", "final": True})
    project.refresh_from_db()
    assert project.state == "accepted" and project.payments.count() == 2
    screenshot("3-paid-and-accepted")

    # the county opens the project's whole file and downloads the acceptance report
    _as(page, county)
    page.goto(f"/funds/projects/{project.pk}/")
    page.locator("#documents").scroll_into_view_if_needed()
    screenshot("3b-the-project-file")
    with page.expect_download() as download:
        page.click("#documents tr[data-step=acceptance] a.document")
    assert download.value.suggested_filename == "竣工验收报告.pdf"
    with open(download.value.path(), "rb") as got:
        assert got.read() == acceptance["buffer"]
    assert AuditEvent.objects.filter(action="funds.document_download",
                                     actor=county).count() == 1

    _as(page, assets)
    page.goto(f"/funds/projects/{project.pk}/")
    _post(page, "#asset-form", {"name": "食用菌大棚", "category": "income",
                                "book_value": "800000", "operator": "乐元村股份经济合作社",
                                "maintenance_duty": "合作社负责管护"})
    asset = Asset.objects.get(project=project)
    page.wait_for_url(f"**/funds/assets/{asset.pk}/")
    assert asset.owner_level == "village" and asset.supervision == "collective"
    _post(page, "#income-form", {"month": "2026-11", "amount": "4000"})
    _post(page, "#distribute-form", {"month": "2026-11", "shares": (
        "collective,2000,,,村集体经济收入\n"
        f"welfare_post,1200,{VILLAGE}0001,{VILLAGE}0001-01,保洁员岗位\n"
        f"household,800,{VILLAGE}0002,{VILLAGE}0002-02,弱劳力户差异化分配")})
    assert Distribution.objects.filter(income__asset=asset).count() == 3
    screenshot("4-income-distributed")

    page.goto(f"/funds/households/{VILLAGE}0001/")
    assert "1200.00" in page.locator("#total").inner_text()
    screenshot("5-household-received")


@pytest.mark.browser
def test_the_planted_irregularities_are_found(page, screenshot, county_regions):
    for village in (VILLAGE, "522326101202"):
        load_households(5, village)
    today = date.today()
    Member.objects.filter(member_id=f"{VILLAGE}0002-01").update(
        member_status="deceased", status_month=rules.add_months(rules.month_of(today), -5))
    demo.build_history(COUNTY, today)
    county = make_user(Role.COUNTY_APPROVER, COUNTY, username="chen.county")
    _as(page, county)
    page.goto(f"/funds/{COUNTY}/")
    for rule in ("FUNDS_INDUSTRY_SHARE_LOW", "FUNDS_PAID_BEFORE_ACCEPTANCE",
                 "FUNDS_INCOME_TO_INELIGIBLE"):
        assert page.locator(f"#findings tr[data-rule={rule}]").count() == 1, rule
    assert page.locator("#industry-share tr.flagged").count() == 1
    screenshot("1-county-findings")
    page.click("#findings tr[data-rule=FUNDS_PAID_BEFORE_ACCEPTANCE] a")
    page.wait_for_url("**/funds/projects/*/")
    assert page.locator("#payments tbody tr").count() >= 2
    screenshot("2-project-paid-before-acceptance")


@pytest.mark.browser
def test_a_work_relief_payroll_with_a_flagged_shortfall(page, screenshot, county_regions):
    from tests.funds.builders import approved_project

    load_households(3, VILLAGE)
    users = {role: make_user(role, code) for role, code in (
        (Role.VILLAGE_CADRE, VILLAGE), (Role.TOWNSHIP_REVIEWER, TOWNSHIP),
        (Role.PROJECT_OFFICER, COUNTY), (Role.COUNTY_APPROVER, COUNTY))}
    project = approved_project(users, category="infrastructure", amount="300000")
    officer = make_user(Role.WORK_RELIEF_OFFICER, COUNTY, username="fa.gai")
    _as(page, officer)
    page.goto(f"/funds/projects/{project.pk}/")
    page.click("#work-relief-link")
    page.wait_for_url(f"**/funds/projects/{project.pk}/work-relief/")
    _post(page, "#start-form", {"central": "200000"})
    _post(page, "#hire-form", {"members": f"{VILLAGE}0001-01 {VILLAGE}0002-01 {VILLAGE}0003-01"})
    workers = list(project.work_relief.workers.order_by("pk"))
    assert len(workers) == 3
    fields = {"month": "2025-05", "paid_on": "2025-06-05"}
    for k, w in enumerate(workers):
        fields[f"due_{w.pk}"] = "3000"
        fields[f"paid_{w.pk}"] = "1800" if k == 0 else "3000"
    _post(page, "#payroll-form", fields)
    assert page.locator("#payroll tr.flagged").count() == 1
    assert page.locator("#findings li.flagged").count() == 2  # the share and the shortfall
    assert page.locator("[data-figure=share].error").count() == 1
    screenshot("1-payroll-shortfall-flagged")
