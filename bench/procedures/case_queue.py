"""Benchmark: a county's case queue with 5,000 open cases (issue 5: under 300 ms, a bounded
number of queries).

Run: ``make bench-queue`` (SQLite, then a private PostgreSQL cluster).

Baseline in the same run, on the same data: the same page written the way a first version
often is — every open case listed at once, each row fetching its household separately (one
query per row, no pagination). Reported: median of 15 renders, queries per render.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dixian.settings")
os.environ.setdefault("DIXIAN_MODE", "test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from dixian.cases.machine import FINAL  # noqa: E402
from dixian.cases.models import Case  # noqa: E402
from dixian.core import actions, regions  # noqa: E402
from dixian.core.models import Region  # noqa: E402
from dixian.core.roles import Role  # noqa: E402
from dixian.registry.models import Household  # noqa: E402

COUNTY = "522326"
CASES = 5000
NAIVE = engines["django"].from_string(
    "<table>{% for c in cases %}<tr><td>{{ c.pk }}</td><td>{{ c.household.code }}</td>"
    "<td>{{ c.state }}</td><td>{{ c.deadline }}</td></tr>{% endfor %}</table>")


def timed(fn, repeat=15):
    times, counted = [], []

    def count(execute, sql, params, many, context):
        counted.append(1)
        return execute(sql, params, many, context)

    for _ in range(repeat):
        counted.clear()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(times), len(counted)


def seed():
    regions.load(COUNTY)
    villages = list(Region.objects.filter(code__startswith=COUNTY, level=5)
                    .values_list("code", flat=True))
    Household.objects.bulk_create([
        Household(code=f"{villages[k % len(villages)]}{k:04d}",
                  village_id=villages[k % len(villages)], household_type="ordinary",
                  source="import") for k in range(CASES)], batch_size=1000)
    now = timezone.now()
    states = ["clue", "visit", "village_review", "notice", "township_review",
              "county_approval", "announced"]
    Case.objects.bulk_create([
        Case(household_id=pk, village_code=village, state=states[k % len(states)],
             opened_at=now - timedelta(days=k % 30),
             deadline=now + timedelta(days=15 - k % 30))
        for k, (pk, village) in enumerate(Household.objects.values_list("pk", "village_id"))],
        batch_size=1000)
    return actions.do_create_user(username="approver", role=Role.COUNTY_APPROVER,
                                  region_code=COUNTY, password="bench-password-0123")


def main():
    state = setup_databases(verbosity=0, interactive=False)
    try:
        user = seed()
        client = Client()
        client.force_login(user)
        assert client.get("/cases/").status_code == 200  # warm up

        def ours():
            response = client.get("/cases/")
            assert response.status_code == 200

        def naive():
            cases = Case.objects.exclude(state__in=[s.value for s in FINAL]).order_by(
                "deadline")
            NAIVE.render({"cases": list(cases)})

        t_ours, q_ours = timed(ours)
        t_naive, q_naive = timed(naive, repeat=3)
        print(f"| {connection.vendor} | county queue, {CASES:,} open cases | "
              f"{t_ours * 1000:.0f} ms, {q_ours} queries | every case with a query per row: "
              f"{t_naive * 1000:.0f} ms, {q_naive:,} queries | {t_naive / t_ours:.0f}x |")
    finally:
        teardown_databases(state, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
