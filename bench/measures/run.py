"""Benchmark: dixian.engine.measures against public Python peers and a naive baseline.

Generates N persons (default 10 million) with sampling weights, welfare and ten deprivation
indicators from a fixed seed, then times, in the same process and on the same arrays:

* Dixian: FGT(0), FGT(1), FGT(2), Gini, Theil T, Theil L and a 10-indicator MPI;
* a naive baseline written the obvious way with pandas/NumPy;
* the peers that install from PyPI (see setup.sh): povertyinequalitymeasures, IneqPy,
  inequalipy, apode (unweighted only) and mpitb.

Each timing is the median of ``--repeat`` runs (the machine is noisy); a run longer than
``--slow`` seconds is not repeated. Ratios are peer time / Dixian time for the same statistic
(against Dixian's unweighted call when the peer has no weights). Results print as a table and
go to ``--json``.

Reproduce:
    bash bench/measures/setup.sh
    bench/measures/.venv-bench/bin/python bench/measures/run.py --json results.json
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata as md
import json
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pandas as pd

from dixian.engine import measures as dm

INDICATORS = {
    "health": ["d_nutr", "d_cm"],
    "education": ["d_satt", "d_educ"],
    "living_standards": ["d_elct", "d_sani", "d_wtr", "d_hsg", "d_ckfl", "d_asst"],
}
NAMES = [i for dims in INDICATORS.values() for i in dims]


def make_data(n: int, seed: int) -> tuple[pd.DataFrame, float]:
    """Persons with welfare, weights and ten 0/1 deprivations correlated with welfare."""
    rng = np.random.default_rng(seed)
    y = rng.lognormal(mean=8.0, sigma=0.8, size=n)
    y[rng.random(n) < 0.001] = 0.0  # a few zero incomes (Gini, FGT and Theil T keep them)
    w = rng.integers(1, 8, n) * rng.uniform(50.0, 150.0, n)  # household size x weight
    latent = (np.log1p(y) - 8.0) / 0.8 + rng.normal(0.0, 1.0, n)
    data = {"y": y, "w": w}
    for j, name in enumerate(NAMES):
        cut = -0.9 + 0.12 * j
        data[name] = (latent + rng.normal(0.0, 1.0, n) < cut).astype(np.int8)
    z = float(np.exp(7.6))
    return pd.DataFrame(data), z


def version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


# --- naive baseline -----------------------------------------------------------------------------


def naive_suite(df: pd.DataFrame, z: float) -> dict[str, Callable[[], float]]:
    def fgt(alpha):
        def run():
            gap = ((z - df["y"]) / z).clip(lower=0)
            poor = df["y"] < z
            v = poor.astype(float) if alpha == 0 else gap**alpha
            return float((v * df["w"]).sum() / df["w"].sum())

        return run

    def gini():
        s = df[["y", "w"]].sort_values("y")
        p = s["w"].cumsum().to_numpy()
        yw = (s["y"] * s["w"]).cumsum().to_numpy()
        p = np.concatenate(([0.0], p / p[-1]))
        yw = np.concatenate(([0.0], yw / yw[-1]))
        return float(1 - np.sum((p[1:] - p[:-1]) * (yw[1:] + yw[:-1])))

    def theil_t():
        y, w = df["y"].to_numpy(), df["w"].to_numpy()
        mu = np.average(y, weights=w)
        r = y / mu
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(r > 0, r * np.log(r), 0.0)
        return float(np.average(t, weights=w))

    def theil_l():
        pos = df[df["y"] > 0]
        y, w = pos["y"].to_numpy(), pos["w"].to_numpy()
        mu = np.average(y, weights=w)
        return float(np.average(-np.log(y / mu), weights=w))

    def mpi():
        weights = [1 / 6] * 4 + [1 / 18] * 6
        score = df[NAMES].dot(weights)
        poor = score >= 1 / 3
        w = df["w"]
        total = w.sum()
        h = w[poor].sum() / total
        m0 = (score * poor * w).sum() / total
        a = m0 / h
        # uncensored and censored headcounts, as Dixian and mpitb report them
        hd = df[NAMES].mul(w, axis=0).sum() / total
        hdk = df[NAMES].mul(w * poor, axis=0).sum() / total
        assert a > 0 and len(hd) == len(hdk) == 10
        return float(m0)

    return {
        "fgt0": fgt(0),
        "fgt1": fgt(1),
        "fgt2": fgt(2),
        "gini": gini,
        "theil_t": theil_t,
        "theil_l": theil_l,
        "mpi": mpi,
    }


# --- peers --------------------------------------------------------------------------------------


def peer_suites(df: pd.DataFrame, z: float) -> dict[str, dict[str, tuple[Callable, bool]]]:
    """name -> statistic -> (callable, weighted?)."""
    suites: dict[str, dict[str, tuple[Callable, bool]]] = {}
    y, w = df["y"].to_numpy(), df["w"].to_numpy()

    try:
        from povertyInequalityMeasures import inequality as pim_ineq
        from povertyInequalityMeasures import poverty as pim_pov

        base = df[["y", "w"]]

        def pim(fn):
            # the package adds columns to the frame it gets: give it a fresh one (not timed
            # separately: the copy is part of calling it safely)
            return lambda: float(fn(z, base.copy(), "y", "w"))

        suites["povertyinequalitymeasures"] = {
            "fgt0": (pim(pim_pov.get_headcount_index), True),
            "fgt1": (pim(pim_pov.get_poverty_gap_index), True),
            "fgt2": (pim(pim_pov.get_poverty_severity_index), True),
            "gini": (lambda: float(pim_ineq.get_gini(base, "y", "w")), True),
        }
    except ImportError:
        pass

    try:
        from ineqpy import inequality as iq

        suites["ineqpy"] = {
            "gini": (lambda: float(iq.gini(income=y, weights=w)), True),
            "theil_t": (lambda: float(iq.theil(income=y, weights=w)), True),
        }
    except ImportError:
        pass

    try:
        import inequalipy

        suites["inequalipy"] = {"gini": (lambda: float(inequalipy.gini(y, w)), True)}
    except ImportError:
        pass

    try:
        from apode import ApodeData

        ad = ApodeData(pd.DataFrame({"y": y}), income_column="y")
        ypos = y[y > 0]
        ad_pos = ApodeData(pd.DataFrame({"y": ypos}), income_column="y")
        suites["apode"] = {
            "fgt0": (lambda: float(ad.poverty.headcount(pline=z)), False),
            "fgt1": (lambda: float(ad.poverty.gap(pline=z)), False),
            "fgt2": (lambda: float(ad.poverty.severity(pline=z)), False),
            "gini": (lambda: float(ad.inequality.gini()), False),
            "theil_t": (lambda: float(ad.inequality.entropy(alpha=1)), False),
            "theil_l": (lambda: float(ad_pos.inequality.entropy(alpha=0)), False),
        }
    except ImportError:
        pass

    try:
        from mpitb import MPIToolbox

        def mpitb_run():
            tb = MPIToolbox()
            tb.set(name="g", dimensions=[(v, k) for k, v in INDICATORS.items()])
            tb.svyset(weight="w")
            frame = df[NAMES + ["w"]].copy()  # mpitb writes score and poor columns into it
            res = tb.est(
                frame,
                "g",
                klist=[33],
                svy=True,
                measures=["M0", "H", "A"],
                indmeasures=["hdk", "actb", "pctb"],
                aux=["hd"],
            )
            return float(next(r["b"] for r in res if r.get("measure") == "M0"))

        suites["mpitb"] = {"mpi": (mpitb_run, True)}
    except ImportError:
        pass
    return suites


STAT_LABELS = {
    "fgt0": "FGT(0)",
    "fgt1": "FGT(1)",
    "fgt2": "FGT(2)",
    "gini": "Gini",
    "theil_t": "Theil T",
    "theil_l": "Theil L",
    "mpi": "MPI (10 ind.)",
}


def markdown_table(results: dict) -> str:
    """Seconds (median) and ratio peer / Dixian per statistic, as a Markdown table."""
    peers = [p for p in results["peers"] if results["peers"][p]]
    head = ["statistic", "Dixian (weighted)", "Dixian (unweighted)", "naive pandas/NumPy"]
    head += peers
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def cell(entry: dict | None) -> str:
        if not entry:
            return "-"
        if "error" in entry:
            return "failed"
        tag = "" if entry.get("weighted", True) else " (unw.)"
        return f"{entry['seconds']:.3f} s (x{entry['ratio']:.1f}){tag}"

    for name, label in STAT_LABELS.items():
        ours = results["dixian"].get(name)
        unw = results["dixian_unweighted"].get(name)
        row = [
            label,
            f"{ours['seconds']:.3f} s" if ours else "-",
            f"{unw['seconds']:.3f} s" if unw else "-",
            cell(results["naive"].get(name)),
        ]
        row += [cell(results["peers"][p].get(name)) for p in peers]
        lines.append("| " + " | ".join(row) + " |")
    total = results.get("dixian_total")
    total_row = ["**total**", f"**{total:.2f} s**", "", ""] + [""] * len(peers)
    lines.append("| " + " | ".join(total_row) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--slow", type=float, default=60.0, help="do not repeat runs slower than this")
    ap.add_argument("--json", default=None, help="write the results here")
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    df, z = make_data(args.n, args.seed)
    print(f"data: {args.n:,} persons, 10 indicators, made in {time.perf_counter() - t0:.1f}s")
    y, w = df["y"].to_numpy(), df["w"].to_numpy()
    ypos_mask = y > 0
    ypos, wpos = y[ypos_mask], w[ypos_mask]
    ind = {name: df[name] for name in NAMES}

    ours_weighted: dict[str, Callable[[], float]] = {
        "fgt0": lambda: dm.fgt(y, z, 0, w),
        "fgt1": lambda: dm.fgt(y, z, 1, w),
        "fgt2": lambda: dm.fgt(y, z, 2, w),
        "gini": lambda: dm.gini(y, w),
        "theil_t": lambda: dm.theil_t(y, w),
        "theil_l": lambda: dm.theil_l(ypos, wpos),  # Theil L is undefined at zero
        "mpi": lambda: dm.mpi(ind, k=Fraction(1, 3), weights=w, dimensions=INDICATORS).M0,
    }
    ours_unweighted: dict[str, Callable[[], float]] = {
        "fgt0": lambda: dm.fgt(y, z, 0),
        "fgt1": lambda: dm.fgt(y, z, 1),
        "fgt2": lambda: dm.fgt(y, z, 2),
        "gini": lambda: dm.gini(y),
        "theil_t": lambda: dm.theil_t(y),
        "theil_l": lambda: dm.theil_l(ypos),
    }

    results: dict = {
        "n": args.n,
        "repeat": args.repeat,
        "seed": args.seed,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "versions": {
            d: version(d)
            for d in (
                "dixian",
                "IneqPy",
                "inequalipy",
                "apode",
                "mpitb",
                "povertyInequalityMeasures",
                "numba",
            )
        },
        "dixian": {},
        "dixian_unweighted": {},
        "naive": {},
        "peers": {},
    }

    # For each statistic, every contender is timed once per round, round after round, so
    # that the load of a shared machine drifts over all of them alike.
    contenders: dict[str, list[tuple[str, Callable[[], float], bool]]] = {}
    for name, fn in ours_weighted.items():
        contenders.setdefault(name, []).append(("dixian", fn, True))
    for name, fn in ours_unweighted.items():
        contenders.setdefault(name, []).append(("dixian_unweighted", fn, False))
    for name, fn in naive_suite(df, z).items():
        contenders.setdefault(name, []).append(("naive", fn, True))
    if not args.no_peers:
        for peer, stats in peer_suites(df, z).items():
            results["peers"][peer] = {}
            for name, (fn, weighted) in stats.items():
                contenders.setdefault(name, []).append((peer, fn, weighted))

    for name, entries in contenders.items():
        times: dict[str, list[float]] = {who: [] for who, _, _ in entries}
        values: dict[str, object] = {}
        failed: dict[str, str] = {}
        for _ in range(args.repeat):
            for who, fn, _weighted in entries:
                if who in failed or (times[who] and times[who][-1] > args.slow):
                    continue
                gc.collect()
                t0 = time.perf_counter()
                try:
                    values[who] = fn()
                except Exception as exc:  # a peer failing is a result, not a crash
                    failed[who] = f"{type(exc).__name__}: {exc}"
                    continue
                times[who].append(time.perf_counter() - t0)
        med = {who: statistics.median(ts) for who, ts in times.items() if ts}
        ours = results["dixian"][name] = {"seconds": med["dixian"], "value": values["dixian"]}
        print(f"dixian            {name:8s} {ours['seconds']:8.3f}s  {ours['value']:.6f}")
        if "dixian_unweighted" in med:
            results["dixian_unweighted"][name] = {
                "seconds": med["dixian_unweighted"],
                "value": values["dixian_unweighted"],
            }
        for who, _fn, weighted in entries:
            if who in ("dixian", "dixian_unweighted"):
                continue
            target = results["naive"] if who == "naive" else results["peers"][who]
            if who in failed:
                target[name] = {"error": failed[who]}
                print(f"{who:17s} {name:8s} failed: {failed[who]}")
                continue
            ref = results["dixian" if weighted else "dixian_unweighted"][name]
            v = values[who]
            diff = abs(v - ref["value"]) if isinstance(v, float) else math.nan
            target[name] = {
                "seconds": med[who],
                "value": v,
                "weighted": weighted,
                "ratio": med[who] / ref["seconds"],
                "abs_diff_vs_dixian": diff,
                "runs": len(times[who]),
            }
            tag = "" if weighted else " (unweighted; vs Dixian unweighted)"
            print(
                f"{who:17s} {name:8s} {med[who]:8.3f}s  {v:.6f}  "
                f"x{med[who] / ref['seconds']:.1f}  |diff| {diff:.1e}{tag}"
            )
    total = sum(r["seconds"] for r in results["dixian"].values())
    results["dixian_total"] = total
    print(f"dixian total {total:.3f}s for FGT(0,1,2), Gini, Theil T/L and the MPI (budget: 10 s)")

    print()
    print(markdown_table(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(results, fh, indent=2, default=str)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
