"""The demo's key counties (domain.md §8.5): the province's finance bureau imports three years
of development-status indicators for Guizhou's 20 national key counties and ten other counties
(one file, through the import action) and records last year's fund allocations of the other
counties, so the tilt can be compared with the demo county's own allocations (the funds step).

Calibration: the key counties' rural per-capita disposable income is drawn around the
poverty-alleviated counties' published averages (2022 15,111 and 2024 17,522 yuan [V S34,
S32]; 2023 about 16,396 [M]; later years grown by the national rural rate of 2025, +5.8 %
[V S37]); the other counties' around the national rural income (§9.1). Residents, GDP and
budget revenue are illustrative [I]: no per-county figures are in the specification. Planted:
the demo county's rural income grew less than the province's last year, and 从江县 got less
per resident than the other counties (the two findings of ``dixian demo``'s line)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dixian.core import actions as core_actions
from dixian.core.demo import DEMO_COUNTY, DemoReport, DemoUser
from dixian.core.models import User
from dixian.core.roles import Role
from dixian.funds.actions import do_record_allocation
from dixian.funds.models import Allocation, Source
from dixian.regional import key_counties as kc
from dixian.regional.bridge import key_counties as rules
from dixian.regional.bridge import resolve
from dixian.regional.models import CountyIndicators

SEED = 20261208
PROVINCE = DEMO_COUNTY[:2]
PLANTED_TILT = "522633"  # 从江县
#: rural per-capita disposable income of the poverty-alleviated counties, by year (§9.1)
KEY_RURAL_INCOME = {2022: 15111, 2023: 16396, 2024: 17522}
GROWTH_AFTER = Decimal("0.058")  # 2025's national rural growth, for later years [V S37]
KEY_TILT = 1.3  # the demo's key counties get about 1.3 times the others per resident [I]


def _rural_income() -> dict[int, int]:
    """The province's rural per-capita disposable income by year, as policy holds it
    (``macro.prior_year_rural_income``: a year's figure is in force from the next 1 January;
    the national figure until the province sets its own)."""
    return {year: int(resolve(PROVINCE, date(year + 1, 1, 1))["macro.prior_year_rural_income"])
            for year in range(2022, 2026)}


def _income(table: dict[int, int], year: int) -> float:
    last = max(table)
    if year <= last:
        return float(table.get(year, table[min(table)]))
    return float(table[last]) * float(1 + GROWTH_AFTER) ** (year - last)


def _province_officer() -> tuple[DemoUser, User]:
    """The province's finance bureau (a fund officer of the province), with a fresh password."""
    spec = DemoUser("financeprovince", Role.FUND_OFFICER, PROVINCE,
                    password=core_actions.generate_password())
    user = User.objects.filter(username=spec.username).first()
    with transaction.atomic():
        if user is None:
            user = core_actions.do_create_user(username=spec.username, role=spec.role,
                                               region_code=PROVINCE, password=spec.password)
        else:
            core_actions.do_reset_password(user, spec.password)
    return spec, user


def step_key_counties(report: DemoReport) -> None:
    """Key counties: three years of indicators for the province, the tilt in funds."""
    if CountyIndicators.objects.filter(county_code=DEMO_COUNTY).exists():
        return
    if not User.objects.filter(username="finance").exists():
        return
    spec, officer = _province_officer()
    rng = random.Random(SEED)
    today = timezone.localdate()
    last = today.year - 1
    years = [last - 2, last - 1, last]
    keys = kc.key_counties(PROVINCE, today)
    others = [c for c, _n in kc.counties(PROVINCE) if c not in keys][:10]
    lines = [",".join(h[0] for h in rules.HEADERS.values())]
    population: dict[str, int] = {}
    rural = _rural_income()
    for code in sorted(keys) + others:
        key = code in keys
        people = 250_000 if code == DEMO_COUNTY else rng.randrange(180_000, 700_000, 1000)
        population[code] = people
        level = rng.uniform(0.9, 1.1)
        gdp_pc = (rng.uniform(28_000, 40_000) if key else rng.uniform(45_000, 70_000))
        revenue_pc = gdp_pc * rng.uniform(0.035, 0.05)
        for k, year in enumerate(years):
            income = (_income(KEY_RURAL_INCOME, year) if key
                      else _income(rural, year) * 0.8) * level
            if code == DEMO_COUNTY and year == last:  # planted: slower than the province
                income = _income(KEY_RURAL_INCOME, last - 1) * level * 1.04
            grow = (1.06 ** k) * rng.uniform(0.98, 1.02)
            lines.append(f"{code},{year},{people},{people * gdp_pc * grow / 10_000:.2f},"
                         f"{people * revenue_pc * grow / 10_000:.2f},{income:.0f}")
    batch = kc.do_import_indicators(("\n".join(lines) + "\n").encode("utf-8"),
                                    "重点帮扶县发展状况监测.csv", actor=officer)
    # The other counties' allocations of last year, beside the demo county's own (funds step).
    own = Allocation.objects.filter(county_code=DEMO_COUNTY, year=last).aggregate(
        s=Sum("amount"))["s"]
    if own:
        per_person = Decimal(own) / population[DEMO_COUNTY]
        for code, people in population.items():
            if code == DEMO_COUNTY:
                continue
            factor = rng.uniform(0.9, 1.1) / (1 if code in keys else KEY_TILT)
            if code == PLANTED_TILT:  # planted: less than the others per resident
                factor = 0.8 / KEY_TILT
            do_record_allocation(
                county_code=code, year=last, source=Source.CENTRAL,
                amount=(per_person * Decimal(str(factor)) * people).quantize(Decimal("1")),
                document=f"{code}-{last}-central", received_on=date(last, 3, 15),
                actor=officer)
    found = kc.findings(PROVINCE, last, today)
    report.users.append(spec)
    counts: dict[str, int] = {}
    for f in found:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    report.notes.append(
        f"key counties: {batch.rows} county years of indicators ({len(keys)} key counties of "
        f"province {PROVINCE} and {len(others)} others), {last}'s allocations of "
        f"{len(population) - 1} other counties; findings: "
        + ", ".join(f"{n} {rule}" for rule, n in sorted(counts.items())))
