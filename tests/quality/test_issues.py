import polars as pl
import pyarrow as pa
import pytest

from dixian.core.roles import Role
from dixian.engine import identity, schema
from dixian.engine.scope import RegionScope
from dixian.quality import bridge
from dixian.quality.models import IssueStatus, QualityIssue
from dixian.registry import actions, importing
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

SCOPE = RegionScope.of("522326")


@pytest.fixture
def registry_with_a_bad_id(county_regions):
    tables = households_and_members(3, VILLAGE)
    rows = tables["members"].to_pylist()
    good = rows[4]["resident_id"]
    wrong_digit = "0" if good[-1] != "0" else "1"
    rows[4]["resident_id"] = good[:-1] + wrong_digit  # the check digit no longer matches
    tables["members"] = schema.conform(pa.Table.from_pylist(rows), "members")
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return rows[4]["member_id"], good


def _identity_issues(member_id):
    return QualityIssue.objects.filter(member_id=member_id, field="resident_id")


@pytest.mark.django_db
def test_a_bad_check_digit_opens_an_issue_that_fixing_closes(registry_with_a_bad_id, users):
    member_id, good = registry_with_a_bad_id
    assert identity.is_valid(good)
    run = bridge.run(SCOPE)
    assert run.counts["new"] >= 1
    issue = _identity_issues(member_id).get(status=IssueStatus.OPEN)
    assert issue.village_id == VILLAGE and issue.severity == "error"
    assert "*" in issue.value  # IDs are masked in issues too
    cadre = users[Role.VILLAGE_CADRE]
    member = actions.access_member(cadre, member_id)
    actions.do_update_member(member, {"resident_id": good}, actor=cadre)
    again = bridge.run(SCOPE)
    assert again.counts["fixed"] >= 1
    issue.refresh_from_db()
    assert issue.status == IssueStatus.FIXED and issue.resolved_at is not None


@pytest.mark.django_db
def test_an_accepted_issue_stays_accepted_and_runs_are_repeatable(registry_with_a_bad_id, users):
    member_id, _good = registry_with_a_bad_id
    first = bridge.run(SCOPE)
    issue = _identity_issues(member_id).get()
    bridge.do_accept_issue(issue, "证件号码经派出所核实无误", actor=users[Role.VILLAGE_CADRE])
    second = bridge.run(SCOPE)
    assert second.counts["new"] == 0  # the same data gives the same findings
    assert second.counts["findings"] == first.counts["findings"]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ACCEPTED and issue.reason.startswith("证件号码")


@pytest.mark.django_db
def test_cadres_see_their_villages_issues_and_superiors_the_counts(client, registry_with_a_bad_id,
                                                                  users):
    member_id, _good = registry_with_a_bad_id
    bridge.run(SCOPE)
    client.force_login(users[Role.VILLAGE_CADRE])
    page = client.get("/quality/").content.decode()
    assert member_id[:16] in page
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    counts = client.get("/quality/villages/").content.decode()
    assert VILLAGE in counts
    client.force_login(users[Role.COUNTY_ADMIN])
    response = client.post("/quality/run/")
    assert response.status_code == 302
