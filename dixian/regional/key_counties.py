"""Key counties (乡村振兴重点帮扶县, domain.md §8.5): which counties are key counties (policy, by
province and date), their development-status indicators by year (entered, or imported from a
file applied whole or not at all), the tilt they get in the province's fund allocations, and
the findings of :mod:`dixian.engine.regional.key_counties`. Each write checks capability and
region and is audited.

Who writes: the fund officer (finance bureau; county, prefecture or province) enters or imports
the indicators, as for consumption purchases: Dixian has no statistics-bureau role yet. Who
reads: whoever reads the funds, within their region (the nation's map for a national scope)."""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dixian.core import audit
from dixian.core.access import NotFound, code_prefix_q, require, scope_of, scope_q
from dixian.core.regions import _all_divisions
from dixian.core.roles import Capability
from dixian.core.storage import all_or_nothing
from dixian.funds.models import Allocation, Source
from dixian.regional.bridge import key_counties as rules
from dixian.regional.bridge import resolve
from dixian.regional.models import CountyIndicatorBatch, CountyIndicators

FIELDS = ("population", "gdp", "budget_revenue", "rural_income")


# ---------------------------------------------------------------- divisions and lists


def _under(prefix: str, length: int) -> list[tuple[str, str]]:
    codes, names = _all_divisions()
    i = bisect.bisect_left(codes, prefix)
    out = []
    while i < len(codes) and codes[i].startswith(prefix):
        if len(codes[i]) == length:
            out.append((codes[i], names[i]))
        i += 1
    return out


def provinces() -> list[tuple[str, str]]:
    codes, names = _all_divisions()
    return [(c, n) for c, n in zip(codes, names, strict=True) if len(c) == 2]


def counties(prefix: str) -> list[tuple[str, str]]:
    """The counties (6-digit codes, not a prefecture's 市辖区 placeholder) under ``prefix``."""
    return [(c, n) for c, n in _under(prefix[:2], 6)
            if c.startswith(prefix) and not c.endswith("00") and n != "市辖区"]


def name_of(code: str) -> str:
    codes, names = _all_divisions()
    i = bisect.bisect_left(codes, code)
    return names[i] if i < len(codes) and codes[i] == code else code


def key_counties(province: str, on: date) -> dict[str, str]:
    """The province's key counties on ``on``: code -> national or provincial."""
    return rules.key_counties(resolve(province[:2], on))


# ---------------------------------------------------------------- writes


def _check(actor, county_code: str) -> None:
    require(actor, Capability.MANAGE_FUNDS)
    if not (len(county_code or "") == 6 and county_code.isdigit()) \
            or not scope_of(actor).contains(county_code):
        raise NotFound


def _row(county_code: str, year, values: dict) -> rules.IndicatorRow:
    """The engine's reading of one entered row: the same rules as a file's row."""
    header = [h[0] for h in rules.HEADERS.values()]
    cells = [county_code, str(year)] + [str(values.get(f, "")).strip() for f in FIELDS]
    text = "\n".join(",".join(c.replace(",", "") for c in line) for line in (header, cells))
    read = rules.read(text.encode("utf-8"), "entered.csv", timezone.localdate().year)
    if read.problems:
        raise ValidationError("; ".join(f"{p.column}: {p.value!r} {p.message}"
                                        for p in read.problems))
    return read.rows[0]


def _save(row: rules.IndicatorRow, actor, batch=None) -> CountyIndicators:
    record = CountyIndicators.objects.select_for_update().filter(
        county_code=row.county, year=row.year).first()
    before = None if record is None else {f: str(getattr(record, f)) for f in FIELDS}
    if record is None:
        record = CountyIndicators(county_code=row.county, year=row.year)
    for f in FIELDS:
        setattr(record, f, getattr(row, f))
    record.batch, record.recorded_by = batch, actor
    record.save()
    audit.record("regional.county_indicators", actor=actor, obj=record,
                 region_code=row.county, before=before,
                 after={"year": row.year, "batch": batch.pk if batch else None}
                 | {f: str(getattr(row, f)) for f in FIELDS})
    return record


def do_record_indicators(*, county_code: str, year, actor, **values) -> CountyIndicators:
    """A county's indicators of a year (a correction keeps the former values in the audit)."""
    county_code = (county_code or "").strip()
    _check(actor, county_code)
    row = _row(county_code, year, values)
    with transaction.atomic():
        return _save(row, actor)


def do_import_indicators(data: bytes, file_name: str, *, actor) -> CountyIndicatorBatch:
    """Apply a file of indicators whole, or keep its problems and apply nothing. Every county
    of the file must be in the actor's region; a county's year already recorded is replaced
    (the audit keeps the former values)."""
    require(actor, Capability.MANAGE_FUNDS)
    scope = scope_of(actor)
    checksum = hashlib.sha256(data).hexdigest()
    region = scope.common_region()
    done = CountyIndicatorBatch.objects.filter(sha256=checksum, accepted=True,
                                               region_code=region).first()
    if done is not None:
        return done
    read = rules.read(data, file_name, timezone.localdate().year)
    problems = [p.as_dict() for p in read.problems]
    for r in read.rows:
        if not scope.contains(r.county):
            problems.append(rules.Problem(file_name, r.row, rules.HEADERS["county"][0],
                                          r.county, "out_of_scope",
                                          "the county is not in your region").as_dict())
    problems.sort(key=lambda x: (x["row"], x["column"]))
    with all_or_nothing(), transaction.atomic():
        batch = CountyIndicatorBatch(region_code=region, file_name=file_name[-200:],
                                     sha256=checksum, received_at=timezone.now(),
                                     accepted=not problems, problems=problems[:1000],
                                     rows=0 if problems else len(read.rows), actor=actor)
        suffix = ".xlsx" if file_name.lower().endswith(".xlsx") else ".csv"
        batch.original.save(f"{checksum[:16]}{suffix}", ContentFile(data), save=False)
        batch.save()
        if not problems:
            for r in read.rows:
                _save(r, actor, batch)
        audit.record("regional.county_indicators_import", actor=actor, obj=batch,
                     region_code=scope.audit_region(),
                     after={"file": batch.file_name, "sha256": checksum,
                            "accepted": batch.accepted, "rows": batch.rows,
                            "problems": len(problems)})
    return batch


# ---------------------------------------------------------------- reads


def indicator_rows(prefix: str) -> list:
    return [rules.IndicatorRow(r.county_code, r.year, r.population, r.gdp, r.budget_revenue,
                               r.rural_income)
            for r in CountyIndicators.objects.filter(code_prefix_q("county_code", prefix))]


def figures(prefix: str) -> list:
    """The computed indicators of every county under ``prefix``, every year recorded."""
    return rules.indicators(indicator_rows(prefix))


#: the fund sources of the pairings (§8.1): the eastern partners' and the central units'
PAIRING_SOURCES = (Source.EAST_WEST, Source.CENTRAL_UNIT)


def province_tilt(province: str, year: int, sources=None) -> list:
    """The tilt of the province's key counties in ``year`` (lists as on 31 December): in all
    the funds allocated, or in those of ``sources`` only (:data:`PAIRING_SOURCES`: the tilt
    the pairings give them)."""
    province = province[:2]
    keys = key_counties(province, date(year, 12, 31))
    allocated = Allocation.objects.filter(code_prefix_q("county_code", province), year=year)
    if sources is not None:
        allocated = allocated.filter(source__in=list(sources))
    allocations = {row["county_code"]: Decimal(row["s"] or 0)
                   for row in allocated.values("county_code").annotate(s=Sum("amount"))}
    population = dict(CountyIndicators.objects.filter(
        code_prefix_q("county_code", province), year=year).values_list("county_code",
                                                                       "population"))
    return rules.tilt(year, allocations, population, keys,
                      [c for c, _n in counties(province)])


def findings(prefix: str, year: int, today: date) -> list:
    """The findings of the key counties under ``prefix`` (a province, prefecture or county):
    the tilt of ``year``, the income growth of every year recorded, the missing indicators."""
    province = prefix[:2]
    keys = key_counties(province, today)
    tilts = [t for t in province_tilt(province, year) if t.county.startswith(prefix)]
    rows = [f for f in figures(prefix) if f.county in keys]
    codes = [c for c in keys if c.startswith(prefix)]
    return rules.findings(tilts, rows, codes, resolve, today)


def national_summary(on: date) -> list[dict]:
    """Each province with its national and provincial key counties on ``on``."""
    out = []
    for code, name in provinces():
        keys = key_counties(code, on)
        national = sum(1 for k in keys.values() if k == rules.NATIONAL)
        out.append({"code": code, "name": name, "national": national,
                    "provincial": len(keys) - national})
    return out


def scoped_indicators(user):
    require(user, Capability.VIEW_FUNDS)
    return CountyIndicators.objects.filter(scope_q(scope_of(user), "county_code"))


def scoped_batches(user):
    require(user, Capability.VIEW_FUNDS)
    scope = scope_of(user)
    if scope.national:
        return CountyIndicatorBatch.objects.all()
    return CountyIndicatorBatch.objects.filter(scope_q(scope, "region_code"))


def check_code(user, code: str) -> str:
    """``code`` (the nation "", a province, prefecture, county, township or village) when the
    user may read it, else :class:`NotFound` (fail closed)."""
    require(user, Capability.VIEW_FUNDS)
    scope = scope_of(user)
    if code == "":
        if not scope.national:
            raise NotFound
        return code
    if len(code) not in (2, 4, 6, 9, 12) or not code.isdigit() or not scope.contains(code):
        raise NotFound
    return code


def by_county(rows) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for r in rows:
        out[r.county].append(r)
    return out
