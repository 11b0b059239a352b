"""Compile the screening rules to Ibis and run them (DuckDB by default, Spark on request).

:func:`build` turns one rule into an Ibis table expression over named inputs: the snapshot
tables ``households``, ``members``, ``incomes`` (with the optional ``income_blocks``, the
national system's annual blocks R1 falls back on) and the matched feeds (one table per
department, as :func:`dixian.engine.feeds.match` returns them). Parameters and the period are
literals of the expression, so the SQL of each rule is fixed for a given period and parameter
set; ``tests/engine/screening/sql/`` keeps it under snapshot test. :func:`run` binds the inputs,
scopes them, evaluates every rule in one query on the chosen backend and renders the sentences.

Every alert row has a uniform evidence shape: ``value``, ``value2``, ``threshold``, ``share``,
``detail`` and ``event_date``; the rule's sentence says what each one means.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dixian.engine.months import month_add  # noqa: F401 (re-exported)
from dixian.engine.policy import region_of_scope

from .. import schema
from ..feeds.schemas import FEEDS, arrow_schema
from ..income import BASIS_ORDER, block_window
from ..rules import lang
from ..scope import RegionScope, require_scope
from .params import resolve
from .spec import RULES, RULES_BY_ID, Rule

__all__ = ["ALERTS", "EVIDENCE", "build", "build_all", "input_schemas", "run", "households",
           "to_sql", "Context", "month_add", "select_rules"]

#: what each rule's expression yields before the common columns are added
EVIDENCE = ibis.schema({"household_code": "string", "member_id": "string",
                        "event_date": "date", "value": "float64", "value2": "float64",
                        "threshold": "float64", "share": "float64", "detail": "string"})

ALERTS = pa.schema([
    pa.field("period", pa.string()),
    pa.field("village_code", pa.string()),
    pa.field("household_code", pa.string()),
    pa.field("member_id", pa.string()),
    pa.field("rule_id", pa.string()),
    pa.field("rule_version", pa.int32()),
    pa.field("department", pa.string()),
    pa.field("risk_type", pa.string()),
    pa.field("category", pa.string()),
    pa.field("event_date", pa.date32()),
    pa.field("value", pa.float64()),
    pa.field("value2", pa.float64()),
    pa.field("threshold", pa.float64()),
    pa.field("share", pa.float64()),
    pa.field("detail", pa.string()),
    pa.field("evidence", pa.string()),
    pa.field("sentence_zh", pa.string()),
    pa.field("sentence_en", pa.string()),
    pa.field("household_alerts", pa.int32()),
    pa.field("household_review", pa.bool_()),
    pa.field("associated_members", pa.int32()),
])
#: the household columns the operators read (:func:`run` stages only these)
HOUSEHOLD_COLUMNS = ("household_code", "village_code", "household_type", "monitoring_category",
                     "risk_types", "risk_eliminated")
#: backends on which :func:`run` materialises shared intermediate tables (temporary tables)
STAGED_BACKENDS = ("duckdb", "postgres")
SORT = ["village_code", "household_code", "member_id", "rule_id", "event_date", "detail"]
#: the types of R1's table (constants: a type named by a string inside a function mutates
#: into a spelling Ibis still accepts)
F64, STR = ibis.dtype("float64"), ibis.dtype("string")
NO_NUMBER = ibis.null(F64)
#: snapshot tables a run reads when given (empty otherwise)
OPTIONAL_INPUTS = {"income_blocks": schema.INCOME_BLOCKS}
MATCH_COLUMNS = {"id_token": pa.string(), "member_id": pa.string(),
                 "household_code": pa.string(), "match_status": pa.string()}


def _first_day(month: str) -> _dt.date:
    y, m = map(int, month.split("-"))
    return _dt.date(y, m, 1)


def input_schemas() -> dict[str, pa.Schema]:
    """The Arrow schema of every input a rule may read."""
    out = {**schema.SNAPSHOT_SCHEMAS, **OPTIONAL_INPUTS}
    for dept in FEEDS:
        s = arrow_schema(dept)
        for name, t in MATCH_COLUMNS.items():
            if name not in s.names:
                s = s.append(pa.field(name, t))
        out[dept] = s
    return out


class Context:
    """Inputs (Ibis tables), resolved parameters and the period of one compilation.

    ``stage`` (optional) materialises an intermediate table that several rules share (the
    R1 incomes of :meth:`income`): on SQL backends :func:`run` makes it a temporary table, so
    that the 100 million income rows of a province are aggregated once, not once per R2 rule.
    The compiled SQL of a single rule (:func:`to_sql`) is unstaged. ``income``: the R1 table
    already computed (as :func:`r1_table` gives it), used instead of computing it.
    """

    def __init__(self, tables: Mapping[str, ir.Table], params: Mapping[str, Any], period: str,
                 stage: Any = None, income: ir.Table | None = None):
        self.t = tables
        self.p = params
        self.period = period
        self.period_end = _first_day(month_add(period, 1))   # exclusive
        self._stage = stage
        self._income: ir.Table | None = income

    def param(self, v: Any) -> Any:
        """A literal, ``"P.name"`` or ``"P.a * P.b"`` (a number)."""
        if isinstance(v, str) and v.startswith("P."):
            out = 1.0
            for term in v.split("*"):
                term = term.strip()
                x = self.p[term[2:]] if term.startswith("P.") else float(term)
                if isinstance(x, (list, tuple)):
                    return tuple(x)
                out *= x
            return out
        return v

    def households(self) -> ir.Table:
        return self.t["households"]

    def cohort(self) -> ir.Table:
        """household_code, low: 脱贫 or monitored (the lower alert lines apply)."""
        h = self.households()
        low = (h.household_type == "poverty_alleviated") | h.monitoring_category.notnull()
        return h.select(h.household_code, low=low)

    def received(self, feed: str) -> ir.Table:
        """Records of ``feed`` received in the event window ending at the period."""
        f = self.t[feed]
        start = month_add(self.period, 1 - int(self.p["event_window_months"]))
        return f.filter(f.batch_month >= start, f.batch_month <= self.period)

    def where(self, t: ir.Table, condition: str) -> ir.Table:
        """The records of ``t`` for which ``condition`` (the rule language) is true."""
        if not condition:
            return t
        expr = lang.compile_expr(lang.parse(condition), t.__getitem__, self.p, lambda n: None)
        return t.filter(expr)

    def income(self) -> ir.Table:
        """R1 over the income window (:func:`dixian.engine.income.r1_with_blocks`):
        household_code, months (recorded), members, oop, net (annualised), pcni, and
        block_month (the annual block's reference month where R1 is its, else null)."""
        if self._income is None:
            out = self._compute_income()
            self._income = self._stage(out) if self._stage is not None else out
        return self._income

    def _compute_income(self) -> ir.Table:
        inc = self.t["incomes"]
        w = int(self.p["income_window_months"])
        least = int(self.p["income_window_min_months"])
        start = month_add(self.period, 1 - w)
        inc = inc.filter(inc.period >= start, inc.period <= self.period)
        net = (inc.wage.fill_null(0) + inc.business.fill_null(0) + inc.property.fill_null(0)
               + inc.transfer.fill_null(0) - inc.business_cost.fill_null(0)).cast(F64)
        g = inc.mutate(net=net).group_by("household_code").aggregate(
            net_sum=lambda t: t.net.sum(), months=lambda t: t.period.nunique(),
            oop=lambda t: t.compliant_oop_medical.fill_null(0).sum().cast(F64))
        m = self.t["members"]
        size = m.filter(m.member_status == "active").group_by("household_code").aggregate(
            members=lambda t: t.member_id.count())
        if "income_blocks" not in self.t:
            j = g.join(size, "household_code")
            j = j.filter(j.months >= least, j.members > 0)
            annual = j.net_sum * w / j.months
            return j.select("household_code", "months", "members", "oop", net=annual,
                            pcni=annual / j.members, block_month=ibis.null(STR))
        # with the annual blocks: one row per household with active members, its monthly R1
        # where judged, else its latest block's
        s = size.filter(size.members > 0)
        j = s.left_join(g, "household_code").select(s.household_code, s.members, g.net_sum,
                                                     g.months, g.oop)
        b = self._latest_blocks()
        j = j.left_join(b, "household_code").select(
            j, b.reference_month, b.household_net, b.per_capita_net, b.compliant_oop_medical)
        monthly = j.months.notnull() & (j.months >= least)
        annual = j.net_sum * w / j.months
        per_capita = _number(j.per_capita_net)
        block_net = ibis.coalesce(j.household_net.cast(F64), per_capita * j.members)
        j = j.filter(monthly | j.reference_month.notnull())
        return j.select(
            j.household_code, months=j.months.fill_null(0), members=j.members,
            oop=ibis.ifelse(monthly, j.oop, j.compliant_oop_medical.fill_null(0)
                            .cast(F64)),
            net=ibis.ifelse(monthly, annual, block_net),
            pcni=ibis.ifelse(monthly, annual / j.members,
                             ibis.coalesce(per_capita, block_net / j.members)),
            block_month=ibis.ifelse(monthly, ibis.null(STR), j.reference_month))

    def _latest_blocks(self) -> ir.Table:
        """Per household, the latest annual block that speaks for the window
        (dixian.engine.income.latest_block): reference_month, household_net, per_capita_net,
        compliant_oop_medical."""
        b = self.t["income_blocks"]
        first, last = block_window(self.period, int(self.p["income_window_months"]))
        b = b.filter(b.reference_month >= first, b.reference_month <= last,
                     b.household_net.notnull() | _number(b.per_capita_net).notnull())
        # the latest reference month; on a tie, the basis BASIS_ORDER puts first
        rank = ibis.cases(*[(b.basis == basis, str(len(BASIS_ORDER) - k))
                            for k, basis in enumerate(BASIS_ORDER)], else_="0")
        b = b.mutate(key=b.reference_month.concat(rank))
        top = b.group_by("household_code").aggregate(top=lambda t: t.key.max())
        return b.join(top, [b.household_code == top.household_code, b.key == top.top]) \
            .select(b.household_code, b.reference_month, b.household_net, b.per_capita_net,
                    b.compliant_oop_medical)


def _number(x: ir.NumericValue) -> ir.FloatingValue:
    """A float column with NaN as null: a missing float reaches Spark as NaN from an Arrow
    or pandas table, and NaN is neither null to COALESCE nor below any line there."""
    x = x.cast(F64)
    return ibis.cases((x.isnan(), NO_NUMBER), else_=x)


def _evidence(t: ir.Table, **cols) -> ir.Table:
    out = {}
    for name, typ in EVIDENCE.items():
        v = cols.get(name)
        out[name] = (ibis.null(typ) if v is None else v).cast(typ)
    return t.select(**out)


def _cohort_threshold(ctx: Context, spec) -> tuple[float, float]:
    low, other = spec
    return float(ctx.param(low)), float(ctx.param(other))


# ------------------------------------------------------------------------------ operators
def _op_event(ctx: Context, r: Rule) -> ir.Table:
    spec = FEEDS[r.feed]
    f = ctx.where(ctx.received(r.feed), r.where)
    f = f.filter(f.household_code.notnull())
    date = spec.date_column
    vcol, dcol = r.args.get("value"), r.args.get("detail")
    agg = {"event_date": f[date].min()}
    if vcol:
        agg["value"] = (f[vcol].min() if r.args.get("value_agg") == "min" else f[vcol].max())
    if dcol:
        agg["detail"] = f[dcol].min()
    g = f.group_by(["household_code", "member_id"]).aggregate(**agg)
    return _evidence(g, household_code=g.household_code, member_id=g.member_id,
                     event_date=g.event_date, value=g["value"] if vcol else None,
                     detail=g["detail"] if dcol else None)


def _op_village_event(ctx: Context, r: Rule) -> ir.Table:
    f = ctx.where(ctx.received(r.feed), r.where)
    spec = FEEDS[r.feed]
    h = ctx.households().select("household_code", "village_code")
    vcol = r.args.get("value")
    # household-level records where the ID matched, else every household of the village
    own = f.filter(f.household_code.notnull()).select(
        "household_code", d=f[spec.date_column], v=(f[vcol] if vcol else ibis.null("float64")))
    vill = f.filter(f.household_code.isnull())
    vill = vill.join(h, vill.village_code == h.village_code).select(
        household_code=h.household_code, d=vill[spec.date_column],
        v=(vill[vcol] if vcol else ibis.null("float64")))
    u = own.union(vill.cast(own.schema()))
    g = u.group_by("household_code").aggregate(event_date=u.d.min(), value=u.v.max())
    thr = r.args.get("threshold")
    return _evidence(g, household_code=g.household_code, event_date=g.event_date,
                     value=g.value if vcol else None,
                     threshold=ibis.literal(float(ctx.param(thr))) if thr else None)


def _op_sum_window(ctx: Context, r: Rule) -> ir.Table:
    spec = FEEDS[r.feed]
    f = ctx.t[r.feed]
    window = int(ctx.param(r.args["window"]))
    start = _first_day(month_add(ctx.period, 1 - window))
    d = f[spec.date_column]
    f = f.filter(f.batch_month <= ctx.period, d >= start, d < ctx.period_end,
                 f.household_code.notnull())
    f = ctx.where(f, r.where)
    g = f.group_by(["household_code", "member_id"]).aggregate(
        total=f[r.args["amount"]].sum().cast("float64"), last=f[spec.date_column].max())
    c = ctx.cohort()
    j = g.join(c, "household_code")
    t_low, t_other = _cohort_threshold(ctx, r.args["threshold"])
    thr = ibis.ifelse(j.low, t_low, t_other)
    share = None
    if "share" in r.args:
        s_low, s_other = (float(ctx.param(x)) for x in r.args["share"])
        share = ibis.ifelse(j.low, s_low, s_other)
    j = j.mutate(thr=thr, sh=share if share is not None else ibis.null("float64"))
    j = j.filter(j.total > j.thr)
    return _evidence(j, household_code=j.household_code, member_id=j.member_id,
                     event_date=j["last"], value=j.total, threshold=j.thr,
                     share=j.sh if share is not None else None,
                     value2=ibis.literal(float(window)))


def _op_max_record(ctx: Context, r: Rule) -> ir.Table:
    spec = FEEDS[r.feed]
    f = ctx.where(ctx.received(r.feed), r.where)
    f = f.filter(f.household_code.notnull())
    c = ctx.cohort()
    j = f.join(c, "household_code")
    t_low, t_other = _cohort_threshold(ctx, r.args["threshold"])
    j = j.mutate(thr=ibis.ifelse(j.low, t_low, t_other),
                 amt=j[r.args["amount"]].cast("float64"))
    j = j.filter(j.amt > j.thr)
    g = j.group_by(["household_code", "member_id"]).aggregate(
        value=j.amt.max(), event_date=j[spec.date_column].min(), thr=j.thr.min())
    return _evidence(g, household_code=g.household_code, member_id=g.member_id,
                     event_date=g.event_date, value=g.value, threshold=g.thr)


def _op_unresolved_duration(ctx: Context, r: Rule) -> ir.Table:
    spec = FEEDS[r.feed]
    f = ctx.t[r.feed]
    d = f[spec.date_column]
    f = f.filter(f.batch_month <= ctx.period, d < ctx.period_end, f.household_code.notnull())
    starts = ctx.where(f, r.args["start"]).group_by(["household_code", "member_id"]).aggregate(
        started=lambda t: t[spec.date_column].max())
    ends = ctx.where(f, r.args["end"]).group_by("member_id").aggregate(
        ended=lambda t: t[spec.date_column].max())
    j = starts.join(ends, "member_id", how="left")
    j = j.filter(j.ended.isnull() | (j.ended < j.started))
    pe = _first_day(ctx.period)
    months = (pe.year * 12 + pe.month) - (j.started.year() * 12 + j.started.month())
    n = int(ctx.param(r.args["months"]))
    j = j.mutate(months=months.cast("float64"))
    j = j.filter(j.months >= n)
    return _evidence(j, household_code=j.household_code, member_id=j.member_id,
                     event_date=j.started, value=j.months, threshold=ibis.literal(float(n)))


def _not_monitored(h: ir.Table) -> ir.BooleanValue:
    return h.monitoring_category.isnull() | (h.risk_eliminated.fill_null(False))


def _op_income_below_line(ctx: Context, r: Rule) -> ir.Table:
    inc = ctx.income()
    h = ctx.households()
    h = h.filter(h.household_type == r.args["household_type"], _not_monitored(h))
    j = inc.join(h.select("household_code"), "household_code")
    line = float(ctx.p["monitoring_line"])
    j = j.filter(j.pcni < line)
    return _evidence(j, household_code=j.household_code, value=j.pcni,
                     threshold=ibis.literal(line), detail=_income_basis(j))


def _income_basis(j: ir.Table) -> ir.StringValue:
    """``annual:YYYY-MM`` where R1 is the national system's annual block, else null."""
    return ibis.literal("annual:").concat(j.block_month)


def _op_rigid_spending(ctx: Context, r: Rule) -> ir.Table:
    inc = ctx.income()
    window = int(ctx.p["medical_lookback_months"])
    start = _first_day(month_add(ctx.period, 1 - window))
    med = ctx.t["medical"]
    med = med.filter(med.batch_month <= ctx.period, med.settle_date >= start,
                     med.settle_date < ctx.period_end, med.household_code.notnull())
    fm = med.group_by("household_code").aggregate(
        feed_oop=lambda t: t.oop_compliant.sum().cast("float64"))
    j = inc.join(fm, "household_code", how="left")
    rigid = ibis.greatest(j.oop, j.feed_oop.fill_null(0.0))
    j = j.mutate(rigid=rigid, adj=(j.net - rigid) / j.members)
    line = float(ctx.p["monitoring_line"])
    j = j.filter(j.pcni >= line, j.adj < line, j.rigid > 0)
    return _evidence(j, household_code=j.household_code, value=j.adj, value2=j.pcni,
                     threshold=ibis.literal(line), share=j.rigid, detail=_income_basis(j))


def _op_negative_screen(ctx: Context, r: Rule) -> ir.Table:
    spec = FEEDS[r.feed]
    f = ctx.t[r.feed]
    f = f.filter(f.batch_month <= ctx.period, f.household_code.notnull())
    g = f.group_by("household_code").aggregate(event_date=f[spec.date_column].min(),
                                                detail=f[r.args["detail"]].min(),
                                                value=f.record_id.count())
    return _evidence(g, household_code=g.household_code, event_date=g.event_date,
                     detail=g.detail, value=g.value)


OPS = {"event": _op_event, "village_event": _op_village_event, "sum_window": _op_sum_window,
       "max_record": _op_max_record, "unresolved_duration": _op_unresolved_duration,
       "income_below_line": _op_income_below_line,
       "rigid_spending_below_line": _op_rigid_spending, "negative_screen": _op_negative_screen}


def build(rule: Rule, ctx: Context) -> ir.Table:
    """The alerts of one rule: evidence + rule columns, minus households already monitored
    for the same risk (for R2 rules: monitored at all)."""
    e = OPS[rule.operator](ctx, rule)
    h = ctx.households()
    j = e.join(h.select("household_code", "village_code", "monitoring_category", "risk_types",
                        "risk_eliminated"), "household_code")
    active = j.monitoring_category.notnull() & ~j.risk_eliminated.fill_null(False)
    if rule.risk_type is not None and rule.category is None:
        dup = active & j.risk_types.contains(rule.risk_type).fill_null(False)
        j = j.filter(~dup)
    elif rule.category is not None:
        j = j.filter(~active)
    return j.select(
        period=ibis.literal(ctx.period), village_code=j.village_code,
        household_code=j.household_code, member_id=j.member_id,
        rule_id=ibis.literal(rule.id), rule_version=ibis.literal(rule.version, "int32"),
        department=ibis.literal(rule.department),
        risk_type=ibis.literal(rule.risk_type, "string"),
        category=ibis.literal(rule.category, "string"),
        event_date=j.event_date, value=j.value, value2=j.value2, threshold=j.threshold,
        share=j.share, detail=j.detail)


def build_all(rules: Iterable[Rule], ctx: Context) -> ir.Table:
    """The alerts of all ``rules``: what :func:`build` gives for each, in one expression.

    The rules' evidence is put together first and joined to the households once (not once
    per rule); the de-duplication against monitored households is then chosen per row by
    its rule."""
    rules = list(rules)
    parts = [OPS[r.operator](ctx, r).mutate(rule_id=ibis.literal(r.id)) for r in rules]
    e = parts[0]
    for x in parts[1:]:
        e = e.union(x)
    h = ctx.households()
    j = e.join(h.select("household_code", "village_code", "monitoring_category", "risk_types",
                        "risk_eliminated"), "household_code")
    active = j.monitoring_category.notnull() & ~j.risk_eliminated.fill_null(False)

    def per_rule(values: dict[str, Any], typ: str) -> ir.Value:
        branches = [(j.rule_id == k, ibis.literal(v, typ)) for k, v in values.items()
                    if v is not None]
        return ibis.cases(*branches, else_=ibis.null(typ)) if branches else ibis.null(typ)

    by_risk = {r.id: r.risk_type for r in rules if r.risk_type is not None and r.category is None}
    by_category = [r.id for r in rules if r.category is not None]
    dup = ibis.literal(False)
    if by_risk:
        dup = dup | j.risk_types.contains(per_rule(by_risk, "string")).fill_null(False)
    if by_category:
        dup = dup | j.rule_id.isin(by_category)
    j = j.filter(~(active & dup))
    return j.select(
        period=ibis.literal(ctx.period), village_code=j.village_code,
        household_code=j.household_code, member_id=j.member_id, rule_id=j.rule_id,
        rule_version=per_rule({r.id: r.version for r in rules}, "int32"),
        department=per_rule({r.id: r.department for r in rules}, "string"),
        risk_type=per_rule({r.id: r.risk_type for r in rules}, "string"),
        category=per_rule({r.id: r.category for r in rules}, "string"),
        event_date=j.event_date, value=j.value, value2=j.value2, threshold=j.threshold,
        share=j.share, detail=j.detail)


def unbound_tables() -> dict[str, ir.Table]:
    return {name: ibis.table(ibis.Schema.from_pyarrow(s), name=name)
            for name, s in input_schemas().items()}


def to_sql(rule: Rule | str, *, period: str = "2025-06", province: str | None = "52",
           params: Mapping[str, Any] | None = None, dialect: str = "duckdb") -> str:
    """The SQL a rule compiles to, over tables named as the inputs."""
    rule = RULES_BY_ID[rule] if isinstance(rule, str) else rule
    ctx = Context(unbound_tables(), resolve(province, int(period[:4]), params, period=period),
                  period)
    return ibis.to_sql(build(rule, ctx), dialect=dialect)


def select_rules(rules: Iterable[str | Rule] | None) -> tuple[Rule, ...]:
    if rules is None:
        return RULES
    out = []
    for r in rules:
        if isinstance(r, Rule):
            out.append(r)
        elif r in RULES_BY_ID:
            out.append(RULES_BY_ID[r])
        else:
            raise KeyError(f"unknown screening rule {r!r}")
    return tuple(out)


# ------------------------------------------------------------------------------ running
def _arrow(x: Any) -> pa.Table:
    if isinstance(x, pa.Table):
        return x
    if isinstance(x, (str, bytes)) or hasattr(x, "__fspath__"):
        import pyarrow.parquet as pq

        return pq.read_table(x)
    return pa.Table.from_pandas(x, preserve_index=False)


def _conform(t: pa.Table | None, s: pa.Schema) -> pa.Table:
    if t is None:
        return s.empty_table()
    cols = []
    for f in s:
        if f.name in t.column_names:
            cols.append(t[f.name].cast(f.type))
        else:
            cols.append(pa.nulls(t.num_rows, f.type))
    return pa.Table.from_arrays(cols, schema=pa.schema([pa.field(f.name, f.type) for f in s]))


def _scope_pred(col: ir.StringValue, scope: RegionScope) -> ir.BooleanValue | None:
    if scope.national:
        return None
    if not scope.prefixes:
        return ibis.literal(False)
    out = col.startswith(scope.prefixes[0])
    for p in scope.prefixes[1:]:
        out = out | col.startswith(p)
    return out


def _parquet_files(x: Any) -> bool:
    """A Parquet file path or a non-empty list of them (directories are read into memory)."""
    if isinstance(x, (list, tuple)):
        return bool(x) and all(_parquet_files(p) for p in x)
    return (isinstance(x, str) or hasattr(x, "__fspath__")) and os.path.isfile(x)


def _conform_expr(t: ir.Table, s: pa.Schema) -> ir.Table:
    """An Ibis table with exactly the columns of ``s``: cast where the type differs, typed
    nulls where a column is missing (what :func:`_conform` does to an Arrow table)."""
    target = ibis.Schema.from_pyarrow(s)
    cols = {}
    for name, typ in target.items():
        if name in t.columns:
            c = t[name]
            cols[name] = c if c.type() == typ else c.cast(typ)
        else:
            cols[name] = ibis.null(typ)
    return t.select(**cols)


def _source(src: Any, s: pa.Schema, con: Any) -> ir.Table:
    """One input as an Ibis table of schema ``s``.

    An Ibis table (for instance one of a PostgreSQL backend) is used where it is; Parquet
    paths are read lazily by DuckDB (only the columns and row groups a rule needs); anything
    else is read into memory."""
    if isinstance(src, ir.Table):
        return _conform_expr(src, s)
    if src is not None and _parquet_files(src) and getattr(con, "name", None) == "duckdb":
        paths = [str(p) for p in src] if isinstance(src, (list, tuple)) else str(src)
        return _conform_expr(con.read_parquet(paths), s)
    return ibis.memtable(_conform(None if src is None else _arrow(src), s))


def _bind(snapshot: Mapping[str, Any], feeds: Mapping[str, Any] | None,
          scope: RegionScope, con: Any = None) -> dict[str, ir.Table]:
    schemas = input_schemas()
    out = {}
    for name, s in schemas.items():
        src = snapshot.get(name) if name in schema.SNAPSHOT_SCHEMAS or name in OPTIONAL_INPUTS \
            else (feeds or {}).get(name)
        if name in schema.SNAPSHOT_SCHEMAS and src is None:
            raise ValueError(f"snapshot table {name!r} is missing")
        if name in OPTIONAL_INPUTS and src is None:
            continue  # R1 reads monthly rows only
        t = _source(src, s, con)
        col = t.village_code if name == "households" else t.household_code
        pred = _scope_pred(col, scope)
        if name in FEEDS and "village_code" in t.columns and pred is not None:
            vp = _scope_pred(t.village_code, scope)
            pred = pred | (t.household_code.isnull() & vp)
        out[name] = t if pred is None else t.filter(pred)
    return out


def _backend(backend: Any):
    if backend is None or backend == "duckdb":
        return ibis.duckdb.connect()
    if backend == "spark":
        import os
        import sys

        from pyspark.sql import SparkSession

        # Local workers must run the driver's Python (PySpark refuses mixed minor versions).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

        session = (SparkSession.builder.master("local[2]").appName("dixian-screening")
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.sql.shuffle.partitions", "4")
                   .config("spark.ui.enabled", "false").getOrCreate())
        return ibis.pyspark.connect(session)
    return backend  # an Ibis backend object


def r1_table(snapshot_tables: Mapping[str, Any], scope: RegionScope, *, period: str,
             params: Mapping[str, Any] | None = None) -> pa.Table:
    """R1 for every household of ``scope`` whose income can be judged, over the window ending
    with ``period``: ``household_code``, ``months``, ``members``, ``oop`` (rigid spending,
    as recorded), ``net`` (annualised), ``pcni``. The table version of
    :func:`dixian.engine.income.r1` (a test proves they agree)."""
    scope = require_scope(scope)
    p = resolve(region_of_scope(scope), int(period[:4]), params, period=period)
    con = _backend("duckdb")
    tables = _bind(snapshot_tables, None, scope, con)
    out = Context(tables, p, period).income().order_by("household_code")
    return con.to_pyarrow(out)


def run(snapshot_tables: Mapping[str, Any], feeds_tables: Mapping[str, Any] | None,
        scope: RegionScope, *, period: str, params: Mapping[str, Any] | None = None,
        rules: Iterable[str | Rule] | None = None, backend: Any = "duckdb",
        on: _dt.date | None = None, income: pa.Table | None = None,
        render: bool = True) -> pa.Table:
    """All screening alerts for ``period`` (``'YYYY-MM'``) in ``scope``, as :data:`ALERTS`.

    ``snapshot_tables``: ``households``, ``members``, ``incomes`` (Arrow tables, pandas frames,
    Parquet paths or Ibis tables of ``backend``). ``feeds_tables``: department -> matched feed
    (the same kinds; missing ones are empty). On DuckDB, Parquet paths are read lazily (only
    the columns and rows the rules use). ``params``: overrides of :mod:`.params`. ``backend``:
    ``"duckdb"``, ``"spark"`` or an Ibis backend (e.g. PostgreSQL holding the tables, given as
    its Ibis tables). ``on``: the run's day, whose policy applies (default: the period's last
    day). Rows are sorted by village, household, member, rule and date.

    ``income``: R1 as :func:`r1_table` gives it for the same snapshot, period and income
    window, when the caller has it already (a policy preview runs the R2 rules under two
    policies on one R1); the ``incomes`` and ``members`` tables are then not read.
    ``render=False``: the alerts without their JSON evidence and sentences (nulls), for callers
    that only compare alerts.
    """
    scope = require_scope(scope)
    if not isinstance(period, str) or len(period) != 7 or period[4] != "-":
        raise ValueError(f"period must be 'YYYY-MM', got {period!r}")
    p = resolve(region_of_scope(scope), int(period[:4]), params, period=period, on=on)
    chosen = tuple(r for r in select_rules(rules) if r.id not in p["rules_off"])
    con = _backend(backend)
    tables = _bind(snapshot_tables, feeds_tables, scope, con)
    stage = _Stage(con) if getattr(con, "name", None) in STAGED_BACKENDS else None
    try:
        if stage is not None:
            # read once: every rule joins the households (cohort, dedupe), some several times
            tables["households"] = stage(tables["households"].select(*HOUSEHOLD_COLUMNS))
        given = None
        if income is not None:
            given = ibis.memtable(income)
            given = stage(given) if stage is not None else given
        ctx = Context(tables, p, period, stage=stage, income=given)
        expr = build_all(chosen, ctx)
        raw = con.to_pyarrow(expr)
    finally:
        if stage is not None:
            stage.drop()
    return _finish(raw, chosen, p, period, render=render)


class _Stage:
    """Materialise shared intermediate tables as temporary tables of the backend (dropped
    after the run). Ibis' own ``Table.cache`` is not used: its clean-up emits a ``DROP`` that
    the pinned sqlglot renders without the table name."""

    def __init__(self, con: Any):
        self.con = con
        self.names: list[str] = []

    def __call__(self, t: ir.Table) -> ir.Table:
        import uuid

        name = f"dixian_stage_{uuid.uuid4().hex[:12]}"
        out = self.con.create_table(name, t, temp=True)
        self.names.append(name)
        return out

    def drop(self) -> None:
        for name in self.names:
            cur = self.con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
            if self.con.name == "postgres":
                cur.close()
        self.names.clear()


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{round(x):,}"


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def _finish(raw: pa.Table, rules: tuple[Rule, ...], p: Mapping[str, Any], period: str,
            render: bool = True) -> pa.Table:
    """The alerts: negative-screen rows without another clue dropped, sorted, with the JSON
    evidence, the two sentences and the household counts (associated monitoring).

    Filtering, sorting and counting are columnar; only the evidence and the sentences are
    formatted row by row (a province's month is a few hundred thousand alerts)."""
    # the negative screen only flags households that have another clue
    negative = [r.id for r in rules if r.operator == "negative_screen"]
    if negative and raw.num_rows:
        is_neg = pc.is_in(raw["rule_id"], pa.array(negative, pa.string()))
        flagged = raw.filter(pc.invert(is_neg))["household_code"]
        raw = raw.filter(pc.is_in(raw["household_code"], flagged))
    if not raw.num_rows:
        return ALERTS.empty_table()
    # by the text of each key, a missing value first (Arrow's sort is stable)
    raw = raw.sort_by([(k, "ascending", "at_start") for k in SORT])
    hh = raw["household_code"]
    member = raw["member_id"]
    member = pc.if_else(pc.equal(member, ""), pa.scalar(None, member.type), member)
    counts = pa.table({"h": hh, "m": member}).group_by("h").aggregate(
        [([], "count_all"), ("m", "count_distinct")])
    at = pc.index_in(hh, counts["h"])
    household_alerts = pc.take(counts["count_all"], at).cast(pa.int32())
    associated = pc.take(counts["m_count_distinct"], at).cast(pa.int32())
    if not render:
        none = pa.nulls(raw.num_rows, pa.string())
        extra = {"evidence": none, "sentence_zh": none, "sentence_en": none,
                 "household_alerts": household_alerts,
                 "household_review": pa.array(np.ones(raw.num_rows, dtype=bool)),
                 "associated_members": associated}
        cols = [extra[f.name] if f.name in extra else raw[f.name].cast(f.type) for f in ALERTS]
        return pa.Table.from_arrays(cols, schema=ALERTS)

    window = int(p["income_window_months"])
    year = period[:4]
    per_rule = {}
    for rule in rules:
        labels = {}
        if rule.feed and rule.args.get("detail"):
            col = FEEDS[rule.feed].column(rule.args["detail"])
            labels = dict(col.values or {})
        per_rule[rule.id] = (rule, labels, {k: p[k] for k in rule.params if k in p
                                            and not k.endswith("_by_year")})
    c = raw.select(["rule_id", "value", "value2", "threshold", "share", "detail",
                    "event_date"]).to_pydict()
    evidence, zh, en = [], [], []
    line = p["monitoring_line"]
    for rid, value, value2, thr, share, detail, date in zip(
            c["rule_id"], c["value"], c["value2"], c["threshold"], c["share"], c["detail"],
            c["event_date"], strict=True):
        rule, labels, params = per_rule[rid]
        win = window if rule.department == "registry" else int(value2 or 0) or window
        iso = date.isoformat() if date else None
        ev = {"value": value, "value2": value2, "threshold": thr, "share": share,
              "detail": detail, "event_date": iso, "window_months": win, "params": params}
        if rule.category:
            ev["monitoring_line"] = line
        evidence.append(_JSON.encode(ev))
        if detail is None:
            d_zh = d_en = ""
        elif detail in labels:
            d_zh, d_en = labels[detail], detail.replace("_", " ")
        else:
            d_zh = d_en = detail
        fill = {"value": _fmt(value), "value2": _fmt(value2), "threshold": _fmt(thr),
                "share_pct": f"{share * 100:.0f}%" if share is not None else "",
                "window": win, "date": iso or "", "detail_zh": d_zh, "detail_en": d_en,
                "line": line, "year": year}
        zh.append(rule.sentence_zh.format(**fill))
        en.append(rule.sentence_en.format(**fill))
    extra = {"evidence": pa.array(evidence, pa.string()),
             "sentence_zh": pa.array(zh, pa.string()),
             "sentence_en": pa.array(en, pa.string()),
             "household_alerts": household_alerts,
             "household_review": pa.array(np.ones(raw.num_rows, dtype=bool)),
             "associated_members": associated}
    cols = [extra[f.name] if f.name in extra else raw[f.name].cast(f.type) for f in ALERTS]
    return pa.Table.from_arrays(cols, schema=ALERTS)


def households(alerts: pa.Table) -> pa.Table:
    """One row per household under review (associated monitoring): its alerts grouped.

    A member's alert puts the whole household under review; ``members_alerted`` counts the
    members with a personal alert, ``rules`` and ``risk_types`` list what was found.
    """
    import duckdb

    con = duckdb.connect()
    con.register("a", alerts)
    out = con.sql("""
        select household_code, any_value(village_code) village_code, any_value(period) period,
               list(distinct rule_id order by rule_id) rules,
               list(distinct risk_type order by risk_type) filter (where risk_type is not null)
                   risk_types,
               list(distinct category order by category) filter (where category is not null)
                   categories,
               count(*)::int alerts, count(distinct member_id)::int members_alerted,
               true review, '关联监测：家庭成员预警，全户纳入核实' review_reason_zh,
               'associated monitoring: a member''s alert puts the household under review'
                   review_reason_en
        from a group by household_code order by village_code, household_code""").to_arrow_table()
    con.close()
    return out


_ = pc  # pyarrow.compute is re-exported for callers that post-process alerts
