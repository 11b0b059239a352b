from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from dixian.core import demo


class Command(BaseCommand):
    help = "Build the demo county (migrate, divisions, users …) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="build, print and exit")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port to serve on")

    def handle(self, *args, no_serve, addr, **options):
        from dixian.core import progress

        clock = progress.Stopwatch()
        self.stdout.write("Building the demo county (the first build takes a few minutes; "
                          "later runs reuse it)")
        self.stdout.flush()
        with progress.shown(self.stdout._out):
            with progress.task("[0] migrate the database", total=1) as advance:
                call_command("migrate", verbosity=0, interactive=False)
                advance()
            report = demo.build()
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write("\nTime per step:")
        for label, seconds in report.timings[:-1]:
            self.stdout.write(f"  {seconds:>7.1f} s  {label}")
        self.stdout.write(f"  {clock.seconds:>7.1f} s  in all")
        self.stdout.write("\nDemo users (username / password / role / region):")
        for user in report.users:
            region = demo.describe_region(user.region_code)
            self.stdout.write(
                f"  {user.username:<12} {user.password:<18} {user.role:<20} {region}"
            )
        if no_serve:
            return
        self.stdout.write(f"\nServing Dixian at http://{addr}/  (Ctrl-C to stop)\n")
        if settings.DEBUG:
            call_command("runserver", addr, use_reloader=False, skip_checks=True)
        else:
            call_command("runserver", addr, use_reloader=False, insecure_serving=True)
