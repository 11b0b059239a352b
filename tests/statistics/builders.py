"""A small county in the database with a ledger whose indicators are known."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl

from dixian.assistance.models import Measure
from dixian.cases.models import Case, Clue, MonitoringSpell
from dixian.registry import importing
from dixian.registry.models import Household, Income
from tests.registry.builders import households_and_members

VILLAGE = "522326101201"  # 乐元村, township 522326101
VILLAGE2 = "522326102201"  # a village of the next township (loaded with the county)
MONTHS = [f"2024-{m:02d}" for m in range(6, 13)] + [f"2025-{m:02d}" for m in range(1, 7)]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def build_county() -> dict[str, Household]:
    """Six households in VILLAGE and three in VILLAGE2, each with three members and a year of
    incomes; four monitored (H1-H3 identified in 2025 through cases, H4 eliminated in May)."""
    for village, n in ((VILLAGE, 6), (VILLAGE2, 3)):
        tables = households_and_members(n, village)
        importing.apply_tables({name: pl.from_arrow(t) for name, t in tables.items()})
    households = {h.code: h for h in Household.objects.all()}
    for i, h in enumerate(households.values()):
        for month in MONTHS:
            Income.objects.update_or_create(household=h, period=month, defaults={
                "wage": 500 + 300 * i, "business": 0, "property": 0, "transfer": 0,
                "business_cost": 0, "source": "form"})
    h1, h2, h3 = (households[f"{VILLAGE}000{k}"] for k in (1, 2, 3))
    h4 = households[f"{VILLAGE2}0001"]
    spells = []
    for h, clue, decided, category in (
            (h1, "2025-03-01 02:00", "2025-03-10 07:00", "SUDDEN"),
            (h2, "2025-03-20 02:00", "2025-04-02 07:00", "MARGINAL"),
            (h3, "2025-05-01 02:00", "2025-05-20 07:00", "UNSTABLE")):
        case = Case.objects.create(household=h, village_code=h.village_id,
                                   kind="identification", state="monitored",
                                   opened_at=at(clue), deadline=at(clue) + timedelta(days=15),
                                   decided_at=at(decided), category=category,
                                   risk_types=["ILLNESS"])
        Clue.objects.create(case=case, channel="cadre_visit", risk_type="ILLNESS",
                            received_at=at(clue))
        spells.append(MonitoringSpell.objects.create(
            household=h, village_code=h.village_id, category=category,
            risk_types=["ILLNESS"], started_on=at(decided).date(), identification_case=case))
        h.monitoring_category = category
        h.identified_month = decided[:7]
        h.risk_types = ["ILLNESS"]
        h.risk_eliminated = False
        h.save()
    # H4: in the registry's history only, eliminated in May 2025
    h4.monitoring_category = "MARGINAL"
    h4.identified_month = "2024-09"
    h4.risk_types = ["DISASTER"]
    h4.risk_eliminated = True
    h4.elimination_mode = "ASSISTED"
    h4.eliminated_month = "2025-05"
    h4.save()
    Measure.objects.create(household=h1, village_code=h1.village_id, risk_type="ILLNESS",
                           category="HEALTH", instrument="MEDICAL_ASSISTANCE",
                           department="medical_insurance", status="implemented",
                           planned_on=date(2025, 3, 15), due_on=date(2025, 4, 15),
                           started_on=date(2025, 3, 16), implemented_on=date(2025, 3, 30))
    Measure.objects.create(household=h2, village_code=h2.village_id, risk_type="ILLNESS",
                           category="INDUSTRY", instrument="INDUSTRY_SUBSIDY",
                           department="agriculture_rural", status="planned",
                           planned_on=date(2025, 4, 20), due_on=date(2025, 5, 20))
    return households
