"""The registry app's one door to the engine: its other modules import the engine names they
use from here (``tests/engine/test_app_bridges.py``); see ``dixian/core/bridge.py``."""

from dixian.core.bridge import reexport

ENGINE = {
    "ALL_SCHEMAS": "dixian.engine.schema",
    "CATEGORIES": "dixian.engine.assistance.catalogue",
    "duplicates": "dixian.engine",
    "ENUMS": "dixian.engine.schema",
    "filecheck": "dixian.engine",
    "FORMULA_PREFIXES": "dixian.engine.spreadsheet",
    "generate": "dixian.engine.synth",
    "identity": "dixian.engine",
    "INCOME_COMPONENTS": "dixian.engine.schema",
    "INSTRUMENTS": "dixian.engine.assistance.catalogue",
    "known_categories": "dixian.engine.eligibility.categories",
    "month_add": "dixian.engine.months",
    "month_of": "dixian.engine.months",
    "months_ending": "dixian.engine.months",
    "policy": "dixian.engine",
    "quality": "dixian.engine",
    "r1_for_policy": "dixian.engine.income",
    "reconcile": "dixian.engine",
    "RegionScope": "dixian.engine.scope",
    "require_scope": "dixian.engine.scope",
    "safe_cell": "dixian.engine.spreadsheet",
    "safe_row": "dixian.engine.spreadsheet",
    "safe_table": "dixian.engine.spreadsheet",
    "schema": "dixian.engine",
}
__getattr__ = reexport(globals(), ENGINE)
