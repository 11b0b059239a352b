"""What a proposed policy change would do on the current registry, before it takes effect.

The current and the proposed policy are resolved side by side (the proposal as an overlay)
and only what the change touches is computed: the R1 incomes once, compared with both lines
(households entering or leaving the monitoring range), and only the screening rules that read
a changed parameter, under both policies (alerts appearing or disappearing). Counts come by
county and category with the households behind each; the platform scopes and masks them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow.compute as pc

from dixian.engine.policy.model import Record
from dixian.engine.policy.resolution import region_of_scope, resolve
from dixian.engine.scope import RegionScope, require_scope

#: R2's category for a household below the line, by household type (domain.md R2)
CATEGORY_BELOW_LINE = {"poverty_alleviated": "UNSTABLE"}
DEFAULT_CATEGORY_BELOW_LINE = "MARGINAL"


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
    return list(v) if isinstance(v, tuple) else v


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
    from dixian.engine.screening import engine as screening

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
    income_names = {"income.monitoring_line", "income.window_months", "income.window_min_months"}
    if names & income_names:
        _range(out, snapshot_tables, scope, period, on, overlay, region, year)
    rules = affected_rules(names)
    out.rules_run = rules
    if rules:
        keys = ("household_code", "member_id", "rule_id")
        runs = []
        for ov in ((), overlay):
            alerts = screening.run(snapshot_tables, feeds_tables, scope, period=period,
                                   params=_overrides(region, year, on, ov), rules=rules,
                                   backend=backend, on=on)
            runs.append({tuple(a[k] or "" for k in keys): a for a in alerts.select(
                [*keys, "village_code", "risk_type", "value", "threshold"]).to_pylist()})
        cats = _categories(snapshot_tables)
        for kind, a, b in (("alerts_appearing", runs[1], runs[0]),
                           ("alerts_disappearing", runs[0], runs[1])):
            items = [{**a[k], "category": cats.get(k[0], "")} for k in sorted(set(a) - set(b))]
            setattr(out, kind, items)
    out.seconds = time.perf_counter() - started
    return out


def _categories(snapshot_tables) -> dict[str, str]:
    h = snapshot_tables["households"]
    types = dict(zip(h["household_code"].to_pylist(), h["household_type"].to_pylist(),
                     strict=True))
    return {k: CATEGORY_BELOW_LINE.get(t or "", DEFAULT_CATEGORY_BELOW_LINE)
            for k, t in types.items()}


def _range(out: Preview, snapshot_tables, scope, period, on, overlay, region, year) -> None:
    """Households whose R1 falls below the line under one policy and not the other."""
    from dixian.engine.screening import engine as screening

    h = snapshot_tables["households"]
    villages = dict(zip(h["household_code"].to_pylist(), h["village_code"].to_pylist(),
                        strict=True))
    cats = _categories(snapshot_tables)
    tables = []
    for ov in ((), overlay):
        params = _overrides(region, year, on, ov)
        r1 = screening.r1_table(snapshot_tables, scope, period=period, params=params)
        line = float(screening.resolve(region, year, params, on=on)["monitoring_line"])
        below = r1.filter(pc.less(r1["pcni"], line))
        tables.append(({k: round(p, 2) for k, p in zip(below["household_code"].to_pylist(),
                                                       below["pcni"].to_pylist(),
                                                       strict=True)}, line))
    (now, line_now), (then, line_then) = tables
    for kind, a, b in (("entering", then, now), ("leaving", now, then)):
        keys = sorted(set(a) - set(b))
        setattr(out, kind, [{"household_code": k, "village_code": villages.get(k, ""),
                             "category": cats.get(k, ""), "pcni": a[k],
                             "line_before": line_now, "line_after": line_then} for k in keys])
