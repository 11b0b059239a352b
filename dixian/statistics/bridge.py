"""Where Django meets the indicator engine: the ledger as Arrow tables, and the cache.

:func:`ledger_tables` reads the registry (households, members, incomes and the national
system's annual income blocks) and the ledger
(spells, cases and clues, measures, quality issues, visits) of a scope into the tables of
:mod:`dixian.engine.indicators` (times in local time). :func:`do_recompute` runs the engine
for a region and replaces the :class:`~dixian.statistics.models.IndicatorSnapshot` rows of
that region and of every region below it, in one transaction, with an audit row.
:func:`snapshot_of` and :func:`children_of` read them back for the pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dixian.core import audit
from dixian.core.access import scope_q
from dixian.core.bridge import reexport
from dixian.engine import indicators as engine
from dixian.engine import policy as engine_policy
from dixian.engine.indicators.engine import FLOAT_FIELDS
from dixian.engine.months import month_add
from dixian.engine.scope import RegionScope, require_scope
from dixian.registry.snapshot import fetch_columns
from dixian.statistics import conf
from dixian.statistics.models import IndicatorSnapshot

#: engine names re-exported to the app's other modules (dixian/core/bridge.py)
ENGINE = {
    "check_month": "dixian.engine.indicators.periods",
    "Column": "dixian.engine.reports",
    "DEFAULTS": "dixian.engine.indicators.params",
    "display": "dixian.engine.indicators",
    "evaluation": "dixian.engine",
    "HOUSEHOLD_STRATA": "dixian.engine.evaluation",
    "LIST_INDICATORS": "dixian.engine.indicators",
    "load_macro": "dixian.engine.indicators",
    "monitoring_line": "dixian.engine.indicators",
    "monthly_report": "dixian.engine.indicators.report",
    "per_capita_income": "dixian.engine.indicators",
    "RATES": "dixian.engine.evaluation",
    "Report": "dixian.engine.reports",
    "ReportTable": "dixian.engine.reports",
    "safe_row": "dixian.engine.spreadsheet",
    "Section": "dixian.engine.reports",
    "three_excesses": "dixian.engine.indicators",
    "write_pdf": "dixian.engine.reports",
    "write_xlsx": "dixian.engine.reports",
}
__getattr__ = reexport(globals(), ENGINE)

NATION = ""
NO_PARENT = "-"  # the nation's parent_code
FINAL_STATES = ("monitored", "eliminated", "not_proposed", "rejected")


def scope_for(code: str) -> RegionScope:
    """The engine scope of a region code ('' = the nation)."""
    return RegionScope.nation() if code == NATION else RegionScope.of(code)


def parent_of(code: str) -> str | None:
    """The code of the region above ('' for a province, None for the nation)."""
    if code == NATION:
        return None
    shorter = [n for n in (0, 2, 4, 6, 9) if n < len(code)]
    return code[:shorter[-1]]


# ------------------------------------------------------------------ reading the ledger
# Each column goes to Arrow in one call where the driver's values allow it (a county's
# 20,000 members or 200,000 income rows: a Python loop per value costs more than the
# query); the loop is the fallback for values Arrow does not take as they are.
def _text(values):
    try:
        arr = pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v in ("", None) else str(v) for v in values], pa.string())
    if arr.null_count == len(arr):
        return arr
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _date(values):
    strings = [v for v in values[:1] if isinstance(v, str)]
    if strings and len(strings[0]) == 10:
        try:
            return pa.array(values, pa.string()).cast(pa.date32())
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            pass
    return pa.array([dt.date.fromisoformat(v[:10]) if isinstance(v, str) else v
                     for v in values], pa.date32())


def _bool(values):
    try:
        return pa.array(values, pa.int64()).cast(pa.bool_())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else bool(v) for v in values], pa.bool_())


def _list(values):
    out = []
    for v in values:
        if isinstance(v, str):
            v = json.loads(v) if v else []
        out.append([str(x) for x in (v or [])])
    return pa.array(out, pa.list_(pa.string()))


def _local(values):
    """Aware (or UTC-naive) datetimes as naive local times of the installation's zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        if isinstance(v, str):
            v = dt.datetime.fromisoformat(v)
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
        out.append(v.astimezone(zone).replace(tzinfo=None))
    return pa.array(out, pa.timestamp("us"))


def _ints(values):
    try:
        return pa.array(values, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else int(v) for v in values], pa.int64())


#: the input tables :func:`ledger_tables` reads (the engine's names)
LEDGER_INPUTS = ("households", "members", "incomes", "income_blocks", "spells", "cases",
                 "clues", "measures", "quality_issues", "visits")


def ledger_tables(scope: RegionScope, *, incomes: bool = True,
                  income_months: int | None = None,
                  income_span: tuple[str, str] | None = None,
                  only: frozenset[str] | set[str] | None = None) -> dict[str, pa.Table]:
    """The registry and ledger of ``scope`` as the engine's input tables; with
    ``income_months`` only the incomes of that many months before the latest one; with
    ``income_span`` (first, last month) only the incomes of those months; with ``only``
    only those tables (e.g. ``LIST_INPUTS`` of a list: the engine then reads the others as
    empty)."""
    from dixian.assistance.models import Measure
    from dixian.cases.models import Case, CaseEvent, Clue, MonitoringSpell, MonitoringVisit
    from dixian.quality.models import QualityIssue
    from dixian.registry.models import Household, Income, IncomeBlock, Member

    require_scope(scope)
    wanted = set(LEDGER_INPUTS if only is None else only)
    if not incomes:
        wanted -= {"incomes", "income_blocks"}
    unknown = wanted - set(LEDGER_INPUTS)
    if unknown:
        raise ValueError(f"unknown input table(s) {sorted(unknown)}")
    tables: dict[str, pa.Table] = {}
    if "households" in wanted:
        h = fetch_columns(Household.objects.filter(scope_q(scope, "village__code")),
                          ["code", "village_id", "household_type", "relocated",
                           "housing_grade", "monitoring_category", "identified_month",
                           "risk_types", "risk_eliminated", "elimination_mode",
                           "eliminated_month"])
        tables["households"] = pa.table({
            "household_code": _text(h["code"]), "village_code": _text(h["village_id"]),
            "household_type": _text(h["household_type"]), "relocated": _bool(h["relocated"]),
            "housing_grade": _text(h["housing_grade"]),
            "monitoring_category": _text(h["monitoring_category"]),
            "identified_month": _text(h["identified_month"]),
            "risk_types": _list(h["risk_types"]),
            "risk_eliminated": _bool(h["risk_eliminated"]),
            "elimination_mode": _text(h["elimination_mode"]),
            "eliminated_month": _text(h["eliminated_month"])})
    if "members" in wanted:
        m = fetch_columns(Member.objects.filter(scope_q(scope, "household__village__code")),
                          ["household__code", "member_status", "labour_skill", "dibao",
                           "tekun", "health", "disability_type", "birth_date",
                           "relation_to_head", "education", "work_status"])
        tables["members"] = pa.table({
            "household_code": _text(m["household__code"]),
            "member_status": _text(m["member_status"]),
            "labour_skill": _text(m["labour_skill"]), "dibao": _text(m["dibao"]),
            "tekun": _text(m["tekun"]), "health": _text(m["health"]),
            "disability_type": _text(m["disability_type"]),
            "birth_date": _date(m["birth_date"]),
            "relation_to_head": _text(m["relation_to_head"]),
            "education": _text(m["education"]), "work_status": _text(m["work_status"])})
    if "incomes" in wanted:
        scoped = Income.objects.filter(scope_q(scope, "household__village__code"))
        if income_months:  # only the months the indicators read
            latest = scoped.aggregate(latest=Max("period"))["latest"]
            if latest:
                scoped = scoped.filter(period__gte=month_add(latest, -income_months))
        if income_span:
            scoped = scoped.filter(period__gte=income_span[0], period__lte=income_span[1])
        i = fetch_columns(scoped,
                     ["household__code", "period", "wage", "business", "property", "transfer",
                      "business_cost"])
        tables["incomes"] = pa.table({
            "household_code": _text(i["household__code"]), "period": _text(i["period"]),
            **{name: _ints(i[name]) for name in ("wage", "business", "property", "transfer",
                                                 "business_cost")}})
    if "income_blocks" in wanted:
        # the national system's annual blocks, R1's fallback (a migrated county's incomes)
        b = fetch_columns(IncomeBlock.objects.filter(scope_q(scope, "household__village__code")),
                          ["household__code", "basis", "reference_month", "household_net",
                           "per_capita_net"])
        tables["income_blocks"] = pa.table({
            "household_code": _text(b["household__code"]), "basis": _text(b["basis"]),
            "reference_month": _text(b["reference_month"]),
            "household_net": _ints(b["household_net"]),
            "per_capita_net": pa.array([None if v is None else float(v)
                                        for v in b["per_capita_net"]], pa.float64())})
    if "spells" in wanted:
        s = MonitoringSpell.objects.filter(scope_q(scope, "village_code")).values_list(
            "household__code", "village_code", "category", "risk_types", "started_on",
            "ended_on", "elimination_mode", "is_return", "whole_household_no_labour",
            "identification_case_id", "identification_case__imported")
        s = list(zip(*s, strict=True)) or [[]] * 11
        tables["spells"] = pa.table({
            "household_code": _text(s[0]), "village_code": _text(s[1]),
            "category": _text(s[2]), "risk_types": _list(s[3]), "started_on": _date(s[4]),
            "ended_on": _date(s[5]), "elimination_mode": _text(s[6]),
            "is_return": _bool(s[7]), "whole_household_no_labour": _bool(s[8]),
            "identification_case_id": _ints(s[9]), "imported": _bool(s[10])})
    if "cases" in wanted or "clues" in wanted:
        cases = Case.objects.filter(scope_q(scope, "village_code"))
    if "cases" in wanted:
        closed = dict(CaseEvent.objects.filter(case__in=cases, to_state__in=FINAL_STATES)
                      .values("case_id").annotate(at=Max("time")).values_list("case_id", "at"))
        c = cases.values_list("pk", "household__code", "village_code", "kind", "state",
                              "opened_at", "deadline", "decided_at", "category",
                              "elimination_mode", "imported", "flagged_for_supervisors")
        c = list(zip(*c, strict=True)) or [[]] * 12
        tables["cases"] = pa.table({
            "case_id": _ints(c[0]), "household_code": _text(c[1]),
            "village_code": _text(c[2]), "kind": _text(c[3]), "state": _text(c[4]),
            "opened_at": _local(c[5]), "deadline": _local(c[6]), "decided_at": _local(c[7]),
            "closed_at": _local([closed.get(pk) or (decided if state in FINAL_STATES else None)
                                 for pk, state, decided in zip(c[0], c[4], c[7], strict=True)]),
            "category": _text(c[8]), "elimination_mode": _text(c[9]),
            "imported": _bool(c[10]), "flagged_for_supervisors": _bool(c[11])})
    if "clues" in wanted:
        k = list(zip(*Clue.objects.filter(scope_q(scope, "case__village_code")).values_list(
            "case_id", "channel", "risk_type", "received_at"), strict=True)) or [[]] * 4
        tables["clues"] = pa.table({"case_id": _ints(k[0]), "channel": _text(k[1]),
                                    "risk_type": _text(k[2]), "received_at": _local(k[3])})
    if "measures" in wanted:
        ms = list(zip(*Measure.objects.filter(scope_q(scope, "village_code")).values_list(
            "pk", "household__code", "village_code", "risk_type", "category", "instrument",
            "department", "status", "planned_on", "due_on", "started_on", "implemented_on",
            "ended_on"), strict=True)) or [[]] * 13
        tables["measures"] = pa.table({
            "measure_id": _ints(ms[0]), "household_code": _text(ms[1]),
            "village_code": _text(ms[2]), "risk_type": _text(ms[3]),
            "category": _text(ms[4]), "instrument": _text(ms[5]),
            "department": _text(ms[6]), "status": _text(ms[7]), "planned_on": _date(ms[8]),
            "due_on": _date(ms[9]), "started_on": _date(ms[10]),
            "implemented_on": _date(ms[11]), "ended_on": _date(ms[12])})
    if "quality_issues" in wanted:
        q = list(zip(*QualityIssue.objects.filter(scope_q(scope, "village__code")).values_list(
            "village_id", "household_code", "rule_id", "severity", "status",
            "first_run__started_at", "resolved_at"), strict=True)) or [[]] * 7
        tables["quality_issues"] = pa.table({
            "village_code": _text(q[0]), "household_code": _text(q[1]),
            "rule_id": _text(q[2]), "severity": _text(q[3]), "status": _text(q[4]),
            "opened_at": _local(q[5]), "resolved_at": _local(q[6])})
    if "visits" in wanted:
        v = list(zip(*MonitoringVisit.objects.filter(scope_q(scope, "village_code"))
                     .values_list("household__code", "village_code", "month", "visited_on"),
                     strict=True)) or [[]] * 4
        tables["visits"] = pa.table({"household_code": _text(v[0]),
                                     "village_code": _text(v[1]), "month": _text(v[2]),
                                     "visited_on": _date(v[3])})
    return tables


def local_now() -> dt.datetime:
    return timezone.localtime().replace(tzinfo=None)


# ------------------------------------------------------------------ the cache
def indicator_params(code: str) -> dict:
    """The parameters of a region's computation: the identification deadline of its province
    (the procedures' own, e.g. 28 days in Anhui); the engine's defaults elsewhere."""
    from dixian.cases.params import procedure_params

    if not code:
        return {}
    return {"identification_sla_days": procedure_params(code[:2])["identification_sla_days"]}


def _grouped(table: pa.Table, columns: list[str]) -> dict[str, list[list]]:
    """Rows of ``columns`` per region code, sorted (one sort in Arrow, then slices)."""
    if table.num_rows == 0:
        return {}
    table = table.sort_by([("region_code", "ascending"),
                           *[(c, "ascending") for c in columns[:4]]])
    codes = table["region_code"].to_pylist()
    rows = list(zip(*(table[c].to_pylist() for c in columns), strict=True))
    out: dict[str, list[list]] = {}
    start = 0
    for i in range(1, len(codes) + 1):
        if i == len(codes) or codes[i] != codes[start]:
            out[codes[start]] = [list(r) for r in rows[start:i]]
            start = i
    return out


def policy_fingerprint(scope: RegionScope) -> str:
    """The fingerprint of the policy the indicators of ``scope`` use: the engine resolves
    it for the scope's region on today's date (``indicators.params.resolve``)."""
    return engine_policy.resolve(engine_policy.region_of_scope(scope),
                                 dt.date.today()).fingerprint


def _records(result: engine.Indicators, computed_at, seconds: float,
             root: str, fingerprint: str = "") -> list[IndicatorSnapshot]:
    used = {k: result.params[k] for k in ("identification_sla_days", "measure_target_days",
                                          "income_window_months")}
    fields = list(engine.SUMMARY_FIELDS)
    n_periods = len(result.periods)
    summary = result.summary
    codes = summary["region_code"].to_pylist()
    # the engine returns every region with every month, ordered by region then month: each
    # region's series is a slice of each column
    blocks = len(codes) // n_periods if n_periods else 0
    if codes and (blocks * n_periods != len(codes) or any(
            codes[b * n_periods] != codes[(b + 1) * n_periods - 1] for b in range(blocks))
            or summary["period"].to_pylist()[:n_periods] != list(result.periods)):
        raise ValueError("unexpected layout of the engine's summary")
    region_codes = codes[::n_periods]
    levels = dict(zip(region_codes, summary["level"].to_pylist()[::n_periods], strict=True))
    columns = {}
    for f in fields:
        values = summary[f].to_pylist()
        if f in FLOAT_FIELDS:
            values = [None if v is None else round(v, 6) for v in values]
        columns[f] = values
    by_region: dict[str, dict[str, list]] = {
        code: {f: columns[f][b * n_periods:(b + 1) * n_periods] for f in fields}
        for b, code in enumerate(region_codes)}
    if root not in by_region:  # a region without households still gets its (empty) row
        by_region[root] = {f: [0 if f not in FLOAT_FIELDS else None] * n_periods
                           for f in fields}
        levels[root] = len(root)
    breakdown = _grouped(result.breakdown, ["period", "category", "risk_type", "status",
                                            "households", "persons"])
    flows = _grouped(result.flows, ["period", "category", "event", "households", "persons"])
    return [IndicatorSnapshot(
        region_code=code, parent_code=NO_PARENT if code == NATION else parent_of(code),
        level=levels[code], root_code=root, as_of=result.as_of,
        income_as_of=result.income_as_of or "", periods=list(result.periods), series=series,
        breakdown=breakdown.get(code, []),
        flows=flows.get(code, []), notes=list(result.notes) if code == root else [],
        parameters=used, policy_fingerprint=fingerprint,
        computed_at=computed_at, seconds=seconds) for code, series in by_region.items()]


def do_recompute(code: str, *, actor=None, months: int | None = None,
                 as_of: str | None = None) -> dict:
    """Compute the indicators of region ``code`` ('' = the nation) and everything below it
    and replace their cached rows; audited."""
    started = time.perf_counter()
    scope = scope_for(code)
    months = months or conf.months()
    # the window, the 11 months before its first month, the month a year before it for the
    # growth; when as_of is given, everything (it may lie anywhere)
    tables = ledger_tables(scope, income_months=None if as_of else months + 24)
    read = time.perf_counter() - started
    fingerprint = policy_fingerprint(scope)
    try:
        result = engine.compute(tables, scope, months=months, as_of=as_of, now=local_now(),
                                params=indicator_params(code))
    except ValueError as exc:  # no month at all: an empty region
        if "hold no month" not in str(exc):
            raise
        result = engine.compute(tables, scope, months=months,
                                as_of=local_now().strftime("%Y-%m"), now=local_now(),
                                params=indicator_params(code))
    seconds = time.perf_counter() - started
    computed_at = timezone.now()
    records = _records(result, computed_at, seconds, code, fingerprint)
    codes = [r.region_code for r in records]
    with transaction.atomic():
        stale = IndicatorSnapshot.objects.all()
        if code != NATION:
            stale = stale.filter(region_code__startswith=code)
        stale.delete()
        IndicatorSnapshot.objects.filter(region_code__in=codes).delete()
        IndicatorSnapshot.objects.bulk_create(records, batch_size=500)
        after = {"regions": len(records), "as_of": result.as_of,
                 "seconds": round(seconds, 2), "read_seconds": round(read, 2),
                 "engine_seconds": result.seconds, "policy": fingerprint}
        audit.record("statistics.recompute", actor=actor, object_type="statistics.indicators",
                     object_id=code or "nation", region_code=code, after=after)
    return after


def snapshot_of(code: str) -> IndicatorSnapshot | None:
    return IndicatorSnapshot.objects.filter(region_code=code).first()


def children_of(code: str) -> list[IndicatorSnapshot]:
    return list(IndicatorSnapshot.objects.filter(parent_code=code)
                .only("region_code", "level", "series", "periods").order_by("region_code"))


def _not_ledger_writes():
    from django.db.models import Q

    skip = Q()
    for prefix in NOT_LEDGER_WRITES:
        skip |= Q(action__startswith=prefix)
    return skip


BEHIND_CACHE_SECONDS = 6 * 3600

#: Audited actions that change no figure (sign-ins, reads, notifications, recomputation).
NOT_LEDGER_WRITES = ("auth.", "pii.reveal", "registry.export", "notification.",
                     "statistics.", "user.", "token.", "dci.search")


def changed_since(code: str, moment) -> bool:
    """Whether the ledger of the region changed after ``moment`` (an audited write in it):
    the dashboard's figures, computed at ``moment``, may then be behind."""
    from dixian.core.models import AuditEvent

    writes = AuditEvent.objects.filter(time__gt=moment)
    if code:
        writes = writes.filter(region_code__startswith=code)
    return writes.exclude(_not_ledger_writes()).exists()


def computed_at(table: pa.Table):
    """When a list of households behind a figure was computed (None if not recorded)."""
    stamp = (table.schema.metadata or {}).get(b"computed_at")
    return dt.datetime.fromisoformat(stamp.decode()) if stamp else None


def households_behind(code: str, indicator: str, *, period: str, category: str | None = None,
                      risk_type: str | None = None, status: str | None = None) -> pa.Table:
    """The households behind a figure, computed from the ledger of the region, and kept
    until a table the list reads changes (the database's change counters,
    :mod:`dixian.statistics.versions`) or the day turns (figures such as 'overdue' move
    with the date). A county's list is computed once, then read from the cache while its
    inputs do not change: a clue recorded does not compute the income lists again."""
    from django.core.cache import cache

    if not getattr(settings, "DIXIAN_CACHE_BEHIND", True):
        return _households_behind(code, indicator, period=period, category=category,
                                  risk_type=risk_type, status=status)
    names = engine.LIST_INPUTS[indicator]
    known = input_versions(names)
    fingerprint = hashlib.sha256(repr(sorted(known.items())).encode()).hexdigest()[:32]
    key = "behind:" + ":".join(str(x) for x in (
        code, indicator, period, category, risk_type, status, local_now().date(),
        fingerprint))
    found = cache.get(key)
    if found is not None:
        return pa.ipc.open_stream(found).read_all()
    table = _households_behind(code, indicator, period=period, category=category,
                               risk_type=risk_type, status=status, known=known)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    cache.set(key, sink.getvalue().to_pybytes(), BEHIND_CACHE_SECONDS)
    return table


#: the input tables last read for lists, in this process: {"region": code, "tables": {name:
#: (version, table)}} (a county's; one region at a time), each table kept until its version
#: changes (:mod:`dixian.statistics.versions`: a counter the database moves on every write
#: to a table the input reads)
_INPUTS: dict = {}
_INPUTS_LOCK = threading.Lock()
INPUTS_KEPT_FROM_LEVEL = 6  # a county's tables and below (a province's would be too large)


def input_versions(names) -> dict[str, tuple]:
    """The version of each input table ``names`` (one query): it differs whenever a table
    the input reads changed, through any path (triggers)."""
    from django.db import connection

    from dixian.statistics import versions

    return versions.versions(connection, names)


def _inputs_of(code: str, scope: RegionScope, names, known: dict[str, tuple] | None = None,
               income_span: tuple[str, str] | None = None) -> dict[str, pa.Table]:
    """The input tables ``names`` of a list of region ``code``: only those the list reads
    (the engine says which, ``LIST_INPUTS``: a stock list needs the households and spells,
    not the members, incomes, cases and visits), read from the ledger, and kept while
    their tables do not change (``known``: their versions, if already read), so that the
    next list of the same region reads only what it lacks or what changed: a clue recorded
    or a visit saved does not read the county's incomes again. The monthly incomes are only
    those of ``income_span`` (the list's R1 window, ``engine.list_income_months``): a visit
    recording a month's income reads a year of the county's incomes again, not all of
    them."""
    if len(code) < INPUTS_KEPT_FROM_LEVEL or not getattr(settings, "DIXIAN_CACHE_BEHIND",
                                                         True):
        return ledger_tables(scope, only=names, income_span=income_span)
    # the versions first, then the rows: rows read after are at least as new as the
    # version they are kept under (a newer version reads them again, never the reverse)
    now = known if known is not None else input_versions(names)
    stamp = {name: (now[name], income_span if name == "incomes" else None) for name in names}
    with _INPUTS_LOCK:  # a worker's threads share it
        if _INPUTS.get("region") != code:
            _INPUTS.clear()
            _INPUTS.update({"region": code, "tables": {}})
        kept = {name: entry[1] for name, entry in _INPUTS["tables"].items()
                if name in stamp and entry[0] == stamp[name]}
    missing = set(names) - set(kept)
    if missing:
        read = ledger_tables(scope, only=missing, income_span=income_span)
        kept.update(read)
        with _INPUTS_LOCK:
            if _INPUTS.get("region") == code:
                _INPUTS["tables"].update({name: (stamp[name], t) for name, t in read.items()})
    return {name: kept[name] for name in names}


def _households_behind(code: str, indicator: str, *, period: str, category: str | None,
                       risk_type: str | None, status: str | None,
                       known: dict[str, tuple] | None = None) -> pa.Table:
    scope = scope_for(code)
    params = indicator_params(code)
    names = engine.LIST_INPUTS[indicator]
    span = engine.list_income_months(scope, period, params) if "incomes" in names else None
    tables = _inputs_of(code, scope, names, known, income_span=span)
    table = engine.households_for(tables, scope, indicator, period=period, category=category,
                                  risk_type=risk_type, status=status, now=local_now(),
                                  params=params)
    # when the list was computed travels with it, through the cache (the page shows it)
    return table.replace_schema_metadata({**(table.schema.metadata or {}),
                                          b"computed_at": timezone.now().isoformat().encode()})
