from django.core.management.base import BaseCommand

from dixian.connect import events


class Command(BaseCommand):
    help = "Deliver waiting DCI notifications to the subscribers' callbacks (run from cron)."

    def handle(self, *args, **options):
        counts = events.deliver()
        self.stdout.write(f"delivered {counts['delivered']}, failed {counts['failed']}")
