from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the site on this machine (development and demo)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port")

    def handle(self, *args, addr, **options):
        if settings.MODE == "production":
            raise CommandError(
                "In production run gunicorn (`gunicorn -c deploy/gunicorn.conf.py`) behind "
                "nginx, with the worker and the timers: see docs/deployment.md. "
                "`dixian serve` is for dev and demo."
            )
        call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write(f"Serving Dixian at http://{addr}/")
        call_command("runserver", addr, use_reloader=False)
