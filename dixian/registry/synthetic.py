"""Loading a synthetic county (``dixian.engine.synth``) into the registry.

The generator writes what a registry would hold (with its planted errors) beside the
ground truth. Loading takes only the registry tables, as a county migrating from the
national system would: errors and all, for the quality rules to find.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from django.db import transaction

from dixian.core import audit
from dixian.registry import importing
from dixian.registry.models import Household, Source

REGISTRY_TABLES = ("households", "members", "incomes")


def generate_and_load(scope_code: str, *, households: int, seed: int, out_dir: Path,
                      months: int = 36, end_month: str = "2025-12") -> dict:
    from dixian.core import progress
    from dixian.registry.bridge import generate

    with progress.task(f"    generating {households:,} households", total=1) as advance:
        summary = generate(scope_code, households=households, seed=seed,
                           out_dir=str(out_dir), months=months, end_month=end_month)
        advance()
    with progress.task("    loading them into the registry", total=1) as advance:
        counts = load(out_dir, reference=f"synthetic:{scope_code}:seed{seed}")
        advance()
    return {"generated": summary, "loaded": counts}


def load(out_dir: Path, *, reference: str) -> dict:
    tables = {name: pl.read_parquet(Path(out_dir) / f"{name}.parquet")
              for name in REGISTRY_TABLES}
    with transaction.atomic():
        counts = importing.apply_tables(tables, source=Source.SYSTEM, source_ref=reference[:64])
        audit.record("registry.synthetic_load", object_type="registry.household",
                     object_id=reference[:64], after=counts)
    return counts


def is_loaded(scope_code: str) -> bool:
    return Household.objects.filter(village__code__startswith=scope_code).exists()
