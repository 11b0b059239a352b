"""Key counties for rural revitalisation (乡村振兴重点帮扶县, domain.md §8.5, domain-2026.md §2.9),
without Django: their development-status indicators (发展状况统计监测), the tilt they get in the
province's fund allocations, and the findings.

* **Lists.** A county is a key county of its province on a date when it is on
  ``regional.key_counties_national`` (the 160 of 2021-08-27) or on
  ``regional.key_counties_provincial`` (the province's own) resolved on that date.
* **Indicators** of a county and year, as recorded: residents (常住人口), GDP (地区生产总值,
  10,000 yuan), general public budget revenue (一般公共预算收入, 10,000 yuan) and the rural
  per-capita disposable income (农村居民人均可支配收入, yuan). Computed here: per-capita GDP
  and per-capita budget revenue (yuan a resident), and the growth of GDP, budget revenue and
  rural income over the county's previous year (when recorded).
* **Tilt.** For a province and year: each key county's share of the province's fund
  allocations beside its share of the residents; its allocation per resident over the other
  (non-key) counties' allocation per resident (the **tilt ratio**). Counties without any
  allocation recorded in the year are left out (not known to have had none). Where residents are not
  known for the key county and the other counties, the ratio is per county instead (the key
  county's allocation over the other counties' mean).

Findings (each reads the policy of the county's province):

* ``KEY_COUNTY_TILT_BELOW``: a key county's tilt ratio of a year below
  ``regional.key_county_tilt_ratio_min``;
* ``KEY_COUNTY_INCOME_GROWTH_BELOW_PROVINCE``: a key county's rural income growth of a year
  below the province's (``macro.prior_year_rural_income`` of the year over the year before)
  plus ``regional.key_county_income_growth_margin`` percentage points;
* ``KEY_COUNTY_INDICATORS_MISSING``: a key county without the indicators of last year once the
  first day of ``regional.key_county_indicators_due_month`` of this year has passed.

A file of indicators (CSV or XLSX, one row per county and year) is read like a purchase file
(:mod:`dixian.engine.regional.consumption`): every problem names the row, column, value and
rule, and the caller applies all rows or none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dixian.engine.funds import Finding
from dixian.engine.regional.consumption import Problem
from dixian.engine.regional.files import open_table, records

NATIONAL = "national"
PROVINCIAL = "provincial"

#: column -> headers a file may use (the first is the template's)
HEADERS = {
    "county": ("县代码", "县（市、区）代码", "county"),
    "year": ("年度", "年份", "year"),
    "population": ("常住人口（人）", "常住人口(人)", "常住人口", "population"),
    "gdp": ("地区生产总值（万元）", "地区生产总值(万元)", "地区生产总值", "gdp"),
    "budget_revenue": ("一般公共预算收入（万元）", "一般公共预算收入(万元)", "一般公共预算收入",
                       "budget_revenue"),
    "rural_income": ("农村居民人均可支配收入（元）", "农村居民人均可支配收入(元)",
                     "农村居民人均可支配收入", "rural_income"),
}
REQUIRED = tuple(HEADERS)
LIMITS = {"population": Decimal("10000000"), "gdp": Decimal("100000000"),
          "budget_revenue": Decimal("10000000"), "rural_income": Decimal("1000000")}
FIRST_YEAR = 2015
TEN_THOUSAND = Decimal("10000")


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _growth(now: Decimal, before: Decimal | None) -> Decimal | None:
    if before is None or before <= 0:
        return None
    return _pct(now / before - 1)


@dataclass(frozen=True)
class IndicatorRow:
    county: str                 # 6-digit code
    year: int
    population: int             # residents (常住人口)
    gdp: Decimal                # 10,000 yuan
    budget_revenue: Decimal     # 10,000 yuan
    rural_income: Decimal       # yuan a rural resident
    row: int = 0                # the file's row it came from (0 when entered)


@dataclass(frozen=True)
class Indicators:
    county: str
    year: int
    population: int
    gdp: Decimal
    budget_revenue: Decimal
    rural_income: Decimal
    gdp_per_capita: Decimal | None
    budget_revenue_per_capita: Decimal | None
    gdp_growth: Decimal | None
    budget_revenue_growth: Decimal | None
    rural_income_growth: Decimal | None

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v)
                for k, v in self.__dict__.items()}


def indicators(rows: Iterable[IndicatorRow]) -> list[Indicators]:
    """Each row with its per-capita figures and its growth over the county's previous year,
    sorted by county and year."""
    rows = sorted(rows, key=lambda r: (r.county, r.year))
    by_key = {(r.county, r.year): r for r in rows}
    out = []
    for r in rows:
        before = by_key.get((r.county, r.year - 1))

        def per(value: Decimal, people: int = r.population) -> Decimal | None:
            return ((value * TEN_THOUSAND / people).quantize(Decimal("1"), ROUND_HALF_UP)
                    if people else None)

        out.append(Indicators(
            r.county, r.year, r.population, r.gdp, r.budget_revenue, r.rural_income,
            per(r.gdp), per(r.budget_revenue),
            _growth(r.gdp, before.gdp if before else None),
            _growth(r.budget_revenue, before.budget_revenue if before else None),
            _growth(r.rural_income, before.rural_income if before else None)))
    return out


def key_counties(policy: Mapping) -> dict[str, str]:
    """The province's key counties in ``policy`` (resolved for the province on a date): code ->
    NATIONAL or PROVINCIAL (a county on both lists is national)."""
    out = {code: PROVINCIAL for code in policy["regional.key_counties_provincial"]}
    out.update({code: NATIONAL for code in policy["regional.key_counties_national"]})
    return out


@dataclass(frozen=True)
class Tilt:
    county: str
    year: int
    kind: str                          # NATIONAL or PROVINCIAL
    allocated: Decimal                 # the county's fund allocations of the year (yuan)
    share_of_allocations: Decimal | None   # of the province's (all counties recorded)
    share_of_population: Decimal | None    # of the residents of the counties recorded
    per_capita: Decimal | None         # yuan a resident
    others_per_capita: Decimal | None  # the non-key counties' yuan a resident
    others_mean: Decimal | None        # the non-key counties' mean allocation (yuan)
    ratio: Decimal | None              # the tilt ratio (per resident, or per county)
    basis: str                         # "per_capita", "per_county" or "" (no comparison)

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v)
                for k, v in self.__dict__.items()}


def tilt(year: int, allocations: Mapping[str, Decimal], population: Mapping[str, int],
         keys: Mapping[str, str], counties: Iterable[str]) -> list[Tilt]:
    """The tilt of one province's year. ``allocations``: county -> yuan allocated in the year
    (a county without any is left out of the comparison and, if a key county, not judged);
    ``population``: county -> residents of the year, where
    recorded; ``keys``: the province's key counties (:func:`key_counties`); ``counties``: the
    province's counties (the non-key ones are the comparison)."""
    counties = sorted(set(counties) | set(allocations) | set(keys))
    alloc = {c: Decimal(allocations.get(c, 0)) for c in counties}
    total = sum(alloc.values(), Decimal(0))
    people = {c: int(population[c]) for c in counties if population.get(c)}
    total_people = sum(people.values())
    # a county without any allocation recorded is not known to have had none: it is left out
    # of the comparison (and a key county without any is not judged)
    others = [c for c in counties if c not in keys and alloc[c] > 0]
    others_known = [c for c in others if c in people]
    others_pc = None
    if others_known:
        others_pc = (sum((alloc[c] for c in others_known), Decimal(0))
                     / sum(people[c] for c in others_known))
    others_mean = (sum((alloc[c] for c in others), Decimal(0)) / len(others)) if others else None
    out = []
    for c in sorted(keys):
        pc = alloc[c] / people[c] if c in people else None
        if alloc[c] <= 0:
            ratio, basis = None, ""
        elif pc is not None and others_pc:
            ratio, basis = pc / others_pc, "per_capita"
        elif others_mean:
            ratio, basis = alloc[c] / others_mean, "per_county"
        else:
            ratio, basis = None, ""
        out.append(Tilt(
            c, year, keys[c], alloc[c].quantize(Decimal("0.01")),
            _pct(alloc[c] / total) if total else None,
            _pct(Decimal(people[c]) / total_people) if c in people and total_people else None,
            pc.quantize(Decimal("0.01")) if pc is not None else None,
            others_pc.quantize(Decimal("0.01")) if others_pc is not None else None,
            others_mean.quantize(Decimal("0.01")) if others_mean is not None else None,
            _pct(ratio), basis))
    return out


def _province_growth(province_on: Callable[[date], Mapping], year: int) -> Decimal | None:
    """The province's rural income growth of ``year``: ``macro.prior_year_rural_income`` is
    the previous year's figure, so the year's is read on the next 1 January."""
    now = Decimal(str(province_on(date(year + 1, 1, 1))["macro.prior_year_rural_income"]))
    before = Decimal(str(province_on(date(year, 1, 1))["macro.prior_year_rural_income"]))
    return _growth(now, before)


def findings(tilts: Iterable[Tilt], figures: Iterable[Indicators], key_codes: Iterable[str],
             policy_on: Callable[[str, date], Mapping], today: date) -> list[Finding]:
    """The findings of the key counties ``key_codes`` of one or more provinces."""
    found: list[Finding] = []
    for t in tilts:
        least = Decimal(str(policy_on(t.county, date(t.year, 12, 31))[
            "regional.key_county_tilt_ratio_min"]))
        if t.ratio is not None and t.ratio < least:
            what = "人均" if t.basis == "per_capita" else "县均"
            found.append(Finding(
                "KEY_COUNTY_TILT_BELOW", "key_county", f"{t.county}-{t.year}", t.county,
                f"重点帮扶县（{t.county}）{t.year}年获得资金{t.allocated}元，按{what}计为非重点县的"
                f"{t.ratio:.2f}倍，低于{least}倍",
                f"Key county {t.county} was allocated {t.allocated} yuan in {t.year}: "
                f"{t.ratio:.2f} times the other counties "
                f"{'per resident' if t.basis == 'per_capita' else 'per county'}, below {least}",
                {"ratio": str(t.ratio), "basis": t.basis}))
    for f in figures:
        if f.rural_income_growth is None:
            continue
        policy = policy_on(f.county, date(f.year, 12, 31))
        margin = Decimal(str(policy["regional.key_county_income_growth_margin"])) / 100
        province = _province_growth(lambda on, c=f.county: policy_on(c, on), f.year)
        if province is None or f.rural_income_growth >= province + margin:
            continue
        found.append(Finding(
            "KEY_COUNTY_INCOME_GROWTH_BELOW_PROVINCE", "key_county", f"{f.county}-{f.year}",
            f.county,
            f"重点帮扶县（{f.county}）{f.year}年农村居民人均可支配收入增长{f.rural_income_growth:.1%}，"
            f"低于全省{province:.1%}",
            f"Key county {f.county}: rural income grew {f.rural_income_growth:.1%} in {f.year}, "
            f"less than the province's {province:.1%}",
            {"growth": str(f.rural_income_growth), "province": str(province)}))
    recorded = {(f.county, f.year) for f in figures}
    last = today.year - 1
    for code in sorted(set(key_codes)):
        month = int(policy_on(code, today)["regional.key_county_indicators_due_month"])
        if today >= date(today.year, month, 1) and (code, last) not in recorded:
            found.append(Finding(
                "KEY_COUNTY_INDICATORS_MISSING", "key_county", f"{code}-{last}", code,
                f"重点帮扶县（{code}）{last}年发展状况指标尚未填报（应于{today.year}年{month}月1日前）",
                f"Key county {code} has no development-status indicators for {last} (due by "
                f"{today.year}-{month:02d}-01)"))
    return found


# ---------------------------------------------------------------- files


@dataclass
class Read:
    rows: list[IndicatorRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)



def read(data: bytes, file_name: str, this_year: int) -> Read:
    """The indicator rows of a file, or its problems (the caller keeps none of a file with
    problems)."""
    out = Read()

    def problem(row: int, column: str, value: str, rule: str, message: str) -> None:
        out.problems.append(Problem(file_name, row, column, value[:100], rule, message))

    table = open_table(data, file_name, what="an indicator file", headers=HEADERS,
                       required=REQUIRED, problem=problem)
    if table is None:
        return out
    rows, start, where = table
    seen: dict[tuple[str, int], int] = {}
    for n, values in records(rows, start, where, HEADERS):
        bad = False
        for column in REQUIRED:
            if not values[column]:
                problem(n, HEADERS[column][0], "", "required", "the cell is empty")
                bad = True
        county = values["county"]
        if county and not (len(county) == 6 and county.isdigit() and not county.endswith("00")):
            problem(n, HEADERS["county"][0], county, "county_code", "not a 6-digit county code")
            bad = True
        year = None
        if values["year"]:
            try:
                year = int(values["year"].split(".")[0])
                if not FIRST_YEAR <= year <= this_year:
                    raise ValueError
            except ValueError:
                problem(n, HEADERS["year"][0], values["year"], "year",
                        f"not a year from {FIRST_YEAR} to {this_year}")
                bad, year = True, None
        numbers: dict[str, Decimal] = {}
        for column, limit in LIMITS.items():
            if not values[column]:
                continue
            try:
                number = Decimal(values[column].replace(",", ""))
                if not number.is_finite() or number <= 0 or number > limit:
                    raise InvalidOperation
                numbers[column] = number
            except InvalidOperation:
                problem(n, HEADERS[column][0], values[column], "number",
                        f"not a number above 0 and at most {limit}")
                bad = True
        if "population" in numbers and numbers["population"] != numbers["population"].to_integral():
            problem(n, HEADERS["population"][0], values["population"], "whole_number",
                    "residents are a whole number")
            bad = True
        key = (county, year or 0)
        if county and year and key in seen:
            problem(n, HEADERS["county"][0], county, "duplicate_county_year",
                    f"the county's year is already on row {seen[key]}")
            bad = True
        seen.setdefault(key, n)
        if not bad:
            out.rows.append(IndicatorRow(
                county, year, int(numbers["population"]),
                numbers["gdp"].quantize(Decimal("0.01")),
                numbers["budget_revenue"].quantize(Decimal("0.01")),
                numbers["rural_income"].quantize(Decimal("1")), n))
    if not out.rows and not out.problems:
        problem(start + 1, "", "", "no_rows", "the file has a header but no county")
    return out


def template_csv() -> bytes:
    """The file a statistics user fills in: the header and one example row (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([h[0] for h in HEADERS.values()])
    writer.writerow(["522326", "2025", "245000", "1120000", "62000", "14800"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
