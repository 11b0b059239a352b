"""The procedures in the demo: the registry's monitoring history carried into the ledger,
then the last months of a county's work simulated day by day (screening runs, clues from
every channel, identification, visits, plans, deliveries, eliminations), so that a visitor
sees cases in every state, some overdue, and plans in every state."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dixian.cases import actions, ledger
from dixian.cases.models import Case
from dixian.core.demo import DEMO_COUNTY, DemoReport
from dixian.registry.demo import DEMO_SEED
from dixian.simulation import simulate
from dixian.simulation.bridge import RegionScope

SIMULATED_DAYS = 100


def step_cases(report: DemoReport) -> None:
    """Carry the monitoring history over and simulate the last 100 days of work."""
    if Case.objects.filter(village_code__startswith=DEMO_COUNTY, imported=False).exists():
        return
    carried = ledger.do_backfill_from_registry(RegionScope.of(DEMO_COUNTY))
    end = timezone.localdate()
    result = simulate.simulate(DEMO_COUNTY, end - timedelta(days=SIMULATED_DAYS), end,
                               seed=DEMO_SEED)
    escalated = actions.do_escalate_overdue()
    f = simulate.figures(DEMO_COUNTY, end)
    report.notes.append(
        f"carried {carried['spells']:,} monitoring spells from the registry; simulated "
        f"{result.days} days: {result.screenings} screening runs, {result.clues:,} clues, "
        f"{result.steps:,} steps, {result.measures:,} measures, {result.visits:,} visits, "
        f"{result.eliminations_proposed} eliminations proposed; {escalated} overdue cases "
        f"escalated; decided within the deadline: "
        f"{(f['share_within_deadline'] or 0):.0%} of {f['due_by_now']} cases due")
