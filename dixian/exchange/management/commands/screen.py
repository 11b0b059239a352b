from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dixian.core.roles import Department
from dixian.exchange import actions
from dixian.exchange.bridge import RegionScope


class Command(BaseCommand):
    help = ("Run the screening rules (R2, R7) over a region's registry and departmental feeds; "
            "new alerts become clues. --scheduled runs the schedules that are due (for cron).")

    def add_arguments(self, parser):
        parser.add_argument("--region", help="division code, e.g. 522326")
        parser.add_argument("--period", default=timezone.now().strftime("%Y-%m"),
                            help="YYYY-MM (default: this month)")
        parser.add_argument("--department", default="", choices=["", *Department.values],
                            help="only this department's rules (default: every rule)")
        parser.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"],
                            help="spark uses settings.DIXIAN_SPARK_MASTER (default local[2])")
        parser.add_argument("--scheduled", action="store_true",
                            help="run every schedule that is due, then stop")

    def handle(self, *args, region, period, department, engine, scheduled, **options):
        if scheduled:
            runs = actions.do_run_due_schedules()
            for run in runs:
                self._report(run)
            self.stdout.write(f"{len(runs)} scheduled run(s)")
            return
        if not region:
            raise CommandError("--region is required (or --scheduled)")
        try:
            scope = RegionScope.of(region)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self._report(actions.do_run_screening(scope, period, department=department,
                                              engine=engine))

    def _report(self, run):
        self.stdout.write(f"screening {run.scope_code} {run.period} ({run.engine}) in "
                          f"{run.seconds:.1f} s: {run.counts['alerts']} alerts on "
                          f"{run.counts['households']} households, "
                          f"{run.counts.get('outcomes', {}).get('clue', 0)} new clues "
                          f"{run.counts['by_rule']}")
