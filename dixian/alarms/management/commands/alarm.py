from django.core.management.base import BaseCommand, CommandError

from dixian.alarms.actions import do_raise_alarms
from dixian.alarms.bridge import check_month


class Command(BaseCommand):
    help = ("Run the bottom-line alarm over a region's ledger for a month and raise the new "
            "alarms to the county and the province (docs/bottom-line-alarm.md).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="scan a region for one month (default: this month)")
        where = run.add_mutually_exclusive_group(required=True)
        where.add_argument("--region", help="division code, e.g. 52 or 522326")
        where.add_argument("--all", action="store_true",
                           help="every province with monitoring spells (the nightly run)")
        run.add_argument("--month", help="YYYY-MM (default: this month)")

    def handle(self, *args, action, region=None, month=None, all=False, **options):
        from django.db.models.functions import Substr

        from dixian.cases.models import MonitoringSpell

        regions = [region] if region else sorted(
            MonitoringSpell.objects.annotate(p=Substr("village_code", 1, 2))
            .values_list("p", flat=True).distinct())
        raised = []
        try:
            if month:
                check_month(month)
            for code in regions:
                found = do_raise_alarms(code, month, actor="dixian alarm")
                self.stdout.write(f"{len(found)} new alarm(s) in {code}")
                raised += found
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for a in raised:
            self.stdout.write(f"  {a.area_code} {a.kind} {a.first_month}..{a.month}: "
                              f"{a.observed} households, {a.expected:.1f} expected")
