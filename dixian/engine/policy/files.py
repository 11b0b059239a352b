"""A region's policy as a TOML file: what `dixian policy export` writes and `import` reads.

The format is the one of the baseline's ``regions/<code>.toml``: the region, its name, an
optional ``[basis]`` table (document number, date, text, effective date, title) and one
``[[value]]`` table per value (parameter, from, until, value, source). An imported file is a
proposal like any other: it is checked whole and applies nothing until a second person
approves it.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tomli_w

from dixian.engine.policy.catalogue import load
from dixian.engine.policy.model import PolicyError, Record, plain
from dixian.engine.policy.resolution import approved_changes, layers


def region_records(region: str, *, include_changes: bool = True) -> list[Record]:
    """The values set for ``region`` itself (not inherited), baseline and approved changes."""
    records = [r for r in load().records if r.region == region]
    if include_changes:
        records += [r for r in approved_changes() if r.region == region]
    return sorted(records, key=lambda r: (r.parameter, r.start))


def export_toml(region: str, *, on: dt.date | None = None) -> str:
    """The region's own values, with their history, and (as a comment) what it inherits."""
    catalogue = load()
    doc: dict[str, Any] = {"region": region,
                           "name": catalogue.region_names.get(region, region)}
    values = []
    for r in region_records(region):
        item: dict[str, Any] = {"parameter": r.parameter, "from": r.start}
        if r.stop:
            item["until"] = r.stop
        item["value"] = plain(r.value)
        item["source"] = r.source
        if r.inferred:
            item["inferred"] = True
        values.append(item)
    doc["value"] = values
    inherited = [code or "nation" for code in layers(region)[1:]]
    head = (f"# Dixian policy of region {region}, exported {on or dt.date.today()}.\n"
            f"# Values set for this region; everything else is inherited from "
            f"{', '.join(inherited) or 'nothing'}.\n"
            "# To propose a change: add a [basis] table (number, date, text, effective_from,\n"
            "# title) and the new [[value]] tables, then `dixian policy import FILE`.\n\n")
    return head + tomli_w.dumps(doc)


@dataclass(frozen=True)
class Proposal:
    region: str
    title: str
    basis_number: str
    basis_date: dt.date
    basis_text: str
    effective_from: dt.date
    values: list[dict[str, Any]]


def read_proposal(text: str, *, name: str = "policy file") -> Proposal:
    """The proposal a TOML file describes: its ``[basis]`` and the values from its effective
    date that differ from what the region already sets. :class:`PolicyError` names the
    problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{name}: not a TOML file ({error})") from None
    region = str(data.get("region", ""))
    basis = data.get("basis")
    if not isinstance(basis, dict):
        raise PolicyError(f"{name}: a [basis] table (number, date, text, effective_from, "
                          "title) is required to propose a change")
    missing = [k for k in ("number", "date", "text", "effective_from") if k not in basis]
    if missing:
        raise PolicyError(f"{name}: [basis] lacks {', '.join(missing)}")
    for key in ("date", "effective_from"):
        if not isinstance(basis[key], dt.date):
            raise PolicyError(f"{name}: [basis] {key} {basis[key]!r} is not a date")
    effective = basis["effective_from"]
    existing = {(r.parameter, r.start, _same(r.value)) for r in region_records(region)}
    values = []
    for i, raw in enumerate(data.get("value", [])):
        if not isinstance(raw, dict):
            raise PolicyError(f"{name}: value[{i}] is not a table")
        start = raw.get("from", effective)
        if (raw.get("parameter"), start, _same(raw.get("value"))) in existing:
            continue  # already in force as exported: not part of the change
        if start != effective:
            raise PolicyError(f"{name}: value[{i}] ({raw.get('parameter')}) starts {start}, "
                              f"not on the change's effective date {effective}")
        item = {"parameter": raw.get("parameter"), "value": raw.get("value")}
        if "until" in raw:
            item["until"] = raw["until"].isoformat() if isinstance(raw["until"], dt.date) \
                else raw["until"]
        values.append(item)
    return Proposal(region=region, title=str(basis.get("title") or basis["number"]),
                    basis_number=str(basis["number"]), basis_date=basis["date"],
                    basis_text=str(basis["text"]), effective_from=effective, values=values)


def _same(value: Any) -> str:
    """A value's comparable form: the exported file and the record agree when this does."""
    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False, default=str)


def as_rows(values: Iterable[Record]) -> list[dict[str, Any]]:
    return [{"parameter": r.parameter, "region": r.region, "from": r.start, "until": r.stop,
             "value": r.value, "source": r.source} for r in values]
