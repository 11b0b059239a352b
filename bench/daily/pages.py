"""The pages each demo role opens daily, timed on the demo county (`make demo` first).

    DIXIAN_MODE=dev DIXIAN_DEBUG=0 nice -n 10 .venv/bin/python bench/daily/pages.py \
        --runs 7 --writes 3 [--json out.json] [--before before.json] [--write-doc]

Each page is rendered through Django's test client as the demo user (session, middleware,
templates): one warm-up, then ``--runs`` renders (median and spread), with the number of
queries of one render. Then each page is opened first after a write to the ledger
(``--writes`` times): a clue recorded through its audited action in a transaction rolled
back after the page is timed, so the demo database is left as it was. Pages kept in a
cache (the households behind a figure) are computed again then when the write touched a
table they read, reading again only those tables (dixian/statistics/versions.py); the others
are not cached.

``--json`` saves the figures; ``--before`` reads the figures of an earlier run (e.g. the
same script run on the code before a change, on the same database) into the table;
``--write-doc`` replaces this benchmark's section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DIXIAN_MODE", "dev")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dixian.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dixian.cases.models import Case, MonitoringSpell  # noqa: E402
from dixian.core.models import User  # noqa: E402
from dixian.registry.models import Household, Member  # noqa: E402

COUNTY = "522326"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- bench/daily/pages.py: begin -->"
END = "<!-- bench/daily/pages.py: end -->"
#: the households behind a county figure: one list of each kind the engine computes
#: (stock, lags, coverage, overdue, incomes, quality)
FIGURES = ("monitored", "ident_late", "uncovered", "cases_overdue", "poor", "quality_open")
INCOME_FIGURES = ("poor", "pa_income", "mon_income")


class Rollback(Exception):
    pass


def pages() -> dict[str, list[str]]:
    cadre = User.objects.get(username="cadre")
    spell = MonitoringSpell.objects.filter(village_code=cadre.region_id,
                                           ended_on__isnull=True).order_by("pk").first()
    h = spell.household.code if spell else ""
    month = timezone.now().strftime("%Y-%m")
    case = Case.objects.filter(village_code__startswith=COUNTY).order_by("-pk").first()
    behind = [f"/statistics/{COUNTY}/households/?indicator={name}&period={month}"
              for name in FIGURES]
    # the month before, the last one complete: its income list has households
    last = (timezone.now().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    behind.append(f"/statistics/{COUNTY}/households/?indicator=poor&period={last}")
    return {
        "cadre": ["/inbox/", "/visits/", f"/monitoring/{h}/", f"/monitoring/{h}/visits/{month}/",
                  f"/households/{h}/", f"/notices/{cadre.region_id}/", "/offline/",
                  "/offline/bundle/"],
        "township": ["/inbox/", "/cases/", "/declarations/", "/quality/"],
        "approver": ["/inbox/", "/cases/", "/cases/?overdue=1&page=2", f"/cases/{case.pk}/",
                     "/eliminations/"],
        "countyadmin": ["/inbox/", "/households/", "/households/?page=40", f"/households/{h}/",
                        "/alerts/", "/quality/", "/imports/"],
        "medical": ["/inbox/", "/measures/", "/measures/?status=overdue&page=2",
                    "/feeds/", "/feeds/alerts/"],
        "analyst": [f"/statistics/{COUNTY}/", "/assistance/coverage/", *behind],
    }


def timed(client: Client, url: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = client.get(url)
        ms = (time.perf_counter() - start) * 1000
    return ms, len(captured), response.status_code


def writes_incomes(url: str) -> bool:
    """A list of households by their incomes: timed after an income is recorded."""
    return any(f"indicator={name}&" in url for name in INCOME_FIGURES)


def a_write(url: str) -> None:
    """One write to the ledger: a clue on a household through its audited action; for a
    list by incomes, a month's income recorded as a visit records it (the table it reads)."""
    from dixian.cases.actions import do_receive_clue
    from dixian.cases.params import channels_in_force
    from dixian.registry.actions import set_month_income
    from dixian.registry.models import Source

    household = Household.objects.filter(village__code__startswith=COUNTY).order_by("pk").first()
    if writes_incomes(url):
        set_month_income(household, timezone.now().strftime("%Y-%m"), {"wage": 1234},
                         actor=None, source=Source.VISIT, source_ref="bench")
        return
    channel = next(iter(channels_in_force(household.village_id)))
    do_receive_clue(household, channel=channel, risk_type="ILLNESS")


def after_write(client: Client, url: str) -> tuple[float, float]:
    """The page's time when opened first after a write (rolled back afterwards): wall
    clock and the process's CPU time (all its threads), in ms."""

    ms = cpu = 0.0
    try:
        with transaction.atomic():
            a_write(url)
            started = time.process_time()
            ms = timed(client, url)[0]
            cpu = (time.process_time() - started) * 1000
            raise Rollback
    except Rollback:
        pass
    # Nothing is cleared: what was computed or kept inside the rolled-back transaction is
    # keyed by the versions it saw there (a new nonce each write), which no committed state
    # has; the tables the write did not touch stay kept, as they would in a real process.
    return ms, cpu


def measure(clients: dict[str, Client], runs: int, writes: int) -> list[dict]:
    out = []
    for role, urls in pages().items():
        client = clients[role]
        for url in urls:
            timed(client, url)  # warm-up (and the cache of the households behind a figure)
            times, queries, status = [], 0, 0
            for _ in range(runs):
                ms, queries, status = timed(client, url)
                times.append(ms)
            after = [after_write(client, url) for _ in range(writes)]
            cold = [ms for ms, _cpu in after]
            timed(client, url)  # computed again for the next page's warm runs
            out.append({"role": role, "url": url, "median": statistics.median(times),
                        "min": min(times), "max": max(times), "queries": queries,
                        "status": status, "write_median": statistics.median(cold) if cold
                        else None, "write_min": min(cold, default=None),
                        "write_max": max(cold, default=None),
                        "write_cpu": statistics.median(c for _ms, c in after) if after
                        else None})
            print(f"{role:12s} {url:70s} {out[-1]['median']:7.0f} ms "
                  f"({out[-1]['min']:.0f}–{out[-1]['max']:.0f})  q={queries:3d}  "
                  f"after a write {out[-1]['write_median'] or 0:7.0f} ms  {status}",
                  flush=True)
    return out


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def section(result: dict, before: dict | None) -> str:
    rows = result["pages"]
    old = {(r["role"], r["url"]): r for r in (before or {}).get("pages", [])}
    lines = [
        BEGIN,
        f"`bench/daily/pages.py` on the demo county ({result['households']:,} households, "
        f"{result['members']:,} members, {result['cases']:,} cases; "
        f"`DIXIAN_MODE=dev .venv/bin/dixian demo --no-serve`), {result['database']}, "
        "Django's test client as each demo user (session, middleware, templates, debug "
        f"off): one warm-up, then the median of {result['runs']} renders (spread: fastest–"
        "slowest), with the queries of one render; then the page opened first after a "
        "write to the ledger (a clue recorded through its audited action, or, for the "
        "lists by income, a month's income recorded as a visit records it; rolled back "
        "after the page is timed; the tables the write did not touch stay kept, as in a "
        f"serving process), {result['writes']} times, with the process's CPU time "
        "(all threads: on a loaded machine the wall clock is several times the CPU time). "
        f"Measured {result['when']} on "
        f"this machine ({result['cpus']} cores, shared): load average (1, 5, 15 min) "
        f"{result['load_before']} before, {result['load_after']} after.",
        "",
        "```sh",
        "DIXIAN_MODE=dev .venv/bin/dixian demo --no-serve  # the demo county, in var/",
        "make bench-daily  # DIXIAN_MODE=dev DIXIAN_DEBUG=0 nice -n 10 .venv/bin/python \\",
        "                  #   bench/daily/pages.py --runs 7 --writes 3 --write-doc",
        "```",
        "",
    ]
    if before:
        lines += [
            f"Before: the same script on the code of {before['code']} (same database, run "
            f"just before, load {before['load_before']} → {before['load_after']}).", ""]
        lines += ["| role | page | before: median (spread) | after a write | queries "
                  "| now: median (spread) | after a write | queries |",
                  "|---|---|---:|---:|---:|---:|---:|---:|"]
    else:
        lines += ["| role | page | median (spread) | after a write (spread) | queries |",
                  "|---|---|---:|---:|---:|"]
    slow = []
    for r in rows:
        now = (f"{_ms(r['median'])} ms ({_ms(r['min'])}–{_ms(r['max'])})",
               f"{_ms(r['write_median'])} ms ({_ms(r['write_min'])}–{_ms(r['write_max'])})"
               + (f", CPU {_ms(r['write_cpu'])} ms" if r.get("write_cpu") is not None else ""),
               str(r["queries"]))
        if r["median"] > 300 or (r["write_median"] or 0) > 300:
            slow.append(r)
        if before:
            b = old.get((r["role"], r["url"]))
            was = (f"{_ms(b['median'])} ms ({_ms(b['min'])}–{_ms(b['max'])})",
                   f"{_ms(b['write_median'])} ms"
                   + (f", CPU {_ms(b['write_cpu'])} ms" if b.get("write_cpu") is not None
                      else ""), str(b["queries"])) if b else ("—",) * 3
            lines.append(f"| {r['role']} | `{r['url']}` | " + " | ".join(was) + " | "
                         + " | ".join(now) + " |")
        else:
            lines.append(f"| {r['role']} | `{r['url']}` | " + " | ".join(now) + " |")
    lines.append("")
    if slow:
        lines.append("Over 300 ms (median, or first after a write): " + "; ".join(
            f"{r['role']} `{r['url']}` ({_ms(r['median'])} ms, after a write "
            f"{_ms(r['write_median'])} ms)" for r in slow) + ".")
    else:
        lines.append("Every page under 300 ms, warm and first after a write.")
    lines += ["", END]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text()
    if BEGIN in doc and END in doc:
        head, rest = doc.split(BEGIN, 1)
        doc = head + text + rest.split(END, 1)[1]
    else:
        marker = "## Daily pages (issue 13)\n"
        if marker not in doc:
            doc = doc.rstrip("\n") + "\n\n" + marker
        doc = doc.replace(marker, marker + text + "\n\n", 1)
    DOC.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--writes", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--code", default="this branch", help="what code ran (for --json)")
    parser.add_argument("--write-doc", action="store_true")
    parser.add_argument("--render", type=Path, help="no run: the section from this --json")
    args = parser.parse_args()
    before = json.loads(args.before.read_text()) if args.before else None
    if args.render:
        text = section(json.loads(args.render.read_text()), before)
        if args.write_doc:
            write_doc(text)
        print(text)
        return
    if settings.DEBUG:
        print("note: DEBUG is on (set DIXIAN_DEBUG=0): every query is also logged",
              file=sys.stderr)
    clients = {}
    for name in pages():
        client = Client()
        client.force_login(User.objects.get(username=name))  # logins first
        clients[name] = client
    load_before = _load()
    started = timezone.now()
    rows = measure(clients, args.runs, args.writes)
    result = {
        "code": args.code, "database": connection.vendor, "runs": args.runs,
        "writes": args.writes, "when": started.strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(), "load_before": load_before, "load_after": _load(),
        "households": Household.objects.filter(village__code__startswith=COUNTY).count(),
        "members": Member.objects.filter(household__village__code__startswith=COUNTY).count(),
        "cases": Case.objects.filter(village_code__startswith=COUNTY).count(),
        "pages": rows,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    text = section(result, before)
    if args.write_doc:
        write_doc(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
