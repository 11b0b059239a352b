"""A plain per-household Python-loop generator: the benchmark baseline.

It does the same kinds of work as :func:`dixian.engine.synth.generate` in the most direct way
(one household at a time, one member at a time, one month at a time, with ``random``): draw a
household, its members with names and valid resident IDs, a monthly income panel with a few
shocks, and write the same three registry tables to Parquet. It is simpler than the real
generator (no calibration pass, no monitoring history, no planted errors), so the measured
ratio understates the gain. Used only by ``bench/synth/run.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .. import divisions, identity
from .names import GIVEN, NATIONAL


def generate_loop(scope_code: str, households: int, *, seed: int = 0, months: int = 36,
                  end_month: str = "2025-12", out_dir: str | Path) -> dict:
    rnd = random.Random(seed)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    villages = [c for c in divisions.load(scope_code, levels=(5,))["code"].to_pylist()
                if int(c[9:]) >= 200]
    end = dt.date.fromisoformat(end_month + "-01")
    periods = []
    y, m = end.year, end.month
    for _ in range(months):
        periods.append(f"{y:04d}-{m:02d}")
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    periods.reverse()
    serial: dict[str, int] = {}
    used_ids: set[str] = set()
    hh_rows, mem_rows, inc_rows = [], [], []
    for _ in range(households):
        village = rnd.choice(villages)
        serial[village] = serial.get(village, 0) + 1
        code = f"{village}{serial[village]:04d}"
        size = rnd.choices(range(1, 10), weights=[14, 19, 19, 21, 14, 8, 3, 1.5, 0.5])[0]
        head_age = min(max(rnd.gauss(47, 13), 23), 94)
        surname = rnd.choice(NATIONAL[:60])
        workers = 0
        for k in range(size):
            if k == 0:
                age, male, rel = head_age, rnd.random() < 0.88, "head"
            elif k == 1:
                age, male, rel = head_age - 2, False, "spouse"
            else:
                age = max(head_age - 25 - 2.5 * k + rnd.uniform(-3, 3), 0)
                male = rnd.random() < 0.52
                rel = "son" if male else "daughter"
            birth = end - dt.timedelta(days=int(age * 365.25) + rnd.randint(0, 364))
            seq = 0
            ident = identity.make_id(code[:6], birth, seq, "M" if male else "F")
            while ident in used_ids:
                seq += 1
                ident = identity.make_id(code[:6], birth, seq, "M" if male else "F")
            used_ids.add(ident)
            era = 0 if birth.year < 1970 else 1 if birth.year < 1995 else 2
            pool = GIVEN[("M" if male else "F", era)]
            name = (surname if rel != "spouse" else rnd.choice(NATIONAL)) + rnd.choice(pool) \
                + rnd.choice(pool)
            works = 16 <= age < 60 and rnd.random() < 0.55
            workers += works
            mem_rows.append({
                "member_id": f"{code}-{k + 1:02d}", "household_code": code,
                "resident_id": ident, "name": name, "sex": "M" if male else "F",
                "birth_date": birth, "relation_to_head": rel,
                "labour_skill": "ordinary" if 16 <= age < 60 else "none",
                "work_status": "migrant_out_of_province" if works else "not_working",
                "migrant_monthly_income": int(rnd.gauss(4800, 900)) if works else None,
            })
        hh_rows.append({"household_code": code, "village_code": village,
                        "county_code": village[:6], "township_code": village[:9],
                        "household_type": "poverty_alleviated" if rnd.random() < 0.35
                        else "ordinary", "housing_grade": rnd.choice("AB"),
                        "cultivated_mu": round(rnd.lognormvariate(1.0, 0.5), 1)})
        wage_level = workers * rnd.gauss(2600, 500)
        farm = rnd.lognormvariate(8.5, 0.5)
        shock_month = rnd.randrange(months) if rnd.random() < 0.1 else -1
        for t, period in enumerate(periods):
            wage = wage_level * (0.4 if period.endswith(("-01", "-02")) else 1.0)
            oop = 0.0
            if shock_month >= 0 and shock_month <= t < shock_month + 3:
                wage *= 0.3
                oop = rnd.uniform(1000, 8000)
            inc_rows.append({
                "household_code": code, "period": period, "wage": int(wage),
                "business": int(farm / 12 * rnd.uniform(0.5, 1.5)), "property": 0,
                "transfer": int(rnd.uniform(100, 600)), "business_cost": int(farm / 30),
                "insurance_payout": 0, "compliant_oop_medical": int(oop)})
    for name, rows in (("households", hh_rows), ("members", mem_rows), ("incomes", inc_rows)):
        pq.write_table(pa.Table.from_pylist(rows), out / f"{name}.parquet", compression="zstd")
    return {"households": len(hh_rows), "members": len(mem_rows), "income_rows": len(inc_rows)}
