"""Planted data errors of the kinds the §5.3 quality rules look for.

Errors are planted into the registry view only, after the clean tables are complete, with a
random stream of their own: a clean copy (``clean=True``) is byte-for-byte the same data minus
the planted cells. One row carries at most one planted mutation; a mutation that necessarily
breaks a second rule (flipping a spouse's sex breaks both the head/spouse rule and the ID/sex
rule) is recorded under both kinds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import identity, schema
from .population import DIBAO, EDU, HEALTH, LAB, REL, SCH, TEKUN, WAGE_WORK, WORK

#: relative frequency of each kind among planted member / household errors [I]
MEMBER_KINDS = {
    "id_checksum": 10, "id_length": 5, "id_no_id": 3, "id_duplicate": 2,
    "id_birth_mismatch": 8, "id_sex_mismatch": 4, "relation_sex": 6, "relation_age": 3,
    "head_spouse_same_sex": 2, "labour_under_16": 5, "labour_healthy_adult": 8,
    "labour_severe_disability": 2, "schooling_age": 5, "education_age": 5,
    "student_working": 3, "migrant_wage_low": 4, "phone_format": 6, "missing_required": 10,
    "med_ins_both": 4, "tekun_able_adult": 2, "welfare_post_age": 3,
}
HOUSEHOLD_KINDS = {
    "land_range": 5, "road_distance": 3, "housing_flag_grade": 3, "water_flag": 3,
    "phone_format": 4, "missing_required": 6, "dibao_no_transfer": 3,
}
_SWAP_SEX = {"son": "daughter", "daughter": "son", "grandson": "granddaughter",
             "granddaughter": "grandson", "father": "mother", "mother": "father",
             "daughter_in_law": "son_in_law"}


class Recorder:
    def __init__(self):
        self.rows = []

    def add(self, table, hh_codes, member_ids, periods, field, kind, original, planted):
        n = len(original)
        if not n:
            return

        def col(x):
            if x is None:
                return pa.nulls(n, pa.string())
            if isinstance(x, pa.Array | pa.ChunkedArray):
                return x.cast(pa.string())
            return pa.array(x, pa.string())

        self.rows.append(pa.table({
            "table": pa.array([table] * n, pa.string()),
            "household_code": col(hh_codes), "member_id": col(member_ids),
            "period": col(periods), "field": pa.array([field] * n, pa.string()),
            "kind": pa.array([kind] * n, pa.string()),
            "original_value": col(original), "planted_value": col(planted)}))

    def table(self) -> pa.Table:
        if not self.rows:
            return schema.conform(pa.table({"table": pa.array([], pa.string())}),
                                  "planted_errors")
        return schema.conform(pa.concat_tables(self.rows), "planted_errors")


def _labels(enum, idx):
    codes = np.array(schema.enum_codes(enum) + [None], dtype=object)
    idx = np.asarray(idx)
    return codes[np.where(idx < 0, len(codes) - 1, idx)].tolist()


def _quota(rng, n_rows, rate, weights):
    total = int(round(n_rows * rate))
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    counts = rng.multinomial(total, p / p.sum()) if total else np.zeros(len(keys), int)
    return dict(zip(keys, counts.tolist(), strict=True))


def _choose(rng, eligible, used, k):
    cand = np.flatnonzero(eligible & ~used)
    if k <= 0 or not cand.size:
        return cand[:0]
    pick = rng.choice(cand, size=min(k, cand.size), replace=False)
    pick.sort()
    used[pick] = True
    return pick


def plant_members(rng, m: dict, rec: Recorder, rate: float) -> None:
    """Mutate the member columns ``m`` in place (numpy arrays and Arrow string arrays)."""
    n = len(m["rel"])
    used = ~m["in_registry"]  # people the registry does not list cannot carry its errors
    quota = _quota(rng, int(m["in_registry"].sum()), rate, MEMBER_KINDS)
    age = m["age"]
    mid = m["member_id"]
    hhc = m["household_code"]
    ids = m["resident_id"]
    idlen = pc.utf8_length(ids).to_numpy(zero_copy_only=False)
    ok_id = idlen == 18

    def record(rows, field, kind, original, planted):
        rec.add("members", hhc.take(pa.array(rows)), mid.take(pa.array(rows)), None, field,
                kind, original, planted)

    def set_ids(rows, new_values, kind):
        nonlocal ids
        old = ids.take(pa.array(rows))
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        ids = pc.replace_with_mask(ids, pa.array(mask), pa.array(new_values, pa.string()))
        record(rows, "resident_id", kind, old, new_values)

    rows = _choose(rng, ok_id, used, quota["id_checksum"])
    if rows.size:
        old = ids.take(pa.array(rows)).to_pylist()
        new = []
        for v, r in zip(old, rng.integers(1, 11, rows.size), strict=True):
            good = identity.CHECK_CHARS.index(v[17])
            new.append(v[:17] + identity.CHECK_CHARS[(good + int(r)) % 11])
        set_ids(rows, new, "id_checksum")
    rows = _choose(rng, ok_id, used, quota["id_length"])
    if rows.size:
        old = ids.take(pa.array(rows)).to_pylist()
        cut = rng.random(rows.size) < 0.5
        new = [v[:17] if c else v + str(d) for v, c, d in
               zip(old, cut, rng.integers(0, 10, rows.size), strict=True)]
        set_ids(rows, new, "id_length")
    rows = _choose(rng, ok_id, used, quota["id_no_id"])
    if rows.size:
        old = ids.take(pa.array(rows)).to_pylist()
        set_ids(rows, ["999999" + v[6:] for v in old], "id_no_id")
    rows = _choose(rng, ok_id, used, quota["id_duplicate"])
    if rows.size:
        donors = rng.integers(0, n, rows.size)
        donors = np.where(donors == rows, (donors + 1) % n, donors)
        set_ids(rows, ids.take(pa.array(donors)).to_pylist(), "id_duplicate")
    m["resident_id"] = ids

    rows = _choose(rng, ok_id, used, quota["id_birth_mismatch"])
    if rows.size:
        old = m["birth"][rows].copy()
        shift = rng.integers(1, 400, rows.size) * np.where(rng.random(rows.size) < 0.5, -1, 1)
        m["birth"][rows] = old + shift.astype("timedelta64[D]")
        record(rows, "birth_date", "id_birth_mismatch", old.astype(str).tolist(),
               m["birth"][rows].astype(str).tolist())
    head_or_single = m["rel"] == REL["head"]
    rows = _choose(rng, ok_id & head_or_single & ~m["has_spouse"], used,
                   quota["id_sex_mismatch"])
    if rows.size:
        old = np.where(m["male"][rows], "M", "F")
        m["male"][rows] = ~m["male"][rows]
        record(rows, "sex", "id_sex_mismatch", old.tolist(),
               np.where(m["male"][rows], "M", "F").tolist())
    swap = {REL[a]: REL[b] for a, b in _SWAP_SEX.items()}
    rows = _choose(rng, np.isin(m["rel"], list(swap)), used, quota["relation_sex"])
    if rows.size:
        old = m["rel"][rows].copy()
        m["rel"][rows] = np.array([swap[int(r)] for r in old])
        record(rows, "relation_to_head", "relation_sex", _labels("relation_to_head", old),
               _labels("relation_to_head", m["rel"][rows]))
    younger_child = np.isin(m["rel"], [REL["son"], REL["daughter"]]) & (age < m["head_age"] - 18)
    rows = _choose(rng, younger_child, used, quota["relation_age"])
    if rows.size:
        old = m["rel"][rows].copy()
        m["rel"][rows] = np.where(m["male"][rows], REL["father"], REL["mother"])
        record(rows, "relation_to_head", "relation_age", _labels("relation_to_head", old),
               _labels("relation_to_head", m["rel"][rows]))
    rows = _choose(rng, (m["rel"] == REL["spouse"]) & ok_id, used,
                   quota["head_spouse_same_sex"])
    if rows.size:
        old = np.where(m["male"][rows], "M", "F")
        m["male"][rows] = ~m["male"][rows]
        new = np.where(m["male"][rows], "M", "F")
        record(rows, "sex", "head_spouse_same_sex", old.tolist(), new.tolist())
        record(rows, "sex", "id_sex_mismatch", old.tolist(), new.tolist())
    rows = _choose(rng, (age < 16) & (m["lab"] == LAB["none"]), used, quota["labour_under_16"])
    _set_enum(m, rows, "lab", "labour_skill", LAB["ordinary"], "labour_under_16", record)
    healthy_adult = ((age >= 16) & (age <= 59) & ~m["student"] &
                     (m["health"] == HEALTH["healthy"]) &
                     np.isin(m["lab"], [LAB["ordinary"], LAB["skilled"]]) &
                     ~np.isin(m["work"], WAGE_WORK))
    rows = _choose(rng, healthy_adult, used, quota["labour_healthy_adult"])
    _set_enum(m, rows, "lab", "labour_skill",
              rng.choice([LAB["weak"], LAB["lost"], LAB["none"]], rows.size),
              "labour_healthy_adult", record)
    severe = (m["health"] == HEALTH["disabled"]) & (m["dis_grade"] >= 1) & (m["dis_grade"] <= 2) \
        & (m["dis_type"] == schema.enum_codes("disability_type").index("physical")) & (age >= 16)
    rows = _choose(rng, severe, used, quota["labour_severe_disability"])
    _set_enum(m, rows, "lab", "labour_skill", LAB["ordinary"], "labour_severe_disability",
              record)
    rows = _choose(rng, (age >= 22) & (age <= 60) & (m["sch"] == SCH["not_in_school"]), used,
                   quota["schooling_age"])
    _set_enum(m, rows, "sch", "schooling_status", SCH["grade_8"], "schooling_age", record)
    rows = _choose(rng, (age >= 16) & (age <= 22) & ~m["student"] & (m["edu"] >= 0), used,
                   quota["education_age"])
    _set_enum(m, rows, "edu", "education", EDU["primary"], "education_age", record)
    rows = _choose(rng, m["student"] & (age >= 15) & (m["work"] == WORK["not_working"]), used,
                   quota["student_working"])
    _set_enum(m, rows, "work", "work_status", WORK["migrant_out_of_province"],
              "student_working", record)
    if rows.size:
        m["mig_income"][rows] = np.round(rng.uniform(2000, 4000, rows.size), -2).astype(np.int64)
        record(rows, "migrant_monthly_income", "student_working", [None] * rows.size,
               m["mig_income"][rows].astype(str).tolist())
    migrant = np.isin(m["work"], WAGE_WORK) & (m["mig_income"] > 0)
    rows = _choose(rng, migrant, used, quota["migrant_wage_low"])
    if rows.size:
        old = m["mig_income"][rows].copy()
        m["mig_income"][rows] = rng.integers(30, 400, rows.size)
        record(rows, "migrant_monthly_income", "migrant_wage_low", old.astype(str).tolist(),
               m["mig_income"][rows].astype(str).tolist())
    phones = m["phone"]
    has_phone = pc.is_valid(phones).to_numpy(zero_copy_only=False)
    rows = _choose(rng, has_phone, used, quota["phone_format"])
    if rows.size:
        old = phones.take(pa.array(rows)).to_pylist()
        new = _bad_phones(rng, old)
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        m["phone"] = pc.replace_with_mask(phones, pa.array(mask), pa.array(new, pa.string()))
        record(rows, "phone", "phone_format", old, new)
    rows = _choose(rng, np.ones(n, dtype=bool), used, quota["missing_required"])
    if rows.size:
        which = rng.integers(0, 3, rows.size)
        for w, (key, field, enum) in enumerate((("lab", "labour_skill", "labour_skill"),
                                                ("rel", "relation_to_head", "relation_to_head"),
                                                ("sch", "schooling_status", "schooling_status"))):
            r = rows[which == w]
            if not r.size:
                continue
            old = m[key][r].copy()
            m[key][r] = -1
            record(r, field, "missing_required", _labels(enum, old), [None] * r.size)
    rows = _choose(rng, m["med_res"] & ~m["med_emp"], used, quota["med_ins_both"])
    if rows.size:
        m["med_emp"][rows] = True
        record(rows, "med_ins_employee", "med_ins_both", ["false"] * rows.size,
               ["true"] * rows.size)
    able_adult = ((age >= 18) & (age <= 59) & ~m["student"] & (m["health"] == HEALTH["healthy"])
                  & (m["tekun"] == TEKUN["none"]) & (m["dibao"] == DIBAO["none"]))
    rows = _choose(rng, able_adult, used, quota["tekun_able_adult"])
    _set_enum(m, rows, "tekun", "tekun", TEKUN["dispersed"], "tekun_able_adult", record)
    rows = _choose(rng, (age >= 70) & (m["post"] < 0), used, quota["welfare_post_age"])
    _set_enum(m, rows, "post", "welfare_post", 0, "welfare_post_age", record)
    if rows.size:
        m["post_start"][rows] = m["end_month"] - 6
        record(rows, "welfare_post_start_month", "welfare_post_age", [None] * rows.size,
               [str(np.datetime64(int(m["end_month"]) - 6, "M"))] * rows.size)


def _set_enum(m, rows, key, enum, value, kind, record):
    if not rows.size:
        return
    old = m[key][rows].copy()
    m[key][rows] = value
    field = {"lab": "labour_skill", "sch": "schooling_status", "edu": "education",
             "work": "work_status", "tekun": "tekun", "post": "welfare_post"}[key]
    record(rows, field, kind, _labels(enum, old), _labels(enum, m[key][rows]))


def _bad_phones(rng, old):
    out = []
    for v, r in zip(old, rng.integers(0, 3, len(old)), strict=True):
        if r == 0:
            out.append(v[:10])            # one digit short
        elif r == 1:
            out.append("12" + v[2:])      # invalid second digit
        else:
            out.append(v + "0")           # one digit too many
    return out


def plant_households(rng, hcols: dict, rec: Recorder, rate: float, dibao_hh: np.ndarray
                     ) -> np.ndarray:
    """Mutate household columns; returns the households whose transfers must be zeroed."""
    n = len(hcols["grade"])
    used = np.zeros(n, dtype=bool)
    quota = _quota(rng, n, rate, HOUSEHOLD_KINDS)
    codes = hcols["household_code"]

    def record(rows, field, kind, original, planted, table="households"):
        rec.add(table, codes.take(pa.array(rows)), None, None, field, kind, original, planted)

    rows = _choose(rng, np.ones(n, dtype=bool), used, quota["land_range"])
    if rows.size:
        forest = rng.random(rows.size) < 0.4
        for key, field, lo, hi, sel in (("cultivated", "cultivated_mu", 120, 600, ~forest),
                                        ("forest", "forest_mu", 250, 900, forest)):
            r = rows[sel]
            old = hcols[key][r].copy()
            hcols[key][r] = np.round(rng.uniform(lo, hi, r.size), 1)
            record(r, field, "land_range", old.astype(str).tolist(),
                   hcols[key][r].astype(str).tolist())
    rows = _choose(rng, np.ones(n, dtype=bool), used, quota["road_distance"])
    if rows.size:
        old = hcols["road_km"][rows].copy()
        hcols["road_km"][rows] = np.round(rng.uniform(6, 30, rows.size), 2)
        record(rows, "main_road_distance_km", "road_distance", old.astype(str).tolist(),
               hcols["road_km"][rows].astype(str).tolist())
    rows = _choose(rng, hcols["grade"] <= 1, used, quota["housing_flag_grade"])
    if rows.size:
        hcols["dangerous"][rows] = True
        record(rows, "dangerous_house", "housing_flag_grade", ["false"] * rows.size,
               ["true"] * rows.size)
    rows = _choose(rng, hcols["safe_water"], used, quota["water_flag"])
    if rows.size:
        which = rng.integers(0, 4, rows.size)
        for w, (key, field) in enumerate((("w_qty", "water_quantity_ok"),
                                          ("w_qual", "water_quality_ok"),
                                          ("w_conv", "water_convenience_ok"),
                                          ("w_supply", "water_supply_ok"))):
            r = rows[which == w]
            hcols[key][r] = False
            record(r, field, "water_flag", ["true"] * r.size, ["false"] * r.size)
    phones = hcols["phone"]
    rows = _choose(rng, pc.is_valid(phones).to_numpy(zero_copy_only=False), used,
                   quota["phone_format"])
    if rows.size:
        old = phones.take(pa.array(rows)).to_pylist()
        new = _bad_phones(rng, old)
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        hcols["phone"] = pc.replace_with_mask(phones, pa.array(mask), pa.array(new, pa.string()))
        record(rows, "phone", "phone_format", old, new)
    rows = _choose(rng, np.ones(n, dtype=bool), used, quota["missing_required"])
    if rows.size:
        which = rng.integers(0, 3, rows.size)
        r = rows[which == 0]
        if r.size:
            old = hcols["house_area"][r].copy()
            hcols["house_area_null"][r] = True
            record(r, "housing_area_m2", "missing_required", old.astype(str).tolist(),
                   [None] * r.size)
        r = rows[which == 1]
        if r.size:
            old = hcols["phone"].take(pa.array(r))
            mask = np.zeros(n, dtype=bool)
            mask[r] = True
            hcols["phone"] = pc.if_else(pa.array(mask), pa.nulls(n, pa.string()), hcols["phone"])
            record(r, "phone", "missing_required", old, [None] * r.size)
        r = rows[which == 2]
        if r.size:
            hcols["road_null"][r] = True
            record(r, "road_hardened", "missing_required",
                   np.where(hcols["road"][r], "true", "false").tolist(), [None] * r.size)
    rows = _choose(rng, dibao_hh, used, quota["dibao_no_transfer"])
    if rows.size:
        record(rows, "transfer", "dibao_no_transfer", ["(monthly)"] * rows.size,
               ["0"] * rows.size, table="incomes")
    return rows


def plant_incomes(rng, inc: dict, rec: Recorder, rate: float, hh_codes: pa.Array,
                  periods: pa.Array) -> None:
    """Implausible monthly amounts in the registry's income rows (flat arrays)."""
    n = len(inc["wage"])
    k = int(round(n * rate))
    if not k:
        return
    used = np.zeros(n, dtype=bool)
    rows = _choose(rng, inc["wage"] >= 1000, used, k)
    small = rng.random(rows.size) < 0.5
    for sel, field in ((small, "wage"), (~small, "business")):
        r = rows[sel]
        if not r.size:
            continue
        old = inc[field][r].copy()
        if field == "wage":
            inc[field][r] = rng.integers(1, 100, r.size)
        else:
            inc[field][r] = np.maximum(old, 100) * 100
        rec.add("incomes", hh_codes.take(pa.array(r)), None, periods.take(pa.array(r)), field,
                "income_implausible", old.astype(str).tolist(), inc[field][r].astype(str).tolist())
