"""Households and members at the start of the panel, then births and deaths during it.

Everything is a numpy array over the households (``n``) or persons (``p``) of one chunk;
enumerated values are indices into :data:`dixian.engine.schema.ENUMS` lists (``-1`` = null).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import schema
from . import params as P
from .timeaxis import age_years, ymd

REL = {c: i for i, c in enumerate(schema.enum_codes("relation_to_head"))}
EDU = {c: i for i, c in enumerate(schema.enum_codes("education"))}
SCH = {c: i for i, c in enumerate(schema.enum_codes("schooling_status"))}
HEALTH = {c: i for i, c in enumerate(schema.enum_codes("health"))}
LAB = {c: i for i, c in enumerate(schema.enum_codes("labour_skill"))}
WORK = {c: i for i, c in enumerate(schema.enum_codes("work_status"))}
DIS_TYPES = schema.enum_codes("disability_type")
ETH = schema.enum_codes("ethnicity")
WAGE_WORK = np.array([WORK["local_employed"], WORK["migrant_in_province"],
                      WORK["migrant_out_of_province"]])
MALE_REL = np.array([REL[c] for c in ("son", "son_in_law", "grandson", "grandson_maternal",
                                      "great_grandson", "father", "husband_father",
                                      "wife_father", "grandfather", "uncle", "nephew")])
FEMALE_REL = np.array([REL[c] for c in ("daughter", "daughter_in_law", "granddaughter",
                                        "granddaughter_maternal", "great_granddaughter",
                                        "mother", "husband_mother", "wife_mother",
                                        "grandmother", "sibling_in_law", "niece")])

# slot types used to build households
HEAD, SPOUSE, PARENT, MSON, DIL, CHILD, GRAND = range(7)


class IdAllocator:
    """Hands out GB 11643 order codes so that IDs are unique across chunks.

    Keeps one counter per (area code, birth date, sex); deterministic because chunks are
    processed in order.
    """

    def __init__(self, area_codes: np.ndarray, first_day: str = "1900-01-01",
                 last_day: str = "2030-12-31"):
        self.areas = np.asarray(area_codes, dtype=np.int64)
        self.index = {int(a): i for i, a in enumerate(self.areas)}
        self.day0 = np.datetime64(first_day, "D")
        self.ndays = int((np.datetime64(last_day, "D") - self.day0).astype(np.int64)) + 1
        self.counts = np.zeros(len(self.areas) * self.ndays * 2, dtype=np.uint16)

    def allocate(self, area_idx: np.ndarray, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
        day = (birth.astype("datetime64[D]") - self.day0).astype(np.int64)
        key = (area_idx.astype(np.int64) * self.ndays + day) * 2 + male.astype(np.int64)
        order = np.argsort(key, kind="stable")
        sk = key[order]
        new_group = np.ones(sk.size, dtype=bool)
        new_group[1:] = sk[1:] != sk[:-1]
        group_start = np.maximum.accumulate(np.where(new_group, np.arange(sk.size), 0))
        rank = np.arange(sk.size) - group_start
        seq_sorted = self.counts[sk].astype(np.int64) + rank
        seq = np.empty_like(seq_sorted)
        seq[order] = seq_sorted
        uniq, cnt = np.unique(sk, return_counts=True)
        self.counts[uniq] += cnt.astype(np.uint16)
        if seq.size and seq.max() > 498:
            raise OverflowError("more than 499 people of one sex born on one day in one area")
        return seq


def _pick(rng: np.random.Generator, probs: dict, size: int) -> np.ndarray:
    keys = list(probs)
    p = np.array([probs[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _band(table: dict[int, object], ages: np.ndarray) -> np.ndarray:
    """Index of the age band (dict keys are exclusive upper bounds) for each age."""
    bounds = np.array(sorted(table))
    return np.searchsorted(bounds, ages, side="right")


def ethnic_mix(county_code: str) -> dict[str, float]:
    best = ""
    for prefix in P.ETHNIC_MIX:
        if county_code.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return P.ETHNIC_MIX[best]


def build(ctx, spec, rng: np.random.Generator) -> SimpleNamespace:
    """Households and members of one chunk at the panel start (before births and deaths)."""
    t = ctx.time
    h = SimpleNamespace()
    n = spec.n_households
    h.n = n
    h.village = spec.village_index                  # index into ctx.villages
    h.serial = spec.serial
    h.county = ctx.village_county[h.village]        # index into ctx.county_codes
    h.relocated = ctx.village_is_community[h.village].copy()
    h.vuln = rng.normal(size=n)                     # latent disadvantage
    village_effect = ctx.village_effect[h.village]
    h.vuln += village_effect

    size = rng.choice(np.arange(1, 10), size=n, p=np.array(P.HOUSEHOLD_SIZE_P) /
                      sum(P.HOUSEHOLD_SIZE_P))
    single = size == 1
    head_age = np.where(single,
                        np.where(rng.random(n) < 0.6, rng.normal(72, 8, n), rng.normal(48, 12, n)),
                        rng.normal(47, 13, n))
    head_age = np.clip(head_age, 23, 94)
    has_sp = (size >= 2) & (rng.random(n) < np.where(head_age < 65, 0.92, 0.72))
    head_male = np.where(has_sp, rng.random(n) < 0.9,
                         np.where(head_age >= 60, rng.random(n) < 0.5, rng.random(n) < 0.75))
    r = size - 1 - has_sp
    p_par = np.where(head_age < 45, 0.35, np.where(head_age < 55, 0.12, 0.0))
    n_par = np.where(rng.random(n) < p_par, np.minimum(r, 1 + (rng.random(n) < 0.5)), 0)
    r2 = r - n_par
    # three generations: the head's married son, his wife (if room) and grandchildren
    three = (head_age >= 48) & (r2 >= 2) & (rng.random(n) < 0.85)
    n_dil = (three & (r2 >= 3)).astype(np.int64)
    n_grand = np.where(three, np.minimum(r2 - 1 - n_dil, 4), 0)
    n_child = r2 - three - n_dil - n_grand
    counts = np.stack([np.ones(n, np.int64), has_sp.astype(np.int64), n_par, three.astype(np.int64),
                       n_dil, n_child, n_grand], axis=1)

    # explode to persons
    flat = counts.ravel()
    slot = np.repeat(np.tile(np.arange(7), n), flat)
    p_hh = np.repeat(np.repeat(np.arange(n), 7), flat)
    p = slot.size
    first_of_slot = np.repeat(np.cumsum(flat) - flat, flat)
    k = np.arange(p) - first_of_slot                 # index within the slot
    hh_start = np.searchsorted(p_hh, np.arange(n))
    member_no = np.arange(p) - hh_start[p_hh] + 1

    ha = head_age[p_hh]
    hm = head_male[p_hh]
    age = np.empty(p)
    male = np.empty(p, dtype=bool)
    rel = np.empty(p, dtype=np.int64)
    u = rng.random(p)
    z = rng.normal(size=p)
    # head
    m = slot == HEAD
    age[m], male[m], rel[m] = ha[m], hm[m], REL["head"]
    # spouse
    m = slot == SPOUSE
    age[m] = np.clip(ha[m] + np.where(hm[m], -2.0, 2.0) + 3 * z[m], 19, 96)
    male[m], rel[m] = ~hm[m], REL["spouse"]
    # parents of the head
    m = slot == PARENT
    age[m] = np.clip(ha[m] + 22 + 12 * u[m], 45, 99)
    two_par = (counts[:, PARENT] == 2)[p_hh[m]]
    pm = np.where(two_par, k[m] == 0, rng.random(m.sum()) < 0.35)
    male[m] = pm
    rel[m] = np.where(pm, REL["father"], REL["mother"])
    # married son and his wife
    son_age = ha - 22 - 8 * rng.random(p)
    hh_son_age = np.zeros(n)
    m = slot == MSON
    age[m], male[m], rel[m] = son_age[m], True, REL["son"]
    hh_son_age[p_hh[m]] = son_age[m]
    m = slot == DIL
    age[m] = np.clip(hh_son_age[p_hh[m]] - 1.5 + 2 * z[m], 18, None)
    male[m], rel[m] = False, REL["daughter_in_law"]
    # children of the head
    mother_age = np.where(hm, np.where(has_sp[p_hh], ha - 2, ha - 2), ha)
    m = slot == CHILD
    ca = mother_age[m] - 21 - 9 * u[m] - 2.5 * k[m]
    ca = np.where(ca < 0, 3 * rng.random(m.sum()), ca)
    age[m] = ca
    cm = rng.random(m.sum()) < 0.52
    male[m] = cm
    rel[m] = np.where(cm, REL["son"], REL["daughter"])
    # grandchildren
    m = slot == GRAND
    ga = hh_son_age[p_hh[m]] - 21 - 8 * u[m] - 2.5 * k[m]
    ga = np.where(ga < 0, 3 * rng.random(m.sum()), ga)
    age[m] = ga
    gm = rng.random(m.sum()) < 0.53
    male[m] = gm
    rel[m] = np.where(gm, REL["grandson"], REL["granddaughter"])

    # birth dates from ages at the panel start
    days = np.floor(age * 365.2425).astype(np.int64) + rng.integers(0, 365, p)
    birth = t.start_date - days.astype("timedelta64[D]")
    # nobody born after the panel start (they are the initial population)
    birth = np.minimum(birth, t.start_date - np.timedelta64(1, "D"))

    s = SimpleNamespace()
    s.p = p
    s.hh = p_hh
    s.member_no = member_no
    s.slot = slot
    s.male = male
    s.rel = rel
    s.birth = birth
    s.born_t = np.full(p, -1, dtype=np.int64)
    s.death_t = np.full(p, t.months, dtype=np.int64)
    h.size0 = size

    # ethnicity: per household from the county mix; spouses and in-laws may differ
    eth = np.empty(n, dtype=object)
    for ci in np.unique(h.county):
        rows = np.flatnonzero(h.county == ci)
        eth[rows] = _pick(rng, ethnic_mix(ctx.county_codes[ci]), rows.size)
    pe = eth[p_hh]
    outsider = np.isin(slot, (SPOUSE, DIL)) & (rng.random(p) < 0.2)
    if outsider.any():
        for ci in np.unique(h.county[p_hh[outsider]]):
            rows = np.flatnonzero(outsider & (h.county[p_hh] == ci))
            pe[rows] = _pick(rng, ethnic_mix(ctx.county_codes[ci]), rows.size)
    s.eth = pe.astype("U2")
    h.eth = eth.astype("U2")

    # birthplace (ID area code): own county; 25% of spouses / daughters-in-law from elsewhere
    s.area = np.full(p, -1, dtype=np.int64)
    s.area[:] = ctx.id_area_of_county[h.county[p_hh]]
    from_else = np.isin(slot, (SPOUSE, DIL)) & (rng.random(p) < 0.25)
    s.area[from_else] = rng.integers(0, len(ctx.province_county_codes), from_else.sum()) \
        + ctx.id_area_province_offset
    _health(ctx, h, s, rng)
    return SimpleNamespace(h=h, s=s)


def _health(ctx, h, s, rng) -> None:
    """Baseline health at the panel start, raised in disadvantaged households."""
    t = ctx.time
    age0 = age_years(s.birth, t.start_date)
    band = _band(P.HEALTH_BY_AGE, age0)
    rates = np.array([P.HEALTH_BY_AGE[b] for b in sorted(P.HEALTH_BY_AGE)])
    mult = np.exp(0.35 * h.vuln[s.hh])
    serious = rates[band, 0] * mult
    chronic = rates[band, 1] * mult
    disabled = rates[band, 2] * mult
    u = rng.random(s.p)
    health = np.full(s.p, HEALTH["healthy"], dtype=np.int64)
    health[u < chronic + serious + disabled] = HEALTH["chronic"]
    health[u < serious + disabled] = HEALTH["serious_illness"]
    health[u < disabled] = HEALTH["disabled"]
    s.health0 = health
    s.dis_type = np.full(s.p, -1, dtype=np.int64)
    s.dis_grade = np.zeros(s.p, dtype=np.int64)
    dis = health == HEALTH["disabled"]
    tp = np.array(list(P.DISABILITY_TYPE_P.values()))
    s.dis_type[dis] = rng.choice(len(tp), size=dis.sum(), p=tp / tp.sum())
    s.dis_grade[dis] = rng.choice(4, size=dis.sum(), p=np.array(P.DISABILITY_GRADE_P)) + 1
    s.dis_cert = dis & (rng.random(s.p) < 0.65)


def choose_poverty_alleviated(ctx, pop, rng) -> None:
    """Pick poverty-alleviated households by a disadvantage score (village-clustered)."""
    h, s = pop.h, pop.s
    sick = np.bincount(s.hh, weights=(s.health0 != HEALTH["healthy"]).astype(float),
                       minlength=h.n)
    age0 = age_years(s.birth, ctx.time.start_date)
    old = np.bincount(s.hh, weights=(age0 >= 60).astype(float), minlength=h.n)
    score = h.vuln + 0.5 * sick + 0.3 * old / np.maximum(h.size0, 1) + rng.normal(0, 0.6, h.n)
    pa = np.zeros(h.n, dtype=bool)
    reloc = h.relocated
    pa[reloc] = rng.random(reloc.sum()) >= P.RELOCATED_ORDINARY_SHARE
    # PA share among the rest so that the overall share is ctx.pa_share
    n_target = int(round(ctx.pa_share * h.n)) - int(pa.sum())
    rest = np.flatnonzero(~reloc)
    if n_target > 0 and rest.size:
        n_target = min(n_target, rest.size)
        top = rest[np.argsort(-score[rest], kind="stable")[:n_target]]
        pa[top] = True
    h.pa = pa
    years = np.arange(2014, 2021)
    lifted_p = np.array([0.08, 0.10, 0.14, 0.16, 0.20, 0.22, 0.10])
    h.year_lifted = np.where(pa, rng.choice(years, size=h.n, p=lifted_p), -1)


def demography(ctx, pop, rng) -> None:
    """Deaths and births during the panel; persons re-sorted by household afterwards."""
    t = ctx.time
    h, s = pop.h, pop.s
    T = t.months
    age0 = age_years(s.birth, t.start_date)
    q = np.minimum(0.5, np.exp(-10.0 + 0.09 * age0))
    q = q + np.where(s.health0 == HEALTH["serious_illness"], 0.06, 0.0)
    q = q + np.where(age0 < 1, 0.004, 0.0)
    p_die = 1 - (1 - q) ** (T / 12)
    dies = rng.random(s.p) < p_die
    s.death_t = np.where(dies, rng.integers(0, T, s.p), T)

    # births: married women aged 20-40 (head's wife, daughter-in-law, female head with spouse)
    hh_has_sp = np.bincount(s.hh, weights=(s.rel == REL["spouse"]), minlength=h.n) > 0
    wife = (~s.male) & ((s.rel == REL["spouse"]) | (s.rel == REL["daughter_in_law"]) |
                        ((s.rel == REL["head"]) & hh_has_sp[s.hh]))
    mid_age = age0 + T / 24
    rate = np.where((mid_age >= 20) & (mid_age < 35), 0.07,
                    np.where((mid_age >= 35) & (mid_age < 41), 0.02, 0.0))
    has_baby = wife & (rng.random(s.p) < 1 - (1 - rate) ** (T / 12))
    mothers = np.flatnonzero(has_baby)
    bt = rng.integers(0, T, mothers.size)
    ok = bt < s.death_t[mothers]
    mothers, bt = mothers[ok], bt[ok]
    s.mother_of_birth = mothers  # for the wage effect
    s.mother_birth_t = bt
    nb = mothers.size
    if nb:
        hh = s.hh[mothers]
        bmale = rng.random(nb) < 0.53
        is_dil = s.rel[mothers] == REL["daughter_in_law"]
        brel = np.where(is_dil, np.where(bmale, REL["grandson"], REL["granddaughter"]),
                        np.where(bmale, REL["son"], REL["daughter"]))
        month_start = (t.start + bt.astype("timedelta64[M]")).astype("datetime64[D]")
        bdate = month_start + rng.integers(0, 28, nb).astype("timedelta64[D]")
        # several births in one household get consecutive member numbers
        order = np.lexsort((bt, hh))
        hh_sorted = hh[order]
        first = np.ones(nb, dtype=bool)
        first[1:] = hh_sorted[1:] != hh_sorted[:-1]
        run_start = np.maximum.accumulate(np.where(first, np.arange(nb), 0))
        extra = np.empty(nb, dtype=np.int64)
        extra[order] = np.arange(nb) - run_start + 1
        max_no = np.zeros(h.n, dtype=np.int64)
        np.maximum.at(max_no, s.hh, s.member_no)
        father_eth = s.eth[mothers]
        head_idx = np.searchsorted(s.hh, np.arange(h.n))  # head is the first member
        father_eth = np.where(is_dil | s.male[head_idx[hh]], s.eth[head_idx[hh]], father_eth)
        new = dict(
            hh=hh, member_no=max_no[hh] + extra, slot=np.full(nb, CHILD), male=bmale, rel=brel,
            birth=bdate, born_t=bt, death_t=np.full(nb, T), eth=father_eth,
            area=ctx.id_area_of_county[h.county[hh]], health0=np.full(nb, HEALTH["healthy"]),
            dis_type=np.full(nb, -1), dis_grade=np.zeros(nb, dtype=np.int64),
            dis_cert=np.zeros(nb, dtype=bool))
        for key, val in new.items():
            setattr(s, key, np.concatenate([getattr(s, key), val.astype(getattr(s, key).dtype)]))
        s.p += nb
        # re-sort persons by household and member number
        order = np.lexsort((s.member_no, s.hh))
        inv = np.empty_like(order)
        inv[order] = np.arange(order.size)
        for key in ("hh", "member_no", "slot", "male", "rel", "birth", "born_t", "death_t",
                    "eth", "area", "health0", "dis_type", "dis_grade", "dis_cert"):
            setattr(s, key, getattr(s, key)[order])
        s.mother_of_birth = inv[s.mother_of_birth]
    s.hh_start = np.searchsorted(s.hh, np.arange(h.n))
    s.hh_end = np.searchsorted(s.hh, np.arange(h.n), side="right")


def school_and_work(ctx, pop, rng) -> None:
    """Education, schooling, labour skill and work at the snapshot date, plus baseline work.

    The registry view must satisfy the §5.3 logic rules on clean data, so the assignments
    here follow them (under-16s have no labour, students do not work, skilled workers and
    college graduates work, severe physical disability is never ordinary labour...).
    """
    t = ctx.time
    h, s = pop.h, pop.s
    snap = t.snapshot_date
    age = age_years(s.birth, snap)
    s.age_snap = age
    sy = ymd(np.array([snap]))
    school_year = sy[0][0] if sy[1][0] >= 9 else sy[0][0] - 1
    sage = age_years(s.birth, np.datetime64(f"{school_year}-08-31"))
    s.school_age_snap, s.school_year_snap = sage, school_year
    u = rng.random(s.p)
    sch = np.full(s.p, SCH["not_in_school"], dtype=np.int64)
    edu = np.full(s.p, -1, dtype=np.int64)
    sch[sage < 3] = SCH["preschool_child"]
    sch[(sage >= 3) & (sage <= 5)] = SCH["preschool"]
    g = (sage >= 6) & (sage <= 14)
    sch[g] = SCH["grade_1"] + (sage[g] - 6)
    edu[g & (sage <= 11)] = EDU["primary"]
    edu[g & (sage >= 12)] = EDU["junior_secondary"]
    # schooling tracks: senior/vocational school at 15-17, college at 18-20
    s.hs_track = u < 0.88
    s.col_track = s.hs_track & (rng.random(s.p) < 0.48)
    hs = (sage >= 15) & (sage <= 17)
    in_hs = hs & s.hs_track
    senior = in_hs & (rng.random(s.p) < 0.56)
    voc = in_hs & ~senior
    sch[senior] = SCH["senior_1"] + (sage[senior] - 15)
    sch[voc] = SCH["vocational_1"] + (sage[voc] - 15)
    edu[senior] = EDU["senior_secondary"]
    edu[voc] = EDU["vocational_secondary"]
    edu[hs & ~in_hs] = EDU["junior_secondary"]
    col = (sage >= 18) & (sage <= 20)
    in_col = col & s.col_track
    hv = in_col & (rng.random(s.p) < 0.6)
    ug = in_col & ~hv
    sch[hv] = SCH["higher_vocational_1"] + (sage[hv] - 18)
    sch[ug] = SCH["undergraduate"]
    edu[hv] = EDU["junior_college"]
    edu[ug] = EDU["bachelor_plus"]
    # adults not in school: attainment by birth cohort
    adult = (sage >= 15) & (sch == SCH["not_in_school"]) & (edu < 0)
    by = ymd(s.birth)[0]
    cohorts = [
        (by < 1960, {"illiterate": 0.35, "primary": 0.45, "junior_secondary": 0.17,
                     "senior_secondary": 0.03}),
        ((by >= 1960) & (by < 1980), {"illiterate": 0.10, "primary": 0.40,
                                      "junior_secondary": 0.40, "senior_secondary": 0.06,
                                      "vocational_secondary": 0.03, "junior_college": 0.01}),
        ((by >= 1980) & (by < 1995), {"illiterate": 0.03, "primary": 0.20,
                                      "junior_secondary": 0.55, "senior_secondary": 0.10,
                                      "vocational_secondary": 0.07, "junior_college": 0.04,
                                      "bachelor_plus": 0.01}),
        (by >= 1995, {"junior_secondary": 0.55, "senior_secondary": 0.15,
                      "vocational_secondary": 0.15, "junior_college": 0.10,
                      "bachelor_plus": 0.05}),
    ]
    for mask, dist in cohorts:
        rows = np.flatnonzero(adult & mask)
        keys = list(dist)
        pr = np.array(list(dist.values()))
        edu[rows] = np.array([EDU[k] for k in keys])[rng.choice(len(keys), rows.size,
                                                                 p=pr / pr.sum())]
    # women born before 1970 more often illiterate
    old_f = adult & ~s.male & (by < 1970) & (rng.random(s.p) < 0.2)
    edu[old_f] = EDU["illiterate"]
    # 16-22 year-olds never have primary or less (rule 5_12_018/019)
    young = (age >= 16) & (age <= 22) & np.isin(edu, [EDU["illiterate"], EDU["primary"]])
    edu[young] = EDU["junior_secondary"]
    student = ~np.isin(sch, [SCH["not_in_school"], SCH["preschool_child"]])
    s.sch, s.edu, s.student = sch, edu, student

    # health at the snapshot in the registry view is set later (shocks); labour from baseline
    health = s.health0
    lab = np.full(s.p, LAB["none"], dtype=np.int64)
    v = rng.random(s.p)
    adult_ns = (age >= 16) & ~student
    wa = adult_ns & (age <= 59)
    healthy = health == HEALTH["healthy"]
    lab[wa & healthy] = np.where(v[wa & healthy] < 0.16, LAB["skilled"], LAB["ordinary"])
    m = wa & (health == HEALTH["chronic"])
    lab[m] = np.where(v[m] < 0.5, LAB["ordinary"], LAB["weak"])
    m = wa & (health == HEALTH["serious_illness"])
    lab[m] = np.where(v[m] < 0.6, LAB["lost"], LAB["weak"])
    m = wa & (health == HEALTH["disabled"])
    severe = s.dis_grade <= 2
    lab[m & severe] = LAB["lost"]
    lab[m & ~severe] = np.where(v[m & ~severe] < 0.4, LAB["ordinary"], LAB["weak"])
    m = adult_ns & (age >= 60) & (age <= 69)
    lab[m & healthy] = np.where(v[m & healthy] < 0.55, LAB["ordinary"], LAB["weak"])
    lab[m & ~healthy] = np.where(v[m & ~healthy] < 0.5, LAB["weak"], LAB["lost"])
    m = adult_ns & (age >= 70)
    lab[m] = np.where(v[m] < 0.35, LAB["weak"], LAB["none"])
    lab[m & (health == HEALTH["serious_illness"])] = LAB["lost"]
    # college-educated adults are skilled or ordinary labour, never weak when healthy
    s.lab = lab

    # work status (baseline, applies during the panel; the snapshot view is adjusted later)
    work = np.full(s.p, WORK["not_working"], dtype=np.int64)
    able = np.isin(lab, [LAB["ordinary"], LAB["skilled"]]) & (age <= 59)
    w = rng.random(s.p)
    cum = np.cumsum([P.WORK_STATUS_P[k] for k in P.WORK_STATUS_P])
    keys = [WORK[k] for k in P.WORK_STATUS_P]
    reloc = h.relocated[s.hh]
    # relocated households farm less and work locally more (resettlement-site jobs)
    w = np.where(reloc, np.minimum(w + 0.2, 0.999), w)
    # ordinary households keep more people on the farm (bigger farms, more livestock) [I]
    w = np.where(~h.pa[s.hh], np.maximum(w - 0.12, 0.0), w)
    choice = np.array(keys)[np.searchsorted(cum / cum[-1], w, side="right").clip(0, 3)]
    work[able] = choice[able]
    # adults of households with many dependants go out to work more often
    kids_old = np.bincount(s.hh, weights=(age < 16) | (age >= 65), minlength=h.n)
    adults = np.bincount(s.hh, weights=able, minlength=h.n)
    heavy = (kids_old / np.maximum(adults, 1) >= 1.0)[s.hh]
    push = able & heavy & (work == WORK["farming"]) & (rng.random(s.p) < 0.3)
    work[push] = np.where(rng.random(push.sum()) < 0.6, WORK["migrant_out_of_province"],
                          WORK["local_employed"])
    college = np.isin(edu, [EDU["junior_college"], EDU["bachelor_plus"], EDU["master_plus"]])
    must_work = able & ((lab == LAB["skilled"]) | college) & (work == WORK["farming"])
    work[must_work] = np.where(rng.random(must_work.sum()) < 0.5, WORK["local_employed"],
                               WORK["migrant_out_of_province"])
    weak_or_old = ((lab == LAB["weak"]) & (age >= 16) & ~student) | \
        ((lab == LAB["ordinary"]) & (age >= 60))
    work[weak_or_old] = np.where(rng.random(weak_or_old.sum()) < 0.22, WORK["local_employed"],
                                 WORK["farming"])
    # weak workers who are skilled or college-educated keep the rule consistent
    lab[(work == WORK["farming"]) & (lab == LAB["skilled"])] = LAB["ordinary"]
    notwork_college = college & ~np.isin(work, WAGE_WORK) & ~student
    # a college graduate who cannot work is recorded with the education of the cohort
    edu[notwork_college] = EDU["senior_secondary"]
    s.work = work
    s.lab = lab

    # workplace county code
    s.work_place = np.full(s.p, -1, dtype=np.int64)
    loc = work == WORK["local_employed"]
    s.work_place[loc] = ctx.county_num[h.county[s.hh[loc]]]
    inp = work == WORK["migrant_in_province"]
    pc = ctx.province_county_codes
    pick = pc[rng.integers(0, pc.size, inp.sum())]
    own = ctx.county_num[h.county[s.hh[inp]]]
    pick = np.where(pick == own, pc[(np.searchsorted(pc, pick) + 1) % pc.size], pick)
    s.work_place[inp] = pick
    outp = work == WORK["migrant_out_of_province"]
    dest = ctx.destination_codes
    s.work_place[outp] = dest[rng.choice(dest.size, outp.sum(), p=ctx.destination_p)]
    months_since = np.clip(rng.exponential(24, s.p).astype(np.int64), 0, 120)
    s.work_start = np.where(np.isin(work, WAGE_WORK),
                            t.end.astype(np.int64) - months_since, -1)
    # base monthly wage at 2025 prices
    mean = np.zeros(s.p)
    for key, val in P.WAGE_2025.items():
        mean[work == WORK[key]] = val
    factor = np.exp(rng.normal(-0.025, 0.22, s.p)) * np.where(lab == LAB["skilled"], 1.3, 1.0) \
        * np.where(s.male, 1.0, 0.85) * np.where(lab == LAB["weak"], 0.7, 1.0)
    s.wage_base = np.where(np.isin(work, WAGE_WORK), mean * factor, 0.0)


DIBAO = {c: i for i, c in enumerate(schema.enum_codes("dibao"))}
TEKUN = {c: i for i, c in enumerate(schema.enum_codes("tekun"))}
GRADE = {c: i for i, c in enumerate(schema.enum_codes("housing_grade"))}
POSTS = schema.enum_codes("welfare_post")


def welfare_and_housing(ctx, pop, rng) -> None:
    """低保/特困, insurance, public-welfare posts, phones, housing, water, land."""
    h, s = pop.h, pop.s
    n, p = h.n, s.p
    initial = s.born_t < 0
    sick = (s.health0 != HEALTH["healthy"]) & initial
    able = np.isin(s.lab, [LAB["ordinary"], LAB["skilled"]]) & initial
    h.n_sick = np.bincount(s.hh, weights=sick, minlength=n)
    h.n_able = np.bincount(s.hh, weights=able, minlength=n)
    h.n_init = np.bincount(s.hh, weights=initial, minlength=n)
    no_labour = np.bincount(s.hh, weights=(np.isin(s.lab, [LAB["ordinary"], LAB["skilled"],
                                                            LAB["weak"]]) & initial),
                            minlength=n) == 0
    h.no_labour = no_labour
    age = s.age_snap
    # 特困: one-person households of old or severely disabled people without labour
    single_old = (h.n_init == 1) & no_labour
    tekun_hh = single_old & (rng.random(n) < 0.5)
    # an income proxy: what the members earn, per person (targeting of 低保 and posts)
    earn = np.bincount(s.hh, weights=s.wage_base * 10.5 * initial, minlength=n)
    h.proxy = earn / np.maximum(h.n_init, 1)
    poor = h.proxy < 4000
    p_dibao = np.where(h.pa, 0.03 + 0.12 * (h.n_sick > 0) + 0.40 * (h.n_able == 0) + 0.10 * poor,
                       0.008 + 0.04 * (h.n_sick > 0) + 0.30 * (h.n_able == 0) + 0.05 * poor)
    dibao_hh = ~tekun_hh & ((rng.random(n) < p_dibao) | no_labour)
    whole = rng.random(n) < 0.65
    s.tekun = np.where(tekun_hh[s.hh], TEKUN["dispersed"], TEKUN["none"])
    member_dibao = dibao_hh[s.hh] & (whole[s.hh] | sick | (age >= 60) | (s.rel == REL["head"]))
    member_dibao &= initial
    urban = h.relocated & (rng.random(n) < 0.3)
    s.dibao = np.where(member_dibao, np.where(urban[s.hh], DIBAO["urban"], DIBAO["rural"]),
                       DIBAO["none"])
    h.dibao = dibao_hh
    h.tekun = tekun_hh
    # insurance
    u = rng.random(p)
    wage_worker = np.isin(s.work, WAGE_WORK)
    employee = wage_worker & (u < 0.03)
    uninsured = ~employee & (rng.random(p) < 0.002)
    s.med_res = ~employee & ~uninsured
    s.med_emp = employee
    s.crit = s.med_res.copy()
    protected = (s.dibao != DIBAO["none"]) | (s.tekun != TEKUN["none"])
    s.med_assist = protected | (h.pa[s.hh] & ((s.health0 == HEALTH["serious_illness"]) |
                                              ((s.health0 == HEALTH["disabled"]) &
                                               (s.dis_grade <= 2))))
    adult_ns = (age >= 16) & ~s.student
    s.pen_emp = employee
    s.pen_res = adult_ns & ~employee & (rng.random(p) < 0.93)
    s.protected = protected | h.pa[s.hh]
    # public-welfare posts (one per household at most)
    eligible = ((age >= 18) & (age <= 65) & ~s.student & ~wage_worker &
                np.isin(s.lab, [LAB["ordinary"], LAB["weak"]]) & (s.tekun == TEKUN["none"])
                & initial)
    want = rng.random(n) < np.where(h.pa, np.where(poor, 0.30, 0.04),
                                    np.where(poor, 0.04, 0.005))
    score = rng.random(p) + eligible * 2.0
    best = np.full(n, -1, dtype=np.int64)
    order = np.lexsort((-score, s.hh))
    first = np.ones(p, dtype=bool)
    first[1:] = s.hh[order][1:] != s.hh[order][:-1]
    cand = order[first]
    ok = eligible[cand] & want[s.hh[cand]]
    best[s.hh[cand[ok]]] = cand[ok]
    s.post = np.full(p, -1, dtype=np.int64)
    holders = best[best >= 0]
    s.post[holders] = rng.choice(len(POSTS), holders.size,
                                 p=[0.3, 0.3, 0.15, 0.1, 0.08, 0.04, 0.03])
    t = ctx.time
    s.post_start = np.full(p, -1, dtype=np.int64)
    s.post_start[holders] = t.end.astype(np.int64) - rng.integers(1, 60, holders.size)
    # phones: unique numbers from an affine permutation of a global person index
    has_phone = ((age >= 16) & (age <= 75) & (rng.random(p) < 0.92)) | \
        ((age > 75) & (rng.random(p) < 0.4))
    s.phone_key = np.where(has_phone, ctx.person_key(h, s), -1)
    # housing
    g = rng.choice(4, n, p=[0.38, 0.6145, 0.0040, 0.0015])
    g = np.where(h.relocated, rng.choice(2, n, p=[0.8, 0.2]), g)
    h.grade = g
    area = np.exp(rng.normal(np.log(110), 0.35, n))
    h.house_area = np.round(np.where(h.relocated, np.minimum(20.0 * h.size0 + 20, 125), area), 1)
    h.piped = h.relocated | (rng.random(n) < 0.936)
    h.w_qty = rng.random(n) > 0.004
    h.w_qual = rng.random(n) > 0.005
    h.w_conv = h.piped | (rng.random(n) > 0.1)
    h.w_supply = rng.random(n) > 0.004
    h.safe_water = h.w_qty & h.w_qual & h.w_conv & h.w_supply
    h.road = h.relocated | (rng.random(n) < 0.96)
    h.road_km = np.where(h.relocated, 0.05,
                         np.round(np.minimum(rng.exponential(0.35, n), 4.9), 2))
    h.electric = np.ones(n, dtype=bool)
    h.toilet = h.relocated | (rng.random(n) < 0.78)
    h.toilet_ok = np.where(h.toilet, rng.random(n) < 0.95, False)
    # land (亩), within the §5.3 plausibility ranges
    scale = np.maximum(h.size0, 1) ** 0.6
    cult = np.exp(rng.normal(np.log(2.3), 0.5, n)) * scale
    cult = np.where(h.relocated & (rng.random(n) < 0.5), 0.0, cult)
    h.cultivated = np.round(np.minimum(cult, 60), 1)
    h.forest = np.round(np.where(rng.random(n) < 0.6,
                                 np.minimum(np.exp(rng.normal(np.log(6), 0.8, n)), 150), 0), 1)
    h.returned = np.round(np.where(rng.random(n) < 0.25,
                                   np.minimum(np.exp(rng.normal(np.log(2.5), 0.6, n)), 40),
                                   0), 1)
    h.orchard = np.round(np.where(rng.random(n) < 0.2,
                                  np.minimum(np.exp(rng.normal(np.log(1.5), 0.6, n)), 30), 0), 1)
    h.pasture = np.round(np.where(rng.random(n) < 0.03, rng.uniform(0.5, 8, n), 0), 1)
    h.water_mu = np.round(np.where(rng.random(n) < 0.02, rng.uniform(0.2, 3, n), 0), 1)
