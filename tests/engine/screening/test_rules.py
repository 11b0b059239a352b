"""Each screening rule on hand-built records: expected alerts follow from the rule's
definition in domain.md (R2, R7), never from a previous run."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from dixian.engine import schema
from dixian.engine.feeds.schemas import arrow_schema
from dixian.engine.scope import RegionScope, ScopeRequired
from dixian.engine.screening import ALERTS, households, run

V = "522326100201"
V2 = "522326100202"
SCOPE = RegionScope.of("522326")
PERIOD = "2025-06"


def hh(code, *, htype="ordinary", village=V, category=None, risks=None, eliminated=None):
    return {"household_code": code, "county_code": code[:6], "township_code": code[:9],
            "village_code": village, "household_type": htype, "monitoring_category": category,
            "risk_types": risks, "risk_eliminated": eliminated}


def mem(code, n=1, status="active"):
    return {"member_id": f"{code}-{n:02d}", "household_code": code, "member_status": status}


def incomes(code, monthly_net, months=12, oop=0):
    return [{"household_code": code, "period": f"{2024 + (6 + k) // 12}-{(6 + k) % 12 + 1:02d}",
             "wage": monthly_net, "business": 0, "property": 0, "transfer": 0,
             "business_cost": 0, "compliant_oop_medical": oop} for k in range(months)]


def snap(hhs, members, incs=()):
    return {"households": schema.conform(pa.Table.from_pylist(hhs), "households"),
            "members": schema.conform(pa.Table.from_pylist(members), "members"),
            "incomes": schema.conform(pa.Table.from_pylist(list(incs)) if incs else
                                      schema.INCOMES.empty_table(), "incomes")}


def feed(dept, rows):
    s = arrow_schema(dept)
    full = []
    for r in rows:
        r = dict(r)
        r.setdefault("batch_month", PERIOD)
        full.append(r)
    t = pa.Table.from_pylist(full)
    cols = {f.name: (t[f.name].cast(f.type) if f.name in t.column_names
                     else pa.nulls(t.num_rows, f.type)) for f in s}
    out = pa.table(cols, schema=s)
    for c in ("member_id", "household_code"):
        out = out.append_column(c, t[c] if c in t.column_names else pa.nulls(t.num_rows,
                                                                              pa.string()))
    return out


def claim(code, oop, date="2025-05-10", visit="inpatient", batch=None, n=1):
    return {"claim_id": f"{code}-{oop}-{date}", "visit_type": visit,
            "settle_date": dt.date.fromisoformat(date), "total_cost": oop * 3,
            "oop_compliant": oop, "member_id": f"{code}-{n:02d}", "household_code": code,
            "batch_month": batch or date[:7]}


H_PA, H_ORD, H_MON, H_MON2 = (V + "0001", V + "0002", V + "0003", V + "0004")


def ids(alerts, rule):
    return sorted({r["household_code"] for r in alerts.to_pylist() if r["rule_id"] == rule})


def test_unscoped_runs_are_refused():
    with pytest.raises(ScopeRequired):
        run(snap([hh(H_PA)], [mem(H_PA)]), {}, None, period=PERIOD)


def test_out_of_scope_households_are_not_seen():
    s = snap([hh(H_ORD)], [mem(H_ORD)], incomes(H_ORD, 100))
    assert run(s, {}, RegionScope.of("522327"), period=PERIOD).num_rows == 0
    assert run(s, {}, RegionScope.nothing(), period=PERIOD).num_rows == 0
    assert ids(run(s, {}, SCOPE, period=PERIOD), "R2-INC-02") == [H_ORD]


def test_medical_relative_line_depends_on_the_cohort_and_dedupes_monitored():
    # 0.5 x 23,119 (2024 national rural income) = 11,559.5 for 脱贫/monitored; 23,119 others
    s = snap([hh(H_PA, htype="poverty_alleviated"), hh(H_ORD),
              hh(H_MON, category="MARGINAL", risks=["ILLNESS"]),
              hh(H_MON2, category="MARGINAL", risks=["DISASTER"])],
             [mem(H_PA), mem(H_ORD), mem(H_MON), mem(H_MON2)])
    med = feed("medical", [claim(H_PA, 6000, "2024-08-01"), claim(H_PA, 5600, "2025-05-01"),
                           claim(H_ORD, 12000, "2025-05-01"),
                           claim(H_MON, 12000), claim(H_MON2, 12000),
                           claim(H_ORD, 20000, "2024-06-30")])  # before the 12-month window
    a = run(s, {"medical": med}, SCOPE, period=PERIOD, rules=["R7-MED-01"])
    assert ids(a, "R7-MED-01") == [H_PA, H_MON2]
    row = next(r for r in a.to_pylist() if r["household_code"] == H_PA)
    assert row["value"] == 11600 and row["threshold"] == 11559.5 and row["share"] == 0.5
    assert row["sentence_zh"] == ("在过去12个月合规自付医疗费用 11,600 元，超过上年全省农村居民"
                                  "人均可支配收入的50%（11,560 元）")
    assert "11,600 yuan" in row["sentence_en"] and row["risk_type"] == "ILLNESS"
    assert row["member_id"] == H_PA + "-01" and row["rule_version"] == 1


def test_province_parameters_can_be_overridden_per_run():
    s = snap([hh(H_ORD)], [mem(H_ORD)])
    med = feed("medical", [claim(H_ORD, 12000)])
    a = run(s, {"medical": med}, SCOPE, period=PERIOD, rules=["R7-MED-01"],
            params={"medical_share_other": 0.5})
    assert ids(a, "R7-MED-01") == [H_ORD]


def test_single_stay_and_absolute_lines():
    s = snap([hh(H_PA, htype="poverty_alleviated"), hh(H_ORD)], [mem(H_PA), mem(H_ORD)])
    med = feed("medical", [claim(H_PA, 6001, "2025-06-03"), claim(H_ORD, 9999, "2025-06-03"),
                           claim(H_ORD, 9000, "2025-06-04", visit="outpatient")])
    a = run(s, {"medical": med}, SCOPE, period=PERIOD, rules=["R7-MED-03", "R7-MED-02"])
    assert ids(a, "R7-MED-03") == [H_PA]          # 6,000 monitored / 10,000 others
    assert ids(a, "R7-MED-02") == []              # 10,000 low income / 26,000 general


def test_event_rules_read_records_received_this_period():
    s = snap([hh(H_ORD), hh(H_PA)], [mem(H_ORD), mem(H_PA)])
    civ = feed("civil_affairs", [
        {"record_id": "1", "benefit": "dibao", "change": "new",
         "effective_date": dt.date(2025, 4, 20), "batch_month": "2025-06",  # late, received now
         "member_id": H_ORD + "-01", "household_code": H_ORD},
        {"record_id": "2", "benefit": "dibao", "change": "ended",
         "effective_date": dt.date(2025, 6, 2), "member_id": H_PA + "-01", "household_code": H_PA},
        {"record_id": "3", "benefit": "tekun", "change": "new",
         "effective_date": dt.date(2025, 5, 2), "batch_month": "2025-05",
         "member_id": H_PA + "-01", "household_code": H_PA}])
    a = run(s, {"civil_affairs": civ}, SCOPE, period=PERIOD, rules=["R7-CIV-01"])
    assert ids(a, "R7-CIV-01") == [H_ORD]
    assert "最低生活保障" in a["sentence_zh"][0].as_py()


def test_severe_disability_only():
    s = snap([hh(H_ORD), hh(H_PA)], [mem(H_ORD), mem(H_PA)])
    d = feed("disability", [
        {"cert_no": "a", "disability_type": "physical", "grade": 2, "change": "new",
         "issue_date": dt.date(2025, 6, 1), "member_id": H_ORD + "-01", "household_code": H_ORD},
        {"cert_no": "b", "disability_type": "physical", "grade": 3, "change": "new",
         "issue_date": dt.date(2025, 6, 1), "member_id": H_PA + "-01", "household_code": H_PA}])
    a = run(s, {"disability": d}, SCOPE, period=PERIOD, rules=["R7-DIS-01"])
    assert ids(a, "R7-DIS-01") == [H_ORD] and a["risk_type"].to_pylist() == ["DISABILITY"]


def test_a_village_water_outage_reaches_every_household_of_the_village():
    other = V2 + "0001"
    s = snap([hh(H_ORD), hh(H_PA), hh(other, village=V2)], [mem(H_ORD), mem(H_PA), mem(other)])
    w = feed("water", [
        {"record_id": "1", "village_code": V, "event": "outage", "outage_days": 31,
         "start_date": dt.date(2025, 6, 1)},
        {"record_id": "2", "village_code": V2, "event": "outage", "outage_days": 30,
         "start_date": dt.date(2025, 6, 1)}])
    a = run(s, {"water": w}, SCOPE, period=PERIOD, rules=["R7-WAT-01"])
    assert ids(a, "R7-WAT-01") == sorted([H_ORD, H_PA])   # >30 days; 30 is not enough


def test_returned_without_work_for_three_months():
    h3 = V + "0005"
    s = snap([hh(H_ORD), hh(H_PA), hh(h3)], [mem(H_ORD), mem(H_PA), mem(h3)])

    def rec(code, ev, date):
        return {"record_id": f"{code}{ev}", "event": ev, "event_date": dt.date.fromisoformat(date),
                "batch_month": date[:7], "member_id": code + "-01", "household_code": code}

    hr = feed("hr_social_security", [
        rec(H_ORD, "returned_without_work", "2025-03-10"),           # 3 months by June
        rec(H_PA, "returned_without_work", "2025-04-10"),            # only 2
        rec(h3, "returned_without_work", "2025-01-10"), rec(h3, "re_employed", "2025-02-10")])
    a = run(s, {"hr_social_security": hr}, SCOPE, period=PERIOD, rules=["R7-HR-01"])
    assert ids(a, "R7-HR-01") == [H_ORD] and a["value"].to_pylist() == [3.0]


def test_r2_income_below_the_line_and_not_monitored():
    line = 8700  # 2025
    under, over = line // 12 - 10, line // 12 + 10
    hs = [hh(H_PA, htype="poverty_alleviated"), hh(H_ORD),
          hh(H_MON, htype="poverty_alleviated", category="UNSTABLE", risks=["OTHER"]),
          hh(H_MON2, htype="poverty_alleviated", category="UNSTABLE", risks=["OTHER"],
             eliminated=True)]
    ms = [mem(H_PA), mem(H_ORD), mem(H_MON), mem(H_MON2), mem(H_ORD, 2, status="deceased")]
    inc = (incomes(H_PA, under) + incomes(H_ORD, over) + incomes(H_MON, under)
           + incomes(H_MON2, under))
    a = run(snap(hs, ms, inc), {}, SCOPE, period=PERIOD, rules=["R2-INC-01", "R2-INC-02"])
    # the deceased member does not count: H_ORD's one living member is above the line
    assert ids(a, "R2-INC-01") == [H_PA, H_MON2] and ids(a, "R2-INC-02") == []
    assert set(a["category"].to_pylist()) == {"UNSTABLE"}
    assert a["threshold"].to_pylist() == [8700.0, 8700.0]


def test_r2_sudden_hardship_after_rigid_spending():
    # pcni 12 x 1000 = 12,000 >= 8,700, but 12,000 - 4,000 (feed OOP) = 8,000 < 8,700
    s = snap([hh(H_ORD), hh(H_PA)], [mem(H_ORD), mem(H_PA)],
             incomes(H_ORD, 1000) + incomes(H_PA, 1000))
    med = feed("medical", [claim(H_ORD, 4000, "2025-03-01"), claim(H_PA, 3000, "2025-03-01")])
    a = run(s, {"medical": med}, SCOPE, period=PERIOD, rules=["R2-SUD-01"])
    assert ids(a, "R2-SUD-01") == [H_ORD]
    r = a.to_pylist()[0]
    assert (r["value"], r["value2"], r["category"]) == (8000.0, 12000.0, "SUDDEN")
    assert "12,000" in r["sentence_zh"] and "8,000" in r["sentence_zh"]


def test_assets_only_flag_households_with_another_clue_and_grouping():
    s = snap([hh(H_ORD), hh(H_PA, htype="poverty_alleviated")],
             [mem(H_ORD), mem(H_ORD, 2), mem(H_PA)])
    ast = feed("assets", [
        {"record_id": "1", "asset": "vehicle", "registered_date": dt.date(2024, 1, 1),
         "batch_month": "2024-01", "member_id": H_ORD + "-02", "household_code": H_ORD},
        {"record_id": "2", "asset": "vehicle", "registered_date": dt.date(2024, 1, 1),
         "batch_month": "2024-01", "member_id": H_PA + "-01", "household_code": H_PA}])
    med = feed("medical", [claim(H_ORD, 12000, "2025-06-01", n=1)])
    a = run(s, {"assets": ast, "medical": med}, SCOPE, period=PERIOD,
            rules=["R7-MED-03", "R7-AST-01"])
    assert sorted(zip(a["household_code"].to_pylist(), a["rule_id"].to_pylist(), strict=True)) == [
        (H_ORD, "R7-AST-01"), (H_ORD, "R7-MED-03")]
    assert a["household_alerts"].to_pylist() == [2, 2]
    assert all(a["household_review"].to_pylist())
    g = households(a)
    assert g.num_rows == 1 and g["rules"][0].as_py() == ["R7-AST-01", "R7-MED-03"]


def test_output_schema_and_order_are_stable():
    s = snap([hh(H_PA, htype="poverty_alleviated"), hh(H_ORD)], [mem(H_PA), mem(H_ORD)],
             incomes(H_PA, 10) + incomes(H_ORD, 10))
    a = run(s, {}, SCOPE, period=PERIOD)
    b = run(s, {}, SCOPE, period=PERIOD)
    assert a.schema == ALERTS and a.equals(b)
    assert a["household_code"].to_pylist() == sorted(a["household_code"].to_pylist())


def test_bad_period_is_refused():
    with pytest.raises(ValueError):
        run(snap([hh(H_ORD)], [mem(H_ORD)]), {}, SCOPE, period="2025-6")
