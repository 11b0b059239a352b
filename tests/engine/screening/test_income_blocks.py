"""Screening's R1 rules on a county migrated from the national system: households with the
national system's annual income blocks and no monthly rows (issue 12 item 1).

R1 is the one definition of ``dixian.engine.income.r1_with_blocks``: the monthly rows where
at least six months of the window are recorded, else the latest annual block whose 12 months
end within the window (a block covers the 12 months before its reference month, domain.md
§1.2), the block after elimination first on a tie. The limits are written here from the
sources, not read from the code: the 2025 line is 8,700 yuan [VL S9]; the Guizhou rule
"脱贫户人均纯收入低于7300元但未纳入监测" [VL S17] is strict (below the line fires, at it does
not); for period 2025-06 the window is 2024-07 … 2025-06, so a block speaks for it when its
last month (reference month − 1) is in 2024-07 … 2025-06: reference months 2024-08 … 2025-07.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from dixian.engine import schema
from dixian.engine.screening import run
from tests.engine.screening.test_rules import (
    H_MON,
    H_ORD,
    H_PA,
    PERIOD,
    SCOPE,
    V,
    claim,
    feed,
    hh,
    ids,
    incomes,
    mem,
    snap,
)

LINE_2025 = 8700
H5, H6 = V + "0005", V + "0006"
R2 = ["R2-INC-01", "R2-INC-02", "R2-SUD-01"]


def block(code, per_capita=None, *, month="2025-03", basis="identification",
          household_net=None, oop=None):
    return {"household_code": code, "basis": basis, "reference_month": month,
            "per_capita_net": per_capita, "household_net": household_net,
            "compliant_oop_medical": oop}


def migrated(households, members, blocks, incs=()):
    s = snap(households, members, incs)
    s["income_blocks"] = schema.conform(pa.Table.from_pylist(blocks), "income_blocks") \
        if blocks else schema.INCOME_BLOCKS.empty_table()
    return s


def _alerts(s, rules=R2, feeds=None):
    return run(s, feeds or {}, SCOPE, period=PERIOD, rules=rules)


def _row(alerts, code, rule):
    return next(r for r in alerts.to_pylist() if r["household_code"] == code
                and r["rule_id"] == rule)


@pytest.mark.parametrize("shortfall,fires", [(0, False), (1, True), (0.01, True)])
def test_a_block_at_the_line_does_not_fire_one_yuan_below_does(shortfall, fires):
    s = migrated([hh(H_PA, htype="poverty_alleviated"), hh(H_ORD)], [mem(H_PA), mem(H_ORD)],
                 [block(H_PA, LINE_2025 - shortfall), block(H_ORD, LINE_2025 - shortfall)])
    a = _alerts(s)
    assert ids(a, "R2-INC-01") == ([H_PA] if fires else [])
    assert ids(a, "R2-INC-02") == ([H_ORD] if fires else [])
    if fires:
        row = _row(a, H_PA, "R2-INC-01")
        assert row["value"] == LINE_2025 - shortfall and row["threshold"] == LINE_2025
        assert row["detail"] == "annual:2025-03" and row["category"] == "UNSTABLE"
        assert '"detail": "annual:2025-03"' in row["evidence"]
        assert row["rule_version"] == 2
        assert _row(a, H_ORD, "R2-INC-02")["category"] == "MARGINAL"


def test_monthly_rows_say_nothing_of_a_block():
    s = snap([hh(H_ORD)], [mem(H_ORD)], incomes(H_ORD, 100))
    row = _row(_alerts(s), H_ORD, "R2-INC-02")
    assert row["detail"] is None and row["value"] == 1200


@pytest.mark.parametrize("month,speaks", [("2024-07", False), ("2024-08", True),
                                          ("2025-07", True), ("2025-08", False)])
def test_a_block_speaks_for_the_windows_its_twelve_months_end_in(month, speaks):
    s = migrated([hh(H_ORD)], [mem(H_ORD)], [block(H_ORD, 1000, month=month)])
    assert ids(_alerts(s), "R2-INC-02") == ([H_ORD] if speaks else [])


def test_six_recorded_months_speak_before_a_block_five_do_not():
    # H_ORD: six months of 1,000 a month (12,000 a year, above the line) and a block below it
    # H5: five months of the same, and the same block: the block speaks
    s = migrated([hh(H_ORD), hh(H5)], [mem(H_ORD), mem(H5)],
                 [block(H_ORD, 5000), block(H5, 5000)],
                 incomes(H_ORD, 1000, months=6) + incomes(H5, 1000, months=5))
    a = _alerts(s)
    assert ids(a, "R2-INC-02") == [H5]
    assert _row(a, H5, "R2-INC-02")["value"] == 5000


def test_the_latest_block_speaks_and_on_a_tie_the_one_after_elimination():
    s = migrated(
        [hh(H_ORD, category="MARGINAL", risks=["ILLNESS"], eliminated=True),
         hh(H5, category="MARGINAL", risks=["ILLNESS"], eliminated=True),
         hh(H6, category="MARGINAL", risks=["ILLNESS"], eliminated=True),
         hh(H_PA, htype="poverty_alleviated")],
        [mem(H_ORD), mem(H5), mem(H6), mem(H_PA)],
        [block(H_ORD, 5000, month="2024-10"),                       # older, below: silent
         block(H_ORD, 9000, month="2025-04", basis="elimination"),
         block(H5, 9000, month="2024-10"),                          # older, above
         block(H5, 5000, month="2025-04", basis="elimination"),     # latest, below: fires
         block(H6, 5000, month="2025-04"),                          # tie: elimination speaks
         block(H6, 9000, month="2025-04", basis="elimination"),
         block(H_PA, 9000, month="2025-04"),                        # tie the other way
         block(H_PA, 5000, month="2025-04", basis="elimination")])
    a = _alerts(s)
    assert ids(a, "R2-INC-02") == [H5]
    assert ids(a, "R2-INC-01") == [H_PA]
    assert _row(a, H_PA, "R2-INC-01")["detail"] == "annual:2025-04"


def test_a_block_of_another_basis_yields_on_a_tie():
    s = migrated([hh(H_ORD), hh(H5), hh(H6)], [mem(H_ORD), mem(H5), mem(H6)],
                 [block(H_ORD, 9000, month="2025-04", basis="identification"),
                  block(H_ORD, 5000, month="2025-04", basis="other"),
                  block(H5, 5000, month="2025-04", basis="elimination"),
                  block(H5, 9000, month="2025-04", basis="other"),
                  block(H6, 5000, month="2025-04", basis="other")])  # alone, it speaks
    assert ids(_alerts(s), "R2-INC-02") == [H5, H6]


def test_a_block_without_a_net_income_is_passed_over():
    s = migrated([hh(H_ORD)], [mem(H_ORD)],
                 [block(H_ORD, 5000, month="2024-10"),
                  block(H_ORD, None, month="2025-04", basis="elimination", oop=100)])
    a = _alerts(s)
    assert ids(a, "R2-INC-02") == [H_ORD]
    assert _row(a, H_ORD, "R2-INC-02")["detail"] == "annual:2024-10"


@pytest.mark.parametrize("net,fires", [(3 * LINE_2025, False), (3 * LINE_2025 - 1, True)])
def test_a_household_net_alone_is_shared_by_the_active_members(net, fires):
    members = [mem(H_ORD, 1), mem(H_ORD, 2), mem(H_ORD, 3), mem(H_ORD, 4, "deceased")]
    s = migrated([hh(H_ORD)], members, [block(H_ORD, None, household_net=net)])
    a = _alerts(s)
    assert ids(a, "R2-INC-02") == ([H_ORD] if fires else [])
    if fires:
        assert abs(_row(a, H_ORD, "R2-INC-02")["value"] - net / 3) < 1e-9


def test_the_recorded_per_capita_speaks_before_the_household_net():
    # the national system's own per-capita figure (its household size may differ)
    s = migrated([hh(H_ORD)], [mem(H_ORD, 1), mem(H_ORD, 2)],
                 [block(H_ORD, LINE_2025 - 1, household_net=4 * LINE_2025)])
    assert ids(_alerts(s), "R2-INC-02") == [H_ORD]


def test_a_per_capita_not_a_number_is_missing():
    """How a missing float reaches Spark from an Arrow or pandas table: NaN, not null."""
    nan = float("nan")
    s = migrated([hh(H_ORD), hh(H5)],
                 [mem(H_ORD, 1), mem(H_ORD, 2), mem(H_ORD, 3), mem(H5)],
                 [block(H_ORD, nan, household_net=3 * LINE_2025 - 3),
                  block(H5, 5000, month="2024-10"),
                  block(H5, nan, month="2025-05", basis="elimination")])
    a = _alerts(s)
    assert ids(a, "R2-INC-02") == [H_ORD, H5]
    assert _row(a, H_ORD, "R2-INC-02")["value"] == LINE_2025 - 1
    assert _row(a, H5, "R2-INC-02")["detail"] == "annual:2024-10"


def test_a_household_without_active_members_is_not_judged():
    s = migrated([hh(H_ORD)], [mem(H_ORD, 1, "deceased")], [block(H_ORD, 100)])
    assert _alerts(s).num_rows == 0


def test_a_monitored_household_gets_no_r2_alert_from_its_block():
    s = migrated([hh(H_MON, category="MARGINAL", risks=["ILLNESS"])], [mem(H_MON)],
                 [block(H_MON, 100)])
    assert _alerts(s).num_rows == 0


@pytest.mark.parametrize("oop,fires", [(3300, False), (3301, True)])
def test_sudden_hardship_reads_the_blocks_rigid_spending(oop, fires):
    # one member, a block of 12,000 net: 12,000 − 3,300 = 8,700 (at the line); 3,301: below
    s = migrated([hh(H_ORD)], [mem(H_ORD)],
                 [block(H_ORD, 12000, household_net=12000, oop=oop)])
    a = _alerts(s)
    assert ids(a, "R2-SUD-01") == ([H_ORD] if fires else [])
    if fires:
        row = _row(a, H_ORD, "R2-SUD-01")
        assert row["value"] == 12000 - oop and row["value2"] == 12000
        assert row["share"] == oop and row["detail"] == "annual:2025-03"


def test_sudden_hardship_takes_the_larger_of_the_block_and_the_medical_feed():
    s = migrated([hh(H_ORD)], [mem(H_ORD)], [block(H_ORD, 12000, household_net=12000, oop=100)])
    med = feed("medical", [claim(H_ORD, 3301, "2025-03-01")])
    assert ids(_alerts(s, ["R2-SUD-01"], {"medical": med}), "R2-SUD-01") == [H_ORD]


def test_a_run_without_blocks_reads_monthly_rows_only():
    s = snap([hh(H_ORD)], [mem(H_ORD)])
    assert "income_blocks" not in s and _alerts(s).num_rows == 0
