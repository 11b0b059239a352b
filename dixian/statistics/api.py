"""The indicators over the API: a region's cached figures (as the dashboard shows them,
exact), its sub-regions, and the households behind a figure — scoped like the pages."""

from django.http import Http404
from ninja import Router

from dixian.statistics import bridge
from dixian.statistics.bridge import LIST_INDICATORS, check_month
from dixian.statistics.views import _snapshot, resolve

router = Router(tags=["statistics"])


def _snapshot_out(snap) -> dict:
    return {"region_code": snap.region_code, "level": snap.level, "as_of": snap.as_of,
            "income_as_of": snap.income_as_of, "periods": snap.periods,
            "series": snap.series, "breakdown": snap.breakdown, "flows": snap.flows,
            "notes": snap.notes, "parameters": snap.parameters,
            "computed_at": snap.computed_at.isoformat(),
            "policy_fingerprint": snap.policy_fingerprint}


@router.get("/{region}")
def get_indicators(request, region: str):
    """The region's indicators by month (``series``: field → one value per period), as last
    computed from the ledger (``dixian indicators`` or the dashboard's button; a county or
    smaller region is computed on first request, as on the page)."""
    code, _place = resolve(request.user, region)
    snap = _snapshot(request, code)
    if snap is None:
        raise Http404
    return _snapshot_out(snap)


@router.get("/{region}/children")
def indicator_children(request, region: str):
    code, _place = resolve(request.user, region)
    return [{"region_code": s.region_code, "as_of": s.as_of, "periods": s.periods,
             "series": s.series} for s in bridge.children_of(code)]


@router.get("/{region}/households")
def indicator_households(request, region: str, indicator: str, period: str, category: str = "",
               risk: str = "", status: str = ""):
    """The household codes behind a figure (as many as its count)."""
    code, _place = resolve(request.user, region)
    if not code or indicator not in LIST_INDICATORS:
        raise Http404
    try:
        period = check_month(period, "period")
    except ValueError:
        raise Http404 from None
    rows = bridge.households_behind(code, indicator, period=period, category=category or None,
                                    risk_type=risk or None, status=status or None)
    return {"indicator": indicator, "period": period, "count": rows.num_rows,
            "households": rows["household_code"].to_pylist()}
