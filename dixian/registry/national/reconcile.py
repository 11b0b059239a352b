"""The reconciliation report of a migration: the national export's own figures against the
registry's, household by household (the comparison is :mod:`dixian.engine.reconcile`).

The export is read exactly as the import reads it (nothing is written); the registry's side
is what the writer would export: the same households, members, income blocks (recorded, or
computed from the monthly records) and measures.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from dixian.registry import reading, snapshot
from dixian.registry.bridge import RegionScope, require_scope
from dixian.registry.bridge import reconcile as engine
from dixian.registry.national import areas, writer


def reconcile_file(data: bytes, file_name: str, scope: RegionScope) -> engine.Report:
    require_scope(scope)
    result = reading.read(data, file_name, areas.village_resolver(scope))
    expected, rows = file_facts(result.tables)
    report = engine.compare(expected, registry_facts(scope), rows)
    # a value the import could not read is a difference too (it is not in the registry)
    report.unread = [p.as_dict() for p in result.problems if p.kind == "structure"]
    return report


def file_facts(tables: dict[str, pl.DataFrame]) -> tuple[pl.DataFrame, dict[str, str]]:
    households = tables.get("households")
    if households is None:
        raise ValueError("the file holds no person table (监测对象信息 or 户信息)")
    where: dict[str, list[str]] = defaultdict(list)
    for sheet, row, code in households.select("_sheet", "_row", "household_code").iter_rows():
        if len(where[code]) < 12:
            where[code].append(f"{sheet.split('/')[-1]} {row}")
    rows = {code: ", ".join(found) for code, found in where.items()}
    facts = engine.household_facts(households, tables["members"], tables.get("income_blocks"),
                                   tables.get("national_measures"))
    return facts, rows


def registry_facts(scope: RegionScope) -> pl.DataFrame:
    from dixian.assistance.models import Measure
    from dixian.core.access import scope_q

    tables = snapshot.snapshot(scope)
    households = pl.from_arrow(tables["households"])
    members = pl.from_arrow(tables["members"])
    by_code = {h["household_code"]: h for h in tables["households"].to_pylist()}
    blocks = writer.income_blocks(scope, by_code, tables["members"].to_pylist())
    block_rows = [{"household_code": code, "basis": basis, **values}
                  for code, bases in blocks.items() for basis, values in bases.items()]
    block_frame = pl.DataFrame(block_rows, infer_schema_length=None) if block_rows else None
    measures = pl.DataFrame(
        list(Measure.objects.filter(scope_q(scope, "village_code"))
             .values_list("household__code", "category")),
        schema={"household_code": pl.String, "category": pl.String}, orient="row")
    return engine.household_facts(households, members, block_frame, measures)


def render_text(report: engine.Report, limit: int = 200) -> str:
    """The report as a person reads it on the command line."""
    lines = [f"households in the export: {report.households_expected:,}; "
             f"in the registry: {report.households_actual:,}",
             "", f"{'figure':<36} {'group':<34} {'export':>12} {'registry':>12}"]
    for t in report.totals:
        mark = "  ≠" if t.differs else ""
        lines.append(f"{t.measure:<36} {t.group:<34} {t.expected:>12,.2f} {t.actual:>12,.2f}"
                     f"{mark}")
    lines.append("")
    for p in report.unread[:limit]:
        lines.append(f"  not read: [{p['sheet']}] row {p['row']} {p['column']} "
                     f"{p['value']!r}: {p['message']}")
    if report.clean:
        lines.append("no differences: the registry holds what the export holds")
        return "\n".join(lines)
    lines.append(f"{len(report.differences):,} differences (household, field, export, "
                 f"registry, rows of the file):")
    for d in report.differences[:limit]:
        lines.append(f"  {d.household_code}  {d.field}: {d.expected!r} ≠ {d.actual!r}  "
                     f"[{d.rows}]")
    if len(report.differences) > limit:
        lines.append(f"  … {len(report.differences) - limit:,} more")
    return "\n".join(lines)
