"""``dixian indicators --region 522326``: compute the monitoring indicators of a region and
everything below it, and keep them for the dashboards."""

from django.core.management.base import BaseCommand, CommandError

from dixian.core.models import Region
from dixian.statistics import bridge


class Command(BaseCommand):
    help = "Compute the monitoring indicators (R9) of a region for the dashboards."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--region", help="division code (province, prefecture, county…)")
        group.add_argument("--national", action="store_true", help="the whole country")
        parser.add_argument("--months", type=int, default=None,
                            help="months to compute, ending with the latest (default 13)")
        parser.add_argument("--as-of", default=None, help="the last month (YYYY-MM)")

    def handle(self, *args, region=None, national=False, months=None, as_of=None, **options):
        if national:
            code = bridge.NATION
        else:
            if not Region.objects.filter(code=region).exists():
                raise CommandError(f"no region {region!r} (load it with `dixian regions load`)")
            code = region
        try:
            result = bridge.do_recompute(code, months=months, as_of=as_of)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{code or 'nation'}: {result['regions']:,} regions up to {result['as_of']} in "
            f"{result['seconds']} s (reading the ledger {result['read_seconds']} s; engine "
            f"{result['engine_seconds']})")
