"""The regional programmes' one door to the engine: its other modules import the engine names
they use from here (``tests/engine/test_app_bridges.py``); see ``dixian/core/bridge.py``."""

from dixian.core.bridge import reexport

ENGINE = {
    "month_add": "dixian.engine.months",
    "month_of": "dixian.engine.months",
    "months_ending": "dixian.engine.months",
    "whole_months": "dixian.engine.months",
    "NET_PLUS": "dixian.engine.income",
    "r1_for_policy": "dixian.engine.income",
    "consumption": "dixian.engine.regional",
    "key_counties": "dixian.engine.regional",
    "land_quota": "dixian.engine.regional",
    "pairing": "dixian.engine.regional",
    "relocation": "dixian.engine.regional",
    "resolve": "dixian.engine.policy",
}
__getattr__ = reexport(globals(), ENGINE)
