"""What a proposed policy change would do on the current registry, before it takes effect.

The current and the proposed policy are resolved side by side (the proposal as an overlay)
and only what the change touches is computed: the R1 incomes once (twice only when the income
window changes), compared with both lines (households entering or leaving the monitoring
range: those whose R1 lies between the two lines), and only the screening rules that read a
changed parameter, under both policies (alerts appearing or disappearing). The negative
screen (an asset check that only flags a household with another clue) reads no parameter but
depends on the other alerts: it is re-run, with every rule, on just the households holding
assets whose touched alerts changed. Counts come by county and category with the households
behind each; the platform scopes and masks them. ``bench/policy/preview.py`` checks that this
gives the same result as re-running every rule and the whole R1 classification under both
policies.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dixian.engine.policy.model import Record
from dixian.engine.policy.resolution import region_of_scope, resolve
from dixian.engine.scope import RegionScope, require_scope

#: R2's category for a household below the line, by household type (domain.md R2)
#: the policy parameters R1 and the monitoring range read
INCOME_NAMES = frozenset({"income.monitoring_line", "income.window_months",
                          "income.window_min_months"})


@dataclass
class Preview:
    period: str
    on: dt.date
    changed: list[dict[str, Any]]          # parameter, before, after
    fingerprint_before: str
    fingerprint_after: str
    entering: list[dict[str, Any]] = field(default_factory=list)   # into the range
    leaving: list[dict[str, Any]] = field(default_factory=list)
    alerts_appearing: list[dict[str, Any]] = field(default_factory=list)
    alerts_disappearing: list[dict[str, Any]] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def by_county(self) -> list[dict[str, Any]]:
        """One row per county and category: the four counts."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for kind, items in (("entering", self.entering), ("leaving", self.leaving),
                            ("alerts_appearing", self.alerts_appearing),
                            ("alerts_disappearing", self.alerts_disappearing)):
            for item in items:
                key = (item["village_code"][:6], item.get("category") or "")
                row = rows.setdefault(key, {"county": key[0], "category": key[1],
                                            "entering": 0, "leaving": 0,
                                            "alerts_appearing": 0, "alerts_disappearing": 0})
                row[kind] += 1
        return [rows[k] for k in sorted(rows)]

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "on": self.on.isoformat(), "changed": self.changed,
                "fingerprint_before": self.fingerprint_before,
                "fingerprint_after": self.fingerprint_after, "entering": self.entering,
                "leaving": self.leaving, "alerts_appearing": self.alerts_appearing,
                "alerts_disappearing": self.alerts_disappearing, "rules_run": self.rules_run,
                "by_county": self.by_county(), "seconds": round(self.seconds, 3)}


def _plain(v: Any) -> Any:
    from dixian.engine.policy.model import plain

    return plain(v)


def affected_rules(changed: Iterable[str]) -> list[str]:
    """Screening rules that read one of the ``changed`` policy parameters."""
    from dixian.engine.screening import RULES
    from dixian.engine.screening.params import NAMES

    short = {s for s, name in NAMES.items() if name in set(changed)}
    return [r.id for r in RULES if short & set(r.params)]


def _overrides(region: str | None, year: int, on: dt.date, overlay) -> dict[str, Any]:
    from dixian.engine.screening.params import NAMES
    from dixian.engine.screening.params import resolve as screening_params

    p = screening_params(region, year, on=on, overlay=overlay)
    return {k: p[k] for k in NAMES if k in p}


def preview(snapshot_tables: Mapping[str, Any], feeds_tables: Mapping[str, Any] | None,
            scope: RegionScope, *, period: str, on: dt.date, overlay: list[Record],
            backend: Any = "duckdb") -> Preview:
    """The effect of ``overlay`` (a proposal's records) on ``scope``'s registry for ``period``
    (the latest income month), against the policy in force on ``on``."""
    scope = require_scope(scope)
    started = time.perf_counter()
    region = region_of_scope(scope)
    before, after = resolve(region, on), resolve(region, on, overlay=overlay)
    changed = [{"parameter": n, "before": _plain(before[n]), "after": _plain(after[n])}
               for n in sorted(after) if before[n] != after[n]]
    out = Preview(period, on, changed, before.fingerprint, after.fingerprint)
    names = {c["parameter"] for c in changed}
    if not names:
        out.seconds = time.perf_counter() - started
        return out
    year = int(period[:4])
    policies = ((), overlay)
    params = [_overrides(region, year, on, ov) for ov in policies]
    rules = affected_rules(names)
    r1s = None   # R1 under each policy, computed once for the range and the R2 rules
    if names & INCOME_NAMES or _reads_income(rules):
        r1s = _r1_tables(snapshot_tables, scope, period, params)
    if names & INCOME_NAMES:
        _range(out, snapshot_tables, r1s, [_line(region, year, p, on) for p in params],
               (before, after))
    out.rules_run = list(rules)
    if rules:
        given = r1s if r1s is not None and _reads_income(rules) else (None, None)
        runs = [_alerts(snapshot_tables, feeds_tables, scope, period, on, p, rules, backend,
                        income) for p, income in zip(params, given, strict=True)]
        dependent = dependent_rules(rules)
        if dependent:
            from dixian.engine.screening import RULES_BY_ID

            # only a household whose touched alerts came or went can gain or lose an alert
            # of the negative screen, and only if it holds assets: all rules on just those
            holders = _households_in(feeds_tables, {RULES_BY_ID[r].feed for r in dependent})
            flipped = {k[0] for k in runs[0]} ^ {k[0] for k in runs[1]}
            flipped &= holders
            if flipped:
                sub, feeds, incomes = _just(snapshot_tables, feeds_tables, flipped, r1s)
                for run, p, income in zip(runs, params, incomes, strict=True):
                    alerts = _alerts(sub, feeds, scope, period, on, p, None, backend, income)
                    run.update({k: a for k, a in alerts.items() if k[2] in dependent})
            out.rules_run += dependent
        codes = {k[0] for k in set(runs[0]) ^ set(runs[1])}
        known = r1s
        if known is None and codes:  # R1 of just these households, for their categories
            known = _r1_tables(_only(snapshot_tables, codes), scope, period, params)
        for kind, a, b, policy, r1 in (
                ("alerts_appearing", runs[1], runs[0], after, known[1] if known else None),
                ("alerts_disappearing", runs[0], runs[1], before, known[0] if known else None)):
            cats = _categories(snapshot_tables, codes, policy, _pcni(r1, codes))
            items = [{**a[k], "category": cats.get(k[0], "")} for k in sorted(set(a) - set(b))]
            setattr(out, kind, items)
    out.seconds = time.perf_counter() - started
    return out


def dependent_rules(rules: Iterable[str]) -> list[str]:
    """Rules outside ``rules`` whose alerts depend on other rules' alerts (the negative
    screen flags only a household with another clue)."""
    from dixian.engine.screening import RULES

    return [r.id for r in RULES if r.operator == "negative_screen" and r.id not in set(rules)]


#: the screening operators that read R1 (given to them when the preview has it)
INCOME_OPERATORS = ("income_below_line", "rigid_spending_below_line")


def _reads_income(rules: Iterable[str]) -> bool:
    from dixian.engine.screening import RULES_BY_ID

    return any(RULES_BY_ID[r].operator in INCOME_OPERATORS for r in rules)


def _line(region, year, params, on) -> float:
    from dixian.engine.screening import engine as screening

    return float(screening.resolve(region, year, params, on=on)["monitoring_line"])


def _r1_tables(snapshot_tables, scope, period, params) -> list[pa.Table]:
    """R1 under each policy: computed once when both have the same income window."""
    from dixian.engine.screening import engine as screening

    window = ("income_window_months", "income_window_min_months")
    r1 = screening.r1_table(snapshot_tables, scope, period=period, params=params[0])
    if all(params[0][k] == params[1][k] for k in window):
        return [r1, r1]
    return [r1, screening.r1_table(snapshot_tables, scope, period=period, params=params[1])]


def _just(snapshot_tables, feeds_tables, codes: set[str], r1s
          ) -> tuple[dict[str, Any], dict[str, Any], list]:
    """The snapshot and the feeds of just the households ``codes`` (the feeds' village-level
    records kept), and their R1 under each policy when it is known (then the income rows are
    not read again). Every rule's alerts for these households are the same on these tables
    as on the whole ones: each operator works household by household, and a feed record's
    member belongs to the household it is matched to."""
    from dixian.engine.schema import SNAPSHOT_SCHEMAS

    feeds = _only(feeds_tables or {}, codes, unassigned=True)
    if r1s is None:
        return _only(snapshot_tables, codes), feeds, [None, None]
    sub = _only({"households": snapshot_tables["households"]}, codes)
    sub.update({n: SNAPSHOT_SCHEMAS[n].empty_table() for n in ("members", "incomes")})
    keep = pa.array(sorted(codes), pa.string())
    return sub, feeds, [r.filter(pc.is_in(r["household_code"], value_set=keep)) for r in r1s]


def _alerts(snapshot_tables, feeds_tables, scope, period, on, params, rules, backend,
            income=None) -> dict[tuple, dict[str, Any]]:
    """(household, member, rule) -> the alert's village, risk type, value and threshold."""
    from dixian.engine.screening import engine as screening

    keys = ("household_code", "member_id", "rule_id")
    alerts = screening.run(snapshot_tables, feeds_tables, scope, period=period, params=params,
                           rules=rules, backend=backend, on=on, income=income, render=False)
    return {tuple(a[k] or "" for k in keys): a for a in alerts.select(
        [*keys, "village_code", "risk_type", "value", "threshold"]).to_pylist()}


def _is_ibis(t: Any) -> bool:
    import ibis.expr.types as ir

    return isinstance(t, ir.Table)


def _only(tables: Mapping[str, Any], codes: Iterable[str],
          columns: Mapping[str, list[str]] | None = None, *, unassigned: bool = False
          ) -> dict[str, Any]:
    """``tables`` (Arrow, pandas, Parquet paths or Ibis tables) restricted to the households
    ``codes`` (and, if ``unassigned``, to the rows of no household: a feed's village-level
    records), as Arrow tables (Ibis tables stay Ibis tables, filtered)."""
    import duckdb

    from dixian.engine.screening.engine import _arrow, _parquet_files

    codes = sorted(codes)
    keys = pa.table({"household_code": pa.array(codes, pa.string())})
    con = duckdb.connect()
    con.register("dixian_keys", keys)
    out: dict[str, Any] = {}
    try:
        for name, src in tables.items():
            cols = (columns or {}).get(name)
            if src is None:
                continue
            if _is_ibis(src):
                pred = src.household_code.isin(codes)
                t = src.filter(pred | src.household_code.isnull() if unassigned else pred)
                out[name] = t.select(*cols) if cols else t
                continue
            what = ", ".join(f'"{c}"' for c in cols) if cols else "*"
            where = "WHERE household_code IN (SELECT household_code FROM dixian_keys)"
            if unassigned:
                where += " OR household_code IS NULL"
            if _parquet_files(src):
                paths = [str(p) for p in src] if isinstance(src, (list, tuple)) else [str(src)]
                res = con.sql(f"SELECT {what} FROM read_parquet(?) {where}", params=[paths])
            else:
                con.register("dixian_src", _arrow(src))
                res = con.sql(f"SELECT {what} FROM dixian_src {where}")
            out[name] = res.to_arrow_table()
    finally:
        con.close()
    return out


def _households_in(feeds_tables: Mapping[str, Any] | None, feeds: Iterable[str]) -> set[str]:
    """The households that have a record in one of ``feeds``."""
    import duckdb

    from dixian.engine.screening.engine import _arrow, _parquet_files

    out: set[str] = set()
    for feed in feeds:
        src = (feeds_tables or {}).get(feed)
        if src is None:
            continue
        if _is_ibis(src):
            col = src.select("household_code").distinct().to_pyarrow()["household_code"]
        elif _parquet_files(src):
            paths = [str(p) for p in src] if isinstance(src, (list, tuple)) else [str(src)]
            con = duckdb.connect()
            col = con.sql("SELECT DISTINCT household_code FROM read_parquet(?)",
                          params=[paths]).to_arrow_table()["household_code"]
            con.close()
        else:
            t = _arrow(src)
            if "household_code" not in t.column_names:
                continue
            col = pc.unique(t["household_code"])
        out.update(c for c in col.to_pylist() if c)
    return out


def _households(snapshot_tables, codes: Iterable[str]) -> pa.Table:
    """household_code, village_code, household_type of the households ``codes``."""
    h = _only({"households": snapshot_tables["households"]}, codes,
              {"households": ["household_code", "village_code", "household_type"]})
    t = h["households"]
    return t.to_pyarrow() if _is_ibis(t) else t


def _categories(snapshot_tables, codes: Iterable[str], policy: Mapping[str, Any],
                pcni: Mapping[str, float]) -> dict[str, str]:
    """The category the province's scheme (``categories.scheme`` of ``policy``) gives each of
    the households ``codes`` from what the preview knows of them: R1 (``pcni``) and the
    household type; "" where the scheme assigns none or R1 is not known here."""
    import ibis

    from dixian.engine.eligibility.categories import assign_table

    h = _households(snapshot_tables, codes)
    keys = h["household_code"].to_pylist()
    facts = pa.table({
        "household_code": keys,
        "per_capita": pa.array([pcni.get(k) for k in keys], pa.float64()),
        "per_capita_after_rigid": pa.array([pcni.get(k) for k in keys], pa.float64()),
        "poverty_alleviated": pc.equal(h["household_type"], "poverty_alleviated")})
    t = ibis.memtable(facts)
    got = t.mutate(category=assign_table(t, policy)).to_pyarrow()
    return {k: c or "" for k, c in zip(got["household_code"].to_pylist(),
                                       got["category"].to_pylist(), strict=True)}


def _pcni(r1: pa.Table | None, codes: Iterable[str]) -> dict[str, float]:
    """R1 of the households ``codes`` ({} when R1 was not computed)."""
    if r1 is None:
        return {}
    wanted = pa.array(sorted(set(codes)), pa.string())
    t = r1.filter(pc.is_in(r1["household_code"], wanted))
    return dict(zip(t["household_code"].to_pylist(), t["pcni"].to_pylist(), strict=True))


def _range(out: Preview, snapshot_tables, r1s: list[pa.Table], lines: list[float],
           policies: tuple = (None, None)) -> None:
    """Households whose R1 falls below the line under one policy and not the other.

    When R1 is the same under both policies (the same income window), only the households
    between the two lines can change side."""
    if r1s[0] is r1s[1]:
        lo, hi = sorted(lines)
        r1 = r1s[0]
        r1 = r1.filter(pc.and_(pc.greater_equal(r1["pcni"], lo), pc.less(r1["pcni"], hi)))
        r1s = [r1, r1]
    tables = []
    for r, line in zip(r1s, lines, strict=True):
        below = r.filter(pc.less(r["pcni"], line))
        tables.append({k: round(p, 2) for k, p in zip(below["household_code"].to_pylist(),
                                                      below["pcni"].to_pylist(), strict=True)})
    now, then = tables
    line_now, line_then = lines
    changed = set(now) ^ set(then)
    h = _households(snapshot_tables, changed)
    villages = dict(zip(h["household_code"].to_pylist(), h["village_code"].to_pylist(),
                        strict=True))
    for kind, a, b, policy in (("entering", then, now, policies[1]),
                               ("leaving", now, then, policies[0])):
        keys = sorted(set(a) - set(b))
        cats = _categories(snapshot_tables, keys, policy, a) if policy is not None else {}
        setattr(out, kind, [{"household_code": k, "village_code": villages.get(k, ""),
                             "category": cats.get(k, ""), "pcni": a[k],
                             "line_before": line_now, "line_after": line_then} for k in keys])
