"""The monitoring indicators of rule R9, computed from the ledger on DuckDB, without Django.

:func:`compute` takes the registry snapshot and the ledger tables (:mod:`.schema`) of a
:class:`~dixian.engine.scope.RegionScope` and returns, for every region from the scope's root
down to the village and for each month of a window, the monitored households and persons by
status, category and main risk type, new identifications and eliminations, returns to
poverty, identification and measure lags, assistance coverage, overdue work, incomes, FGT at
the monitoring line, vulnerability and data-quality issues (:data:`SUMMARY_FIELDS`).
:func:`households_for` lists the households behind a figure; :mod:`.macro` holds the macro
series of the "three excesses"; :mod:`.display` the small-cell suppression and the Wilson
interval the pages use; :mod:`.report` the monthly county report. ``docs/statistics.md``
defines every indicator.

Two households of one village, one identified in May and eliminated (assisted) in June:

>>> import datetime as dt
>>> import pyarrow as pa
>>> from dixian.engine.scope import RegionScope
>>> hh = pa.table({"household_code": ["5223261012010001", "5223261012010002"],
...                "village_code": ["522326101201"] * 2,
...                "household_type": ["poverty_alleviated", "ordinary"]})
>>> members = pa.table({"household_code": ["5223261012010001"] * 3 + ["5223261012010002"],
...                     "member_status": ["active"] * 4})
>>> spells = pa.table({"household_code": ["5223261012010001"], "category": ["SUDDEN"],
...                    "risk_types": [["ILLNESS"]], "started_on": [dt.date(2025, 5, 10)],
...                    "ended_on": [dt.date(2025, 6, 20)], "elimination_mode": ["ASSISTED"]})
>>> r = compute({"households": hh, "members": members, "spells": spells},
...             RegionScope.of("522326"), as_of="2025-06", months=2)
>>> may, june = r.row("522326", "2025-05"), r.row("522326101201", "2025-06")
>>> may["monitored_households"], may["monitored_persons"], may["new_identified_households"]
(1, 3, 1)
>>> june["monitored_households"], june["eliminated_assisted_persons"], june["persons_total"]
(0, 3, 4)
>>> compute({"households": hh}, None)
Traceback (most recent call last):
...
dixian.engine.scope.ScopeRequired: a RegionScope is required; refusing to run unscoped
"""

from .engine import (
    BREAKDOWN_SCHEMA,
    FLOW_EVENTS,
    FLOWS_SCHEMA,
    LIST_INDICATORS,
    LIST_INPUTS,
    STATUSES,
    SUMMARY_FIELDS,
    Indicators,
    compute,
    households_for,
    list_income_months,
    per_capita_income,
)
from .macro import Comparison, Macro, load_macro, three_excesses
from .params import DEFAULTS, PARAMETERS, monitoring_line
from .schema import (
    CASES,
    CLUES,
    LEDGER_SCHEMAS,
    MEASURES,
    QUALITY_ISSUES,
    SPELLS,
    VISITS,
    conform_ledger,
)

__all__ = [
    "compute", "households_for", "list_income_months", "per_capita_income", "Indicators",
    "SUMMARY_FIELDS",
    "BREAKDOWN_SCHEMA", "FLOWS_SCHEMA", "FLOW_EVENTS", "STATUSES", "LIST_INDICATORS", "LIST_INPUTS",
    "load_macro", "three_excesses", "Macro", "Comparison",
    "PARAMETERS", "DEFAULTS", "monitoring_line",
    "SPELLS", "CASES", "CLUES", "MEASURES", "QUALITY_ISSUES", "VISITS", "LEDGER_SCHEMAS",
    "conform_ledger",
]
