"""The funds app's one door to the engine: its other modules import the engine names they
use from here (``tests/engine/test_app_bridges.py``); see ``dixian/core/bridge.py``."""

from dixian.core.bridge import reexport

ENGINE = {
    "classify_asset": "dixian.engine.funds",
    "Finding": "dixian.engine.funds",
    "filecheck": "dixian.engine",
    "funds": "dixian.engine",
    "pdf": "dixian.engine.reports",
    "Report": "dixian.engine.reports.model",
    "resolve": "dixian.engine.policy",
    "work_relief": "dixian.engine.funds",
}
__getattr__ = reexport(globals(), ENGINE)
