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
from tests.conftest import COUNTY, OTHER_COUNTY, OTHER_PROVINCE_COUNTY, PASSWORD


@dataclass(frozen=True)
class Route:
    name: str  # URL name (pages) or "api:<operation>" (API)
    path: str  # may contain {code}: the region the request is about
    capability: Capability | None
    api: bool = False
    scoped: bool = False  # {code} must be within the user's region
    in_scope_status: int = 200


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
]
# Routes that need no login, or that are the login machinery itself.
PUBLIC = {"login", "logout", "set_language", "api:api-root", "api:openapi-json",
          "api:openapi-view"}


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


@pytest.mark.django_db
def test_every_role_on_every_route_in_and_out_of_scope(client, users):
    failures = []
    for role, user in users.items():
        client.force_login(user)
        for route in ROUTES:
            url = route.path.format(code=user.region_id)
            status = client.get(url).status_code
            if status != _expected(route, role):
                failures.append(f"{role} {url}: {status}, expected {_expected(route, role)}")
            if not route.scoped:
                continue
            for outside in (OTHER_COUNTY, OTHER_PROVINCE_COUNTY, "999999"):
                url = route.path.format(code=outside)
                status = client.get(url).status_code
                wanted = 403 if _expected(route, role) == 403 else 404
                if status != wanted:
                    failures.append(f"{role} {url} (out of scope): {status}, expected {wanted}")
        client.logout()
    assert failures == []


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
        response = client.get(route.path.format(code=COUNTY))
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
