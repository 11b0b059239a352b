"""R1 has one definition: the engine's table version (screening's R1 table, the one alerts
use) and the single-household version (dixian.engine.income, the one pages, decisions and
letters use) agree on generated households: months missing anywhere, incomes of any sign,
several members or none."""

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dixian.engine import schema
from dixian.engine.income import r1, r1_with_blocks
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
#: annual blocks with reference months in and around the window (2025-08 … 2026-07 speak)
BLOCK_MONTHS = months_ending("2026-09", 16)
net_or_none = st.none() | st.integers(min_value=-2000, max_value=60000)
annual_block = st.fixed_dictionaries({
    "basis": st.sampled_from(["identification", "elimination"]),
    "reference_month": st.sampled_from(BLOCK_MONTHS),
    "household_net": net_or_none,
    "per_capita_net": st.none() | st.floats(min_value=-500, max_value=20000,
                                             allow_nan=False).map(lambda x: round(x, 2)),
    "compliant_oop_medical": st.none() | amount})
migrated = st.tuples(st.integers(min_value=0, max_value=4),
                     st.dictionaries(st.sampled_from(MONTHS), month_row, max_size=8),
                     st.lists(annual_block, max_size=2, unique_by=lambda b: b["basis"]))


def _tables(households):
    h, m, inc, blk = [], [], [], []
    for k, (members, rows, *blocks) in enumerate(households):
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
        for b in (blocks[0] if blocks else []):
            blk.append({"household_code": code, **b})

    def table(rows, s):
        return pa.Table.from_pylist([{f.name: r.get(f.name) for f in s} for r in rows], schema=s)

    return {"households": table(h, schema.HOUSEHOLDS), "members": table(m, schema.MEMBERS),
            "incomes": table(inc, schema.INCOMES),
            "income_blocks": table(blk, schema.INCOME_BLOCKS)}


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


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(migrated, min_size=1, max_size=6))
def test_with_annual_blocks_the_table_and_the_single_household_r1_agree(households):
    """A migrated county: few monthly rows, the national system's annual blocks."""
    table = r1_table(_tables(households), RegionScope.of(VILLAGE), period=PERIOD)
    by_code = {row["household_code"]: row for row in table.to_pylist()}
    assert len(by_code) == table.num_rows
    for k, (members, rows, blocks) in enumerate(households):
        code = f"{VILLAGE}{k:04d}"
        one = r1_with_blocks([{"period": p, **r} for p, r in rows.items()], blocks,
                             members=members, last_month=PERIOD, window_months=12,
                             min_months=6)
        if not one.judged:
            assert code not in by_code
            continue
        row = by_code[code]
        assert row["months"] == one.months_recorded
        assert row["block_month"] == one.block_month
        assert abs(row["net"] - one.household_net) < 0.01
        assert abs(row["pcni"] - one.per_capita) < 0.01
        assert abs(row["oop"] - one.rigid_spending) < 0.01
        assert abs((row["net"] - row["oop"]) / row["members"]
                   - one.per_capita_after_rigid) < 0.01


def _block(month, per_capita=None, net=None, basis="identification", oop=None):
    return {"basis": basis, "reference_month": month, "per_capita_net": per_capita,
            "household_net": net, "compliant_oop_medical": oop}


def test_a_block_speaks_for_the_windows_holding_its_last_month():
    # window 2025-07 … 2026-06: reference months 2025-08 … 2026-07 (their last months inside)
    from dixian.engine.income import block_window, latest_block

    assert block_window(PERIOD, 12) == ("2025-08", "2026-07")
    for month, speaks in (("2025-07", False), ("2025-08", True), ("2026-07", True),
                          ("2026-08", False)):
        found = latest_block([_block(month, 1000.0)], last_month=PERIOD, window_months=12)
        assert (found is not None) is speaks, month
    blocks = [_block("2025-10", 1.0), _block("2026-01", 2.0),
              _block("2026-01", 3.0, basis="elimination"), _block("2026-02", None, None),
              _block("", 4.0)]
    assert latest_block(blocks, last_month=PERIOD, window_months=12)["per_capita_net"] == 3.0
    assert latest_block(blocks[:2] + [_block("2026-01", 5.0, basis="other")],
                        last_month=PERIOD, window_months=12)["per_capita_net"] == 2.0


def test_r1_with_blocks_reads_the_block_only_where_the_months_do_not_judge():
    rows = [{"period": p, "wage": 1000} for p in months_ending(PERIOD, 6)]
    blocks = [_block("2026-03", 100.0, 300, oop=60)]
    kw = dict(last_month=PERIOD, window_months=12, min_months=6)
    monthly = r1_with_blocks(rows, blocks, members=2, **kw)
    assert (monthly.basis, monthly.per_capita) == ("monthly", 6000)
    annual = r1_with_blocks(rows[1:], blocks, members=2, **kw)
    assert (annual.basis, annual.months_recorded, annual.per_capita) == ("annual:2026-03", 5, 100)
    assert (annual.household_net, annual.rigid_spending) == (300, 60)
    assert annual.per_capita_after_rigid == (300 - 60) / 2
    net_only = r1_with_blocks([], [_block("2026-03", None, 301)], members=2, **kw)
    assert net_only.per_capita == 150.5 and net_only.household_net == 301
    per_capita_only = r1_with_blocks([], [_block("2026-03", 100.0)], members=3, **kw)
    assert per_capita_only.household_net == 300 and per_capita_only.rigid_spending == 0
    assert not r1_with_blocks([], blocks, members=0, **kw).judged
    assert r1_with_blocks([], [], members=2, **kw).basis == "none"
