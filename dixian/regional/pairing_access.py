"""Scoped reads of the pairings (fail closed, like :mod:`dixian.core.access`).

A user of a region (casework, funds, analysts, auditors) reads the pairings whose western side
is within the region. An eastern partner's or a central unit's user reads only its own
organisation's pairings, and of those only the ones within the region the user is bound at:
without a linked organisation, nothing."""

from __future__ import annotations

from django.db.models import QuerySet

from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import PARTNER_ROLES, Capability
from dixian.regional.models import Agreement, Pairing, PartnerUser, ResidentCadre


def partner_of(user):
    """The partner a partner user works for (None for anyone else, or when not linked)."""
    if getattr(user, "role", None) not in PARTNER_ROLES:
        return None
    link = PartnerUser.objects.filter(user_id=user.pk).select_related("partner").first()
    return link.partner if link else None


def scoped_pairings(user) -> QuerySet[Pairing]:
    require(user, Capability.VIEW_PAIRINGS)
    pairings = Pairing.objects.filter(scope_q(scope_of(user), "west_code"))
    if user.role in PARTNER_ROLES:
        partner = partner_of(user)
        if partner is None:
            return Pairing.objects.none()
        pairings = pairings.filter(partner=partner)
    return pairings.select_related("partner")


def access_pairing(user, pk) -> Pairing:
    try:
        return scoped_pairings(user).get(pk=int(pk))
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def access_agreement(user, pk, year) -> Agreement:
    pairing = access_pairing(user, pk)
    try:
        return pairing.agreements.get(year=int(year))
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


def scoped_cadres(user) -> QuerySet[ResidentCadre]:
    """Village work teams: read by region users within their region; a partner's user reads
    the cadres its organisation sent."""
    require(user, Capability.VIEW_PAIRINGS)
    cadres = ResidentCadre.objects.filter(scope_q(scope_of(user), "village_code"))
    if user.role in PARTNER_ROLES:
        partner = partner_of(user)
        return cadres.filter(partner=partner) if partner else ResidentCadre.objects.none()
    return cadres
