import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from dixian.registry import synthetic


class Command(BaseCommand):
    help = "Generate a calibrated synthetic county or province (and load it into the registry)."

    def add_arguments(self, parser):
        parser.add_argument("scope", help="division code: a county (522326) or province (52)")
        parser.add_argument("--households", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument("--out", help="output folder (default var/synth/SCOPE-SEED)")
        parser.add_argument("--load", action="store_true",
                            help="load the registry tables into the database")

    def handle(self, *args, scope, households, seed, months, out, load, **options):
        from dixian.registry.bridge import generate

        out_dir = Path(out or settings.VAR_DIR / "synth" / f"{scope}-{seed}")
        started = time.perf_counter()
        summary = generate(scope, households=households, seed=seed, out_dir=str(out_dir),
                           months=months)
        self.stdout.write(f"generated {summary.households:,} households, {summary.members:,} "
                          f"members, {summary.income_rows:,} income rows in "
                          f"{time.perf_counter() - started:.1f} s → {out_dir}")
        if load:
            started = time.perf_counter()
            counts = synthetic.load(out_dir, reference=f"synthetic:{scope}:seed{seed}")
            self.stdout.write(f"loaded into the registry in {time.perf_counter() - started:.1f} s:"
                              f" {counts}")
