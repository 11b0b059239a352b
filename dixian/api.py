"""The JSON API (OpenAPI 3.1 at /api/docs). Scoped exactly like the pages."""


from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import HttpBearer, django_auth

from dixian.core.access import (
    access_region,
    audit_values_visible,
    scope_of,
    scoped_audit_events,
    scoped_regions,
)
from dixian.web.pagination import Pagination


class ServiceToken(HttpBearer):
    """A department system's bearer token (``Authorization: Bearer dxn_…``): the call runs as
    its service account, and only where the token has the scope the call needs."""

    openapi_description = "A service account's API token (created on the Departments page)."

    def authenticate(self, request, token):
        from dixian.connect import tokens

        try:
            account = tokens.authenticate(token, scope_needed(request))
        except tokens.TokenRefused as refused:
            raise HttpError(refused.status, refused.detail) from None
        request.user = account
        return account


# (method, path prefix under /api/) -> the token scope the call needs; anything else refuses
# tokens (403) and needs a person's session.
TOKEN_SCOPES = [
    ("POST", "exchange/feeds", "feeds:upload"),
    ("GET", "exchange/feeds/", "feeds:upload"),
    ("GET", "dci/alerts", "alerts:read"),
    ("POST", "dci/registry/sync/search", "registry:search"),
    ("POST", "dci/registry/subscribe", "registry:subscribe"),
    ("POST", "dci/registry/unsubscribe", "registry:subscribe"),
    ("GET", "dci/registry/notifications", "registry:subscribe"),
]


def scope_needed(request) -> str | None:
    path = request.path.split("/api/", 1)[-1]
    for method, prefix, scope in TOKEN_SCOPES:
        if request.method == method and path.startswith(prefix):
            return scope
    return None


api = NinjaAPI(
    title="Dixian API", version="1", auth=[ServiceToken(), django_auth], urls_namespace="api",
    docs_url="/docs",
)


def _add_routers() -> None:
    from dixian.assistance.api import router as assistance_router
    from dixian.cases.api import router as cases_router
    from dixian.connect.api import router as dci_router
    from dixian.exchange.api import router as exchange_router
    from dixian.funds.api import router as funds_router
    from dixian.policy.api import router as policy_router
    from dixian.regional.api import router as regional_router
    from dixian.registry.api import router as registry_router
    from dixian.statistics.api import router as statistics_router

    api.add_router("/registry", registry_router)
    api.add_router("/exchange", exchange_router)
    api.add_router("/procedures", cases_router)
    api.add_router("/assistance", assistance_router)
    api.add_router("/statistics", statistics_router)
    api.add_router("/policy", policy_router)
    api.add_router("/funds", funds_router)
    api.add_router("/regional", regional_router)
    api.add_router("/dci", dci_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": "Forbidden"}, status=403)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    # bad input an action refused (a malformed month, an unknown code): the caller's error
    return api.create_response(request, {"detail": "; ".join(exc.messages)}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    # Out of scope and absent look the same.
    return api.create_response(request, {"detail": "Not Found"}, status=404)


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_id: str | None


class MeOut(Schema):
    username: str
    role: str
    region: str | None
    national: bool
    department: str
    scope: str


class AuditEventOut(Schema):
    seq: int
    time: datetime
    actor_username: str
    role: str
    region_code: str
    action: str
    object_type: str
    object_id: str
    before: dict | list | None
    after: dict | list | None
    request_id: str

    # casework values are withheld from readers without the registry (the sysadmin)
    @staticmethod
    def resolve_before(obj, context):
        return obj.before if audit_values_visible(context["request"].user, obj) else None

    @staticmethod
    def resolve_after(obj, context):
        return obj.after if audit_values_visible(context["request"].user, obj) else None


class AuditFilter(Schema):
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@api.get("/me", response=MeOut, tags=["people"])
def me(request):
    user = request.user
    return MeOut(username=user.username, role=user.role, region=user.region_id,
                 national=user.is_national, department=user.department,
                 scope=scope_of(user).describe())


@api.get("/regions", response=list[RegionOut], tags=["regions"])
@paginate(Pagination)
def search_regions(request, q: str = ""):
    query = scoped_regions(request.user)
    if q.isdigit():
        query = query.filter(code__startswith=q)
    elif q:
        query = query.filter(name__contains=q)
    return query.order_by("code")


@api.get("/regions/{code}", response=RegionOut, tags=["regions"])
def get_region(request, code: str):
    return access_region(request.user, code)


@api.get("/regions/{code}/children", response=list[RegionOut], tags=["regions"])
@paginate(Pagination)
def region_children(request, code: str):
    return access_region(request.user, code).children.order_by("code")


@api.get("/audit", response=list[AuditEventOut], tags=["audit"])
@paginate(Pagination)
def audit_events(request, filters: Query[AuditFilter]):
    events = scoped_audit_events(request.user)
    if filters.actor:
        events = events.filter(actor_username=filters.actor)
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.since:
        events = events.filter(time__gte=filters.since)
    if filters.until:
        events = events.filter(time__lte=filters.until)
    return events.order_by("-seq")


_add_routers()
