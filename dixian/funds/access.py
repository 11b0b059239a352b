"""Scoped reads of projects, funds, assets and notices (fail closed, like dixian.core.access)."""

from __future__ import annotations

from django.db.models import QuerySet

from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability
from dixian.funds.models import (
    Allocation,
    Asset,
    Distribution,
    Document,
    Notice,
    Payment,
    Project,
)


def scoped_projects(user) -> QuerySet[Project]:
    require(user, Capability.VIEW_FUNDS)
    return Project.objects.filter(scope_q(scope_of(user), "region_code"))


def access_project(user, pk) -> Project:
    try:
        return scoped_projects(user).get(pk=int(pk))
    except (Project.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def scoped_allocations(user) -> QuerySet[Allocation]:
    """A county's allocations: seen from the county up (a township sees its projects' money
    on the projects' pages)."""
    require(user, Capability.VIEW_FUNDS)
    return Allocation.objects.filter(scope_q(scope_of(user), "county_code"))


def access_allocation(user, pk) -> Allocation:
    try:
        return scoped_allocations(user).get(pk=int(pk))
    except (Allocation.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def scoped_payments(user) -> QuerySet[Payment]:
    require(user, Capability.VIEW_FUNDS)
    return Payment.objects.filter(scope_q(scope_of(user), "project__region_code"))


def scoped_assets(user) -> QuerySet[Asset]:
    require(user, Capability.VIEW_FUNDS)
    return Asset.objects.filter(scope_q(scope_of(user), "region_code"))


def access_asset(user, pk) -> Asset:
    try:
        return scoped_assets(user).get(pk=int(pk))
    except (Asset.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def scoped_notices(user) -> QuerySet[Notice]:
    require(user, Capability.VIEW_FUNDS)
    return Notice.objects.filter(scope_q(scope_of(user), "region_code"))


def access_notice(user, pk) -> Notice:
    try:
        return scoped_notices(user).get(pk=int(pk))
    except (Notice.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def scoped_documents(user) -> QuerySet[Document]:
    """The documents of the projects, payments and disposals in the user's region."""
    require(user, Capability.VIEW_FUNDS)
    return Document.objects.filter(scope_q(scope_of(user), "region_code"))


def access_document(user, pk) -> Document:
    try:
        return scoped_documents(user).get(pk=int(pk))
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def scoped_distributions(user) -> QuerySet[Distribution]:
    require(user, Capability.VIEW_FUNDS)
    return Distribution.objects.filter(scope_q(scope_of(user), "region_code"))


def check_region(user, code: str) -> str:
    """``code`` when it is within the user's scope, else :class:`NotFound`."""
    require(user, Capability.VIEW_FUNDS)
    if not code or not code.isdigit() or not scope_of(user).contains(code):
        raise NotFound
    return code
