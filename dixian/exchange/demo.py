"""The exchange part of the demo: a year of departmental files derived from the synthetic
county's ground truth (with their noise: late, duplicated, unmatched, malformed), received
as the departments would send them. The screening runs are the procedure simulation's (the
cases demo step), monthly in simulated time, as a county would run them."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from dixian.core.demo import DEMO_COUNTY, DemoReport
from dixian.exchange import actions
from dixian.exchange.bridge import RegionScope, derive_feeds
from dixian.exchange.models import FeedBatch
from dixian.registry.demo import DEMO_SEED

MONTHS = 12


def step_exchange(report: DemoReport) -> None:
    """Receive the departments' feeds and screen the county."""
    if FeedBatch.objects.filter(scope_code=DEMO_COUNTY).exists():
        return
    synth_dir = settings.VAR_DIR / "synth" / f"{DEMO_COUNTY}-{DEMO_SEED}"
    if not (synth_dir / "summary.json").exists():
        return
    out = settings.VAR_DIR / "feeds" / f"{DEMO_COUNTY}-{DEMO_SEED}"
    derive_feeds(synth_dir, out, seed=DEMO_SEED)
    scope = RegionScope.of(DEMO_COUNTY)
    members = actions._member_tokens(scope)
    files = sorted(Path(out).glob("*/*_????-??.*"))
    periods = sorted({f.stem.rsplit("_", 1)[1] for f in files})[-MONTHS:]
    received = 0
    for path in files:
        if path.stem.rsplit("_", 1)[1] in periods:
            batch = actions.do_upload_feed(path.read_bytes(), path.name,
                                           department=path.parent.name, scope=scope,
                                           members=members)
            received += batch.status == FeedBatch.Status.ACCEPTED
    report.notes.append(f"received {received} departmental files for {periods[0]} to "
                        f"{periods[-1]}")
