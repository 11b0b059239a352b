"""The scoped-access functions one by one, at their edges (the access matrix drives them
through every page; these are quick enough to run for every mutant of dixian/core/access.py).

Expectations follow docs/access-control.md: a user sees their own region and what lies
under it, a national user sees everything, anyone else sees nothing; out of scope and not
found are the same NotFound.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from dixian.core import access
from dixian.core.access import NotFound
from dixian.core.models import AuditEvent, Region, User
from dixian.core.roles import Capability, Role
from dixian.engine.scope import RegionScope
from tests.conftest import COUNTY, OTHER_COUNTY, TOWNSHIP, VILLAGE, make_user

SAME_TOWNSHIP_VILLAGE = "522326101202"
OTHER_TOWNSHIP = "522326102"


def test_code_prefix_q_is_a_range_on_digits_only():
    q = access.code_prefix_q("code", "5223")
    assert dict(q.children) == {"code__gte": "5223", "code__lte": "5223" + "9" * 24}
    for bad in ("52%", "", "52_3", "5223 "):
        with pytest.raises(ValueError, match="is not a code prefix"):
            access.code_prefix_q("code", bad)


def test_code_range_pad_covers_the_longest_code_tail():
    # a member code is 16 digits of household plus "-NN": 19 characters after "" (nation)
    assert access.CODE_RANGE_PAD >= 20


def test_scope_q_shapes():
    assert access.scope_q(RegionScope.nation(), "code").children == []
    nothing = access.scope_q(RegionScope.nothing(), "code")
    assert dict(nothing.children) == {"pk__in": []}
    two = access.scope_q(RegionScope.of("522326", "522633"), "code")
    assert two.connector == "OR" and len(two.children) == 2


@pytest.mark.django_db
def test_scope_of_each_kind_of_user(county_regions):
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE)
    reviewer = make_user(Role.TOWNSHIP_REVIEWER, TOWNSHIP)
    national = make_user(Role.AUDITOR, None, national=True)
    orphan = User.objects.create(username="orphan", role=Role.COUNTY_APPROVER)
    assert access.scope_of(cadre) == RegionScope.of(VILLAGE)
    assert access.scope_of(reviewer) == RegionScope.of(TOWNSHIP)
    assert access.scope_of(national) == RegionScope.nation()
    assert access.scope_of(orphan) == RegionScope.nothing()
    assert access.scope_of(AnonymousUser()) == RegionScope.nothing()
    assert access.scope_of(None) == RegionScope.nothing()
    cadre.is_active = False
    assert access.scope_of(cadre) == RegionScope.nothing()
    national.is_active = False
    assert access.scope_of(national) == RegionScope.nothing()


@pytest.mark.django_db
def test_require_checks_the_capability_and_the_login(county_regions):
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE)
    access.require(cadre, Capability.VIEW_REGIONS)
    with pytest.raises(PermissionDenied):
        access.require(cadre, Capability.VIEW_AUDIT)
    with pytest.raises(PermissionDenied):
        access.require(AnonymousUser(), Capability.VIEW_REGIONS)
    with pytest.raises(PermissionDenied):
        access.require(None, Capability.VIEW_REGIONS)


@pytest.mark.django_db
def test_a_village_cadre_reaches_only_its_village(county_regions):
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE)
    assert access.access_region(cadre, VILLAGE).code == VILLAGE
    for outside in (SAME_TOWNSHIP_VILLAGE, TOWNSHIP, OTHER_TOWNSHIP, COUNTY, OTHER_COUNTY,
                    "52", VILLAGE + "9"):
        with pytest.raises(NotFound):
            access.access_region(cadre, outside)
    assert set(access.scoped_regions(cadre).values_list("code", flat=True)) == {VILLAGE}


@pytest.mark.django_db
def test_a_township_reviewer_reaches_its_township_and_nothing_beside_it(county_regions):
    reviewer = make_user(Role.TOWNSHIP_REVIEWER, TOWNSHIP)
    assert access.access_region(reviewer, SAME_TOWNSHIP_VILLAGE).code == SAME_TOWNSHIP_VILLAGE
    for outside in (OTHER_TOWNSHIP, OTHER_TOWNSHIP + "201", COUNTY):
        with pytest.raises(NotFound):
            access.access_region(reviewer, outside)
    codes = set(access.scoped_regions(reviewer).values_list("code", flat=True))
    assert TOWNSHIP in codes and VILLAGE in codes
    assert all(c.startswith(TOWNSHIP) for c in codes)
    assert codes == set(Region.objects.filter(code__startswith=TOWNSHIP).values_list(
        "code", flat=True))


@pytest.mark.django_db
def test_region_not_found_and_out_of_scope_are_the_same(county_regions):
    approver = make_user(Role.COUNTY_APPROVER, COUNTY)
    with pytest.raises(NotFound):
        access.access_region(approver, COUNTY + "999999")  # in scope, does not exist
    with pytest.raises(NotFound):
        access.access_region(approver, OTHER_COUNTY)
    national = make_user(Role.AUDITOR, None, national=True)
    assert access.access_region(national, OTHER_COUNTY).code == OTHER_COUNTY
    assert access.scoped_regions(national).count() == Region.objects.count()


@pytest.mark.django_db
def test_users_and_audit_events_are_scoped(county_regions):
    admin = make_user(Role.COUNTY_ADMIN, COUNTY)
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE)
    neighbour = make_user(Role.COUNTY_ADMIN, OTHER_COUNTY, username="neighbour")
    national = make_user(Role.SYSADMIN, None, national=True)
    sysadmin = make_user(Role.SYSADMIN, COUNTY, username="county-sysadmin")
    seen = set(access.scoped_users(admin).values_list("username", flat=True))
    assert admin.username in seen and cadre.username in seen
    assert "neighbour" not in seen and national.username not in seen
    assert access.access_user(admin, cadre.pk) == cadre
    for hidden in (neighbour.pk, national.pk, 999999, "abc"):
        with pytest.raises(NotFound):
            access.access_user(admin, hidden)
    assert access.scoped_users(national).count() == User.objects.count()
    with pytest.raises(PermissionDenied):
        access.scoped_users(cadre)

    events = access.scoped_audit_events(sysadmin)
    assert events.exists() and all(e.region_code.startswith(COUNTY) for e in events)
    assert not events.filter(region_code__startswith=OTHER_COUNTY).exists()
    assert access.scoped_audit_events(national).count() == AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        access.scoped_audit_events(cadre)


@pytest.mark.django_db
def test_audit_values_are_shown_by_what_the_reader_may_see(county_regions):
    """docs/access-control.md and docs/personal-data.md: the system administrator reads the
    before/after values of accounts and keys (``auth.*``, ``user.*``, ``pii.rotate_keys``)
    but not those of casework, the registry or evaluation; an auditor, who may read the
    registry, reads them all."""
    sysadmin = make_user(Role.SYSADMIN, COUNTY, username="county-sysadmin")
    auditor = make_user(Role.AUDITOR, None, national=True)
    own_work = ("auth.login", "auth.login_failed", "user.create", "user.rescope",
                "pii.rotate_keys")
    others = ("case.clue", "case.escalate", "registry.update_household", "pii.reveal",
              "evaluation.record_finding", "funds.payment", "authority.x", "users.x",
              "x.auth.login", "x.pii.rotate_keys")
    for action in own_work + others:
        event = AuditEvent(action=action)
        assert access.audit_values_visible(auditor, event) is True, action
        assert access.audit_values_visible(sysadmin, event) is (action in own_work), action
