"""The statistics' income figures on a county migrated from the national system: R1 from the
annual income blocks where too few monthly rows are recorded (dixian.engine.income).

Expected figures are computed here from the blocks: the 2025 line is 8,700 yuan [VL S9]; a
block covers the 12 months before its reference month and speaks for the window ending with
2025-06 when its reference month is 2024-08 … 2025-07 (domain.md §1.2).
"""

from __future__ import annotations

import pyarrow as pa

from dixian.engine.indicators import compute, households_for
from dixian.engine.scope import RegionScope

V = "522326101201"
SCOPE = RegionScope.of("522326")
LINE_2025 = 8700
H1, H2, H3, H4, H5, H6 = (f"{V}{k:04d}" for k in range(1, 7))


HOUSEHOLDS = pa.schema([("household_code", pa.string()), ("village_code", pa.string()),
                        ("household_type", pa.string()), ("monitoring_category", pa.string()),
                        ("identified_month", pa.string()),
                        ("risk_types", pa.list_(pa.string()))])


def _households(rows):
    return pa.Table.from_pylist([{"household_code": code, "village_code": V,
                                  "household_type": htype, "monitoring_category": category,
                                  "identified_month": identified, "risk_types": risks}
                                 for code, htype, category, identified, risks in rows],
                                schema=HOUSEHOLDS)


def _members(sizes):
    return pa.Table.from_pylist([{"household_code": code, "member_status": "active"}
                                 for code, n in sizes.items() for _ in range(n)]
                                + [{"household_code": H1, "member_status": "deceased"}])


def _blocks(rows):
    return pa.Table.from_pylist(
        [{"household_code": code, "basis": basis, "reference_month": month,
          "per_capita_net": per_capita, "household_net": net}
         for code, basis, month, per_capita, net in rows],
        schema=pa.schema([("household_code", pa.string()), ("basis", pa.string()),
                          ("reference_month", pa.string()), ("per_capita_net", pa.float64()),
                          ("household_net", pa.int64())]))


def _migrated():
    households = _households([
        (H1, "poverty_alleviated", None, None, None),
        (H2, "poverty_alleviated", None, None, None),
        (H3, "ordinary", "MARGINAL", "2025-04", ["ILLNESS"]),
        (H4, "poverty_alleviated", None, None, None)])
    members = _members({H1: 2, H2: 3, H3: 1, H4: 2})
    blocks = _blocks([
        (H1, "identification", "2025-03", 6000.0, 99999),       # per capita as recorded
        (H2, "identification", "2025-05", 20000.0, None),
        (H2, "elimination", "2025-05", None, 30000),            # tie: elimination speaks
        (H3, "identification", "2025-04", 5000.0, 5000),
        (H4, "identification", "2024-07", 1000.0, 2000)])       # its months end 2024-06
    return {"households": households, "members": members, "income_blocks": blocks}


def test_a_migrated_countys_income_figures_are_its_blocks():
    r = compute(_migrated(), SCOPE, as_of="2025-06", months=1)
    assert r.income_as_of == "2025-06"
    row = r.row(V)
    # poverty-alleviated: H1 6,000 x 2 persons, H2 30,000 / 3 = 10,000 x 3 persons
    assert (row["pa_income_n"], row["pa_income_persons"]) == (2, 5)
    assert abs(row["pa_income_mean"] - (6000 * 2 + 10000 * 3) / 5) < 1e-9
    assert row["pa_income_median"] == (6000 + 10000) / 2
    # monitored: H3 alone
    assert row["mon_income_n"] == 1 and row["mon_income_mean"] == 5000
    # FGT at the line: H1 (2 persons) and H3 (1) below 8,700 of 6 persons
    assert (row["fgt_persons"], row["poor_persons"]) == (6, 3)
    assert abs(row["fgt0"] - 3 / 6) < 1e-9
    gap = (2 * (LINE_2025 - 6000) / LINE_2025 + (LINE_2025 - 5000) / LINE_2025) / 6
    assert abs(row["fgt1"] - gap) < 1e-9
    county = r.row("522326")  # rolled up unchanged
    assert {k: v for k, v in row.items() if k not in ("region_code", "level")} == \
        {k: v for k, v in county.items() if k not in ("region_code", "level")}
    poor = households_for(_migrated(), SCOPE, "poor", period="2025-06")
    assert poor["household_code"].to_pylist() == [H1, H3]
    income = households_for(_migrated(), SCOPE, "pa_income", period="2025-06")
    assert dict(zip(income["household_code"].to_pylist(), income["value"].to_pylist(),
                    strict=True)) == {H1: 6000, H2: 10000}


def test_blocks_speak_only_for_the_windows_their_months_end_in():
    # a block of reference month R speaks for the windows ending R − 1 … R + 10
    r = compute(_migrated(), SCOPE, as_of="2026-02", months=1)
    assert (r.row(V)["pa_income_n"], r.row(V)["fgt_persons"]) == (1, 4)  # H2, H3 (2025-04)
    r = compute(_migrated(), SCOPE, as_of="2026-03", months=1)
    assert r.income_as_of == "2026-03"  # H2's blocks of 2025-05 speak up to 2026-03
    assert (r.row(V)["pa_income_n"], r.row(V)["fgt_persons"]) == (1, 3)
    r = compute(_migrated(), SCOPE, as_of="2026-04", months=2)
    assert r.income_as_of == "2026-03"
    assert r.row(V, "2026-04")["fgt_persons"] is None or \
        r.row(V, "2026-04")["fgt_persons"] == 0
    assert compute(_migrated(), SCOPE, as_of="2026-07", months=1).income_as_of is None


def test_six_recorded_months_speak_before_a_block_five_do_not():
    tables = _migrated()
    tables["households"] = pa.concat_tables([tables["households"], _households([
        (H5, "ordinary", None, None, None), (H6, "ordinary", None, None, None)])])
    tables["members"] = _members({H1: 2, H2: 3, H3: 1, H4: 2, H5: 1, H6: 1})
    tables["income_blocks"] = pa.concat_tables([tables["income_blocks"], _blocks([
        (H5, "identification", "2025-05", 1000.0, 1000),
        (H6, "identification", "2025-05", 1000.0, 1000)])])
    months = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    tables["incomes"] = pa.Table.from_pylist(
        [{"household_code": H5, "period": m, "wage": 1000} for m in months]
        + [{"household_code": H6, "period": m, "wage": 1000} for m in months[1:]])
    r = compute(tables, SCOPE, as_of="2025-06", months=1)
    poor = households_for(tables, SCOPE, "poor", period="2025-06")
    # H5: six months of 1,000, 12,000 a year (above the line); H6: five, its block of 1,000
    assert poor["household_code"].to_pylist() == [H1, H3, H6]
    assert (r.row(V)["fgt_persons"], r.row(V)["poor_persons"]) == (8, 4)
