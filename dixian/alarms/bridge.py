"""The alarms app's one door to the engine: its other modules import the engine names they
use from here (``tests/engine/test_app_bridges.py``); see ``dixian/core/bridge.py``."""

from dixian.core.bridge import reexport

ENGINE = {
    "check_month": "dixian.engine.indicators.periods",
    "Params": "dixian.engine.alarm",
    "region_of_scope": "dixian.engine.policy",
    "RegionScope": "dixian.engine.scope",
    "require_scope": "dixian.engine.scope",
    "resolve": "dixian.engine.policy",
    "scan": "dixian.engine.alarm",
}
__getattr__ = reexport(globals(), ENGINE)
