"""A duplicate decision: a cadre sees a pair side by side with its score, merges it, and
reverses the merge."""

import polars as pl
import pytest

from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import DuplicateDecision, Member
from tests.browser.test_journey_registry import _login
from tests.conftest import VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.mark.browser
def test_a_cadre_merges_a_person_entered_twice_then_reverses_it(page, screenshot,
                                                                 county_regions):
    tables = {n: pl.from_arrow(t) for n, t in households_and_members(2, VILLAGE).items()}
    twin = tables["members"].filter(pl.col("member_id") == f"{VILLAGE}0002-01").with_columns(
        pl.lit(f"{VILLAGE}0001-04").alias("member_id"),
        pl.lit(f"{VILLAGE}0001").alias("household_code"),
        pl.lit("other").alias("relation_to_head"))
    tables["members"] = pl.concat([tables["members"], twin])
    importing.apply_tables(tables)
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE, username="wang.cadre")

    _login(page, cadre)
    page.click("[data-nav=duplicates]")
    pair = page.locator(".duplicate-pair")
    assert pair.count() == 1
    assert pair.locator(".score").inner_text() == "100"
    assert f"{VILLAGE}0001" in pair.inner_text() and f"{VILLAGE}0002" in pair.inner_text()
    screenshot("1-pair-side-by-side")

    pair.locator("input[name=note]").fill("同一人登记两次")
    pair.locator("button[value=merge]").click()
    page.wait_for_url("**/duplicates/")
    assert page.locator(".duplicate-pair").count() == 0
    assert page.locator("#decisions tbody tr").count() == 1
    merged = Member.objects.get(member_id=f"{VILLAGE}0002-01")
    assert merged.duplicate_of.member_id == f"{VILLAGE}0001-04"
    screenshot("2-merged")

    page.locator("#decisions button.reverse").click()
    page.wait_for_url("**/duplicates/")
    assert page.locator(".duplicate-pair").count() == 1
    assert DuplicateDecision.objects.get().reversed_at is not None
    assert Member.objects.get(member_id=f"{VILLAGE}0002-01").duplicate_of is None
    screenshot("3-reversed")
