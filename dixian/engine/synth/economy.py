"""Shocks and the monthly income panel: the truth and what the registry records.

Incomes are built from people and assets (wages of the members who work, farm and business
income from land and livestock, pensions, 低保/特困, subsidies...), then shocks act on them:
work stops, business losses, medical spending. The level and wage share of each group
(ordinary, poverty-alleviated, relocated) are calibrated per year to the published figures
of :mod:`.params` by scaling wages and business, so the structure comes from the model and
the means from the statistics.

The registry view sees only the shocks it learned of (``REGISTRY_KNOWS``), each shifted by
its reporting lag, plus reporting noise and some months never recorded.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import schema
from . import params as P
from .population import DIBAO, HEALTH, LAB, SCH, TEKUN, WAGE_WORK, WORK, _band
from .timeaxis import age_years

SHOCK = {c: i for i, c in enumerate(schema.enum_codes("shock_type"))}
SHOCK_NAMES = schema.enum_codes("shock_type")


def _lognormal(rng, mean, sigma, size):
    return np.exp(rng.normal(np.log(mean) - sigma ** 2 / 2, sigma, size))


class Shocks:
    """Columns of the shock list, appended type by type."""

    cols = ("type", "hh", "member", "t", "cost", "oop", "duration", "known", "lag")

    def __init__(self):
        self.parts = {c: [] for c in self.cols}

    def add(self, rng, type_, hh, member, t, cost=None, oop=None, duration=None):
        k = len(hh)
        if not k:
            return
        zeros = np.zeros(k)
        known = rng.random(k) < P.REGISTRY_KNOWS[SHOCK_NAMES[type_]]
        lag = rng.geometric(1 / (P.REGISTRY_LAG_MEAN + 1), k) - 1
        vals = dict(type=np.full(k, type_), hh=hh, member=member, t=t,
                    cost=zeros if cost is None else cost, oop=zeros if oop is None else oop,
                    duration=np.ones(k, np.int64) if duration is None else duration,
                    known=known, lag=lag)
        for c in self.cols:
            self.parts[c].append(np.asarray(vals[c]))

    def done(self) -> SimpleNamespace:
        out = SimpleNamespace()
        for c in self.cols:
            out.__dict__[c] = np.concatenate(self.parts[c]) if self.parts[c] else np.zeros(0)
        out.n = len(out.hh)
        for c in ("type", "hh", "member", "t", "duration", "lag"):
            out.__dict__[c] = out.__dict__[c].astype(np.int64)
        out.known = out.known.astype(bool)
        out.income_loss = np.zeros(out.n)
        return out


class Effects:
    """Effects of shocks on one view (truth or registry)."""

    def __init__(self):
        self.work = []      # (member, t0, t1, factor)
        self.biz = []       # (hh, t0, t1, factor)
        self.add = {k: [] for k in ("oop", "payout", "transfer", "cost", "edu")}  # (hh, t, amt)

    def stop_work(self, member, t0, t1, factor):
        self.work.append((member, t0, t1, np.broadcast_to(factor, member.shape)))

    def cut_business(self, hh, t0, t1, factor):
        self.biz.append((hh, t0, t1, np.broadcast_to(factor, hh.shape)))

    def spend(self, kind, hh, t, amount, months=None):
        """Add ``amount`` spread evenly over ``months`` months from ``t``."""
        if months is None:
            self.add[kind].append((hh, t, amount))
            return
        months = np.maximum(months, 1)
        rep = np.repeat(np.arange(len(hh)), months)
        off = np.arange(rep.size) - np.repeat(np.cumsum(months) - months, months)
        self.add[kind].append((hh[rep], t[rep] + off, (amount / months)[rep]))


def _ranges(rows, t0, t1, T):
    t0 = np.clip(t0, 0, T)
    t1 = np.clip(t1, 0, T)
    length = np.maximum(t1 - t0, 0)
    rep = np.repeat(np.arange(rows.size), length)
    off = np.arange(rep.size) - np.repeat(np.cumsum(length) - length, length)
    return rows[rep], t0[rep] + off, rep


def _apply_factor(arr, items, T):
    for rows, t0, t1, f in items:
        r, c, rep = _ranges(np.asarray(rows), np.asarray(t0), np.asarray(t1), T)
        if r.size:
            np.minimum.at(arr, (r, c), np.asarray(f, dtype=arr.dtype)[rep])


def _apply_add(arr, items, T):
    for hh, t, amt in items:
        t = np.asarray(t)
        ok = (t >= 0) & (t < T)
        if ok.any():
            np.add.at(arr, (np.asarray(hh)[ok], t[ok]), np.asarray(amt, dtype=arr.dtype)[ok])


def draw_shocks(ctx, pop, rng) -> SimpleNamespace:
    """Events of the panel (not yet their effects)."""
    t = ctx.time
    T = t.months
    h, s = pop.h, pop.s
    sh = Shocks()
    age0 = age_years(s.birth, t.start_date)
    mid_age = age0 + T / 24
    yrs = T / 12

    def alive_at(idx, when):
        return (when > s.born_t[idx]) & (when < s.death_t[idx])

    def person_events(rate, eligible):
        p_any = 1 - (1 - rate) ** yrs
        idx = np.flatnonzero(eligible & (rng.random(s.p) < p_any))
        when = rng.integers(0, T, idx.size)
        ok = alive_at(idx, when)
        return idx[ok], when[ok]

    protected = s.protected
    # serious illness
    rate = np.array([P.SHOCK_RATES["serious_illness"][b]
                     for b in sorted(P.SHOCK_RATES["serious_illness"])])[
        _band(P.SHOCK_RATES["serious_illness"], mid_age).clip(0, 3)]
    idx, when = person_events(rate, s.health0 != HEALTH["serious_illness"])
    cost = _lognormal(rng, P.SERIOUS_ILLNESS_COST, 0.8, idx.size)
    share = np.where(protected[idx], P.OOP_SHARE["protected"], P.OOP_SHARE["other"])
    oop = cost * share * rng.uniform(0.8, 1.2, idx.size)
    sh.add(rng, SHOCK["serious_illness"], s.hh[idx], idx, when, cost, oop,
           rng.integers(3, 13, idx.size))
    # some die of it
    die = rng.random(idx.size) < 0.08
    dt = when[die] + rng.integers(1, 11, die.sum())
    s.death_t[idx[die]] = np.minimum(s.death_t[idx[die]], dt)
    # chronic illness (40+)
    rate = np.where(mid_age >= 60, 0.02, np.where(mid_age >= 40, 0.012, 0.0))
    idx, when = person_events(rate, s.health0 == HEALTH["healthy"])
    sh.add(rng, SHOCK["chronic_illness"], s.hh[idx], idx, when,
           np.zeros(idx.size), rng.uniform(80, 300, idx.size), T - when)
    # new disability
    idx, when = person_events(P.SHOCK_RATES["disability"],
                              (s.health0 != HEALTH["disabled"]) & (mid_age >= 16))
    cost = _lognormal(rng, 10000, 0.7, idx.size)
    sh.add(rng, SHOCK["disability"], s.hh[idx], idx, when, cost, cost * 0.25, T - when)
    # accident (16-65)
    idx, when = person_events(P.SHOCK_RATES["accident"], (mid_age >= 16) & (mid_age <= 65))
    cost = _lognormal(rng, P.ACCIDENT_COST, 0.8, idx.size)
    sh.add(rng, SHOCK["accident"], s.hh[idx], idx, when, cost, cost * 0.3,
           rng.integers(1, 7, idx.size))
    fatal = rng.random(idx.size) < 0.02
    s.death_t[idx[fatal]] = np.minimum(s.death_t[idx[fatal]], when[fatal] + 1)
    # job loss of migrant workers
    migrant = np.isin(s.work, [WORK["migrant_in_province"], WORK["migrant_out_of_province"]])
    idx, when = person_events(P.SHOCK_RATES["job_loss"], migrant)
    sh.add(rng, SHOCK["job_loss"], s.hh[idx], idx, when, None, None,
           rng.integers(2, 11, idx.size))
    # disasters: villages hit in the rainy season
    villages = np.unique(h.village)
    years = np.unique(t.year)
    for y in years:
        hit_v = villages[rng.random(villages.size) < P.SHOCK_RATES["disaster_village"]]
        if not hit_v.size:
            continue
        moy = rng.choice([4, 5, 6, 7, 8], size=hit_v.size, p=[0.1, 0.3, 0.3, 0.2, 0.1])
        month_idx = {int(v): int(m) for v, m in zip(hit_v, moy, strict=True)}
        hh_hit = np.flatnonzero(np.isin(h.village, hit_v) &
                                (rng.random(h.n) < P.SHOCK_RATES["disaster_household"]))
        ym = (y - 1970) * 12 + np.array([month_idx[int(v)] for v in h.village[hh_hit]],
                                           dtype=np.int64)
        when = ym - t.start.astype(np.int64)
        ok = (when >= 0) & (when < T)
        hh_hit, when = hh_hit[ok], when[ok]
        damage = rng.random(hh_hit.size) < 0.08
        cost = np.where(damage, rng.uniform(20000, 80000, hh_hit.size), 0.0)
        end_of_year = when + (11 - t.month_of_year[when]) + 1
        sh.add(rng, SHOCK["disaster"], hh_hit, np.full(hh_hit.size, -1), when, cost, None,
               end_of_year - when)
    # business failure (households with business income)
    has_biz = (h.nonfarm > 0) | (h.livestock > 10000)
    p_any = 1 - (1 - P.SHOCK_RATES["business_failure"]) ** yrs
    hh_f = np.flatnonzero(has_biz & (rng.random(h.n) < p_any))
    when = rng.integers(0, T, hh_f.size)
    sh.add(rng, SHOCK["business_failure"], hh_f, np.full(hh_f.size, -1), when,
           rng.uniform(5000, 30000, hh_f.size), None, rng.integers(6, 19, hh_f.size))
    # school costs at entry to senior/vocational school (15) and college (18), in September
    sept = np.flatnonzero(t.month_of_year == 8)
    for ti in sept:
        sy = int(t.year[ti])
        sage = s.school_age_snap - (s.school_year_snap - sy)
        for entry, track, amount in ((15, s.hs_track, 2500.0), (18, s.col_track, 12000.0)):
            idx = np.flatnonzero((sage == entry) & track & (s.born_t < ti) & (s.death_t > ti))
            sh.add(rng, SHOCK["school_costs"], s.hh[idx], idx, np.full(idx.size, ti),
                   np.full(idx.size, amount * (3 if entry == 15 else 3)), None,
                   np.full(idx.size, 36))
    # deaths and births
    dead = np.flatnonzero(s.death_t < T)
    sh.add(rng, SHOCK["death"], s.hh[dead], dead, s.death_t[dead],
           rng.uniform(8000, 25000, dead.size), None, T - s.death_t[dead])
    born = np.flatnonzero(s.born_t >= 0)
    sh.add(rng, SHOCK["birth"], s.hh[born], born, s.born_t[born], None, None, None)
    return sh.done()


def baseline(ctx, pop, rng) -> SimpleNamespace:
    """Per-household business and property parameters (before the panel)."""
    h, s = pop.h, pop.s
    n = h.n
    farming_member = np.bincount(s.hh, weights=(s.work == WORK["farming"]), minlength=n) > 0
    prod = _lognormal(rng, 1.0, 0.25, n)
    crop = (h.cultivated * 1800 + h.orchard * 2000 + h.forest * 30) * prod \
        * (np.maximum(h.size0, 1) / 3.4) ** 0.6
    crop = np.where(farming_member, crop, crop * 0.3)
    size_f = np.maximum(h.size0, 1) / 3.4
    # ordinary households farm and trade on a larger scale than 脱贫 households [I]
    h.livestock = np.where(farming_member & (rng.random(n) < 0.6),
                           _lognormal(rng, 1.0, 0.45, n) * size_f *
                           np.where(h.pa, 7000, 15000), 0.0)
    h.crop = crop
    able_local = np.bincount(s.hh, weights=np.isin(s.lab, [LAB["ordinary"], LAB["skilled"]])
                             & ~np.isin(s.work, WAGE_WORK[1:]), minlength=n) > 0
    h.nonfarm = np.where(able_local & (rng.random(n) < np.where(h.pa, 0.05, 0.2)),
                         _lognormal(rng, 48000, 0.5, n), 0)
    rent_p = np.where(h.relocated, 0.6, np.where(h.pa, 0.25, 0.35))
    h.land_rent = np.where(rng.random(n) < rent_p, 700 * h.cultivated * 0.6, 0.0)
    h.dividend = np.where(h.pa, np.where(rng.random(n) < 0.7, rng.uniform(300, 800, n), 0),
                          np.where(rng.random(n) < 0.3, rng.uniform(300, 2500, n), 0))
    h.interest = _lognormal(rng, 15, 1.0, n)
    # support from relatives who are not household members (赡养、亲友赠送), yearly
    h.gifts = np.where(rng.random(n) < 0.8, _lognormal(rng, 7000, 0.6, n) * size_f, 0) \
        * np.where(h.relocated, 0.5, 1.0)
    h.industry_award = np.where(h.pa & (rng.random(n) < 0.35), rng.uniform(1000, 3000, n), 0)
    h.support_level = _lognormal(rng, 500, 0.5, n)
    # transitory variation: yields and work months differ from year to year
    ny = int(ctx.time.year.max() - ctx.time.year.min() + 1)
    h.crop_year = _lognormal(rng, 1.0, 0.15, (n, ny))
    s.wage_year = _lognormal(rng, 1.0, 0.08, (s.p, ny)).astype(np.float32)
    h.registry_bias_w = rng.normal(-0.05, 0.1, n)
    h.registry_bias_b = rng.normal(-0.10, 0.2, n)
    return h


def effects(ctx, pop, sh, view: str, rng) -> Effects:
    """Effects of the shocks for the ``truth`` or the ``registry`` view."""
    s = pop.s
    T = ctx.time.months
    eff = Effects()
    if view == "truth":
        sel = np.ones(sh.n, dtype=bool)
        shift = np.zeros(sh.n, dtype=np.int64)
    else:
        sel = sh.known
        shift = sh.lag
    t0 = sh.t + shift
    typ = sh.type

    def pick(name):
        return np.flatnonzero(sel & (typ == SHOCK[name]))

    r = rng  # deterministic per view: the caller passes a dedicated stream
    for name in ("serious_illness", "accident"):
        i = pick(name)
        m = sh.member[i]
        eff.stop_work(m, t0[i], t0[i] + sh.duration[i], 0.0)
        eff.spend("oop", sh.hh[i], t0[i], sh.oop[i], r.integers(1, 5, i.size))
        payout_p = 0.3 if name == "serious_illness" else 0.4
        payout_share = 0.2 if name == "serious_illness" else 0.5
        paid = r.random(i.size) < payout_p
        eff.spend("payout", sh.hh[i][paid], t0[i][paid] + 2, sh.cost[i][paid] * payout_share)
        relief = s.protected[m] & (r.random(i.size) < 0.5)
        eff.spend("transfer", sh.hh[i][relief], t0[i][relief] + 2,
                  r.uniform(2000, 5000, relief.sum()))
    i = pick("chronic_illness")
    eff.stop_work(sh.member[i], t0[i], np.full(i.size, T), 0.8)
    eff.spend("oop", sh.hh[i], t0[i], sh.oop[i] * (T - t0[i]).clip(1), (T - t0[i]).clip(1))
    i = pick("disability")
    eff.stop_work(sh.member[i], t0[i], np.full(i.size, T), 0.0)
    eff.spend("oop", sh.hh[i], t0[i], sh.oop[i], np.full(i.size, 2))
    i = pick("job_loss")
    eff.stop_work(sh.member[i], t0[i], t0[i] + sh.duration[i], 0.0)
    i = pick("disaster")
    factor = r.uniform(0.1, 0.7, i.size)
    eff.cut_business(sh.hh[i], t0[i], t0[i] + sh.duration[i], factor)
    relief = r.random(i.size) < 0.6
    eff.spend("transfer", sh.hh[i][relief], t0[i][relief] + 1, r.uniform(1000, 3000, relief.sum()))
    paid = r.random(i.size) < 0.3
    eff.spend("payout", sh.hh[i][paid], t0[i][paid] + 2, r.uniform(500, 3000, paid.sum()))
    i = pick("business_failure")
    eff.cut_business(sh.hh[i], t0[i], t0[i] + sh.duration[i], 0.2)
    eff.spend("cost", sh.hh[i], t0[i], sh.cost[i])
    if view == "truth":
        i = pick("school_costs")
        # the yearly cost is paid 60% in September and 40% in March, for three years
        per_year = sh.cost[i] / 3
        for k in range(3):
            eff.spend("edu", sh.hh[i], sh.t[i] + 12 * k, per_year * 0.6)
            eff.spend("edu", sh.hh[i], sh.t[i] + 12 * k + 6, per_year * 0.4)
    # maternity: the mother stops work for six months
    if s.mother_of_birth.size:
        eff.stop_work(s.mother_of_birth, s.mother_birth_t - 1, s.mother_birth_t + 5, 0.0)
    return eff


def _alive(s, T, view, sh):
    tt = np.arange(T)[None, :]
    if view == "truth":
        born, death = s.born_t, s.death_t
    else:
        born = np.full(s.p, -1, dtype=np.int64)
        death = np.full(s.p, T, dtype=np.int64)
        for name, arr in (("birth", born), ("death", death)):
            i = np.flatnonzero(sh.type == SHOCK[name])
            reg_t = np.where(sh.known[i], sh.t[i] + sh.lag[i], T)
            arr[sh.member[i]] = reg_t
        born = np.where(s.born_t >= 0, born, -1)
    newborn = (tt == born[:, None]) & (born[:, None] >= 0)
    return ((tt > born[:, None]) & (tt < death[:, None])) | newborn


def panel(ctx, pop, sh, rng_truth, rng_reg, scale=None) -> SimpleNamespace:
    """Monthly income components for both views (households x months arrays)."""
    t = ctx.time
    T = t.months
    h, s = pop.h, pop.s
    years = t.year
    moy = t.month_of_year
    out = SimpleNamespace()
    group = np.where(h.relocated & h.pa, 2, np.where(h.pa, 1, 0))
    h.group = group

    def yearly(table):
        return np.array([P.year_value(table, int(y), 0.05) for y in years])

    growth_w = (1 + P.WAGE_GROWTH) ** (years - 2025)
    growth_b = 1.03 ** (years - 2025)
    mig = np.isin(s.work, [WORK["migrant_in_province"], WORK["migrant_out_of_province"]])
    retained = np.ones(s.p)
    for key, val in P.WAGE_RETAINED.items():
        retained[s.work == WORK[key]] = val
    season = np.where(mig[:, None], np.array(P.MIGRANT_SEASON, np.float32)[moy][None, :],
                      np.array(P.LOCAL_SEASON, np.float32)[moy][None, :])
    yi = years - years.min()
    # nominal monthly wage of each person before shocks (float32 keeps the arrays small)
    wage_nominal = (season * (s.wage_base * retained).astype(np.float32)[:, None]
                    * s.wage_year[:, yi] * growth_w.astype(np.float32)[None, :])
    # first panel month in which each person is 60 or older (pension age)
    birth_m = s.birth.astype("datetime64[M]").astype(np.int64)
    pension_from = birth_m + 60 * 12 - t.start.astype(np.int64)
    pensioner = np.arange(T)[None, :] >= pension_from[:, None]
    post_on = (s.post >= 0)[:, None] & (np.arange(T)[None, :] + t.start.astype(np.int64)
                                         >= s.post_start[:, None])
    crop_m = np.array(P.CROP_SEASON)[moy]
    live_m = np.array(P.LIVESTOCK_SEASON)[moy]
    cost_m = np.array(P.COST_SEASON)[moy]
    pension = yearly(P.PENSION)
    dibao_b = yearly(P.DIBAO_BENEFIT)
    tekun_b = yearly(P.TEKUN_BENEFIT)
    import scipy.sparse as sparse

    summer = sparse.csr_matrix((np.ones(s.p, np.float32), (s.hh, np.arange(s.p))),
                               shape=(h.n, s.p))

    def hsum(arr):
        """Household totals of a persons x months array (a sparse 0/1 product)."""
        return summer @ np.asarray(arr, dtype=np.float32)

    views = {}
    for view, rng in (("truth", rng_truth), ("registry", rng_reg)):
        eff = effects(ctx, pop, sh, view, rng)
        alive = _alive(s, T, view, sh)
        work_f = np.ones((s.p, T), dtype=np.float32)
        _apply_factor(work_f, eff.work, T)
        wage_p = wage_nominal * work_f * alive
        post_p = (P.WELFARE_POST_WAGE * post_on * alive).astype(np.float32)
        biz_f = np.ones((h.n, T), dtype=np.float32)
        _apply_factor(biz_f, eff.biz, T)
        gross = ((h.crop[:, None] * h.crop_year[:, yi] * crop_m[None, :]
                  + h.livestock[:, None] * live_m[None, :]) * growth_b[None, :])
        nonfarm = h.nonfarm[:, None] / 12 * growth_b[None, :]
        business = (gross + nonfarm) * biz_f
        cost = (0.4 * (h.crop + h.livestock))[:, None] * cost_m[None, :] * growth_b[None, :] \
            + 0.55 * nonfarm
        members = hsum(alive.astype(np.float32))
        # transfers
        # person-level transfers: household sums of alive persons in each group, times amounts
        dis_sub = ((s.health0 == HEALTH["disabled"]) & s.dis_cert) * (
            P.DISABILITY_SUBSIDY * ((s.dibao != DIBAO["none"]).astype(np.int64)
                                    + (s.dis_grade <= 2)))
        voc = np.isin(s.sch, [SCH["vocational_1"], SCH["vocational_2"], SCH["vocational_3"],
                              SCH["higher_vocational_1"], SCH["higher_vocational_2"],
                              SCH["higher_vocational_3"]]) & h.pa[s.hh]
        # boarding/living subsidy for pupils of poverty-alleviated households [M]
        pupil = (s.sch >= SCH["grade_1"]) & (s.sch <= SCH["grade_9"]) & h.pa[s.hh]
        alive32 = alive.astype(np.float32)
        transfer = (hsum(alive & pensioner & ~s.pen_emp[:, None]) * pension[None, :]
                    + hsum(alive32 * (s.dibao != DIBAO["none"])[:, None]) * dibao_b[None, :]
                    + hsum(alive32 * (s.tekun != TEKUN["none"])[:, None]) * tekun_b[None, :]
                    + hsum(alive32 * dis_sub.astype(np.float32)[:, None])
                    + hsum(alive32 * voc[:, None]) * (np.isin(moy, [2, 9]) * 1500.0)[None, :]
                    + hsum(alive32 * pupil[:, None]) * (np.isin(moy, [2, 8]) * 500.0)[None, :]
                    ).astype(np.float64)
        n_workers = hsum(wage_p > 0)
        old_alone = (n_workers == 0) & (members > 0)
        transfer += old_alone * h.support_level[:, None] * (h.n_init > 0)[:, None]
        transfer += h.gifts[:, None] * np.where(moy == 0, 0.6, np.where(moy == 8, 0.4, 0))[None, :]
        transfer += (h.cultivated * P.LAND_SUBSIDY_PER_MU)[:, None] * (moy == 4)[None, :]
        transfer += ((h.forest * P.FOREST_COMPENSATION_PER_MU + h.returned * 120)[:, None]
                     * (moy == 11)[None, :])
        transfer += h.industry_award[:, None] * (moy == 5)[None, :]
        prop = ((h.land_rent + h.dividend)[:, None] * (moy == 11)[None, :] * growth_b[None, :]
                + h.interest[:, None])
        extra = {k: np.zeros((h.n, T)) for k in eff.add}
        for k, items in eff.add.items():
            _apply_add(extra[k], items, T)
        views[view] = SimpleNamespace(
            wage_p=wage_p, post_p=post_p, business=business, cost=cost + extra["cost"],
            transfer=transfer + extra["transfer"], property=prop, payout=extra["payout"],
            oop=extra["oop"], edu=extra["edu"], members=members, work_f=work_f, alive=alive)

    # calibration scale per group and year (truth view), applied to both views
    tv = views["truth"]
    wage_h = hsum(tv.wage_p).astype(np.float64)
    post_h = hsum(tv.post_p).astype(np.float64)
    kw_p = None
    if scale is None:
        scale = calibration_scale(ctx, h, years, wage_h, post_h, tv)
    kw, kb = scale
    kw_t = kw[group][:, years - years.min()]
    kb_t = kb[group][:, years - years.min()]
    out.scale = scale
    for v in views.values():
        if kw_p is None:
            kw_p = kw_t.astype(np.float32)[s.hh]
        wage_h = hsum(v.wage_p * kw_p).astype(np.float64) + hsum(v.post_p)
        v.wage = wage_h
        v.business = v.business * kb_t
        v.cost = v.cost * np.where(kb_t > 0, kb_t, 1.0)
    # per-person baseline wage (for losses) and the snapshot monthly wage
    s.k_wage_end = kw[group[s.hh], -1]
    out.truth = views["truth"]
    out.registry = views["registry"]
    # income loss of each shock (truth): baseline minus shocked wages/business over duration
    lost_w = np.cumsum(wage_nominal * tv.alive * kw_p * (1 - tv.work_f), axis=1)
    loss = np.zeros(sh.n)
    m = sh.member >= 0
    t1 = np.clip(sh.t + sh.duration, 1, T) - 1
    t0 = np.clip(sh.t, 0, T - 1)
    mi = np.flatnonzero(m)
    loss[mi] = lost_w[sh.member[mi], t1[mi]] - np.where(t0[mi] > 0, lost_w[sh.member[mi],
                                                                            t0[mi] - 1], 0)
    biz_types = np.isin(sh.type, [SHOCK["disaster"], SHOCK["business_failure"]])
    bi = np.flatnonzero(biz_types)
    if bi.size:
        gross = ((h.crop[:, None] * h.crop_year[:, years - years.min()] * crop_m[None, :]
                  + h.livestock[:, None] * live_m[None, :])
                 * growth_b[None, :] + h.nonfarm[:, None] / 12 * growth_b[None, :]) * kb_t
        lost_b = np.cumsum(gross - out.truth.business, axis=1)
        loss[bi] = lost_b[sh.hh[bi], t1[bi]] - np.where(t0[bi] > 0, lost_b[sh.hh[bi],
                                                                             t0[bi] - 1], 0)
    sh.income_loss = np.maximum(loss, 0)
    return out


def calibration_scale(ctx, h, years, wage_h, post_h, tv):
    """Per group (ordinary, PA, relocated) and year: wage and business multipliers."""
    ys = np.arange(years.min(), years.max() + 1)
    kw = np.ones((3, ys.size))
    kb = np.ones((3, ys.size))
    group = h.group
    for j, y in enumerate(ys):
        cols = years == y
        frac = cols.sum() / 12
        N = np.array([tv.members[group == g][:, cols].sum() / 12 for g in range(3)]) / frac
        W = np.array([wage_h[group == g][:, cols].sum() for g in range(3)]) / frac
        Wp = np.array([post_h[group == g][:, cols].sum() for g in range(3)]) / frac
        Bn = np.array([(tv.business - tv.cost)[group == g][:, cols].sum()
                       for g in range(3)]) / frac
        Y = np.array([(tv.transfer + tv.property)[group == g][:, cols].sum()
                      for g in range(3)]) / frac
        t_all = P.year_value(P.COUNTY_RURAL_INCOME, int(y)) * ctx.income_scale
        t_pa = P.year_value(P.PA_INCOME, int(y)) * ctx.income_scale
        t_rel = P.year_value(P.RELOCATED_INCOME, int(y)) * ctx.income_scale
        tg = np.zeros(3)
        tg[2] = t_rel
        tg[1] = (t_pa * (N[1] + N[2]) - t_rel * N[2]) / N[1] if N[1] > 0 else t_pa
        tg[0] = ((t_all * N.sum() - t_pa * (N[1] + N[2])) / N[0]) if N[0] > 0 else t_all
        if N[0] > 0 and N[0] < 0.2 * N.sum():  # few ordinary households: keep them plausible
            tg[0] = max(tg[0], t_all)
        shares = (P.WAGE_SHARE["ordinary"], P.WAGE_SHARE["poverty_alleviated"],
                  P.WAGE_SHARE["relocated"])
        for g in range(3):
            if N[g] <= 0:
                continue
            total = tg[g] * N[g]
            kw[g, j] = np.clip((shares[g] * total - Wp[g]) / max(W[g], 1.0), 0.3, 3.0)
            rest = total - kw[g, j] * W[g] - Wp[g] - Y[g]
            kb[g, j] = np.clip(rest / Bn[g], 0.05, 5.0) if Bn[g] > 0 else 1.0
            if Bn[g] > 0 and rest / Bn[g] < 0.05:
                # too little room for business income: keep the mean, give up the wage share
                kw[g, j] = np.clip((total - kb[g, j] * Bn[g] - Wp[g] - Y[g]) / max(W[g], 1.0),
                                   0.3, 3.0)
    return kw, kb


def apply_assistance(ctx, pop, pan, mon, reg, rng) -> None:
    """Add the assistance started at identification to both views and to the registry flags."""
    from .monitoring import ASSIST_DIBAO, ASSIST_INDUSTRY, ASSIST_JOB, ASSIST_POST

    t = ctx.time
    T = t.months
    h, s = pop.h, pop.s
    start = mon.assist_start - t.start.astype(np.int64)
    active_end = (s.death_t >= T) & reg.in_registry
    eligible = ((s.age_snap >= 18) & (s.age_snap <= 65) & ~s.student & active_end &
                ~np.isin(reg.work, WAGE_WORK) & (s.post < 0) & (s.tekun == TEKUN["none"]) &
                np.isin(reg.lab, [LAB["ordinary"], LAB["weak"], LAB["skilled"]]))
    # the first eligible member of each household
    cand = np.full(h.n, -1, dtype=np.int64)
    idx = np.flatnonzero(eligible)
    cand[s.hh[idx[::-1]]] = idx[::-1]
    kind = mon.assist_kind.copy()
    needs_member = np.isin(kind, [ASSIST_POST, ASSIST_JOB])
    kind[needs_member & (cand < 0)] = ASSIST_INDUSTRY
    mon.assist_kind = kind
    from .monitoring import ASSIST_AMOUNT
    amount = np.where(kind == ASSIST_DIBAO, mon.assist_amount,
                      np.vectorize(lambda k: ASSIST_AMOUNT.get(int(k), 0.0))(kind)
                      if kind.size else kind)
    mon.assist_amount = amount
    on = (kind >= 0)[:, None] & (np.arange(T)[None, :] >= start[:, None])
    for v in (pan.truth, pan.registry):
        v.transfer = v.transfer + on * np.where(kind == ASSIST_DIBAO, amount, 0)[:, None]
        v.wage = v.wage + on * np.where(np.isin(kind, [ASSIST_POST, ASSIST_JOB]), amount,
                                        0)[:, None]
        v.business = v.business + on * np.where(kind == ASSIST_INDUSTRY, amount, 0)[:, None]
    # registry flags of the measures
    hh_d = np.flatnonzero(kind == ASSIST_DIBAO)
    members_d = np.isin(s.hh, hh_d) & (s.born_t < 0) & (s.tekun == TEKUN["none"])
    s.dibao[members_d & (s.dibao == DIBAO["none"])] = DIBAO["rural"]
    s.med_assist[members_d] = True
    hp = np.flatnonzero(kind == ASSIST_POST)
    m = cand[hp]
    s.post[m] = rng.choice(7, m.size, p=[0.3, 0.3, 0.15, 0.1, 0.08, 0.04, 0.03])
    s.post_start[m] = np.maximum(mon.assist_start[hp], 1)
    hj = np.flatnonzero(kind == ASSIST_JOB)
    m = cand[hj]
    reg.work[m] = WORK["local_employed"]
    s.work_place[m] = ctx.county_num[h.county[hj]]
    s.work_start[m] = mon.assist_start[hj]
    s.wage_base[m] = ASSIST_AMOUNT[ASSIST_JOB] / np.maximum(s.k_wage_end[m], 1e-9)
    reg.lab[m] = np.where(reg.lab[m] == LAB["weak"], LAB["ordinary"], reg.lab[m])
