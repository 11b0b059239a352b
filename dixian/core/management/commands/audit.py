from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dixian.core import audit
from dixian.core.models import AuditEvent


class Command(BaseCommand):
    help = ("Verify the audit chain and its anchors, write an anchor, or show the latest "
            "events.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="check every row's keyed hash and link, then every anchor; name the "
                           "first broken row")
        verify.add_argument("--anchors", type=Path, default=None,
                            help="an anchor file (default: DIXIAN_AUDIT_ANCHORS), e.g. the "
                                 "supervisor's copy")
        anchor = sub.add_parser("anchor", help="append the chain's signed head to the anchor "
                                               "file (nightly does it too)")
        anchor.add_argument("--anchors", type=Path, default=None)
        tail = sub.add_parser("tail", help="the latest events")
        tail.add_argument("-n", type=int, default=20)

    def handle(self, *args, action, **options):
        if action == "verify":
            result = audit.verify(anchors=options["anchors"])
            if not result.ok:
                raise CommandError(
                    f"audit chain broken at row {result.broken_seq}: {result.reason} "
                    f"({result.checked:,} rows verified before it)"
                )
            where = audit.anchor_path(options["anchors"])
            self.stdout.write(f"audit chain intact: {result.checked:,} rows verified, "
                              f"{result.anchors} anchor(s) in {where} match")
        elif action == "anchor":
            anchor = audit.write_anchor(options["anchors"])
            self.stdout.write(f"anchored row {anchor['seq']} ({anchor['hash'][:16]}…) in "
                              f"{audit.anchor_path(options['anchors'])}")
        else:
            for event in AuditEvent.objects.order_by("-seq")[: options["n"]]:
                self.stdout.write(
                    f"{event.seq:>8} {event.time:%Y-%m-%d %H:%M:%S} {event.actor_username:<16} "
                    f"{event.action:<24} {event.object_type}:{event.object_id}"
                )
