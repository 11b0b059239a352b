"""Duplicate decisions: audited, a merge is a reversible record (nothing deleted)."""

import polars as pl
import pytest
from django.core.exceptions import ValidationError

from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.registry import duplicates, importing
from dixian.registry.models import DuplicateDecision, Member
from tests.conftest import VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.fixture
def pair(county_regions):
    """Household 2's head entered again in household 1 (same person, same ID)."""
    tables = {n: pl.from_arrow(t) for n, t in households_and_members(2, VILLAGE).items()}
    members = tables["members"]
    twin = members.filter(pl.col("member_id") == f"{VILLAGE}0002-01").with_columns(
        pl.lit(f"{VILLAGE}0001-04").alias("member_id"),
        pl.lit(f"{VILLAGE}0001").alias("household_code"),
        pl.lit("other").alias("relation_to_head"))
    tables["members"] = pl.concat([members, twin])
    importing.apply_tables(tables)
    return f"{VILLAGE}0001-04", f"{VILLAGE}0002-01"


@pytest.mark.django_db
def test_the_pair_is_reported_side_by_side_with_its_score(pair):
    admin = make_user(Role.COUNTY_ADMIN, VILLAGE[:6])
    pairs, total = duplicates.access_duplicate_pairs(admin)
    assert total == 1
    assert {pairs[0].a.member_id, pairs[0].b.member_id} == set(pair)
    assert (pairs[0].reason, pairs[0].score) == ("id", 100.0)


@pytest.mark.django_db
def test_a_merge_is_audited_and_reversible_and_deletes_nothing(pair):
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE)
    n = Member.objects.count()
    record = duplicates.do_decide_duplicate(*pair, "merge", actor=cadre, note="entered twice")
    a, b = sorted(pair)
    assert Member.objects.count() == n
    assert Member.objects.get(member_id=b).duplicate_of.member_id == a
    assert AuditEvent.objects.filter(action="registry.duplicate_decide").count() == 1
    assert duplicates.access_duplicate_pairs(cadre)[1] == 0  # decided: no longer proposed
    with pytest.raises(ValidationError):
        duplicates.do_decide_duplicate(*pair, "distinct", actor=cadre)
    duplicates.do_reverse_duplicate_decision(record.pk, actor=cadre)
    assert Member.objects.get(member_id=b).duplicate_of is None
    assert DuplicateDecision.objects.get(pk=record.pk).reversed_at is not None
    assert AuditEvent.objects.filter(action="registry.duplicate_reverse").count() == 1
    assert duplicates.access_duplicate_pairs(cadre)[1] == 1  # proposed again


@pytest.mark.django_db
def test_distinct_is_recorded_and_out_of_region_looks_like_not_found(pair):
    from dixian.core.access import NotFound
    from tests.conftest import OTHER_COUNTY

    outsider = make_user(Role.COUNTY_ADMIN, OTHER_COUNTY, username="outsider")
    with pytest.raises(NotFound):
        duplicates.do_decide_duplicate(*pair, "distinct", actor=outsider)
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE)
    duplicates.do_decide_duplicate(*pair, "distinct", actor=cadre)
    assert Member.objects.filter(duplicate_of__isnull=False).count() == 0
    assert duplicates.access_duplicate_pairs(cadre)[1] == 0


@pytest.mark.django_db
def test_the_api_decides_a_pair(pair, client):
    import json

    from tests.conftest import PASSWORD

    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE)
    client.login(username=cadre.username, password=PASSWORD)
    report = client.get("/api/registry/duplicates").json()
    assert report["total"] == 1 and report["pairs"][0]["score"] == 100.0
    response = client.post("/api/registry/duplicates/decisions", data=json.dumps(
        {"member_a": pair[0], "member_b": pair[1], "decision": "merge"}),
        content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "merge"
    bad = client.post("/api/registry/duplicates/decisions", data=json.dumps(
        {"member_a": pair[0], "member_b": pair[1], "decision": "maybe"}),
        content_type="application/json")
    assert bad.status_code == 400
