from django.core.management.base import BaseCommand, CommandError

from dixian.core import audit
from dixian.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit chain or show its latest events."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every row's hash and link; name the first broken row")
        tail = sub.add_parser("tail", help="the latest events")
        tail.add_argument("-n", type=int, default=20)

    def handle(self, *args, action, **options):
        if action == "verify":
            result = audit.verify()
            if not result.ok:
                raise CommandError(
                    f"audit chain broken at row {result.broken_seq}: {result.reason} "
                    f"({result.checked:,} rows verified before it)"
                )
            self.stdout.write(f"audit chain intact: {result.checked:,} rows verified")
        else:
            for event in AuditEvent.objects.order_by("-seq")[: options["n"]]:
                self.stdout.write(
                    f"{event.seq:>8} {event.time:%Y-%m-%d %H:%M:%S} {event.actor_username:<16} "
                    f"{event.action:<24} {event.object_type}:{event.object_id}"
                )
