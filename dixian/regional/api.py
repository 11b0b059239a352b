"""The relocation follow-up over the API, scoped like the pages (no names: member numbers)."""

from __future__ import annotations

from django.utils import timezone
from ninja import Router

from dixian.core.models import Region
from dixian.regional import relocation
from dixian.regional.access import (
    access_relocated,
    access_site,
    check_region,
    scoped_relocated,
    scoped_sites,
    scoped_trades,
    scoped_units,
)
from dixian.regional.bridge import pairing as pairing_rules
from dixian.regional.bridge import relocation as rules
from dixian.regional.bridge import resolve

router = Router(tags=["regional"])


def _findings(found) -> list[dict]:
    return [{"rule": f.rule, "relocated": int(f.object_key), "region_code": f.region_code,
             "sentence_zh": f.sentence_zh, "sentence_en": f.sentence_en} for f in found]


def _site(s, ind: rules.Indicators | None) -> dict:
    return {"id": s.pk, "name": s.name, "region_code": s.region_code,
            "opened_on": s.opened_on, "planned_households": s.planned_households,
            "planned_persons": s.planned_persons, "schools": s.schools, "clinics": s.clinics,
            "elderly_care": s.elderly_care, "workshops": s.workshops,
            "industries": s.industries, "services": s.services,
            "indicators": (ind or rules.Indicators()).as_dict()}


@router.get("/relocation/regions/{code}")
def relocation_region(request, code: str):
    """The indicators of domain.md §8.3 by site and in total for a region, with the findings
    (households with labour and nobody employed, members not followed up)."""
    check_region(request.user, code)
    if not Region.objects.filter(code=code).exists():
        from dixian.core.access import NotFound

        raise NotFound
    result = relocation.figures(code, timezone.localdate())
    sites = scoped_sites(request.user).filter(region_code__startswith=code)
    return {"region": code, "total": result.total.as_dict(),
            "sites": [_site(s, result.by_site.get(str(s.pk))) for s in sites],
            "findings": _findings(result.findings)}


@router.get("/relocation/sites/{site_id}")
def relocation_site(request, site_id: int):
    """A site with its facilities, indicators and households (codes and counts)."""
    site = access_site(request.user, site_id)
    today = timezone.localdate()
    policy = resolve(site.county_code, today)
    month = relocation.month_of(today)
    rows = relocation.household_rows(scoped_relocated(request.user).filter(site=site), policy,
                                     today)
    result = rules.indicators(rows, policy, month)
    return {**_site(site, result.total),
            "households": [{"relocated": int(h.key), "household": h.household,
                            "persons": h.persons, "able": sum(m.able for m in h.members),
                            "employed": sum(rules.counts_as_employed(m, month, policy)
                                            for m in h.members if m.able)} for h in rows],
            "findings": _findings(result.findings)}


@router.get("/relocation/households/{relocated_id}")
def relocation_household(request, relocated_id: int):
    """A relocated household's employment follow-up: each member's latest and history."""
    item = access_relocated(request.user, relocated_id)
    return {"relocated": item.pk, "site": item.site_id, "household": item.household.code,
            "moved_in": item.moved_in, "origin": item.origin,
            "follow_ups": [{"member": f.member.member_id, "month": f.month, "kind": f.kind,
                            "employed": f.employed, "employer": f.employer,
                            "monthly_income": f.monthly_income}
                           for f in item.follow_ups.select_related("member")]}


@router.get("/land-quotas")
def land_quota_trades(request):
    """The land-quota trades in the user's scope (domain.md §8.6) with their proceeds, the fund
    allocation each entered, and the findings."""
    from dixian.regional import land_quota

    trades = list(scoped_trades(request.user)[:1000])
    return {"trades": [{"id": t.pk, "county_code": t.county_code, "contract": t.contract,
                        "kind": t.kind, "buyer": t.buyer, "mu": str(t.mu),
                        "price_per_mu": str(t.price_per_mu),
                        "proceeds": str(land_quota.proceeds(t)), "traded_on": t.traded_on,
                        "proceeds_received_on": t.proceeds_received_on,
                        "allocation": t.allocation_id} for t in trades],
            "findings": [{"rule": f.rule, "trade": int(f.object_key),
                          "county_code": f.region_code, "sentence_zh": f.sentence_zh,
                          "sentence_en": f.sentence_en}
                         for f in land_quota.findings(trades, timezone.localdate())]}


@router.get("/consumption")
def consumption_units(request, year: int | None = None):
    """Each budget unit's year in the user's scope (domain.md §8.4): canteen food budget,
    reserved amount and share, bought from poverty-alleviated areas, completion, and the
    findings."""
    from dixian.regional import consumption

    today = timezone.localdate()
    if year is None or not 2016 <= year <= today.year + 1:
        year = today.year
    rows = consumption.unit_years(scoped_units(request.user), year)
    return {"year": year,
            "units": [{"id": int(r.key), "name": r.name, "region_code": r.region_code,
                       "food_budget": str(r.food_budget), "reserved": str(r.reserved),
                       "bought": str(r.bought),
                       "reserved_share": None if r.reserved_share is None
                       else float(r.reserved_share),
                       "completion": None if r.completion is None else float(r.completion)}
                      for r in rows],
            "findings": [{"rule": f.rule, "unit": int(f.object_key),
                          "sentence_zh": f.sentence_zh, "sentence_en": f.sentence_en}
                         for f in consumption.findings(rows, today)]}


# ------------------------------------------------ East–West cooperation and paired assistance


@router.get("/pairings")
def pairings_list(request):
    """The pairings in the user's scope (a partner's user: its own organisation's), each with
    its agreements' years (domain.md §8.1)."""
    from dixian.regional.pairing_access import scoped_pairings

    return {"pairings": [{"id": p.pk, "partner": p.partner.name, "partner_kind": p.partner.kind,
                          "level": p.level, "west_code": p.west_code,
                          "started_on": p.started_on, "ended_on": p.ended_on,
                          "years": sorted(p.agreements.values_list("year", flat=True))}
                         for p in scoped_pairings(request.user)[:1000]]}


@router.get("/pairings/{pairing_id}/years/{year}")
def pairing_year(request, pairing_id: int, year: int):
    """A pairing's annual report: each indicator's target, actual, completion, shortfall and
    status, with the findings (no names: placements are counted)."""
    from dixian.regional import pairing
    from dixian.regional.pairing_access import access_agreement

    agreement = access_agreement(request.user, pairing_id, year)
    today = timezone.localdate()
    row = pairing.agreement_year(agreement)
    result = pairing_rules.assess(row, resolve(agreement.pairing.west_code[:6], today), today)
    return {"pairing": agreement.pairing_id, "label": row.label, "year": agreement.year,
            "west_code": row.region_code, "met": result.met, "short": result.short,
            "with_target": result.with_target,
            "lines": [line.as_dict() for line in result.lines],
            "funds": [{"allocation": f.allocation_id, "document": f.allocation.document,
                       "amount": str(f.allocation.amount)}
                      for f in agreement.funds.select_related("allocation")],
            "findings": [{"rule": f.rule, "sentence_zh": f.sentence_zh,
                          "sentence_en": f.sentence_en} for f in result.findings]}


@router.get("/work-teams")
def work_teams(request):
    """The village work teams serving today in the user's scope, with the findings."""
    from dixian.regional import pairing
    from dixian.regional.pairing_access import scoped_cadres

    today = timezone.localdate()
    serving = [c for c in scoped_cadres(request.user).filter(started_on__lte=today)[:5000]
               if c.ended_on is None or c.ended_on > today]
    return {"cadres": [{"id": c.pk, "village": c.village_code, "name": c.name,
                        "first_secretary": c.first_secretary, "sending_unit": c.sending_unit,
                        "started_on": c.started_on} for c in serving],
            "findings": [{"rule": f.rule, "key": f.object_key, "region_code": f.region_code,
                          "sentence_zh": f.sentence_zh, "sentence_en": f.sentence_en}
                         for f in pairing.roster_findings(serving, today)]}
from dixian.regional import api_key_counties  # noqa: E402,F401  (key counties, §8.5)
