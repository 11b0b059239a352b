"""The assistance app's one door to the engine: its other modules import the engine names they
use from here (``tests/engine/test_app_bridges.py``); see ``dixian/core/bridge.py``."""

from dixian.core.bridge import reexport

ENGINE = {
    "assistance": "dixian.engine",
    "filecheck": "dixian.engine",
    "RegionScope": "dixian.engine.scope",
}
__getattr__ = reexport(globals(), ENGINE)
