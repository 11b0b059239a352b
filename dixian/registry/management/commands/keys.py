from django.core.management.base import BaseCommand

from dixian.core import pii
from dixian.registry import keys


class Command(BaseCommand):
    help = "Personal-data keys: make a new key, or re-encrypt everything with the current key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("new", help="print a new random key to put first in DIXIAN_DATA_KEYS")
        sub.add_parser("rotate", help="re-encrypt with the current key and re-derive tokens")

    def handle(self, *args, action, **options):
        if action == "new":
            self.stdout.write(pii.new_key())
            return
        counts = keys.rotate()
        self.stdout.write(f"re-encrypted with key {pii.current_key_id()}: {counts}")
