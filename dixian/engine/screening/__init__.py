"""Screening: the departmental alert rules (R7) and the eligibility screen (R2) as data.

>>> from dixian.engine.screening import RULES
>>> len({r.id for r in RULES}) == len(RULES)
True
"""

from .engine import ALERTS, households, run, to_sql
from .params import DEFAULTS, PARAMETERS, resolve
from .spec import OPERATORS, RULES, RULES_BY_ID, Rule

__all__ = ["ALERTS", "households", "run", "to_sql", "DEFAULTS", "PARAMETERS", "resolve",
           "OPERATORS", "RULES", "RULES_BY_ID", "Rule"]
