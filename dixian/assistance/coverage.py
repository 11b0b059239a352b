"""Coverage of assistance per region (issue 6, item 6; R9): computed from the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.db.models import Count, Min, Q

from dixian.assistance.bridge import RegionScope
from dixian.assistance.models import Measure, Status
from dixian.core.access import scope_q

DEVELOPMENT = ("INDUSTRY", "EMPLOYMENT")
ABLE = ("ordinary", "skilled")
OPEN = (Status.PLANNED, Status.IN_PROGRESS)


@dataclass
class Coverage:
    monitored: int = 0
    with_measure: int = 0
    with_labour: int = 0
    labour_with_development: int = 0
    industry_base: int = 0  # poverty-alleviated and monitored households
    industry_covered: int = 0
    days_identification_to_measure: float | None = None
    days_clue_to_measure: float | None = None
    within_15_days: float | None = None
    overdue_by_department: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def measure_share(self):
        return self.share(self.with_measure, self.monitored)

    @property
    def development_share(self):
        return self.share(self.labour_with_development, self.with_labour)

    @property
    def industry_share(self):
        return self.share(self.industry_covered, self.industry_base)


def coverage(scope: RegionScope, today: date) -> Coverage:
    from dixian.cases.models import MonitoringSpell
    from dixian.registry.models import Household, Member

    spells = MonitoringSpell.objects.filter(scope_q(scope, "village_code"), started_on__lte=today
                                            ).filter(Q(ended_on__isnull=True)
                                                     | Q(ended_on__gt=today))
    monitored = set(spells.values_list("household_id", flat=True))
    measures = Measure.objects.filter(scope_q(scope, "village_code"), planned_on__lte=today)
    with_measure = set(measures.filter(household_id__in=monitored).values_list(
        "household_id", flat=True))
    able = set(Member.objects.filter(household_id__in=monitored, member_status="active",
                                     labour_skill__in=ABLE).values_list("household_id",
                                                                        flat=True))
    developed = set(measures.filter(household_id__in=able, category__in=DEVELOPMENT,
                                    status__in=[Status.IMPLEMENTED, Status.ENDED])
                    .values_list("household_id", flat=True))
    alleviated = set(Household.objects.filter(scope_q(scope, "village__code"),
                                              household_type="poverty_alleviated")
                     .values_list("pk", flat=True))
    base = alleviated | monitored
    industry = set(measures.filter(category="INDUSTRY", household_id__in=base)
                   .values_list("household_id", flat=True))
    first = dict(measures.values("household_id").annotate(first=Min("planned_on"))
                 .values_list("household_id", "first"))
    lags, clue_lags = [], []
    for spell in spells.filter(identification_case__imported=False).select_related(
            "identification_case"):
        if spell.household_id in first:
            lags.append((first[spell.household_id] - spell.started_on).days)
            opened = spell.identification_case.opened_at.date()
            clue_lags.append((first[spell.household_id] - opened).days)
    overdue = dict(measures.filter(status__in=OPEN, due_on__lt=today).values("department")
                   .annotate(n=Count("pk")).values_list("department", "n"))
    return Coverage(
        monitored=len(monitored), with_measure=len(with_measure), with_labour=len(able),
        labour_with_development=len(developed), industry_base=len(base),
        industry_covered=len(industry),
        days_identification_to_measure=median(lags) if lags else None,
        days_clue_to_measure=median(clue_lags) if clue_lags else None,
        within_15_days=sum(1 for d in clue_lags if d <= 15) / len(clue_lags) if clue_lags
        else None,
        overdue_by_department=overdue)
