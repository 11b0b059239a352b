from django.core.management.base import BaseCommand, CommandError

from dixian.quality import bridge
from dixian.quality.bridge import RegionScope


class Command(BaseCommand):
    help = "Run the data-quality rules over the registry of a region and update its issues."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="run every rule over a region's registry")
        run.add_argument("--region", required=True, help="division code, e.g. 522326")

    def handle(self, *args, action, region, **options):
        try:
            scope = RegionScope.of(region)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        quality_run = bridge.run(scope)
        self.stdout.write(f"{quality_run.rules} rules over {region} in "
                          f"{quality_run.seconds:.1f} s: {quality_run.counts}")
