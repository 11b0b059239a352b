from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dixian.registry import ledger_file


class Command(BaseCommand):
    help = ("Export or import a county's ledger (incomes, income blocks, cases, spells, visits, "
            "measures) as a zip; with the registry's own export it moves a county whole.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        out = sub.add_parser("export", help="write the ledger of a region")
        out.add_argument("--region", required=True, help="division code, e.g. 522326")
        out.add_argument("-o", "--output", required=True)
        inp = sub.add_parser("import", help="apply a ledger file (all or nothing; re-sending "
                                            "is harmless)")
        inp.add_argument("file")

    def handle(self, *args, action, **options):
        from dixian.core import audit

        if action == "export":
            region = options["region"]
            data = ledger_file.export_ledger(region)
            Path(options["output"]).write_bytes(data)
            audit.record("registry.export_ledger", object_type="registry.region",
                         object_id=region, region_code=region,
                         after={"file": options["output"]})
            self.stdout.write(f"wrote {options['output']} ({len(data):,} bytes)")
            return
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            outcome = ledger_file.import_ledger(path.read_bytes(), path.name)
        except ledger_file.LedgerFileError as error:
            raise CommandError(f"{error}; nothing was applied") from None
        self.stdout.write(f"{path.name}: created {outcome.created}, already present "
                          f"{outcome.matched}, users created (inactive) "
                          f"{outcome.users_created}")
