import time

from django.core.management.base import BaseCommand, CommandError

from dixian.core import regions
from dixian.core.models import Region
from dixian.core.roles import Level


class Command(BaseCommand):
    help = "Load, count and search the administrative divisions (NBS 2023 codes)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load one province (--province CODE) or all (--all)")
        group = load.add_mutually_exclusive_group(required=True)
        group.add_argument("--province", help="2-digit province code, for example 52")
        group.add_argument("--all", action="store_true", help="the whole country")
        sub.add_parser("count", help="how many regions of each level are loaded")
        search = sub.add_parser("search", help="find regions by name or code")
        search.add_argument("text")
        search.add_argument("--limit", type=int, default=20)

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_load(self, province=None, all=False, **options):
        if province is not None and (len(province) != 2 or not province.isdigit()):
            raise CommandError(f"--province {province!r}: give a 2-digit province code, e.g. 52")
        started = time.perf_counter()
        result = regions.load("" if all else province)
        if result.rows_in_file == 0:
            raise CommandError(f"no divisions under code {province!r}")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"loaded {result.rows_in_file:,} divisions under {result.scope} "
            f"({result.inserted:,} new) in {elapsed:.1f} s"
        )

    def handle_count(self, **options):
        for level in Level:
            count = Region.objects.filter(level=level).count()
            self.stdout.write(f"{level.label:<12} {count:>8,}")

    def handle_search(self, text, limit, **options):
        query = Region.objects.filter(code__startswith=text) if text.isdigit() else \
            Region.objects.filter(name__contains=text)
        for region in query.order_by("code")[:limit]:
            self.stdout.write(f"{region.code:<12} {Level(region.level).label:<10} {region.name}")
