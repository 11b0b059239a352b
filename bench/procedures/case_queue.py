"""Benchmark: a county's case queue with 5,000 open cases (issue 5: under 300 ms, a bounded
number of queries).

Run: ``make bench-queue`` (SQLite, then a private PostgreSQL cluster); each run replaces its
database's row of the "Case queue" section of docs/benchmarks.md.

Baseline in the same run, on the same data, compared like with like: the first page of the
queue as a competent Django developer writes it (the same 50 cases, the same order, the
household joined with ``select_related`` and the heads of household prefetched, a template
with the same columns in the site's layout), not a strawman listing all 5,000. Both pages are
served through the test client behind the same middleware, session and login, and must show
the same cases in the same order (checked). Dixian's page does more (the count, the filters
and sorts, the township and village names, masked ID numbers, overdue marks). Runs are
interleaved (Dixian, baseline, Dixian, …); reported: the median and the
spread (fastest–slowest) of each, the queries per render, and the machine's load.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

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
PAGE = 50  # the queue's page size (dixian.cases.views.PAGE_SIZE)
RUNS = 15
BASELINE = engines["django"].from_string(
    "{% extends 'base.html' %}{% block content %}<table>{% for c in cases %}<tr>"
    "<td><a href=\"/cases/{{ c.pk }}/\">{{ c.pk }}</a></td>"
    "<td>{% for m in c.household.heads %}{{ m.name }}{% endfor %}</td>"
    "<td>{{ c.household.village_id }}</td><td>{{ c.household.code }}</td><td>{{ c.kind }}</td>"
    "<td>{{ c.state }}</td><td>{{ c.deadline }}</td></tr>{% endfor %}</table>"
    "{% endblock %}")
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')


def baseline_view(request):
    """The baseline page: the first 50 open cases, joined and prefetched, in the site's
    layout, behind the same middleware, session and login as Dixian's page."""
    from django.contrib.auth.decorators import login_required
    from django.db.models import Prefetch
    from django.http import HttpResponse

    from dixian.registry.models import Member

    @login_required
    def view(request):
        cases = list(Case.objects.exclude(state__in=[s.value for s in FINAL])
                     .select_related("household")
                     .prefetch_related(Prefetch(
                         "household__members", to_attr="heads",
                         queryset=Member.objects.filter(relation_to_head="head")))
                     .order_by("deadline", "pk")[:PAGE])
        return HttpResponse(BASELINE.render({"cases": cases}, request))

    return view(request)


def run_once(fn):
    counted = []

    def count(execute, sql, params, many, context):
        counted.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - started
    return seconds, len(counted), out


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


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _spread(times) -> str:
    return (f"{statistics.median(times) * 1000:.0f} ms ({min(times) * 1000:.0f}–"
            f"{max(times) * 1000:.0f})")


def main():
    from django.conf import settings
    from django.urls import clear_url_caches, path

    import dixian.urls

    # the baseline's page is served beside Dixian's, through the same stack
    urls = type(sys)("bench_case_queue_urls")
    urls.urlpatterns = [path("bench/baseline-queue/", baseline_view), *dixian.urls.urlpatterns]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    clear_url_caches()
    state = setup_databases(verbosity=0, interactive=False)
    try:
        user = seed()
        client = Client()
        client.force_login(user)

        def ours():
            response = client.get("/cases/")
            assert response.status_code == 200
            return [int(x) for x in CASE_LINK.findall(response.content.decode())]

        def baseline():
            response = client.get("/bench/baseline-queue/")
            assert response.status_code == 200
            return [int(x) for x in CASE_LINK.findall(response.content.decode())]

        run_once(ours), run_once(baseline)  # warm-up
        load_before = _load()
        times = {"ours": [], "baseline": []}
        queries = {}
        shown = {}
        for _ in range(RUNS):  # interleaved
            for name, fn in (("ours", ours), ("baseline", baseline)):
                seconds, n, out = run_once(fn)
                times[name].append(seconds)
                queries[name], shown[name] = n, out
        assert shown["ours"] == shown["baseline"] and len(shown["ours"]) == PAGE, shown
        ratio = statistics.median(times["baseline"]) / statistics.median(times["ours"])
        row = (f"| {connection.vendor} | first page of the queue, {CASES:,} open cases | "
               f"{_spread(times['ours'])}, {queries['ours']} queries | "
               f"{_spread(times['baseline'])}, {queries['baseline']} queries | "
               f"{ratio:.2f}x | {load_before} → {_load()} |")
        print(row)
        _write_row(connection.vendor, row)
    finally:
        teardown_databases(state, verbosity=0)


DOC = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


def _write_row(vendor: str, row: str) -> None:
    """Replace this database's row of the case-queue table in docs/benchmarks.md."""
    lines = DOC.read_text().splitlines()
    prefix = f"| {vendor} | first page of the queue"
    lines = [row if line.startswith(prefix) else line for line in lines]
    DOC.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
