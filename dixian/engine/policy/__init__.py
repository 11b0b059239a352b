"""The policy layer: every parameter of Dixian, defined once, by date and region.

>>> import datetime as dt
>>> p = resolve("522326", dt.date(2023, 6, 1))
>>> p["income.monitoring_line"]
7300
>>> len(p.fingerprint)
12

Everything that needs a threshold, a deadline, a category scheme or a limit reads it from
:func:`resolve`; ``tests/engine/policy/test_no_stray_parameters.py`` fails when a module holds
its own copy. docs/policy.md lists every parameter (generated from the declarations).
"""

from dixian.engine.policy.catalogue import load
from dixian.engine.policy.model import Parameter, PolicyError, Record
from dixian.engine.policy.resolution import (
    Policy,
    approved_changes,
    fingerprint,
    region_of_scope,
    resolve,
    set_change_source,
    timeline,
    value_by_month,
)

__all__ = ["Parameter", "Policy", "PolicyError", "Record", "approved_changes", "fingerprint",
           "load", "region_of_scope", "resolve", "set_change_source", "timeline", "value_by_month"]


def parameters() -> dict[str, Parameter]:
    return load().parameters
