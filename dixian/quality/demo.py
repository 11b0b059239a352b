"""The quality part of the demo: run the rules once so the issue lists have content."""

from dixian.core.demo import DEMO_COUNTY, DemoReport
from dixian.quality import bridge
from dixian.quality.bridge import RegionScope
from dixian.quality.models import QualityRun


def step_quality(report: DemoReport) -> None:
    """Run the data-quality rules over the county."""
    if QualityRun.objects.filter(scope_code=DEMO_COUNTY).exists():
        return
    run = bridge.run(RegionScope.of(DEMO_COUNTY))
    report.notes.append(f"ran {run.rules} data-quality rules: {run.counts['findings']:,} "
                        f"findings in {run.seconds:.0f} s")
