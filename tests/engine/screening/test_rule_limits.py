"""Every screening rule at its limit: it fires at the threshold, not one step short of it.

The limits are written here from the sources (domain.md §5.2, §9.1, §11.1, R2, R7 and the
rule sentences in docs/screening-rules.md), never read from ``screening.params``:

- MEDICAL [VL S19]: 12-month compliant out-of-pocket > 0.5 x the prior year's provincial
  rural income for a 脱贫 or monitored person, > 1.0 x for others; 2024 rural income 23,119
  (§9.1) for the 2025 period.  Absolute lines [VL S20]: 10,000 low income, 26,000 general.
  One inpatient stay [S S22]: 6,000 monitored, 10,000 others.
- DISABILITY [VL S23]: grades 1 and 2 are severe.  HOUSING [VL S29]: grades C and D.
- WATER [VL S16]: supply cut for more than 30 days, or a failed quality test.
- EMERGENCY [VL S94; I]: severe or collapsed house, or a direct loss above 5,000 yuan.
- HR [I]: back home without work for 3 months.  PUBLIC SECURITY [VL S24]: a traffic or
  criminal injury that is serious, disabling or fatal; a death.
- R2 [V S2; VL S15]: 12-month per-capita net income below the line (8,700 in 2025,
  [VL S9]); SUDDEN: at or above the line, below it after the rigid spending.
"""

from __future__ import annotations

import datetime as dt

import pytest

from dixian.engine.scope import RegionScope
from dixian.engine.screening import RULES, run
from tests.engine.screening.test_rules import (
    H_MON,
    H_ORD,
    H_PA,
    PERIOD,
    SCOPE,
    V2,
    V,
    claim,
    feed,
    hh,
    ids,
    incomes,
    mem,
    snap,
)

PRIOR_YEAR_RURAL_INCOME = 23119  # 2024, §9.1 (the 2025 period uses the prior year's)
LINE_2025 = 8700
H5, H6 = V + "0005", V + "0006"


def households(*codes, htype="ordinary"):
    return snap([hh(c, htype=htype) for c in codes], [mem(c) for c in codes])


def _run(s, department, rows, rule):
    return run(s, {department: feed(department, rows)}, SCOPE, period=PERIOD, rules=[rule])


def test_every_rule_has_a_limit_test_here_or_in_test_rules():
    import inspect
    import sys

    from tests.engine.screening import test_rules

    text = inspect.getsource(sys.modules[__name__]) + inspect.getsource(test_rules)
    untested = [r.id for r in RULES if f'"{r.id}"' not in text]
    assert untested == []


# ------------------------------------------------------------------------------ medical
def test_medical_relative_line_is_strictly_above_half_and_whole_rural_income():
    half = PRIOR_YEAR_RURAL_INCOME / 2  # 11,559.5
    s = snap([hh(H_PA, htype="poverty_alleviated"), hh(H_MON, category="MARGINAL",
                                                       risks=["DISASTER"]),
              hh(H5), hh(H6), hh(H_ORD, htype="poverty_alleviated")],
             [mem(c) for c in (H_PA, H_MON, H5, H6, H_ORD)])
    rows = [claim(H_PA, int(half) + 1), claim(H_MON, int(half) + 1),   # 11,560 > 11,559.5
            claim(H_ORD, int(half)),                                   # 11,559: not above
            claim(H5, PRIOR_YEAR_RURAL_INCOME + 1), claim(H6, PRIOR_YEAR_RURAL_INCOME)]
    a = _run(s, "medical", rows, "R7-MED-01")
    assert ids(a, "R7-MED-01") == sorted([H_PA, H_MON, H5])


def test_medical_window_is_the_twelve_months_up_to_the_period():
    s = households(H_ORD, H5)
    rows = [claim(H_ORD, PRIOR_YEAR_RURAL_INCOME - 100, "2025-06-20"),
            claim(H_ORD, 101, "2024-07-01"),                  # first day of the window
            claim(H5, PRIOR_YEAR_RURAL_INCOME - 100, "2025-06-20"),
            claim(H5, 101, "2024-06-30")]                     # the day before it
    assert ids(_run(s, "medical", rows, "R7-MED-01"), "R7-MED-01") == [H_ORD]


def test_medical_absolute_lines():
    s = snap([hh(H_PA, htype="poverty_alleviated"), hh(H_ORD, htype="poverty_alleviated"),
              hh(H5), hh(H6)], [mem(c) for c in (H_PA, H_ORD, H5, H6)])
    rows = [claim(H_PA, 10001), claim(H_ORD, 10000), claim(H5, 26001), claim(H6, 26000)]
    a = _run(s, "medical", rows, "R7-MED-02")
    assert ids(a, "R7-MED-02") == sorted([H_PA, H5])


def test_single_inpatient_stay_lines():
    s = snap([hh(H_PA, htype="poverty_alleviated"), hh(H_ORD, htype="poverty_alleviated"),
              hh(H5), hh(H6), hh(H_MON)], [mem(c) for c in (H_PA, H_ORD, H5, H6, H_MON)])
    rows = [claim(H_PA, 6001, "2025-06-03"), claim(H_ORD, 6000, "2025-06-03"),
            claim(H5, 10001, "2025-06-03"), claim(H6, 10000, "2025-06-03"),
            claim(H_MON, 20000, "2025-06-03", visit="outpatient")]  # not a stay
    a = _run(s, "medical", rows, "R7-MED-03")
    assert ids(a, "R7-MED-03") == sorted([H_PA, H5])
    assert sorted(a["threshold"].to_pylist()) == [6000.0, 10000.0]


# ------------------------------------------------------------------ person-level events
def _person(code, **fields):
    return {"record_id": f"{code}-{len(fields)}-{sorted(fields.items())!s:.40}",
            "member_id": code + "-01", "household_code": code, **fields}


def test_civil_affairs_new_benefits_fire_and_ended_ones_do_not():
    codes = [V + f"{k:04d}" for k in range(1, 8)]
    s = households(*codes)
    day = dt.date(2025, 6, 2)
    rows = [_person(codes[0], benefit="dibao", change="new", effective_date=day),
            _person(codes[1], benefit="tekun", change="granted", effective_date=day),
            _person(codes[2], benefit="temporary_assistance", change="new", effective_date=day),
            _person(codes[3], benefit="low_income_margin", change="new", effective_date=day),
            _person(codes[4], benefit="dibao", change="ended", effective_date=day),
            _person(codes[5], benefit="dibao", change="new", effective_date=day,
                    batch_month="2025-05")]  # received last month: already seen then
    assert ids(_run(s, "civil_affairs", rows, "R7-CIV-01"), "R7-CIV-01") == codes[:4]


def test_disability_grades_one_and_two_are_severe_three_is_not():
    codes = [V + f"{k:04d}" for k in range(1, 6)]
    s = households(*codes)
    day = dt.date(2025, 6, 1)
    rows = [_person(codes[0], cert_no="a", disability_type="physical", grade=1, change="new",
                    issue_date=day),
            _person(codes[1], cert_no="b", disability_type="visual", grade=2, change="regrade",
                    issue_date=day),
            _person(codes[2], cert_no="c", disability_type="physical", grade=3, change="new",
                    issue_date=day),
            _person(codes[3], cert_no="d", disability_type="physical", grade=4,
                    change="regrade", issue_date=day)]
    a = _run(s, "disability", rows, "R7-DIS-01")
    assert ids(a, "R7-DIS-01") == codes[:2]
    assert sorted(a["value"].to_pylist()) == [1.0, 2.0]


def test_a_suspected_dropout_fires_and_other_school_records_do_not():
    codes = [V + f"{k:04d}" for k in range(1, 5)]
    s = households(*codes)
    day = dt.date(2025, 6, 5)
    rows = [_person(codes[0], event="suspected_dropout", stage="junior", event_date=day),
            _person(codes[1], event="enrolled", stage="junior", event_date=day),
            _person(codes[2], event="returned", stage="primary", event_date=day),
            _person(codes[3], event="suspected_dropout", stage="primary", event_date=day,
                    batch_month="2025-04")]  # received two months ago
    a = _run(s, "education", rows, "R7-EDU-01")
    assert ids(a, "R7-EDU-01") == [codes[0]]
    row = a.to_pylist()[0]
    assert row["risk_type"] == "DROPOUT" and row["department"] == "education"
    assert "疑似辍学" in row["sentence_zh"]


def test_housing_graded_c_or_d_fires_a_or_b_does_not():
    codes = [V + f"{k:04d}" for k in range(1, 5)]
    s = households(*codes)
    day = dt.date(2025, 6, 5)
    rows = [_person(code, village_code=V, appraisal_date=day, grade=grade)
            for code, grade in zip(codes, "ABCD", strict=True)]
    a = _run(s, "housing", rows, "R7-HOU-01")
    assert ids(a, "R7-HOU-01") == codes[2:]
    assert set(a["risk_type"].to_pylist()) == {"HOUSING_SAFETY"}


def test_emergency_severe_damage_or_a_loss_above_five_thousand():
    codes = [V + f"{k:04d}" for k in range(1, 7)]
    s = households(*codes)
    day = dt.date(2025, 6, 8)

    def rec(code, damage, loss):
        return _person(code, disaster_id="D1", disaster_type="flood", declared_date=day,
                       village_code=V, house_damage=damage, loss_yuan=loss)

    rows = [rec(codes[0], "severe", 0), rec(codes[1], "collapsed", 0),
            rec(codes[2], "minor", 5001), rec(codes[3], "minor", 5000),
            rec(codes[4], "none", 5000), rec(codes[5], "none", 0)]
    a = _run(s, "emergency", rows, "R7-EMG-01")
    assert ids(a, "R7-EMG-01") == codes[:3]
    assert set(a["risk_type"].to_pylist()) == {"DISASTER"}


def test_public_security_serious_injuries_and_deaths():
    codes = [V + f"{k:04d}" for k in range(1, 8)]
    s = households(*codes)
    day = dt.date(2025, 6, 9)
    rows = [_person(codes[0], event="traffic_injury", severity="serious", event_date=day),
            _person(codes[1], event="criminal_injury", severity="disabled", event_date=day),
            _person(codes[2], event="traffic_injury", severity="death", event_date=day),
            _person(codes[3], event="traffic_injury", severity="minor", event_date=day),
            _person(codes[4], event="move_out", event_date=day),
            _person(codes[5], event="death", event_date=day)]
    injuries = _run(s, "public_security", rows, "R7-PS-01")
    assert ids(injuries, "R7-PS-01") == codes[:3]
    assert set(injuries["risk_type"].to_pylist()) == {"ACCIDENT"}
    deaths = _run(s, "public_security", rows, "R7-PS-02")
    assert ids(deaths, "R7-PS-02") == [codes[5]]
    assert deaths["risk_type"].to_pylist() == ["LACK_OF_LABOUR"]


# ------------------------------------------------------------------- village-level water
def test_water_outage_above_thirty_days_and_failed_tests():
    s = snap([hh(H_ORD), hh(V2 + "0001", village=V2), hh("522326100203" + "0001",
                                                        village="522326100203")],
             [mem(H_ORD), mem(V2 + "0001"), mem("5223261002030001")])
    day = dt.date(2025, 6, 1)
    rows = [{"record_id": "1", "village_code": V, "event": "outage", "outage_days": 31,
             "start_date": day},
            {"record_id": "2", "village_code": V2, "event": "outage", "outage_days": 30,
             "start_date": day},
            {"record_id": "3", "village_code": V2, "event": "quality_failed",
             "start_date": day, "indicator": "E. coli"}]
    outage = _run(s, "water", rows, "R7-WAT-01")
    assert ids(outage, "R7-WAT-01") == [H_ORD]
    assert outage["value"].to_pylist() == [31.0] and outage["threshold"].to_pylist() == [30.0]
    quality = _run(s, "water", rows, "R7-WAT-02")
    assert ids(quality, "R7-WAT-02") == [V2 + "0001"]
    assert set(quality["risk_type"].to_pylist()) == {"DRINKING_WATER"}


# ---------------------------------------------------------------------------- R2 income
@pytest.mark.parametrize("shortfall,fires", [(0, False), (1, True)])
def test_r2_fires_below_the_line_not_at_it(shortfall, fires):
    # one member, 12 x 725 = 8,700: exactly the line; one yuan less in a month: below it
    s = snap([hh(H_PA, htype="poverty_alleviated"), hh(H_ORD)], [mem(H_PA), mem(H_ORD)],
             incomes(H_PA, LINE_2025 // 12) + incomes(H_ORD, LINE_2025 // 12))
    s_rows = s["incomes"].to_pylist()
    for row in s_rows:
        if row["period"] == "2025-05":
            row["wage"] -= shortfall
    import pyarrow as pa

    from dixian.engine import schema

    s["incomes"] = schema.conform(pa.Table.from_pylist(s_rows), "incomes")
    a = run(s, {}, SCOPE, period=PERIOD, rules=["R2-INC-01", "R2-INC-02"])
    assert ids(a, "R2-INC-01") == ([H_PA] if fires else [])
    assert ids(a, "R2-INC-02") == ([H_ORD] if fires else [])


def test_r2_needs_six_recorded_months():
    s = snap([hh(H_ORD), hh(H5)], [mem(H_ORD), mem(H5)],
             incomes(H_ORD, 10, months=6) + incomes(H5, 10, months=5))
    a = run(s, {}, SCOPE, period=PERIOD, rules=["R2-INC-02"])
    assert ids(a, "R2-INC-02") == [H_ORD]


@pytest.mark.parametrize("oop,fires", [(3300, False), (3301, True)])
def test_r2_sudden_fires_below_the_line_after_rigid_spending_not_at_it(oop, fires):
    # 12 x 1,000 = 12,000 per person; 12,000 - 3,300 = 8,700: at the line; 3,301: below
    s = snap([hh(H_ORD)], [mem(H_ORD)], incomes(H_ORD, 1000))
    med = feed("medical", [claim(H_ORD, oop, "2025-03-01")])
    a = run(s, {"medical": med}, SCOPE, period=PERIOD, rules=["R2-SUD-01"])
    assert ids(a, "R2-SUD-01") == ([H_ORD] if fires else [])


def test_r2_sudden_is_not_for_a_household_already_below_the_line():
    s = snap([hh(H_ORD)], [mem(H_ORD)], incomes(H_ORD, 700))  # 8,400 < 8,700
    med = feed("medical", [claim(H_ORD, 4000, "2025-03-01")])
    a = run(s, {"medical": med}, SCOPE, period=PERIOD, rules=["R2-SUD-01", "R2-INC-02"])
    assert ids(a, "R2-SUD-01") == [] and ids(a, "R2-INC-02") == [H_ORD]


def test_back_home_without_work_reads_what_was_received_by_the_period():
    """The HR rule sees records received up to this period, dated before its end; a later
    push or a later date does not count yet."""
    h1, h2, h3, h4, h5, h6 = (V + f"{k:04d}" for k in range(1, 7))
    s = households(h1, h2, h3, h4, h5, h6)

    def rec(code, ev, date, batch, household=True):
        return {"record_id": f"{code}{ev}{date}", "event": ev,
                "event_date": dt.date.fromisoformat(date), "batch_month": batch,
                "member_id": code + "-01", "household_code": code if household else None}

    rows = [rec(h1, "returned_without_work", "2025-03-10", PERIOD),  # received this month
            rec(h2, "returned_without_work", "2025-03-10", "2025-03"),
            rec(h2, "re_employed", "2025-06-20", "2025-07"),          # pushed next month
            rec(h3, "returned_without_work", "2025-03-10", "2025-03"),
            rec(h3, "re_employed", "2025-07-01", PERIOD),             # dated after the period
            rec(h4, "returned_without_work", "2025-03-10", "2025-03", household=False),
            # another person's new job (after h1's return) is not h1's
            rec(h5, "returned_without_work", "2025-02-10", "2025-02"),
            rec(h5, "re_employed", "2025-04-10", "2025-04"),
            # back with a job the same day: not without work
            rec(h6, "returned_without_work", "2025-03-10", "2025-03"),
            rec(h6, "employed", "2025-03-10", "2025-03")]
    a = _run(s, "hr_social_security", rows, "R7-HR-01")
    assert ids(a, "R7-HR-01") == [h1, h2, h3]
    assert None not in a["household_code"].to_pylist()
    # a national run does not filter by household code first: still no alert without one
    nation = run(s, {"hr_social_security": feed("hr_social_security", rows)},
                 RegionScope.nation(), period=PERIOD, rules=["R7-HR-01"])
    assert ids(nation, "R7-HR-01") == [h1, h2, h3]
    assert None not in nation["household_code"].to_pylist()
