"""The cases app's one door to the engine: its other modules import the engine names they
use from here (``tests/engine/test_app_bridges.py``); see ``dixian/core/bridge.py``."""

from __future__ import annotations

import datetime as dt

from dixian.core.bridge import reexport

ENGINE = {
    "categories": "dixian.engine.eligibility",
    "elimination": "dixian.engine.eligibility",
    "ENUMS": "dixian.engine.schema",
    "flat": "dixian.engine.policy",
    "identity": "dixian.engine",
    "first_day": "dixian.engine.months",
    "month_add": "dixian.engine.months",
    "month_of": "dixian.engine.months",
    "months_after": "dixian.engine.months",
    "months_between": "dixian.engine.months",
    "months_ending": "dixian.engine.months",
    "r1_for_policy": "dixian.engine.income",
    "RegionScope": "dixian.engine.scope",
    "require_scope": "dixian.engine.scope",
}
__getattr__ = reexport(globals(), ENGINE)


def policy_fingerprint(region: str | None, on: dt.date) -> str:
    """The fingerprint of the policy in force in ``region`` on ``on``: what a decision, a
    letter or a notice records to say which policy it used."""
    from dixian.engine import policy

    return policy.resolve(region, on).fingerprint


def policy_in_force(region: str | None, on: dt.date):
    """The policy in force in ``region`` on ``on`` (:func:`dixian.engine.policy.resolve`)."""
    from dixian.engine import policy

    return policy.resolve(region, on)
