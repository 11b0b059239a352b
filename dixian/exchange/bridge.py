"""The exchange app's one door to the engine: its other modules import the engine names they
use from here (``tests/engine/test_app_bridges.py``); see ``dixian/core/bridge.py``."""

from dixian.core.bridge import reexport

ENGINE = {
    "check_month": "dixian.engine.indicators.periods",
    "derive_feeds": "dixian.engine.feeds.synthetic",
    "feed_schema": "dixian.engine.feeds.schemas",
    "feeds": "dixian.engine",
    "FeedSchema": "dixian.engine.feeds.schemas",
    "policy": "dixian.engine",
    "RegionScope": "dixian.engine.scope",
    "require_scope": "dixian.engine.scope",
    "screening": "dixian.engine",
}
__getattr__ = reexport(globals(), ENGINE)
