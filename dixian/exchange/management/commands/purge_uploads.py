from django.core.management.base import BaseCommand

from dixian.exchange.retention import do_purge_rejected_uploads


class Command(BaseCommand):
    help = ("Delete the files of rejected and duplicate uploads older than "
            "DIXIAN_REJECTED_UPLOAD_RETENTION_DAYS (their reports stay). Run daily.")

    def handle(self, *args, **options):
        counts = do_purge_rejected_uploads()
        self.stdout.write(", ".join(f"{name}: {n} purged" for name, n in counts.items()))
