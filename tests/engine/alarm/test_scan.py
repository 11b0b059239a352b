"""The bottom-line alarm's scan: it fires on a planted cluster, stays silent on a null
province of the same size, and fires at its threshold and not one household below."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import poisson

from dixian.engine.alarm import Params, month_index, scan
from dixian.engine.policy import resolve

PARAMS = Params.from_policy(resolve(None, dt.date(2026, 1, 1), with_changes=False))
MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)]
SEASON = np.array([1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2], dtype=float)  # screening in Q4


def province(seed: int, counties: int = 4, townships: int = 5, villages: int = 8,
             households: int = 300, rate: float = 0.004):
    """Households and a Poisson null of entries and returns (5 % returns), seasonal."""
    rng = np.random.default_rng(seed)
    codes = [f"52{c + 1:02d}01{t + 1:03d}{v + 1:03d}"
             for c in range(counties) for t in range(townships) for v in range(villages)]
    hh_codes = [f"{v}{i:04d}" for v in codes for i in range(households)]
    hh = pa.table({"household_code": hh_codes,
                   "village_code": [v for v in codes for _ in range(households)]})
    rows = []
    for m in MONTHS:
        lam = rate * households * SEASON[int(m[5:]) - 1]
        n = rng.poisson(lam, size=len(codes))
        for v, k in zip(codes, n, strict=True):
            for i in rng.choice(households, size=k, replace=False):
                rows.append((f"{v}{i:04d}", v, dt.date(int(m[:4]), int(m[5:]), 10),
                             bool(rng.random() < 0.05)))
    return hh, rows


def table(rows):
    return pa.table({"household_code": [r[0] for r in rows], "village_code": [r[1] for r in rows],
                     "started_on": pa.array([r[2] for r in rows], pa.date32()),
                     "is_return": [r[3] for r in rows]})


def flood(village: str, month: str, n: int, is_return=False, first=9000):
    day = dt.date(int(month[:4]), int(month[5:]), 15)
    return [(f"{village}{first + i:04d}", village, day, is_return) for i in range(n)]


def test_the_null_province_raises_no_alarm():
    hh, rows = province(seed=3)
    alarms = [a for m in MONTHS[-12:] for a in scan(table(rows), hh, m, PARAMS)]
    assert alarms == []


def test_a_flood_in_one_village_and_a_closure_in_one_county_are_found_in_their_month():
    hh, rows = province(seed=3)
    village = "520101001001"
    planted = rows + flood(village, "2025-06", 14) + [
        (f"520301{t:03d}{v:03d}{9000 + i:04d}", f"520301{t:03d}{v:03d}", dt.date(2025, 9, 12),
         True)
        for t in range(1, 6) for v in range(1, 4) for i in range(2)]  # 30 returns
    spells = table(planted)
    assert scan(spells, hh, "2025-05", PARAMS) == []
    june = scan(spells, hh, "2025-06", PARAMS)
    assert [(a.area_code, a.kind, a.observed) for a in june] == [(village, "entry", 14 + sum(
        1 for r in rows if r[1] == village and r[2].strftime("%Y-%m") == "2025-06"
        and not r[3]))]
    assert {f"{village}{9000 + i:04d}" for i in range(14)} <= set(june[0].households)
    sept = scan(spells, hh, "2025-09", PARAMS)
    assert [(a.area_code, a.kind) for a in sept if a.kind == "return"] == [("520301", "return")]
    assert june[0].p_value <= june[0].threshold


def _threshold_count(expected: float, alpha: float) -> int:
    """The least count whose Poisson tail is at most alpha."""
    k = 0
    while poisson.sf(k - 1, expected) > alpha:
        k += 1
    return k


@pytest.mark.parametrize("extra", [0, -1])
def test_it_fires_at_the_threshold_and_not_one_below(extra):
    """Twenty villages with an even history of one entry a month each: the expected count of
    a village is exactly one a month; the alarm needs the count the Bonferroni threshold
    sets, and one household fewer is silent."""
    villages = [f"5201010010{v:02d}" for v in range(1, 21)]
    hh = pa.table({"household_code": [f"{v}{i:04d}" for v in villages for i in range(100)],
                   "village_code": [v for v in villages for _ in range(100)]})
    rows = [(f"{v}{i:04d}", v, dt.date(int(m[:4]), int(m[5:]), 5), False)
            for v in villages for i, m in enumerate(MONTHS[:-1])]
    # candidates of the county: 20 villages + 1 township + 1 county, 2 kinds, W windows
    cells = (len(villages) + 2) * 2 * PARAMS.window_months
    alpha = PARAMS.county_month_alpha / cells
    need = _threshold_count(1.0, alpha)
    assert need >= PARAMS.min_households
    target = villages[0]
    month = MONTHS[-1]
    rows += flood(target, month, need + extra)
    found = scan(table(rows), hh, month, PARAMS)
    if extra == 0:
        assert [(a.area_code, a.observed) for a in found] == [(target, need)]
        assert found[0].expected == pytest.approx(1.0)
        assert month_index(found[0].month) - month_index(found[0].first_month) == 0
    else:
        assert found == []
