"""R1 has one definition: the engine's table version (screening's R1 table, the one alerts
use) and the single-household version (dixian.engine.income, the one pages, decisions and
letters use) agree on generated households: months missing anywhere, incomes of any sign,
several members or none."""

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dixian.engine import schema
from dixian.engine.income import r1
from dixian.engine.months import months_ending
from dixian.engine.scope import RegionScope
from dixian.engine.screening.engine import r1_table

VILLAGE = "522326101201"
PERIOD = "2026-06"
MONTHS = months_ending(PERIOD, 18)  # the window and months outside it

amount = st.integers(min_value=0, max_value=5000)
month_row = st.fixed_dictionaries({"wage": amount, "business": amount, "property": amount,
                                   "transfer": amount, "business_cost": amount,
                                   "compliant_oop_medical": amount})
household = st.tuples(st.integers(min_value=0, max_value=4),
                      st.dictionaries(st.sampled_from(MONTHS), month_row, max_size=18))


def _tables(households):
    h, m, inc = [], [], []
    for k, (members, rows) in enumerate(households):
        code = f"{VILLAGE}{k:04d}"
        h.append({"household_code": code, "village_code": VILLAGE,
                  "household_type": "ordinary"})
        for j in range(members):
            m.append({"household_code": code, "member_id": f"{code}-{j + 1:02d}",
                      "member_status": "active"})
        m.append({"household_code": code, "member_id": f"{code}-99",
                  "member_status": "deceased"})
        for period, row in rows.items():
            inc.append({"household_code": code, "period": period, **row})

    def table(rows, s):
        return pa.Table.from_pylist([{f.name: r.get(f.name) for f in s} for r in rows], schema=s)

    return {"households": table(h, schema.HOUSEHOLDS), "members": table(m, schema.MEMBERS),
            "incomes": table(inc, schema.INCOMES)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(household, min_size=1, max_size=6))
def test_the_table_and_the_single_household_r1_agree(households):
    table = r1_table(_tables(households), RegionScope.of(VILLAGE), period=PERIOD)
    by_code = {row["household_code"]: row for row in table.to_pylist()}
    for k, (members, rows) in enumerate(households):
        code = f"{VILLAGE}{k:04d}"
        one = r1([{"period": p, **r} for p, r in rows.items()], members=members,
                 last_month=PERIOD, window_months=12, min_months=6)
        if not one.judged:
            assert code not in by_code
            continue
        row = by_code[code]
        assert row["months"] == one.months_recorded
        assert abs(row["net"] - one.household_net) < 0.01
        assert abs(row["pcni"] - one.per_capita) < 0.01
        assert abs(row["oop"] - one.rigid_spending) < 0.01


def test_r1_is_judged_from_six_recorded_months_not_five():
    rows = [{"period": p, "wage": 1000} for p in months_ending(PERIOD, 6)]
    assert r1(rows, members=1, last_month=PERIOD, window_months=12, min_months=6).judged
    assert not r1(rows[1:], members=1, last_month=PERIOD, window_months=12,
                  min_months=6).judged
    # six months of 1,000 yuan: 12,000 a year for one person
    assert r1(rows, members=1, last_month=PERIOD, window_months=12,
              min_months=6).per_capita == 12000
