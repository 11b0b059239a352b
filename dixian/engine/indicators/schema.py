"""Arrow schemas of the ledger tables the indicators read, beside the registry snapshot.

The registry snapshot (:mod:`dixian.engine.schema`: ``households``, ``members``, ``incomes``)
says who the households are and what they earn; the ledger says what happened to them: the
monitoring spells, the identification and elimination cases with their clues, the assistance
measures, the data-quality issues and the monthly visits. The Django side (``dixian.statistics
.bridge``) fills these tables from its models; a benchmark or a notebook can fill them from
anything else. Every table is optional: a missing one is read as empty.

Conventions: division codes and months as in the snapshot contract; dates are ``date32``;
moments are ``timestamp[us]`` **in local time without a zone** (the province's clock: a
decision at 01:00 on 1 June Beijing time belongs to June), so that months are attributed as the
people who work in them count them.

>>> sorted(LEDGER_SCHEMAS)
['cases', 'clues', 'measures', 'quality_issues', 'spells', 'visits']
>>> conform_ledger(None, "spells").num_rows, conform_ledger(None, "spells").schema == SPELLS
(0, True)
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

__all__ = ["SPELLS", "CASES", "CLUES", "MEASURES", "QUALITY_ISSUES", "VISITS",
           "LEDGER_SCHEMAS", "conform_ledger"]

S, B, I64, D = pa.string(), pa.bool_(), pa.int64(), pa.date32()
TS = pa.timestamp("us")


def _f(name: str, type_: pa.DataType, doc: str) -> pa.Field:
    return pa.field(name, type_, nullable=True, metadata={"doc": doc})


SPELLS = pa.schema([
    _f("household_code", S, "The monitored household."),
    _f("village_code", S, "The household's village when the spell started."),
    _f("category", S, "Monitoring category (UNSTABLE, MARGINAL, SUDDEN)."),
    _f("risk_types", pa.list_(S), "Risk types, the main one first."),
    _f("started_on", D, "Day the household entered monitoring."),
    _f("ended_on", D, "Day its risk was eliminated (null while monitored)."),
    _f("elimination_mode", S, "ASSISTED or NATURAL (null while monitored)."),
    _f("is_return", B, "The spell began within the return window after an earlier one ended "
                       "(a return to poverty, 返贫)."),
    _f("whole_household_no_labour", B, "No member could work when the spell started."),
    _f("identification_case_id", I64, "The case that identified the household (null if none)."),
    _f("imported", B, "Carried over from the national system: only months are known, so lag "
                      "statistics leave it out."),
], metadata={"table": "spells"})

CASES = pa.schema([
    _f("case_id", I64, "Case number."),
    _f("household_code", S, "The household."),
    _f("village_code", S, "The household's village."),
    _f("kind", S, "identification or elimination."),
    _f("state", S, "Current step (clue, visit, …, monitored, eliminated, rejected)."),
    _f("opened_at", TS, "When the case was opened (first clue)."),
    _f("deadline", TS, "When the decision is due."),
    _f("decided_at", TS, "When the county decided (approved or rejected)."),
    _f("closed_at", TS, "When the case reached a final state (null while open)."),
    _f("category", S, "Category decided (identification)."),
    _f("elimination_mode", S, "Mode decided (elimination)."),
    _f("imported", B, "Carried over from the national system (no real dates)."),
    _f("flagged_for_supervisors", B, "An elimination within two months of identification."),
], metadata={"table": "cases"})

CLUES = pa.schema([
    _f("case_id", I64, "The case the clue opened or joined."),
    _f("channel", S, "self_declaration, cadre_visit, department_alert, …"),
    _f("risk_type", S, "The risk the clue reports."),
    _f("received_at", TS, "When the clue was received."),
], metadata={"table": "clues"})

MEASURES = pa.schema([
    _f("measure_id", I64, "Measure number."),
    _f("household_code", S, "The household helped."),
    _f("village_code", S, "The household's village."),
    _f("risk_type", S, "The risk the measure addresses."),
    _f("category", S, "Catalogue category (INDUSTRY, EMPLOYMENT, HEALTH, …)."),
    _f("instrument", S, "Catalogue instrument."),
    _f("department", S, "Department that delivers it."),
    _f("status", S, "planned, in_progress, implemented or ended."),
    _f("planned_on", D, "Day it was planned (assigned)."),
    _f("due_on", D, "Day it is due to be implemented."),
    _f("started_on", D, "Day delivery started."),
    _f("implemented_on", D, "Day it was implemented."),
    _f("ended_on", D, "Day it ended."),
], metadata={"table": "measures"})

QUALITY_ISSUES = pa.schema([
    _f("village_code", S, "Village of the record."),
    _f("household_code", S, "Household of the record (null for village records)."),
    _f("rule_id", S, "Data-quality rule."),
    _f("severity", S, "error or warning."),
    _f("status", S, "open, fixed or accepted."),
    _f("opened_at", TS, "When the issue was first found."),
    _f("resolved_at", TS, "When it was fixed or accepted (null while open)."),
], metadata={"table": "quality_issues"})

VISITS = pa.schema([
    _f("household_code", S, "The visited household."),
    _f("village_code", S, "Its village."),
    _f("month", S, "The month the visit counts for ('YYYY-MM')."),
    _f("visited_on", D, "Day of the visit."),
], metadata={"table": "visits"})

LEDGER_SCHEMAS: dict[str, pa.Schema] = {
    "spells": SPELLS, "cases": CASES, "clues": CLUES, "measures": MEASURES,
    "quality_issues": QUALITY_ISSUES, "visits": VISITS,
}


def conform_ledger(table: Any, name: str) -> pa.Table:
    """``table`` (an Arrow table, a pandas or Polars frame, or None) in the schema of ``name``:
    missing columns become nulls, extra columns are dropped, types are cast."""
    target = LEDGER_SCHEMAS[name]
    if table is None:
        return target.empty_table()
    if not isinstance(table, pa.Table):
        if hasattr(table, "to_arrow"):
            table = table.to_arrow()
        else:
            table = pa.Table.from_pandas(table, preserve_index=False)
    arrays = []
    for field in target:
        if field.name in table.column_names:
            column = table[field.name]
            if pa.types.is_timestamp(field.type) and pa.types.is_timestamp(column.type) \
                    and column.type.tz is not None:
                raise ValueError(f"{name}.{field.name}: give local times without a zone "
                                 f"(got {column.type})")
            arrays.append(column.cast(field.type))
        else:
            arrays.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=target)
