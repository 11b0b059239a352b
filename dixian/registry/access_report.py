"""A household's data-access report: what the platform holds about a household and who saw
or changed it, from the audit trail (docs/personal-data.md).

Read by roles with ``VIEW_ACCESS_REPORT`` (auditors), within their region; the report names
the categories of data held (never the values) and lists every audit row about the household,
its members, its cases, visits and measures: reveals of protected values, changes, casework
steps and exports that included it.
"""

from __future__ import annotations

from django.db.models import Q

from dixian.core.access import NotFound, require, scope_of
from dixian.core.models import AuditEvent
from dixian.core.roles import Capability
from dixian.registry.models import Household

#: Reads of personal data (each reveal is audited) as against writes.
READ_ACTIONS = ("pii.reveal", "registry.export")


def access_household_report(user, code: str) -> dict:
    require(user, Capability.VIEW_ACCESS_REPORT)
    household = Household.objects.select_related("village").filter(code=code).first()
    if household is None or not scope_of(user).contains(household.village_id):
        raise NotFound
    members = list(household.members.values_list("pk", "member_id"))
    case_ids = list(household.cases.values_list("pk", flat=True))
    visit_ids = list(household.visits.values_list("pk", flat=True))
    measure_ids = list(household.measures.values_list("pk", flat=True))
    about = (Q(object_type="registry.household", object_id__in=[str(household.pk),
                                                               household.code])
             | Q(object_type="registry.member",
                 object_id__in=[str(pk) for pk, _m in members] + [m for _p, m in members])
             | Q(object_type="cases.case", object_id__in=[str(pk) for pk in case_ids])
             | Q(object_type="cases.monitoringvisit", object_id__in=[str(pk) for pk in visit_ids])
             | Q(object_type="assistance.measure", object_id__in=[str(pk) for pk in measure_ids]))
    events = list(AuditEvent.objects.filter(about).order_by("-seq")[:1000])
    held = {
        "members": len(members),
        "protected_values": ["resident_id", "phone"],  # encrypted; shown masked
        "incomes_months": household.incomes.count(),
        "field_changes": household.changes.count(),
        "cases": len(case_ids), "visits": len(visit_ids), "measures": len(measure_ids),
    }
    return {
        "household": household, "held": held,
        "events": [{"seq": e.seq, "time": e.time, "actor": e.actor_username, "role": e.role,
                    "action": e.action, "kind": "read" if e.action in READ_ACTIONS else "write",
                    "object": f"{e.object_type}:{e.object_id}"} for e in events],
        "readers": sorted({e.actor_username for e in events
                           if e.action in READ_ACTIONS and e.actor_username}),
    }
