"""The registry's part of the demo: a populated county from the synthetic generator."""

from __future__ import annotations

import os

from django.conf import settings

from dixian.core.demo import DEMO_COUNTY, DemoReport
from dixian.registry import synthetic

DEMO_SEED = 7


def last_month() -> str:
    from django.utils import timezone

    from dixian.registry.bridge import month_add, month_of

    return month_add(month_of(timezone.localdate()), -1)


def step_registry(report: DemoReport) -> None:
    """Generate a synthetic county and load it into the registry."""
    if synthetic.is_loaded(DEMO_COUNTY):
        return
    # 5,000 households (about a tenth of 望谟县): the first `make demo` finishes in minutes on
    # two cores; DIXIAN_DEMO_HOUSEHOLDS=50000 builds the whole county (tens of minutes).
    households = int(os.environ.get("DIXIAN_DEMO_HOUSEHOLDS", "5000"))
    out_dir = settings.VAR_DIR / "synth" / f"{DEMO_COUNTY}-{DEMO_SEED}"
    # The county's history ends last month, so that today's work follows on from it.
    result = synthetic.generate_and_load(DEMO_COUNTY, households=households, seed=DEMO_SEED,
                                         out_dir=out_dir, end_month=last_month())
    loaded = result["loaded"]
    report.notes.append(
        f"generated and loaded a synthetic county: {loaded['households_new']:,} households, "
        f"{loaded['members_new']:,} members, {loaded['incomes_new']:,} monthly income rows")
