"""Carrying the registry's monitoring history into the procedure ledger.

A county moving onto Dixian brings households already monitored (and some already
eliminated) in the national system's export: their category, identification month, risks,
elimination month and mode. Each becomes a spell with an imported, closed identification case
(and elimination case), so that visits, elimination, returns to poverty and the indicators
treat them like households identified here. Imported cases are marked ``imported`` because
only their months are known: lag statistics leave them out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction

from dixian.cases.bridge import RegionScope, first_day, require_scope
from dixian.cases.machine import Kind, State
from dixian.cases.models import Case, MonitoringSpell
from dixian.core import audit
from dixian.registry.models import Household


def do_backfill_from_registry(scope: RegionScope, *, actor=None) -> dict[str, int]:
    """Spells for registry households marked monitored that have none yet. Idempotent."""
    require_scope(scope)
    from dixian.core.access import scope_q

    done = MonitoringSpell.objects.values("household_id")
    households = (Household.objects.filter(scope_q(scope, "village__code"))
                  .exclude(monitoring_category="").exclude(identified_month="")
                  .exclude(pk__in=done).order_by("pk"))
    counts = {"spells": 0, "eliminated": 0}
    with transaction.atomic():
        for household in households.iterator(chunk_size=2000):
            started = first_day(household.identified_month)
            moment = datetime.combine(started, datetime.min.time(), tzinfo=UTC)
            risks = list(household.risk_types or [])[:5]
            identification = Case.objects.create(
                household=household, village_code=household.village_id,
                kind=Kind.IDENTIFICATION, state=State.MONITORED, opened_at=moment,
                deadline=moment + timedelta(days=15), decided_at=moment, risk_types=risks,
                category=household.monitoring_category, imported=True,
                decision_values={"origin": "registry"})
            ended, elimination = None, None
            if household.risk_eliminated and household.eliminated_month:
                ended = first_day(household.eliminated_month)
                end_moment = datetime.combine(ended, datetime.min.time(), tzinfo=UTC)
                elimination = Case.objects.create(
                    household=household, village_code=household.village_id,
                    kind=Kind.ELIMINATION, state=State.ELIMINATED, opened_at=end_moment,
                    deadline=end_moment + timedelta(days=15), decided_at=end_moment,
                    risk_types=risks, category=household.monitoring_category,
                    elimination_mode=household.elimination_mode or "", imported=True,
                    decision_values={"origin": "registry"})
                counts["eliminated"] += 1
            MonitoringSpell.objects.create(
                household=household, village_code=household.village_id,
                category=household.monitoring_category, risk_types=risks, started_on=started,
                identification_case=identification, ended_on=ended,
                elimination_case=elimination, elimination_mode=household.elimination_mode or "")
            counts["spells"] += 1
        audit.record("cases.backfill", actor=actor, object_type="cases.monitoringspell",
                     object_id=",".join(scope.prefixes)[:64] or "national", after=counts)
    return counts
