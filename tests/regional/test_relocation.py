"""The relocation follow-up through its actions, pages, API and workbook: sites, relocated
households linked to the registry, members able to work followed up on employment, the
household with nobody employed flagged, the indicators by site and county, the region scope,
and the demo calibrated to domain.md §8.3."""

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from dixian.core.access import NotFound
from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.regional import relocation
from dixian.regional.models import FollowUp
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE, make_user
from tests.regional.builders import site_with_households

pytestmark = pytest.mark.django_db


def _month():
    return relocation.month_of(timezone.localdate())


def test_sites_households_and_a_follow_up_through_the_actions(users):
    site, items = site_with_households(users, 2)
    manager = users[Role.SITE_MANAGER]
    with pytest.raises(PermissionDenied):  # the project officer does not run the follow-up
        relocation.do_create_site(region_code=VILLAGE, name="x",
                                  actor=users[Role.PROJECT_OFFICER])
    with pytest.raises(ValidationError, match="already has a site"):
        relocation.do_create_site(region_code=VILLAGE, name="乐元安置点",
                                  actor=users[Role.WORK_RELIEF_OFFICER])
    assert relocation.do_link_household(site, household_code=f"{VILLAGE}0001",
                                        moved_in=date(2019, 9, 1), actor=manager) == items[0]
    with pytest.raises(ValidationError, match="not a household of the county"):
        relocation.do_link_household(site, household_code="5226330012010001",
                                     moved_in=date(2019, 9, 1), actor=manager)
    other = make_user(Role.SITE_MANAGER, "522326101202", username="other-site")
    with pytest.raises(NotFound):  # another community's manager
        relocation.do_record_follow_up(items[0], _month(), [
            relocation.Follow(f"{VILLAGE}0001-01", "workshop")], actor=other)

    today = timezone.localdate()
    result = relocation.figures(COUNTY, today)
    assert result.total.households == 2 and result.total.able == 4  # head and spouse each
    assert result.total.employed == 0 and result.total.zero_employment_households == 2
    relocation.do_record_follow_up(items[0], _month(), [
        relocation.Follow(f"{VILLAGE}0001-01", "workshop", "帮扶车间", 2400),
        relocation.Follow(f"{VILLAGE}0001-02", "none")], actor=manager)
    with pytest.raises(ValidationError, match="not employed, yet"):
        relocation.do_record_follow_up(items[0], _month(), [
            relocation.Follow(f"{VILLAGE}0001-02", "none", "", 100)], actor=manager)
    with pytest.raises(ValidationError, match="not an active member"):
        relocation.do_record_follow_up(items[0], _month(), [
            relocation.Follow(f"{VILLAGE}0002-01", "workshop")], actor=manager)
    with pytest.raises(ValidationError, match="in the future"):
        relocation.do_record_follow_up(items[0], "2999-01", [
            relocation.Follow(f"{VILLAGE}0001-01", "workshop")], actor=manager)
    result = relocation.figures(COUNTY, today)
    t = result.total
    assert (t.employed, t.households_with_employment, t.zero_employment_households) == (1, 1, 1)
    assert t.employment_rate == 0.25
    flagged = {(f.rule, f.object_key) for f in result.findings}
    assert ("RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT", str(items[1].pk)) in flagged
    assert ("RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT", str(items[0].pk)) not in flagged
    # a correction keeps what the follow-up said before in the audit row
    relocation.do_record_follow_up(items[0], _month(), [
        relocation.Follow(f"{VILLAGE}0001-02", "public_post", "保洁员", 1000)], actor=manager)
    assert FollowUp.objects.get(member__member_id=f"{VILLAGE}0001-02").kind == "public_post"
    event = AuditEvent.objects.filter(action="regional.follow_up").order_by("-seq").first()
    assert event.before["rows"][0]["kind"] == "none"
    assert relocation.figures(COUNTY, today).by_site[str(site.pk)].employed == 2


def test_the_pages_api_and_workbook(client, users):
    site, items = site_with_households(users, 2)
    manager = users[Role.SITE_MANAGER]
    client.force_login(manager)
    page = client.get(f"/regional/relocation/{VILLAGE}/").content.decode()
    assert "乐元安置点" in page and 'data-figure="zero-employment"' in page
    page = client.get(f"/regional/relocation/sites/{site.pk}/").content.decode()
    assert page.count('class="flagged"') == 2
    url = f"/regional/relocation/households/{items[0].pk}/"
    page = client.get(url).content.decode()
    assert "王" in page and "RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT" in page
    member = f"{VILLAGE}0001-01"
    client.post(url + "act/", {"month": _month(), "member": [member],
                               f"kind_{member}": "workshop", f"employer_{member}": "车间",
                               f"income_{member}": "2300"})
    assert FollowUp.objects.get(member__member_id=member).monthly_income == 2300
    page = client.get(f"/regional/relocation/sites/{site.pk}/").content.decode()
    assert page.count('class="flagged"') == 1
    data = client.get(f"/api/regional/relocation/regions/{VILLAGE}").json()
    assert data["total"]["employed"] == 1 and data["sites"][0]["name"] == "乐元安置点"
    assert client.get(f"/api/regional/relocation/sites/{site.pk}").json()["households"][0][
        "employed"] == 1
    follow = client.get(f"/api/regional/relocation/households/{items[0].pk}").json()
    assert follow["follow_ups"][0]["kind"] == "workshop"
    book = load_workbook(io.BytesIO(client.get(
        f"/regional/relocation/{VILLAGE}/export.xlsx").content))
    assert book.sheetnames == ["分安置点指标", "搬迁户就业", "需跟进事项"]
    totals = list(book["分安置点指标"].values)
    assert totals[-1][0] == "合计" and totals[-1][3] == 2
    # names: in full for the manager (see_names), masked for the analyst
    client.force_login(users[Role.ANALYST])
    assert "王二1" not in client.get(url).content.decode()
    client.force_login(manager)
    assert "王二1" in client.get(url).content.decode()


def test_out_of_scope_sites_are_not_found(client, users):
    site, items = site_with_households(users, 1)
    neighbour = make_user(Role.WORK_RELIEF_OFFICER, OTHER_COUNTY, username="neighbour-drc")
    client.force_login(neighbour)
    assert client.get(f"/regional/relocation/sites/{site.pk}/").status_code == 404
    assert client.get(f"/regional/relocation/households/{items[0].pk}/").status_code == 404
    assert client.get(f"/api/regional/relocation/sites/{site.pk}").status_code == 404
    with pytest.raises(NotFound):
        relocation.do_link_household(site, household_code=f"{VILLAGE}0001",
                                     moved_in=date(2019, 1, 1), actor=neighbour)


def test_the_demo_is_calibrated_and_plants_two_cases(users):
    from dixian.regional import demo
    from dixian.registry.models import Household
    from tests.funds.builders import load_households

    community = "522326001001"
    load_households(30, community)
    Household.objects.filter(village_id=community).update(relocated=True)
    today = timezone.localdate()
    figures = demo.build_relocation(COUNTY, today)
    assert figures["sites"] == 1 and figures["households"] == 30
    result = relocation.figures(COUNTY, today)
    t = result.total
    assert t.able == 60  # head and spouse of each
    # the published rate (94.46 %) of all able members, as far as the planted two households
    # (whose four members are not counted employed) allow
    assert t.employed == min(round(demo.EMPLOYMENT_RATE * 60), 60 - 4)
    assert t.zero_employment_households == 2  # the two planted, nobody else
    rules = {(f.rule, f.figures["household"]) for f in result.findings}
    none, stale = figures["planted"]
    assert ("RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT", none) in rules
    assert ("RELOCATION_NOT_FOLLOWED_UP", stale) in rules
    assert not any(r == "RELOCATION_NOT_FOLLOWED_UP" and h == none for r, h in rules)
