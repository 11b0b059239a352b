"""The pandas baseline: a subset of the quality rules written the way an analyst would in plain
pandas (vectorised, no Python loops over rows), with the engine's semantics (empty values do
not fire, ages on as_of, the same parameters). ``run`` returns the number of findings per rule,
which the benchmark compares with the engine's on the same data."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pandas as pd

RULES = ["DQ-CMP-08", "DQ-IDN-01", "DQ-IDN-02", "DQ-IDN-05", "DQ-IDN-07", "DQ-IDN-08",
         "DQ-IDN-09", "DQ-LOG-01", "DQ-LOG-02", "DQ-LOG-03", "DQ-LOG-04", "DQ-REL-01",
         "DQ-REL-02", "DQ-RNG-05", "DQ-POL-01", "DQ-POL-03", "DQ-POL-05", "DQ-CMP-01",
         "DQ-RNG-01", "DQ-RNG-02", "DQ-RNG-04", "DQ-POL-10", "DQ-POL-11", "DQ-POL-08",
         "DQ-POL-04", "DQ-MON-03", "DQ-RNG-07", "DQ-RNG-08", "DQ-RNG-09"]

WAGE_WORK = ["local_employed", "migrant_in_province", "migrant_out_of_province"]
NOT_STUDYING = ["not_in_school", "preschool_child", "dropout"]
MALE = ["son", "son_in_law", "grandson", "grandson_maternal", "great_grandson", "father",
        "husband_father", "wife_father", "grandfather", "uncle", "nephew"]
FEMALE = ["daughter", "daughter_in_law", "granddaughter", "granddaughter_maternal",
          "great_granddaughter", "mother", "husband_mother", "wife_mother", "grandmother",
          "niece", "sibling_in_law"]
WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)])
CHECK = np.array(list("10X98765432"))


def _members(m: pd.DataFrame, as_of: _dt.date) -> dict[str, int]:
    out = {}
    active = m.member_status.fillna("active") != "deceased"
    birth = pd.to_datetime(m.birth_date)
    md = birth.dt.month * 100 + birth.dt.day
    age = as_of.year - birth.dt.year - (md > as_of.month * 100 + as_of.day).astype(int)
    sch = m.schooling_status
    in_school = sch.notna() & ~sch.isin(NOT_STUDYING)
    not_in_school = sch.notna() & sch.isin(NOT_STUDYING)
    wage_work = m.work_status.isin(WAGE_WORK)
    lab = m.labour_skill

    rid = m.resident_id
    blank = rid.isna() | (rid.str.strip() == "")
    no_id = rid.str.startswith("999999", na=False)
    length = rid.str.len()
    len_ok = length.isin([18, 20, 22])
    chars_ok = rid.str.match(r"^[0-9]{17}[0-9X]", na=False)
    out["DQ-CMP-08"] = int((active & lab.isna()).sum())
    out["DQ-IDN-01"] = int((~blank & ~no_id & length.notna() & ~len_ok).sum())
    idx = len_ok & ~no_id & chars_ok
    digits = np.stack([rid[idx].str[i].astype(int).to_numpy() for i in range(17)], axis=1)
    check = pd.Series(CHECK[(digits @ WEIGHTS) % 11], index=rid[idx].index)
    bad_check = pd.Series(False, index=m.index)
    bad_check[idx] = (rid[idx].str[17] != check).to_numpy(dtype=bool)
    out["DQ-IDN-02"] = int(bad_check.sum())
    out["DQ-IDN-05"] = int((active & no_id).sum())
    valid = ~blank & ~no_id
    hh_per_id = m[valid].groupby("resident_id").household_code.nunique()
    out["DQ-IDN-07"] = int(m.resident_id[valid].map(hh_per_id).gt(1).sum())
    id_date = pd.to_datetime(rid.str[6:14], format="%Y%m%d", errors="coerce")
    date_ok = id_date.notna() & (id_date >= "1900-01-01") & (id_date <= pd.Timestamp(as_of))
    birth_ymd = birth.dt.year * 10000 + md
    id_ymd = pd.to_numeric(rid.str[6:14], errors="coerce")
    out["DQ-IDN-08"] = int((idx & date_ok & birth.notna() & (birth_ymd != id_ymd)).sum())
    id_sex = np.where(pd.to_numeric(rid.str[16], errors="coerce") % 2 == 1, "M", "F")
    out["DQ-IDN-09"] = int((idx & m.sex.notna() & (m.sex != id_sex)).sum())
    out["DQ-LOG-01"] = int((active & (age < 16) & lab.notna() & (lab != "none")).sum())
    out["DQ-LOG-02"] = int((active & age.between(16, 59) & (m.health == "healthy")
                            & not_in_school & lab.isin(["weak", "lost", "none"])).sum())
    out["DQ-LOG-03"] = int((active & in_school & wage_work).sum())
    out["DQ-LOG-04"] = int((active & sch.isin(["grade_7", "grade_8", "grade_9"])
                            & age.notna() & ~age.between(12, 17)).sum())
    rel = m.relation_to_head
    out["DQ-REL-01"] = int(((rel.isin(MALE) & (m.sex == "F"))
                            | (rel.isin(FEMALE) & (m.sex == "M"))).sum())
    heads = m[rel == "head"]
    head_sex = heads[heads.member_status.fillna("active") != "deceased"].groupby(
        "household_code").sex.min()
    head_sex = head_sex.combine_first(heads.groupby("household_code").sex.min())
    hs = m.household_code.map(head_sex)
    out["DQ-REL-02"] = int((active & (rel == "spouse") & hs.notna() & (m.sex == hs)).sum())
    out["DQ-RNG-05"] = int((active & wage_work & (m.migrant_monthly_income < 400)).sum())
    tekun = m.tekun.isin(["dispersed", "centralized"])
    out["DQ-POL-01"] = int((active & tekun & age.between(18, 59) & (m.health == "healthy")
                            & not_in_school).sum())
    out["DQ-POL-03"] = int((active & m.welfare_post.notna() & ((age < 16) | (age > 69))).sum())
    out["DQ-POL-05"] = int((m.med_ins_resident.eq(True) & m.med_ins_employee.eq(True)).sum())
    return out


def _households(h: pd.DataFrame, m: pd.DataFrame, i: pd.DataFrame) -> dict[str, int]:
    out = {}
    out["DQ-CMP-01"] = int(h[["safe_drinking_water", "sanitary_toilet", "road_hardened",
                              "electricity", "housing_area_m2", "dangerous_house",
                              "housing_grade"]].isna().sum().sum())
    out["DQ-RNG-01"] = int(sum(((h[c] < 0) | (h[c] > 100)).sum()
                               for c in ("cultivated_mu", "pasture_mu", "water_surface_mu")))
    out["DQ-RNG-02"] = int(sum(((h[c] < 0) | (h[c] > 200)).sum()
                               for c in ("forest_mu", "returned_forest_mu", "orchard_mu")))
    d = h.main_road_distance_km
    out["DQ-RNG-04"] = int(((d < 0) | (d > 5)).sum())
    dh, grade = h.dangerous_house, h.housing_grade
    out["DQ-POL-10"] = int(((dh.eq(True) & grade.isin(["A", "B"]))
                            | (dh.eq(False) & grade.isin(["C", "D"]))).sum())
    ind = h[["water_quantity_ok", "water_quality_ok", "water_convenience_ok",
             "water_supply_ok"]]
    out["DQ-POL-11"] = int((h.safe_drinking_water.eq(True) & ind.eq(False).any(axis=1)).sum())
    active = m.member_status.fillna("active") != "deceased"
    unins = (active & m.med_ins_resident.eq(False) & m.med_ins_employee.eq(False)).groupby(
        m.household_code).sum()
    n_unins = h.household_code.map(unins).fillna(0)
    out["DQ-POL-08"] = int((h.uninsured_member_flag.eq(False) & (n_unins > 0)).sum())
    dibao = (active & m.dibao.isin(["rural", "urban"])).groupby(m.household_code).sum()
    win = i[(i.period >= "2025-01") & (i.period <= "2025-12")]
    g = win.groupby("household_code").agg(n=("period", "size"),
                                           transfer=("transfer", lambda s: s.fillna(0).sum()))
    n_dibao = h.household_code.map(dibao).fillna(0)
    months = h.household_code.map(g.n).fillna(0)
    transfer = h.household_code.map(g.transfer)
    out["DQ-POL-04"] = int(((n_dibao > 0) & (months >= 6) & (transfer == 0)).sum())
    elim = h.risk_eliminated.eq(True)
    out["DQ-MON-03"] = int((elim & h.elimination_mode.isna()).sum()
                           + (elim & h.eliminated_month.isna()).sum())
    return out


def _incomes(i: pd.DataFrame) -> dict[str, int]:
    out = {}
    out["DQ-RNG-07"] = int(((i.wage > 0) & (i.wage < 100)).sum())
    out["DQ-RNG-08"] = int(sum((i[c] < 0).sum() for c in (
        "wage", "business", "property", "transfer", "business_cost", "insurance_payout",
        "compliant_oop_medical")))
    n = i.groupby("household_code").household_code.transform("size")
    total = 0
    for c in ("wage", "business"):
        s = i.groupby("household_code")[c].transform("sum")
        others = (s - i[c]) / (n - 1).where(n > 1)
        total += int(((i[c] > 5000) & (i[c] > 10 * others)).sum())
    out["DQ-RNG-09"] = total
    return out


def run(data: Path, as_of: str) -> dict[str, int]:
    day = _dt.date.fromisoformat(as_of)
    h = pd.read_parquet(data / "households.parquet")
    m = pd.read_parquet(data / "members.parquet")
    i = pd.read_parquet(data / "incomes.parquet")
    out = {}
    out.update(_members(m, day))
    out.update(_households(h, m, i))
    out.update(_incomes(i))
    assert set(out) == set(RULES)
    return out
