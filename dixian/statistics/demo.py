"""The statistics part of the demo: the indicators of the demo county, computed once, so that
the dashboard is filled on the first visit."""

from dixian.core.demo import DEMO_COUNTY, DemoReport
from dixian.statistics import bridge
from dixian.statistics.models import IndicatorSnapshot


def step_statistics(report: DemoReport) -> None:
    """Compute the statistics from the ledger."""
    if IndicatorSnapshot.objects.filter(region_code=DEMO_COUNTY).exists():
        return
    result = bridge.do_recompute(DEMO_COUNTY)
    report.notes.append(f"computed the indicators of {result['regions']:,} regions up to "
                        f"{result['as_of']} in {result['seconds']:.0f} s")
