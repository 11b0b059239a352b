"""Benchmark: the preview of a policy change (issue 11, "Speed") on a 10-million-person
province, against re-running every rule under both policies.

    make bench-preview              # = nice -n 10 .venv/bin/python bench/policy/preview.py \\
                                    #   --repeat 3 --write-doc

1. Data (cached, not timed): the Guizhou synthetic province and its matched departmental
   feeds of the screening benchmark (``bench/screening/data.py``, the same files: 2.85 million
   households, 10 million persons, 36 months of incomes, 12 months of feeds), read by both
   paths as Parquet files.
2. Two proposals for Guizhou (52), effective 2026-01-01, previewed on the income month
   2025-12: the monitoring line raised from the 8,700 in force to 9,100 (``line``), and the
   medical share for other rural persons lowered from 100% to 80% of the prior-year rural
   income (``medical``).
3. Incremental path: ``dixian.engine.policy.preview.preview`` — R1 once and only the
   households between the two lines, only the screening rules that read a changed parameter
   under both policies, and the negative screen on just the asset holders whose other alerts
   changed.
4. Baseline (:func:`baseline`), what one would write without the preview: under the current
   and the proposed policy, every screening rule (``screening.run``, all 17) and the whole
   R1 classification (``screening.r1_table`` below the line), then the differences.
5. Both give the same households entering and leaving the range (with village, category, R1
   and the two lines) and the same alerts appearing and disappearing (with village, risk type,
   value, threshold and category), or the benchmark fails. Each run is a child process (its
   own peak RSS); the runs are interleaved (incremental and baseline alternate which goes
   first); medians are reported with every run and the 1-minute load before it.

Results: stdout, ``bench/policy/results.json`` and, with ``--write-doc``, the "Policy preview
(issue 11)" section of ``docs/benchmarks.md``. ``tests/engine/policy/test_preview_bench.py``
runs both paths on a 20,000-person county and checks that they agree (no timing in tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PREFIX = "52"
PERIOD = "2025-12"
ON = dt.date(2026, 1, 1)
#: the two proposals: parameter -> proposed value (hypothetical changes, not policy values)
CHANGES = {"line": ("income.monitoring_line", 9_100),
           "medical": ("screening.medical_share_other", 0.8)}
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = HERE / "results.json"
SECTION = "## Policy preview (issue 11)"
KINDS = ("entering", "leaving", "alerts_appearing", "alerts_disappearing")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def overlay(change: str, region: str = PREFIX, on: dt.date = ON) -> list:
    from dixian.engine.policy import Record

    parameter, value = CHANGES[change]
    return [Record(parameter=parameter, region=region, start=on, value=value,
                   source="bench/policy/preview.py: a proposal (hypothetical)",
                   change="proposal")]


# ============================================================================== the two paths
def incremental(snapshot: Mapping[str, Any], feeds: Mapping[str, Any] | None, scope, *,
                period: str, on: dt.date, overlay: list) -> dict[str, Any]:
    """The preview as the platform runs it."""
    from dixian.engine.policy.preview import preview

    p = preview(snapshot, feeds, scope, period=period, on=on, overlay=overlay)
    return {**{k: getattr(p, k) for k in KINDS}, "rules_run": p.rules_run}


def baseline(snapshot: Mapping[str, Any], feeds: Mapping[str, Any] | None, scope, *,
             period: str, on: dt.date, overlay: list) -> dict[str, Any]:
    """Everything under both policies, then the differences: every screening rule and the
    whole R1 classification (each household below the line or not)."""
    import pyarrow.compute as pc

    from dixian.engine.policy import preview as P
    from dixian.engine.policy import region_of_scope, resolve
    from dixian.engine.screening import RULES
    from dixian.engine.screening import engine as screening

    region, year = region_of_scope(scope), int(period[:4])
    alerts, below, lines, r1s = [], [], [], []
    for ov in ((), overlay):
        params = P._overrides(region, year, on, ov)
        alerts.append(P._alerts(snapshot, feeds, scope, period, on, params, None, "duckdb"))
        r1 = screening.r1_table(snapshot, scope, period=period, params=params)
        line = float(screening.resolve(region, year, params, on=on)["monitoring_line"])
        r1s.append(r1)
        b = r1.filter(pc.less(r1["pcni"], line))
        below.append({k: round(x, 2) for k, x in zip(b["household_code"].to_pylist(),
                                                     b["pcni"].to_pylist(), strict=True)})
        lines.append(line)
    codes = ({k[0] for k in set(alerts[0]) ^ set(alerts[1])}
             | (set(below[0]) ^ set(below[1])))
    h = P._households(snapshot, codes)
    villages = dict(zip(h["household_code"].to_pylist(), h["village_code"].to_pylist(),
                        strict=True))
    policies = (resolve(region, on), resolve(region, on, overlay=overlay))
    out: dict[str, Any] = {"rules_run": [r.id for r in RULES]}
    for kind, a, b, k_policy in (("entering", below[1], below[0], 1),
                                 ("leaving", below[0], below[1], 0)):
        keys = sorted(set(a) - set(b))
        cats = P._categories(snapshot, keys, policies[k_policy], a)
        out[kind] = [{"household_code": k, "village_code": villages.get(k, ""),
                      "category": cats.get(k, ""), "pcni": a[k], "line_before": lines[0],
                      "line_after": lines[1]} for k in keys]
    for kind, a, b, k_policy in (("alerts_appearing", alerts[1], alerts[0], 1),
                                 ("alerts_disappearing", alerts[0], alerts[1], 0)):
        alert_codes = {k[0] for k in set(alerts[0]) ^ set(alerts[1])}
        cats = P._categories(snapshot, alert_codes, policies[k_policy],
                             P._pcni(r1s[k_policy], alert_codes))
        out[kind] = [{**a[k], "category": cats.get(k[0], "")} for k in sorted(set(a) - set(b))]
    return out


def differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Per kind, the items only in ``a``, only in ``b`` (as JSON rows); empty when equal."""
    out = {}
    for kind in KINDS:
        x = {json.dumps(i, sort_keys=True, default=str) for i in a[kind]}
        y = {json.dumps(i, sort_keys=True, default=str) for i in b[kind]}
        if x != y or len(x) != len(a[kind]) or len(y) != len(b[kind]):
            out[kind] = {"only_first": sorted(x - y)[:5], "only_second": sorted(y - x)[:5],
                         "counts": [len(a[kind]), len(b[kind])]}
    return out


# ============================================================================== children
def _inputs() -> tuple[dict, dict]:
    sys.path.insert(0, str(ROOT / "bench" / "screening"))
    import data as D  # the screening benchmark's data (same province, same feeds)

    from dixian.engine.feeds.schemas import FEEDS

    snap = {n: D.QUALITY_DATA / f"{n}.parquet" for n in ("households", "members", "incomes")}
    feeds = {d: D.WORK / "matched" / f"{d}.parquet" for d in FEEDS}
    return snap, feeds


def _out_dir() -> Path:
    sys.path.insert(0, str(ROOT / "bench" / "screening"))
    import data as D

    return D.WORK / "preview"


def child(mode: str, change: str) -> dict:
    from dixian.engine.scope import RegionScope

    snap, feeds = _inputs()
    f = incremental if mode == "incremental" else baseline
    t, cpu = time.perf_counter(), time.process_time()
    result = f(snap, feeds, RegionScope.of(PREFIX), period=PERIOD, on=ON,
               overlay=overlay(change))
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    out = _out_dir()
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{mode}-{change}.json").write_text(json.dumps(result, default=str))
    return {"seconds": seconds, "cpu_seconds": cpu,
            "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2,
            "counts": {k: len(result[k]) for k in KINDS}, "rules_run": result["rules_run"]}


def spawn(mode: str, change: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), mode, change]
    load = os.getloadavg()[0]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"{mode} {change} failed:\n{out.stderr[-4000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load_before"] = round(load, 1)
    return result


# ============================================================================== report
def _summary(runs: list[dict]) -> dict:
    return {"median": statistics.median(r["seconds"] for r in runs),
            "all_seconds": [round(r["seconds"], 1) for r in runs],
            "loads": [r["load_before"] for r in runs],
            "peak_rss_gb": max(r["peak_rss_gb"] for r in runs),
            "cpu_median": statistics.median(r["cpu_seconds"] for r in runs),
            "counts": runs[0]["counts"], "rules_run": runs[0]["rules_run"]}


def _met(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


WHAT = {"line": "Guizhou's monitoring line 8,700 → 9,100 yuan",
        "medical": "medical share for other rural persons 100% → 80% of the prior-year rural "
                   "income"}


def report(info: dict) -> str:
    size = info["size"]
    lines = [
        SECTION,
        "`make bench-preview` (`nice -n 10 .venv/bin/python bench/policy/preview.py --repeat "
        "3 --write-doc`; the data are the screening benchmark's, generated "
        "once and cached by `bench/screening/data.py`). Guizhou synthetic province: "
        f"{size['households']:,} households, {size['members']:,} persons, "
        f"{size['income_rows']:,} monthly income rows, {size['feed_rows']:,} matched feed "
        f"records. Two proposals for Guizhou effective {ON.isoformat()}, previewed on the "
        f"income month {PERIOD} over the whole province. Incremental: "
        "`dixian.engine.policy.preview.preview` (R1 once, only the households between the two "
        "lines, only the rules that read a changed parameter, and the negative screen on just "
        "the asset holders whose other alerts changed). Baseline: every rule "
        "(`screening.run`) and the whole R1 classification under the current and the "
        "proposed policy, then the differences (`bench/policy/preview.py: baseline`).", "",
        "| proposal | incremental (preview) | baseline (everything twice) | ratio (wall) | "
        "ratio (CPU) | same result | under 60 s |",
        "|---|---|---|---|---|---|---|",
    ]
    for change, r in info["changes"].items():
        inc, base = r["incremental"], r["baseline"]
        c = inc["counts"]
        lines.append(
            f"| {WHAT[change]}: {c['entering']:,} households entering, {c['leaving']:,} "
            f"leaving, {c['alerts_appearing']:,} alerts appearing, "
            f"{c['alerts_disappearing']:,} disappearing | **{inc['median']:.1f} s** (CPU "
            f"{inc['cpu_median']:.1f} s), peak RSS {inc['peak_rss_gb']:.1f} GB | "
            f"{base['median']:.1f} s (CPU {base['cpu_median']:.1f} s), peak RSS "
            f"{base['peak_rss_gb']:.1f} GB | **{base['median'] / inc['median']:.1f}x** | "
            f"{base['cpu_median'] / inc['cpu_median']:.1f}x | "
            f"{'yes' if r['same'] else '**NO**'} | {_met(inc['median'] < 60)} (wall) |")
    lines.append("")
    for change, r in info["changes"].items():
        inc, base = r["incremental"], r["baseline"]
        lines.append(
            f"* `{change}`: medians of {len(inc['all_seconds'])} interleaved run(s) each. "
            f"Incremental: {', '.join(f'{x} s' for x in inc['all_seconds'])} (rules run: "
            f"{', '.join(inc['rules_run'])}); baseline: "
            f"{', '.join(f'{x} s' for x in base['all_seconds'])} (all "
            f"{len(base['rules_run'])} rules). 1-minute load before each run: incremental "
            f"{', '.join(str(x) for x in inc['loads'])}, baseline "
            f"{', '.join(str(x) for x in base['loads'])}.")
    loads = [x for r in info["changes"].values() for m in ("incremental", "baseline")
             for x in r[m]["loads"]]
    lines += [
        "* Same result: the same households entering and leaving the range (code, village, "
        "category, R1, both lines) and the same alerts appearing and disappearing (household, "
        "member, rule, village, risk type, value, threshold, category), compared item by "
        "item; the benchmark fails otherwise. `tests/engine/policy/test_preview_bench.py` runs "
        "both paths on a 20,000-person county for both proposals and for a change of the "
        "income window.",
        "* Where the incremental path saves: the line change computes R1 (the 12-month "
        "income window aggregated by household) once and gives it to the three R2 rules under "
        "both policies (`screening.run(income=...)`), where the baseline computes it four times "
        "(its two classifications and its two full screenings), and runs 3 rules instead of 17 "
        "under each policy; the medical change runs one feed rule (R7-MED-01) and no R1. The "
        "asset check (R7-AST-01, shown only with another clue) is re-run, with every rule, on "
        "just the asset holders whose touched alerts came or went, and their own feed records "
        "(the baseline has it from its full runs). Neither path renders the alerts' "
        "sentences (`render=False`): the ratio is the computation saved, not the "
        "formatting. R1 is most of the line change's time; it is the floor of any preview of "
        "an income change.",
        f"* Measured {info['date']} with DuckDB {info['versions']['duckdb']}, Ibis "
        f"{info['versions']['ibis']}, pyarrow {info['versions']['pyarrow']}, Python "
        f"{platform.python_version()}; {os.cpu_count()} CPUs shared with other sessions "
        "(run under `nice -n 10`). The wall times depend on that load: at a 1-minute load of "
        f"{min(loads):g} to {max(loads):g} on {os.cpu_count()} CPUs a niced process gets a "
        "fraction of them. The CPU "
        "time (user and system, all of DuckDB's threads) does not; on an idle machine the "
        "wall time is about the CPU time divided by the CPUs DuckDB keeps busy.",
    ]
    return "\n".join(_wrap(x) for x in lines) + "\n"


def _wrap(line: str) -> str:
    import textwrap

    if line.startswith("|") or len(line) <= 100:
        return line
    bullet = line.startswith("* ")
    keep = re.sub(r"(\d) (s|GB)\b", "\\1\xa0\\2", line)
    out = textwrap.fill(keep, 100, subsequent_indent="  " if bullet else "",
                        break_long_words=False, break_on_hyphens=False)
    return out.replace("\xa0", " ")


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(doc):
        doc = pattern.sub(lambda _m: text + "\n", doc, count=1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")


# ============================================================================== main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", nargs="?", default="all",
                    choices=["all", "incremental", "baseline"])
    ap.add_argument("change", nargs="?", default="line", choices=sorted(CHANGES))
    ap.add_argument("--repeat", type=int, default=3, help="interleaved runs of each path")
    ap.add_argument("--changes", default=",".join(CHANGES))
    ap.add_argument("--write-doc", action="store_true")
    ap.add_argument("--report-only", action="store_true",
                    help="the report from the runs kept in results.json (no new run)")
    a = ap.parse_args(argv)
    if a.mode != "all":
        print(json.dumps(child(a.mode, a.change), default=str))
        return 0

    import duckdb
    import ibis
    import pyarrow

    sys.path.insert(0, str(ROOT / "bench" / "screening"))
    import data as D

    D.prepare(with_claims=False)
    snap, feeds = _inputs()
    con = duckdb.connect()

    def count(p) -> int:
        return con.execute("select count(*) from read_parquet(?)", [str(p)]).fetchall()[0][0]

    info: dict = {"date": time.strftime("%Y-%m-%d"), "repeat": a.repeat,
                  "versions": {"duckdb": duckdb.__version__, "ibis": ibis.__version__,
                               "pyarrow": pyarrow.__version__},
                  "size": {"households": count(snap["households"]),
                           "members": count(snap["members"]),
                           "income_rows": count(snap["incomes"]),
                           "feed_rows": sum(count(p) for p in feeds.values())},
                  "changes": {}}
    changes = a.changes.split(",")
    runs: dict = {c: {"incremental": [], "baseline": []} for c in changes}
    if a.report_only:
        kept = json.loads(RESULTS.read_text())
        info["repeat"] = kept["repeat"]
        info["date"] = kept["date"]
        info["changes"] = {c: {"same": r["same"], "differences": r["differences"]}
                           for c, r in kept["changes"].items()}
        runs = kept["runs"]
        changes = [c for c in changes if runs.get(c, {}).get("baseline")]
    for k in range(0 if a.report_only else a.repeat):
        for change in changes:
            order = ("incremental", "baseline") if k % 2 == 0 else ("baseline", "incremental")
            for mode in order:
                log(f"{change}, {mode}, run {k + 1} of {a.repeat} "
                    f"(load {os.getloadavg()[0]:.1f}) ...")
                r = spawn(mode, change)
                runs[change][mode].append(r)
                log(f"  {r['seconds']:.1f} s, peak RSS {r['peak_rss_gb']:.1f} GB, {r['counts']}")
            out = _out_dir()
            inc = json.loads((out / f"incremental-{change}.json").read_text())
            base = json.loads((out / f"baseline-{change}.json").read_text())
            diff = differences(inc, base)
            if diff:
                log(f"  DIFFERENT RESULTS: {json.dumps(diff)[:2000]}")
            prev = info["changes"].get(change, {"same": True, "differences": {}})
            info["changes"][change] = {"same": prev["same"] and not diff,
                                       "differences": prev["differences"] or diff}
        # kept after every round, so that an interrupted benchmark can still be reported
        RESULTS.write_text(json.dumps({**info, "repeat": k + 1, "runs": runs}, indent=2,
                                      default=str) + "\n")
    for change in changes:
        info["changes"][change].update(
            {m: _summary(rs) for m, rs in runs[change].items()})
    text = report(info)
    print(text)
    RESULTS.write_text(json.dumps({**info, "runs": runs}, indent=2, default=str) + "\n")
    ok = all(c["same"] for c in info["changes"].values())
    if not ok:
        print("THE PREVIEW AND THE BASELINE DIFFER; see results.json", file=sys.stderr)
    if a.write_doc:
        write_doc(text)
        log(f"wrote the section to {DOC}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
