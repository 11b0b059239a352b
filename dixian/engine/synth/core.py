"""``generate()``: a synthetic county or province on real division codes, as Parquet files."""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import divisions, identity, schema
from . import economy, errors, monitoring, names, population
from . import params as P
from .population import DIBAO, HEALTH, REL, WAGE_WORK
from .timeaxis import TimeAxis, month_strings

TABLES = ("households", "members", "incomes", "truth_incomes", "truth_members",
          "truth_shocks", "truth_household_years", "planted_errors")
PHONE_PREFIXES = np.array([130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152,
                           153, 155, 156, 157, 158, 159, 166, 173, 175, 176, 177, 180, 181,
                           182, 183, 185, 187, 188, 189, 191, 198, 199], dtype=np.int64)
PHONE_SPACE = 10 ** 8 * PHONE_PREFIXES.size
PHONE_MULT = 1_000_003  # coprime with PHONE_SPACE: key -> number is a bijection


@dataclass
class Summary:
    """What :func:`generate` wrote (also saved as ``summary.json`` beside the tables)."""

    out_dir: str
    scope_code: str
    scope_name: str
    seed: int
    clean: bool
    start_month: str
    end_month: str
    months: int
    households: int = 0
    members: int = 0
    persons_alive_end: int = 0
    income_rows: int = 0
    shocks: int = 0
    planted_errors: int = 0
    monitored_households: int = 0
    villages: int = 0
    counties: int = 0
    chunks: int = 0
    files: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("seconds")  # timings and paths stay out of the written files (identical reruns)
        d.pop("out_dir")
        return d


def _phone_strings(keys: np.ndarray, offset: int) -> pa.Array:
    valid = keys >= 0
    x = (PHONE_MULT * (np.where(valid, keys, 0).astype(np.int64) % PHONE_SPACE) + offset) \
        % PHONE_SPACE
    prefix = PHONE_PREFIXES[x // 10 ** 8]
    rest = x % 10 ** 8
    mat = np.empty((keys.size, 11), dtype=np.uint8)
    for k in range(3):
        mat[:, k] = (prefix // 10 ** (2 - k)) % 10 + 48
    for k in range(8):
        mat[:, 3 + k] = (rest // 10 ** (7 - k)) % 10 + 48
    out = identity.fixed_bytes_to_strings(mat)
    if not valid.all():
        out = pc.if_else(pa.array(valid), out, pa.nulls(keys.size, pa.string()))
    return out


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    mat = np.empty((values.size, width), dtype=np.uint8)
    for k in range(width):
        mat[:, k] = (values // 10 ** (width - 1 - k)) % 10 + 48
    return mat


def _enum(enum: str, idx: np.ndarray) -> pa.Array:
    idx = np.asarray(idx, dtype=np.int64)
    codes = pa.array(schema.enum_codes(enum), pa.string())
    mask = idx < 0
    return codes.take(pa.array(np.where(mask, 0, idx), mask=mask if mask.any() else None))


def _codes_from_int(values: np.ndarray, width: int) -> pa.Array:
    valid = values >= 0
    out = identity.fixed_bytes_to_strings(_digits(np.where(valid, values, 0), width))
    if not valid.all():
        out = pc.if_else(pa.array(valid), out, pa.nulls(values.size, pa.string()))
    return out


class _Scope:
    """Scope-wide context shared by all chunks."""

    def __init__(self, scope_code, households, seed, months, end_month, pa_share, income_scale,
                 chunk_households):
        self.time = TimeAxis(end_month, months)
        self.seed = seed
        self.scope_code = scope_code
        div = divisions.load(scope_code)
        if div.num_rows == 0:
            raise ValueError(f"unknown division code {scope_code!r}")
        self.scope_name = divisions.name_of(scope_code) or scope_code
        vil = div.filter(pc.equal(div["level"], 5))
        if vil.num_rows == 0:
            raise ValueError(f"{scope_code} has no villages")
        codes = np.array(vil["code"].to_pylist())
        vnames = vil["name"].to_pylist()
        suffix = np.array([int(c[9:]) for c in codes])
        community = suffix < 200
        if community.all():
            community[:] = False
        self.village_codes = codes
        self.village_num = codes.astype(np.int64)
        self.village_short = pa.array([_short_name(v) for v in vnames], pa.string())
        self.village_is_community = community
        county_of_v = np.array([c[:6] for c in codes])
        self.county_codes = sorted(set(county_of_v.tolist()))
        cidx = {c: i for i, c in enumerate(self.county_codes)}
        self.village_county = np.array([cidx[c] for c in county_of_v], dtype=np.int64)
        self.county_num = np.array(self.county_codes, dtype=np.int64)
        prov = scope_code[:2]
        pc_tab = divisions.load(prov, levels=(3,))
        pcodes = [c for c, nm in zip(pc_tab["code"].to_pylist(), pc_tab["name"].to_pylist(),
                                     strict=True) if nm != "市辖区"]
        self.province_county_codes = np.array(sorted(set(pcodes) | set(self.county_codes)),
                                              dtype=np.int64)
        self.ids = population.IdAllocator(self.province_county_codes)
        self.id_area_of_county = np.searchsorted(self.province_county_codes, self.county_num)
        self.id_area_province_offset = 0
        dest_codes, dest_p = [], []
        for pv, w in P.MIGRANT_DESTINATIONS.items():
            if pv == prov:
                continue
            t = divisions.load(pv, levels=(3,))
            cs = [c for c, nm in zip(t["code"].to_pylist(), t["name"].to_pylist(), strict=True)
                  if nm != "市辖区"]
            dest_codes += cs
            dest_p += [w / len(cs)] * len(cs)
        self.destination_codes = np.array(dest_codes, dtype=np.int64)
        self.destination_p = np.array(dest_p) / sum(dest_p)
        self.pa_share = pa_share if pa_share is not None else (
            P.PA_SHARE_COUNTY if len(scope_code) >= 6 else P.PA_SHARE_WIDER)
        self.income_scale = income_scale
        rng = np.random.default_rng(np.random.SeedSequence([seed, 0xD1, 0]))
        self.village_effect = rng.normal(0, 0.45, codes.size)
        rural = ~community
        if households is None:
            households = int(round(P.HOUSEHOLDS_PER_VILLAGE * rural.sum()))
        self.households = households
        # relocated households live in the county's communities (resettlement sites)
        n_reloc = int(round(households * self.pa_share * P.RELOCATED_SHARE_OF_PA /
                            (1 - P.RELOCATED_ORDINARY_SHARE)))
        weight = np.exp(rng.normal(0, P.VILLAGE_SIZE_SIGMA, codes.size))
        counts = np.zeros(codes.size, dtype=np.int64)
        reloc_flag_village = np.zeros(codes.size, dtype=np.int64)  # relocated in rural villages
        per_county_rural = np.bincount(self.village_county[rural], minlength=len(self.county_codes))
        share = per_county_rural / max(per_county_rural.sum(), 1)
        hh_county = rng.multinomial(households, share)
        rel_county = np.minimum(rng.multinomial(n_reloc, share), hh_county)
        for ci in range(len(self.county_codes)):
            v_r = np.flatnonzero(rural & (self.village_county == ci))
            v_c = np.flatnonzero(community & (self.village_county == ci))
            n_rel = int(rel_county[ci])
            n_rur = int(hh_county[ci]) - (n_rel if v_c.size else 0)
            if v_r.size:
                w = weight[v_r] / weight[v_r].sum()
                counts[v_r] = rng.multinomial(n_rur, w)
            if v_c.size:
                w = weight[v_c] / weight[v_c].sum()
                counts[v_c] = rng.multinomial(n_rel, w)
            elif v_r.size and n_rel:
                w = counts[v_r] / max(counts[v_r].sum(), 1)
                reloc_flag_village[v_r] = np.minimum(rng.multinomial(n_rel, w), counts[v_r])
        if counts.max(initial=0) > 9999:
            raise ValueError("a village would exceed 9,999 households; raise the scope size")
        self.village_counts = counts
        self.village_reloc_extra = reloc_flag_village
        # chunks: consecutive villages, about chunk_households households each
        self.chunks = []
        start, acc = 0, 0
        for v in range(codes.size):
            acc += counts[v]
            if acc >= chunk_households or v == codes.size - 1:
                self.chunks.append((start, v + 1))
                start, acc = v + 1, 0
        self.hh_offset = np.concatenate([[0], np.cumsum(counts)])

    def person_key(self, h, s):
        return (self.hh_offset[h.village[s.hh]] + h.serial[s.hh] - 1) * 32 + s.member_no


def _short_name(name: str) -> str:
    for suffix in ("村民委员会", "居民委员会", "村委会", "居委会", "委员会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _chunk_spec(ctx, v0, v1) -> SimpleNamespace:
    counts = ctx.village_counts[v0:v1]
    village_index = np.repeat(np.arange(v0, v1), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    serial = np.arange(village_index.size) - first + 1
    spec = SimpleNamespace(n_households=village_index.size, village_index=village_index,
                           serial=serial)
    # relocated households inside rural villages (counties without communities): the last ones
    extra = ctx.village_reloc_extra[village_index]
    spec.extra_relocated = serial > (ctx.village_counts[village_index] - extra)
    return spec


def generate(scope_code: str = "522326", *, households: int | None = None, seed: int = 0,
             months: int = 36, end_month: str = "2025-12", out_dir: str | Path | None = None,
             clean: bool = False, error_rate: float = P.ERROR_RATE,
             income_error_rate: float = P.INCOME_ERROR_RATE, pa_share: float | None = None,
             income_scale: float = 1.0, chunk_households: int = 40_000,
             compression: str = "zstd", progress=None) -> Summary:
    """Generate a synthetic registry and its ground truth; write Parquet files to ``out_dir``.

    ``scope_code`` is any NBS division code (default 522326 望谟县); ``households`` defaults to
    about 310 per villagers' committee. The same arguments give byte-identical files. With
    ``clean=True`` no errors are planted (the data are otherwise identical).
    """
    t_start = time.perf_counter()
    if months < 12:
        raise ValueError("months must be at least 12")
    out = Path(out_dir) if out_dir is not None else Path(tempfile.mkdtemp(prefix="dixian-synth-"))
    out.mkdir(parents=True, exist_ok=True)
    ctx = _Scope(scope_code, households, seed, months, end_month, pa_share, income_scale,
                 chunk_households)
    summ = Summary(out_dir=str(out), scope_code=scope_code, scope_name=ctx.scope_name,
                   seed=seed, clean=clean, start_month=str(ctx.time.start),
                   end_month=str(ctx.time.end), months=months,
                   villages=int((ctx.village_counts > 0).sum()),
                   counties=len(ctx.county_codes), chunks=len(ctx.chunks))
    writers: dict[str, pq.ParquetWriter] = {}
    shock_id = 0
    try:
        for ci, (v0, v1) in enumerate(ctx.chunks):
            spec = _chunk_spec(ctx, v0, v1)
            if spec.n_households == 0:
                continue
            tables = _make_chunk(ctx, spec, ci, clean, error_rate, income_error_rate, shock_id)
            shock_id += tables["truth_shocks"].num_rows
            for name in TABLES:
                tab = tables[name]
                if name not in writers:
                    writers[name] = pq.ParquetWriter(
                        out / f"{name}.parquet", schema.ALL_SCHEMAS[name],
                        compression=compression, use_dictionary=True, write_statistics=True)
                if tab.num_rows:
                    writers[name].write_table(tab, row_group_size=1 << 20)
            summ.households += tables["households"].num_rows
            summ.members += tables["members"].num_rows
            summ.income_rows += tables["incomes"].num_rows
            summ.shocks += tables["truth_shocks"].num_rows
            summ.planted_errors += tables["planted_errors"].num_rows
            summ.persons_alive_end += tables["_alive_end"]
            summ.monitored_households += tables["_monitored"]
            if progress:
                progress(ci + 1, len(ctx.chunks))
    finally:
        for name in TABLES:
            if name not in writers:
                writers[name] = pq.ParquetWriter(out / f"{name}.parquet",
                                                 schema.ALL_SCHEMAS[name],
                                                 compression=compression)
            writers[name].close()
    summ.files = {name: f"{name}.parquet" for name in TABLES}
    (out / "summary.json").write_text(json.dumps(summ.to_json(), ensure_ascii=False, indent=2)
                                      + "\n", encoding="utf-8")
    summ.seconds = time.perf_counter() - t_start
    return summ


def _make_chunk(ctx, spec, ci, clean, error_rate, income_error_rate, shock_id0) -> dict:
    seeds = np.random.SeedSequence([ctx.seed, 0xD1, 1, ci]).spawn(9)
    r_pop, r_econ, r_truth, r_reg, r_mon, r_err, r_names, r_noise = (
        np.random.default_rng(s) for s in seeds[:8])
    s_years = seeds[8]  # pre-panel annual incomes: drawn twice, identically
    t = ctx.time
    T = t.months
    pop = population.build(ctx, spec, r_pop)
    h, s = pop.h, pop.s
    h.relocated = h.relocated | spec.extra_relocated
    population.choose_poverty_alleviated(ctx, pop, r_pop)
    population.demography(ctx, pop, r_pop)
    population.school_and_work(ctx, pop, r_pop)
    population.welfare_and_housing(ctx, pop, r_pop)
    economy.baseline(ctx, pop, r_econ)
    sh = economy.draw_shocks(ctx, pop, r_econ)
    pan = economy.panel(ctx, pop, sh, r_truth, r_reg)
    reg = monitoring.registry_people(ctx, pop, sh, r_mon)
    truth0 = monitoring.annual_truth(ctx, pop, pan, sh, np.random.default_rng(s_years))
    mon = monitoring.simulate(ctx, pop, truth0, reg, sh, r_mon)
    economy.apply_assistance(ctx, pop, pan, mon, reg, r_mon)
    truth = monitoring.annual_truth(ctx, pop, pan, sh, np.random.default_rng(s_years),
                                    assist=mon)
    risk_lists, risk_note = monitoring.risk_lists(ctx, pop, mon, reg, sh, truth)

    # ---- keys, names and IDs
    hh_code_num = ctx.village_num[h.village] * 10000 + h.serial
    hh_codes = identity.fixed_bytes_to_strings(_digits(hh_code_num, 16))
    hh_of_p = hh_codes.take(pa.array(s.hh))
    member_ids = pc.binary_join_element_wise(
        hh_of_p, identity.fixed_bytes_to_strings(_digits(s.member_no, 2)), "-")
    seq = ctx.ids.allocate(s.area, s.birth, s.male)
    area_codes = ctx.province_county_codes[s.area]
    ids = identity.make_ids(area_codes, s.birth, seq, s.male)
    head_idx = s.hh_start
    head_surname = names.surnames(r_names, s.eth[head_idx])
    own_surname = names.surnames(r_names, s.eth)
    # children, grandchildren and the head's father carry the family surname
    family = np.isin(s.rel, [REL["head"], REL["son"], REL["daughter"], REL["grandson"],
                             REL["granddaughter"], REL["father"]])
    # a female head with a husband: the children carry the husband's surname
    spouse_male = (s.rel == REL["spouse"]) & s.male
    husband_idx = np.full(h.n, -1)
    husband_idx[s.hh[spouse_male]] = np.flatnonzero(spouse_male)
    fam_src = pa.array(np.where(husband_idx >= 0, 1, 0)[s.hh])
    hus_surname = own_surname.take(pa.array(np.where(husband_idx >= 0, husband_idx, 0)[s.hh]))
    fam_surname = pc.if_else(pc.equal(fam_src, 1), hus_surname,
                             head_surname.take(pa.array(s.hh)))
    is_head = s.rel == REL["head"]
    use_family = family & ~(is_head & (husband_idx[s.hh] >= 0))
    use_family_kids = family & ~is_head
    surname = pc.if_else(pa.array(use_family_kids), fam_surname,
                         pc.if_else(pa.array(use_family), head_surname.take(pa.array(s.hh)),
                                    own_surname))
    surname = pc.if_else(pa.array(is_head), head_surname.take(pa.array(s.hh)), surname)
    by = s.birth.astype("datetime64[Y]").astype(np.int64) + 1970
    given = names.given_names(r_names, s.male, by)
    full = names.full_names(surname, given)

    phones = _phone_strings(s.phone_key, ctx.seed * 7919)
    # ---- registry: members
    keep = np.flatnonzero(reg.in_registry)
    age = s.age_snap
    mig_income = np.where(np.isin(reg.work, WAGE_WORK),
                          np.maximum(np.round(s.wage_base * s.k_wage_end / 100) * 100, 800),
                          0).astype(np.int64)
    m = {
        "rel": s.rel.copy(), "male": s.male.copy(), "birth": s.birth.copy(),
        "lab": reg.lab.copy(), "sch": s.sch.copy(), "edu": reg.edu.copy(),
        "work": reg.work.copy(), "mig_income": mig_income, "med_res": s.med_res.copy(),
        "med_emp": s.med_emp.copy(), "tekun": s.tekun.copy(), "post": s.post.copy(),
        "post_start": s.post_start.copy(), "dibao": s.dibao.copy(), "health": reg.health,
        "dis_grade": reg.dis_grade, "dis_type": reg.dis_type, "student": s.student, "age": age,
        "head_age": age[head_idx][s.hh],
        "has_spouse": (np.bincount(s.hh, weights=s.rel == REL["spouse"], minlength=h.n)
                       > 0)[s.hh],
        "member_id": member_ids, "household_code": hh_of_p, "resident_id": ids,
        "phone": phones, "end_month": int(t.end.astype(np.int64)),
        "in_registry": reg.in_registry,
    }
    # ---- registry: households
    dangerous = h.grade >= 2
    first_phone = _first_valid_phone(s, phones, h.n)
    hh_phone_fallback = _phone_strings((ctx.hh_offset[h.village] + h.serial - 1) * 32 + 31,
                                       ctx.seed * 7919)
    hh_phone = pc.if_else(pc.is_valid(first_phone), first_phone, hh_phone_fallback)
    hc = {
        "household_code": hh_codes, "grade": h.grade.copy(), "dangerous": dangerous.copy(),
        "cultivated": h.cultivated.astype(np.float32), "forest": h.forest.astype(np.float32),
        "road_km": h.road_km.astype(np.float32), "w_qty": h.w_qty.copy(),
        "w_qual": h.w_qual.copy(), "w_conv": h.w_conv.copy(), "w_supply": h.w_supply.copy(),
        "safe_water": h.safe_water.copy(), "phone": hh_phone,
        "house_area": h.house_area.astype(np.float32), "house_area_null": np.zeros(h.n, bool),
        "road": h.road.copy(), "road_null": np.zeros(h.n, bool),
    }
    rec = errors.Recorder()
    zero_transfer = np.zeros(0, dtype=np.int64)
    if not clean:
        errors.plant_members(r_err, m, rec, error_rate)
        dibao_hh = np.bincount(s.hh, weights=(s.dibao != DIBAO["none"]) & reg.in_registry,
                               minlength=h.n) > 0
        zero_transfer = errors.plant_households(r_err, hc, rec, error_rate, dibao_hh)

    # ---- registry incomes: recorded view, noise, rounding, unrecorded months
    rv = pan.registry
    years = t.year
    yi = years - years.min()
    ny = yi.max() + 1
    noise_w = np.exp(h.registry_bias_w[:, None] + r_noise.normal(0, 0.05, (h.n, ny)))[:, yi]
    noise_b = np.exp(h.registry_bias_b[:, None] + r_noise.normal(0, 0.08, (h.n, ny)))[:, yi]
    inc = {
        "wage": np.round(rv.wage * noise_w, -1),
        "business": np.round(rv.business * noise_b, -1),
        "property": np.round(rv.property, -1),
        "transfer": np.round(rv.transfer, -1),
        "business_cost": np.round(rv.cost * noise_b, -1),
        "insurance_payout": np.round(rv.payout, -1),
        "compliant_oop_medical": np.round(rv.oop, -1),
    }
    if zero_transfer.size:
        inc["transfer"][zero_transfer] = 0
    recorded = (r_noise.random((h.n, T)) >= 0.015) & (rv.members > 0)
    rr, tt = np.nonzero(recorded)
    flat = {k: v[rr, tt].astype(np.int64) for k, v in inc.items()}
    inc_hh = hh_codes.take(pa.array(rr))
    periods = t.month_label(tt)
    if not clean:
        errors.plant_incomes(r_err, flat, rec, income_error_rate, inc_hh, periods)
    incomes = pa.table({"household_code": inc_hh, "period": periods,
                        **{k: pa.array(flat[k].astype(np.int32))
                           for k in schema.INCOME_COMPONENTS}})

    # ---- build the registry tables
    k = pa.array(keep)
    birth_reg = m["birth"]
    members_tab = pa.table({
        "member_id": member_ids.take(k), "household_code": hh_of_p.take(k),
        "id_type": pa.array(["resident_id"] * keep.size, pa.string()),
        "resident_id": m["resident_id"].take(k), "name": full.take(k),
        "sex": pa.array(np.where(m["male"][keep], "M", "F").tolist(), pa.string()),
        "birth_date": pa.array(birth_reg[keep]).cast(pa.date32()),
        "ethnicity": pa.array(s.eth[keep].tolist(), pa.string()),
        "relation_to_head": _enum("relation_to_head", m["rel"][keep]),
        "education": _enum("education", m["edu"][keep]),
        "schooling_status": _enum("schooling_status", m["sch"][keep]),
        "health": _enum("health", reg.health[keep]),
        "disability_type": _enum("disability_type", reg.dis_type[keep]),
        "disability_grade": pa.array(reg.dis_grade[keep].astype(np.int8),
                                     mask=reg.dis_grade[keep] <= 0),
        "disability_cert": pa.array(reg.dis_cert[keep],
                                    mask=reg.health[keep] != HEALTH["disabled"]),
        "labour_skill": _enum("labour_skill", m["lab"][keep]),
        "work_status": _enum("work_status", m["work"][keep]),
        "work_place_code": _codes_from_int(
            np.where(np.isin(m["work"][keep], WAGE_WORK), np.maximum(s.work_place[keep], -1),
                     -1), 6),
        "work_start_month": month_strings(
            s.work_start[keep],
            valid=np.isin(m["work"][keep], WAGE_WORK) & (s.work_start[keep] > 0)),
        "migrant_monthly_income": pa.array(m["mig_income"][keep].astype(np.int32),
                                           mask=~np.isin(m["work"][keep], WAGE_WORK)),
        "med_ins_resident": pa.array(m["med_res"][keep]),
        "med_ins_employee": pa.array(m["med_emp"][keep]),
        "critical_illness_ins": pa.array(s.crit[keep]),
        "medical_assistance": pa.array(s.med_assist[keep]),
        "pension_resident": pa.array(s.pen_res[keep]),
        "pension_employee": pa.array(s.pen_emp[keep]),
        "dibao": _enum("dibao", m["dibao"][keep]),
        "tekun": _enum("tekun", m["tekun"][keep]),
        "welfare_post": _enum("welfare_post", m["post"][keep]),
        "welfare_post_start_month": month_strings(m["post_start"][keep],
                                                  valid=m["post"][keep] >= 0),
        "phone": m["phone"].take(k),
        "member_status": pa.array(np.where(reg.status_active[keep], "active",
                                           "deceased").tolist(), pa.string()),
        "status_month": t.month_label(reg.status_month[keep]),
    })
    members_tab = schema.conform(members_tab, "members")

    active_reg = reg.status_active
    uninsured = np.bincount(s.hh, weights=active_reg & ~s.med_res & ~s.med_emp,
                            minlength=h.n) > 0
    monitored = mon.cat >= 0
    cadre_names = names.full_names(names.surnames(r_names, h.eth),
                                   names.given_names(r_names, r_names.random(h.n) < 0.6,
                                                     np.full(h.n, 1980)))
    cadre_key = PHONE_SPACE - 1 - h.village
    cadre_phone = _phone_strings(cadre_key, ctx.seed * 7919)
    n_groups = np.maximum(ctx.village_counts[h.village] // 45, 1)
    group_no = 1 + (h.serial - 1) * n_groups // np.maximum(ctx.village_counts[h.village], 1)
    group_label = pa.array([f"{g}组" for g in range(int(group_no.max()) + 1)], pa.string())
    natural = pc.binary_join_element_wise(ctx.village_short.take(pa.array(h.village)),
                                          group_label.take(pa.array(group_no)), "")
    none_mask = pa.array(~monitored)
    households_tab = pa.table({
        "household_code": hh_codes,
        "county_code": pa.array(ctx.village_codes[h.village].astype("U6").tolist(), pa.string()),
        "township_code": pa.array(ctx.village_codes[h.village].astype("U9").tolist(),
                                  pa.string()),
        "village_code": pa.array(ctx.village_codes[h.village].tolist(), pa.string()),
        "natural_village": natural,
        "household_type": pa.array(np.where(h.pa, "poverty_alleviated", "ordinary").tolist(),
                                   pa.string()),
        "relocated": pa.array(h.relocated),
        "year_lifted": pa.array(h.year_lifted.astype(np.int16), mask=~h.pa),
        "head_member_id": member_ids.take(pa.array(head_idx)),
        "phone": hc["phone"],
        "monitoring_contact": pc.if_else(none_mask, pa.nulls(h.n, pa.string()), cadre_names),
        "monitoring_contact_phone": pc.if_else(none_mask, pa.nulls(h.n, pa.string()),
                                               cadre_phone),
        "housing_grade": _enum("housing_grade", hc["grade"]),
        "dangerous_house": pa.array(hc["dangerous"]),
        "housing_area_m2": pa.array(hc["house_area"], mask=hc["house_area_null"]),
        "water_quantity_ok": pa.array(hc["w_qty"]),
        "water_quality_ok": pa.array(hc["w_qual"]),
        "water_convenience_ok": pa.array(hc["w_conv"]),
        "water_supply_ok": pa.array(hc["w_supply"]),
        "safe_drinking_water": pa.array(hc["safe_water"]),
        "piped_water": pa.array(h.piped),
        "road_hardened": pa.array(hc["road"], mask=hc["road_null"]),
        "main_road_distance_km": pa.array(hc["road_km"]),
        "electricity": pa.array(h.electric),
        "sanitary_toilet": pa.array(h.toilet),
        "toilet_usable": pa.array(h.toilet_ok, mask=~h.toilet),
        "cultivated_mu": pa.array(hc["cultivated"]),
        "forest_mu": pa.array(hc["forest"]),
        "returned_forest_mu": pa.array(h.returned.astype(np.float32)),
        "orchard_mu": pa.array(h.orchard.astype(np.float32)),
        "pasture_mu": pa.array(h.pasture.astype(np.float32)),
        "water_surface_mu": pa.array(h.water_mu.astype(np.float32)),
        "dropout_flag": pa.array(np.zeros(h.n, dtype=bool)),
        "uninsured_member_flag": pa.array(uninsured),
        "monitoring_category": _enum("monitoring_category", mon.cat),
        "identified_month": month_strings(mon.id_m, valid=mon.id_m >= 0),
        "risk_types": risk_lists,
        "risk_other_note": risk_note,
        "risk_eliminated": pa.array(mon.elim, mask=~monitored),
        "elimination_mode": _enum("elimination_mode", mon.mode),
        "eliminated_month": month_strings(mon.elim_m, valid=mon.elim_m >= 0),
    })
    households_tab = schema.conform(households_tab, "households")

    # ---- truth tables
    tv = pan.truth
    tr = np.repeat(np.arange(h.n), T)
    tc = np.tile(np.arange(T), h.n)
    truth_inc = pa.table({
        "household_code": hh_codes.take(pa.array(tr)),
        "period": t.month_label(tc),
        "wage": pa.array(np.round(tv.wage).ravel().astype(np.int32)),
        "business": pa.array(np.round(tv.business).ravel().astype(np.int32)),
        "property": pa.array(np.round(tv.property).ravel().astype(np.int32)),
        "transfer": pa.array(np.round(tv.transfer).ravel().astype(np.int32)),
        "business_cost": pa.array(np.round(tv.cost).ravel().astype(np.int32)),
        "insurance_payout": pa.array(np.round(tv.payout).ravel().astype(np.int32)),
        "compliant_oop_medical": pa.array(np.round(tv.oop).ravel().astype(np.int32)),
        "education_cost": pa.array(np.round(tv.edu).ravel().astype(np.int32)),
        "members": pa.array(np.round(tv.members).ravel().astype(np.int8)),
    })
    truth_inc = schema.conform(truth_inc, "truth_incomes")
    truth_mem = schema.conform(pa.table({
        "member_id": member_ids, "household_code": hh_of_p, "resident_id": ids,
        "sex": pa.array(np.where(s.male, "M", "F").tolist(), pa.string()),
        "birth_date": pa.array(s.birth).cast(pa.date32()),
        "health": _enum("health", reg.health_true),
        "born_month": t.month_label(s.born_t),
        "death_month": t.month_label(np.where(s.death_t < T, s.death_t, -1)),
        "in_registry": pa.array(reg.in_registry),
    }), "truth_members")
    known_by_end = sh.known & (sh.t + sh.lag < T)
    sm = np.maximum(sh.member, 0)
    truth_sh = schema.conform(pa.table({
        "shock_id": pa.array(shock_id0 + np.arange(sh.n, dtype=np.int64)),
        "household_code": hh_codes.take(pa.array(sh.hh)),
        "member_id": pc.if_else(pa.array(sh.member >= 0), member_ids.take(pa.array(sm)),
                                pa.nulls(sh.n, pa.string())),
        "month": t.month_label(sh.t),
        "shock_type": _enum("shock_type", sh.type),
        "cost": pa.array(np.round(sh.cost).astype(np.int32)),
        "oop": pa.array(np.round(sh.oop * np.where(sh.type == economy.SHOCK["chronic_illness"],
                                                   np.maximum(T - sh.t, 1), 1)).astype(np.int32)),
        "income_loss": pa.array(np.round(sh.income_loss).astype(np.int32)),
        "duration_months": pa.array(sh.duration.astype(np.int16)),
        "registry_known": pa.array(known_by_end),
        "registry_month": t.month_label(np.where(known_by_end, sh.t + sh.lag, -1)),
    }), "truth_shocks")
    ny2 = len(truth.years)
    yr = np.repeat(np.arange(h.n), ny2)
    yc = np.tile(np.arange(ny2), h.n)
    truth_years = schema.conform(pa.table({
        "household_code": hh_codes.take(pa.array(yr)),
        "year": pa.array(np.array(truth.years, dtype=np.int16)[yc]),
        "members": pa.array(truth.members.ravel().astype(np.float32)),
        "net_income": pa.array(np.round(truth.net).ravel().astype(np.int32)),
        "pcni": pa.array(np.round(truth.pcni).ravel().astype(np.int32)),
        "compliant_oop": pa.array(np.round(truth.oop).ravel().astype(np.int32)),
        "rigid_spending": pa.array(np.round(truth.rigid).ravel().astype(np.int32)),
        "line": pa.array(truth.line.astype(np.int32)[yc]),
        "eligible_category": _enum("monitoring_category", truth.eligible.ravel()),
        "from_panel": pa.array(truth.from_panel[yc]),
    }), "truth_household_years")
    return {
        "households": households_tab, "members": members_tab,
        "incomes": schema.conform(incomes, "incomes"), "truth_incomes": truth_inc,
        "truth_members": truth_mem, "truth_shocks": truth_sh,
        "truth_household_years": truth_years, "planted_errors": rec.table(),
        "_alive_end": int((s.death_t >= T).sum()), "_monitored": int(monitored.sum()),
    }


def _first_valid_phone(s, phones, n):
    """The head's phone, else the first member's phone that exists (null if none)."""
    valid = s.phone_key >= 0
    score = np.where(valid, s.member_no, 10 ** 6)
    order = np.lexsort((score, s.hh))
    first = np.ones(s.p, dtype=bool)
    first[1:] = s.hh[order][1:] != s.hh[order][:-1]
    pick = order[first]
    out = phones.take(pa.array(pick))
    return out
