from django.core.management.base import BaseCommand, CommandError

from dixian.alarms.actions import do_raise_alarms
from dixian.engine.indicators.periods import check_month


class Command(BaseCommand):
    help = ("Run the bottom-line alarm over a region's ledger for a month and raise the new "
            "alarms to the county and the province (docs/bottom-line-alarm.md).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="scan a region for one month (default: this month)")
        run.add_argument("--region", required=True, help="division code, e.g. 52 or 522326")
        run.add_argument("--month", help="YYYY-MM (default: this month)")

    def handle(self, *args, action, region, month=None, **options):
        try:
            if month:
                check_month(month)
            raised = do_raise_alarms(region, month, actor="dixian alarm")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{len(raised)} new alarm(s) in {region}")
        for a in raised:
            self.stdout.write(f"  {a.area_code} {a.kind} {a.first_month}..{a.month}: "
                              f"{a.observed} households, {a.expected:.1f} expected")
