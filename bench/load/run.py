"""`make load`: Locust's mixed roles against the production setup on PostgreSQL.

    .venv/bin/python bench/load/run.py --users 100 --minutes 5 --write-doc

The demo county is built once, in production mode, into a private PostgreSQL cluster under
var/load/ (`dixian demo --no-serve`: about half an hour on two cores), and reused. Each run
gives the demo users known passwords, starts gunicorn (deploy/gunicorn.conf.py) and the worker
as in docs/deployment.md, runs Locust headless, and writes p50/p95 per page and API operation
to docs/benchmarks.md ("Load") with the machine's load (`uptime`) before and after.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from localstack import Cluster, Stack  # noqa: E402

FOLDER = ROOT / "var" / "load"
PASSWORD = "Load-test-pass-2026"
DEMO_USERS = ("cadre", "township", "approver", "countyadmin", "medical", "analyst", "auditor",
              "sysadmin")


def prepare(stack: Stack, households: int = 50_000) -> Path:
    ready = stack.cluster.psql("postgres", "SELECT count(*) FROM pg_database WHERE "
                                           "datname = 'dixian'")
    if ready == "0":
        stack.cluster.createdb("dixian")
    # Every run builds the demo: each of its steps skips itself when its work is there and is
    # one transaction, so an interrupted first build is finished, never taken for done.
    print(f"building the demo county in production mode ({households:,} households; the first "
          "build takes about half an hour at 50,000, later ones a minute)…", flush=True)
    stack.dixian("demo", "--no-serve", timeout=6 * 3600, DIXIAN_DEMO_HOUSEHOLDS=str(households))
    stack.dixian("migrate", "--no-input")
    stack.dixian("collectstatic", "--no-input")
    script = ("from dixian.core.models import User\n"
              "import json\n"
              "out = {}\n"
              f"for u in User.objects.filter(username__in={list(DEMO_USERS)!r}):\n"
              f"    u.set_password({PASSWORD!r}); u.save(update_fields=['password'])\n"
              "    out[u.username] = {'password': " + repr(PASSWORD) + ", 'role': u.role, "
              "'region': u.region_id or ''}\n"
              "print(json.dumps(out))\n")
    users = json.loads(stack.dixian("shell", "-c", script).stdout.strip().splitlines()[-1])
    path = stack.folder / "users.json"
    path.write_text(json.dumps(users))
    return path


def percentile_table(stats_csv: Path) -> tuple[list[dict], dict]:
    rows = list(csv.DictReader(stats_csv.open()))
    ops = [r for r in rows if r["Name"] != "Aggregated"]
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return ops, total


def write_doc(ops, total, meta) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text()
    lines = [
        "## Load", "",
        f"`make load` (`bench/load/run.py`, Locust {meta['locust']}): {meta['users']} "
        f"concurrent users of the demo county's eight roles (weights: village cadre 30, "
        f"township 15, approver, county admin, department officer, analyst 10 each, auditor "
        f"and system administrator 5 each), each logging in with a session and CSRF token and "
        f"reading a page every 1–5 s, for {meta['minutes']} minutes against gunicorn "
        f"({meta['workers']} workers × {meta['threads']} threads, deploy/gunicorn.conf.py) and "
        f"PostgreSQL 15 on this machine (2 cores, shared). Database: {meta['size']}.", "",
        f"Machine load (`uptime`) before: {meta['uptime_before']}; after: "
        f"{meta['uptime_after']}.", "",
        f"**{int(total['Request Count']):,} requests, {int(total['Failure Count'])} errors, "
        f"{float(total['Requests/s']):.1f} requests/s; p50 {total['50%']} ms, p95 "
        f"{total['95%']} ms, p99 {total['99%']} ms overall.**", "",
        "| page or API operation | requests | errors | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(ops, key=lambda r: -float(r["95%"] or 0)):
        lines.append(f"| `{r['Type']} {r['Name']}` | {int(r['Request Count']):,} | "
                     f"{int(r['Failure Count'])} | {r['50%']} | {r['95%']} | "
                     f"{float(r['Max Response Time']):.0f} |")
    section = "\n".join(lines) + "\n"
    if "\n## Load\n" in text:
        start = text.index("\n## Load\n") + 1
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip() + "\n\n" + section
    doc.write_text(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--households", type=int, default=50_000,
                        help="the demo county's size when it is first built (the whole county)")
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args(argv)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop gunicorn and the worker too
    FOLDER.mkdir(parents=True, exist_ok=True)
    FOLDER.chmod(0o711)
    cluster = Cluster(FOLDER / "pg")
    cluster.start()
    stack = Stack(FOLDER, cluster)
    users = prepare(stack, args.households)
    size = stack.cluster.psql("dixian", "SELECT (SELECT count(*) FROM registry_household) || "
                              "' households, ' || (SELECT count(*) FROM registry_member) || "
                              "' members, ' || (SELECT count(*) FROM cases_case) || ' cases, ' "
                              "|| (SELECT count(*) FROM exchange_alert) || ' alerts, ' || "
                              "(SELECT count(*) FROM core_auditevent) || ' audit rows'")
    # Locust's users pause up to 5 s between clicks on a kept connection (nginx would hold
    # these): gunicorn keeps idle connections longer than that, or the pause races its close.
    # two-factor sign-in (on in production) is left out: Locust's users sign in with a
    # password only; the deployment test goes through it (tests/deploy)
    stack.start_web(workers=args.workers, threads=args.threads, DIXIAN_WEB_KEEPALIVE="30",
                    DIXIAN_TWO_FACTOR="0")
    stack.start_worker()
    out = FOLDER / "result"
    uptime_before = os.popen("uptime").read().strip()
    seconds = int(args.minutes * 60)
    try:
        result = subprocess.run(
            [str(Path(sys.executable).parent / "locust"), "-f",
             str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{seconds}s",
             "--host", stack.base_url, "--csv", str(out), "--only-summary",
             "--stop-timeout", "30"],
            cwd=ROOT, env={**os.environ, "DIXIAN_LOAD_USERS": str(users)}, timeout=seconds + 300)
    finally:
        uptime_after = os.popen("uptime").read().strip()
        stack.stop_all()
    ops, total = percentile_table(Path(f"{out}_stats.csv"))
    version = subprocess.run([str(Path(sys.executable).parent / "locust"), "--version"],
                             capture_output=True, text=True).stdout.strip()
    meta = {"users": args.users, "minutes": args.minutes, "workers": args.workers,
            "threads": args.threads, "size": size, "uptime_before": uptime_before,
            "uptime_after": uptime_after,
            "locust": re.search(r"[\d.]+", version).group(0) if version else "?"}
    print(json.dumps({"total": total, "meta": meta}, indent=2))
    if args.write_doc:
        write_doc(ops, total, meta)
    errors = int(total["Failure Count"])
    print(f"load: {int(total['Request Count'])} requests, {errors} errors")
    return 0 if errors == 0 and result.returncode in (0, 1) else 1


if __name__ == "__main__":
    started = time.time()
    raise SystemExit(main())
