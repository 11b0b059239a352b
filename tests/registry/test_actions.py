"""Births, deaths, moves, splits and merges: recorded, never silently overwritten."""

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.registry import actions, importing
from dixian.registry.models import FieldChange, Household, HouseholdStatus, Member
from tests.conftest import VILLAGE
from tests.registry.builders import a_person, households_and_members


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return {h.code: h for h in Household.objects.all()}


def _changes(key, field):
    return list(FieldChange.objects.filter(object_key=key, field=field)
                .values_list("old_value", "new_value"))


@pytest.mark.django_db
def test_a_death_is_a_status_change_with_history(registry, users):
    cadre = users[Role.VILLAGE_CADRE]
    member = Member.objects.get(member_id=f"{VILLAGE}0001-02")
    actions.do_record_death(member, "2025-06", actor=cadre)
    member.refresh_from_db()
    assert (member.member_status, member.status_month) == ("deceased", "2025-06")
    assert _changes(member.member_id, "member_status") == [("active", "deceased")]
    assert AuditEvent.objects.filter(action="registry.member.update",
                                     object_id=str(member.pk)).exists()


@pytest.mark.django_db
def test_a_birth_adds_a_member_with_a_protected_id(registry, users):
    cadre = users[Role.VILLAGE_CADRE]
    household = registry[f"{VILLAGE}0001"]
    values = a_person("王小宝", "2025-03-01", 2, "F", relation="granddaughter")
    baby = actions.do_record_birth(household, values, actor=cadre)
    assert baby.member_id == f"{VILLAGE}0001-04"
    assert baby.resident_id_masked == "5223**********" + values["resident_id"][-4:]
    assert _changes(baby.member_id, "member_status") == [(None, "active")]


@pytest.mark.django_db
def test_moving_a_member_is_recorded_on_both_households(registry, users):
    cadre = users[Role.VILLAGE_CADRE]
    member = Member.objects.get(member_id=f"{VILLAGE}0001-03")
    actions.do_move_member(member, registry[f"{VILLAGE}0002"], actor=cadre, reason="marriage")
    member.refresh_from_db()
    assert member.household.code == f"{VILLAGE}0002"
    assert member.member_id == f"{VILLAGE}0002-04"  # numbered in its new household
    moves = FieldChange.objects.filter(object_key=f"{VILLAGE}0001-03", field="household")
    assert {c.household.code for c in moves} == {f"{VILLAGE}0001", f"{VILLAGE}0002"}


@pytest.mark.django_db
def test_split_and_merge_keep_every_household(registry, users):
    cadre = users[Role.VILLAGE_CADRE]
    first = registry[f"{VILLAGE}0001"]
    new = actions.do_split_household(first, [f"{VILLAGE}0001-03"], f"{VILLAGE}0003",
                                     actor=cadre)
    assert list(new.members.values_list("member_id", flat=True)) == [f"{VILLAGE}0003-01"]
    actions.do_merge_households(new, first, actor=cadre)
    new.refresh_from_db()
    assert new.status == HouseholdStatus.MERGED and new.merged_into_id == first.pk
    assert first.members.count() == 3
    assert Household.objects.count() == 3  # nothing deleted


@pytest.mark.django_db
def test_only_editing_roles_within_their_region_may_write(registry, users, user_in):
    member = Member.objects.get(member_id=f"{VILLAGE}0001-02")
    with pytest.raises(PermissionDenied):
        actions.do_update_member(member, {"health": "chronic"}, actor=users[Role.ANALYST])
    stranger = user_in(Role.VILLAGE_CADRE, "522326101202", username="neighbour-cadre")
    from dixian.core.access import NotFound

    with pytest.raises(NotFound):
        actions.access_member(stranger, member.member_id)


@pytest.mark.django_db
def test_a_form_write_that_breaks_a_quality_rule_is_refused(registry, users):
    from django.core.exceptions import ValidationError

    cadre = users[Role.VILLAGE_CADRE]
    household = registry[f"{VILLAGE}0001"]
    with pytest.raises(ValidationError, match="危房"):
        actions.do_update_household(household, {"housing_grade": "D"}, actor=cadre)
    household.refresh_from_db()
    assert household.housing_grade == "B"  # nothing was written
    assert not FieldChange.objects.filter(field="housing_grade").exists()
    actions.do_update_household(household, {"housing_grade": "D", "dangerous_house": True},
                                actor=cadre)
    household.refresh_from_db()
    assert household.housing_grade == "D"
