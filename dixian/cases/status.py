"""What a household is now, and since when: a period, not a label (domain-2026.md §2: exit is
dynamic, without permanent identity labels).

The status comes from the household's latest monitoring spell, named with the word policy
used when the period began (``categories.object_term``: a spell begun in 2024 is a
防止返贫监测对象 of its time, one begun in 2026 a 防止返贫致贫对象); a household never
monitored is what the registry says (poverty-alleviated or ordinary), with no date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from dixian.cases.models import MonitoringSpell
from dixian.registry.enums import category_name, label, object_term


@dataclass(frozen=True)
class Status:
    state: str  # "monitored", "eliminated" or "never"
    text: str  # what the household is, in the page's language
    since: date | None  # when the period began (None: never monitored)
    periods: int  # monitoring spells so far (the history is one click away)


def status_now(household) -> Status:
    spells = list(MonitoringSpell.objects.filter(household=household)
                  .order_by("-started_on", "-pk"))
    if not spells:
        kind = label("household_type", household.household_type) or _("Household")
        return Status("never", _("%(kind)s, never monitored") % {"kind": kind}, None, 0)
    last = spells[0]
    term = object_term(household.village_id, last.started_on)
    if last.ended_on is None:
        category = category_name(last.category, last.category_names)
        text = _("%(term)s (%(category)s)") % {"term": term, "category": category} \
            if category else term
        return Status("monitored", text, last.started_on, len(spells))
    mode = label("elimination_mode", last.elimination_mode)
    text = _("Risk eliminated (%(mode)s), formerly a %(term)s") % {"mode": mode, "term": term}
    return Status("eliminated", text, last.ended_on, len(spells))
