"""Small ledgers built by hand (and one seeded random one) for the indicator tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

V1, V2, V3 = "522326101201", "522326101202", "522326102201"  # V3 in another township
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 13)]


def hh(code: str, household_type: str = "ordinary", **fields) -> dict:
    return {"household_code": code, "village_code": code[:12],
            "household_type": household_type, **fields}


def members(code: str, n: int, *, labour: str = "ordinary", dibao: str = "none",
            deceased: int = 0) -> list[dict]:
    rows = [{"household_code": code, "member_status": "active", "labour_skill": labour,
             "dibao": dibao, "tekun": "none", "relation_to_head": "head" if i == 0 else "son"}
            for i in range(n)]
    rows += [{"household_code": code, "member_status": "deceased", "labour_skill": "none",
              "dibao": "none", "tekun": "none"} for _ in range(deceased)]
    return rows


def incomes(code: str, monthly: int, months=MONTHS, *, skip: tuple[str, ...] = ()) -> list[dict]:
    return [{"household_code": code, "period": m, "wage": monthly, "business": 0,
             "property": 0, "transfer": 0, "business_cost": 0}
            for m in months if m not in skip]


def table(rows: list[dict]) -> pa.Table:
    """Rows with different keys (``from_pylist`` alone would keep the first row's)."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    return pa.table({k: [row.get(k) for row in rows] for k in keys})


def random_ledger(seed: int = 3, n: int = 240) -> dict[str, pa.Table]:
    """A seeded county of ``n`` households in 4 villages of 2 townships with every ledger
    table filled, for consistency checks (lists against counts, levels against sums)."""
    rng = np.random.default_rng(seed)
    villages = ["522326101201", "522326101202", "522326102201", "522326102202"]
    h, m, inc, sp, cases, clues, ms, qi, visits = [], [], [], [], [], [], [], [], []
    case_id = measure_id = 0
    for i in range(n):
        village = villages[i % 4]
        code = f"{village}{i:04d}"
        pa_household = rng.random() < 0.35
        h.append(hh(code, "poverty_alleviated" if pa_household else "ordinary",
                    relocated=bool(rng.random() < 0.1),
                    housing_grade=str(rng.choice(["A", "B", "C"]))))
        size = int(rng.integers(1, 6))
        labour = str(rng.choice(["ordinary", "none", "weak", "lost"]))
        m += members(code, size, labour=labour,
                     dibao="rural" if rng.random() < 0.15 else "none",
                     deceased=int(rng.random() < 0.1))
        level = rng.lognormal(np.log(900), 0.5)
        skip = ("2025-03",) if rng.random() < 0.05 else ()
        for month in MONTHS:
            if month in skip:
                continue
            inc.append({"household_code": code, "period": month,
                        "wage": int(level * rng.uniform(0.6, 1.4)),
                        "business": int(rng.integers(0, 200)), "property": 0,
                        "transfer": int(rng.integers(0, 100)),
                        "business_cost": int(rng.integers(0, 150))})
        if rng.random() < 0.3:
            start = dt.date(2024, 1, 1) + dt.timedelta(days=int(rng.integers(0, 680)))
            ended = None
            if rng.random() < 0.5:
                ended = start + dt.timedelta(days=int(rng.integers(30, 300)))
                if ended > dt.date(2025, 12, 31):
                    ended = None
            case_id += 1
            opened = dt.datetime.combine(start - dt.timedelta(days=int(rng.integers(3, 30))),
                                         dt.time(9))
            decided = dt.datetime.combine(start, dt.time(15))
            cases.append({"case_id": case_id, "household_code": code, "village_code": village,
                          "kind": "identification", "state": "monitored", "opened_at": opened,
                          "deadline": opened + dt.timedelta(days=15), "decided_at": decided,
                          "closed_at": decided, "category": "SUDDEN", "imported": False})
            clues.append({"case_id": case_id, "channel": "cadre_visit", "risk_type": "ILLNESS",
                          "received_at": opened})
            sp.append({"household_code": code, "village_code": village,
                       "category": str(rng.choice(["UNSTABLE", "MARGINAL", "SUDDEN"])),
                       "risk_types": [str(rng.choice(["ILLNESS", "DISASTER", "EDUCATION"]))],
                       "started_on": start, "ended_on": ended,
                       "elimination_mode": (str(rng.choice(["ASSISTED", "NATURAL"]))
                                            if ended else None),
                       "is_return": bool(rng.random() < 0.1), "identification_case_id": case_id,
                       "imported": False})
            for _ in range(int(rng.integers(0, 3))):
                measure_id += 1
                planned = start + dt.timedelta(days=int(rng.integers(0, 60)))
                status = str(rng.choice(["planned", "in_progress", "implemented"]))
                ms.append({"measure_id": measure_id, "household_code": code,
                           "village_code": village,
                           "category": str(rng.choice(["INDUSTRY", "EMPLOYMENT", "HEALTH"])),
                           "instrument": "", "status": status, "planned_on": planned,
                           "due_on": planned + dt.timedelta(days=30),
                           "started_on": planned if status != "planned" else None,
                           "implemented_on": (planned + dt.timedelta(days=20)
                                              if status == "implemented" else None)})
            if rng.random() < 0.7:
                visits.append({"household_code": code, "village_code": village,
                               "month": "2025-12", "visited_on": dt.date(2025, 12, 5)})
        elif pa_household and rng.random() < 0.3:
            measure_id += 1
            planned = dt.date(2025, int(rng.integers(1, 13)), 1)
            ms.append({"measure_id": measure_id, "household_code": code,
                       "village_code": village, "category": "INDUSTRY", "instrument": "",
                       "status": "implemented", "planned_on": planned,
                       "due_on": planned + dt.timedelta(days=30), "started_on": planned,
                       "implemented_on": planned})
        if rng.random() < 0.2:
            opened = dt.datetime(2025, int(rng.integers(1, 13)), 2, 8)
            qi.append({"village_code": village, "household_code": code, "rule_id": "R",
                       "severity": "error", "status": "open", "opened_at": opened})
    # an open case past its deadline
    case_id += 1
    cases.append({"case_id": case_id, "household_code": h[0]["household_code"],
                  "village_code": villages[0], "kind": "identification", "state": "visit",
                  "opened_at": dt.datetime(2025, 11, 1, 9),
                  "deadline": dt.datetime(2025, 11, 16, 9), "imported": False})
    return {"households": table(h), "members": table(m), "incomes": table(inc),
            "spells": table(sp), "cases": table(cases), "clues": table(clues),
            "measures": table(ms), "quality_issues": table(qi), "visits": table(visits)}
