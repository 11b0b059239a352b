from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dixian.core import audit
from dixian.registry import snapshot
from dixian.registry.bridge import RegionScope


class Command(BaseCommand):
    help = "Export the registry of a region to XLSX, CSV or Parquet (Dixian or national layout)."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="division code, e.g. 522326")
        parser.add_argument("--format", choices=["xlsx", "csv", "parquet"], default="xlsx")
        parser.add_argument("--layout", choices=["dixian", "national"], default="dixian",
                            help="national: the national system's export (five tables with "
                                 "title rows; a .zip of five workbooks, or one workbook of five "
                                 "sheets when the output ends in .xlsx)")
        parser.add_argument("--reveal", action="store_true",
                            help="write ID and phone numbers in clear (audited); masked otherwise")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, region, format, layout, reveal, output, **options):
        try:
            scope = RegionScope.of(region)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        tables = snapshot.snapshot(scope, reveal=reveal)
        if layout == "national":
            from dixian.registry.national import writer

            data = writer.export(scope, reveal=reveal, split=not output.endswith(".xlsx"))
        else:
            data = snapshot.export(tables, fmt=format, file_layout=layout)
        Path(output).write_bytes(data)
        audit.record("registry.export", object_type="registry.region", object_id=region,
                     region_code=region, after={"format": format, "layout": layout,
                                                "reveal": reveal, "file": output,
                                                "households": tables["households"].num_rows})
        self.stdout.write(f"wrote {output}: {tables['households'].num_rows:,} households, "
                          f"{tables['members'].num_rows:,} members"
                          + (" (IDs and phones in clear)" if reveal else " (masked)"))
