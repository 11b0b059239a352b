"""The project library, funds and assets through their actions: every step audited, refused
with a reason when a rule is broken, scoped to the actor's region."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dixian.core.access import NotFound
from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.funds import actions, checks
from dixian.funds.models import AssetCategory, Notice, OwnerLevel, ProjectState, Supervision
from dixian.registry.models import Member
from tests.conftest import OTHER_COUNTY, VILLAGE, make_user
from tests.funds.builders import approved_project, democracy, load_households

pytestmark = pytest.mark.django_db


def test_a_village_cannot_apply_without_the_villagers_participation(users):
    load_households()
    steps = democracy(date(2025, 1, 5))[:2]  # no village notice
    with pytest.raises(ValidationError, match="village_notice"):
        actions.do_apply_project(region_code=VILLAGE, title="x", year=2025,
                                 category="industry", amount="100", democracy=steps,
                                 actor=users[Role.VILLAGE_CADRE], on=date(2025, 1, 10))
    bad = [actions.DemocracyStep(k, date(2025, 1, 5), ()) for k in actions.DEMOCRACY]
    with pytest.raises(ValidationError, match="no document"):
        actions.do_apply_project(region_code=VILLAGE, title="x", year=2025,
                                 category="industry", amount="100", democracy=bad,
                                 actor=users[Role.VILLAGE_CADRE], on=date(2025, 1, 10))


def test_village_applies_township_experts_and_county_approve_each_audited(users):
    load_households()
    project = approved_project(users)
    assert project.state == ProjectState.APPROVED
    kinds = list(project.steps.values_list("kind", flat=True))
    assert kinds == ["proposal", "meeting", "village_notice", "application", "township_review",
                     "expert_review", "county_approval"]
    assert AuditEvent.objects.filter(object_id=str(project.pk),
                                     action__startswith="funds.").count() == 7
    approval = Notice.objects.get(project=project, kind=Notice.Kind.APPROVAL)
    assert approval.due_by == approval.decided_on + timedelta(days=5)  # policy: within 5 days
    assert approval.min_days == 5


def test_each_review_needs_its_role(users):
    load_households()
    project = actions.do_apply_project(
        region_code=VILLAGE, title="路", year=2025, category="infrastructure", amount="10",
        democracy=democracy(date(2025, 1, 1)), actor=users[Role.VILLAGE_CADRE],
        on=date(2025, 1, 2))
    with pytest.raises(PermissionDenied):  # the county cannot skip the township
        actions.do_review_project(project, approve=True, documents=["a"],
                                  actor=users[Role.COUNTY_APPROVER])
    with pytest.raises(ValidationError, match="reason"):
        actions.do_review_project(project, approve=False, documents=["a"],
                                  actor=users[Role.TOWNSHIP_REVIEWER])


def test_out_of_region_looks_like_not_found(users, user_in):
    load_households()
    project = approved_project(users)
    neighbour = make_user(Role.PROJECT_OFFICER, OTHER_COUNTY, username="neighbour-projects")
    with pytest.raises(NotFound):
        actions.do_record_execution(project, "tender", documents=["t"], actor=neighbour)


def test_funds_paid_after_acceptance_form_an_asset_whose_income_is_distributed(users):
    load_households()
    project = approved_project(users)
    finance, officer, assets = (users[Role.FUND_OFFICER], users[Role.PROJECT_OFFICER],
                                users[Role.ASSET_OFFICER])
    allocation = actions.do_record_allocation(
        county_code="522326", year=2025, source="central", amount="5000000",
        document="黔财农〔2025〕1号", received_on=date(2025, 2, 1), actor=finance)
    again = actions.do_record_allocation(
        county_code="522326", year=2025, source="central", amount="5000000",
        document="黔财农〔2025〕1号", received_on=date(2025, 2, 1), actor=finance)
    assert again.pk == allocation.pk  # re-sending is harmless
    with pytest.raises(ValidationError, match="more than"):
        actions.do_appropriate_funds(allocation, project, "5000000.01", document="d",
                                     actor=finance, on=date(2025, 2, 10))
    item = actions.do_appropriate_funds(allocation, project, "1000000", document="d",
                                        actor=finance, on=date(2025, 2, 10))
    actions.do_record_execution(project, "contract", documents=["c.pdf"], amount="1000000",
                                contractor="合作社", actor=officer, on=date(2025, 3, 1))
    actions.do_pay(item, "700000", paid_on=date(2025, 5, 1), payee="合作社", document="v1",
                   actor=finance)
    with pytest.raises(ValidationError, match="acceptance"):
        actions.do_pay(item, "300000", paid_on=date(2025, 9, 1), payee="合作社",
                       document="v2", final=True, actor=finance)
    actions.do_record_execution(project, "acceptance", documents=["验收.pdf"], actor=officer,
                                on=date(2025, 10, 20))
    actions.do_pay(item, "300000", paid_on=date(2025, 11, 1), payee="合作社", document="v2",
                   final=True, actor=finance)
    project.refresh_from_db()
    assert project.state == ProjectState.ACCEPTED
    assert Notice.objects.filter(project=project, kind=Notice.Kind.COMPLETION).exists()
    asset = actions.do_register_asset(project, name="食用菌大棚", category=AssetCategory.INCOME,
                                      book_value="1000000", operator="村股份经济合作社",
                                      actor=assets, on=date(2025, 11, 5))
    assert (asset.owner_level, asset.owner_code) == (OwnerLevel.VILLAGE, VILLAGE)
    assert asset.supervision == Supervision.COLLECTIVE
    income = actions.do_record_asset_income(asset, month="2025-11", amount="5000",
                                            actor=assets)
    rows = actions.do_distribute_income(income, [
        actions.Share("collective", "2500", basis="村集体收入"),
        actions.Share("welfare_post", "1500", f"{VILLAGE}0001", f"{VILLAGE}0001-01",
                      "保洁员岗位"),
        actions.Share("household", "1000", f"{VILLAGE}0002", f"{VILLAGE}0002-02",
                      "弱劳力户")], actor=assets, on=date(2025, 12, 2))
    assert len(rows) == 3
    with pytest.raises(ValidationError, match="exceed"):
        actions.do_distribute_income(income, [actions.Share("collective", "1")], actor=assets)
    found = checks.findings("522326", date(2025, 12, 31))
    assert not [f for f in found if f.rule in ("FUNDS_PAID_BEFORE_ACCEPTANCE",
                                               "FUNDS_INCOME_TO_INELIGIBLE")]


def test_household_shares_need_a_basis_and_stop_the_month_after_death(users):
    load_households()
    project = approved_project(users)
    officer, assets = users[Role.PROJECT_OFFICER], users[Role.ASSET_OFFICER]
    actions.do_record_execution(project, "contract", documents=["c"], amount="10",
                                contractor="c", actor=officer)
    actions.do_record_execution(project, "acceptance", documents=["a"], actor=officer)
    asset = actions.do_register_asset(project, name="冷库", category="income",
                                      book_value="1000", actor=assets)
    Member.objects.filter(member_id=f"{VILLAGE}0001-02").update(member_status="deceased",
                                                                status_month="2025-03")
    march = actions.do_record_asset_income(asset, month="2025-03", amount="100", actor=assets)
    april = actions.do_record_asset_income(asset, month="2025-04", amount="100", actor=assets)
    share = actions.Share("household", "10", f"{VILLAGE}0001", f"{VILLAGE}0001-02", "弱劳力户")
    actions.do_distribute_income(march, [share], actor=assets)  # the month of death: still due
    with pytest.raises(ValidationError, match="died in 2025-03"):
        actions.do_distribute_income(april, [share], actor=assets)
    with pytest.raises(ValidationError, match="no simple handouts"):
        actions.do_distribute_income(april, [actions.Share("household", "10", f"{VILLAGE}0002")],
                                     actor=assets)


def test_disposal_needs_the_county(users):
    load_households()
    project = approved_project(users)
    officer, assets = users[Role.PROJECT_OFFICER], users[Role.ASSET_OFFICER]
    actions.do_record_execution(project, "contract", documents=["c"], amount="10",
                                contractor="c", actor=officer)
    actions.do_record_execution(project, "acceptance", documents=["a"], actor=officer)
    asset = actions.do_register_asset(project, name="机耕道", category="public",
                                      book_value="1000", actor=assets)
    disposal = actions.do_request_disposal(asset, how="报废", reason="水毁", actor=assets)
    with pytest.raises(PermissionDenied):
        actions.do_decide_disposal(disposal, approve=True, actor=assets)
    actions.do_decide_disposal(disposal, approve=True, proceeds="0.5",
                               actor=users[Role.COUNTY_APPROVER])
    asset.refresh_from_db()
    assert asset.status == "disposed"
    assert Notice.objects.filter(asset=asset, kind=Notice.Kind.DISPOSAL).exists()


def test_a_notice_is_posted_once_and_late_ones_are_found(users):
    load_households()
    project = approved_project(users, on=date(2025, 1, 10))
    notice = Notice.objects.get(project=project, kind=Notice.Kind.APPROVAL)
    found = checks.findings(VILLAGE, date(2025, 1, 16))
    assert [f.object_key for f in found if f.rule == "FUNDS_NOTICE_LATE"].count(
        str(notice.pk)) == 1
    actions.do_publish_notice(notice, on=date(2025, 1, 15), actor=users[Role.VILLAGE_CADRE])
    actions.do_publish_notice(notice, on=date(2025, 1, 20), actor=users[Role.VILLAGE_CADRE])
    notice.refresh_from_db()
    assert notice.published_on == date(2025, 1, 15)
    assert notice.ends_on == date(2025, 1, 20)
    with pytest.raises(PermissionDenied):
        actions.do_publish_notice(notice, actor=users[Role.ANALYST])


def test_amounts_are_checked(users):
    load_households()
    for bad in ("-1", "abc", "0", "1e20", "NaN"):
        with pytest.raises(ValidationError):
            actions.do_record_allocation(county_code="522326", year=2025, source="central",
                                         amount=bad, document=f"d{bad}",
                                         received_on=date(2025, 1, 1),
                                         actor=users[Role.FUND_OFFICER])
    assert actions.money("1,000.5", "x") == Decimal("1000.50")


def test_a_household_that_left_the_lists_stops_the_month_after(users):
    """Issue 15: a removed household stops receiving from the next month, checked against the
    registry (the month of the change is in the household's field history)."""
    from django.utils import timezone

    from dixian.engine import funds as rules
    from dixian.funds import checks
    from dixian.registry import actions as registry_actions
    from dixian.registry.models import Household

    load_households()
    project = approved_project(users)
    officer, assets = users[Role.PROJECT_OFFICER], users[Role.ASSET_OFFICER]
    actions.do_record_execution(project, "contract", documents=["c"], amount="10",
                                contractor="c", actor=officer)
    actions.do_record_execution(project, "acceptance", documents=["a"], actor=officer)
    asset = actions.do_register_asset(project, name="光伏", category="income",
                                      book_value="1000", actor=assets)
    source = Household.objects.get(code=f"{VILLAGE}0002")
    target = Household.objects.get(code=f"{VILLAGE}0001")
    registry_actions.do_merge_households(source, target, actor=users[Role.VILLAGE_CADRE],
                                         relations={m.member_id: "other" for m in
                                                    source.members.all()})
    left = timezone.localdate().strftime("%Y-%m")
    this = actions.do_record_asset_income(asset, month=left, amount="100", actor=assets)
    after = actions.do_record_asset_income(asset, month=rules.add_months(left, 1),
                                           amount="100", actor=assets)
    share = actions.Share("household", "10", source.code, "", "弱劳力户")
    actions.do_distribute_income(this, [share], actor=assets)  # the month it left: still due
    with pytest.raises(ValidationError, match=f"was removed in {left}"):
        actions.do_distribute_income(after, [share], actor=assets)
    assert checks.distribution_row(Household.objects.get(pk=source.pk), None,
                                   month=left).household_removed_month == left
