"""A household's data-access report: what is held and who read or changed it, for
auditors within their region; page and API."""

import polars as pl
import pytest

from dixian.core.roles import Role
from dixian.registry import actions, importing
from dixian.registry.models import Member
from tests.conftest import VILLAGE, make_user
from tests.registry.builders import households_and_members

CODE = "5223261012010001"


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})


@pytest.mark.django_db
def test_the_report_lists_who_revealed_a_members_id(client, users, registry):
    cadre = users[Role.VILLAGE_CADRE]
    actions.do_reveal(Member.objects.get(member_id=f"{CODE}-01"), "resident_id", actor=cadre)
    actions.do_reveal(Member.objects.get(member_id="5223261012010002-01"), "resident_id",
                      actor=users[Role.COUNTY_APPROVER])  # another household: not listed
    client.force_login(users[Role.AUDITOR])
    report = client.get(f"/api/registry/households/{CODE}/access").json()
    assert report["held"]["members"] == 3
    assert report["readers"] == [cadre.username]
    reveal = [e for e in report["events"] if e["action"] == "pii.reveal"]
    assert len(reveal) == 1 and reveal[0]["kind"] == "read"
    assert reveal[0]["object"] == f"registry.member:{CODE}-01"
    page = client.get(f"/households/{CODE}/access/").content.decode()
    assert cadre.username in page and 'data-kind="read"' in page
    assert 'id="access-link"' in client.get(f"/households/{CODE}/").content.decode()


@pytest.mark.django_db
def test_the_report_is_for_auditors_in_scope_only(client, users, registry):
    for role in (Role.ANALYST, Role.SYSADMIN, Role.VILLAGE_CADRE, Role.COUNTY_ADMIN):
        client.force_login(users[role])
        assert client.get(f"/api/registry/households/{CODE}/access").status_code == 403
    elsewhere = make_user(Role.AUDITOR, "522633", username="auditor-other-county")
    client.force_login(elsewhere)
    assert client.get(f"/api/registry/households/{CODE}/access").status_code == 404
    assert client.get(f"/households/{CODE}/access/").status_code == 404
