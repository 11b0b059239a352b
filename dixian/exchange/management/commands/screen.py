from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dixian.engine.scope import RegionScope
from dixian.exchange import actions


class Command(BaseCommand):
    help = "Run the screening rules (R2, R7) over a region's registry and departmental feeds."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="division code, e.g. 522326")
        parser.add_argument("--period", default=timezone.now().strftime("%Y-%m"),
                            help="YYYY-MM (default: this month)")

    def handle(self, *args, region, period, **options):
        try:
            scope = RegionScope.of(region)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        run = actions.do_run_screening(scope, period)
        self.stdout.write(f"screening {region} {period} in {run.seconds:.1f} s: "
                          f"{run.counts['alerts']} alerts on {run.counts['households']} "
                          f"households {run.counts['by_rule']}")
