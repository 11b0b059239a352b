"""The key counties over the API (domain.md §8.5), scoped like the pages: registered on the
regional router by :mod:`dixian.regional.api`."""

from __future__ import annotations

from django.utils import timezone

from dixian.regional import key_counties as kc
from dixian.regional.api import router


def _findings(found) -> list[dict]:
    return [{"rule": f.rule, "county_code": f.region_code, "sentence_zh": f.sentence_zh,
             "sentence_en": f.sentence_en} for f in found]


def _year(year: int | None) -> int:
    today = timezone.localdate()
    return year if year is not None and 2015 <= year <= today.year else today.year - 1


@router.get("/key-counties")
def key_counties_nation(request):
    """Each province with its national and provincial key counties in force: the published
    lists (policy), so every reader of the funds gets them; the figures are by region."""
    from dixian.core.access import require
    from dixian.core.roles import Capability

    require(request.user, Capability.VIEW_FUNDS)
    return {"provinces": kc.national_summary(timezone.localdate())}


@router.get("/key-counties/{code}")
def key_counties_region(request, code: str, year: int | None = None):
    """A province, prefecture or county: its key counties (national or provincial), their
    indicators of every year recorded, the tilt of ``year`` (last year by default) and the
    findings."""
    code = kc.check_code(request.user, code)
    today, year = timezone.localdate(), _year(year)
    keys = {c: k for c, k in kc.key_counties(code, today).items() if c.startswith(code)}
    return {"code": code, "name": kc.name_of(code), "year": year,
            "key_counties": [{"code": c, "name": kc.name_of(c), "list": k}
                             for c, k in sorted(keys.items())],
            "indicators": [f.as_dict() for f in kc.figures(code)],
            "tilt": [t.as_dict() for t in kc.province_tilt(code, year)
                     if t.county.startswith(code)],
            "findings": _findings(kc.findings(code, year, today))}
