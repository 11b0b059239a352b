"""The policy parameters the procedures read (deadlines, elimination conditions), by short name.

Values live in the policy layer (:mod:`dixian.engine.policy`, docs/policy.md), per region and
date: Anhui's and Gansu's longer identification limits are regional values there.

>>> procedure_params("52")["identification_sla_days"]
15
>>> procedure_params("34")["identification_sla_days"]
28
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dixian.cases.bridge import flat

#: short name -> policy parameter
NAMES: dict[str, str] = {
    "identification_sla_days": "procedure.identification_sla_days",
    "village_notice_min_days": "procedure.village_notice_min_days",
    "self_declaration_accept_days": "procedure.self_declaration_accept_days",
    "household_visit_days": "procedure.household_visit_days",
    "data_match_days": "procedure.data_match_days",
    "elimination_min_months": "procedure.elimination_min_months",
    "elimination_min_measures": "procedure.elimination_min_measures",
    "income_stable_months": "income.stable_months",
    "suspicious_fast_elimination_months": "procedure.fast_elimination_months",
    "return_window_months": "procedure.return_window_months",
    "visit_due_day": "procedure.visit_due_day",
}


def procedure_params(region: str | None, on: dt.date | None = None) -> dict[str, Any]:
    """The procedure parameters in force in ``region`` (any division code) on ``on`` (today)."""
    return flat.values(NAMES, region, on or dt.date.today())
