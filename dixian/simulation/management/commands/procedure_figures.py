import json
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from dixian.assistance.coverage import coverage
from dixian.simulation import simulate
from dixian.simulation.bridge import RegionScope


class Command(BaseCommand):
    help = ("The procedure and coverage figures of a region's ledger (after `dixian demo`, "
            "the simulated county): share decided within the deadline, median clue-to-decision "
            "and clue-to-first-measure, cases by state, and assistance coverage.")

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True)
        parser.add_argument("--since-days", type=int, default=None,
                            help="only clues received in the last N days")

    def handle(self, *args, region, since_days, **options):
        today = timezone.localdate()
        since = today - timedelta(days=since_days) if since_days else None
        c = coverage(RegionScope.of(region), today)
        out = {"procedures": simulate.figures(region, today, since), "coverage": {
            "monitored": c.monitored, "with_measure": c.with_measure,
            "measure_share": c.measure_share, "with_labour": c.with_labour,
            "development_share": c.development_share, "industry_base": c.industry_base,
            "industry_share": c.industry_share,
            "median_days_identification_to_first_measure": c.days_identification_to_measure,
            "median_days_clue_to_first_measure": c.days_clue_to_measure,
            "clue_to_measure_within_15_days": c.within_15_days,
            "overdue_by_department": c.overdue_by_department}}
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
