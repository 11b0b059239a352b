"""Shared fixtures: regions, one user per role, and the audit-trigger guard."""

from __future__ import annotations

import pytest
from django.db import connection

from dixian.core import actions, audit_triggers, regions
from dixian.core.roles import Department, Role

COUNTY = "522326"  # 望谟县, Guizhou
TOWNSHIP = "522326101"  # 乐元镇
VILLAGE = "522326101201"  # 乐元村
OTHER_COUNTY = "522633"  # 从江县: same province, outside the county's scope
OTHER_PROVINCE_COUNTY = "530102"  # 五华区, Kunming: another province

# One user per role, bound where that role works. Department officers are the one
# role with a department; national roles are tested separately.
ROLE_BINDINGS = {
    Role.VILLAGE_CADRE: VILLAGE,
    Role.TOWNSHIP_REVIEWER: TOWNSHIP,
    Role.COUNTY_APPROVER: COUNTY,
    Role.COUNTY_ADMIN: COUNTY,
    Role.DEPARTMENT_OFFICER: COUNTY,
    Role.ANALYST: COUNTY,
    Role.AUDITOR: COUNTY,
    Role.SYSADMIN: COUNTY,
    Role.POLICY_ADMIN: COUNTY[:2],
    Role.PROJECT_OFFICER: COUNTY,
    Role.FUND_OFFICER: COUNTY,
    Role.ASSET_OFFICER: COUNTY,
    Role.WORK_RELIEF_OFFICER: COUNTY,
    Role.SITE_MANAGER: VILLAGE,
    Role.PROVINCE_ADMIN: "52",
    Role.EAST_PARTNER: COUNTY,
    Role.CENTRAL_UNIT: COUNTY,
    Role.SERVICE_ACCOUNT: COUNTY,
}
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def county_regions(db):
    """The test county, a neighbour county and a county of another province."""
    for code in (COUNTY, OTHER_COUNTY, OTHER_PROVINCE_COUNTY):
        regions.load(code)


def make_user(role: Role, region_code: str | None, *, national: bool = False,
              username: str | None = None):
    department = (Department.MEDICAL_INSURANCE
                  if role in (Role.DEPARTMENT_OFFICER, Role.SERVICE_ACCOUNT) else "")
    return actions.do_create_user(
        username=username or f"{role.value}-{region_code or 'nation'}", role=role,
        region_code=None if national else region_code, password=PASSWORD,
        department=department, is_national=national,
    )


@pytest.fixture
def users(county_regions):
    """One user per role in the test county (village cadre in a village, etc.)."""
    return {role: make_user(role, code) for role, code in ROLE_BINDINGS.items()}


@pytest.fixture
def user_in(county_regions):
    return make_user


@pytest.fixture(autouse=True)
def _audit_anchors_per_test(settings, tmp_path):
    """Each test anchors the audit chain in its own file (never the checkout's var/)."""
    settings.DIXIAN_AUDIT_ANCHORS = tmp_path / "audit-anchors.jsonl"


@pytest.fixture(autouse=True)
def _audit_triggers_for_flush(request):
    """Transactional tests end with a flush of every table, audit rows included.

    The append-only triggers would (rightly) refuse that, so they are switched off
    just for the flush at teardown and switched on again at the next set-up.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    audit_triggers.enable(connection)
    yield
    audit_triggers.disable(connection)


@pytest.fixture
def set_policy(monkeypatch):
    """``set_policy(region, {parameter: value})``: values in force from 2000 in ``region``
    for this test, as if approved (the engine's change source, extended)."""
    import datetime as dt

    from dixian.engine import policy
    from dixian.engine.policy import resolution as resolving

    extra: list = []
    original = resolving._change_source

    def source():
        return (*(original() if original else ()), *extra)

    monkeypatch.setattr(resolving, "_change_source", source)

    def set_values(region: str, values: dict) -> None:
        for name, value in values.items():
            extra.append(policy.Record(name, region, dt.date(2000, 1, 1), value, "test",
                                       change=f"test-{len(extra)}"))

    return set_values


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """Approved policy changes are cached per process: a test starts from its own database."""
    from dixian.policy import bridge

    bridge.invalidate()
    yield
    bridge.invalidate()
