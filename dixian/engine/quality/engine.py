"""Compile the rules and run them: in bulk over a snapshot, or at entry time over a few records.

1. :func:`compile_rules` parses every check (a rule, or one field of an ``each`` rule) and
   validates it: known columns and parameters, enumeration codes, message placeholders. It
   works out what the check reads and its *context* (row, household or registry).
2. :func:`plan` turns a rule set into Ibis expressions over unbound tables (``dq_households``,
   ``dq_members``, ``dq_incomes``, ``dq_villages`` and the one-row ``dq_run`` of the run's
   constants), compiled once to DuckDB SQL and cached: the *providers* the checks need
   (shared aggregates), then per table and group of checks a *hits* query (the rows where a
   condition holds) and a *findings* query (value and messages rendered by the backend, on
   those rows only). A bulk plan materialises the providers and runs checks on sparse
   providers (duplicates, orphans, outliers) on inner joins; an entry-time plan inlines
   everything in fewer statements. The checks are the same expressions either way.
3. :func:`evaluate` registers the inputs under the ``dq_*`` names on a DuckDB connection,
   executes the plan and assembles the findings (:data:`FINDINGS`), sorted.

The expressions are plain Ibis, so another backend can run them; only DuckDB does today (a
trial on local Spark ran the plan once the providers were cached as Spark tables).
"""

from __future__ import annotations

import ast
import datetime as _dt
import functools
import glob
import json
import string
import threading
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from dixian.engine.policy import region_of_scope

from .. import schema
from ..rules import lang
from ..scope import RegionScope, require_scope
from . import derive
from .catalogue import RULES
from .params import resolve
from .spec import CONTEXTS, Check, Rule

__all__ = ["FINDINGS", "CompiledCheck", "Plan", "ViewPlan", "compile_rules", "plan", "evaluate",
           "run", "check_records", "select_rules", "RuleError", "summary"]

#: one row per finding
FINDINGS = pa.schema([
    pa.field("rule_id", pa.string()),
    pa.field("rule_version", pa.int32()),
    pa.field("severity", pa.string()),
    pa.field("level", pa.string()),
    pa.field("table", pa.string()),
    pa.field("household_code", pa.string()),
    pa.field("member_id", pa.string()),
    pa.field("period", pa.string()),
    pa.field("village_code", pa.string()),
    pa.field("field", pa.string()),
    pa.field("value", pa.string()),
    pa.field("message_zh", pa.string()),
    pa.field("message_en", pa.string()),
])
SORT_KEYS = ["village_code", "household_code", "member_id", "period", "rule_id", "field",
             "value"]
KEYS = {"households": ("household_code", "village_code"),
        "members": ("household_code", "member_id"),
        "incomes": ("household_code", "period"),
        "villages": ("village_code",)}
SNAPSHOT_TABLES = ("households", "members", "incomes", "villages")
EMPTY = {"zh": "空", "en": "empty"}
BOOL_TEXT = {"zh": ("是", "否"), "en": ("yes", "no")}


class RuleError(ValueError):
    """A rule that does not compile against the snapshot schema."""


# ============================================================================ compilation
@dataclass(frozen=True)
class CompiledCheck:
    check: Check
    when: ast.Expression
    value: ast.Expression
    messages: dict[str, tuple[tuple[str, Any], ...]]   # lang -> ((literal, expr|None), ...)
    names: frozenset[str]          # view columns needed for the value and messages
    cond_names: frozenset[str]
    context: str
    reads: tuple[str, ...]
    tables: frozenset[str]

    @property
    def rule(self) -> Rule:
        return self.check.rule


def _field_zh(table: str, name: str) -> str:
    if table in schema.SNAPSHOT_SCHEMAS and name in schema.SNAPSHOT_SCHEMAS[table].names:
        return (schema.SNAPSHOT_SCHEMAS[table].field(name).metadata or {}).get(
            b"zh", name.encode()).decode()
    if table == "villages" and name in derive.VILLAGES_ZH:
        return derive.VILLAGES_ZH[name]
    for view in derive.COLUMNS.values():
        if name in view and view[name].zh:
            return view[name].zh
    return name


def _closure(view: str, names: Iterable[str]) -> tuple[set[str], str, set[str]]:
    """(base fields read, context, snapshot tables needed) of ``names`` in ``view``."""
    reads, tables, rank = set(), set(), 0
    base = set(derive.base_fields(view)) if view != "villages" else set(
        derive.village_base_columns())
    own_table = "households" if view == "villages" else view
    tables.add(own_table)
    seen = set()

    def visit(n):
        nonlocal rank
        if n in seen:
            return
        seen.add(n)
        if n in base:
            if view == "villages":
                reads.add("households.village_code")
                rank = max(rank, derive.CONTEXT_RANK["registry"])
            else:
                reads.add(f"{view}.{n}")
            return
        col = derive.COLUMNS[view].get(n)
        if col is None:
            raise RuleError(f"{view} has no column or derived column {n!r}")
        reads.update(col.reads)
        rank = max(rank, derive.CONTEXT_RANK[col.context])
        if col.provider:
            tables.update(derive.PROVIDERS[col.provider].needs_tables)
        for dep in col.needs:
            visit(dep)

    for n in names:
        visit(n)
    if view == "villages":
        tables.update({"households", "members"})
    context = CONTEXTS[rank]
    return reads, context, tables


def _compile_message(text: str, check: Check) -> tuple[tuple[str, Any], ...]:
    parts = []
    for literal, fname, _spec, _conv in string.Formatter().parse(text):
        if literal:
            parts.append((literal, None))
        if fname is None:
            continue
        if fname == "field":
            parts.append((check.field, None))
        elif fname == "field_zh":
            parts.append((_field_zh(check.rule.target_table, check.field), None))
        elif fname == "value":
            parts.append(("", "value"))
        else:
            parts.append(("", lang.parse(fname)))
    return tuple(parts)


def _validate_enums(view: str, tree: ast.AST, rule_id: str) -> None:
    for col, values in lang.enum_comparisons(tree):
        enum = derive.column_enum(view, col)
        if enum is None:
            continue
        bad = [v for v in values if v not in schema.ENUMS[enum]]
        if bad:
            raise RuleError(f"{rule_id}: {bad} are not codes of {col} ({enum})")


def compile_check(check: Check, params: Mapping[str, Any] | None = None) -> CompiledCheck:
    rule = check.rule
    params = resolve(params)
    view = rule.table
    try:
        when = lang.parse(check.when)
        value = lang.parse(check.value)
        messages = {"zh": _compile_message(check.message_zh, check),
                    "en": _compile_message(check.message_en, check)}
    except lang.RuleSyntaxError as exc:
        raise RuleError(f"{rule.id}: {exc}") from None
    msg_names, msg_params = set(), set()
    for parts in messages.values():
        for _lit, tree in parts:
            if isinstance(tree, ast.AST):
                msg_names |= lang.names(tree)
                msg_params |= lang.param_names(tree)
    cond_names = lang.names(when)
    names = lang.names(value) | msg_names
    unknown = (lang.param_names(when) | lang.param_names(value) | msg_params) - set(params)
    if unknown:
        raise RuleError(f"{rule.id}: unknown parameter(s) {sorted(unknown)}")
    _validate_enums(view, when, rule.id)
    reads, context, tables = _closure(view, cond_names | names)
    reads |= set(rule.extra_reads)
    tables |= set(rule.requires)
    return CompiledCheck(check=check, when=when, value=value, messages=messages,
                         names=frozenset(names), cond_names=frozenset(cond_names),
                         context=context, reads=tuple(sorted(reads)), tables=frozenset(tables))


@functools.lru_cache(maxsize=64)
def _compile_all(rules: tuple[Rule, ...]) -> tuple[CompiledCheck, ...]:
    return tuple(compile_check(c) for r in rules for c in r.checks())


def compile_rules(rules: Iterable[Rule] | None = None) -> tuple[CompiledCheck, ...]:
    """Compile (and validate) rules; raises :class:`RuleError` on the first bad one."""
    return _compile_all(tuple(RULES if rules is None else rules))


def select_rules(rules: Iterable[str | Rule] | None) -> tuple[Rule, ...]:
    """All rules, or the given rules / rule ids (unknown ids raise ``KeyError``)."""
    if rules is None:
        return tuple(RULES)
    by_id = {r.id: r for r in RULES}
    out = []
    for r in rules:
        if isinstance(r, Rule):
            out.append(r)
        elif r in by_id:
            out.append(by_id[r])
        else:
            raise KeyError(f"unknown rule id {r!r}")
    return tuple(out)


# ============================================================================ rendering
def _text(x: Any, lang_: str, enum: str | None = None) -> ir.StringValue:
    """An evidence value as display text in one language (enum labels in Chinese)."""
    if not isinstance(x, ir.Expr):
        if isinstance(x, bool):
            return ibis.literal(BOOL_TEXT[lang_][0 if x else 1])
        return ibis.literal(str(x))
    dt = x.type()
    if dt.is_boolean():
        out = ibis.ifelse(x, BOOL_TEXT[lang_][0], BOOL_TEXT[lang_][1])
    elif dt.is_floating() or dt.is_decimal():
        out = ibis.ifelse(x.abs() >= 100, x.round(0).cast("int64").cast("string"),
                          x.round(2).cast("string"))
    elif enum and lang_ == "zh" and dt.is_string():
        out = x.substitute(derive.enum_labels(enum), else_=x)
    elif enum and lang_ == "zh" and dt.is_array():
        out = x.map(lambda e: e.substitute(derive.enum_labels(enum), else_=e)).join("、")
    else:
        out = x.cast("string")
    return out.fill_null(EMPTY[lang_])


def _value_text(x: Any) -> ir.StringValue:
    """The evidence ``value`` column: the machine value as text (codes, not labels)."""
    if not isinstance(x, ir.Expr):
        return ibis.literal(None if x is None else str(x), type="string")
    if x.type().is_floating():
        return ibis.ifelse(x.abs() >= 100, x.round(0).cast("int64").cast("string"),
                           x.round(2).cast("string"))
    return x.cast("string")


def _expr_enum(view: str, tree: ast.AST) -> str | None:
    body = tree.body if isinstance(tree, ast.Expression) else tree
    if isinstance(body, ast.Name):
        return derive.column_enum(view, body.id)
    return None


# ============================================================================ planning
@dataclass(frozen=True)
class ViewPlan:
    """One table's part of a plan: the rows where any rule holds, then the findings."""

    view: str
    hits_name: str
    hits: ir.Table          # Ibis expression over the unbound dq_* tables
    findings: ir.Table      # Ibis expression over the unbound hits table
    hits_sql: str
    findings_sql: str


@dataclass(frozen=True)
class Plan:
    """A compiled rule set: the providers to materialise (name, Ibis expression, SQL), then
    one :class:`ViewPlan` per table."""

    checks: tuple[CompiledCheck, ...]
    steps: tuple[tuple[str, ir.Table, str], ...]
    views: tuple[ViewPlan, ...]


def _unbound(name: str) -> ir.Table:
    return ibis.table(_expected_schema(name), name=f"dq_{name}")


def _scoped(tables: Mapping[str, ir.Table], scope: RegionScope) -> dict[str, ir.Table]:
    """Filter by the scope's division-code prefixes (households and villages by village code;
    members and incomes by the household code, which begins with the village code)."""
    if scope.national:
        return dict(tables)
    out = {}
    for name, t in tables.items():
        col = t.village_code if name in ("households", "villages") else t.household_code
        cond = None
        for p in scope.prefixes:
            c = col.startswith(p)
            cond = c if cond is None else cond | c
        out[name] = t.filter(cond if cond is not None else ibis.literal(False))
    return out


_plans: dict[tuple, Plan] = {}
_plans_lock = threading.Lock()


def plan(rules: Iterable[str | Rule] | None, present: Iterable[str], scope: RegionScope,
         params: Mapping[str, Any] | None = None, *, bulk: bool = True) -> Plan:
    """The compiled plan (Ibis expressions and their DuckDB SQL) for a rule set, the tables
    present and a scope; cached, since compiling is the slow part of a small run.

    The same compiled checks run either way; ``bulk`` only changes the physical plan: shared
    aggregates are materialised once and the checks on sparse providers (duplicates,
    orphans, outliers) run on inner joins, which pays on millions of rows; a few entry-time
    records are faster with fewer, larger statements.
    """
    params = resolve(params, region=region_of_scope(scope))
    rules_t = tuple(r for r in select_rules(rules) if r.id not in params.get("rules_off", ()))
    key = (rules_t, frozenset(present), scope,
           json.dumps(params, sort_keys=True, default=str), bulk)
    with _plans_lock:
        if key in _plans:
            return _plans[key]
    built = _build_plan(rules_t, frozenset(present), scope, params, bulk)
    with _plans_lock:
        if len(_plans) > 64:
            _plans.clear()
        _plans[key] = built
    return built


def _build_plan(rules: tuple[Rule, ...], present: frozenset[str], scope: RegionScope,
                params: Mapping[str, Any], bulk: bool = True) -> Plan:
    checks = tuple(c for c in compile_rules(rules) if c.tables <= present)
    tables = {name: _unbound(name) for name in present}
    run_t = ibis.table(derive.RUN, name="dq_run")
    ctx = derive.Context(_scoped(tables, scope), run_t, params, materialize=bulk)
    # group the checks by table and by the sparse providers their conditions need: a check
    # on duplicates only looks at the few rows the duplicates provider lists
    groups: dict[tuple[str, frozenset[str]], list[tuple[int, CompiledCheck]]] = {}
    for i, c in enumerate(checks):
        sparse = frozenset(p for p in derive.providers_of(c.rule.table, c.cond_names)
                           if derive.PROVIDERS[p].sparse) if bulk else frozenset()
        groups.setdefault((c.rule.table, sparse), []).append((i, c))
    order = {"households": 0, "members": 1, "incomes": 2, "villages": 3}
    views = []
    for k, ((view_name, sparse), group) in enumerate(
            sorted(groups.items(), key=lambda kv: (order[kv[0][0]], sorted(kv[0][1])))):
        views.append(_plan_view(ctx, view_name, sparse, group, params, f"dq_hits_{k}"))
    steps = tuple((name, expr, ibis.to_sql(expr, dialect="duckdb", pretty=False))
                  for name, expr in ctx.steps)
    return Plan(checks=checks, steps=steps, views=tuple(views))


def _plan_view(ctx: derive.Context, view_name: str, sparse: frozenset[str],
               checks: list[tuple[int, CompiledCheck]], params: Mapping[str, Any],
               hits_name: str) -> ViewPlan:
    """Two queries: the rows where any check holds (conditions only: the view computes
    just what they read), then one finding per row and check, with the evidence columns
    (masks, labels...) derived on those few rows."""
    keys = KEYS[view_name]
    cond_names = set().union(*(c.cond_names for _i, c in checks))
    evid_names = set().union(*(c.names for _i, c in checks))
    view = ctx.view(view_name, cond_names, inner=sparse)

    def resolver(t):
        return lambda n: t[n]

    def enums(n):
        return derive.enum_codes(view_name, n)

    flags = {}
    for i, c in checks:
        try:
            expr = lang.compile_expr(c.when, resolver(view), params, enums)
        except Exception as exc:  # noqa: BLE001 - name the rule in any compile error
            raise RuleError(f"{c.rule.id} ({c.check.field}): {exc}") from exc
        flags[f"_f{i}"] = expr
    marked = view.mutate(**flags)
    any_flag = None
    for f in flags:
        any_flag = marked[f] if any_flag is None else any_flag | marked[f]
    base = set(derive.village_base_columns() if view_name == "villages"
               else derive.base_fields(view_name))
    carried = sorted((derive.base_needs(view_name, evid_names) | (evid_names & base)
                      | (evid_names & set(view.columns))) - set(keys))
    hits = marked.filter(any_flag).select(*keys, *carried, *flags)
    h = ibis.table(hits.schema(), name=hits_name)
    h = ctx.view(view_name, evid_names, base=h)      # evidence-only derived columns

    # first the evidence as text, once per expression and language (enum labels are long
    # CASE expressions), then one struct per check that concatenates them
    res = resolver(h)
    texts: dict[tuple[str, str], tuple[str, Any]] = {}
    values: dict[str, str] = {}

    def text_col(tree, lg, value_of=None) -> str:
        src = ast.unparse(tree) if value_of is None else f"value:{ast.unparse(value_of)}"
        key = (src, lg)
        if key not in texts:
            t_ = value_of if value_of is not None else tree
            expr = lang.compile_expr(t_, res, params, enums)
            texts[key] = (f"_t{len(texts)}", _text(expr, lg, _expr_enum(view_name, t_)))
        return texts[key][0]

    plan_msgs = []
    for i, c in checks:
        vkey = ast.unparse(c.value)
        if vkey not in values:
            values[vkey] = f"_v{len(values)}"
        cols = {}
        for lg, mparts in c.messages.items():
            seq = []
            for lit, tree in mparts:
                if tree is None:
                    seq.append(("lit", lit))
                elif tree == "value":
                    seq.append(("col", text_col(None, lg, value_of=c.value)))
                else:
                    seq.append(("col", text_col(tree, lg)))
            cols[lg] = seq
        plan_msgs.append((i, c, values[vkey], cols))
    value_exprs = {}
    for _i, c in checks:
        name = values[ast.unparse(c.value)]
        if name not in value_exprs:
            value_exprs[name] = _value_text(lang.compile_expr(c.value, res, params, enums))
    h = h.mutate(**value_exprs, **{n: e for n, e in texts.values()}).view()
    findings = []
    for i, _c, vcol, cols in plan_msgs:
        msgs = {}
        for lg, seq in cols.items():
            parts = [ibis.literal(x) if kind == "lit" else h[x] for kind, x in seq]
            msgs[lg] = parts[0].concat(*parts[1:]) if len(parts) > 1 else parts[0]
        st = ibis.struct({"i": ibis.literal(i, type="int32"), "value": h[vcol],
                          "zh": msgs["zh"], "en": msgs["en"]})
        findings.append(ibis.ifelse(h[f"_f{i}"], st, ibis.null(st.type())))
    null = ibis.literal(None, type="string")
    arr = ibis.array(findings).filter(lambda x: x.notnull())
    t = h.select(
        household_code=h.household_code if "household_code" in keys else null,
        member_id=h.member_id if "member_id" in keys else null,
        period=h.period if "period" in keys else null,
        village_code=h.village_code if "village_code" in keys else null,
        _f=arr).unnest("_f")
    t = t.select("household_code", "member_id", "period", "village_code", _i=t._f["i"],
                 value=t._f["value"], message_zh=t._f["zh"], message_en=t._f["en"])
    if "village_code" not in keys and "households" in ctx.tables:
        # the village of a member or income finding: from its household (small join)
        hh = ctx.tables["households"]
        hh = hh.semi_join(t, "household_code")       # the few households with findings
        hv = hh.group_by("household_code").aggregate(_hh_village=hh.village_code.min())
        j = t.left_join(hv, t.household_code == hv.household_code)
        t = j.select(*[j[c] for c in t.columns if c != "village_code"],
                     village_code=ibis.coalesce(j._hh_village, j.household_code.substr(0, 12)))
    elif "village_code" not in keys:
        t = t.mutate(village_code=t.household_code.substr(0, 12))
    t = t.select("household_code", "member_id", "period", "village_code", "_i", "value",
                 "message_zh", "message_en")
    return ViewPlan(view=view_name, hits_name=hits_name, hits=hits, findings=t,
                    hits_sql=ibis.to_sql(hits, dialect="duckdb", pretty=False),
                    findings_sql=ibis.to_sql(t, dialect="duckdb", pretty=False))


def _empty() -> pa.Table:
    return FINDINGS.empty_table()


# ============================================================================ execution
def _duckdb(backend) -> duckdb.DuckDBPyConnection:
    if backend is None:
        db = duckdb.connect()
    elif isinstance(backend, duckdb.DuckDBPyConnection):
        db = backend
    elif getattr(backend, "name", "") == "duckdb" and hasattr(backend, "con"):
        db = backend.con          # an Ibis DuckDB backend
    else:
        # A refusal, not a stub: the rules are plain Ibis, but only DuckDB executes the plan.
        raise ValueError(
            f"backend {backend!r} is not supported for the data-quality rules: give a DuckDB "
            "connection or an Ibis DuckDB backend (or nothing, for a new in-memory DuckDB)")
    db.execute("SET enable_progress_bar = false")
    return db


def _execute(db: duckdb.DuckDBPyConnection, the_plan: Plan,
             inputs: Mapping[str, tuple[str, Any]], run_row: Mapping[str, Any]) -> pa.Table:
    """Register the inputs as the dq_* tables, run the plan, return sorted findings."""
    registered, views, temps = [], [], []
    parts = []
    # DuckDB rewrites an IN list of more than a few constants into a join that copies every
    # column of the row; with dozens of code lists per table that doubles the time of a run
    previous = db.execute("SELECT current_setting('disabled_optimizers'), "
                          "current_setting('preserve_insertion_order')").fetchall()[0]
    off = ",".join(x for x in [*str(previous[0] or "").split(","), "in_clause"] if x.strip())
    db.execute(f"SET disabled_optimizers = '{off}'")
    # findings are sorted at the end: the intermediate tables need no insertion order
    db.execute("SET preserve_insertion_order = false")
    try:
        for name, (kind, src) in inputs.items():
            target = f"dq_{name}"
            if kind == "arrow":
                db.register(target, src)
                registered.append(target)
            else:  # SQL of a view (Parquet files conformed to the contract)
                db.execute(f'CREATE OR REPLACE TEMP VIEW "{target}" AS {src}')
                views.append(target)
        db.register("dq_run", pa.Table.from_pylist([dict(run_row)],
                                                   schema=derive.RUN.to_pyarrow()))
        registered.append("dq_run")
        for name, _expr, sql in the_plan.steps:
            db.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
            temps.append(name)
        for vp in the_plan.views:
            db.execute(f'CREATE OR REPLACE TEMP TABLE "{vp.hits_name}" AS {vp.hits_sql}')
            temps.append(vp.hits_name)
            with warnings.catch_warnings():
                # DuckDB 2 warns that a DB-API result is copied to Arrow: findings are small,
                # and execute() plans a query twice as fast as sql() for these statements
                warnings.simplefilter("ignore", UserWarning)
                parts.append(db.execute(vp.findings_sql).to_arrow_table())
    finally:
        for name in reversed(temps):
            db.execute(f'DROP TABLE IF EXISTS "{name}"')
        for name in views:
            db.execute(f'DROP VIEW IF EXISTS "{name}"')
        for name in registered:
            db.unregister(name)
        db.execute(f"SET disabled_optimizers = '{previous[0] or ''}'")
        db.execute(f"SET preserve_insertion_order = {bool(previous[1])}")
    return _assemble(the_plan.checks, parts)


def _assemble(checks: tuple[CompiledCheck, ...], parts: list[pa.Table]) -> pa.Table:
    found = pa.concat_tables(parts) if parts else None
    if found is None or not found.num_rows:
        return _empty()
    idx = found["_i"]
    meta = {
        "rule_id": pa.array([c.rule.id for c in checks], pa.string()),
        "rule_version": pa.array([c.rule.version for c in checks], pa.int32()),
        "severity": pa.array([c.rule.severity for c in checks], pa.string()),
        "level": pa.array([c.rule.level for c in checks], pa.string()),
        "table": pa.array([c.rule.target_table for c in checks], pa.string()),
        "field": pa.array([c.check.field for c in checks], pa.string()),
    }
    cols = {name: meta[name].take(idx) if name in meta else found[name]
            for name in FINDINGS.names}
    result = pa.table(cols).cast(FINDINGS)
    result = result.sort_by([(k, "ascending", "at_start") for k in SORT_KEYS])
    return result.combine_chunks()


def evaluate(inputs: Mapping[str, tuple[str, Any]], scope: RegionScope, *,
             rules: Iterable[str | Rule] | None = None, as_of: _dt.date,
             params: Mapping[str, Any] | None = None, backend=None,
             bulk: bool = True) -> pa.Table:
    """Run the rules over registered inputs; the core of both :func:`run` and
    :func:`check_records`. ``inputs[name] = ("arrow", table)`` or ``("sql", view_sql)``.

    Rules whose tables are not all present are skipped (an entry form that sends only a
    member record is checked by the member rules that need nothing else).
    """
    scope = require_scope(scope)
    if scope.is_empty or not inputs:
        return _empty()
    params = resolve(params, region=region_of_scope(scope))
    the_plan = plan(rules, inputs.keys(), scope, params, bulk=bulk)
    if not the_plan.checks:
        return _empty()
    db = _duckdb(backend)
    return _execute(db, the_plan, inputs, derive.run_constants(as_of, params))


# ============================================================================ loading
def _as_date(as_of: _dt.date | _dt.datetime | str | None) -> _dt.date:
    if as_of is None:
        return _dt.date.today()
    if isinstance(as_of, _dt.datetime):
        return as_of.date()
    if isinstance(as_of, _dt.date):
        return as_of
    return _dt.date.fromisoformat(str(as_of))


def _expected_schema(name: str) -> ibis.Schema:
    if name == "villages":
        return derive.VILLAGES
    return ibis.Schema.from_pyarrow(schema.SNAPSHOT_SCHEMAS[name])


_KEY_COLUMNS = {"households": ["household_code", "village_code"],
                "members": ["member_id", "household_code"],
                "incomes": ["household_code", "period"], "villages": ["village_code"]}


def _conform_ibis(t: ir.Table, name: str) -> ir.Table:
    """Select the contract's columns; add missing optional ones as typed nulls."""
    expected = _expected_schema(name)
    missing_keys = [k for k in _KEY_COLUMNS[name] if k not in t.columns]
    if missing_keys:
        raise ValueError(f"snapshot table {name} lacks key column(s) {missing_keys}")
    cols = []
    for col, dtype in expected.items():
        if col in t.columns:
            c = t[col]
            cols.append(c if c.type() == dtype else c.cast(dtype).name(col))
        else:
            cols.append(ibis.null(dtype).name(col))
    return t.select(*cols)


def _arrow(x: Any, name: str) -> pa.Table:
    """Records (a dict, a list of dicts, pandas, polars or Arrow) as an Arrow table of the
    snapshot schema (missing columns null; ISO date strings accepted for dates)."""
    sch = _expected_schema(name).to_pyarrow() if name == "villages" \
        else schema.SNAPSHOT_SCHEMAS[name]
    if isinstance(x, Mapping):
        x = [x]
    if isinstance(x, list):
        unknown = {k for rec in x for k in rec} - set(sch.names)
        if unknown:
            raise ValueError(f"{name}: unknown field(s) {sorted(unknown)}")
        rows = []
        for rec in x:
            row = {}
            for f in sch:
                v = rec.get(f.name)
                if pa.types.is_date(f.type) and isinstance(v, str):
                    v = _dt.date.fromisoformat(v)
                row[f.name] = v
            rows.append(row)
        return pa.Table.from_pylist(rows, schema=sch)
    if type(x).__module__.startswith("pandas"):
        x = pa.Table.from_pandas(x, preserve_index=False)
    elif type(x).__module__.startswith("polars"):
        x = x.to_arrow()
    if isinstance(x, pa.RecordBatch):
        x = pa.Table.from_batches([x])
    if not isinstance(x, pa.Table):
        raise TypeError(f"{name}: cannot read records from {type(x).__name__}")
    missing_keys = [k for k in _KEY_COLUMNS[name] if k not in x.column_names]
    if missing_keys:
        raise ValueError(f"snapshot table {name} lacks key column(s) {missing_keys}")
    if x.schema.names == sch.names and x.schema.types == sch.types:
        return x
    cols = [x[f.name].cast(f.type) if f.name in x.column_names else pa.nulls(x.num_rows, f.type)
            for f in sch]
    return pa.Table.from_arrays(cols, schema=sch)


def _parquet_view_sql(name: str, paths: list[str]) -> str:
    """SQL of a view over Parquet files (files, directories or globs) conformed to the
    contract."""
    files: list[str] = []
    for p in paths:
        pp = Path(p)
        if pp.is_dir():
            files += [str(f) for f in sorted(pp.glob("*.parquet"))]
        elif any(ch in p for ch in "*?["):
            files += sorted(glob.glob(p))
        else:
            files.append(str(pp))
    if not files:
        raise FileNotFoundError(f"no Parquet files for table {name}: {paths}")
    raw = ibis.table(ibis.Schema.from_pyarrow(pq.read_schema(files[0])), name="__raw__")
    sql = ibis.to_sql(_conform_ibis(raw, name), dialect="duckdb", pretty=False)
    source = "read_parquet([" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "])"
    return sql.replace('"__raw__"', source)


def _inputs(snapshot: Any) -> dict[str, tuple[str, Any]]:
    if isinstance(snapshot, str | Path):
        d = Path(snapshot)
        if not d.is_dir():
            raise FileNotFoundError(f"snapshot directory {d} not found")
        found = {}
        for name in SNAPSHOT_TABLES:
            for cand in (d / f"{name}.parquet", d / name):
                if cand.exists():
                    found[name] = cand
                    break
        snapshot = found
    if not isinstance(snapshot, Mapping):
        raise TypeError("snapshot: a directory or a mapping of table name -> Parquet path(s) "
                        "or Arrow table")
    unknown = set(snapshot) - set(SNAPSHOT_TABLES) - set(schema.OPTIONAL_SCHEMAS)
    if unknown:
        raise ValueError(f"unknown snapshot table(s) {sorted(unknown)}")
    out = {}
    for name, src in snapshot.items():
        if src is None or name not in SNAPSHOT_TABLES:  # a table of the contract no rule reads
            continue
        if isinstance(src, str | Path) or (isinstance(src, list | tuple)
                                            and all(isinstance(s, str | Path) for s in src)):
            paths = [str(p) for p in (src if isinstance(src, list | tuple) else [src])]
            out[name] = ("sql", _parquet_view_sql(name, paths))
        else:
            out[name] = ("arrow", _arrow(src, name))
    return out


# ============================================================================ entry points
def run(snapshot: Any, scope: RegionScope, *, rules: Iterable[str | Rule] | None = None,
        as_of: _dt.date | str | None = None, params: Mapping[str, Any] | None = None,
        backend=None) -> pa.Table:
    """Run the data-quality rules over a registry snapshot; one row per finding.

    ``snapshot``: a directory holding ``households.parquet``, ``members.parquet``,
    ``incomes.parquet`` (and optionally ``villages.parquet``), or a mapping from these names
    to Parquet paths or Arrow tables (or anything :func:`check_records` accepts). ``scope``
    is required (no scope, no run) and limits both what is read and what is reported.
    ``as_of`` (default today) is the date ages and "in the future" are judged on.
    ``backend``: a DuckDB connection (or Ibis DuckDB backend) to run on, e.g. one with a
    memory limit; default a new in-memory DuckDB. Findings are ordered by village,
    household, member, period, rule.
    """
    scope = require_scope(scope)
    if scope.is_empty:
        return _empty()
    inputs = _inputs(snapshot)
    missing = {"households", "members", "incomes"} - set(inputs)
    if missing:
        raise ValueError(f"snapshot lacks table(s) {sorted(missing)}")
    return evaluate(inputs, scope, rules=rules, as_of=_as_date(as_of), params=params,
                    backend=backend)


_local = threading.local()


def _entry_backend() -> duckdb.DuckDBPyConnection:
    db = getattr(_local, "db", None)
    if db is None:
        db = duckdb.connect()
        db.execute("SET threads = 1")
        _local.db = db
    return db


def check_records(*, households: Any = None, members: Any = None, incomes: Any = None,
                  villages: Any = None, rules: Iterable[str | Rule] | None = None,
                  as_of: _dt.date | str | None = None,
                  params: Mapping[str, Any] | None = None) -> pa.Table:
    """Check records at entry time (a form, an import file) with the bulk rules' semantics.

    Each argument is one record (a dict), a list of records, or a pandas / polars / Arrow
    table in the snapshot schema. The records are evaluated as a snapshot of their own by the
    same compiled plan as :func:`run`, on an in-memory DuckDB: row and household rules judge
    exactly as in bulk; rules that compare with other households (duplicate IDs across
    households, shared phones, village totals) see only the batch. Rules that need a table
    that was not given are skipped. No scope is needed: the caller already holds the records.
    """
    given = {"households": households, "members": members, "incomes": incomes,
             "villages": villages}
    inputs = {name: ("arrow", _arrow(x, name)) for name, x in given.items() if x is not None}
    if not inputs:
        return _empty()
    return evaluate(inputs, RegionScope.nation(), rules=rules, as_of=_as_date(as_of),
                    params=params, backend=_entry_backend(), bulk=False)


def summary(findings: pa.Table) -> pa.Table:
    """Findings counted by rule (for reports and the benchmark)."""
    if not findings.num_rows:
        return pa.table({"rule_id": pa.array([], pa.string()), "n": pa.array([], pa.int64())})
    g = findings.group_by("rule_id").aggregate([("rule_id", "count")])
    g = g.rename_columns(["rule_id", "n"])
    return g.sort_by("rule_id")
