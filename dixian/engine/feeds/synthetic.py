"""Realistic departmental feeds derived from the synthetic generator's ground truth.

:func:`derive_feeds` reads a directory written by :func:`dixian.engine.synth.generate` and
writes one file per department and month, the way departments push them (domain.md §5.1):

* **medical**: claims for serious illness, chronic illness, accidents and new disabilities,
  split over the months of treatment, with total cost, the three schemes' shares and the
  compliant out-of-pocket part (the ``cost`` / ``oop`` of each shock), plus small background
  claims of healthy people;
* **civil_affairs**: temporary assistance after illness, accident, disaster and death; new
  低保 and 低保边缘 cases for households that truly fall into the monitoring range; a few
  ended cases and grants to households outside the truth (the background);
* **disability**: new certificates (grade 1–4) after a new disability;
* **education**: student aid after school-cost shocks, vocational students, and suspected
  dropouts that are mostly false alarms (returned the next month);
* **housing**: C/D appraisals after disasters, routine appraisals of registry houses;
* **water**: outages and failed tests by village (no ground truth: the generator has none);
* **emergency**: every disaster shock as a household loss record under a declared disaster;
* **hr_social_security**: migrants returning without work (job-loss shocks), re-employment when
  the shock ends, background employment registrations;
* **public_security**: deaths, traffic and criminal injuries from accident shocks, moves;
* **assets**: vehicles, commercial housing, businesses and public payroll, mostly among the
  richer households.

Noise, all seeded: late records (filed one or two months after the event), exact duplicates,
IDs that match nobody in the registry, and a share of files with one malformed cell (such a
file fails validation, as it would in production). Files are CSV or XLSX with Chinese headers,
or Parquet with the declared English names, depending on the department.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import identity
from .schemas import FEEDS, feed_schema

__all__ = ["Noise", "derive_feeds", "FORMATS", "file_bytes"]

#: department -> (file format, header language)
FORMATS = {
    "medical": ("parquet", "en"), "civil_affairs": ("xlsx", "zh"), "disability": ("csv", "zh"),
    "education": ("csv", "zh"), "housing": ("csv", "zh"), "water": ("csv", "zh"),
    "emergency": ("xlsx", "zh"), "hr_social_security": ("csv", "zh"),
    "public_security": ("csv", "zh"), "assets": ("parquet", "en"),
}


@dataclass(frozen=True)
class Noise:
    late_share: float = 0.05          # records filed 1-2 months after their month
    duplicate_share: float = 0.02     # exact duplicate rows in the same file
    unmatched_share: float = 0.02     # IDs of people the registry does not hold
    bad_file_share: float = 0.03      # files with one malformed cell (they fail validation)

    @classmethod
    def none(cls) -> Noise:
        return cls(0.0, 0.0, 0.0, 0.0)


def _months(start: str, end: str) -> list[str]:
    y, m = map(int, start.split("-"))
    ye, me = map(int, end.split("-"))
    out = []
    while (y, m) <= (ye, me):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _shift(months: pd.Series, k) -> pd.Series:
    p = pd.PeriodIndex(months, freq="M") + np.asarray(k, dtype=np.int64)
    return pd.Series(p.strftime("%Y-%m"), index=months.index)


def _date(months: pd.Series, rng: np.random.Generator) -> pd.Series:
    day = rng.integers(1, 29, len(months))
    if len(months) == 0:  # a small county may have no such event at all
        return np.array([], dtype=object)
    return pd.to_datetime(months.to_numpy().astype(str) + "-" + pd.Series(day).map(
        "{:02d}".format).to_numpy(), format="%Y-%m-%d").date


def derive_feeds(synth_dir: str | Path, out_dir: str | Path, *, seed: int = 0,
                 noise: Noise = Noise(), departments: tuple[str, ...] | None = None) -> dict:
    """Write the departmental files under ``out_dir/<department>/``; return a summary."""
    src, out = Path(synth_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summ = json.loads((src / "summary.json").read_text(encoding="utf-8"))
    months = _months(summ["start_month"], summ["end_month"])
    rng = np.random.default_rng([seed, 0xFEED])
    con = duckdb.connect()
    for t in ("households", "members", "truth_members", "truth_shocks",
              "truth_household_years"):
        con.execute(f"create view {t} as select * from read_parquet('{src / (t + '.parquet')}')")
    shocks = con.execute("""
        select s.*, tm.resident_id, m.name,
               coalesce(s.member_id, h.head_member_id) as person,
               substr(s.household_code, 1, 12) as village_code
        from truth_shocks s join households h using (household_code)
        left join truth_members tm on tm.member_id = coalesce(s.member_id, h.head_member_id)
        left join members m on m.member_id = coalesce(s.member_id, h.head_member_id)
        order by shock_id""").df()
    # head's ID for household-level events
    people = con.execute("""
        select tm.member_id, tm.household_code, tm.resident_id, m.name, tm.birth_date,
               tm.death_month, tm.born_month, m.schooling_status, m.work_status,
               h.head_member_id = tm.member_id as is_head, substr(tm.household_code,1,12) village
        from truth_members tm left join members m using (member_id)
        join households h on h.household_code = tm.household_code
        order by tm.member_id""").df()
    years = con.execute("""select household_code, year, pcni, line, eligible_category
                           from truth_household_years order by household_code, year""").df()
    hh = con.execute("""select household_code, housing_grade, head_member_id,
                               substr(household_code,1,12) village from households
                        order by household_code""").df()
    con.close()
    people["name"] = people["name"].fillna("某某")
    heads = people[people.is_head].set_index("household_code")
    in_panel = shocks["month"].isin(months)
    shocks = shocks[in_panel].reset_index(drop=True)
    shocks["name"] = shocks["name"].fillna("某某")
    recs: dict[str, pd.DataFrame] = {}
    last = months[-1]

    # ---------------------------------------------------------------- medical
    med = shocks[shocks.shock_type.isin(["serious_illness", "chronic_illness", "accident",
                                         "disability"])].copy()
    k = np.where(med.shock_type == "serious_illness", rng.integers(1, 5, len(med)),
                 rng.integers(1, 3, len(med)))
    med = med.loc[med.index.repeat(k)].copy()
    med["part"] = med.groupby("shock_id").cumcount()
    med["k"] = med.groupby("shock_id")["part"].transform("size")
    med["month"] = _shift(med["month"], med["part"] * rng.integers(1, 3, len(med)))
    oop = (med["oop"].fillna(0) / med["k"]).round().astype(int)
    cost = np.maximum((med["cost"].fillna(0) / med["k"]).round().astype(int), oop * 3)
    bg = people[people.death_month.isna()].sample(frac=0.25, random_state=int(rng.integers(1e9)))
    bg = bg.assign(month=rng.choice(months, len(bg)), shock_id=-1,
                   shock_type="background", resident_id=bg.resident_id)
    bcost = rng.integers(100, 3000, len(bg))
    medical = pd.DataFrame({
        "resident_id": np.r_[med.resident_id.to_numpy(), bg.resident_id.to_numpy()],
        "name": np.r_[med.name.to_numpy(), bg.name.to_numpy()],
        "visit_type": np.r_[np.where(med.shock_type == "chronic_illness", "chronic_outpatient",
                                     "inpatient"), np.full(len(bg), "outpatient")],
        "month": np.r_[med.month.to_numpy(), bg.month.to_numpy()],
        "total_cost": np.r_[cost.to_numpy(), bcost],
        "oop_compliant": np.r_[oop.to_numpy(), (bcost * 0.3).round().astype(int)],
    })
    medical["basic_paid"] = ((medical.total_cost - medical.oop_compliant) * 0.8).round().astype(int)
    covered = medical.total_cost - medical.oop_compliant
    medical["critical_paid"] = (covered * 0.12).round().astype(int)
    medical["assistance_paid"] = (medical.total_cost - medical.oop_compliant - medical.basic_paid
                                  - medical.critical_paid)
    medical["settle_date"] = _date(medical.month, rng)
    medical["admission_date"] = medical["settle_date"]
    medical["hospital"] = np.where(medical.visit_type == "inpatient", "望谟县人民医院",
                                   "乡镇卫生院")
    medical["diagnosis"] = None
    medical = medical[medical.month <= last]
    medical["claim_id"] = [f"YB{i:09d}" for i in range(len(medical))]
    recs["medical"] = medical

    # ---------------------------------------------------------------- civil affairs
    ta = shocks[shocks.shock_type.isin(["serious_illness", "accident", "disaster", "death"])]
    ta = ta[rng.random(len(ta)) < 0.35].copy()
    ta["month"] = _shift(ta["month"], rng.integers(1, 4, len(ta)))
    ta_person = np.where(ta.shock_type == "death",
                         heads.reindex(ta.household_code).resident_id.to_numpy(),
                         ta.resident_id.to_numpy())
    civil = [pd.DataFrame({"resident_id": ta_person, "name": ta.name.to_numpy(),
                           "benefit": "temporary_assistance", "change": "granted",
                           "month": ta.month.to_numpy(),
                           "amount": rng.integers(500, 5000, len(ta)),
                           "reason": ta.shock_type.map({"serious_illness": "因病",
                                                        "accident": "因意外", "disaster": "因灾",
                                                        "death": "因丧"}).to_numpy(),
                           "village_code": ta.village_code.to_numpy()})]
    panel_years = sorted({int(m[:4]) for m in months})
    el = years[years.year.isin(panel_years) & years.eligible_category.notna()].copy()
    prev = years.assign(year=years.year + 1).set_index(["household_code", "year"])
    el["prev"] = prev.reindex(pd.MultiIndex.from_frame(el[["household_code", "year"]])
                              )["eligible_category"].to_numpy()
    new_el = el[el.prev.isna()]
    pick = rng.random(len(new_el))
    for benefit, lo, hi in (("dibao", 0.0, 0.3), ("low_income_margin", 0.3, 0.45)):
        sel = new_el[(pick >= lo) & (pick < hi)]
        h = heads.reindex(sel.household_code)
        mon = [f"{y}-{rng.integers(3, 13):02d}" for y in sel.year]
        civil.append(pd.DataFrame({"resident_id": h.resident_id.to_numpy(),
                                   "name": h.name.to_numpy(), "benefit": benefit,
                                   "change": "new", "month": mon,
                                   "amount": rng.integers(300, 700, len(sel)),
                                   "reason": "收入低于标准",
                                   "village_code": sel.household_code.str[:12].to_numpy()}))
    notel = years[years.year.isin(panel_years) & years.eligible_category.isna()]
    fp = notel[rng.random(len(notel)) < 0.01]
    h = heads.reindex(fp.household_code)
    civil.append(pd.DataFrame({"resident_id": h.resident_id.to_numpy(), "name": h.name.to_numpy(),
                               "benefit": "temporary_assistance", "change": "granted",
                               "month": [f"{y}-{rng.integers(1, 13):02d}" for y in fp.year],
                               "amount": rng.integers(300, 2000, len(fp)), "reason": "其他",
                               "village_code": fp.household_code.str[:12].to_numpy()}))
    civil = pd.concat(civil, ignore_index=True)
    civil = civil[civil.month.isin(months)]
    civil["effective_date"] = _date(civil.month, rng)
    civil["record_id"] = [f"MZ{i:08d}" for i in range(len(civil))]
    recs["civil_affairs"] = civil

    # ---------------------------------------------------------------- disability
    dis = shocks[shocks.shock_type == "disability"].copy()
    dis["month"] = _shift(dis["month"], rng.integers(1, 5, len(dis)))
    grade = rng.choice([1, 2, 3, 4], len(dis), p=[0.15, 0.25, 0.3, 0.3])
    dtype = rng.choice(list(FEEDS["disability"].column("disability_type").values), len(dis),
                       p=[0.1, 0.1, 0.05, 0.45, 0.1, 0.15, 0.05])
    type_digit = {k: str(i + 1) for i, k in enumerate(FEEDS["disability"].column(
        "disability_type").values)}
    disability = pd.DataFrame({
        "resident_id": dis.resident_id.to_numpy(), "name": dis.name.to_numpy(),
        "disability_type": dtype, "grade": grade, "change": "new", "month": dis.month.to_numpy()})
    disability["cert_no"] = (disability.resident_id.fillna("") + disability.disability_type.map(
        type_digit) + disability.grade.astype(str))
    disability["issue_date"] = _date(disability.month, rng)
    recs["disability"] = disability[disability.month <= last]

    # ---------------------------------------------------------------- education
    sc = shocks[(shocks.shock_type == "school_costs") & (rng.random(len(shocks)) < 0.6)]
    edu = [pd.DataFrame({"resident_id": sc.resident_id.to_numpy(), "name": sc.name.to_numpy(),
                         "event": "student_aid", "stage": "vocational",
                         "month": _shift(sc.month, rng.integers(0, 3, len(sc))).to_numpy(),
                         "aid_amount": np.full(len(sc), 1500), "aid_programme": "雨露计划"})]
    kids = people[people.schooling_status.isin([f"grade_{i}" for i in range(1, 10)])]
    sus = kids[rng.random(len(kids)) < 0.01]
    smon = pd.Series(rng.choice(months, len(sus)), index=sus.index)
    edu.append(pd.DataFrame({"resident_id": sus.resident_id.to_numpy(),
                             "name": sus.name.to_numpy(), "event": "suspected_dropout",
                             "stage": "junior", "month": smon.to_numpy(), "aid_amount": None,
                             "aid_programme": None}))
    back = rng.random(len(sus)) < 0.8
    edu.append(pd.DataFrame({"resident_id": sus.resident_id[back].to_numpy(),
                             "name": sus.name[back].to_numpy(), "event": "returned",
                             "stage": "junior", "month": _shift(smon[back], 1).to_numpy(),
                             "aid_amount": None, "aid_programme": None}))
    voc = people[people.schooling_status.fillna("").str.startswith("vocational")]
    edu.append(pd.DataFrame({"resident_id": voc.resident_id.to_numpy(),
                             "name": voc.name.to_numpy(), "event": "vocational_enrolled",
                             "stage": "vocational",
                             "month": rng.choice([m for m in months if m.endswith("-09")] or
                                                 months, len(voc)),
                             "aid_amount": None, "aid_programme": None}))
    edu = pd.concat(edu, ignore_index=True)
    edu = edu[edu.month.isin(months)]
    edu["event_date"] = _date(edu.month, rng)
    edu["school"] = np.where(edu.stage == "vocational", "黔西南州中等职业学校", "望谟县第二中学")
    edu["record_id"] = [f"JY{i:08d}" for i in range(len(edu))]
    recs["education"] = edu

    # ---------------------------------------------------------------- housing
    dsh = shocks[shocks.shock_type == "disaster"]
    hit = dsh[(rng.random(len(dsh)) < 0.4)]
    h = heads.reindex(hit.household_code)
    housing = [pd.DataFrame({"resident_id": h.resident_id.to_numpy(), "name": h.name.to_numpy(),
                             "village_code": hit.village_code.to_numpy(),
                             "month": _shift(hit.month, rng.integers(0, 3, len(hit))).to_numpy(),
                             "grade": rng.choice(["C", "D"], len(hit), p=[0.7, 0.3]),
                             "cause": "disaster", "damaged": True})]
    rout = hh[rng.random(len(hh)) < 0.05]
    h = heads.reindex(rout.household_code)
    housing.append(pd.DataFrame({"resident_id": h.resident_id.to_numpy(),
                                 "name": h.name.to_numpy(), "village_code": rout.village.to_numpy(),
                                 "month": rng.choice(months, len(rout)),
                                 "grade": rout.housing_grade.to_numpy(), "cause": "routine",
                                 "damaged": False}))
    housing = pd.concat(housing, ignore_index=True)
    housing = housing[housing.month.isin(months)]
    housing["appraisal_date"] = _date(housing.month, rng)
    housing["record_id"] = [f"ZJ{i:08d}" for i in range(len(housing))]
    recs["housing"] = housing

    # ---------------------------------------------------------------- water (no truth)
    villages = np.array(sorted(hh.village.unique()))
    rows = []
    for m in months:
        vo = villages[rng.random(len(villages)) < 0.004]
        for v in vo:
            rows.append((v, "outage", m, int(rng.integers(3, 60)), None))
        vq = villages[rng.random(len(villages)) < 0.002]
        for v in vq:
            rows.append((v, "quality_failed", m, None, str(rng.choice(["浑浊度", "大肠埃希氏菌",
                                                                        "菌落总数"]))))
    water = pd.DataFrame(rows, columns=["village_code", "event", "month", "outage_days",
                                        "indicator"])
    water["resident_id"] = None
    water["start_date"] = _date(water.month, rng) if len(water) else []
    water["end_date"] = None
    water["record_id"] = [f"SL{i:08d}" for i in range(len(water))]
    recs["water"] = water

    # ---------------------------------------------------------------- emergency
    em = dsh[rng.random(len(dsh)) < 0.9].copy()
    h = heads.reindex(em.household_code)
    loss = em.income_loss.fillna(0).to_numpy() + em.cost.fillna(0).to_numpy()
    q = np.quantile(loss, [0.5, 0.8, 0.95]) if len(loss) else [0, 0, 0]
    emergency = pd.DataFrame({
        "disaster_id": ("ZH" + em.village_code.str[:9] + em.month.str.replace("-", "")).to_numpy(),
        "disaster_type": rng.choice(["flood", "landslide", "drought", "hail"], len(em),
                                    p=[0.4, 0.2, 0.25, 0.15]),
        "month": em.month.to_numpy(), "village_code": em.village_code.to_numpy(),
        "resident_id": h.resident_id.to_numpy(), "name": h.name.to_numpy(),
        "house_damage": np.select([loss >= q[2], loss >= q[1], loss >= q[0]],
                                  ["severe", "minor", "none"], "none"),
        "crop_loss_mu": np.round(rng.uniform(0.2, 5, len(em)), 1),
        "loss_yuan": loss.astype(int)})
    emergency["declared_date"] = _date(emergency.month, rng)
    emergency["record_id"] = [f"YJ{i:08d}" for i in range(len(emergency))]
    recs["emergency"] = emergency

    # ---------------------------------------------------------------- HR
    jl = shocks[(shocks.shock_type == "job_loss") & (rng.random(len(shocks)) < 0.7)]
    hr = [pd.DataFrame({"resident_id": jl.resident_id.to_numpy(), "name": jl.name.to_numpy(),
                        "event": "returned_without_work", "month": jl.month.to_numpy(),
                        "work_region": "out_of_province", "monthly_wage": None})]
    re = jl[jl.duration_months.fillna(0) > 0]
    hr.append(pd.DataFrame({"resident_id": re.resident_id.to_numpy(), "name": re.name.to_numpy(),
                            "event": "re_employed",
                            "month": _shift(re.month, re.duration_months.astype(int)).to_numpy(),
                            "work_region": "in_province",
                            "monthly_wage": rng.integers(2500, 6000, len(re))}))
    mig = people[people.work_status.fillna("").str.startswith("migrant")]
    mig = mig[rng.random(len(mig)) < 0.1]
    hr.append(pd.DataFrame({"resident_id": mig.resident_id.to_numpy(), "name": mig.name.to_numpy(),
                            "event": "employed", "month": rng.choice(months, len(mig)),
                            "work_region": "out_of_province",
                            "monthly_wage": rng.integers(3000, 8000, len(mig))}))
    hr = pd.concat(hr, ignore_index=True)
    hr = hr[hr.month.isin(months)]
    hr["event_date"] = _date(hr.month, rng)
    hr["record_id"] = [f"RS{i:08d}" for i in range(len(hr))]
    recs["hr_social_security"] = hr

    # ---------------------------------------------------------------- public security
    de = shocks[shocks.shock_type == "death"]
    cause = rng.choice(["natural", "traffic", "criminal"], len(de), p=[0.88, 0.1, 0.02])
    ps = [pd.DataFrame({"resident_id": de.resident_id.to_numpy(), "name": de.name.to_numpy(),
                        "event": np.where(cause == "natural", "death",
                                          np.where(cause == "traffic", "traffic_injury",
                                                   "criminal_injury")),
                        "severity": "death", "month": de.month.to_numpy(),
                        "note": cause})]
    ac = shocks[shocks.shock_type == "accident"]
    kind = rng.choice(["traffic", "criminal", "none"], len(ac), p=[0.4, 0.05, 0.55])
    ac, kind = ac[kind != "none"], kind[kind != "none"]
    ps.append(pd.DataFrame({"resident_id": ac.resident_id.to_numpy(), "name": ac.name.to_numpy(),
                            "event": np.where(kind == "traffic", "traffic_injury",
                                              "criminal_injury"),
                            "severity": rng.choice(["minor", "serious", "disabled"], len(ac),
                                                   p=[0.3, 0.5, 0.2]),
                            "month": ac.month.to_numpy(), "note": None}))
    mv = people[rng.random(len(people)) < 0.01]
    ps.append(pd.DataFrame({"resident_id": mv.resident_id.to_numpy(), "name": mv.name.to_numpy(),
                            "event": "move_out", "severity": None,
                            "month": rng.choice(months, len(mv)), "note": None}))
    ps = pd.concat(ps, ignore_index=True)
    ps = ps[ps.month.isin(months)]
    ps["event_date"] = _date(ps.month, rng)
    ps["record_id"] = [f"GA{i:08d}" for i in range(len(ps))]
    recs["public_security"] = ps

    # ---------------------------------------------------------------- assets
    last_year = years[years.year == panel_years[-1]]
    rich = last_year.pcni.to_numpy() > np.quantile(last_year.pcni, 0.9) if len(last_year) else []
    p_asset = np.where(rich, 0.4, 0.02)
    own = last_year[rng.random(len(last_year)) < p_asset]
    h = heads.reindex(own.household_code)
    assets = pd.DataFrame({"resident_id": h.resident_id.to_numpy(), "name": h.name.to_numpy(),
                           "asset": rng.choice(["vehicle", "commercial_housing", "business",
                                                "public_payroll"], len(own),
                                               p=[0.6, 0.2, 0.15, 0.05]),
                           "month": rng.choice(months, len(own)),
                           "value_yuan": rng.integers(30_000, 600_000, len(own)),
                           "detail": None})
    assets["registered_date"] = _date(assets.month, rng)
    assets["record_id"] = [f"ZC{i:08d}" for i in range(len(assets))]
    recs["assets"] = assets

    # ---------------------------------------------------------------- noise and files
    report = {"files": 0, "bad_files": 0, "records": {}, "late": 0, "duplicates": 0,
              "unmatched_ids": 0}
    for dept in departments or tuple(FEEDS):
        df = recs[dept].reset_index(drop=True)
        n = len(df)
        batch = df["month"].copy()
        late = rng.random(n) < noise.late_share
        batch[late] = _shift(df.month[late], rng.integers(1, 3, int(late.sum())))
        df["batch"] = batch
        df = df[df.batch <= last]
        spec = feed_schema(dept)
        if spec.person_column and noise.unmatched_share:
            um = (rng.random(len(df)) < noise.unmatched_share) & df.resident_id.notna().to_numpy()
            if um.any():
                fake = identity.make_ids(np.full(um.sum(), "522326"),
                                         np.datetime64("1960-01-01") + rng.integers(
                                             0, 20000, um.sum()),
                                         rng.integers(400, 499, um.sum()),
                                         rng.choice(["M", "F"], um.sum())).to_pylist()
                df.loc[um, "resident_id"] = fake
                report["unmatched_ids"] += int(um.sum())
        dup = rng.random(len(df)) < noise.duplicate_share
        df = pd.concat([df, df[dup]]).sort_index(kind="stable")
        report["duplicates"] += int(dup.sum())
        report["late"] += int((df.batch != df.month).sum())
        report["records"][dept] = int(len(df))
        fmt, lang = FORMATS[dept]
        d = out / dept
        d.mkdir(exist_ok=True)
        for m in months:
            part = df[df.batch == m]
            bad = rng.random() < noise.bad_file_share and len(part) > 0
            data = file_bytes(dept, part, fmt, lang, bad_row=int(rng.integers(len(part)))
                              if bad else None)
            (d / f"{dept}_{m}.{fmt}").write_bytes(data)
            report["files"] += 1
            report["bad_files"] += int(bad)
    report["noise"] = asdict(noise)
    (out / "feeds_summary.json").write_text(json.dumps(report, ensure_ascii=False, indent=2)
                                            + "\n", encoding="utf-8")
    return report


def file_bytes(department: str, df: pd.DataFrame, fmt: str, lang: str,
               bad_row: int | None = None) -> bytes:
    """One department's records as a file in ``fmt`` with ``lang`` headers."""
    spec = feed_schema(department)
    cols = {}
    for c in spec.columns:
        v = df[c.name] if c.name in df.columns else pd.Series([None] * len(df), index=df.index)
        if c.values and lang == "zh":
            v = v.map(lambda x, c=c: c.values.get(x, x) if x is not None else None)
        if pa.types.is_date(c.type):
            v = v.map(lambda x: None if x is None or x != x else str(x))
        cols[c.zh if lang == "zh" else c.name] = v.tolist()
    table_cols = {k: pa.array([None if (x is None or (isinstance(x, float) and x != x)) else
                               (str(x) if not isinstance(x, (int, np.integer, float, bool,
                                                             np.bool_)) else x)
                               for x in v]) for k, v in cols.items()}
    if bad_row is not None:
        # one malformed cell in the date column
        date_col = spec.column(spec.date_column)
        key = date_col.zh if lang == "zh" else date_col.name
        vals = [str(x) if x is not None else None for x in table_cols[key].to_pylist()]
        vals[bad_row] = "2025-02-30"
        table_cols[key] = pa.array(vals, pa.string())
    if fmt == "parquet":
        t = pa.table({k: (v if bad_row is not None else v) for k, v in table_cols.items()})
        buf = io.BytesIO()
        pq.write_table(t, buf)
        return buf.getvalue()
    if fmt == "csv":
        frame = pd.DataFrame({k: v.to_pylist() for k, v in table_cols.items()})
        return frame.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(department)
        ws.append(list(table_cols))
        lists = [v.to_pylist() for v in table_cols.values()]
        for row in zip(*lists, strict=True):
            ws.append(list(row))
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    raise ValueError(fmt)
