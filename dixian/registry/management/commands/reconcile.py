from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dixian.core import audit
from dixian.registry.bridge import RegionScope
from dixian.registry.national import reconcile


class Command(BaseCommand):
    help = ("Compare the registry of a region with a national export (the reconciliation "
            "report of a migration): totals and every differing household with its rows.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the national export: XLSX, CSV or a zip of them")
        parser.add_argument("--region", required=True, help="division code, e.g. 522326")
        parser.add_argument("--json", action="store_true", help="the report as JSON")
        parser.add_argument("--limit", type=int, default=200,
                            help="differences listed (all are counted)")

    def handle(self, *args, file, region, json, limit, **options):
        from dixian.core import progress

        try:
            scope = RegionScope.of(region)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{file}: no such file")
        with progress.shown(), progress.task(f"reconciling {path.name}", total=1) as advance:
            report = reconcile.reconcile_file(path.read_bytes(), path.name, scope)
            advance()
        audit.record("registry.reconcile", object_type="registry.region", object_id=region,
                     region_code=region, after={"file": path.name, "clean": report.clean,
                                                "differences": len(report.differences)})
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps(report.as_dict(), ensure_ascii=False,
                                                default=str, indent=1))
        else:
            self.stdout.write(reconcile.render_text(report, limit=limit))
        if not report.clean:
            raise CommandError(f"{len(report.differences):,} differences")
