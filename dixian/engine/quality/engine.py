"""Compile the rules and run them: in bulk over a snapshot, or at entry time over a few records.

Both paths go through :func:`evaluate`: the rules of each table are compiled to Ibis boolean
expressions over that table's view (:mod:`.derive`), evaluated in one pass; the rows where any
rule holds are kept in a temporary table, and one query turns them into one finding per rule
and row, with the evidence value and the two messages rendered by the backend itself.
"""

from __future__ import annotations

import ast
import datetime as _dt
import functools
import string
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from .. import schema
from ..scope import RegionScope, require_scope
from . import derive, lang
from .catalogue import RULES
from .params import resolve
from .spec import CONTEXTS, Check, Rule

__all__ = ["FINDINGS", "CompiledCheck", "compile_rules", "evaluate", "run", "check_records",
           "select_rules", "RuleError", "summary"]

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
        out = x.substitute(schema.ENUMS[enum], else_=x)
    elif enum and lang_ == "zh" and dt.is_array():
        out = x.map(lambda e: e.substitute(schema.ENUMS[enum], else_=e)).join("、")
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


# ============================================================================ evaluation
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


def _empty() -> pa.Table:
    return FINDINGS.empty_table()


def evaluate(con, tables: Mapping[str, ir.Table], scope: RegionScope, *,
             rules: Iterable[str | Rule] | None = None, as_of: _dt.date,
             params: Mapping[str, Any] | None = None) -> pa.Table:
    """Run compiled rules over Ibis tables on backend ``con``; the core of both entry points.

    Rules whose tables are not all present are skipped (an entry form that sends only a
    member record is checked by the member rules that need nothing else).
    """
    scope = require_scope(scope)
    if scope.is_empty:
        return _empty()
    params = resolve(params)
    checks = [c for c in compile_rules(select_rules(rules)) if c.tables <= set(tables)]
    if not checks:
        return _empty()
    ctx = derive.Context(_scoped(tables, scope), as_of, params)
    temp: list[str] = []
    parts = []
    try:
        by_view: dict[str, list[tuple[int, CompiledCheck]]] = {}
        for i, c in enumerate(checks):
            by_view.setdefault(c.rule.table, []).append((i, c))
        for view_name in ("households", "members", "incomes", "villages"):
            if view_name in by_view:
                parts.append(_evaluate_view(con, ctx, view_name, by_view[view_name], params,
                                            temp))
    finally:
        for name in temp:
            _drop(con, name)
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
    cols = {}
    for name in FINDINGS.names:
        cols[name] = meta[name].take(idx) if name in meta else found[name]
    result = pa.table(cols).cast(FINDINGS)
    result = result.sort_by([(k, "ascending") for k in SORT_KEYS], null_placement="at_start")
    return result.combine_chunks()


def _drop(con, name: str) -> None:
    """Drop a temporary table (Ibis 12's drop_table emits bad SQL with DuckDB 2)."""
    if getattr(con, "name", "") == "duckdb":
        con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')
    else:  # pragma: no cover - other backends
        con.drop_table(name, force=True)


def _evaluate_view(con, ctx: derive.Context, view_name: str,
                   checks: list[tuple[int, CompiledCheck]], params: Mapping[str, Any],
                   temp: list[str]) -> pa.Table:
    """Findings of one view's checks: keys, check index ``_i``, value and messages."""
    keys = KEYS[view_name]
    wanted = set()
    for _i, c in checks:
        wanted |= c.cond_names | c.names
    view = ctx.view(view_name, wanted)

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
        flags[f"_f{i}"] = expr.fill_null(False)
    marked = view.mutate(**flags)
    any_flag = None
    for f in flags:
        any_flag = marked[f] if any_flag is None else any_flag | marked[f]
    evidence = sorted(set().union(*(c.names for _i, c in checks)) - set(keys))
    hits = marked.filter(any_flag).select(*keys, *evidence, *flags)
    name = f"_dq_{view_name}_{uuid.uuid4().hex[:12]}"
    temp.append(name)
    h = con.create_table(name, hits, temp=True)

    res = resolver(h)
    findings = []
    for i, c in checks:
        value = lang.compile_expr(c.value, res, params, enums)
        value_enum = _expr_enum(view_name, c.value)
        msgs = {}
        for lg, mparts in c.messages.items():
            texts = []
            for lit, tree in mparts:
                if tree is None:
                    texts.append(ibis.literal(lit))
                elif tree == "value":
                    texts.append(_text(value, lg, value_enum))
                else:
                    texts.append(_text(lang.compile_expr(tree, res, params, enums), lg,
                                       _expr_enum(view_name, tree)))
            msgs[lg] = texts[0].concat(*texts[1:]) if len(texts) > 1 else texts[0]
        st = ibis.struct({"i": ibis.literal(i, type="int32"), "value": _value_text(value),
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
        hh = ctx.tables["households"]
        hv = hh.group_by("household_code").aggregate(_hh_village=hh.village_code.min())
        j = t.left_join(hv, t.household_code == hv.household_code)
        t = j.select(*[j[c] for c in t.columns if c != "village_code"],
                     village_code=ibis.coalesce(j._hh_village, j.household_code.substr(0, 12)))
    elif "village_code" not in keys:
        t = t.mutate(village_code=t.household_code.substr(0, 12))
    return con.to_pyarrow(t.select("household_code", "member_id", "period", "village_code",
                                   "_i", "value", "message_zh", "message_en"))


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


def _conform_ibis(t: ir.Table, name: str) -> ir.Table:
    """Select the contract's columns; add missing optional ones as typed nulls."""
    expected = _expected_schema(name)
    keys = {"households": ["household_code", "village_code"],
            "members": ["member_id", "household_code"],
            "incomes": ["household_code", "period"], "villages": ["village_code"]}[name]
    missing_keys = [k for k in keys if k not in t.columns]
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
    sch = (derive.VILLAGES.to_pyarrow() if name == "villages"
           else schema.SNAPSHOT_SCHEMAS[name])
    if isinstance(x, Mapping):
        x = [x]
    if isinstance(x, list):
        rows = []
        for rec in x:
            rec = dict(rec)
            for f in sch:
                v = rec.get(f.name)
                if pa.types.is_date(f.type) and isinstance(v, str):
                    rec[f.name] = _dt.date.fromisoformat(v)
            rows.append({f.name: rec.get(f.name) for f in sch})
        unknown = {k for rec in x for k in rec} - set(sch.names)
        if unknown:
            raise ValueError(f"{name}: unknown field(s) {sorted(unknown)}")
        return pa.Table.from_pylist(rows, schema=sch)
    if type(x).__module__.startswith("pandas"):
        x = pa.Table.from_pandas(x, preserve_index=False)
    elif type(x).__module__.startswith("polars"):
        x = x.to_arrow()
    if isinstance(x, pa.RecordBatch):
        x = pa.Table.from_batches([x])
    if not isinstance(x, pa.Table):
        raise TypeError(f"{name}: cannot read records from {type(x).__name__}")
    if x.schema.names == sch.names and x.schema.types == sch.types:
        return x
    cols = [x[f.name].cast(f.type) if f.name in x.column_names else pa.nulls(x.num_rows, f.type)
            for f in sch]
    return pa.Table.from_arrays(cols, schema=sch)


def _load(con, snapshot: Any) -> dict[str, ir.Table]:
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
        raise TypeError("snapshot: a directory or a mapping of table name -> Parquet path(s), "
                        "Arrow table or Ibis table")
    unknown = set(snapshot) - set(SNAPSHOT_TABLES)
    if unknown:
        raise ValueError(f"unknown snapshot table(s) {sorted(unknown)}")
    out = {}
    for name, src in snapshot.items():
        if src is None:
            continue
        if isinstance(src, ir.Table):
            t = src
        elif isinstance(src, str | Path) or (isinstance(src, list | tuple)
                                            and all(isinstance(s, str | Path) for s in src)):
            paths = [str(p) for p in (src if isinstance(src, list | tuple) else [src])]
            paths = [str(Path(p) / "*.parquet") if Path(p).is_dir() else p for p in paths]
            t = con.read_parquet(paths if len(paths) > 1 else paths[0],
                                 table_name=f"_dq_src_{name}_{uuid.uuid4().hex[:8]}")
        else:
            t = ibis.memtable(_arrow(src, name))
        out[name] = _conform_ibis(t, name)
    return out


# ============================================================================ entry points
def run(snapshot: Any, scope: RegionScope, *, rules: Iterable[str | Rule] | None = None,
        as_of: _dt.date | str | None = None, params: Mapping[str, Any] | None = None,
        backend=None) -> pa.Table:
    """Run the data-quality rules over a registry snapshot; one row per finding.

    ``snapshot``: a directory holding ``households.parquet``, ``members.parquet``,
    ``incomes.parquet`` (and optionally ``villages.parquet``), or a mapping from these names
    to Parquet paths, Arrow tables or Ibis tables. ``scope`` is required (no scope, no run)
    and limits both what is read and what is reported. ``as_of`` (default today) is the date
    ages and "in the future" are judged on. ``backend`` is an Ibis backend (default: a new
    in-memory DuckDB). Findings are ordered by village, household, member, period, rule.
    """
    scope = require_scope(scope)
    if scope.is_empty:
        return _empty()
    con = backend if backend is not None else ibis.duckdb.connect()
    tables = _load(con, snapshot)
    missing = {"households", "members", "incomes"} - set(tables)
    if missing:
        raise ValueError(f"snapshot lacks table(s) {sorted(missing)}")
    return evaluate(con, tables, scope, rules=rules, as_of=_as_date(as_of), params=params)


_local = threading.local()


def _entry_backend():
    con = getattr(_local, "con", None)
    if con is None:
        con = ibis.duckdb.connect()
        con.raw_sql("SET threads = 1")
        _local.con = con
    return con


def check_records(*, households: Any = None, members: Any = None, incomes: Any = None,
                  villages: Any = None, rules: Iterable[str | Rule] | None = None,
                  as_of: _dt.date | str | None = None,
                  params: Mapping[str, Any] | None = None) -> pa.Table:
    """Check records at entry time (a form, an import file) with the bulk rules' semantics.

    Each argument is one record (a dict), a list of records, or a pandas / polars / Arrow
    table in the snapshot schema. The records are evaluated as a snapshot of their own by the
    same compiled expressions as :func:`run`, on an in-memory DuckDB: row and household rules
    judge exactly as in bulk; rules that compare with other households (duplicate IDs across
    households, shared phones, village totals) see only the batch. Rules that need a table
    that was not given are skipped. No scope is needed: the caller already holds the records.
    """
    given = {"households": households, "members": members, "incomes": incomes,
             "villages": villages}
    tables = {name: ibis.memtable(_arrow(x, name)) for name, x in given.items()
              if x is not None}
    if not tables:
        return _empty()
    con = _entry_backend()
    tables = {n: _conform_ibis(t, n) for n, t in tables.items()}
    return evaluate(con, tables, RegionScope.nation(), rules=rules, as_of=_as_date(as_of),
                    params=params)


def summary(findings: pa.Table) -> pa.Table:
    """Findings counted by rule (for reports and the benchmark)."""
    if not findings.num_rows:
        return pa.table({"rule_id": pa.array([], pa.string()), "n": pa.array([], pa.int64())})
    g = findings.group_by("rule_id").aggregate([("rule_id", "count")])
    g = g.rename_columns(["rule_id", "n"])
    return g.sort_by("rule_id")

