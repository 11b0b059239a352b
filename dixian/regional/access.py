"""Scoped reads of the regional programmes (fail closed, like :mod:`dixian.core.access`): a
site and its relocated households are seen within the site's region."""

from __future__ import annotations

from django.db.models import QuerySet

from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability
from dixian.regional.models import (
    BudgetUnit,
    ConsumptionBatch,
    LandQuotaTrade,
    Relocated,
    ResettlementSite,
)


def scoped_sites(user) -> QuerySet[ResettlementSite]:
    require(user, Capability.VIEW_REGIONAL)
    return ResettlementSite.objects.filter(scope_q(scope_of(user), "region_code"))


def access_site(user, pk) -> ResettlementSite:
    try:
        return scoped_sites(user).get(pk=int(pk))
    except (ResettlementSite.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def scoped_relocated(user) -> QuerySet[Relocated]:
    require(user, Capability.VIEW_REGIONAL)
    return Relocated.objects.filter(scope_q(scope_of(user), "region_code"))


def access_relocated(user, pk) -> Relocated:
    try:
        return scoped_relocated(user).select_related("site", "household").get(pk=int(pk))
    except (Relocated.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def check_region(user, code: str) -> str:
    """``code`` when it is within the user's scope, else :class:`NotFound`."""
    require(user, Capability.VIEW_REGIONAL)
    if not code or not code.isdigit() or not scope_of(user).contains(code):
        raise NotFound
    return code


def scoped_trades(user) -> QuerySet[LandQuotaTrade]:
    """Land-quota trades are fund matters: read by whoever reads the funds, within the
    selling county's scope (a village or township user sees none)."""
    require(user, Capability.VIEW_FUNDS)
    return LandQuotaTrade.objects.filter(scope_q(scope_of(user), "county_code"))


def scoped_units(user) -> QuerySet[BudgetUnit]:
    """Budget units and their consumption purchases: read with the funds, within the unit's
    region."""
    require(user, Capability.VIEW_FUNDS)
    return BudgetUnit.objects.filter(scope_q(scope_of(user), "region_code"))


def scoped_consumption_batches(user) -> QuerySet[ConsumptionBatch]:
    require(user, Capability.VIEW_FUNDS)
    scope = scope_of(user)
    if scope.national:
        return ConsumptionBatch.objects.all()
    return ConsumptionBatch.objects.filter(scope_q(scope, "region_code"))
