"""The pages each demo role opens daily, timed on the demo county (`make demo` first).

    DIXIAN_MODE=dev .venv/bin/python bench/daily/pages.py

Each page is rendered through Django's test client as the demo user (session, middleware,
templates): one warm-up, then the median of 5 renders, with the number of queries. The
households behind a county figure are also timed cold (the first request after a write to
the ledger) and warm (kept in the cache until the ledger changes)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DIXIAN_MODE", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dixian.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dixian.cases.models import Case, MonitoringSpell  # noqa: E402
from dixian.core.models import User  # noqa: E402

COUNTY = "522326"


def pages() -> dict[str, list[str]]:
    cadre = User.objects.get(username="cadre")
    spell = MonitoringSpell.objects.filter(village_code=cadre.region_id,
                                           ended_on__isnull=True).first()
    h = spell.household.code if spell else ""
    month = timezone.now().strftime("%Y-%m")
    case = Case.objects.filter(village_code__startswith=COUNTY).order_by("-pk").first()
    period = month
    return {
        "cadre": ["/inbox/", "/visits/", f"/monitoring/{h}/", f"/monitoring/{h}/visits/{month}/",
                  f"/notices/{cadre.region_id}/", "/offline/", "/offline/bundle/"],
        "township": ["/inbox/", "/cases/", "/declarations/", "/quality/"],
        "approver": ["/inbox/", "/cases/", "/cases/?overdue=1&page=2", f"/cases/{case.pk}/",
                     "/eliminations/"],
        "countyadmin": ["/inbox/", "/households/", "/households/?page=40", "/alerts/",
                        "/quality/", "/imports/"],
        "medical": ["/inbox/", "/measures/", "/measures/?status=overdue&page=2",
                    "/feeds/", "/feeds/alerts/"],
        "analyst": [f"/statistics/{COUNTY}/", "/assistance/coverage/",
                    f"/statistics/{COUNTY}/households/?indicator=monitored&period={period}",
                    f"/statistics/{COUNTY}/households/?indicator=uncovered&period={period}"],
    }


def measure(client: Client, url: str, runs: int = 5) -> tuple[float, int, int]:
    client.get(url)  # warm-up (and the cache of the households behind a figure)
    times, queries, status = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        queries, status = len(captured), response.status_code
    return statistics.median(times), queries, status


def cold_behind(client: Client, url: str) -> float:
    from django.core.cache import cache

    cache.clear()
    start = time.perf_counter()
    client.get(url)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    clients = {}
    for name in pages():
        client = Client()
        client.force_login(User.objects.get(username=name))  # logins first: they are writes
        clients[name] = client
    vendor = connection.vendor
    print("| database | role | page | median | queries | status |\n|---|---|---|---:|---:|---:|")
    for name, urls in pages().items():
        for url in urls:
            ms, n, status = measure(clients[name], url)
            print(f"| {vendor} | {name} | `{url}` | {ms:.0f} ms | {n} | {status} |")
    url = pages()["analyst"][2]
    print(f"\nhouseholds behind a county figure, cold (first after a write): "
          f"{cold_behind(clients['analyst'], url):.0f} ms")


if __name__ == "__main__":
    main()
