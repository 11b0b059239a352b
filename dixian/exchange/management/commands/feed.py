from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dixian.exchange import actions
from dixian.exchange.bridge import RegionScope


class Command(BaseCommand):
    help = "Receive a department's data file (CSV, XLSX or Parquet): validate, match, keep."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        upload = sub.add_parser("upload", help="upload one file")
        upload.add_argument("file")
        upload.add_argument("--department", required=True,
                            choices=sorted(actions.FEED_OF_DEPARTMENT))
        upload.add_argument("--region", required=True, help="division code the data covers")
        upload.add_argument("--period", help="YYYY-MM (read from the file name if omitted)")

    def handle(self, *args, action, file, department, region, period, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{file}: no such file")
        batch = actions.do_upload_feed(path.read_bytes(), path.name, department=department,
                                       scope=RegionScope.of(region), period=period)
        self.stdout.write(f"{path.name}: {batch.get_status_display()} (batch {batch.pk}) "
                          f"rows {batch.rows}, matched {batch.matched}, "
                          f"not matched {batch.unmatched}")
        for problem in batch.problems[:30]:
            self.stdout.write(f"  row {problem.get('row')} {problem.get('column')} "
                              f"{problem.get('value')!r}: {problem.get('rule')} "
                              f"{problem.get('message_en', '')}")
        if batch.status == batch.Status.REJECTED:
            raise CommandError("the file was rejected: nothing was stored but the report")
