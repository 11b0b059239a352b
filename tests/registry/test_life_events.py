"""The registry kept where people work: a household added (also from a self-declaration),
members joining and leaving, moves, splits, merges, a change of head; each audited, in the
household's history, and checked at entry (an error refuses, a warning is shown first)."""

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dixian.core.access import NotFound
from dixian.core.models import AuditEvent, Notification, Region
from dixian.core.roles import Role
from dixian.registry import actions, importing
from dixian.registry.models import FieldChange, Household, HouseholdStatus, Member
from tests.conftest import OTHER_COUNTY, VILLAGE, make_user
from tests.registry.builders import a_person, households_and_members

OTHER_VILLAGE = "522326101202"


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return {h.code: h for h in Household.objects.all()}


def _history(code):
    return list(FieldChange.objects.filter(household__code=code).values_list(
        "object_key", "field", "old_value", "new_value", "source_ref"))


HOUSEHOLD = {"household_type": "ordinary", "housing_grade": "B", "dangerous_house": False,
             "safe_drinking_water": True, "road_hardened": True, "electricity": True,
             "sanitary_toilet": True, "cultivated_mu": 2.0, "phone": "13800001111",
             "housing_area_m2": 60.0, "forest_mu": 0.0, "orchard_mu": 0.0, "pasture_mu": 0.0,
             "returned_forest_mu": 0.0, "water_surface_mu": 0.0}


@pytest.mark.django_db
def test_a_household_is_added_with_its_head_and_the_next_free_code(registry, users):
    admin = users[Role.COUNTY_ADMIN]
    village = Region.objects.get(code=VILLAGE)
    household = actions.do_add_household(
        village, HOUSEHOLD, a_person("张三", "1980-02-03", 1, "M"), actor=admin)
    assert household.code == f"{VILLAGE}0003"
    head = household.members.get()
    assert (head.member_id, head.relation_to_head) == (f"{VILLAGE}0003-01", "head")
    assert (household.code, "status", None, "active", "registered") in _history(household.code)
    assert AuditEvent.objects.filter(action="registry.household.add",
                                     object_id=str(household.pk)).exists()


@pytest.mark.django_db
def test_an_id_already_registered_is_refused(registry, users):
    village = Region.objects.get(code=VILLAGE)
    existing = Member.objects.get(member_id=f"{VILLAGE}0001-01")
    from dixian.core import pii

    person = a_person("王一", "1975-03-01", 11, "M")
    person["resident_id"] = pii.decrypt(existing.resident_id_enc, "resident_id")
    with pytest.raises(ValidationError, match="identity.in_two_households"):
        actions.do_add_household(village, HOUSEHOLD, person, actor=users[Role.COUNTY_ADMIN])
    assert Household.objects.count() == 2


@pytest.mark.django_db
def test_an_entry_error_refuses_and_a_warning_is_shown_before_saving(registry, users):
    cadre = users[Role.VILLAGE_CADRE]
    household = registry[f"{VILLAGE}0001"]
    bad = a_person("王四", "2025-03-01", 2, "F", relation="granddaughter")
    bad["resident_id"] = bad["resident_id"][:-1] + ("0" if bad["resident_id"][-1] != "0"
                                                    else "1")
    outcome = actions.preview(lambda: actions.do_record_birth(household, dict(bad), actor=cadre),
                              [household])
    assert any(e.startswith("DQ-IDN-02") for e in outcome["errors"]), outcome
    with pytest.raises(ValidationError):
        actions.do_record_birth(household, dict(bad), actor=cadre)
    assert household.members.count() == 3
    good = a_person("王四", "2025-03-01", 2, "F", relation="granddaughter")
    outcome = actions.preview(lambda: actions.do_record_birth(household, dict(good),
                                                              actor=cadre), [household])
    assert outcome["errors"] == []
    assert household.members.count() == 3  # a preview writes nothing


@pytest.mark.django_db
def test_a_marriage_in_and_a_change_of_head(registry, users):
    cadre = users[Role.VILLAGE_CADRE]
    household = registry[f"{VILLAGE}0002"]
    bride = actions.do_add_member(household, a_person("李芳", "1999-05-05", 7, "F",
                                                      relation="daughter_in_law"),
                                  actor=cadre, reason="marriage_in")
    assert (bride.member_id, "member_status", None, "active", "marriage_in") in \
        _history(household.code)
    old_head = household.members.get(relation_to_head="head")
    spouse = household.members.get(relation_to_head="spouse")
    son = household.members.get(relation_to_head="son")
    actions.do_change_head(household, spouse, {old_head.member_id: "spouse",
                                               son.member_id: "son",
                                               bride.member_id: "daughter_in_law"},
                           actor=cadre)
    relations = dict(household.members.values_list("member_id", "relation_to_head"))
    assert relations[spouse.member_id] == "head" and relations[old_head.member_id] == "spouse"
    assert (spouse.member_id, "relation_to_head", "spouse", "head", "change_of_head") in \
        _history(household.code)


@pytest.mark.django_db
def test_a_split_needs_a_head_for_each_household_and_keeps_both(registry, users):
    cadre = users[Role.VILLAGE_CADRE]
    household = registry[f"{VILLAGE}0001"]
    with pytest.raises(ValidationError, match="head"):
        actions.do_split_household(household, [f"{VILLAGE}0001-01"], actor=cadre)
    new = actions.do_split_household(household, [f"{VILLAGE}0001-02", f"{VILLAGE}0001-03"],
                                     actor=cadre, head_member_id=f"{VILLAGE}0001-02")
    assert new.code == f"{VILLAGE}0003"
    assert dict(new.members.values_list("member_id", "relation_to_head")) == {
        f"{VILLAGE}0003-01": "head", f"{VILLAGE}0003-02": "son"}
    assert household.members.count() == 1
    moved = [h for h in _history(household.code) if h[1] == "household"]
    assert len(moved) == 2


@pytest.mark.django_db
def test_a_household_moves_across_counties_and_the_receiving_county_is_told(registry, users):
    admin = users[Role.COUNTY_ADMIN]
    receiving = make_user(Role.COUNTY_ADMIN, OTHER_COUNTY, username="receiving-admin")
    household = registry[f"{VILLAGE}0002"]
    target = Region.objects.filter(code__startswith=OTHER_COUNTY, level=5).first()
    actions.do_move_household(household, target, actor=admin, reason="relocation")
    household.refresh_from_db()
    assert household.village_id == target.code and household.code == f"{target.code}0001"
    history = _history(household.code)
    assert (f"{VILLAGE}0002", "village", VILLAGE, target.code, "relocation") in history
    assert (f"{VILLAGE}0002", "code", f"{VILLAGE}0002", household.code, "relocation") in history
    assert household.members.filter(member_id=f"{household.code}-01").exists()
    assert Notification.objects.filter(user=receiving, link__contains=household.code).exists()
    with pytest.raises(NotFound):  # it has left the county
        actions.access_household(admin, household.code)
    assert actions.access_household(receiving, household.code) == household


@pytest.mark.django_db
def test_a_move_within_the_county_and_a_marriage_out_to_another_village(registry, users):
    admin = users[Role.COUNTY_ADMIN]
    household = registry[f"{VILLAGE}0002"]
    actions.do_move_household(household, Region.objects.get(code=OTHER_VILLAGE), actor=admin)
    daughter_household = registry[f"{VILLAGE}0001"]
    spouse = Member.objects.get(member_id=f"{VILLAGE}0001-02")
    target = Region.objects.filter(code__startswith=OTHER_COUNTY, level=5).first()
    new = actions.do_record_marriage_out(spouse, actor=admin, to_village=target)
    assert new.village_id == target.code
    assert new.members.get().member_id == f"{new.code}-01" and new.code.startswith(target.code)
    assert daughter_household.members.count() == 2


@pytest.mark.django_db
def test_writes_outside_the_region_or_without_the_capability_are_refused(registry, users):
    household = registry[f"{VILLAGE}0001"]
    stranger = make_user(Role.VILLAGE_CADRE, OTHER_VILLAGE, username="neighbour")
    with pytest.raises(NotFound):
        actions.do_record_birth(household, a_person("王五", "2025-01-01", 3, "M"),
                                actor=stranger)
    with pytest.raises(PermissionDenied):
        actions.do_add_household(Region.objects.get(code=VILLAGE), HOUSEHOLD,
                                 a_person("张三", "1980-02-03", 1, "M"),
                                 actor=users[Role.ANALYST])
    with pytest.raises(NotFound):
        actions.do_add_household(Region.objects.get(code=VILLAGE), HOUSEHOLD,
                                 a_person("张三", "1980-02-03", 1, "M"), actor=stranger)


@pytest.mark.django_db
def test_a_merged_household_is_kept_and_marked(registry, users):
    cadre = users[Role.VILLAGE_CADRE]
    source, target = registry[f"{VILLAGE}0002"], registry[f"{VILLAGE}0001"]
    actions.do_merge_households(source, target, actor=cadre)
    source.refresh_from_db()
    assert source.status == HouseholdStatus.MERGED and target.members.count() == 6
    assert target.members.filter(relation_to_head="head").count() == 1
