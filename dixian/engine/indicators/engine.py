"""The monitoring indicators (R9) on DuckDB: household facts per month, summed by region level.

The computation has three layers.

1. **Inputs**, scoped: the registry snapshot (``households``, ``members``, ``incomes``) and the
   ledger (:mod:`.schema`: ``spells``, ``cases``, ``clues``, ``measures``,
   ``quality_issues``, ``visits``), each an Arrow table or a Parquet path, filtered to the
   :class:`~dixian.engine.scope.RegionScope` by division-code prefix (again, even when the
   caller already did: the engine fails closed).
2. **Facts per household and month** (``periods``, the ``months`` months that end with
   ``as_of``): the household's latest monitoring spell that started by the month's end and its
   status then (``ACTIVE``, ``ELIMINATED_ASSISTED``, ``ELIMINATED_NATURAL``), spells that
   started or ended in the month, measures in place, the 12-month R1 per-capita net income.
   A household that the registry marks monitored but that has no spell in the ledger (the
   national system's history, before a county moved to Dixian) gets one from its
   ``identified_month`` / ``eliminated_month`` fields, marked imported.
3. **Aggregates** per region and month (:data:`SUMMARY_FIELDS`, one row per region code at
   every level from the scope's root down to the village, codes being prefixes of the village
   code) and the ``breakdown`` by category x main risk type x status. Counts are summed at the
   village and rolled up; medians are computed at each level.

Every definition is in ``docs/statistics.md``; :func:`households_for` returns the households
behind any figure, from the same facts, so a list always matches its count.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from dixian.engine.policy import region_of_scope

from ..income import BASIS_ORDER, block_window
from ..scope import CODE_LENGTHS, RegionScope, require_scope
from . import params as P
from .periods import add_months, check_month, month_bounds, month_index, month_range
from .schema import LEDGER_SCHEMAS, conform_ledger

__all__ = ["Indicators", "SUMMARY_FIELDS", "BREAKDOWN_SCHEMA", "FLOWS_SCHEMA", "FLOW_EVENTS",
           "STATUSES", "LIST_INDICATORS",
           "compute", "households_for", "per_capita_income", "default_as_of", "level_of"]

STATUSES = ("ACTIVE", "ELIMINATED_ASSISTED", "ELIMINATED_NATURAL")
LEVEL_NAMES = {0: "nation", 2: "province", 4: "prefecture", 6: "county", 9: "township",
               12: "village"}

#: name -> one sentence (the columns of ``Indicators.summary`` after region, level, period)
SUMMARY_FIELDS: dict[str, str] = {
    "households_total": "households in the registry (current)",
    "persons_total": "their living members (current)",
    "monitored_households": "households whose latest spell is active at the month's end",
    "monitored_persons": "persons in them",
    "eliminated_assisted_households": "latest spell ended by the month's end, assisted",
    "eliminated_assisted_persons": "persons in them",
    "eliminated_natural_households": "latest spell ended by the month's end, naturally",
    "eliminated_natural_persons": "persons in them",
    "identified_households": "households ever identified by the month's end (all statuses)",
    "identified_persons": "persons in them",
    "new_identified_households": "spells that started in the month",
    "new_identified_persons": "persons in those households",
    "new_eliminated_households": "spells that ended in the month",
    "new_eliminated_persons": "persons in those households",
    "returns_households": "spells that started in the month and are returns to poverty",
    "returns_persons": "persons in those households",
    "ident_decisions": "identification cases the county decided (approved or rejected) in the "
                       "month; not imported, not those the village declined to propose",
    "ident_lag_median_days": "median days from the first clue to the county's decision",
    "ident_within_sla": "decisions within identification_sla_days",
    "measure_lag_n": "spells started in the month with a first measure",
    "measure_lag_median_days": "median days from identification to the first measure",
    "measure_within_target": "first measures within measure_target_days",
    "measure_lag_pending": "spells started in the month still without a measure",
    "coverage_num": "active households with at least one measure in place",
    "dev_den": "active households with a member able to work",
    "dev_num": "... of which with a development-oriented measure in place",
    "industry_den": "poverty-alleviated households plus the other active monitored ones",
    "industry_num": "... of which with an industry measure in the 12 months to the month",
    "safety_net_num": "active households with a member under dibao or tekun (current)",
    "visited_num": "active households visited in the month (monthly visit)",
    "cases_overdue": "cases open at the month's end past their deadline",
    "measures_overdue": "measures not implemented at the month's end past their due date",
    "pa_income_n": "poverty-alleviated households with 12 months of income",
    "pa_income_persons": "persons in them",
    "pa_income_mean": "their per-capita net income (R1, 12 months to the month; persons)",
    "pa_income_median": "median of the households' per-capita net income",
    "pa_income_growth": "pa_income_mean against 12 months earlier (when computed)",
    "mon_income_n": "active monitored households with 12 months of income",
    "mon_income_mean": "their per-capita net income (persons)",
    "mon_income_median": "median of the households' per-capita net income",
    "fgt_persons": "persons in households with 12 months of income",
    "poor_persons": "persons below the monitoring line (y < z)",
    "fgt0": "headcount ratio at the monitoring line (persons)",
    "fgt1": "poverty gap index",
    "fgt2": "squared poverty gap index",
    "poverty_line": "monitoring line of the month's year (yuan)",
    "vulnerability": "mean vulnerability to poverty (VEP, persons; latest month only)",
    "vulnerable_persons": "persons with VEP at or above the threshold (latest month only)",
    "vep_persons": "persons with a VEP (latest month only)",
    "quality_open": "data-quality issues open at the month's end",
    "quality_records": "households plus living members (current), the rate's denominator",
}
FLOAT_FIELDS = {"ident_lag_median_days", "measure_lag_median_days", "pa_income_mean",
                 "pa_income_median", "pa_income_growth", "mon_income_mean",
                 "mon_income_median", "fgt0", "fgt1", "fgt2", "poverty_line",
                 "vulnerability"}

FLOWS_SCHEMA = pa.schema([
    ("region_code", pa.string()), ("period", pa.string()), ("category", pa.string()),
    ("event", pa.string()), ("households", pa.int64()), ("persons", pa.int64()),
])
FLOW_EVENTS = ("identified", "returned", "eliminated_assisted", "eliminated_natural")

BREAKDOWN_SCHEMA = pa.schema([
    ("region_code", pa.string()), ("period", pa.string()), ("category", pa.string()),
    ("risk_type", pa.string()), ("status", pa.string()), ("households", pa.int64()),
    ("persons", pa.int64()),
])

#: indicators whose households :func:`households_for` lists
LIST_INDICATORS = (
    "identified", "monitored", "eliminated", "eliminated_assisted", "eliminated_natural",
    "new_identified",
    "new_eliminated", "returns", "ident_decisions", "ident_late", "measure_pending",
    "measure_late", "covered", "uncovered", "dev_covered", "dev_uncovered",
    "industry_covered", "industry_uncovered", "safety_net", "visited", "not_visited",
    "cases_overdue", "measures_overdue", "pa_income", "mon_income", "poor", "quality_open",
)

_STOCK = frozenset({"households", "spells"})
_LAGS = _STOCK | {"cases", "clues", "measures"}
_INCOME = _STOCK | {"members", "incomes", "income_blocks"}
#: the input tables :func:`households_for` reads for each list: the others may be left out
#: (a caller then reads less of its ledger) and the list is the same
#: (tests/engine/indicators/test_indicators.py checks it on a county with every table filled)
LIST_INPUTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("identified", "monitored", "eliminated", "eliminated_assisted",
                     "eliminated_natural", "new_identified", "new_eliminated", "returns"),
                    _STOCK),
    **dict.fromkeys(("ident_decisions", "ident_late", "measure_pending", "measure_late"), _LAGS),
    # coverage: the measures in place; the members only where a member's labour or safety
    # net counts; the visits only for the visits' lists
    **dict.fromkeys(("covered", "uncovered", "industry_covered", "industry_uncovered"),
                    _STOCK | {"measures"}),
    **dict.fromkeys(("dev_covered", "dev_uncovered", "safety_net"),
                    _STOCK | {"members", "measures"}),
    **dict.fromkeys(("visited", "not_visited"), _STOCK | {"visits"}),
    **dict.fromkeys(("cases_overdue", "measures_overdue"), _STOCK | {"cases", "measures"}),
    **dict.fromkeys(("pa_income", "mon_income", "poor"), _INCOME),
    "quality_open": _STOCK | {"quality_issues"},
}


def months_minus(month: str, n: int) -> str:
    return add_months(month, -n)


def income_months_read(first_period: str, as_of: str, window: int) -> tuple[str, str]:
    """The first and last month of monthly incomes that R1 reads for the periods
    ``first_period`` to ``as_of`` (each period's window of ``window`` months), without the
    year-on-year growth: a list of households reads only these (the month a year before
    is read for the dashboard's growth)."""
    return add_months(first_period, 1 - window), as_of


def list_income_months(scope: RegionScope, period: str,
                       params: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """The months of monthly incomes a list of households behind a figure of ``period``
    within ``scope`` reads (:func:`households_for`): given only those rows, the same list."""
    window = int(P.resolve_one("income_window_months", params, region=region_of_scope(scope)))
    return income_months_read(period, period, window)


def level_of(code: str) -> int:
    """Length of a region code (0 for the nation)."""
    return len(code)


@dataclass(frozen=True, eq=False)
class Indicators:
    """The result of :func:`compute`.

    ``summary``: one row per region and month: ``region_code`` ('' for the nation),
    ``level`` (code length), ``period`` and the columns of :data:`SUMMARY_FIELDS`.
    ``breakdown``: households and persons by region, month, category, main risk type and
    status (:data:`BREAKDOWN_SCHEMA`; rows with no household are left out). ``flows``: the
    month's events by category (:data:`FLOWS_SCHEMA`: identified, returned, eliminated
    assisted or natural; a return is also counted as identified). ``periods``: the months,
    oldest first; ``as_of`` the last; ``income_as_of`` the last month of the window with
    incomes (income columns are null after it). ``roots``: the scope's top regions.
    ``seconds``: time per step. ``notes``: what was left out and why.
    """

    summary: pa.Table
    breakdown: pa.Table
    flows: pa.Table
    periods: tuple[str, ...]
    as_of: str
    income_as_of: str | None
    roots: tuple[str, ...]
    levels: tuple[int, ...]
    params: dict
    seconds: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def row(self, region_code: str, period: str | None = None) -> dict:
        """The summary of one region in one month (default: ``as_of``)."""
        period = period or self.as_of
        import pyarrow.compute as pc

        mask = pc.and_(pc.equal(self.summary["region_code"], region_code),
                       pc.equal(self.summary["period"], period))
        rows = self.summary.filter(mask).to_pylist()
        if not rows:
            raise KeyError((region_code, period))
        return rows[0]


# ============================================================================ inputs
_SNAPSHOT_COLUMNS = {
    "households": {"household_code": pa.string(), "village_code": pa.string(),
                   "household_type": pa.string(), "relocated": pa.bool_(),
                   "housing_grade": pa.string(), "monitoring_category": pa.string(),
                   "identified_month": pa.string(), "risk_types": pa.list_(pa.string()),
                   "risk_eliminated": pa.bool_(), "elimination_mode": pa.string(),
                   "eliminated_month": pa.string()},
    "members": {"household_code": pa.string(), "member_status": pa.string(),
                "labour_skill": pa.string(), "dibao": pa.string(), "tekun": pa.string(),
                "health": pa.string(), "disability_type": pa.string(),
                "birth_date": pa.date32(), "relation_to_head": pa.string(),
                "education": pa.string(), "work_status": pa.string()},
    "incomes": {"household_code": pa.string(), "period": pa.string(), "wage": pa.int64(),
                "business": pa.int64(), "property": pa.int64(), "transfer": pa.int64(),
                "business_cost": pa.int64()},
    # the national system's annual blocks, R1's fallback (dixian.engine.income)
    "income_blocks": {"household_code": pa.string(), "basis": pa.string(),
                      "reference_month": pa.string(), "household_net": pa.int64(),
                      "per_capita_net": pa.float64()},
}
_EDUCATION_YEARS = {"illiterate": 0, "primary": 6, "junior_secondary": 9,
                    "senior_secondary": 12, "vocational_secondary": 12, "junior_college": 15,
                    "bachelor_plus": 16, "master_plus": 19}


def _as_arrow(table: Any) -> pa.Table:
    if isinstance(table, pa.Table):
        return table
    if hasattr(table, "to_arrow"):
        return table.to_arrow()
    return pa.Table.from_pandas(table, preserve_index=False)


def _snapshot_table(table: Any, name: str) -> pa.Table:
    """The columns the indicators read (nulls for absent ones)."""
    wanted = _SNAPSHOT_COLUMNS[name]
    if table is None:
        return pa.schema(list(wanted.items())).empty_table()
    table = _as_arrow(table)
    arrays = []
    for column, type_ in wanted.items():
        if column in table.column_names:
            arrays.append(table[column].cast(type_))
        else:
            arrays.append(pa.nulls(table.num_rows, type_))
    return pa.Table.from_arrays(arrays, names=list(wanted))


def _scope_sql(scope: RegionScope, column: str) -> str:
    if scope.national:
        return "true"
    if not scope.prefixes:
        return "false"
    return "(" + " or ".join(f"starts_with({column}, '{p}')" for p in scope.prefixes) + ")"


def _lit(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (dt.datetime, dt.date)):
        kind = "timestamp" if isinstance(value, dt.datetime) else "date"
        return f"{kind} '{value.isoformat(sep=' ') if kind == 'timestamp' else value}'"
    return str(value)


def _in_list(values: Sequence[str]) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")" if values else "(null)"


def _development_sql() -> str:
    """SQL deciding whether a measure is development-oriented (开发式), from the catalogue."""
    try:
        from ..assistance.catalogue import DEFAULT
    except Exception:  # pragma: no cover - the catalogue is part of the engine
        return "category in ('INDUSTRY', 'EMPLOYMENT')"
    yes = sorted(c for c, i in DEFAULT.instruments.items() if i.development is True)
    no = sorted(c for c, i in DEFAULT.instruments.items() if i.development is False)
    cats = sorted(DEFAULT.development_categories())
    return (f"case when instrument in {_in_list(yes)} then true "
            f"when instrument in {_in_list(no)} then false "
            f"else coalesce(category in {_in_list(cats)}, false) end")


class _Model:
    """The scoped inputs and the household facts on one DuckDB connection."""

    def __init__(self, tables: Mapping[str, Any], scope: RegionScope, *, as_of: str | None,
                 months: int, params: Mapping[str, Any] | None, now: dt.datetime | None,
                 backend: duckdb.DuckDBPyConnection | None):
        self.scope = require_scope(scope)
        self.params = P.resolve(params, region=region_of_scope(self.scope))
        self.now = now
        self.db = backend if backend is not None else duckdb.connect()
        self.seconds: dict[str, float] = {}
        self.notes: list[str] = []
        self.income_as_of: str | None = None
        self.income_months: list[str] = []
        self._income_base = 0
        if months < 1:
            raise ValueError("months must be at least 1")
        window = int(self.params["income_window_months"])
        if months + window - 1 > 62:
            raise ValueError("months + income_window_months must stay within 63 months")
        t = time.perf_counter()
        for name in ("households", "members", "incomes", "income_blocks", *LEDGER_SCHEMAS):
            self._register(name, tables.get(name))
        self.key = self._key_sql()
        self.as_of = check_month(as_of, "as_of") if as_of else default_as_of(self.db)
        self.periods = month_range(self.as_of, months)
        self._tick("inputs", t)

    # ------------------------------------------------------------------ helpers
    def _tick(self, name: str, started: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def sql(self, query: str) -> None:
        self.db.execute(query)

    def fetch(self, query: str) -> pa.Table:
        return self.db.sql(query).to_arrow_table()

    def _register(self, name: str, table: Any) -> None:
        view = f"raw_{name}"
        if isinstance(table, (str, Path)):
            path = str(table).replace("'", "''")
            self.sql(f"create or replace temp view {view} as select * from read_parquet('{path}')")
            if name in LEDGER_SCHEMAS:  # a file must carry the contract's columns
                have = {r[0] for r in self.db.execute(f"describe {view}").fetchall()}
                missing = [f.name for f in LEDGER_SCHEMAS[name] if f.name not in have]
                if missing:
                    raise ValueError(f"{name}: {path} lacks column(s) {missing}")
            return
        if name in LEDGER_SCHEMAS:
            arrow = conform_ledger(table, name)
        else:
            arrow = _snapshot_table(table, name)
        self.db.register(f"arrow_{name}", arrow)
        self.sql(f"create or replace temp view {view} as select * from arrow_{name}")

    def _key_sql(self) -> str:
        """Household codes are 16 digits by contract: joined as integers (much faster than
        text on a hundred million income rows); as text when any code is not all digits."""
        bad = self.db.execute(
            "select count(*) from raw_households where household_code is not null and not "
            "regexp_full_match(household_code, '[0-9]{1,18}')").fetchall()[0][0]
        return "household_code" if bad else "try_cast(household_code as bigint)"

    def key_of(self, column: str) -> str:
        """The household key of ``column`` (a household code column)."""
        return self.key.replace("household_code", column)

    # ------------------------------------------------------------------ facts
    def build(self, *, incomes: bool = True, growth: bool = True) -> None:
        """Create the scoped fact tables (``h``, ``mem``, ``sp``, ``per``, ``hp``, ``ms``…);
        with ``growth`` false the incomes of the month a year before are not summed (a list
        of households shows no growth)."""
        t = time.perf_counter()
        key, scope_v = self.key, _scope_sql(self.scope, "village_code")
        scope_h = _scope_sql(self.scope, "household_code")
        p = self.params
        self.sql(f"""create or replace temp table h as
            select {key} as hk, household_code, village_code, household_type,
                   coalesce(relocated, false) as relocated, housing_grade, monitoring_category,
                   identified_month, risk_types, risk_eliminated, elimination_mode,
                   eliminated_month
            from raw_households where village_code is not null and {scope_v}""")
        first, last, nxt = month_bounds(self.as_of)
        labour = _in_list(list(p["labour_skills"]))
        edu = " ".join(f"when '{k}' then {v}" for k, v in _EDUCATION_YEARS.items())
        self.sql(f"""create or replace temp table mem as
            with m as (select {key} as hk, *,
                         coalesce(member_status, 'active') <> 'deceased' as alive,
                         date_diff('year', birth_date, {_lit(last)}) as age
                       from raw_members where {scope_h})
            select hk,
                count(*) filter (where alive) as size,
                count(*) as records_all,
                count(*) filter (where alive and labour_skill in {labour}) as labour,
                coalesce(bool_or(alive and (coalesce(dibao, 'none') <> 'none'
                                            or coalesce(tekun, 'none') <> 'none')), false)
                    as safety_net,
                count(*) filter (where alive and age < 16) as children,
                count(*) filter (where alive and age >= 60) as elderly,
                count(*) filter (where alive and health in ('chronic', 'serious_illness'))
                    as ill,
                count(*) filter (where alive and (health = 'disabled'
                                                  or disability_type is not null)) as disabled,
                count(*) filter (where alive and work_status like 'migrant%') as migrants,
                max(case education {edu} end) filter (where relation_to_head = 'head')
                    as head_edu
            from m group by hk""")
        periods = [(i, m, *month_bounds(m)) for i, m in enumerate(self.periods)]
        rows = []
        for i, month, start, end, nxt in periods:
            cutoff = dt.datetime.combine(nxt, dt.time())
            if self.now is not None and self.now < cutoff:
                cutoff = max(self.now.replace(tzinfo=None), dt.datetime.combine(start, dt.time()))
            window_start = month_bounds(add_months(month, 1 - int(p["coverage_window_months"])))[0]
            rows.append(f"({i}, '{month}', date '{start}', date '{end}', date '{nxt}', "
                        f"timestamp '{cutoff.isoformat(sep=' ')}', date '{window_start}', "
                        f"{P.monitoring_line(p, month)})")
        self.sql("create or replace temp table per (pi int, period varchar, p_start date, "
                 "p_end date, p_next date, cutoff timestamp, window_start date, line double)")
        self.sql("insert into per values " + ", ".join(rows))
        skey = self.key_of("s.household_code")
        self.sql(f"""create or replace temp table sp as
            with given as (
                select {skey} as hk, s.household_code,
                       coalesce(h.village_code, s.village_code) as village_code, s.category,
                       s.risk_types, s.started_on, s.ended_on, s.elimination_mode as mode,
                       coalesce(s.is_return, false) as is_return, s.identification_case_id,
                       coalesce(s.imported, false) as imported
                from raw_spells s left join h on h.hk = {skey}
                where s.started_on is not null
                  and (s.ended_on is null or s.ended_on >= s.started_on)),
            synthesised as (
                select hk, household_code, village_code, monitoring_category as category,
                       risk_types,
                       try_cast(identified_month || '-01' as date) as started_on,
                       case when risk_eliminated then
                            try_cast(eliminated_month || '-01' as date) end as ended_on,
                       case when risk_eliminated then elimination_mode end as mode,
                       false as is_return, null::bigint as identification_case_id,
                       true as imported
                from h where monitoring_category is not null and identified_month is not null
                  and hk not in (select hk from given where hk is not null))
            select *, coalesce(risk_types[1], 'OTHER') as risk from (
                select * from given where {scope_v}
                union all
                select * from synthesised where started_on is not null
                  and (ended_on is null or ended_on >= started_on))""")
        synthesised = self.db.execute("select count(*) from sp where imported and "
                                      "identification_case_id is null").fetchall()[0][0]
        if synthesised:
            self.notes.append(f"{synthesised} spells taken from the registry's monitoring "
                              "fields (no ledger spell)")
        self.sql("""create or replace temp table hp as
            select p.pi, p.p_end, s.hk, s.village_code, s.category, s.risk, s.started_on,
                   s.ended_on,
                   case when s.ended_on is null or s.ended_on > p.p_end then 'ACTIVE'
                        when s.mode = 'NATURAL' then 'ELIMINATED_NATURAL'
                        else 'ELIMINATED_ASSISTED' end as status,
                   coalesce(m.size, 0) as persons
            from per p join sp s on s.started_on <= p.p_end
            left join mem m on m.hk = s.hk
            qualify row_number() over (partition by p.pi, s.hk
                                       order by s.started_on desc, s.ended_on desc nulls first)
                    = 1""")
        self.sql(f"""create or replace temp table ms as
            select {key} as hk, village_code, category, instrument, status, planned_on, due_on,
                   started_on, implemented_on, ended_on,
                   coalesce(started_on, implemented_on,
                            case when status in ('in_progress', 'implemented', 'ended')
                                 then planned_on end) as in_place_from,
                   coalesce(implemented_on, ended_on) as done_on,
                   {_development_sql()} as development
            from raw_measures where {scope_v}""")
        self._tick("facts", t)
        if incomes:
            self._incomes(growth=growth)

    def _incomes(self, *, growth: bool = True) -> None:
        """``hw``: per household, the 12-month net income (R1) ending in each income month
        (column ``s<j>`` for ``self.income_months[j]``), the months recorded (``mask``, bit 0
        = the first month read), the months of the window it was active (``amask``, bit =
        period index) and R1's per-capita net income (``y<j>``, null when not judged: from
        the monthly rows where at least ``income_window_min_months`` are recorded, else from
        the latest annual block of the national system that speaks for the window,
        :func:`dixian.engine.income.r1_with_blocks`); ``hy`` (a view): per household and
        period, the per-capita net income of households whose R1 is judged.

        Income months: the periods of the window up to the last month with incomes for most
        households (``income_as_of``: at least half as many rows as the busiest month of
        the months the periods' R1 windows cover, :func:`income_months_read`; a ledger may
        run on after the registry's last income month, and the month being entered is not
        complete); with no monthly rows in those months (a county migrated from the
        national system), up to the last month an annual block speaks for; plus, with
        ``growth``, the month 12 months before ``income_as_of`` when it falls before the
        window (for the year-on-year growth). The incomes are read once, grouped by
        household with one sum per month: on a hundred million monthly rows that is several
        times faster than a window function or a row per household and month."""
        t = time.perf_counter()
        w = int(self.params["income_window_months"])
        least = int(self.params["income_window_min_months"])
        scope_h = _scope_sql(self.scope, "household_code")
        # the last month recorded for most households (a month being entered does not count)
        first, final = income_months_read(self.periods[0], self.as_of, w)
        counts = self.db.execute(
            f"select period, count(*) from raw_incomes where period between '{first}' and "
            f"'{final}' and {scope_h} group by period").fetchall()
        busiest = max((n for _m, n in counts), default=0)
        last = max((m for m, n in counts if n >= busiest / 2), default=None)
        self.sql(f"""create or replace temp table blk as
            select {self.key} as hk, reference_month as ref,
                   case basis {" ".join(f"when '{b}' then {len(BASIS_ORDER) - k}"
                                        for k, b in enumerate(BASIS_ORDER))} else 0 end
                       as brank,
                   household_net, case when isnan(per_capita_net) then null
                                       else per_capita_net end as per_capita_net
            from raw_income_blocks
            where {scope_h} and coalesce(reference_month, '') <> ''
              and (household_net is not null or per_capita_net is not null)""")
        if last is None:
            # no monthly rows: the last month an annual block speaks for, up to as_of
            latest = self.db.execute(
                f"select max(ref) from blk where ref <= '{add_months(self.as_of, 1)}'"
            ).fetchall()[0][0]
            if latest:
                last = min(self.as_of, add_months(latest, w - 2))
        self.income_as_of = last if last and last >= self.periods[0] else None
        months = [m for m in self.periods if last and m <= last]
        if self.income_as_of and growth:
            before = add_months(self.income_as_of, -12)
            if before < self.periods[0]:
                months.insert(0, before)
        elif last:
            self.notes.append(f"incomes: the last month with incomes ({last}) is before the "
                              f"window ({self.periods[0]} to {self.as_of})")
        self.income_months = months
        if not months:
            months = [self.periods[0]]  # an empty hw table with the expected columns
        base = month_index(months[0]) - (w - 1)
        if month_index(months[-1]) - base > 62:
            raise ValueError("the income months span more than 63 months")
        sums = ", ".join(
            f"sum(case when m between {month_index(mo) - base - w + 1} and "
            f"{month_index(mo) - base} then net else 0 end)::bigint as s{j}"
            for j, mo in enumerate(months))
        self._income_base = base
        self.sql(f"""create or replace temp table inc as
            select hk, bit_or(1::bigint << m) as mask, {sums} from (
                select {self.key} as hk,
                       cast(substr(period, 1, 4) as int) * 12
                         + cast(substr(period, 6, 2) as int) - 1 - {base} as m,
                       coalesce(wage, 0) + coalesce(business, 0) + coalesce(property, 0)
                         + coalesce(transfer, 0) - coalesce(business_cost, 0) as net
                from raw_incomes
                where period >= '{months_minus(months[0], w - 1)}'
                  and period <= '{months[-1]}'
                  and {scope_h})
            group by hk""")
        # per income month, the latest block that speaks for its window (the later event
        # first on a tie) and its per-capita net income
        blocks = []
        for j, mo in enumerate(months):
            first, final = block_window(mo, w)
            blocks.append(f"arg_max(coalesce(b.per_capita_net, b.household_net / m.size), "
                          f"b.ref || b.brank::varchar) filter (where b.ref between '{first}' "
                          f"and '{final}') as b{j}")
        self.sql(f"""create or replace temp table inb as
            select b.hk, {", ".join(blocks)}
            from blk b join mem m using (hk) where m.size > 0 group by b.hk""")
        judged = []
        for j, mo in enumerate(months):
            shift = month_index(mo) - base - w + 1
            recorded = f"bit_count((coalesce(i.mask, 0) >> {shift}) & {(1 << w) - 1})"
            judged.append(f"case when {recorded} >= {least} then "
                          f"coalesce(i.s{j}, 0) * {w} / {recorded} / m.size "
                          f"else b.b{j} end as y{j}")
        zeros = ", ".join(f"coalesce(i.s{j}, 0) as s{j}" for j in range(len(months)))
        self.sql(f"""create or replace temp table hw as
            select hk, coalesce(i.mask, 0) as mask, {zeros}, {", ".join(judged)},
                   h.village_code, coalesce(h.household_type = 'poverty_alleviated', false)
                   as pa, m.size as persons, coalesce(a.amask, 0) as amask
            from (select hk from inc union select hk from inb) k
            left join inc i using (hk) left join inb b using (hk)
            join mem m using (hk) join h using (hk)
            left join (select hk, bit_or(1::bigint << pi) as amask from hp
                       where status = 'ACTIVE' group by hk) a using (hk)
            where m.size > 0""")
        parts = [f"""select hk, {k} as pi, {self.pcni_sql(m)} as pcni, persons,
                            village_code, pa, (amask >> {k}) & 1 = 1 as active
                     from hw where {self.income_ok(m)}"""
                 for k, m in enumerate(self.periods) if m in self.income_months]
        if not parts:
            parts = ["select hk, 0 as pi, 0.0 as pcni, persons, village_code, pa, false "
                     "as active from hw where false"]
        self.sql("create or replace temp view hy as " + " union all ".join(parts))
        self._tick("incomes", t)

    def income_column(self, month: str) -> int:
        return self.income_months.index(month)

    def income_ok(self, month: str, alias: str = "") -> str:
        """SQL: R1 is judged for the window ending in ``month`` (``hw`` table): at least
        ``income_window_min_months`` of its months recorded, else an annual block speaking
        for it (dixian.engine.income)."""
        return f"{alias}y{self.income_column(month)} is not null"

    def pcni_sql(self, month: str, alias: str = "") -> str:
        """SQL: R1, the per-capita net income of the window ending in ``month``: the recorded
        months' net income annualised (× window / months recorded) over the active members,
        else the annual block's."""
        return f"{alias}y{self.income_column(month)}"

    # ------------------------------------------------------------------ levels
    def levels(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """(root codes, code lengths from the roots down to the village)."""
        if self.scope.national:
            return ("",), (0, *CODE_LENGTHS)
        roots = tuple(self.scope.prefixes)
        top = min(len(r) for r in roots)
        return roots, tuple(n for n in CODE_LENGTHS if n >= top)

    def region_sql(self, length: int, column: str = "village_code") -> str:
        return "''" if length == 0 else f"substr({column}, 1, {length})"


def default_as_of(db: duckdb.DuckDBPyConnection) -> str:
    """The latest month with data: the last income month, else the last month of the
    registry's monitoring fields; refused when the inputs have no month at all."""
    row = db.execute("""select greatest(
            (select max(period) from raw_incomes),
            (select max(identified_month) from raw_households),
            (select max(eliminated_month) from raw_households),
            (select strftime(max(started_on), '%Y-%m') from raw_spells),
            (select strftime(max(ended_on), '%Y-%m') from raw_spells))""").fetchall()[0][0]
    if not row:
        raise ValueError("as_of: the inputs hold no month (no incomes and no monitoring); "
                         "give as_of")
    return row


# ============================================================================ aggregation
def _sums_by_level(model: _Model, facts_sql: str, measures: dict[str, str],
                   lengths: Sequence[int]) -> str:
    """SQL of (region_code, pi, measures…): summed per village, then rolled up."""
    cols = ", ".join(f"{expr} as {name}" for name, expr in measures.items())
    model.sql(f"create or replace temp table _v as select village_code, pi, {cols} "
              f"from ({facts_sql}) group by village_code, pi")
    sums = ", ".join(f"sum({name}) as {name}" for name in measures)
    parts = [f"select {model.region_sql(n)} as region_code, pi, {sums} from _v group by all"
             for n in lengths]
    return " union all ".join(parts)


def _frame(model: _Model, name: str, sql: str) -> None:
    model.sql(f"create or replace temp table {name} as {sql}")


def _aggregate(model: _Model) -> tuple[pa.Table, pa.Table, pa.Table]:
    roots, lengths = model.levels()
    p = model.params
    t = time.perf_counter()
    # the regions: every prefix of a village in the scope, at the computed levels
    model.sql("create or replace temp table regions as " + " union ".join(
        f"select distinct {model.region_sql(n)} as region_code, {n} as level from h"
        for n in lengths))
    model.sql("create or replace temp table grid as select region_code, level, pi, period "
              "from regions cross join per")
    model.sql("""create or replace temp table _r as
        select village_code, count(*) as households_total,
               coalesce(sum(m.size), 0) as persons_total,
               count(*) + coalesce(sum(m.records_all), 0) as quality_records
        from h left join mem m using (hk) group by village_code""")
    _frame(model, "a_registry", " union all ".join(
        f"select {model.region_sql(n)} as region_code, sum(households_total) as "
        f"households_total, sum(persons_total) as persons_total, sum(quality_records) as "
        f"quality_records from _r group by all" for n in lengths))
    _frame(model, "a_stock", _sums_by_level(model, "select * from hp", {
        "monitored_households": "count(*) filter (where status = 'ACTIVE')",
        "monitored_persons": "coalesce(sum(persons) filter (where status = 'ACTIVE'), 0)",
        "eliminated_assisted_households":
            "count(*) filter (where status = 'ELIMINATED_ASSISTED')",
        "eliminated_assisted_persons":
            "coalesce(sum(persons) filter (where status = 'ELIMINATED_ASSISTED'), 0)",
        "eliminated_natural_households":
            "count(*) filter (where status = 'ELIMINATED_NATURAL')",
        "eliminated_natural_persons":
            "coalesce(sum(persons) filter (where status = 'ELIMINATED_NATURAL'), 0)",
        "identified_households": "count(*)",
        "identified_persons": "coalesce(sum(persons), 0)",
    }, lengths))
    model.sql("""create or replace temp table flows as
        select p.pi, s.hk, s.village_code, 'start' as what, s.is_return
        from sp s join per p on s.started_on between p.p_start and p.p_end
        union all
        select p.pi, s.hk, s.village_code, 'end' as what, false
        from sp s join per p on s.ended_on between p.p_start and p.p_end""")
    _frame(model, "a_flows", _sums_by_level(
        model, "select f.*, coalesce(m.size, 0) as persons from "
               "(select distinct pi, hk, village_code, what, is_return from flows) f "
               "left join mem m using (hk)", {
            "new_identified_households": "count(*) filter (where what = 'start')",
            "new_identified_persons": "coalesce(sum(persons) filter (where what = 'start'), 0)",
            "new_eliminated_households": "count(*) filter (where what = 'end')",
            "new_eliminated_persons": "coalesce(sum(persons) filter (where what = 'end'), 0)",
            "returns_households": "count(*) filter (where what = 'start' and is_return)",
            "returns_persons":
                "coalesce(sum(persons) filter (where what = 'start' and is_return), 0)",
        }, lengths))
    _coverage(model, lengths)
    _lags(model, lengths, p)
    _overdue(model, lengths)
    _quality(model, lengths)
    model._tick("aggregate", t)
    _income_aggregates(model, lengths)
    _vulnerability(model, lengths)
    t = time.perf_counter()
    summary = _assemble(model)
    breakdown = _breakdown(model, lengths)
    flows = _flows_breakdown(model, lengths)
    model._tick("assemble", t)
    return summary, breakdown, flows


def _coverage(model: _Model, lengths: Sequence[int]) -> None:
    model.sql("""create or replace temp table cov as
        select hp.pi, hp.hk, hp.village_code,
               coalesce(bool_or(m.hk is not null), false) as covered,
               coalesce(bool_or(m.development), false) as dev,
               coalesce(mem.labour, 0) > 0 as has_labour,
               coalesce(any_value(mem.safety_net), false) as safety_net
        from hp left join ms m on m.hk = hp.hk and m.in_place_from <= hp.p_end
                                  and (m.ended_on is null or m.ended_on >= hp.started_on)
        left join mem on mem.hk = hp.hk
        where hp.status = 'ACTIVE'
        group by hp.pi, hp.hk, hp.village_code, mem.labour""")
    model.sql("""create or replace temp table ind_cov as
        select distinct p.pi, m.hk from ms m join per p
          on m.category = 'INDUSTRY' and m.in_place_from <= p.p_end
         and (m.ended_on is null or m.ended_on >= p.window_start)""")
    model.sql("""create or replace temp table visited as
        select distinct p.pi, v.hk from per p join (
            select {key} as hk, month from raw_visits) v on v.month = p.period"""
              .replace("{key}", model.key))
    _frame(model, "a_cov", _sums_by_level(
        model, "select c.*, v.hk is not null as was_visited from cov c "
               "left join visited v using (pi, hk)", {
            "coverage_num": "count(*) filter (where covered)",
            "dev_den": "count(*) filter (where has_labour)",
            "dev_num": "count(*) filter (where has_labour and dev)",
            "safety_net_num": "count(*) filter (where safety_net)",
            "visited_num": "count(*) filter (where was_visited)",
        }, lengths))
    # industry coverage: poverty-alleviated households (every month) plus the other active
    # monitored households, without a row per household and month for the former
    model.sql("""create or replace temp table _v as
        with pa as (select village_code, count(*) as n from h
                    where household_type = 'poverty_alleviated' group by village_code),
        act as (select hp.pi, hp.village_code, count(*) as den, count(c.hk) as num
                from hp join h using (hk) left join ind_cov c on c.pi = hp.pi and c.hk = hp.hk
                where hp.status = 'ACTIVE'
                  and h.household_type is distinct from 'poverty_alleviated'
                group by all),
        pac as (select c.pi, h.village_code, count(*) as num from ind_cov c join h using (hk)
                where h.household_type = 'poverty_alleviated' group by all)
        select v.village_code, p.pi,
               coalesce(pa.n, 0) + coalesce(act.den, 0) as industry_den,
               coalesce(pac.num, 0) + coalesce(act.num, 0) as industry_num
        from (select distinct village_code from h) v cross join per p
        left join pa using (village_code)
        left join act on act.village_code = v.village_code and act.pi = p.pi
        left join pac on pac.village_code = v.village_code and pac.pi = p.pi""")
    _frame(model, "a_ind", " union all ".join(
        f"select {model.region_sql(n)} as region_code, pi, sum(industry_den) as industry_den, "
        f"sum(industry_num) as industry_num from _v group by all" for n in lengths))


def _industry_base(model: _Model) -> None:
    """Per month, the households of the industry-coverage denominator (for the lists)."""
    model.sql("""create or replace temp table ind_base as
        select p.pi, h.hk, h.village_code from h cross join per p
        where h.household_type = 'poverty_alleviated'
        union
        select hp.pi, hp.hk, hp.village_code from hp where hp.status = 'ACTIVE'""")


def _lags(model: _Model, lengths: Sequence[int], p: Mapping[str, Any]) -> None:
    scope_v = _scope_sql(model.scope, "village_code")
    ckey = model.key_of("c.household_code")
    model.sql(f"""create or replace temp table ident as
        select p.pi, c.case_id, {ckey} as hk, c.village_code,
               date_diff('day',
                         cast(least(coalesce(fc.first_clue, c.opened_at),
                                    coalesce(c.opened_at, fc.first_clue)) as date),
                         cast(c.decided_at as date)) as lag
        from raw_cases c
        left join (select case_id, min(received_at) as first_clue from raw_clues
                   group by case_id) fc using (case_id)
        join per p on c.decided_at >= p.p_start and c.decided_at < p.p_next
        where c.kind = 'identification' and not coalesce(c.imported, false)
          and coalesce(c.state, '') <> 'not_proposed'
          and {scope_v.replace('village_code', 'c.village_code')}""")
    model.sql("""create or replace temp table mlag as
        select p.pi, s.hk, s.village_code, s.started_on,
               greatest(0, date_diff('day', s.started_on, min(m.planned_on))) as lag
        from sp s join per p on s.started_on between p.p_start and p.p_end
        left join raw_cases c on c.case_id = s.identification_case_id
        left join ms m on m.hk = s.hk
             and m.planned_on >= coalesce(cast(c.opened_at as date), s.started_on)
        where not s.imported
        group by p.pi, s.hk, s.village_code, s.started_on""")
    sla, target = int(p["identification_sla_days"]), int(p["measure_target_days"])
    _frame(model, "a_ident", _sums_by_level(model, "select * from ident", {
        "ident_decisions": "count(*)",
        "ident_within_sla": f"count(*) filter (where lag <= {sla})",
    }, lengths))
    _frame(model, "a_mlag", _sums_by_level(model, "select * from mlag", {
        "measure_lag_n": "count(lag)",
        "measure_within_target": f"count(*) filter (where lag <= {target})",
        "measure_lag_pending": "count(*) filter (where lag is null)",
    }, lengths))
    parts = []
    for n in lengths:
        r = model.region_sql(n)
        parts.append(f"""select coalesce(a.region_code, b.region_code) as region_code,
                coalesce(a.pi, b.pi) as pi, a.ident_lag_median_days, b.measure_lag_median_days
            from (select {r} as region_code, pi, median(lag)::double as ident_lag_median_days
                  from ident group by all) a
            full join (select {r} as region_code, pi,
                              median(lag)::double as measure_lag_median_days
                       from mlag where lag is not null group by all) b
              on a.region_code = b.region_code and a.pi = b.pi""")
    _frame(model, "a_lag_median", " union all ".join(parts))


def _overdue(model: _Model, lengths: Sequence[int]) -> None:
    scope_v = _scope_sql(model.scope, "c.village_code")
    final = _in_list(["monitored", "eliminated", "not_proposed", "rejected"])
    model.sql(f"""create or replace temp table cases_late as
        select p.pi, {model.key_of('c.household_code')} as hk, c.village_code, c.case_id
        from raw_cases c join per p
          on c.opened_at < p.cutoff and c.deadline < p.cutoff
         and coalesce(c.closed_at,
                      case when c.state in {final} then coalesce(c.decided_at, c.opened_at) end,
                      timestamp '9999-12-31') >= p.cutoff
        where {scope_v}""")
    model.sql("""create or replace temp table measures_late as
        select p.pi, m.hk, m.village_code from ms m join per p
          on m.planned_on < p.p_next and m.due_on < cast(p.cutoff as date)
         and ((m.done_on is null and coalesce(m.status, 'planned') not in ('implemented', 'ended'))
              or m.done_on >= cast(p.cutoff as date))""")
    _frame(model, "a_late", " union all ".join(
        f"""select coalesce(a.region_code, b.region_code) as region_code,
                   coalesce(a.pi, b.pi) as pi, coalesce(a.n, 0) as cases_overdue,
                   coalesce(b.n, 0) as measures_overdue
            from (select {model.region_sql(n)} as region_code, pi, count(*) as n
                  from cases_late group by all) a
            full join (select {model.region_sql(n)} as region_code, pi, count(*) as n
                       from measures_late group by all) b
              on a.region_code = b.region_code and a.pi = b.pi""" for n in lengths))


def _quality(model: _Model, lengths: Sequence[int]) -> None:
    scope_v = _scope_sql(model.scope, "q.village_code")
    model.sql(f"""create or replace temp table qopen as
        select p.pi, q.village_code,
               {model.key_of('q.household_code')} as hk
        from raw_quality_issues q join per p
          on q.opened_at < p.cutoff
         and coalesce(q.resolved_at, case when coalesce(q.status, 'open') <> 'open'
                                          then q.opened_at end, timestamp '9999-12-31')
             >= p.cutoff
        where q.village_code is not null and {scope_v}""")
    _frame(model, "a_quality", _sums_by_level(model, "select * from qopen", {
        "quality_open": "count(*)"}, lengths))


def _income_aggregates(model: _Model, lengths: Sequence[int]) -> None:
    """Income, FGT and median columns from the wide ``hw`` table. The sums are taken per
    village and month in NumPy (FGT contributions by :func:`dixian.measures`' own
    ``fgt_vector``, so the formula is the library's) and rolled up in SQL; the medians
    (household-level) are computed at each level. The month before the window kept for the
    growth gets period index -1."""
    from ..measures.poverty import fgt_vector

    t = time.perf_counter()
    months = model.income_months
    index = {m: k for k, m in enumerate(model.periods)}
    data = model.fetch("select village_code, pa, persons, amask, "
                       + ", ".join(f"y{j}" for j in range(max(1, len(months)))) + " from hw")
    encoded = data["village_code"].combine_chunks().dictionary_encode()
    vi = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    villages = encoded.dictionary.cast(pa.string())
    nv = len(villages)

    def col(name, dtype=float):
        return np.asarray(data[name].to_numpy(zero_copy_only=False), dtype=dtype)

    pa_flag, persons = col("pa", bool), col("persons")
    amask = col("amask", np.int64)
    names = ("pa_income_n", "pa_income_persons", "pa_income_total", "mon_income_n",
             "mon_income_persons", "mon_income_total", "fgt_persons", "poor_persons",
             "fgt1_total", "fgt2_total")
    out = {n: [] for n in ("village_code", "pi", *names)}
    for j, month in enumerate(months):
        k = index.get(month, -1)
        z = float(P.monitoring_line(model.params, month))
        y = col(f"y{j}")  # R1 per capita; NaN: not judged
        ok = ~np.isnan(y)
        y = np.where(ok, y, 0.0)
        total = y * persons  # the household's R1 net income
        pa_ok = pa_flag & ok
        act_ok = (((amask >> max(k, 0)) & 1) == 1) & ok & (k >= 0)
        w_ok = persons * ok
        values = {
            "pa_income_n": pa_ok, "pa_income_persons": persons * pa_ok,
            "pa_income_total": np.where(pa_ok, total, 0.0),
            "mon_income_n": act_ok, "mon_income_persons": persons * act_ok,
            "mon_income_total": np.where(act_ok, total, 0.0), "fgt_persons": w_ok,
            "poor_persons": w_ok * fgt_vector(y, z, 0), "fgt1_total": w_ok * fgt_vector(y, z, 1),
            "fgt2_total": w_ok * fgt_vector(y, z, 2),
        }
        for name, v in values.items():
            out[name].append(np.bincount(vi, weights=np.asarray(v, dtype=float), minlength=nv))
        out["village_code"].append(villages)
        out["pi"].append(np.full(nv, k, dtype=np.int32))
    village_table = pa.table({
        "village_code": pa.concat_arrays(out["village_code"]) if out["village_code"]
        else pa.array([], pa.string()),
        "pi": np.concatenate(out["pi"]) if out["pi"] else np.array([], np.int32),
        **{n: np.concatenate(out[n]) if out[n] else np.array([], float) for n in names}})
    model.db.register("income_arrow", village_table)
    model.sql("create or replace temp table _v as select * from income_arrow")
    model.db.unregister("income_arrow")
    rolled = ", ".join(f"sum({n}) as {n}" for n in names)
    _frame(model, "a_income", " union all ".join(
        f"select {model.region_sql(n)} as region_code, pi, {rolled} from _v group by all"
        for n in lengths))
    # growth: the mean of the month against the mean 12 months before (when both computed)
    pairs = []
    for k, month in enumerate(model.periods):
        before = add_months(month, -12)
        if month in months and before in months:
            pairs.append(f"({k}, {index.get(before, -1)})")
    model.sql("create or replace temp table a_growth (region_code varchar, pi int, "
              "pa_income_growth double)")
    if pairs:
        model.sql(f"""insert into a_growth
            select a.region_code, pr.pi,
                   (a.pa_income_total / nullif(a.pa_income_persons, 0))
                   / nullif(b.pa_income_total / nullif(b.pa_income_persons, 0), 0) - 1
            from (values {", ".join(pairs)}) pr(pi, prev)
            join a_income a on a.pi = pr.pi join a_income b
              on b.region_code = a.region_code and b.pi = pr.prev""")
    medians, columns = [], []
    for k, month in enumerate(model.periods):
        if month not in months:
            continue
        j, ok = model.income_column(month), model.income_ok(month)
        act = f"(amask >> {k}) & 1 = 1"
        pcni = model.pcni_sql(month)
        medians += [f"median({pcni}) filter (where pa and {ok}) as pa_{k}",
                    f"median({pcni}) filter (where {act} and {ok}) as mon_{k}"]
        columns.append(k)
    parts = []
    for n in lengths if medians else ():
        model.sql(f"create or replace temp table _m{n} as select {model.region_sql(n)} as "
                  f"region_code, {', '.join(medians)} from hw where pa or amask <> 0 "
                  "group by all")
        parts += [f"select region_code, {k} as pi, pa_{k} as pa_income_median, "
                  f"mon_{k} as mon_income_median from _m{n}" for k in columns]
    if not parts:
        parts = ["select ''::varchar as region_code, 0 as pi, null::double as "
                 "pa_income_median, null::double as mon_income_median where false"]
    _frame(model, "a_inc_median", " union all ".join(parts))
    model._tick("income_aggregates", t)


_VEP_COVARIATES = ("ln_size", "labour_share", "child_share", "elderly_share", "ill_share",
                   "disabled_share", "migrant_share", "head_edu", "safety_net", "alleviated",
                   "relocated", "unsafe_housing")


def _vulnerability(model: _Model, lengths: Sequence[int]) -> None:
    """VEP (Chaudhuri, Jalan & Suryahadi 2002) of every household with a positive 12-month
    per-capita income in the last month, income as welfare, aggregated per region (persons).

    The model is fitted by :func:`dixian.measures.vep` on every household, or on a seeded
    random sample of ``vulnerability_fit_max`` of them when there are more (the coefficients
    of a three-step FGLS on a few hundred thousand households are stable to the third digit),
    and applied to all: VEP_h = Phi((ln z - X_h b) / sqrt(X_h t)), a non-positive fitted
    variance floored at the smallest positive one of the fit, as the library does."""
    from scipy.special import ndtr

    from ..measures import vep

    t = time.perf_counter()
    empty = ("create or replace temp table a_vep as select ''::varchar as region_code, "
             "0 as pi, 0.0 as vulnerability, 0 as vulnerable_persons, 0 as vep_persons "
             "where false")
    if not model.income_as_of:
        model.sql(empty)
        model._tick("vulnerability", t)
        return
    last = model.periods.index(model.income_as_of)
    j = model.income_column(model.income_as_of)
    data = model.fetch(f"""
        select w.hk, {model.pcni_sql(model.income_as_of, "w.")} as pcni,
               w.persons, w.village_code,
               ln(w.persons) as ln_size,
               m.labour / w.persons as labour_share, m.children / w.persons as child_share,
               m.elderly / w.persons as elderly_share, m.ill / w.persons as ill_share,
               m.disabled / w.persons as disabled_share,
               m.migrants / w.persons as migrant_share,
               coalesce(m.head_edu, 6) as head_edu, m.safety_net::int as safety_net,
               w.pa::int as alleviated, h.relocated::int as relocated,
               coalesce(h.housing_grade in ('C', 'D'), false)::int as unsafe_housing
        from hw w join h using (hk) join mem m using (hk)
        where {model.income_ok(model.income_as_of, "w.")} and w.y{j} > 0""")
    line = float(P.monitoring_line(model.params, model.income_as_of))
    if data.num_rows < 50:
        model.sql(empty)
        model.notes.append("vulnerability: fewer than 50 households with a positive income")
        model._tick("vulnerability", t)
        return
    x_all = {c: np.asarray(data[c].to_numpy(zero_copy_only=False), dtype=float)
             for c in _VEP_COVARIATES}
    x_all = {c: v for c, v in x_all.items() if np.nanstd(v) > 0}  # constants are collinear
    y_all = np.asarray(data["pcni"].to_numpy(zero_copy_only=False), dtype=float)
    n = y_all.size
    fit_max = int(model.params["vulnerability_fit_max"])
    fit = np.arange(n)
    if n > fit_max:
        fit = np.sort(np.random.default_rng(int(model.params["vulnerability_seed"]))
                      .choice(n, fit_max, replace=False))
        model.notes.append(f"vulnerability: model fitted on {fit_max:,} of {n:,} households "
                           "(seeded sample), applied to all")
    try:
        result = vep(y_all[fit], {c: v[fit] for c, v in x_all.items()}, z=line)
    except (ValueError, np.linalg.LinAlgError) as exc:
        model.sql(empty)
        model.notes.append(f"vulnerability not computed: {exc}")
        model._tick("vulnerability", t)
        return
    bad = result.nonpositive_ols_variances + result.nonpositive_fgls_variances
    if bad:
        model.notes.append(
            f"vulnerability: {result.nonpositive_ols_variances} + "
            f"{result.nonpositive_fgls_variances} non-positive fitted variances in the fit "
            f"({result.handling})")
    x = np.column_stack([np.ones(n), *x_all.values()])
    theta, beta = np.asarray(result.theta_fgls), np.asarray(result.beta_fgls)
    s2_fit = x[fit] @ theta
    floor = s2_fit[s2_fit > 0].min() if (s2_fit > 0).any() else np.nan
    s2 = x @ theta
    s2 = np.where(s2 > 0, s2, floor)
    values = ndtr((np.log(line) - x @ beta) / np.sqrt(s2))
    threshold = float(model.params["vulnerability_threshold"])
    model.db.register("vep_arrow", pa.table({
        "village_code": data["village_code"], "persons": data["persons"],
        "vep": pa.array(values)}))
    model.sql("create or replace temp table vep_h as select * from vep_arrow "
              "where not isnan(vep)")
    model.db.unregister("vep_arrow")
    _frame(model, "a_vep_sums", _sums_by_level(
        model, f"select *, {last} as pi from vep_h", {
            "vep_total": "sum(persons * vep)",
            "vulnerable_persons": f"coalesce(sum(persons) filter (where vep >= {threshold}), 0)",
            "vep_persons": "sum(persons)",
        }, lengths))
    model.sql("""create or replace temp table a_vep as
        select region_code, pi, vep_total / nullif(vep_persons, 0) as vulnerability,
               vulnerable_persons, vep_persons from a_vep_sums""")
    model._tick("vulnerability", t)


def _assemble(model: _Model) -> pa.Table:
    families = ("a_stock", "a_flows", "a_cov", "a_ind", "a_ident", "a_mlag", "a_late",
                "a_quality")
    computed = {
        "households_total": "coalesce(r.households_total, 0)",
        "persons_total": "coalesce(r.persons_total, 0)",
        "quality_records": "coalesce(r.quality_records, 0)",
        "ident_lag_median_days": "lm.ident_lag_median_days",
        "measure_lag_median_days": "lm.measure_lag_median_days",
        "poverty_line": "per.line",
        "pa_income_median": "im.pa_income_median::double",
        "mon_income_median": "im.mon_income_median::double",
        "pa_income_mean": "inc.pa_income_total / nullif(inc.pa_income_persons, 0)",
        "mon_income_mean": "inc.mon_income_total / nullif(inc.mon_income_persons, 0)",
        "pa_income_growth": "gr.pa_income_growth",
        "fgt0": "inc.poor_persons / nullif(inc.fgt_persons, 0)",
        "fgt1": "inc.fgt1_total / nullif(inc.fgt_persons, 0)",
        "fgt2": "inc.fgt2_total / nullif(inc.fgt_persons, 0)",
        "vulnerability": "v.vulnerability",
    }
    from_income = ("pa_income_n", "pa_income_persons", "mon_income_n", "fgt_persons",
                   "poor_persons")
    select = []
    for name in SUMMARY_FIELDS:
        if name in computed:
            kind = "double" if name in FLOAT_FIELDS else "bigint"
            select.append(f"({computed[name]})::{kind} as {name}")
        elif name in from_income:
            select.append(f"coalesce(inc.{name}, 0)::bigint as {name}")
        elif name in ("vulnerable_persons", "vep_persons"):
            select.append(f"coalesce(v.{name}, 0)::bigint as {name}")
        else:
            select.append(f"coalesce({name}, 0)::bigint as {name}")
    joins = " ".join(f"left join {name} using (region_code, pi)" for name in families)
    table = model.fetch(f"""
        select g.region_code, g.level, g.period, {", ".join(select)}
        from grid g join per using (pi)
        left join a_registry r using (region_code)
        {joins}
        left join a_lag_median lm using (region_code, pi)
        left join a_income inc using (region_code, pi)
        left join a_inc_median im using (region_code, pi)
        left join a_vep v using (region_code, pi)
        left join a_growth gr using (region_code, pi)
        order by g.level, g.region_code, g.pi""")
    return table


def _breakdown(model: _Model, lengths: Sequence[int]) -> pa.Table:
    model.sql("""create or replace temp table _b as
        select village_code, pi, category, risk, status, count(*) as households,
               sum(persons) as persons from hp group by all""")
    parts = [f"""select {model.region_sql(n)} as region_code, pi, category, risk, status,
                        sum(households)::bigint as households, sum(persons)::bigint as persons
                 from _b group by all""" for n in lengths]
    table = model.fetch(f"""select b.region_code, p.period, b.category, b.risk as risk_type,
            b.status, b.households, b.persons
        from ({" union all ".join(parts)}) b join per p using (pi)""")
    return table.cast(BREAKDOWN_SCHEMA)


def _flows_breakdown(model: _Model, lengths: Sequence[int]) -> pa.Table:
    model.sql("""create or replace temp table _f as
        select village_code, pi, category, event, count(distinct hk) as households,
               sum(persons) as persons from (
            select p.pi, s.hk, s.village_code, s.category, 'identified' as event
            from sp s join per p on s.started_on between p.p_start and p.p_end
            union all
            select p.pi, s.hk, s.village_code, s.category, 'returned'
            from sp s join per p on s.started_on between p.p_start and p.p_end
            where s.is_return
            union all
            select p.pi, s.hk, s.village_code, s.category,
                   case when s.mode = 'NATURAL' then 'eliminated_natural'
                        else 'eliminated_assisted' end
            from sp s join per p on s.ended_on between p.p_start and p.p_end
        ) e left join (select hk, size as persons from mem) m using (hk)
        group by all""")
    parts = [f"""select {model.region_sql(n)} as region_code, pi, category, event,
                        sum(households)::bigint as households,
                        coalesce(sum(persons), 0)::bigint as persons
                 from _f group by all""" for n in lengths]
    table = model.fetch(f"""select f.region_code, p.period, f.category, f.event,
            f.households, f.persons
        from ({" union all ".join(parts)}) f join per p using (pi)""")
    return table.cast(FLOWS_SCHEMA)


# ============================================================================ entry points
def compute(tables: Mapping[str, Any], scope: RegionScope, *, as_of: str | None = None,
            months: int = 13, params: Mapping[str, Any] | None = None,
            now: dt.datetime | None = None,
            backend: duckdb.DuckDBPyConnection | None = None) -> Indicators:
    """Every indicator of :data:`SUMMARY_FIELDS` for every region of ``scope`` and each of the
    ``months`` months ending with ``as_of`` (default: the latest month with data).

    ``tables`` maps input names (``households``, ``members``, ``incomes`` and the ledger
    tables of :mod:`.schema`) to Arrow tables (or pandas / Polars frames) or Parquet paths;
    absent names are empty. ``now`` (local time, no zone) cuts the current month short for the
    overdue counts. ``params`` overrides :mod:`.params`. A scope is required: ``None`` or a
    non-scope is refused.
    """
    if require_scope(scope).is_empty:
        empty = pa.schema([("region_code", pa.string()), ("level", pa.int32()),
                           ("period", pa.string())] + [
            (n, pa.float64() if n in FLOAT_FIELDS else pa.int64()) for n in SUMMARY_FIELDS])
        return Indicators(summary=empty.empty_table(), breakdown=BREAKDOWN_SCHEMA.empty_table(),
                          flows=FLOWS_SCHEMA.empty_table(), periods=(), income_as_of=None,
                          as_of=as_of or "", roots=(), levels=(),
                          params=P.resolve(params, region=region_of_scope(scope)),
                          notes=("empty scope: nothing to count",))
    model = _Model(tables, scope, as_of=as_of, months=months, params=params, now=now,
                   backend=backend)
    model.build(incomes=True)
    summary, breakdown, flows = _aggregate(model)
    roots, lengths = model.levels()
    return Indicators(summary=summary, breakdown=breakdown, flows=flows,
                      periods=tuple(model.periods), income_as_of=model.income_as_of,
                      as_of=model.as_of, roots=roots, levels=lengths, params=model.params,
                      seconds={k: round(v, 3) for k, v in model.seconds.items()},
                      notes=tuple(model.notes))


_NEEDS_INCOME = {"pa_income", "mon_income", "poor"}

_SHARED: dict = {}  # {"pid": ..., "db": an in-memory DuckDB database}
_SHARED_LOCK = threading.Lock()


def _session() -> duckdb.DuckDBPyConnection:
    """A new session on an in-memory database kept by the process: its temporary tables and
    registered inputs are its own (DuckDB keeps them per session), and opening one costs
    microseconds where opening a database costs 50–90 ms, more than a county's list."""
    with _SHARED_LOCK:
        if _SHARED.get("pid") != os.getpid():  # not one inherited through a fork
            _SHARED.update(pid=os.getpid(), db=duckdb.connect())
        return _SHARED["db"].cursor()


def households_for(tables: Mapping[str, Any], scope: RegionScope, indicator: str, *,
                   period: str, category: str | None = None, risk_type: str | None = None,
                   status: str | None = None, params: Mapping[str, Any] | None = None,
                   now: dt.datetime | None = None) -> pa.Table:
    """The households behind one figure (:data:`LIST_INDICATORS`) of ``period`` within
    ``scope``: ``household_code`` and ``village_code``, sorted, with ``value`` (the lag in
    days, the per-capita income, …) where the figure has one.

    ``category``, ``risk_type`` and ``status`` narrow the stock indicators (``identified``
    and friends), as the cells of the breakdown do.
    """
    if indicator not in LIST_INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; one of {LIST_INDICATORS}")
    check_month(period, "period")
    session = _session()
    try:
        return _households_for(session, tables, scope, indicator, period=period,
                               category=category, risk_type=risk_type, status=status,
                               params=params, now=now)
    finally:
        session.close()


def _households_for(session: duckdb.DuckDBPyConnection, tables: Mapping[str, Any],
                    scope: RegionScope, indicator: str, *, period: str, category: str | None,
                    risk_type: str | None, status: str | None,
                    params: Mapping[str, Any] | None, now: dt.datetime | None) -> pa.Table:
    model = _Model(tables, scope, as_of=period, months=1, params=params, now=now,
                   backend=session)
    model.build(incomes=indicator in _NEEDS_INCOME, growth=False)
    filters = []
    if category:
        filters.append(f"category = {_lit(category)}")
    if risk_type:
        filters.append(f"risk = {_lit(risk_type)}")
    if status:
        filters.append(f"status = {_lit(status)}")
    narrow = (" and " + " and ".join(filters)) if filters else ""
    stock = {"identified": "", "monitored": "status = 'ACTIVE'",
             "eliminated": "status <> 'ACTIVE'",
             "eliminated_assisted": "status = 'ELIMINATED_ASSISTED'",
             "eliminated_natural": "status = 'ELIMINATED_NATURAL'"}
    sla = int(model.params["identification_sla_days"])
    target = int(model.params["measure_target_days"])
    if indicator in stock:
        cond = stock[indicator] or "true"
        query = f"select hk, village_code, null::double as value from hp where {cond}{narrow}"
    elif indicator in ("new_identified", "new_eliminated", "returns"):
        model.sql("""create or replace temp table flows as
            select p.pi, s.hk, s.village_code, 'start' as what, s.is_return
            from sp s join per p on s.started_on between p.p_start and p.p_end
            union all
            select p.pi, s.hk, s.village_code, 'end' as what, false
            from sp s join per p on s.ended_on between p.p_start and p.p_end""")
        cond = {"new_identified": "what = 'start'", "new_eliminated": "what = 'end'",
                "returns": "what = 'start' and is_return"}[indicator]
        query = f"select distinct hk, village_code, null::double as value from flows where {cond}"
    elif indicator in ("ident_decisions", "ident_late", "measure_pending", "measure_late"):
        _lags(model, (12,), model.params)
        query = {
            "ident_decisions": "select hk, village_code, lag::double as value from ident",
            "ident_late": f"select hk, village_code, lag::double as value from ident "
                          f"where lag > {sla}",
            "measure_pending": "select hk, village_code, null::double as value from mlag "
                               "where lag is null",
            "measure_late": f"select hk, village_code, lag::double as value from mlag "
                            f"where lag > {target}",
        }[indicator]
    elif indicator in ("covered", "uncovered", "dev_covered", "dev_uncovered", "safety_net",
                       "industry_covered", "industry_uncovered", "visited", "not_visited"):
        _coverage(model, (12,))
        _industry_base(model)
        query = {
            "covered": "select hk, village_code, null::double as value from cov where covered",
            "uncovered": "select hk, village_code, null::double as value from cov "
                         "where not covered",
            "dev_covered": "select hk, village_code, null::double as value from cov "
                           "where has_labour and dev",
            "dev_uncovered": "select hk, village_code, null::double as value from cov "
                             "where has_labour and not dev",
            "safety_net": "select hk, village_code, null::double as value from cov "
                          "where safety_net",
            "industry_covered": "select b.hk, b.village_code, null::double as value "
                                "from ind_base b join ind_cov c using (pi, hk)",
            "industry_uncovered": "select b.hk, b.village_code, null::double as value "
                                  "from ind_base b anti join ind_cov c using (pi, hk)",
            "visited": "select c.hk, c.village_code, null::double as value from cov c "
                       "semi join visited v using (pi, hk)",
            "not_visited": "select c.hk, c.village_code, null::double as value from cov c "
                           "anti join visited v using (pi, hk)",
        }[indicator]
    elif indicator in ("cases_overdue", "measures_overdue"):
        _overdue(model, (12,))
        source = "cases_late" if indicator == "cases_overdue" else "measures_late"
        query = (f"select hk, village_code, count(*)::double as value from {source} "
                 "group by all")
    elif indicator == "quality_open":
        _quality(model, (12,))
        query = ("select hk, village_code, count(*)::double as value from qopen "
                 "where hk is not null group by all")
    else:  # incomes
        line = float(P.monitoring_line(model.params, period))
        cond = {"pa_income": "pa", "mon_income": "active", "poor": f"pcni < {line}"}[indicator]
        query = f"select hk, village_code, pcni as value from hy where {cond}"
    codes = model.fetch(f"""
        select h.household_code, q.village_code, q.value
        from ({query}) q join h using (hk)
        order by q.village_code, h.household_code""")
    return codes


def per_capita_income(tables: Mapping[str, Any], scope: RegionScope, *, period: str,
                      params: Mapping[str, Any] | None = None) -> pa.Table:
    """``household_code``, ``pcni``: the R1 per-capita net income over the 12 months to
    ``period`` of every household with all those months recorded (for the evaluation's
    near-line stratum)."""
    check_month(period, "period")
    model = _Model(tables, scope, as_of=period, months=1, params=params, now=None,
                   backend=None)
    model.build(incomes=True)
    return model.fetch("select h.household_code, y.pcni from hy y join h using (hk) "
                       "order by h.household_code")
