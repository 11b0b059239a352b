"""Scoped reads. Every page and endpoint reads through these functions.

They fail closed: a user with no region and no national scope sees nothing, and
an object outside the user's scope raises :class:`NotFound`, exactly as an
object that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from dixian.core.bridge import RegionScope
from dixian.core.models import AuditEvent, Region, User
from dixian.core.roles import Capability, role_has


class NotFound(Http404):
    """Not found, or outside the reader's region: the two must look the same."""


def scope_of(user) -> RegionScope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return RegionScope.nothing()
    if user.is_national:
        return RegionScope.nation()
    if user.region_id:
        return RegionScope.of(user.region_id)
    return RegionScope.nothing()


def code_prefix_q(field: str, prefix: str) -> Q:
    """Rows whose ``field`` (a division, household or member code) starts with ``prefix``.

    Written as a range, ``prefix <= field <= prefix + "9"*n``, not ``LIKE 'prefix%'``: a
    range is an index search on SQLite and PostgreSQL alike (SQLite's ``LIKE`` is a full
    scan, and PostgreSQL needs a pattern-ops index for it). Correct because the codes are
    digit strings (a member code adds ``-NN`` after its household's 16 digits).
    """
    if not prefix.isdigit():
        raise ValueError(f"{prefix!r} is not a code prefix")
    return Q(**{f"{field}__gte": prefix, f"{field}__lte": prefix + "9" * CODE_RANGE_PAD})


CODE_RANGE_PAD = 24  # longer than any code's tail after its prefix


def scope_q(scope: RegionScope, field: str) -> Q:
    """A filter that keeps rows whose ``field`` (a division code) is in scope."""
    if scope.national:
        return Q()
    if not scope.prefixes:
        return Q(pk__in=[])
    q = Q()
    for prefix in scope.prefixes:
        q |= code_prefix_q(field, prefix)
    return q


def require(user, capability: Capability) -> None:
    if not getattr(user, "is_authenticated", False) or not role_has(user.role, capability):
        raise PermissionDenied


def access_region(user, code: str) -> Region:
    require(user, Capability.VIEW_REGIONS)
    if not scope_of(user).contains(code):
        raise NotFound
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise NotFound from None


def scoped_regions(user) -> QuerySet[Region]:
    require(user, Capability.VIEW_REGIONS)
    return Region.objects.filter(scope_q(scope_of(user), "code"))


def scoped_users(user) -> QuerySet[User]:
    require(user, Capability.VIEW_USERS)
    scope = scope_of(user)
    if scope.national:
        return User.objects.all()
    return User.objects.filter(scope_q(scope, "region__code"))


def access_user(user, user_id: int) -> User:
    try:
        return scoped_users(user).get(pk=user_id)
    except (User.DoesNotExist, ValueError):
        raise NotFound from None


#: Audit actions about accounts and keys: the system administrator's own work, whose before
#: and after values the administrator may read. Other events' values (casework, registry,
#: evaluation) are shown only to those who may read the registry (auditors).
SYSTEM_AUDIT_ACTIONS = ("auth.", "user.", "pii.rotate_keys")


def audit_values_visible(user, event: AuditEvent) -> bool:
    """Whether ``user`` may read the before/after values of ``event``."""
    if role_has(user.role, Capability.VIEW_REGISTRY):
        return True
    return event.action.startswith(SYSTEM_AUDIT_ACTIONS)


def scoped_audit_events(user) -> QuerySet[AuditEvent]:
    """Audit events whose region is within the auditor's scope (national sees all)."""
    require(user, Capability.VIEW_AUDIT)
    scope = scope_of(user)
    if scope.national:
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(scope_q(scope, "region_code"))
