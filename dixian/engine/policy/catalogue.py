"""The baseline: every parameter's declaration and its national and regional values.

Declarations live in ``parameters/<area>.toml`` (one table per parameter, with its national
values under ``values``); published regional values live in ``regions/<code>.toml``. Both are
read once. Approved changes made in Dixian are not here: they come from the change source that
the platform registers (:func:`dixian.engine.policy.resolution.set_change_source`).
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dixian.engine.policy.model import LEVELS, NAME, TYPES, Parameter, PolicyError, Record

HERE = Path(__file__).parent
PARAMETER_DIR = HERE / "parameters"
REGION_DIR = HERE / "regions"


@dataclass(frozen=True)
class Catalogue:
    parameters: dict[str, Parameter]
    records: tuple[Record, ...]           # baseline values: national and published regional
    region_names: dict[str, str]


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise PolicyError(f"{where}: {value!r} is not a date (write it as 2026-01-01)")


def parse_record(raw: dict, *, parameter: str, region: str, where: str,
                 parameters: dict[str, Parameter]) -> Record:
    if parameter not in parameters:
        raise PolicyError(f"{where}: unknown parameter {parameter!r}")
    spec = parameters[parameter]
    unknown = set(raw) - {"parameter", "from", "until", "value", "source", "inferred"}
    if unknown:
        raise PolicyError(f"{where}: unknown key(s) {sorted(unknown)}")
    for key in ("from", "value", "source"):
        if key not in raw:
            raise PolicyError(f"{where}: {parameter} needs {key!r}")
    level = {0: "nation", 2: "province", 4: "prefecture", 6: "county"}.get(len(region))
    if level is None or (region and not region.isdigit()):
        raise PolicyError(f"{where}: {region!r} is not a nation, province, prefecture or county")
    if LEVELS.index(level) > LEVELS.index(spec.level):
        raise PolicyError(f"{where}: {parameter} may be set down to the {spec.level} level, "
                          f"not by a {level} ({region})")
    start = _date(raw["from"], where)
    stop = _date(raw["until"], where) if "until" in raw else None
    if stop is not None and stop <= start:
        raise PolicyError(f"{where}: {parameter} ends ({stop}) before it starts ({start})")
    try:
        value = spec.check(raw["value"])
    except PolicyError as error:
        raise PolicyError(f"{where}: {error}") from None
    if spec.type == "rules":
        _check_rule_parameters(value, where=where, parameter=parameter, parameters=parameters)
    return Record(parameter=parameter, region=region, start=start, stop=stop, value=value,
                  source=str(raw["source"]), inferred=bool(raw.get("inferred", False)))


def _check_rule_parameters(entries, *, where: str, parameter: str,
                           parameters: dict[str, Parameter]) -> None:
    """A rule's condition may read parameters (``P.income.monitoring_line``) that exist."""
    from dixian.engine.rules import lang

    for entry in entries:
        unknown = lang.param_names(lang.parse(entry.when)) - set(parameters)
        if unknown:
            raise PolicyError(f"{where}: {parameter}: the condition for {entry.code} reads "
                              f"unknown parameter(s) {sorted(unknown)}")


def _parameter(name: str, raw: dict, where: str) -> Parameter:
    if not NAME.match(name):
        raise PolicyError(f"{where}: {name!r} is not an <area>.<name> parameter name")
    kind = raw.get("type")
    if kind not in TYPES:
        raise PolicyError(f"{where}: {name} has type {kind!r}, not one of {TYPES}")
    level = raw.get("level", "province")
    if level not in LEVELS:
        raise PolicyError(f"{where}: {name} has level {level!r}, not one of {LEVELS}")
    missing = [k for k in ("unit", "title", "title_zh", "meaning", "values") if k not in raw]
    if missing:
        raise PolicyError(f"{where}: {name} lacks {missing}")
    return Parameter(name=name, type=kind, unit=raw["unit"], title=raw["title"],
                     title_zh=raw["title_zh"], meaning=raw["meaning"], min=raw.get("min"),
                     max=raw.get("max"), level=level, choices=tuple(raw.get("choices", ())),
                     fields=tuple(raw.get("fields", ())))


def check_no_overlap(records: list[Record]) -> None:
    """Two values of one parameter in one region may not both start on the same day."""
    seen: dict[tuple[str, str, dt.date], Record] = {}
    for r in records:
        key = (r.parameter, r.region, r.start)
        if key in seen and seen[key].change == r.change:
            raise PolicyError(f"{r.parameter}: two values from {r.start} for region "
                              f"{r.region or 'nation'} ({seen[key].value!r} and {r.value!r})")
        seen[key] = r


@functools.cache
def load() -> Catalogue:
    parameters: dict[str, Parameter] = {}
    raw_values: list[tuple[str, dict, str]] = []
    for path in sorted(PARAMETER_DIR.glob("*.toml")):
        area = path.stem
        for short, raw in tomllib.loads(path.read_text("utf-8")).items():
            name = f"{area}.{short}"
            where = f"{path.name} [{short}]"
            parameters[name] = _parameter(name, raw, where)
            for i, value in enumerate(raw["values"]):
                raw_values.append((name, value, f"{where} values[{i}]"))
    records = [parse_record(v, parameter=n, region="", where=w, parameters=parameters)
               for n, v, w in raw_values]
    missing = sorted(set(parameters) - {r.parameter for r in records})
    if missing:
        raise PolicyError(f"parameters without a national value: {missing}")
    names: dict[str, str] = {}
    for path in sorted(REGION_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        region = str(data.get("region", path.stem))
        names[region] = data.get("name", region)
        for i, raw in enumerate(data.get("value", [])):
            records.append(parse_record(raw, parameter=raw.get("parameter", ""), region=region,
                                        where=f"{path.name} value[{i}]",
                                        parameters=parameters))
    check_no_overlap(records)
    return Catalogue(parameters=parameters, records=tuple(records), region_names=names)
