"""``resolve(region, on=date)``: the policy in force in a region on a day.

Layers, most specific first: the county, its prefecture, its province, the nation; a layer is
consulted for a parameter only down to the level the parameter allows. Within a layer the
value in force on the day with the latest start wins (between two values starting the same
day, the later approval). Values come from the baseline (:mod:`.catalogue`), from approved
changes (the registered change source) and, for a preview, from a proposal's overlay.

Three time axes: ``on`` (effective: which value is in force), ``known_on`` (recorded: only
changes approved by then count, so a past day's policy is reconstructed exactly as it was
applied) and the approval time kept on every record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from dixian.engine.policy.catalogue import Catalogue, load
from dixian.engine.policy.model import LEVELS, Parameter, PolicyError, Record, plain

ChangeSource = Callable[[], Iterable[Record]]
_change_source: ChangeSource | None = None


def set_change_source(source: ChangeSource | None) -> None:
    """Register where approved changes come from (the platform's database, via its bridge)."""
    global _change_source
    _change_source = source


def approved_changes() -> tuple[Record, ...]:
    return tuple(_change_source()) if _change_source else ()


def layers(region: str | None) -> list[str]:
    """The regions whose values apply to ``region``, most specific first."""
    code = (region or "")[:6]
    if code and not code.isdigit():
        raise PolicyError(f"{region!r} is not a division code")
    return [code[:n] for n in (6, 4, 2) if len(code) >= n] + [""]


def _applies(record: Record, parameter: Parameter) -> bool:
    return LEVELS.index(record.level) <= LEVELS.index(parameter.level)


class Policy(Mapping[str, Any]):
    """The resolved policy: parameter name → value, with the record behind each value."""

    def __init__(self, region: str, on: dt.date, chosen: dict[str, Record],
                 catalogue: Catalogue):
        self.region = region
        self.on = on
        self._records = chosen
        self._catalogue = catalogue
        self._values = {name: r.value for name, r in chosen.items()}

    def __getitem__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(f"unknown policy parameter {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def record(self, name: str) -> Record:
        return self._records[name]

    def parameter(self, name: str) -> Parameter:
        return self._catalogue.parameters[name]

    def area(self, area: str) -> dict[str, Any]:
        """``{short name: value}`` for the parameters of one area (``"screening"`` …)."""
        prefix = area + "."
        return {n[len(prefix):]: v for n, v in self._values.items() if n.startswith(prefix)}

    def as_json(self) -> dict[str, Any]:
        return {n: plain(v) for n, v in sorted(self._values.items())}

    @property
    def fingerprint(self) -> str:
        """Twelve hex digits that change whenever any value in force changes."""
        return fingerprint(self.as_json())


def fingerprint(values: Mapping[str, Any]) -> str:
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _candidates(catalogue: Catalogue, overlay: Iterable[Record], known_on: dt.datetime | None,
                with_changes: bool = True) -> list[Record]:
    changes = [r for r in (approved_changes() if with_changes else ())
               if known_on is None or (r.approved_at is not None and r.approved_at <= known_on)]
    return [*catalogue.records, *changes, *overlay]


def _order(record: Record) -> tuple:
    approved = record.approved_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    if approved.tzinfo is None:
        approved = approved.replace(tzinfo=dt.UTC)
    return (record.start, approved)


def resolve(region: str | None, on: dt.date | None = None, *, overlay: Iterable[Record] = (),
            known_on: dt.datetime | None = None, with_changes: bool = True) -> Policy:
    """The policy in force in ``region`` (a division code, or ``None`` for the nation) on ``on``.

    ``overlay``: records of a proposal, applied as if approved now (a preview).
    ``known_on``: count only changes approved by then (the policy as it was applied).
    ``with_changes=False``: the baseline alone (the published values, for generated docs).
    """
    on = on or dt.date.today()
    if isinstance(on, dt.datetime):
        on = on.date()
    catalogue = load()
    codes = layers(region)
    by_param: dict[str, dict[str, list[Record]]] = {}
    for r in _candidates(catalogue, overlay, known_on, with_changes):
        if r.region in codes and r.in_force(on):
            by_param.setdefault(r.parameter, {}).setdefault(r.region, []).append(r)
    chosen: dict[str, Record] = {}
    for name, spec in catalogue.parameters.items():
        found = by_param.get(name, {})
        for code in codes:
            usable = [r for r in found.get(code, ()) if _applies(r, spec)]
            if usable:
                chosen[name] = max(usable, key=_order)
                break
        else:
            raise PolicyError(f"{name}: no value in force on {on} for {region or 'the nation'}")
    return Policy(codes[0], on, chosen, catalogue)


def timeline(name: str, region: str | None, start: dt.date, stop: dt.date, *,
             overlay: Iterable[Record] = (), with_changes: bool = True
             ) -> list[tuple[dt.date, dt.date, Any]]:
    """``[(from, until, value), ...]`` covering ``[start, stop)``: the parameter's value over time.

    Vectorised rules join on it instead of resolving the policy day by day.
    """
    catalogue = load()
    if name not in catalogue.parameters:
        raise KeyError(f"unknown policy parameter {name!r}")
    codes = layers(region)
    overlay = list(overlay)
    edges = {start, stop}
    for r in _candidates(catalogue, overlay, None, with_changes):
        if r.parameter == name and r.region in codes:
            for day in (r.start, r.stop):
                if day is not None and start < day < stop:
                    edges.add(day)
    days = sorted(edges)
    out: list[tuple[dt.date, dt.date, Any]] = []
    for a, b in zip(days, days[1:], strict=False):
        value = resolve(region, a, overlay=overlay, with_changes=with_changes)[name]
        if out and out[-1][2] == value:
            out[-1] = (out[-1][0], b, value)
        else:
            out.append((a, b, value))
    return out


def value_by_month(name: str, region: str | None, months: Iterable[str], *,
                   overlay: Iterable[Record] = ()) -> dict[str, Any]:
    """``{"YYYY-MM": value in force on the month's first day}``."""
    months = sorted(set(months))
    if not months:
        return {}
    first = dt.date.fromisoformat(months[0] + "-01")
    last = dt.date.fromisoformat(months[-1] + "-01")
    spans = timeline(name, region, first, last + dt.timedelta(days=1), overlay=overlay)
    out = {}
    for month in months:
        day = dt.date.fromisoformat(month + "-01")
        out[month] = next(v for a, b, v in spans if a <= day < b)
    return out


def region_of_scope(scope) -> str | None:
    """The region whose policy a run over ``scope`` (a RegionScope) uses: its one region,
    else its one province, else the nation."""
    if scope.national or not scope.prefixes:
        return None
    if len(scope.prefixes) == 1:
        return scope.prefixes[0]
    provinces = {p[:2] for p in scope.prefixes}
    return provinces.pop() if len(provinces) == 1 else None
