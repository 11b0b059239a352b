"""Every role against every page and API endpoint, in scope and out of scope.

Later parts add their routes to ROUTES; ``test_every_route_is_in_the_matrix``
fails when a URL exists that the matrix does not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dixian.core.roles import Capability, Role, role_has
from tests.conftest import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_PROVINCE_COUNTY,
    VILLAGE,
    make_user,
)

OUTSIDE_VILLAGE = "522633001201"  # a village of the neighbouring county


@dataclass(frozen=True)
class Route:
    name: str  # URL name (pages) or "api:<operation>" (API)
    path: str  # may contain {code} (a region), {household}, {member}, {batch}
    capability: Capability | None
    api: bool = False
    scoped: bool = False  # the object in the path must be within the user's region
    in_scope_status: int = 200
    method: str = "get"


ROUTES = [
    Route("home", "/", None),
    Route("regions", "/regions/", Capability.VIEW_REGIONS, in_scope_status=302),
    Route("region", "/regions/{code}/", Capability.VIEW_REGIONS, scoped=True),
    Route("region_search", "/regions/search/?q={code}", Capability.VIEW_REGIONS),
    Route("users", "/users/", Capability.VIEW_USERS),
    Route("audit", "/audit/", Capability.VIEW_AUDIT),
    Route("api:me", "/api/me", None, api=True),
    Route("api:search_regions", "/api/regions?q={code}", Capability.VIEW_REGIONS, api=True),
    Route("api:get_region", "/api/regions/{code}", Capability.VIEW_REGIONS, api=True,
          scoped=True),
    Route("api:region_children", "/api/regions/{code}/children", Capability.VIEW_REGIONS,
          api=True, scoped=True),
    Route("api:audit_events", "/api/audit", Capability.VIEW_AUDIT, api=True),
    Route("households", "/households/?q=王", Capability.VIEW_REGISTRY),
    Route("household", "/households/{household}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("reveal_id", "/members/{member}/reveal-id/", Capability.REVEAL_PERSONAL_DATA,
          scoped=True, method="post"),
    Route("imports", "/imports/", Capability.IMPORT_REGISTRY),
    Route("import_report", "/imports/{batch}/", Capability.IMPORT_REGISTRY, scoped=True),
    Route("import_rejected_rows", "/imports/{batch}/rejected.csv", Capability.IMPORT_REGISTRY,
          scoped=True),
    Route("quality_issues", "/quality/", Capability.VIEW_REGISTRY),
    Route("quality_villages", "/quality/villages/", Capability.VIEW_REGISTRY),
    Route("quality_run", "/quality/run/", Capability.IMPORT_REGISTRY, method="post",
          in_scope_status=302),
    Route("quality_accept", "/quality/{issue}/accept/", Capability.EDIT_REGISTRY, scoped=True,
          method="post", in_scope_status=302),
    Route("cases", "/cases/", Capability.VIEW_REGISTRY),
    Route("case", "/cases/{case}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("case_act", "/cases/{case}/act/", Capability.VIEW_REGISTRY, scoped=True,
          method="post", in_scope_status=400),  # no action named: a bad request
    Route("notice", "/notices/{code}/", Capability.VIEW_REGIONS, scoped=True),
    Route("case_letter", "/cases/{case}/letter/", Capability.VIEW_REGISTRY, scoped=True),
    Route("declarations", "/declarations/", Capability.VIEW_REGISTRY),
    Route("inbox", "/inbox/", None),
    Route("household_monitoring", "/monitoring/{household}/", Capability.VIEW_REGISTRY,
          scoped=True),
    Route("raise_clue", "/monitoring/{household}/clue/", Capability.RAISE_CLUES, scoped=True,
          method="post", in_scope_status=302),  # no description: back with the error
    Route("propose_elimination", "/monitoring/{household}/eliminate/",
          Capability.PROPOSE_ELIMINATION, scoped=True, method="post",
          in_scope_status=302),  # not monitored: refused, back with the reasons
    Route("visit_form", "/monitoring/{household}/visits/2025-05/", Capability.VIEW_REGISTRY,
          scoped=True),
    Route("eliminations", "/eliminations/", Capability.VIEW_REGISTRY),
    Route("plan", "/plans/{household}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("plan_assign", "/plans/{household}/assign/", Capability.PLAN_MEASURES, scoped=True,
          method="post", in_scope_status=302),  # nothing chosen: back with the error
    Route("plan_measure_update", "/plans/{household}/measures/{measure}/",
          Capability.PLAN_MEASURES, scoped=True, method="post", in_scope_status=302),
    Route("measures", "/measures/", Capability.DELIVER_MEASURES),
    Route("measure_update", "/measures/{measure}/", Capability.DELIVER_MEASURES, scoped=True,
          method="post", in_scope_status=302),
    Route("measures_upload", "/measures/upload/", Capability.DELIVER_MEASURES, method="post",
          in_scope_status=302),
    Route("plan_issues", "/assistance/issues/", Capability.VIEW_REGISTRY),
    Route("coverage", "/assistance/coverage/", Capability.VIEW_REGISTRY),
    Route("visits", "/visits/", Capability.VIEW_REGISTRY),
    Route("campaigns", "/campaigns/", Capability.VIEW_REGISTRY),
    Route("campaign", "/campaigns/{campaign}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("campaign_task", "/campaign-tasks/{task}/", Capability.VISIT_HOUSEHOLDS,
          scoped=True, method="post", in_scope_status=302),  # no outcome: back with the error
    Route("feeds", "/feeds/", Capability.UPLOAD_FEEDS),
    Route("feed_batch", "/feeds/{feed}/", Capability.UPLOAD_FEEDS, scoped=True),
    Route("alerts", "/alerts/", Capability.VIEW_REGISTRY),
    Route("alert", "/alerts/{alert}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("screening_run", "/screening/run/", Capability.RUN_SCREENING, method="post",
          in_scope_status=302),
    Route("api:upload_feed", "/api/exchange/feeds", Capability.UPLOAD_FEEDS, api=True,
          method="post", in_scope_status=400),  # no file sent
    Route("api:get_feed", "/api/exchange/feeds/{feed}", Capability.UPLOAD_FEEDS, api=True,
          scoped=True),
    Route("api:run_screening", "/api/exchange/screening?period=2025-05",
          Capability.RUN_SCREENING, api=True, method="post"),
    Route("api:list_alerts", "/api/exchange/alerts", Capability.VIEW_REGISTRY, api=True),
    Route("api:list_households", "/api/registry/households?q=王", Capability.VIEW_REGISTRY,
          api=True),
    Route("api:get_household", "/api/registry/households/{household}",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:household_members", "/api/registry/households/{household}/members",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:reveal_member_id", "/api/registry/members/{member}/reveal-id",
          Capability.REVEAL_PERSONAL_DATA, api=True, scoped=True, method="post"),
    Route("api:get_import", "/api/registry/imports/{batch}", Capability.IMPORT_REGISTRY,
          api=True, scoped=True),
    Route("api:list_cases", "/api/procedures/cases", Capability.VIEW_REGISTRY, api=True),
    Route("api:get_case", "/api/procedures/cases/{case}", Capability.VIEW_REGISTRY, api=True,
          scoped=True),
    Route("api:take_step", "/api/procedures/cases/{case}/steps", Capability.VIEW_REGISTRY,
          api=True, scoped=True, method="post", in_scope_status=400),  # no body
    Route("api:elimination_conditions", "/api/procedures/cases/{case}/conditions",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:raise_clue", "/api/procedures/clues", Capability.RAISE_CLUES, api=True,
          method="post", in_scope_status=400),  # no body
    Route("api:propose_elimination", "/api/procedures/households/{household}/elimination",
          Capability.PROPOSE_ELIMINATION, api=True, scoped=True, method="post",
          in_scope_status=400),  # not monitored
    Route("api:record_visit", "/api/procedures/visits", Capability.VISIT_HOUSEHOLDS, api=True,
          method="post", in_scope_status=400),  # no body
    Route("api:inbox", "/api/procedures/inbox", None, api=True),
    Route("api:get_plan", "/api/assistance/plans/{household}", Capability.VIEW_REGISTRY,
          api=True, scoped=True),
    Route("api:plan_measures", "/api/assistance/plans/{household}/measures",
          Capability.PLAN_MEASURES, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:list_measures", "/api/assistance/measures", Capability.DELIVER_MEASURES,
          api=True),
    Route("api:update_measure", "/api/assistance/measures/{measure}",
          Capability.DELIVER_MEASURES, api=True, scoped=True, method="post",
          in_scope_status=400),
    Route("api:coverage", "/api/assistance/coverage", Capability.VIEW_REGISTRY, api=True),
    Route("api:get_indicators", "/api/statistics/{code}", Capability.VIEW_REGISTRY, api=True,
          scoped=True),
    Route("api:indicator_children", "/api/statistics/{code}/children",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:indicator_households",
          "/api/statistics/{code}/households?indicator=identified&period=2025-05",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:upload_import", "/api/registry/imports", Capability.IMPORT_REGISTRY, api=True,
          method="post", in_scope_status=400),  # no file sent: the request is invalid
    Route("statistics", "/statistics/", Capability.VIEW_REGISTRY, in_scope_status=302),
    Route("statistics_region", "/statistics/{code}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("statistics_households",
          "/statistics/{code}/households/?indicator=identified&period=2025-05",
          Capability.VIEW_REGISTRY, scoped=True),
    Route("statistics_table", "/statistics/{code}/tables/categories.csv",
          Capability.VIEW_REGISTRY, scoped=True),
    Route("statistics_report", "/statistics/{code}/report.xlsx", Capability.VIEW_REGISTRY,
          scoped=True),
    Route("statistics_recompute", "/statistics/{code}/recompute/", Capability.IMPORT_REGISTRY,
          scoped=True, method="post", in_scope_status=302),
    Route("evaluation", "/statistics/{code}/evaluation/", Capability.VIEW_REGISTRY,
          scoped=True),
    Route("evaluation_draw", "/statistics/{code}/evaluation/draw/", Capability.VIEW_REGISTRY,
          scoped=True, method="post", in_scope_status=302),  # no county named: back
    Route("evaluation_findings", "/statistics/{code}/evaluation/findings/",
          Capability.VIEW_REGISTRY, scoped=True, method="post",
          in_scope_status=302),  # no household named: back with the error
    Route("evaluation_upload", "/statistics/{code}/evaluation/upload/",
          Capability.VIEW_REGISTRY, scoped=True, method="post",
          in_scope_status=302),  # no file: back with the error
    Route("evaluation_sample", "/statistics/{code}/evaluation/sample.xlsx",
          Capability.VIEW_REGISTRY, scoped=True),
    Route("evaluation_results", "/statistics/{code}/evaluation/results/",
          Capability.VIEW_REGISTRY, scoped=True),
]
# Routes that need no login, or that are the login machinery itself.
PUBLIC = {"login", "logout", "set_language", "declare", "api:api-root", "api:openapi-json",
          "api:openapi-view", "healthz", "readyz"}


def _all_url_names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
            yield from _all_url_names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}"


def test_every_route_is_in_the_matrix():
    names = set(_all_url_names(get_resolver().url_patterns))
    covered = {route.name for route in ROUTES} | PUBLIC
    assert names - covered == set(), "add these routes to the access matrix"


def _expected(route: Route, role: Role) -> int:
    if route.capability is not None and not role_has(role, route.capability):
        return 403
    return route.in_scope_status


@pytest.fixture
def registry_targets(users, settings, tmp_path):
    """A household, member and import batch inside the test village, and others outside."""
    import polars as pl

    from dixian.registry import importing, snapshot
    from tests.registry.builders import households_and_members

    settings.MEDIA_ROOT = tmp_path
    inside = households_and_members(1, VILLAGE)
    outside = households_and_members(1, OUTSIDE_VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in outside.items()})
    data = snapshot.export(inside, fmt="xlsx", file_layout="national")
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    book["家庭成员信息"]["G3"] = "not a date"  # one rejected row, so there is an error file
    out = io.BytesIO()
    book.save(out)
    batch = importing.import_file(out.getvalue(), "inside.xlsx",
                                  actor=users[Role.COUNTY_ADMIN], valid_rows_only=True).batch
    other_admin = make_user(Role.COUNTY_ADMIN, OTHER_COUNTY, username="other-admin")
    other_batch = importing.import_file(
        snapshot.export(households_and_members(2, OUTSIDE_VILLAGE), fmt="xlsx"), "out.xlsx",
        actor=other_admin).batch
    from dixian.engine.scope import RegionScope
    from dixian.quality import bridge
    from dixian.quality.models import QualityIssue

    bridge.run(RegionScope.of("52"))  # opens an issue in each village (no phone numbers...)
    issue = QualityIssue.objects.filter(village_id=VILLAGE).first()
    other_issue = QualityIssue.objects.filter(village_id=OUTSIDE_VILLAGE).first()
    from dixian.cases.actions import do_receive_clue
    from dixian.registry.models import Household

    case = do_receive_clue(Household.objects.get(code=f"{VILLAGE}0001"), channel="cadre_visit",
                           risk_type="ILLNESS").case
    other_case = do_receive_clue(Household.objects.get(code=f"{OUTSIDE_VILLAGE}0001"),
                                 channel="cadre_visit", risk_type="ILLNESS").case
    from dixian.exchange import actions as exchange
    from dixian.exchange.models import Alert

    claims = ("结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"
              "C1,{id},住院,2025-05-20,80000,30000\n")
    feed = exchange.do_upload_feed(
        claims.format(id=inside["members"]["resident_id"][0].as_py()).encode(), "m_2025-05.csv",
        department="medical_insurance", actor=users[Role.DEPARTMENT_OFFICER])
    other_officer = make_user(Role.DEPARTMENT_OFFICER, OTHER_COUNTY, username="other-officer")
    other_feed = exchange.do_upload_feed(
        claims.format(id=outside["members"]["resident_id"][0].as_py()).encode(),
        "m_2025-05.csv", department="medical_insurance", actor=other_officer)
    exchange.do_run_screening(RegionScope.of("52"), "2025-05")
    alert = Alert.objects.filter(village_id=VILLAGE).first()
    other_alert = Alert.objects.filter(village_id=OUTSIDE_VILLAGE).first()
    from datetime import date

    from django.utils import timezone

    from dixian.assistance.models import Measure
    from dixian.cases import monitoring
    from tests.cases.builders import make_monitored

    def measure_for(household_code):
        household = Household.objects.get(code=household_code)
        make_monitored(household, since=timezone.now())
        return Measure.objects.create(
            household=household, village_code=household.village_id, category="HEALTH",
            instrument="MEDICAL_PREMIUM_SUBSIDY", department="medical_insurance",
            planned_on=date(2025, 5, 1), due_on=date(2025, 6, 1))

    measure = measure_for(f"{VILLAGE}0001")
    other_measure = measure_for(f"{OUTSIDE_VILLAGE}0002")
    campaign = monitoring.do_launch_campaign(COUNTY, actor=users[Role.COUNTY_ADMIN],
                                             name="2025", criterion="all",
                                             due_on=date(2025, 12, 31))
    other_campaign = monitoring.do_launch_campaign(OTHER_COUNTY, actor=other_admin,
                                                   name="2025", criterion="all",
                                                   due_on=date(2025, 12, 31))
    return {
        "inside": {"household": f"{VILLAGE}0001", "member": f"{VILLAGE}0001-01",
                   "batch": batch.pk, "issue": issue.pk, "case": case.pk, "feed": feed.pk,
                   "alert": alert.pk, "campaign": campaign.pk,
                   "task": campaign.tasks.get(household__code=f"{VILLAGE}0001").pk,
                   "measure": measure.pk},
        "outside": [{"household": f"{OUTSIDE_VILLAGE}0001", "member": f"{OUTSIDE_VILLAGE}0001-01",
                     "batch": other_batch.pk, "issue": other_issue.pk, "case": other_case.pk,
                     "feed": other_feed.pk, "alert": other_alert.pk,
                     "campaign": other_campaign.pk, "task": other_campaign.tasks.first().pk,
                     "measure": other_measure.pk},
                    {"household": "5223260000000000", "member": "nobody", "batch": 999999,
                     "issue": 999999, "case": 999999, "feed": 999999, "alert": 999999,
                     "campaign": 999999, "task": 999999, "measure": 999999}],
    }


def _call(client, route: Route, url: str):
    return getattr(client, route.method)(url)


@pytest.mark.django_db
def test_every_role_on_every_route_in_and_out_of_scope(client, users, registry_targets):
    failures = []
    for role, user in users.items():
        client.force_login(user)
        for route in ROUTES:
            url = route.path.format(code=user.region_id, **registry_targets["inside"])
            status = _call(client, route, url).status_code
            if status != _expected(route, role):
                failures.append(f"{role} {url}: {status}, expected {_expected(route, role)}")
            if not route.scoped:
                continue
            outside_targets = [{"code": c, **registry_targets["outside"][0]}
                               for c in (OTHER_COUNTY, OTHER_PROVINCE_COUNTY)]
            outside_targets.append({"code": "999999", **registry_targets["outside"][1]})
            for target in outside_targets:
                url = route.path.format(**target)
                status = _call(client, route, url).status_code
                wanted = 403 if _expected(route, role) == 403 else 404
                if status != wanted:
                    failures.append(f"{role} {url} (out of scope): {status}, expected {wanted}")
        client.logout()
    assert failures == [], "\n".join(failures)


def _without_csrf(content: bytes) -> bytes:
    """Only the CSRF token (masked anew on every render) and the requested path may differ."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'name="next" type="hidden" value="[^"]+"', b"", content)


@pytest.mark.django_db
def test_out_of_scope_looks_exactly_like_not_found(client, users):
    client.force_login(users[Role.COUNTY_APPROVER])
    absent = client.get("/regions/522326999999/")
    outside = client.get(f"/regions/{OTHER_COUNTY}/")
    assert absent.status_code == outside.status_code == 404
    assert _without_csrf(absent.content) == _without_csrf(outside.content)
    api_absent = client.get("/api/regions/522326999999")
    api_outside = client.get(f"/api/regions/{OTHER_COUNTY}")
    assert api_absent.status_code == api_outside.status_code == 404
    assert api_absent.json() == api_outside.json()


@pytest.mark.django_db
def test_lists_only_show_what_is_in_scope(client, users, user_in):
    user_in(Role.COUNTY_ADMIN, OTHER_COUNTY, username="neighbour-admin")
    client.force_login(users[Role.COUNTY_ADMIN])
    listing = client.get("/users/").content.decode()
    assert "neighbour-admin" not in listing and "county_admin-522326" in listing
    found = client.get("/regions/search/?q=5226").content.decode()
    assert "从江县" not in found
    assert client.get("/api/regions?q=5226").json()["count"] == 0
    assert client.get("/api/regions?q=522326").json()["count"] > 100


@pytest.mark.django_db
def test_a_user_with_no_region_sees_nothing(client, county_regions):
    from dixian.core.models import User

    orphan = User.objects.create(username="orphan", role=Role.COUNTY_APPROVER)
    client.force_login(orphan)
    assert client.get(f"/regions/{COUNTY}/").status_code == 404
    assert client.get("/api/regions?q=52").json()["count"] == 0


@pytest.mark.django_db
def test_national_users_see_every_province(client, user_in):
    auditor = user_in(Role.AUDITOR, None, national=True, username="national-auditor")
    client.force_login(auditor)
    assert client.get(f"/regions/{OTHER_PROVINCE_COUNTY}/").status_code == 200
    assert client.get("/api/regions?q=53").json()["count"] > 0


@pytest.mark.django_db
def test_anonymous_requests_go_to_login_or_get_401(client, county_regions):
    for route in ROUTES:
        path = route.path.format(code=COUNTY, household="5223261012010001",
                                 member="5223261012010001-01", batch=1, issue=1, case=1,
                                 feed=1, alert=1, campaign=1, task=1, measure=1)
        response = client.get(path) if route.method == "get" else client.post(path)
        if route.api:
            assert response.status_code == 401, route
        else:
            assert response.status_code == 302 and "/login/" in response["Location"], route


@pytest.mark.django_db
def test_audit_search_is_scoped(client, users, user_in):
    user_in(Role.COUNTY_ADMIN, OTHER_COUNTY, username="neighbour-admin")
    client.force_login(users[Role.AUDITOR])
    events = client.get("/api/audit?action=user.create&limit=100").json()["items"]
    created = {event["object_id"] for event in events}
    assert str(users[Role.COUNTY_ADMIN].pk) in created
    assert all(event["region_code"].startswith(COUNTY) for event in events)
    page = client.get("/audit/?action=user.create").content.decode()
    assert "user.create" in page


def test_the_access_control_doc_lists_every_role_with_its_capabilities():
    from pathlib import Path

    from dixian.core.roles import ROLE_SPECS, Level

    doc = (Path(__file__).resolve().parents[2] / "docs" / "access-control.md").read_text()
    for role, spec in ROLE_SPECS.items():
        levels = ", ".join(Level(x).name.lower() for x in sorted(spec.levels))
        levels += ", nation" if spec.may_be_national else ""
        caps = ", ".join(sorted(c.value for c in spec.capabilities))
        assert f"| `{role.value}` | {levels} | {caps} |" in doc, role
