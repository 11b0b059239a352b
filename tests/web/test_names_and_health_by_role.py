"""Members' names and health by role (docs/personal-data.md): casework roles see them;
analysts and auditors see 王** and no health condition, on the pages and in the API."""

import polars as pl
import pytest

from dixian.core import pii
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Member
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

CODE = "5223261012010001"


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(1, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    Member.objects.filter(member_id=f"{CODE}-01").update(name="王小明", health="chronic")


def test_a_name_is_masked_after_the_family_name():
    assert [pii.mask_name(n) for n in ("王小明", "欧阳娜娜", "李", "")] == [
        "王**", "欧***", "李*", ""]


@pytest.mark.django_db
@pytest.mark.parametrize("role, sees", [
    (Role.VILLAGE_CADRE, True), (Role.COUNTY_APPROVER, True), (Role.COUNTY_ADMIN, True),
    (Role.ANALYST, False), (Role.AUDITOR, False)])
def test_names_and_health_by_role(client, users, registry, role, sees):
    client.force_login(users[role])
    members = client.get(f"/api/registry/households/{CODE}/members").json()
    head = next(m for m in members if m["member_id"] == f"{CODE}-01")
    assert (head["name"], head["health"]) == (("王小明", "chronic") if sees else ("王**", ""))
    page = client.get(f"/households/{CODE}/").content.decode()
    assert ("王小明" in page) == sees and ("王**" in page) == (not sees)
    search = client.get("/households/?q=").content.decode()
    assert ("王小明" in search) == sees
