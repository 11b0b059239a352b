"""Derived columns: the vocabulary the rules are written in, beyond the raw snapshot fields.

Each rule runs on one *view*: a scoped snapshot table (``households``, ``members``,
``incomes``) or the village summary (``villages``), plus the derived columns its conditions
and messages name. A derived column is one of

* a **macro**: an expression in the rule language over the same view (``in_school``);
* a **row builder**: a small Ibis function of the row (``age`` needs the run's ``as_of``);
* a **provider** column: computed by an aggregate over other rows or tables and joined on a
  key (``head_sex``: the sex of the household's head; ``id_households``: how many households
  hold this ID number).

Only the columns a rule set names are built, so a run of a few rules stays cheap. Every
derived column declares the snapshot fields it reads and its *context*: ``row`` (the record
alone), ``household`` (the household record and its members and incomes) or ``registry``
(other households too: duplicates, shared phones, village totals).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from .. import identity, schema
from ..months import month_index, month_of, month_of_index
from ..rules import lang
from .params import monitoring_line

__all__ = ["Column", "Provider", "COLUMNS", "PROVIDERS", "VILLAGES", "Context",
           "base_fields", "column_enum", "enum_codes",
           "enum_labels", "providers_of", "CONTEXT_RANK"]

CONTEXT_RANK = {"row": 0, "household": 1, "registry": 2}

# ------------------------------------------------------------------------ optional village table
#: Optional snapshot table ``villages``: the village-level totals a village reports (the
#: national system's 行政村信息 export). Village rules that compare records with reported
#: totals run only when a snapshot has it; the registry snapshot contract does not (yet).
VILLAGES = ibis.schema({
    "village_code": "string",
    "households_total": "int32",       # 总户数
    "population_total": "int32",       # 总人口数
    "dibao_households": "int32",       # 低保户数
    "unsafe_water_households": "int32",  # 未实现饮水安全户数
    "dangerous_households": "int32",   # 危房户数
    "cultivated_mu": "float32",        # 耕地面积（亩）
})
VILLAGES_ZH = {"village_code": "行政村", "households_total": "总户数",
               "population_total": "总人口数", "dibao_households": "低保户数",
               "unsafe_water_households": "未实现饮水安全户数",
               "dangerous_households": "危房户数", "cultivated_mu": "耕地面积（亩）"}

#: The one-row table of the run's constants (``dq_run``): the as_of date in the forms the
#: rules need and the monitoring line in force. Keeping them out of the compiled SQL lets a
#: compiled rule set be reused from one day to the next (entry-time checks compile once).
RUN = ibis.schema({"as_of_year": "int64", "as_of_md": "int64", "as_of_ymd": "int64",
                   "as_of_month": "int64", "as_of_month_text": "string",
                   "window_start_text": "string", "line": "int64"})
RUN_DOCS = {
    "as_of_year": ("Year of the run's as_of date.", ""),
    "as_of_md": ("as_of as month * 100 + day.", ""),
    "as_of_ymd": ("The run's as_of date as YYYYMMDD.", "核查日期"),
    "as_of_month": ("The run's as_of month as a month number (year * 12 + month - 1).", ""),
    "as_of_month_text": ("The run's as_of month ('YYYY-MM').", "核查月份"),
    "window_start_text": ("First month of the income window: the P.income_window_months "
                          "months ending with the as_of month.", "收入窗口起始月"),
    "line": ("Monitoring income line of as_of's year (yuan per person per year, parameter "
             "monitoring_line_by_year).", "监测范围"),
}


def run_constants(as_of: _dt.date, params: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the ``dq_run`` row for a run on ``as_of``."""
    n = month_index(month_of(as_of))
    start = n - int(params["income_window_months"]) + 1
    return {"as_of_year": as_of.year, "as_of_md": as_of.month * 100 + as_of.day,
            "as_of_ymd": as_of.year * 10000 + as_of.month * 100 + as_of.day,
            "as_of_month": n, "as_of_month_text": as_of.strftime("%Y-%m"),
            "window_start_text": month_of_index(start),
            "line": monitoring_line(params, as_of)}


WAGE_WORK = ("local_employed", "migrant_in_province", "migrant_out_of_province")
NOT_STUDYING = ("not_in_school", "preschool_child", "dropout")


@dataclass(frozen=True)
class Column:
    name: str
    doc: str
    reads: tuple[str, ...] = ()
    context: str = "row"
    expr: str | None = None
    build: Callable[[Context, Any], ir.Value] | None = None
    needs: tuple[str, ...] = ()
    provider: str | None = None
    enum: str | None = None
    zh: str = ""


@dataclass(frozen=True)
class Provider:
    name: str
    view: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    build: Callable[[Context], ir.Table]
    fill: Mapping[str, Any] = field(default_factory=dict)
    needs_tables: tuple[str, ...] = ()
    right_key: tuple[str, ...] = ()   # the provider table's key names (default: key)
    #: lists only the few rows that can fire (duplicates, orphans, outliers): a row absent
    #: from it never makes a check fire, so its checks run on an inner join
    sparse: bool = False

    def __post_init__(self):
        if not self.right_key:
            object.__setattr__(self, "right_key", tuple(self.key))


COLUMNS: dict[str, dict[str, Column]] = {t: {} for t in ("households", "members", "incomes",
                                                          "villages")}
PROVIDERS: dict[str, Provider] = {}


def _col(view: str, name: str, doc: str, **kw) -> None:
    if name in COLUMNS[view]:
        raise ValueError(f"duplicate derived column {view}.{name}")
    c = Column(name=name, doc=doc, **kw)
    if c.expr is not None:
        tree = lang.parse(c.expr)
        c = Column(**{**c.__dict__, "needs": tuple(sorted(lang.names(tree)))})
    COLUMNS[view][name] = c


def _provider(name, view, key, columns: dict[str, tuple[str, tuple[str, ...], str]], build,
              context, fill=None, needs_tables=(), enums=None, right_key=(), sparse=False):
    """Register a provider and its columns: ``columns[name] = (doc, reads, zh)``."""
    PROVIDERS[name] = Provider(name, view, tuple(key), tuple(columns), build, fill or {},
                               tuple(needs_tables), tuple(right_key) or tuple(key), sparse)
    for col, (doc, reads, zh) in columns.items():
        _col(view, col, doc, reads=reads, context=context, provider=name,
             enum=(enums or {}).get(col), zh=zh)


# ----------------------------------------------------------------------------- the context
class Context:
    """One evaluation: the scoped tables, the date of the run and the parameters."""

    def __init__(self, tables: Mapping[str, ir.Table], run: ir.Table,
                 params: Mapping[str, Any], *, materialize: bool = True):
        self.tables = dict(tables)
        self.run = run
        self.params = params
        self.materialize = materialize
        #: providers to materialise before the views, in dependency order: (name, expr)
        self.steps: list[tuple[str, ir.Table]] = []
        self._providers: dict[str, ir.Table] = {}

    def has(self, table: str) -> bool:
        return table in self.tables

    def provider(self, name: str) -> ir.Table:
        """A provider's table; materialised once per run (a temporary table ``dq_p_<name>``)
        and shared by every view and provider that uses it."""
        if name == "_run":
            return self.run
        if name not in self._providers:
            expr = PROVIDERS[name].build(self)
            if self.materialize:
                tname = f"dq_p_{name}"
                self.steps.append((tname, expr))
                expr = ibis.table(expr.schema(), name=tname)
            self._providers[name] = expr
        return self._providers[name]

    def base(self, view: str) -> ir.Table:
        if view == "villages":
            return _village_base(self)
        return self.tables[view]

    def view(self, view: str, wanted: Iterable[str], *, inner: Iterable[str] = (),
             base: ir.Table | None = None) -> ir.Table:
        """The view's base table plus the derived columns in ``wanted`` (and what they need).

        ``inner``: sparse providers to join with an inner join, keeping only the rows they
        list (the checks that need them look at nothing else). ``base``: derive the columns
        over this table instead (the rows a first pass kept, for evidence columns).
        """
        inner = set(inner)
        t = self.base(view) if base is None else base
        base_cols = set(t.columns)
        order: list[str] = []
        seen: set[str] = set()

        def visit(name):
            if name in seen or name in base_cols:
                return
            if name not in COLUMNS[view]:
                raise KeyError(f"{view} has no column or derived column {name!r}")
            seen.add(name)
            col = COLUMNS[view][name]
            for dep in col.needs:
                visit(dep)
            order.append(name)

        for name in sorted(set(wanted)):
            visit(name)
        # one join node for all providers (keyed on base columns), then one select that
        # inlines every row-level derived column: a flat query compiles much faster than a
        # chain of mutates
        prov_names = []
        for name in order:
            p = COLUMNS[view][name].provider
            if p and p not in prov_names:
                prov_names.append(p)
        cols: dict[str, ir.Value] = {c: t[c] for c in t.columns}
        if prov_names:
            joined = t
            rights = []
            for pname in prov_names:
                prov = PROVIDERS[pname]
                wanted_cols = [c for c in prov.columns if c in seen]
                right = self.provider(pname)
                if not prov.key:
                    joined = joined.cross_join(right.select(*wanted_cols))
                    rights.append((prov, right, wanted_cols))
                    continue
                rk = {k: f"__k_{pname}_{k}" for k in prov.key}
                right = right.select(*[right[r].name(rk[k])
                                       for k, r in zip(prov.key, prov.right_key, strict=True)],
                                     *[right[c] for c in wanted_cols])
                preds = [t[k] == right[rk[k]] for k in prov.key]
                joined = (joined.inner_join(right, preds) if pname in inner
                          else joined.left_join(right, preds))
                rights.append((prov, right, wanted_cols))
            cols = {c: joined[c] for c in t.columns}
            for prov, _right, wanted_cols in rights:
                for c in wanted_cols:
                    v = joined[c]
                    cols[c] = v.fill_null(prov.fill[c]) if c in prov.fill else v
            t = joined.select(**cols)
            cols = {c: t[c] for c in t.columns}
        # row-level derived columns, one projection per dependency level; ``.view()`` keeps
        # Ibis from inlining a column into every expression that uses it (a rule set's SQL
        # would otherwise grow to hundreds of kilobytes, slow to parse and plan)
        level: dict[str, int] = {}
        for name in order:
            col = COLUMNS[view][name]
            if col.provider:
                continue
            deps = [level[d] + 1 for d in col.needs if d in level]
            level[name] = max(deps, default=0)
        for lv in sorted(set(level.values())):
            exprs: dict[str, ir.Value] = {}
            row = _Row({c: t[c] for c in t.columns}, {})
            for name in order:
                if level.get(name) != lv:
                    continue
                col = COLUMNS[view][name]
                if col.build is not None:
                    exprs[name] = col.build(self, row)
                else:
                    exprs[name] = lang.compile_expr(
                        lang.parse(col.expr), row.__getitem__, self.params,
                        lambda n, v=view: enum_codes(v, n))
            t = t.mutate(**exprs).view()
        return t


class _Row:
    """Column access for derived-column builders: a base column, or an earlier derived
    column's expression inlined."""

    def __init__(self, cols, exprs):
        self._cols = cols
        self._exprs = exprs

    def __getitem__(self, name):
        if name in self._exprs:
            return self._exprs[name]
        return self._cols[name]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def providers_of(view: str, names: Iterable[str]) -> set[str]:
    """The providers that derived columns ``names`` of ``view`` use, directly or not."""
    out: set[str] = set()
    seen: set[str] = set()

    def visit(n):
        if n in seen:
            return
        seen.add(n)
        col = COLUMNS[view].get(n)
        if col is None:
            return
        if col.provider:
            out.add(col.provider)
        for d in col.needs:
            visit(d)

    for n in names:
        visit(n)
    return out


def base_needs(view: str, names: Iterable[str]) -> set[str]:
    """The columns of the view's base table that deriving ``names`` reads (provider join keys
    included)."""
    base = set(base_fields(view)) if view != "villages" else set(village_base_columns())
    out: set[str] = set()
    seen: set[str] = set()

    def visit(n):
        if n in seen:
            return
        seen.add(n)
        if n in base:
            out.add(n)
            return
        col = COLUMNS[view].get(n)
        if col is None:
            return
        if col.provider:
            out.update(PROVIDERS[col.provider].key)
        if col.expr is not None:
            for d in lang.names(lang.parse(col.expr)):
                visit(d)
        for d in col.needs:
            visit(d)
        for r in col.reads:
            t, f = r.split(".", 1)
            if t == view and f in base:
                out.add(f)

    for n in names:
        visit(n)
    return out


def column_enum(view: str, name: str) -> str | None:
    """The enumeration of a base or derived column (None if not enumerated)."""
    if view in schema.SNAPSHOT_SCHEMAS and name in schema.SNAPSHOT_SCHEMAS[view].names:
        meta = schema.SNAPSHOT_SCHEMAS[view].field(name).metadata or {}
        e = meta.get(b"enum")
        return e.decode() if e else None
    col = COLUMNS.get(view, {}).get(name)
    return col.enum if col else None


def enum_labels(enum: str) -> dict[str, str]:
    """Code -> Chinese label of an enumeration; monitoring categories of every scheme."""
    if enum == "monitoring_category":
        from dixian.engine.eligibility.categories import known_categories

        return {**{c: n["zh"] for c, n in known_categories().items()}, **schema.ENUMS[enum]}
    return schema.ENUMS[enum]


def enum_codes(view: str, name: str) -> list[str] | None:
    """The codes of a column's enumeration (None if not enumerated)."""
    e = column_enum(view, name)
    if e == "monitoring_category":  # the categories of every scheme a province has had
        from dixian.engine.eligibility.categories import known_categories

        return list(dict.fromkeys([*schema.ENUMS[e], *known_categories()]))
    return list(schema.ENUMS[e]) if e else None


def base_fields(view: str) -> list[str]:
    if view == "villages":
        return ["village_code"]
    return list(schema.SNAPSHOT_SCHEMAS[view].names)


# ----------------------------------------------------------------------------- helpers
def _age_at(t, ymd: ir.IntegerValue) -> ir.IntegerValue:
    """Completed years on the run's as_of date, from a birth date as YYYYMMDD (``t`` has the
    dq_run columns); integer arithmetic on one extracted value is cheaper than extracting
    year, month and day again."""
    return t.as_of_year - _div(ymd, 10000) - ibis.ifelse(ymd % 10000 > t.as_of_md, 1, 0)


def _div(x, d: int):
    """Integer division of a non-negative integer column by a constant (exact: the values
    stay far below 2**53)."""
    return (x / d).floor().cast("int64")


def _check_char(a: ir.IntegerValue, b: ir.IntegerValue) -> ir.StringValue:
    """GB 11643 check character of the first 17 digits, in portable SQL arithmetic.

    The 17 digits are read as two integers (``a``: characters 1-9, ``b``: 10-17; exact in any
    SQL engine) and each digit is taken out with arithmetic, twice as fast in DuckDB as 17
    substrings; :func:`dixian.engine.identity.check_chars` is the reference it is tested
    against.
    """
    w = [int(x) for x in identity.WEIGHTS]
    total = None
    for i in range(9):
        term = (_div(a, 10 ** (8 - i)) % 10) * w[i]
        total = term if total is None else total + term
    for j in range(8):
        total = total + (_div(b, 10 ** (7 - j)) % 10) * w[9 + j]
    return ibis.literal(identity.CHECK_CHARS).substr((total % 11).cast("int64"), 1)


def _active(t):
    return t.member_status.fill_null("active") != "deceased"


def _in_school(t):
    return t.schooling_status.notin(NOT_STUDYING)


# ============================================================================= run constants
for _view in ("households", "members", "incomes", "villages"):
    PROVIDERS["_run"] = Provider("_run", "*", (), tuple(RUN.names), lambda ctx: ctx.run)
    for _name, (_doc, _zh) in RUN_DOCS.items():
        COLUMNS[_view][_name] = Column(name=_name, doc=_doc, provider="_run", zh=_zh)

# ============================================================================= members
M = "members"
_col(M, "active", "The member is not deregistered as deceased (an empty status counts "
     "as active).", reads=("members.member_status",),
     expr="coalesce(member_status, 'active') != 'deceased'", zh="在册")
_col(M, "age", "Completed years of age on the run's as_of date.",
     reads=("members.birth_date",), build=lambda ctx, t: _age_at(t, t.birth_ymd),
     needs=("as_of_year", "as_of_md", "birth_ymd"),
     zh="年龄")
_col(M, "in_school", "Currently in education (any stage from 学前教育 on).",
     reads=("members.schooling_status",),
     expr=f"schooling_status not in {NOT_STUDYING!r}", zh="在校")
_col(M, "wage_work", "Works for a wage (in the county, the province or outside).",
     reads=("members.work_status",), expr=f"work_status in {WAGE_WORK!r}", zh="务工")
_col(M, "insured", "Has basic medical insurance (resident or employee scheme); empty when "
     "both flags are empty.", reads=("members.med_ins_resident", "members.med_ins_employee"),
     expr="coalesce(med_ins_resident, False) or coalesce(med_ins_employee, False) "
          "if notnull(med_ins_resident) or notnull(med_ins_employee) else None", zh="已参保")
_col(M, "id_len", "Length of the ID number.", reads=("members.resident_id",),
     expr="length(resident_id)", zh="证件号码位数")
_col(M, "id_no_id", "The ID number is the 999999… 'no ID' placeholder.",
     reads=("members.resident_id",), expr="startswith(resident_id, '999999')")
_col(M, "id_a", "The ID's characters 1-9 (area code and first digits of the year) as a "
     "number.", reads=("members.resident_id",), expr="to_int(substr(resident_id, 1, 9))")
_col(M, "id_b", "The ID's characters 10-17 (rest of the birth date and the order code) as a "
     "number.", reads=("members.resident_id",), expr="to_int(substr(resident_id, 10, 8))")
_col(M, "id_chars_ok", "The first 17 characters are digits and the 18th a digit or X.",
     reads=("members.resident_id",),
     expr="coalesce(id_a >= 0, False) and coalesce(id_b >= 0, False) and "
          "not startswith(resident_id, '+') and "
          "not startswith(substr(resident_id, 10, 8), '+') and "
          "substr(resident_id, 18, 1) in ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', "
          "'X')")
_col(M, "id_check", "The check character computed from the first 17 digits (GB 11643, "
     "ISO 7064 MOD 11-2).", reads=("members.resident_id",), needs=("id_a", "id_b"),
     build=lambda ctx, t: _check_char(t.id_a, t.id_b), zh="应有校验码")
_col(M, "id_checksum_ok", "The 18th character equals the computed check character.",
     reads=("members.resident_id",), expr="substr(resident_id, 18, 1) == id_check")
_col(M, "id_birth_ymd", "Birth date in the ID as YYYYMMDD.", reads=("members.resident_id",),
     needs=("id_a", "id_b"),
     build=lambda ctx, t: (t.id_a % 1000) * 100000 + _div(t.id_b, 1000), zh="证件出生日期")
_col(M, "id_year", "Birth year in the ID.", reads=("members.resident_id",),
     needs=("id_birth_ymd",), build=lambda ctx, t: _div(t.id_birth_ymd, 10000))
_col(M, "id_month", "Birth month in the ID.", reads=("members.resident_id",),
     needs=("id_birth_ymd",), build=lambda ctx, t: _div(t.id_birth_ymd, 100) % 100)
_col(M, "id_day", "Birth day in the ID.", reads=("members.resident_id",),
     needs=("id_birth_ymd",), build=lambda ctx, t: t.id_birth_ymd % 100)
_col(M, "id_date_ok", "The ID's birth date is a real date between 1900-01-01 and as_of.",
     reads=("members.resident_id",),
     expr="between(id_month, 1, 12) and between(id_day, 1, 31) and id_day <= "
          "(31 if id_month in (1, 3, 5, 7, 8, 10, 12) else 30 if id_month in (4, 6, 9, 11) "
          "else 29 if id_year % 4 == 0 and (id_year % 100 != 0 or id_year % 400 == 0) "
          "else 28) and id_year >= 1900 and id_birth_ymd <= as_of_ymd")
_col(M, "birth_ymd", "birth_date as YYYYMMDD.", reads=("members.birth_date",),
     expr="ymd(birth_date)")
_col(M, "id_sex_digit", "The 17th character of the ID (odd: man, even: woman).",
     reads=("members.resident_id",), expr="id_b % 10")
_col(M, "id_sex", "Sex implied by the ID ('M'/'F', empty if unreadable).",
     reads=("members.resident_id",), enum="sex",
     expr="None if isnull(id_sex_digit) else 'M' if id_sex_digit % 2 == 1 else 'F'",
     zh="证件性别")
_col(M, "id_masked", "The ID number masked for display (first 6 and last 4 characters).",
     reads=("members.resident_id",),
     build=lambda ctx, t: _mask(t.resident_id, 6, 4), zh="证件号码")
_col(M, "phone_masked", "The member's phone masked for display.", reads=("members.phone",),
     build=lambda ctx, t: _mask(t.phone, 3, 4), zh="联系电话")
for _f in ("work_start_month", "welfare_post_start_month", "status_month"):
    _col(M, f"{_f}_n", f"{_f} as a month number (empty if not a 'YYYY-MM' month).",
         reads=(f"members.{_f}",), expr=f"month({_f})")
_col(M, "birth_month_n", "The birth month as a month number.", reads=("members.birth_date",),
     needs=("birth_ymd",),
     build=lambda ctx, t: _div(t.birth_ymd, 10000) * 12 + _div(t.birth_ymd, 100) % 100 - 1)
_col(M, "missing_required", "Labour skill, relationship to head or schooling is empty.",
     reads=("members.labour_skill", "members.relation_to_head", "members.schooling_status"),
     expr="isnull(labour_skill) or isnull(relation_to_head) or isnull(schooling_status)")


def _mask(x: ir.StringValue, head: int, tail: int) -> ir.StringValue:
    n = x.length()
    stars = ibis.literal("*").repeat(ibis.greatest(n - head - tail, 0))
    return ibis.ifelse(n <= head + tail, ibis.literal("*").repeat(n),
                       x.left(head).concat(stars, x.right(tail)))


def _members_row(ctx, names):
    return ctx.view("members", names)


def _head_info(ctx):
    g = ctx.provider("hh_members")
    return g.select("household_code", "head_sex", "head_birth_date")


_provider("head_info", M, ["household_code"], {
    "head_sex": ("Sex of the household's head: the member whose relationship is 户主 (an "
                 "active one if any; relationships stay relative to a head who died until "
                 "the household is re-registered).",
                 ("members.relation_to_head", "members.sex"), "户主性别"),
    "head_birth_date": ("Birth date of the household's head.",
                        ("members.relation_to_head", "members.birth_date"), "户主出生日期"),
}, _head_info, "household", enums={"head_sex": "sex"})
_col(M, "head_age", "Age of the household's head on as_of.", reads=("members.birth_date",),
     context="household", needs=("head_birth_date", "as_of_year", "as_of_md"),
     build=lambda ctx, t: _age_at(t, lang.FUNCTIONS["ymd"].fn(t.head_birth_date)),
     zh="户主年龄")


def _valid_ids(ctx):
    m = ctx.tables["members"]
    return m.filter(m.resident_id.notnull() & (m.resident_id.strip() != "")
                    & ~m.resident_id.startswith("999999"))


def _dup_ids(ctx):
    """ID numbers held by more than one member record (usually a handful)."""
    m = _valid_ids(ctx)
    g = m.group_by("resident_id").aggregate(n=m.count())
    return g.filter(g.n > 1).select("resident_id")


PROVIDERS["dup_ids"] = Provider("dup_ids", M, ("resident_id",), (), _dup_ids)


def _dup_members(ctx):
    m = _valid_ids(ctx)
    d = ctx.provider("dup_ids")
    return m.semi_join(d, "resident_id").select("resident_id", "household_code")


PROVIDERS["dup_members"] = Provider("dup_members", M, ("resident_id",), (), _dup_members)


def _id_dups(ctx):
    m = ctx.provider("dup_members")
    return m.group_by("resident_id").aggregate(id_rows=m.count(),
                                                id_households=m.household_code.nunique())


_provider("id_dups", M, ["resident_id"], {
    "id_rows": ("How many member records (in the run's scope) carry this ID number.",
                ("members.resident_id",), "同号人数"),
    "id_households": ("How many households (in the run's scope) hold this ID number.",
                      ("members.resident_id", "members.household_code"), "同号户数"),
}, _id_dups, "registry", fill={"id_rows": 1, "id_households": 1}, sparse=True)


def _id_dups_hh(ctx):
    m = ctx.provider("dup_members")
    g = m.group_by(["household_code", "resident_id"]).aggregate(id_rows_in_household=m.count())
    return g.filter(g.id_rows_in_household > 1)


_provider("id_dups_hh", M, ["household_code", "resident_id"], {
    "id_rows_in_household": ("How many members of the same household carry this ID number.",
                             ("members.resident_id", "members.household_code"), "户内同号人数"),
}, _id_dups_hh, "household", fill={"id_rows_in_household": 1}, sparse=True)


def _member_id_dups(ctx):
    m = ctx.tables["members"]
    g = m.group_by("member_id").aggregate(member_id_rows=m.count())
    return g.filter(g.member_id_rows > 1)


_provider("member_id_dups", M, ["member_id"], {
    "member_id_rows": ("How many records carry this member_id (the key).",
                       ("members.member_id",), "同编号记录数"),
}, _member_id_dups, "registry", fill={"member_id_rows": 1}, sparse=True)


def _phone_counties(ctx):
    m = _members_row(ctx, ["active", "wage_work"])
    m = m.filter(m.active & m.wage_work & m.phone.notnull() & m.work_place_code.notnull())
    g = m.group_by("phone").aggregate(phone_work_counties=m.work_place_code.nunique())
    return g.filter(g.phone_work_counties > 1)


_provider("phone_counties", M, ["phone"], {
    "phone_work_counties": ("How many different work counties the active wage workers "
                            "sharing this phone number work in.",
                            ("members.phone", "members.work_status", "members.work_place_code"),
                            "同号务工县数"),
}, _phone_counties, "registry", fill={"phone_work_counties": 1}, sparse=True)


def _member_orphans(ctx):
    """Household codes of members whose household is not in the households table."""
    codes = ctx.provider("hh_members").select("household_code")
    return codes.anti_join(ctx.tables["households"], "household_code").mutate(
        hh_exists=ibis.literal(False))


_provider("member_orphans", M, ["household_code"], {
    "hh_exists": ("The member's household is in the households table.",
                  ("households.household_code",), "户存在"),
}, _member_orphans, "household", fill={"hh_exists": True}, needs_tables=("households",),
    sparse=True)


# ============================================================================= households
H = "households"
_col(H, "monitored", "The household has a monitoring category (is or was monitored).",
     reads=("households.monitoring_category",), expr="notnull(monitoring_category)",
     zh="监测对象")
_col(H, "risk_n", "Number of risk types recorded.", reads=("households.risk_types",),
     expr="coalesce(count(risk_types), 0)", zh="风险个数")
for _f in ("identified_month", "eliminated_month"):
    _col(H, f"{_f}_n", f"{_f} as a month number (empty if not a 'YYYY-MM' month).",
         reads=(f"households.{_f}",), expr=f"month({_f})")
_col(H, "elimination_gap", "Months from identification to elimination.",
     reads=("households.identified_month", "households.eliminated_month"),
     expr="eliminated_month_n - identified_month_n", zh="识别至消除月数")
_col(H, "phone_masked", "The household phone masked for display.",
     reads=("households.phone",), build=lambda ctx, t: _mask(t.phone, 3, 4), zh="联系电话")
_col(H, "contact_phone_masked", "The monitoring contact's phone masked for display.",
     reads=("households.monitoring_contact_phone",),
     build=lambda ctx, t: _mask(t.monitoring_contact_phone, 3, 4), zh="监测联系人电话")
_col(H, "water_failed", "Which of the four water indicators is false (text).",
     reads=("households.water_quantity_ok", "households.water_quality_ok",
            "households.water_convenience_ok", "households.water_supply_ok"),
     build=lambda ctx, t: _water_failed(t), zh="未达标指标")


def _water_failed(t):
    parts = [ibis.ifelse(t[c] == False, ibis.literal(lbl), ibis.literal(""))  # noqa: E712
             for c, lbl in (("water_quantity_ok", "水量 quantity;"),
                            ("water_quality_ok", "水质 quality;"),
                            ("water_convenience_ok", "取水方便 convenience;"),
                            ("water_supply_ok", "供水保障 supply;"))]
    return parts[0].concat(*parts[1:])


def _hh_members(ctx):
    m = ctx.view("members", ["active", "age", "in_school", "missing_required"])
    a = m.active
    lab = m.labour_skill
    both_no = (m.med_ins_resident == False) & (m.med_ins_employee == False)  # noqa: E712
    head = m.relation_to_head == "head"
    lo, hi = ctx.params["compulsory_age"]
    return m.group_by("household_code").aggregate(
        n_members=m.count(where=a),
        n_records=m.count(),
        n_heads=m.count(where=a & (m.relation_to_head == "head")),
        n_spouses=m.count(where=a & (m.relation_to_head == "spouse")),
        n_uninsured=m.count(where=a & both_no),
        n_dropout=m.count(where=a & (m.schooling_status == "dropout")),
        n_out_of_school=m.count(where=a & (m.age >= lo) & (m.age <= hi)
                                & m.schooling_status.isin(NOT_STUDYING)),
        n_dibao_members=m.count(where=a & m.dibao.isin(["rural", "urban"])),
        n_tekun_members=m.count(where=a & m.tekun.isin(["dispersed", "centralized"])),
        n_able=m.count(where=a & lab.isin(["ordinary", "skilled"])),
        n_no_labour=m.count(where=a & lab.isin(["none", "lost"])),
        n_missing_required=m.count(where=a & m.missing_required),
        hh_head_member=m.member_id.min(where=a & (m.relation_to_head == "head")),
        # the head: the member recorded as 户主, an active one if any (relationships stay
        # relative to a head who died until the household is re-registered)
        head_sex=ibis.coalesce(m.sex.min(where=a & head), m.sex.min(where=head)),
        head_birth_date=ibis.coalesce(m.birth_date.min(where=a & head),
                                      m.birth_date.min(where=head)),
    )


_MEMBER_AGG = {
    "n_members": ("Active members.", ("members.member_status",), "家庭人口"),
    "n_records": ("Member records, deceased included.", ("members.household_code",),
                  "成员记录数"),
    "n_heads": ("Active members recorded as 户主.", ("members.relation_to_head",), "户主人数"),
    "n_spouses": ("Active members recorded as 配偶.", ("members.relation_to_head",),
                  "配偶人数"),
    "n_uninsured": ("Active members with neither basic medical insurance (both flags false).",
                    ("members.med_ins_resident", "members.med_ins_employee"), "未参保人数"),
    "n_dropout": ("Active members whose schooling status is 失学辍学.",
                  ("members.schooling_status",), "失学辍学人数"),
    "n_out_of_school": ("Active members of compulsory-school age (P.compulsory_age) not in "
                        "school.", ("members.birth_date", "members.schooling_status"),
                        "义务教育适龄未在校人数"),
    "n_dibao_members": ("Active members receiving 低保.", ("members.dibao",), "低保人数"),
    "n_tekun_members": ("Active members receiving 特困 support.", ("members.tekun",),
                        "特困人数"),
    "n_able": ("Active members with 普通 or 技能 labour.", ("members.labour_skill",),
               "有劳动力人数"),
    "n_no_labour": ("Active members with 无劳动力 or 丧失劳动力.", ("members.labour_skill",),
                    "无劳动力人数"),
    "n_missing_required": ("Active members with an empty labour skill, relationship or "
                           "schooling.", ("members.labour_skill", "members.relation_to_head",
                                          "members.schooling_status"), "必填项缺失人数"),
    "hh_head_member": ("member_id of the active member recorded as 户主 (the first if "
                       "several).", ("members.member_id", "members.relation_to_head"),
                       "户主成员编号"),
}
PROVIDERS["hh_members"] = Provider(
    "hh_members", H, ("household_code",), (*_MEMBER_AGG, "head_sex", "head_birth_date"),
    _hh_members, {k: 0 for k in _MEMBER_AGG if k.startswith("n_")}, ("members",))
for _name, (_doc, _reads, _zh) in _MEMBER_AGG.items():
    _col(H, _name, _doc, reads=_reads, context="household", provider="hh_members", zh=_zh)
_col(H, "able_share", "Share of active members with 普通 or 技能 labour.",
     reads=("members.labour_skill",), context="household",
     expr="n_able / n_members if n_members > 0 else None", zh="有劳动力人口占比")


def _net(i):
    return (i.wage.fill_null(0) + i.business.fill_null(0) + i.property.fill_null(0)
            + i.transfer.fill_null(0) - i.business_cost.fill_null(0))


def _month_n(x):
    return lang.FUNCTIONS["month"].fn(x)


def _hh_income(ctx):
    """One pass over the incomes: per household, the income window (the months from
    window_start_text to the as_of month), the latest month, and the key and outlier
    statistics. Months are compared as 'YYYY-MM' text: no parsing of 100 million rows."""
    i = ctx.tables["incomes"].cross_join(ctx.run.select("window_start_text",
                                                        "as_of_month_text"))
    i = i.mutate(_win=(i.period >= i.window_start_text) & (i.period <= i.as_of_month_text),
                 _upto=i.period <= i.as_of_month_text, _net=_net(i)).view()
    win = i._win
    g = i.group_by("household_code").aggregate(
        inc_rows=i.count(),
        inc_first_period=i.period.min(),
        inc_last_period=i.period.max(where=i._upto),
        inc_months_recent=i.count(where=win),
        inc_transfer_recent=i.transfer.fill_null(0).sum(where=win),
        inc_net_recent=i._net.sum(where=win),
        hh_wage_sum=i.wage.sum(), hh_wage_max=i.wage.max(),
        hh_business_sum=i.business.sum(), hh_business_max=i.business.max())
    return g.mutate(inc_last_n=_month_n(g.inc_last_period),
                    inc_span=_month_n(g.inc_last_period) - _month_n(g.inc_first_period) + 1)


_INCOME_AGG = {
    "inc_rows": ("Income rows of the household.", ("incomes.household_code",), "收入记录数"),
    "inc_span": ("Months from the household's first to its latest income month.",
                 ("incomes.period",), "收入月份跨度"),
    "inc_last_n": ("Latest income month up to as_of (month number).", ("incomes.period",),
                   "最近收入月份"),
    "inc_months_recent": ("Income rows in the window (the P.income_window_months months "
                          "ending with the as_of month).", ("incomes.period",),
                          "近期收入月数"),
    "inc_transfer_recent": ("Transfer income in the window (yuan).", ("incomes.transfer",),
                            "近期转移性收入"),
    "inc_net_recent": ("R1 net income in the window (wage + business + property + transfer - "
                       "business cost, yuan).",
                       ("incomes.wage", "incomes.business", "incomes.property",
                        "incomes.transfer", "incomes.business_cost"), "近期纯收入"),
}
_provider("hh_income", H, ["household_code"], _INCOME_AGG, _hh_income, "household",
          fill={"inc_rows": 0, "inc_months_recent": 0}, needs_tables=("incomes",))
_col(H, "pcni_recent", "R1 (dixian.engine.income): per-capita net income over the window, "
     "annualised (net × P.income_window_months / months / active members; empty below "
     "P.income_window_min_months months).",
     reads=("incomes.period",), context="household",
     expr="inc_net_recent * P.income_window_months / inc_months_recent / n_members if "
          "n_members > 0 and "
          "inc_months_recent >= P.income_window_min_months else None", zh="近期人均纯收入")


def _month_text(n):
    y = (n / 12).floor().cast("int64")
    mth = n - y * 12 + 1
    return y.cast("string").lpad(4, "0").concat("-", mth.cast("string").lpad(2, "0"))


def _hh_income_at_id(ctx):
    """Income over the 12 months before the identification month (R1 at identification);
    only monitored households, so the join's build side is small."""
    h = ctx.tables["households"]
    h = h.filter(h.identified_month.notnull())
    idn = _month_n(h.identified_month)
    w = int(ctx.params["income_window_months"])
    h = h.select(hc=h.household_code, id_from=_month_text(idn - w), id_to=h.identified_month)
    i = ctx.tables["incomes"]
    j = i.join(h, [i.household_code == h.hc, i.period >= h.id_from, i.period < h.id_to])
    return j.group_by("household_code").aggregate(
        inc_months_at_id=j.count(), inc_net_at_id=_net(j).sum())


_provider("hh_income_at_id", H, ["household_code"], {
    "inc_months_at_id": ("Income rows in the 12 months before identification.",
                         ("incomes.period", "households.identified_month"), "识别前收入月数"),
    "inc_net_at_id": ("R1 net income in the 12 months before identification (yuan).",
                      ("incomes.wage", "incomes.business", "incomes.property",
                       "incomes.transfer", "incomes.business_cost"), "识别前纯收入"),
}, _hh_income_at_id, "household", fill={"inc_months_at_id": 0}, needs_tables=("incomes",))
_col(H, "pcni_at_id", "Per-capita net income at identification, annualised as pcni_recent.",
     reads=("incomes.period",), context="household",
     expr="inc_net_at_id * 12 / inc_months_at_id / n_members if n_members > 0 and "
          "inc_months_at_id >= P.income_window_min_months else None", zh="识别时人均纯收入")


def _phone_households(ctx):
    h = ctx.tables["households"]
    h = h.filter(h.phone.notnull() & (h.phone.strip() != ""))
    g = h.group_by("phone").aggregate(phone_households=h.household_code.nunique())
    return g.filter(g.phone_households > 1)


_provider("phone_households", H, ["phone"], {
    "phone_households": ("How many households (in the run's scope) give this contact phone.",
                         ("households.phone",), "同号户数"),
}, _phone_households, "registry", fill={"phone_households": 1}, sparse=True)


# ============================================================================= incomes
I_ = "incomes"
def _odd_periods(ctx):
    """The few distinct income months that are malformed or after the as_of month (the
    income rows of 36 months hold 36 distinct values: checked once each, not per row)."""
    i = ctx.tables["incomes"]
    p = i.select("period").distinct().cross_join(ctx.run.select("as_of_month_text"))
    ok = (p.period.like("____-__")
          & (p.period.substr(5, 2) >= "01") & (p.period.substr(5, 2) <= "12")
          & (p.period.substr(0, 4) >= "1000") & (p.period.substr(0, 4) <= "9999")
          & p.period.substr(0, 4).try_cast("int64").notnull()
          & p.period.substr(5, 2).try_cast("int64").notnull())
    p = p.mutate(period_ok=ok.fill_null(False), period_future=p.period > p.as_of_month_text)
    return p.filter(~p.period_ok | p.period_future).select("period", "period_ok",
                                                             "period_future")


_provider("odd_periods", I_, ["period"], {
    "period_ok": ("period is a well-formed 'YYYY-MM' month.", ("incomes.period",), ""),
    "period_future": ("period is after the as_of month.", ("incomes.period",), ""),
}, _odd_periods, "row", fill={"period_ok": True, "period_future": False}, sparse=True)


def _income_outliers(ctx):
    """Households with a month of wage or business income far above their other months. The
    month with the household's maximum qualifies whenever any month does, so only those
    households (a few) are joined back to the income rows."""
    g = ctx.provider("hh_income")
    r, floor = ctx.params["income_outlier_ratio"], ctx.params["income_outlier_floor"]
    n1 = g.inc_rows - 1

    def suspect(mx, sm):
        return (n1 > 0) & (mx > floor) & (mx * n1 > r * (sm - mx))

    g = g.filter(suspect(g.hh_wage_max, g.hh_wage_sum)
                 | suspect(g.hh_business_max, g.hh_business_sum))
    return g.select("household_code", hh_income_rows=g.inc_rows, hh_wage_sum=g.hh_wage_sum,
                    hh_business_sum=g.hh_business_sum)


_provider("income_outliers", I_, ["household_code"], {
    "hh_income_rows": ("Income rows of a household with a suspect month.",
                       ("incomes.household_code",), "收入记录数"),
    "hh_wage_sum": ("Sum of the monthly wage income of a household with a suspect month.",
                    ("incomes.wage",), ""),
    "hh_business_sum": ("Sum of the monthly business income of a household with a suspect "
                        "month.", ("incomes.business",), ""),
}, _income_outliers, "household", sparse=True)
_col(I_, "wage_others_mean", "Mean monthly wage of the household's other months (households "
     "with a suspect month only).", reads=("incomes.wage",), context="household",
     expr="(hh_wage_sum - wage) / (hh_income_rows - 1) if hh_income_rows > 1 else None",
     zh="其他月份平均工资性收入")
_col(I_, "business_others_mean", "Mean monthly business income of the household's other "
     "months (households with a suspect month only).", reads=("incomes.business",),
     context="household",
     expr="(hh_business_sum - business) / (hh_income_rows - 1) if hh_income_rows > 1 "
          "else None", zh="其他月份平均经营性收入")


def _income_orphans(ctx):
    g = ctx.provider("hh_income").select("household_code")
    return g.anti_join(ctx.tables["households"], "household_code").mutate(
        hh_exists=ibis.literal(False))


_provider("income_orphans", I_, ["household_code"], {
    "hh_exists": ("The income row's household is in the households table.",
                  ("households.household_code",), "户存在"),
}, _income_orphans, "household", fill={"hh_exists": True},
    needs_tables=("households", "incomes"), sparse=True)


# ============================================================================= villages
V = "villages"


def _village_base(ctx):
    h = ctx.view("households", ["n_members", "n_dibao_members", "n_missing_required"])
    pa_ = h.household_type == "poverty_alleviated"
    return h.group_by("village_code").aggregate(
        n_households=h.count(),
        n_population=h.n_members.sum(),
        n_dibao_households=h.count(where=h.n_dibao_members > 0),
        n_unsafe_water=h.count(where=h.safe_drinking_water == False),  # noqa: E712
        n_dangerous=h.count(where=h.dangerous_house),
        pa_cultivated_mu=h.cultivated_mu.sum(where=pa_).fill_null(0),
        n_missing_required=h.n_missing_required.sum(),
    )


VILLAGE_BASE = {
    "n_households": ("Households recorded in the village.", "登记户数"),
    "n_population": ("Active members recorded in the village.", "登记人口"),
    "n_dibao_households": ("Households with an active 低保 member.", "登记低保户数"),
    "n_unsafe_water": ("Households whose safe-drinking-water flag is 否.", "登记饮水不安全户数"),
    "n_dangerous": ("Households flagged as living in a dangerous house.", "登记危房户数"),
    "pa_cultivated_mu": ("Cultivated land of the village's 脱贫户 (mu).", "脱贫户耕地合计"),
    "n_missing_required": ("Active members with an empty required field (labour, relation, "
                           "schooling).", "必填项缺失人数"),
}


def _reported(ctx):
    v = ctx.tables["villages"]
    return v.select("village_code", *[v[c].name(f"rep_{c}") for c in VILLAGES.names
                                      if c != "village_code"])


_provider("reported", V, ["village_code"], {
    f"rep_{c}": (f"Reported by the village: {VILLAGES_ZH[c]} ({c}).", (f"villages.{c}",),
                 f"上报{VILLAGES_ZH[c]}")
    for c in VILLAGES.names if c != "village_code"
}, _reported, "registry", needs_tables=("villages",))
_col(V, "missing_share", "Share of the village's active members with an empty required "
     "field.", reads=("members.labour_skill",), context="registry",
     expr="n_missing_required / n_population if n_population > 0 else None",
     zh="必填项缺失率")

for _name, (_doc, _zh) in VILLAGE_BASE.items():
    # the village summary's own columns: registered so the reference can describe them
    COLUMNS[V][_name] = Column(name=_name, doc=_doc, reads=("households.village_code",),
                               context="registry", zh=_zh)


def village_base_columns() -> list[str]:
    return ["village_code", *VILLAGE_BASE]
