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
    "decision_level": "procedure.decision_level",
}


def procedure_params(region: str | None, on: dt.date | None = None) -> dict[str, Any]:
    """The procedure parameters in force in ``region`` (any division code) on ``on`` (today)."""
    return flat.values(NAMES, region, on or dt.date.today())


def channels_in_force(region: str | None, on: dt.date | None = None) -> dict[str, dict]:
    """The detection channels the province runs on ``on``: code -> {"zh", "en"} names, in the
    order forms offer them (policy ``channels.scheme``)."""
    from dixian.cases.bridge import policy_in_force

    return {e.code: {"zh": e.name_zh, "en": e.name_en}
            for e in policy_in_force(region, on or dt.date.today())["channels.scheme"]}


def channel_name(code: str, region: str | None, on: dt.date | None = None) -> str:
    """A channel's name in the page's language as the province named it on ``on``."""
    from django.utils.translation import get_language

    names = channels_in_force(region, on).get(code)
    if names is None:
        from dixian.cases.models import Channel

        return str(Channel(code).label) if code in Channel.values else code
    return names["zh" if (get_language() or "zh").startswith("zh") else "en"]
