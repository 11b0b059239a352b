"""The demo's three years of funds, projects and assets: published scales, and each planted
irregularity found by the checks."""

from datetime import date
from decimal import Decimal

import pytest

from dixian.core.demo import DEMO_COUNTY
from dixian.engine import funds as rules
from dixian.funds import checks, demo
from dixian.funds.models import Allocation, Asset, Project
from dixian.registry.models import Member
from tests.funds.builders import load_households

TODAY = date(2026, 12, 7)
VILLAGES = ("522326101201", "522326101202", "522326102201")


@pytest.fixture
def history(county_regions):
    for village in VILLAGES:
        load_households(6, village)
    Member.objects.filter(member_id=f"{VILLAGES[0]}0003-01").update(
        member_status="deceased", status_month=rules.add_months(rules.month_of(TODAY), -6))
    return demo.build_history(DEMO_COUNTY, TODAY)


@pytest.mark.django_db
def test_the_demo_matches_the_published_scales(history):
    central = Allocation.objects.filter(county_code=DEMO_COUNTY, source="central")
    by_year = {a.year: a.amount for a in central}
    # §7.1: 175.0 bn (2023) and 177.0 bn (2024, 2025) over 832 formerly poor counties
    assert by_year[2023] == Decimal("210337000.00")
    assert by_year[2024] == by_year[2025] == Decimal("212740000.00")
    east_west = Allocation.objects.filter(county_code=DEMO_COUNTY, source="east_west")
    assert {a.amount for a in east_west} == {Decimal("51870000.00")}  # §8.1 per county
    assert Project.objects.filter(county_code=DEMO_COUNTY).count() == history["projects"]
    assert Asset.objects.filter(county_code=DEMO_COUNTY).count() == history["assets"] > 50


@pytest.mark.django_db
def test_each_planted_irregularity_is_found(history):
    found = checks.findings(DEMO_COUNTY, TODAY)
    rules_found = {f.rule for f in found}
    low = [f for f in found if f.rule == "FUNDS_INDUSTRY_SHARE_LOW"]
    assert [f.object_key for f in low] == [f"{DEMO_COUNTY}/2024"]
    assert 0.55 < low[0].figures["share"] < 0.60
    early = [f for f in found if f.rule == "FUNDS_PAID_BEFORE_ACCEPTANCE"]
    assert [f.object_key for f in early] == [str(history["paid_early"])]
    ineligible = [f for f in found if f.rule == "FUNDS_INCOME_TO_INELIGIBLE"]
    assert len(ineligible) == 1 and f"{VILLAGES[0]}0003" in ineligible[0].sentence_zh
    assert {"FUNDS_PROJECT_OVERDUE", "FUNDS_IDLE", "FUNDS_ASSET_IDLE"} <= rules_found
    # work relief (issue 16 item 2): one project below the share, one month paid short
    assert [f.rule for f in found if f.rule.startswith("WORK_RELIEF")] == \
        ["WORK_RELIEF_LABOUR_SHARE_LOW", "WORK_RELIEF_PAYROLL_SHORT"]


@pytest.mark.django_db
def test_the_other_years_meet_the_industry_share(history):
    shares = {s.year: s for s in checks.overview(DEMO_COUNTY, TODAY).shares
              if s.region_code == DEMO_COUNTY}
    assert shares[2023].share >= 0.60 and not shares[2023].flagged
    assert shares[2025].share >= 0.60 and not shares[2025].flagged
    assert shares[2024].flagged


@pytest.mark.django_db
def test_the_demo_keeps_the_years_acceptance_reports_as_pdf_files(history):
    from dixian.core.models import AuditEvent
    from dixian.core.roles import Role
    from dixian.funds.models import Document, ProjectStep
    from tests.conftest import make_user

    assert demo.attach_acceptance_reports(DEMO_COUNTY, TODAY) == 0  # nobody to keep them
    make_user(Role.COUNTY_APPROVER, DEMO_COUNTY, username="approver")
    kept = demo.attach_acceptance_reports(DEMO_COUNTY, TODAY, days=400)
    accepted = ProjectStep.objects.filter(project__county_code=DEMO_COUNTY, kind="acceptance",
                                          on__gte=date(2025, 11, 2))
    assert kept == accepted.count() > 0
    document = Document.objects.filter(step__in=accepted).first()
    assert document.content_type == "application/pdf" and document.name == "验收报告.pdf"
    assert document.file.read()[:5] == b"%PDF-"
    assert AuditEvent.objects.filter(action="funds.document_upload").count() == kept
    assert demo.attach_acceptance_reports(DEMO_COUNTY, TODAY, days=400) == kept  # again: same
    assert Document.objects.count() == kept
