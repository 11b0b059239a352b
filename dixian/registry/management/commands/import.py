from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dixian.registry import importing
from dixian.registry.bridge import RegionScope


class Command(BaseCommand):
    help = "Import households, members and incomes from CSV or XLSX (either layout)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="CSV or XLSX files, applied in order")
        parser.add_argument("--region", required=True,
                            help="division code the import is limited to, e.g. 522326")
        parser.add_argument("--valid-rows-only", action="store_true",
                            help="apply valid rows; write rejected rows to an error file")
        parser.add_argument("--accept-quality-issues", action="store_true",
                            help="migration: import rows whose only problems are data-quality "
                                 "findings")
        parser.add_argument("--reconcile", action="store_true",
                            help="after a national export is applied, print the reconciliation "
                                 "report (the export against the registry)")

    def handle(self, *args, files, region, valid_rows_only, accept_quality_issues, reconcile,
               **options):
        from dixian.core import progress
        from dixian.registry.national import reconcile as reconciliation

        try:
            scope = RegionScope.of(region)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        failed = False
        for name in files:
            path = Path(name)
            if not path.exists():
                raise CommandError(f"{name}: no such file")
            with progress.shown(), progress.task(f"importing {path.name}", total=1) as done:
                outcome = importing.import_file(
                    path.read_bytes(), path.name, scope=scope, valid_rows_only=valid_rows_only,
                    accept_quality_issues=accept_quality_issues)
                done()
            batch = outcome.batch
            self.stdout.write(f"{path.name}: {batch.get_status_display()} (batch {batch.pk}) "
                              f"{batch.counts}")
            for problem in outcome.problems[:50]:
                self.stdout.write(
                    f"  {problem.file} [{problem.sheet}] row {problem.row} {problem.column} "
                    f"{problem.value!r}: {problem.rule} {problem.message}")
            if len(outcome.problems) > 50:
                self.stdout.write(f"  … {len(outcome.problems) - 50} more problems in the report")
            if batch.error_file:
                self.stdout.write(f"  rejected rows: {batch.error_file.path}")
            failed = failed or not outcome.applied and batch.status != "duplicate"
            if reconcile and batch.layout == "national" and batch.status != "rejected":
                report = reconciliation.reconcile_file(path.read_bytes(), path.name, scope)
                self.stdout.write(reconciliation.render_text(report))
        if failed:
            raise CommandError("some files were rejected: nothing from them was applied")
