"""The bottom-line alarm on the synthetic province with planted shocks (docs/bottom-line-alarm.md).

Run: ``nice -n 10 .venv/bin/python bench/alarm/evaluate.py`` (the province of the quality and
indicator benchmarks, ``$DIXIAN_BENCH_QUALITY/p52``, generated when missing, about 5
minutes; then about a minute a shock size).

* the ledger: ``synthetic_ledger(as_of="2025-12", seed=7)`` (its spells are the province's
  monitored households: entries with the concentrated screening of every fourth quarter, 3 %
  of them returns) — the null province;
* planted: a flood in one township (new entries with risk DISASTER, 60 % in the flood's month
  and 40 % in the next) and a factory closing in one county (returns with risk
  UNSTABLE_EMPLOYMENT, spread evenly over three months), each at several sizes;
* the alarm runs month by month over 2025 with the national parameters (alarm.toml);
  reported: the delay from a shock's first month to the first alarm of its kind on its area
  (the area itself, a part of it or the county holding it), and the alarms elsewhere per
  area-year, by level.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from bench.indicators.data import PROVINCE, ensure_province  # noqa: E402
from dixian.engine.alarm import KINDS, Params, month_index, scan  # noqa: E402
from dixian.engine.indicators.synthetic import synthetic_ledger  # noqa: E402
from dixian.engine.policy import resolve  # noqa: E402

MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
FLOOD_MONTH, CLOSURE_MONTH = "2025-06", "2025-09"
#: shares of the area's households hit (a flood: entries in all; a closure: returns a month)
FLOOD_SHARES = (0.005, 0.01, 0.02)
CLOSURE_SHARES = (0.0002, 0.0005, 0.001)
REPS = 5  # draws of the shocked township and county a size


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def plant(rng, codes: np.ndarray, villages: np.ndarray, area: str, month: str, share: float,
          spread: tuple[float, ...], is_return: bool, risk: str) -> pa.Table:
    """Spells of a shock: ``share`` of the area's households, over ``len(spread)`` months."""
    inside = np.flatnonzero(np.char.startswith(villages.astype(str), area))
    n = max(1, round(share * inside.size * (len(spread) if is_return else 1)))
    pick = rng.choice(inside, size=n, replace=False)
    months = rng.choice(len(spread), size=n, p=np.array(spread) / sum(spread))
    m0 = month_index(month)
    starts = [dt.date((m0 + k) // 12, (m0 + k) % 12 + 1, int(rng.integers(1, 28)))
              for k in months]
    return pa.table({"household_code": codes[pick].tolist(),
                     "village_code": villages[pick].tolist(),
                     "started_on": pa.array(starts, pa.date32()),
                     "is_return": [is_return] * n, "risk": [risk] * n})


def run(spells: pa.Table, population: pa.Table, params: Params) -> dict[str, list]:
    return {m: scan(spells, population, m, params) for m in MONTHS}


def delay(alarms: dict[str, list], area: str, kind: str, month: str) -> int | None:
    for m in MONTHS:
        if month_index(m) < month_index(month):
            continue
        if any(a.kind == kind and (a.area_code.startswith(area) or area.startswith(a.area_code))
               for a in alarms[m]):
            return month_index(m) - month_index(month)
    return None


def false_alarms(alarms: dict[str, list], shocked: list[str]) -> dict[str, int]:
    out = {"county": 0, "township": 0, "village": 0}
    for found in alarms.values():
        for a in found:
            if not any(a.area_code.startswith(s) or s.startswith(a.area_code) for s in shocked):
                out[a.level] += 1
    return out


def main() -> None:
    t0 = time.perf_counter()
    ensure_province()
    hh = pq.read_table(PROVINCE / "households.parquet")
    spells = synthetic_ledger(hh, as_of="2025-12", seed=7)["spells"].select(
        ["household_code", "village_code", "started_on", "is_return"])
    codes = np.asarray(hh["household_code"].to_pylist(), dtype=object)
    villages = np.asarray(hh["village_code"].to_pylist(), dtype=object)
    v, n = np.unique(villages.astype(str), return_counts=True)
    population = pa.table({"village_code": v, "households": n})
    areas = {L: np.unique([x[:L] for x in v]) for L in (6, 9, 12)}
    params = Params.from_policy(resolve("52", dt.date(2025, 12, 1)))
    log(f"province: {hh.num_rows:,} households, {v.size:,} villages, {spells.num_rows:,} spells"
        f" ({time.perf_counter() - t0:.0f} s); {params}")
    rng = np.random.default_rng(2025)
    t_codes, t_size = np.unique([x[:9] for x in villages.astype(str)], return_counts=True)
    typical = t_codes[(t_size >= np.quantile(t_size, 0.25)) & (t_size <= np.quantile(t_size, 0.75))]
    base = spells.append_column("risk", pa.array([None] * spells.num_rows, pa.string()))

    # the Poisson null: the same spells, each moved to a household drawn uniformly from the
    # province (its month and kind kept): no place has more than its size's share
    pick = rng.integers(0, codes.size, spells.num_rows)
    poisson_null = pa.table({"household_code": codes[pick].tolist(),
                             "village_code": villages[pick].tolist(),
                             "started_on": spells["started_on"], "is_return": spells["is_return"]})
    years = len(MONTHS) / 12
    print(f"# {hh.num_rows:,} households, {v.size:,} villages, {areas[9].size:,} townships, "
          f"{areas[6].size} counties; months {MONTHS[0]}..{MONTHS[-1]}; {params}")
    for title, table in (("The Poisson null province (the same spells placed at random)",
                          poisson_null),
                         ("The synthetic province as generated (no planted shock)", spells)):
        t = time.perf_counter()
        null = run(table, population, params)
        log(f"{title}: {time.perf_counter() - t:.0f} s")
        fa_null = false_alarms(null, [])
        print(f"\n## {title}\n")
        print("| level | areas | alarms | per area-year | per county-year |")
        print("|---|---:|---:|---:|---:|")
        for name, L in (("county", 6), ("township", 9), ("village", 12)):
            k = fa_null[name]
            print(f"| {name} | {areas[L].size:,} | {k} | {k / (areas[L].size * years):.5f} | "
                  f"{k / (areas[6].size * years):.3f} |")
        total = sum(fa_null.values())
        print(f"| all | | {total} | | {total / (areas[6].size * years):.3f} |")
        by_kind = {k: sum(a.kind == k for f in null.values() for a in f) for k in KINDS}
        by_month = {m: len(f) for m, f in null.items() if f}
        print(f"\nby kind: {by_kind}; by month: {by_month}; stated: at most "
              f"{1 / params.recurrence_years:.2f} a county-year")
    print(f"\n## Planted shocks: a flood in a township ({FLOOD_MONTH}), a factory closing in "
          f"another county ({CLOSURE_MONTH}); {REPS} draws of the two places a size\n")
    print("| flood: share of the township | households (median) | found | delay, months "
          "| closure: returns a month, share of the county | returns (median) | found "
          "| delay, months |")
    print("|---:|---:|---:|---|---:|---:|---:|---|")
    watched = [m for m in MONTHS if month_index(m) >= month_index(FLOOD_MONTH)]
    for fs, cs in zip(FLOOD_SHARES, CLOSURE_SHARES, strict=True):
        t = time.perf_counter()
        rows = []
        for _rep in range(REPS):
            township = str(rng.choice(typical))
            county = str(rng.choice([c for c in areas[6] if not township.startswith(c)]))
            flood = plant(rng, codes, villages, township, FLOOD_MONTH, fs, (0.6, 0.4), False,
                          "DISASTER")
            closure = plant(rng, codes, villages, county, CLOSURE_MONTH, cs, (1, 1, 1), True,
                            "UNSTABLE_EMPLOYMENT")
            shocked = pa.concat_tables([base, flood, closure]).select(
                ["household_code", "village_code", "started_on", "is_return"])
            found = {m: scan(shocked, population, m, params) for m in watched}
            rows.append((flood.num_rows, delay(found, township, "entry", FLOOD_MONTH),
                         closure.num_rows, delay(found, county, "return", CLOSURE_MONTH)))

        def show(ds):
            return ", ".join("missed" if d is None else str(d) for d in ds)

        nf = [r[0] for r in rows]
        nc = [r[2] for r in rows]
        df = [r[1] for r in rows]
        dc = [r[3] for r in rows]
        print(f"| {fs:.1%} | {int(np.median(nf))} | {sum(d is not None for d in df)}/{REPS} | "
              f"{show(df)} | {cs:.2%} | {int(np.median(nc))} | "
              f"{sum(d is not None for d in dc)}/{REPS} | {show(dc)} |")
        log(f"shock size {fs}/{cs}: {time.perf_counter() - t:.0f} s")
    log(f"total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
