"""The pandas baseline: every screening rule written the way an analyst would in plain pandas
(vectorised, no Python loops over rows; only the columns the rules need are read, and the
income rows of the window only), with the engine's semantics (``docs/screening-rules.md``):
the same scope filter, parameters, windows, cohorts, de-duplication against households
already monitored, and the negative screen that only flags households with another clue.

:func:`run` returns one row per alert with the evidence columns of the engine's output
(``household_code``, ``member_id``, ``rule_id``, ``village_code``, ``event_date``, ``value``,
``value2``, ``threshold``, ``share``, ``detail``), which the benchmark compares with the
engine's alerts. It does not render the sentences or the JSON evidence (the engine does).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from dixian.engine.screening.engine import month_add
from dixian.engine.screening.params import resolve
from dixian.engine.screening.spec import RULES

OUT = ["household_code", "member_id", "event_date", "value", "value2", "threshold", "share",
       "detail"]


def _first_day(month: str) -> pd.Timestamp:
    return pd.Timestamp(int(month[:4]), int(month[5:7]), 1)


def _read(path: Path, columns: list[str], filters=None) -> pd.DataFrame:
    """The columns needed (dates as datetime64, not Python objects)."""
    return pq.read_table(path, columns=columns, filters=filters).to_pandas(
        date_as_object=False)


def _evidence(df: pd.DataFrame, **cols) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for c in OUT:
        v = cols.get(c)
        out[c] = (None if v is None else v)
    return out


class Baseline:
    def __init__(self, snapshot: Mapping[str, Path], feeds: Mapping[str, Path], prefix: str,
                 period: str):
        self.period = period
        self.period_end = _first_day(month_add(period, 1))
        self.p = resolve(prefix[:2], int(period[:4]))
        self.prefix = prefix
        h = _read(snapshot["households"], ["household_code", "village_code", "household_type",
                                            "monitoring_category", "risk_types",
                                            "risk_eliminated"])
        self.h = h[h.village_code.str.startswith(prefix, na=False)].reset_index(drop=True)
        self.snapshot, self.feeds = snapshot, feeds
        low = (self.h.household_type == "poverty_alleviated") | self.h.monitoring_category.notna()
        self.cohort = pd.Series(low.to_numpy(), index=self.h.household_code.to_numpy())

    # ------------------------------------------------------------------ inputs
    def feed(self, dept: str, columns: list[str]) -> pd.DataFrame:
        cols = sorted(set(columns) | {"batch_month", "household_code", "member_id"})
        # village-level records (no household) are read only by the water rules
        f = _read(self.feeds[dept], cols + (["village_code"] if dept == "water" else []))
        keep = f.household_code.str.startswith(self.prefix, na=False)
        if "village_code" in f.columns:
            keep |= f.household_code.isna() & f.village_code.str.startswith(self.prefix,
                                                                              na=False)
        return f[keep]

    def received(self, dept: str, columns: list[str]) -> pd.DataFrame:
        f = self.feed(dept, columns)
        start = month_add(self.period, 1 - int(self.p["event_window_months"]))
        return f[(f.batch_month >= start) & (f.batch_month <= self.period)]

    def low(self, households: pd.Series) -> np.ndarray:
        return households.map(self.cohort).to_numpy(dtype=bool)

    # ------------------------------------------------------------------ operators
    def event(self, f: pd.DataFrame, date: str, value: str | None = None, agg: str = "max",
              detail: str | None = None) -> pd.DataFrame:
        f = f[f.household_code.notna()]
        spec = {"event_date": (date, "min")}
        if value:
            spec["value"] = (value, agg)
        if detail:
            spec["detail"] = (detail, "min")
        g = f.groupby(["household_code", "member_id"], dropna=False, sort=False).agg(**spec)
        g = g.reset_index()
        return _evidence(g, household_code=g.household_code, member_id=g.member_id,
                         event_date=g.event_date,
                         value=g["value"].astype("float64") if value else None,
                         detail=g["detail"] if detail else None)

    def village_event(self, f: pd.DataFrame, date: str, value: str | None,
                      threshold: float | None) -> pd.DataFrame:
        own = f[f.household_code.notna()]
        vill = f[f.household_code.isna()].merge(
            self.h[["household_code", "village_code"]], on="village_code",
            suffixes=("_f", ""))
        cols = [date] + ([value] if value else [])
        u = pd.concat([own[["household_code"] + cols], vill[["household_code"] + cols]])
        spec = {"event_date": (date, "min")}
        if value:
            spec["value"] = (value, "max")
        g = u.groupby("household_code", sort=False).agg(**spec).reset_index()
        return _evidence(g, household_code=g.household_code, event_date=g.event_date,
                         value=g["value"].astype("float64") if value else None,
                         threshold=threshold)

    def medical_window(self) -> pd.DataFrame:
        window = int(self.p["medical_lookback_months"])
        start = _first_day(month_add(self.period, 1 - window))
        f = self.feed("medical", ["settle_date", "oop_compliant", "visit_type"])
        d = f.settle_date
        return f[(f.batch_month <= self.period) & (d >= start) & (d < self.period_end)
                 & f.household_code.notna()]

    def sum_window(self, f: pd.DataFrame, lines: tuple[float, float],
                   shares: tuple[float, float] | None) -> pd.DataFrame:
        window = int(self.p["medical_lookback_months"])
        g = f.groupby(["household_code", "member_id"], dropna=False, sort=False).agg(
            total=("oop_compliant", "sum"), last=("settle_date", "max")).reset_index()
        g = g[g.household_code.isin(self.cohort.index)]
        low = self.low(g.household_code)
        g = g.assign(total=g.total.astype("float64"), thr=np.where(low, *lines),
                     sh=np.where(low, *shares) if shares else np.nan)
        g = g[g.total > g.thr]
        return _evidence(g, household_code=g.household_code, member_id=g.member_id,
                         event_date=g["last"], value=g.total, threshold=g.thr,
                         share=g.sh if shares else None, value2=float(window))

    def max_record(self, lines: tuple[float, float]) -> pd.DataFrame:
        f = self.received("medical", ["settle_date", "oop_compliant", "visit_type"])
        f = f[(f.visit_type == "inpatient") & f.household_code.notna()]
        f = f[f.household_code.isin(self.cohort.index)]
        low = self.low(f.household_code)
        f = f.assign(thr=np.where(low, *lines), amt=f.oop_compliant.astype("float64"))
        f = f[f.amt > f.thr]
        g = f.groupby(["household_code", "member_id"], dropna=False, sort=False).agg(
            value=("amt", "max"), event_date=("settle_date", "min"),
            thr=("thr", "min")).reset_index()
        return _evidence(g, household_code=g.household_code, member_id=g.member_id,
                         event_date=g.event_date, value=g.value, threshold=g.thr)

    def unresolved_duration(self, months_min: int) -> pd.DataFrame:
        f = self.feed("hr_social_security", ["event", "event_date"])
        f = f[(f.batch_month <= self.period) & (f.event_date < self.period_end)
              & f.household_code.notna()]
        starts = f[f.event == "returned_without_work"].groupby(
            ["household_code", "member_id"], dropna=False, sort=False).event_date.max()
        starts = starts.rename("started").reset_index()
        ends = f[f.event.isin(["employed", "re_employed"])].groupby(
            "member_id", sort=False).event_date.max().rename("ended")
        j = starts.merge(ends, left_on="member_id", right_index=True, how="left")
        j = j[j.ended.isna() | (j.ended < j.started)]
        pe = _first_day(self.period)
        months = (pe.year * 12 + pe.month) - (j.started.dt.year * 12 + j.started.dt.month)
        j = j.assign(months=months.astype("float64"))
        j = j[j.months >= months_min]
        return _evidence(j, household_code=j.household_code, member_id=j.member_id,
                         event_date=j.started, value=j.months, threshold=float(months_min))

    def income(self) -> pd.DataFrame:
        w = int(self.p["income_window_months"])
        start = month_add(self.period, 1 - w)
        inc = _read(self.snapshot["incomes"],
                    ["household_code", "period", "wage", "business", "property", "transfer",
                     "business_cost", "compliant_oop_medical"],
                    filters=[("period", ">=", start), ("period", "<=", self.period)])
        inc = inc[inc.household_code.str.startswith(self.prefix, na=False)]
        net = (inc.wage.fillna(0) + inc.business.fillna(0) + inc.property.fillna(0)
               + inc.transfer.fillna(0) - inc.business_cost.fillna(0)).astype("float64")
        g = inc.assign(net=net, oop=inc.compliant_oop_medical.fillna(0)).groupby(
            "household_code", sort=False).agg(net_sum=("net", "sum"),
                                              months=("period", "nunique"),
                                              oop=("oop", "sum"))
        m = _read(self.snapshot["members"], ["member_id", "household_code", "member_status"])
        m = m[m.household_code.str.startswith(self.prefix, na=False)
              & (m.member_status == "active")]
        size = m.groupby("household_code", sort=False).member_id.count().rename("members")
        j = g.join(size, how="inner")
        j = j[(j.months >= int(self.p["income_window_min_months"])) & (j.members > 0)]
        annual = j.net_sum * w / j.months
        return pd.DataFrame({"household_code": j.index, "months": j.months.to_numpy(),
                             "members": j.members.to_numpy(),
                             "oop": j.oop.astype("float64").to_numpy(),
                             "net": annual.to_numpy(),
                             "pcni": (annual / j.members).to_numpy()})

    def not_monitored(self) -> pd.Series:
        return self.h.monitoring_category.isna() | self.h.risk_eliminated.eq(True)

    def income_below_line(self, inc: pd.DataFrame, household_type: str) -> pd.DataFrame:
        h = self.h[(self.h.household_type == household_type) & self.not_monitored()]
        j = inc[inc.household_code.isin(h.household_code)]
        line = float(self.p["monitoring_line"])
        j = j[j.pcni < line]
        return _evidence(j, household_code=j.household_code, value=j.pcni, threshold=line)

    def rigid_spending(self, inc: pd.DataFrame, med: pd.DataFrame) -> pd.DataFrame:
        fm = med.groupby("household_code", sort=False).oop_compliant.sum().astype("float64")
        j = inc.assign(feed_oop=inc.household_code.map(fm))
        rigid = np.maximum(j.oop, j.feed_oop.fillna(0.0))
        j = j.assign(rigid=rigid, adj=(j.net - rigid) / j.members)
        line = float(self.p["monitoring_line"])
        j = j[(j.pcni >= line) & (j.adj < line) & (j.rigid > 0)]
        return _evidence(j, household_code=j.household_code, value=j.adj, value2=j.pcni,
                         threshold=line, share=j.rigid)

    def negative_screen(self) -> pd.DataFrame:
        f = self.feed("assets", ["registered_date", "asset", "record_id"])
        f = f[(f.batch_month <= self.period) & f.household_code.notna()]
        g = f.groupby("household_code", sort=False).agg(
            event_date=("registered_date", "min"), detail=("asset", "min"),
            value=("record_id", "count")).reset_index()
        return _evidence(g, household_code=g.household_code, event_date=g.event_date,
                         detail=g.detail, value=g.value.astype("float64"))

    # ------------------------------------------------------------------ all rules
    def evidence(self) -> dict[str, pd.DataFrame]:
        p = self.p
        prev = float(p["prov_rural_income_prev"])
        out = {}
        med = self.medical_window()
        out["R7-MED-01"] = self.sum_window(
            med, (p["medical_share_poverty_or_monitored"] * prev, p["medical_share_other"] * prev),
            (float(p["medical_share_poverty_or_monitored"]), float(p["medical_share_other"])))
        out["R7-MED-02"] = self.sum_window(
            med, (float(p["medical_absolute_low_income"]), float(p["medical_absolute_general"])),
            None)
        out["R7-MED-03"] = self.max_record((float(p["single_hospitalization_monitored"]),
                                            float(p["single_hospitalization_other"])))
        f = self.received("civil_affairs", ["effective_date", "change", "benefit"])
        f = f[f.change.isin(["new", "granted"])
              & f.benefit.isin(["dibao", "tekun", "temporary_assistance", "low_income_margin"])]
        out["R7-CIV-01"] = self.event(f, "effective_date", detail="benefit")
        f = self.received("disability", ["issue_date", "change", "grade", "disability_type"])
        f = f[f.change.isin(["new", "regrade"]) & (f.grade <= p["severe_disability_grade_max"])]
        out["R7-DIS-01"] = self.event(f, "issue_date", value="grade", agg="min",
                                      detail="disability_type")
        f = self.received("education", ["event_date", "event", "stage"])
        out["R7-EDU-01"] = self.event(f[f.event == "suspected_dropout"], "event_date",
                                      detail="stage")
        f = self.received("housing", ["appraisal_date", "grade"])
        out["R7-HOU-01"] = self.event(f[f.grade.isin(list(p["housing_unsafe_grades"]))],
                                      "appraisal_date", detail="grade")
        w = self.received("water", ["start_date", "event", "outage_days"])
        days = float(p["water_outage_days_min"])
        out["R7-WAT-01"] = self.village_event(
            w[(w.event == "outage") & (w.outage_days > days)], "start_date", "outage_days",
            days)
        out["R7-WAT-02"] = self.village_event(w[w.event == "quality_failed"], "start_date",
                                              None, None)
        f = self.received("emergency", ["declared_date", "house_damage", "loss_yuan"])
        f = f[f.house_damage.isin(list(p["disaster_house_damage"]))
              | (f.loss_yuan > p["disaster_loss_yuan_min"])]
        out["R7-EMG-01"] = self.event(f, "declared_date", value="loss_yuan", agg="max",
                                      detail="house_damage")
        out["R7-HR-01"] = self.unresolved_duration(int(p["returned_without_work_months"]))
        f = self.received("public_security", ["event_date", "event", "severity"])
        out["R7-PS-01"] = self.event(
            f[f.event.isin(["traffic_injury", "criminal_injury"])
              & f.severity.isin(["serious", "disabled", "death"])], "event_date",
            detail="event")
        out["R7-PS-02"] = self.event(f[f.event == "death"], "event_date")
        inc = self.income()
        out["R2-INC-01"] = self.income_below_line(inc, "poverty_alleviated")
        out["R2-INC-02"] = self.income_below_line(inc, "ordinary")
        out["R2-SUD-01"] = self.rigid_spending(inc, med)
        out["R7-AST-01"] = self.negative_screen()
        return out

    def alerts(self) -> pd.DataFrame:
        ev = self.evidence()
        h = self.h.set_index("household_code")
        active = h.monitoring_category.notna() & ~h.risk_eliminated.eq(True)
        parts = []
        risks = h.risk_types[active].explode().dropna()
        for rule in RULES:
            e = ev[rule.id]
            e = e[e.household_code.isin(h.index)]
            hc = e.household_code
            if rule.risk_type is not None and rule.category is None:
                dup = risks.index[risks == rule.risk_type]
                e = e[~hc.isin(dup)]
            elif rule.category is not None:
                e = e[~active.reindex(hc).to_numpy()]
            parts.append(e.assign(rule_id=rule.id,
                                  village_code=h.village_code.reindex(e.household_code)
                                  .to_numpy()))
        out = pd.concat([x for x in parts if len(x)] or parts[:1], ignore_index=True)
        other = set(out.household_code[out.rule_id != "R7-AST-01"])
        out = out[(out.rule_id != "R7-AST-01") | out.household_code.isin(other)]
        return out.reset_index(drop=True)


def run(snapshot: Mapping[str, Path], feeds: Mapping[str, Path], prefix: str,
        period: str) -> pd.DataFrame:
    return Baseline(snapshot, feeds, prefix, period).alerts()
