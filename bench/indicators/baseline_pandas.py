"""The baseline: a subset of the indicators in plain pandas, the way a competent analyst would
write them (vectorised, one pass per month, incomes pivoted to a household x month matrix with
a rolling sum), per county and month.

Subset (the engine's definitions, docs/statistics.md): monitored / eliminated (assisted,
natural) / identified households and persons at each month's end, spells started and ended
in the month, assistance coverage of the active households, and from the 12-month R1 income:
the poverty-alleviated households' count and per-capita income, FGT0/1/2 at the monitoring
line. ``run`` returns {(county, month): {indicator: value}} so that the benchmark can check it
against the engine before comparing times.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

LINES = {2021: 6000, 2022: 6500, 2023: 7300, 2024: 8700, 2025: 8700, 2026: 8700}
COUNTS = ("monitored_households", "monitored_persons", "eliminated_assisted_households",
          "eliminated_natural_households", "identified_households", "identified_persons",
          "new_identified_households", "new_eliminated_households", "coverage_num",
          "pa_income_n", "fgt_persons", "poor_persons")
FLOATS = ("pa_income_mean", "fgt1", "fgt2")


def _months(as_of: str, n: int) -> list[str]:
    end = pd.Period(as_of, "M")
    return [str(end - k) for k in range(n - 1, -1, -1)]


def run(folder: Path, as_of: str, months: int = 13) -> dict:
    periods = _months(as_of, months)
    first_income = str(pd.Period(periods[0], "M") - 11)
    hh = pd.read_parquet(folder / "households.parquet",
                         columns=["household_code", "village_code", "household_type"])
    hh["county"] = hh["village_code"].str[:6]
    mem = pd.read_parquet(folder / "members.parquet", columns=["household_code",
                                                               "member_status"])
    size = mem[mem["member_status"] != "deceased"].groupby("household_code").size()
    hh["size"] = hh["household_code"].map(size).fillna(0).astype(int)
    sp = pd.read_parquet(folder / "spells.parquet",
                         columns=["household_code", "started_on", "ended_on",
                                  "elimination_mode"])
    sp["started_on"] = pd.to_datetime(sp["started_on"])
    sp["ended_on"] = pd.to_datetime(sp["ended_on"])
    sp = sp.merge(hh[["household_code", "county", "size"]], on="household_code")
    ms = pd.read_parquet(folder / "measures.parquet",
                         columns=["household_code", "status", "planned_on", "started_on",
                                  "implemented_on", "ended_on"])
    for c in ("planned_on", "started_on", "implemented_on", "ended_on"):
        ms[c] = pd.to_datetime(ms[c])
    ms["in_place_from"] = ms["started_on"].fillna(ms["implemented_on"]).fillna(
        ms["planned_on"].where(ms["status"].isin(["in_progress", "implemented", "ended"])))

    # incomes: household x month matrix, rolling 12-month sums
    inc = pd.read_parquet(folder / "incomes.parquet",
                          columns=["household_code", "period", "wage", "business", "property",
                                   "transfer", "business_cost"],
                          filters=[("period", ">=", first_income), ("period", "<=", as_of)])
    inc["net"] = (inc["wage"] + inc["business"] + inc["property"] + inc["transfer"]
                  - inc["business_cost"])
    matrix = inc.pivot_table(index="household_code", columns="period", values="net",
                             aggfunc="sum")
    rolled = matrix.T.rolling(12, min_periods=12).sum().T
    info = hh.set_index("household_code")[["county", "household_type", "size"]]

    out: dict = {}
    for period in periods:
        p = pd.Period(period, "M")
        start, end = p.start_time.normalize(), p.end_time.normalize()
        s = sp[sp["started_on"] <= end].sort_values(["household_code", "started_on"])
        latest = s.groupby("household_code").tail(1).copy()
        active = latest["ended_on"].isna() | (latest["ended_on"] > end)
        natural = ~active & (latest["elimination_mode"] == "NATURAL")
        latest["status"] = np.where(active, "ACTIVE", np.where(natural, "NATURAL",
                                                                "ASSISTED"))
        act = latest[active]
        cov = act[["household_code", "started_on"]].merge(ms, on="household_code",
                                                           suffixes=("", "_m"))
        cov = cov[(cov["in_place_from"] <= end) & (
            cov["ended_on"].isna() | (cov["ended_on"] >= cov["started_on"]))]
        covered = act[act["household_code"].isin(cov["household_code"])]
        started = sp[(sp["started_on"] >= start) & (sp["started_on"] <= end)]
        ended = sp[(sp["ended_on"] >= start) & (sp["ended_on"] <= end)]
        rows = {
            "monitored_households": act.groupby("county").size(),
            "monitored_persons": act.groupby("county")["size"].sum(),
            "eliminated_assisted_households":
                latest[latest["status"] == "ASSISTED"].groupby("county").size(),
            "eliminated_natural_households":
                latest[latest["status"] == "NATURAL"].groupby("county").size(),
            "identified_households": latest.groupby("county").size(),
            "identified_persons": latest.groupby("county")["size"].sum(),
            "new_identified_households": started.groupby("county")["household_code"].nunique(),
            "new_eliminated_households": ended.groupby("county")["household_code"].nunique(),
            "coverage_num": covered.groupby("county").size(),
        }
        if period in rolled.columns:
            y = rolled[period].dropna().to_frame("net").join(info, how="inner")
            y = y[y["size"] > 0]
            y["pcni"] = y["net"] / y["size"]
            z = LINES[int(period[:4])]
            gap = np.maximum(0.0, (z - y["pcni"]) / z)
            y["poor"] = (y["pcni"] < z) * y["size"]
            y["g1"] = gap * y["size"]
            y["g2"] = gap * gap * y["size"]
            pa = y[y["household_type"] == "poverty_alleviated"]
            by = y.groupby("county")
            pa_by = pa.groupby("county")
            rows.update({
                "pa_income_n": pa_by.size(),
                "pa_income_mean": pa_by["net"].sum() / pa_by["size"].sum(),
                "fgt_persons": by["size"].sum(), "poor_persons": by["poor"].sum(),
                "fgt1": by["g1"].sum() / by["size"].sum(),
                "fgt2": by["g2"].sum() / by["size"].sum(),
            })
        for name, series in rows.items():
            for county, value in series.items():
                out.setdefault((county, period), {})[name] = float(value)
    return out
