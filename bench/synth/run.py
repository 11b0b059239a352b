"""Benchmark the synthetic generator: the demo county, a 10-million-person province, and a
per-household Python-loop baseline on a small sample, extrapolated.

    .venv/bin/python bench/synth/run.py                 # full run (about 5-10 minutes)
    .venv/bin/python bench/synth/run.py --persons 1000000 --baseline-households 1000

Each generation runs in its own process so that its peak memory (max RSS) is its own.
Results go to ``bench/synth/results.json`` and ``bench/synth/results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

CHILD = r"""
import json, resource, sys, time
args = json.loads(sys.argv[1])
t0 = time.perf_counter()
if args.pop("baseline"):
    from dixian.engine.synth.baseline import generate_loop
    info = generate_loop(**args)
else:
    from dixian.engine.synth import generate
    s = generate(**args)
    info = {"households": s.households, "members": s.members, "income_rows": s.income_rows,
            "planted_errors": s.planted_errors, "chunks": s.chunks}
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
info.update(wall_s=wall, cpu_s=ru.ru_utime + ru.ru_stime, max_rss_gb=ru.ru_maxrss / 1024**2)
print(json.dumps(info))
"""


def run_child(args: dict) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True,
                         text=True, env=env, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.glob("*.parquet"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--county", default="522326")
    ap.add_argument("--province", default="52")
    ap.add_argument("--persons", type=int, default=10_000_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--baseline-households", type=int, default=3000)
    ap.add_argument("--work", help="scratch folder (default: a temporary one, removed)")
    a = ap.parse_args(argv)
    work = Path(a.work or tempfile.mkdtemp(prefix="dixian-bench-synth-"))
    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                 "platform": platform.platform()},
                     "command": "bench/synth/run.py " + " ".join(argv or sys.argv[1:])}
    try:
        print("county ...", flush=True)
        county = run_child({"baseline": False, "scope_code": a.county, "seed": 0,
                            "months": a.months, "out_dir": str(work / "county")})
        county["bytes"] = dir_size(work / "county")
        results["county"] = county
        per_hh = county["members"] / county["households"]
        households = round(a.persons / per_hh)
        print(f"province: {households:,} households ...", flush=True)
        prov = run_child({"baseline": False, "scope_code": a.province, "seed": 0,
                          "households": households, "months": a.months,
                          "out_dir": str(work / "province")})
        prov["bytes"] = dir_size(work / "province")
        results["province"] = prov
        shutil.rmtree(work / "province", ignore_errors=True)
        print("baseline ...", flush=True)
        base = run_child({"baseline": True, "scope_code": a.province,
                          "households": a.baseline_households, "months": a.months,
                          "out_dir": str(work / "baseline")})
        small = run_child({"baseline": False, "scope_code": a.province, "seed": 0,
                           "households": a.baseline_households, "months": a.months,
                           "out_dir": str(work / "small")})
        # the baseline's fixed start-up (imports, reading the division file) is not scaled
        start = run_child({"baseline": True, "scope_code": a.province, "households": 1,
                           "months": a.months, "out_dir": str(work / "baseline1")})
        per_hh_s = (base["wall_s"] - start["wall_s"]) / max(a.baseline_households - 1, 1)
        base["extrapolated_wall_s"] = start["wall_s"] + per_hh_s * prov["households"]
        per_hh_cpu = (base["cpu_s"] - start["cpu_s"]) / max(a.baseline_households - 1, 1)
        base["extrapolated_cpu_s"] = start["cpu_s"] + per_hh_cpu * prov["households"]
        results["ratio_cpu"] = base["extrapolated_cpu_s"] / prov["cpu_s"]
        results["baseline_loop"] = base
        results["vectorised_same_sample"] = small
        results["ratio_baseline_over_vectorised"] = base["extrapolated_wall_s"] / prov["wall_s"]
        results["ratio_same_sample"] = base["wall_s"] / small["wall_s"]
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "results.md").write_text(render(results, a))
    print(render(results, a))
    return 0


def render(r: dict, a) -> str:
    c, p, b, s = r["county"], r["province"], r["baseline_loop"], r["vectorised_same_sample"]
    gb = 1024 ** 3
    return "\n".join([
        "# Synthetic generator benchmark", "",
        f"Command: `.venv/bin/python {r['command'].strip()}` "
        f"({r['machine']['cpus']} CPUs, Python {r['machine']['python']}, {r['finished']}).", "",
        "| run | households | persons | income rows | wall s | CPU s | max RSS GB | Parquet GB |",
        "|---|---|---|---|---|---|---|---|",
        f"| county {a.county} (default size) | {c['households']:,} | {c['members']:,} | "
        f"{c['income_rows']:,} | {c['wall_s']:.1f} | {c['cpu_s']:.1f} | {c['max_rss_gb']:.2f} | "
        f"{c['bytes'] / gb:.3f} |",
        f"| province {a.province} ({a.persons / 1e6:.0f} M persons) | {p['households']:,} | "
        f"{p['members']:,} | {p['income_rows']:,} | {p['wall_s']:.1f} | {p['cpu_s']:.1f} | "
        f"{p['max_rss_gb']:.2f} | {p['bytes'] / gb:.2f} |",
        f"| baseline loop, {b['households']:,} households | {b['households']:,} | "
        f"{b['members']:,} | {b['income_rows']:,} | {b['wall_s']:.1f} | {b['cpu_s']:.1f} | "
        f"{b['max_rss_gb']:.2f} | |",
        f"| vectorised, same {s['households']:,} households | {s['households']:,} | "
        f"{s['members']:,} | {s['income_rows']:,} | {s['wall_s']:.1f} | {s['cpu_s']:.1f} | "
        f"{s['max_rss_gb']:.2f} | |", "",
        f"Baseline extrapolated to the province: {b['extrapolated_wall_s']:,.0f} s wall, "
        f"{b['extrapolated_cpu_s']:,.0f} s CPU: **{r['ratio_baseline_over_vectorised']:.1f}x** "
        f"the vectorised generator's wall time and **{r['ratio_cpu']:.1f}x** its CPU time "
        f"(on the same small sample: {r['ratio_same_sample']:.1f}x, where the vectorised "
        "generator's fixed start-up dominates). The baseline is much simpler: it writes only "
        "the three registry tables, with a crude income model, and skips the calibration, "
        "demography, shock effects, registry lag, monitoring history, truth tables and "
        "planted errors, so the ratio understates the difference.", "",
        "Wall time includes start-up (imports, reading the 665,000-row division file) and "
        "writing all eight Parquet tables (zstd). The machine is shared, so wall time can "
        "exceed CPU time.", ""])


if __name__ == "__main__":
    raise SystemExit(main())
