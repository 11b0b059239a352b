"""Annual truth (R1 income, R2 eligibility) and the registry's monitoring history.

The registry's monitoring fields are the outcome of an imperfect process over 2021 to the
end of the panel [I]: an eligible household is identified with a probability that depends on
its category (脱贫 households are watched most closely), some ineligible households near the
line are included, identification follows an event by one to three months, and risk is
eliminated once income is back above the line for a household monitored for at least six
months (R6), never for households without labour. The truth table keeps the category each
household really qualified for, so that omissions (漏纳) and wrong inclusions can be measured.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyarrow as pa

from .. import schema
from ..policy import flat
from . import params as P
from .economy import SHOCK
from .population import EDU, HEALTH, LAB, SCH

CAT = {c: i for i, c in enumerate(schema.enum_codes("monitoring_category"))}
RISK_CODES = schema.enum_codes("risk_type")
FIRST_YEAR = 2021


def monitoring_line_by_year(scope_code: str, last_year: int) -> dict[int, int]:
    """``{year: line}`` from the policy layer: the generator and the rules share one line."""
    return flat.by_year_table("income.monitoring_line", scope_code, last_year)


def annual_truth(ctx, pop, pan, sh, rng, assist=None) -> SimpleNamespace:
    """Per household and year: members, net income, pcni, rigid spending, eligibility.

    ``assist`` (from :func:`simulate`) adds the assistance received in years before the
    panel; in panel years it is already part of the monthly incomes.
    """
    t = ctx.time
    h = pop.h
    tv = pan.truth
    years_panel = t.year
    full = t.full_years
    last = int(years_panel.max())
    first_panel = int(years_panel.min())
    years = list(range(min(FIRST_YEAR, first_panel), last + 1))
    n, ny = h.n, len(years)
    out = SimpleNamespace(years=years, n=n)
    out.members = np.zeros((n, ny))
    out.net = np.zeros((n, ny))
    out.oop = np.zeros((n, ny))
    out.rigid = np.zeros((n, ny))
    out.event = np.zeros((n, ny), dtype=bool)
    out.event_month = np.full((n, ny), -1, dtype=np.int64)   # months since 1970
    out.from_panel = np.zeros(ny, dtype=bool)
    net_m = tv.wage + tv.business + tv.property + tv.transfer - tv.cost
    edu = tv.edu
    sudden_types = [SHOCK[k] for k in ("serious_illness", "disability", "accident", "disaster",
                                       "job_loss", "business_failure", "death")]
    ev = np.isin(sh.type, sudden_types)
    ev_month = sh.t + t.start.astype(np.int64)
    ev_year = ev_month // 12 + 1970
    for j, y in enumerate(years):
        cols = years_panel == y
        k = int(cols.sum())
        if k:
            scale = 12 / k
            out.members[:, j] = tv.members[:, cols].mean(axis=1)
            out.net[:, j] = net_m[:, cols].sum(axis=1) * scale
            out.oop[:, j] = tv.oop[:, cols].sum(axis=1) * scale
            out.rigid[:, j] = (tv.oop[:, cols] + edu[:, cols]).sum(axis=1) * scale
            out.from_panel[j] = y in full
            sel = np.flatnonzero(ev & (ev_year == y))
            out.event[sh.hh[sel], j] = True
            order = sel[np.argsort(-ev_month[sel], kind="stable")]
            out.event_month[sh.hh[order], j] = ev_month[order]  # earliest wins (written last)
    # years before the panel: scale the first panel year by the published growth
    j0 = years.index(first_panel)
    for j, y in enumerate(years):
        if y >= first_panel:
            continue
        ratio = np.where(h.pa, P.year_value(P.PA_INCOME, y) / P.year_value(P.PA_INCOME,
                                                                            first_panel),
                         P.year_value(P.COUNTY_RURAL_INCOME, y) /
                         P.year_value(P.COUNTY_RURAL_INCOME, first_panel))
        noise = np.exp(rng.normal(0, 0.12, n))
        bad_year = rng.random(n) < 0.04
        noise = np.where(bad_year, noise * rng.uniform(0.35, 0.7, n), noise)
        out.members[:, j] = out.members[:, j0]
        out.net[:, j] = out.net[:, j0] * ratio * noise
        big = rng.random(n) < 0.035
        out.event[:, j] = big | bad_year
        out.rigid[:, j] = np.where(big, rng.uniform(0.3, 0.9, n) * np.abs(out.net[:, j]), 0)
        out.oop[:, j] = out.rigid[:, j] * 0.8
        out.event_month[:, j] = np.where(out.event[:, j],
                                         (y - 1970) * 12 + rng.integers(0, 12, n), -1)
        if assist is not None:
            ys = (y - 1970) * 12
            on = np.where(assist.assist_start >= 0,
                          np.clip(ys + 12 - np.maximum(assist.assist_start, ys), 0, 12), 0)
            out.net[:, j] += assist.assist_amount * on
    # income in the six months from the event, annualised (收入大幅缩减), panel years only
    out.post_event = np.full((n, ny), np.inf)
    cs = np.cumsum(net_m, axis=1)
    cs = np.concatenate([np.zeros((n, 1)), cs], axis=1)
    T = t.months
    for j in range(ny):
        e = out.event_month[:, j] - t.start.astype(np.int64)
        ok = (e >= 0) & (e < T)
        e1 = np.clip(e + 6, 0, T)
        e0 = np.clip(e, 0, T)
        k = (e1 - e0).astype(float)
        rows = np.flatnonzero(ok & (k > 0))
        out.post_event[rows, j] = (cs[rows, e1[rows]] - cs[rows, e0[rows]]) * 12 / k[rows]
    mem = np.maximum(out.members, 1e-9)
    out.pcni = np.where(out.members > 0, out.net / mem, 0.0)
    # the line in force in the scope's policy (years before its first value: the first value)
    lines = monitoring_line_by_year(ctx.scope_code, int(max(years)))
    out.line = np.array([float(lines.get(int(y), lines[min(lines)])) for y in years])
    below = out.pcni < out.line[None, :]
    after_rigid = np.where(out.members > 0,
                           (np.minimum(out.net, out.post_event) - out.rigid) / mem, 0.0)
    out.after_rigid = after_rigid
    sudden = ~below & (after_rigid < out.line[None, :]) & out.event
    cat = np.full((n, ny), -1, dtype=np.int64)
    cat[below & h.pa[:, None]] = CAT["UNSTABLE"]
    cat[below & ~h.pa[:, None]] = CAT["MARGINAL"]
    cat[sudden] = CAT["SUDDEN"]
    cat[out.members <= 0] = -1
    out.eligible = cat
    return out


def risk_flags(ctx, pop, reg, sh, year_events) -> np.ndarray:
    """(n, len(RISK_CODES)) flags in priority order, from the registry's view."""
    h, s = pop.h, pop.s
    n = h.n
    active = reg.status_active
    flags = np.zeros((n, len(RISK_CODES)), dtype=bool)

    def any_member(mask):
        return np.bincount(s.hh, weights=mask & active, minlength=n) > 0

    col = {c: i for i, c in enumerate(RISK_CODES)}
    flags[:, col["ILLNESS"]] = any_member(np.isin(reg.health, [HEALTH["serious_illness"],
                                                              HEALTH["chronic"]]))
    flags[:, col["DISABILITY"]] = any_member(reg.health == HEALTH["disabled"])
    able = np.bincount(s.hh, weights=np.isin(reg.lab, [LAB["ordinary"], LAB["skilled"]]) & active,
                       minlength=n)
    size = np.maximum(np.bincount(s.hh, weights=active, minlength=n), 1)
    flags[:, col["LACK_OF_LABOUR"]] = able / size <= 0.25
    flags[:, col["EDUCATION"]] = any_member(
        np.isin(s.sch, [SCH[k] for k in SCH if k.startswith(("senior", "vocational", "higher",
                                                             "undergraduate"))]))
    flags[:, col["HOUSING_SAFETY"]] = h.grade >= 2
    flags[:, col["DRINKING_WATER"]] = ~h.safe_water
    for code, name in (("ACCIDENT", "accident"), ("DISASTER", "disaster"),
                       ("UNSTABLE_EMPLOYMENT", "job_loss"),
                       ("INDUSTRY_FAILURE", "business_failure")):
        flags[:, col[code]] = year_events.get(name, np.zeros(n, dtype=bool))
    return flags


ASSIST_DIBAO, ASSIST_POST, ASSIST_INDUSTRY, ASSIST_JOB = range(4)
#: monthly household amount of each assistance measure [I]: 低保 for households without
#: labour (per member), a public-welfare post, industry support, an employment placement
ASSIST_AMOUNT = {ASSIST_POST: 700.0, ASSIST_INDUSTRY: 500.0, ASSIST_JOB: 1200.0}


def simulate(ctx, pop, truth, reg, sh, rng) -> SimpleNamespace:
    """The registry's monitoring fields at the snapshot, and the assistance that followed.

    Identification starts a measure the month after (R4): 低保 for households without labour,
    otherwise a public-welfare post, industry support or a job placement. The measure raises
    the household's income from then on, which is what lets most households leave (R6).
    """
    t = ctx.time
    h = pop.h
    n = h.n
    end_m = int(t.end.astype(np.int64))
    assist_start = np.full(n, -1, dtype=np.int64)
    assist_kind = np.full(n, -1, dtype=np.int64)
    assist_amount = np.zeros(n)
    cat = np.full(n, -1, dtype=np.int64)
    id_m = np.full(n, -1, dtype=np.int64)
    elim = np.zeros(n, dtype=bool)
    elim_m = np.full(n, -1, dtype=np.int64)
    mode = np.full(n, -1, dtype=np.int64)
    risk_year = np.full(n, -1, dtype=np.int64)
    ever = np.zeros(n, dtype=bool)
    ever_members = np.zeros(n)
    static = (h.grade >= 2) | ~h.safe_water | (h.n_sick > 0) | (h.n_able == 0)
    for j, y in enumerate(truth.years):
        ys = (y - 1970) * 12
        line = truth.line[j]
        members = np.maximum(truth.members[:, j], 1e-9)
        months_on = np.where(assist_start >= 0,
                             np.clip(ys + 12 - np.maximum(assist_start, ys), 0, 12), 0)
        uplift = assist_amount * months_on / members
        pcni = truth.pcni[:, j] + uplift
        after = truth.after_rigid[:, j] + uplift
        below = pcni < line
        elig = np.full(n, -1, dtype=np.int64)
        elig[below & h.pa] = CAT["UNSTABLE"]
        elig[below & ~h.pa] = CAT["MARGINAL"]
        elig[~below & (after < line) & truth.event[:, j]] = CAT["SUDDEN"]
        elig[truth.members[:, j] <= 0] = -1
        # elimination of households monitored for at least six months
        mon = (cat >= 0) & ~elim
        ok = mon & (pcni >= line) & ~h.no_labour & (elig < 0)
        go = ok & (rng.random(n) < 0.95)
        when = np.maximum(id_m + 6, ys + rng.integers(3, 12, n))
        go &= (when < ys + 12) & (when <= end_m)
        elim[go] = True
        elim_m[go] = when[go]
        mode[go] = np.where(rng.random(go.sum()) < 0.85, 0, 1)
        # identification (re-entry allowed 12 months after elimination)
        free = (cat < 0) | (elim & (elim_m <= ys - 12))
        p = np.select([elig == CAT["UNSTABLE"], elig == CAT["MARGINAL"], elig == CAT["SUDDEN"]],
                      [0.19, 0.13, 0.21], 0.0)
        p = np.where(static, p, p * 0.45)
        # the mandatory-visit list (八必访) points cadres at small, old, sick households
        p = p * np.where(truth.members[:, j] <= 3, 1.4, 0.65)
        near = (elig < 0) & (pcni < 1.2 * line) & static
        p = np.where(near, 0.01, p)
        new = free & (rng.random(n) < p) & (truth.members[:, j] > 0)
        ev_m = truth.event_month[:, j]
        q4 = rng.random(n) < 0.4
        month = np.where(ev_m >= 0, ev_m + rng.integers(1, 4, n),
                         ys + np.where(q4, rng.integers(9, 12, n), rng.integers(0, 12, n)))
        new &= month <= end_m
        c = np.where(elig >= 0, elig, np.where(h.pa, CAT["UNSTABLE"], CAT["MARGINAL"]))
        cat[new] = c[new]
        id_m[new] = month[new]
        elim[new] = False
        elim_m[new] = -1
        mode[new] = -1
        risk_year[new] = j
        first_aid = new & (assist_start < 0)
        fragile = h.no_labour | ((h.n_sick > 0) & (rng.random(n) < 0.7))
        kind = np.where(fragile, ASSIST_DIBAO,
                        rng.choice([ASSIST_POST, ASSIST_INDUSTRY, ASSIST_JOB], n,
                                   p=[0.45, 0.35, 0.2]))
        dibao_amt = P.year_value(P.DIBAO_BENEFIT, y) * truth.members[:, j]
        amount = np.where(kind == ASSIST_DIBAO, dibao_amt,
                          np.select([kind == ASSIST_POST, kind == ASSIST_INDUSTRY],
                                    [ASSIST_AMOUNT[ASSIST_POST], ASSIST_AMOUNT[ASSIST_INDUSTRY]],
                                    ASSIST_AMOUNT[ASSIST_JOB]))
        assist_start[first_aid] = month[first_aid] + 1
        assist_kind[first_aid] = kind[first_aid]
        assist_amount[first_aid] = amount[first_aid]
        ever |= new
        ever_members = np.where(new, np.maximum(ever_members, truth.members[:, j]), ever_members)
    out = SimpleNamespace(cat=cat, id_m=id_m, elim=elim, elim_m=elim_m, mode=mode,
                          risk_year=risk_year, ever=ever, ever_members=ever_members,
                          assist_start=assist_start, assist_kind=assist_kind,
                          assist_amount=assist_amount)
    return out


def risk_lists(ctx, pop, mon, reg, sh, truth) -> tuple[pa.Array, pa.Array]:
    """risk_types (list<string>) and risk_other_note for monitored households."""
    t = ctx.time
    h = pop.h
    n = h.n
    flags = np.zeros((n, len(RISK_CODES)), dtype=bool)
    ev_year = (sh.t + t.start.astype(np.int64)) // 12 + 1970
    for j, y in enumerate(truth.years):
        rows = mon.risk_year == j
        if not rows.any():
            continue
        events = {}
        for name in ("accident", "disaster", "job_loss", "business_failure"):
            sel = (sh.type == SHOCK[name]) & (ev_year == y)
            e = np.zeros(n, dtype=bool)
            e[sh.hh[sel]] = True
            events[name] = e
        f = risk_flags(ctx, pop, reg, sh, events)
        flags[rows] = f[rows]
    monitored = mon.cat >= 0
    flags &= monitored[:, None]
    other = monitored & ~flags.any(axis=1)
    flags[other, RISK_CODES.index("OTHER")] = True
    cum = np.cumsum(flags, axis=1)
    flags &= cum <= 5
    counts = flags.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    codes = np.nonzero(flags)[1]
    values = pa.array(RISK_CODES, pa.string()).take(pa.array(codes))
    mask = pa.array(~monitored)
    lists = pa.ListArray.from_arrays(pa.array(offsets), values, mask=mask)
    note = pa.array(np.where(other, "家庭收入不稳定", None).tolist(), pa.string())
    return lists, note


def registry_people(ctx, pop, sh, rng) -> SimpleNamespace:
    """The registry's view of each member at the snapshot (status, health, labour, work)."""
    from .population import WAGE_WORK, WORK

    t = ctx.time
    T = t.months
    s = pop.s
    reg = SimpleNamespace()
    known_by_end = sh.known & (sh.t + sh.lag < T)
    # membership
    in_reg = np.ones(s.p, dtype=bool)
    births = sh.type == SHOCK["birth"]
    in_reg[sh.member[births & ~known_by_end]] = False
    status_active = np.ones(s.p, dtype=bool)
    status_month = np.full(s.p, -1, dtype=np.int64)
    d = np.flatnonzero((sh.type == SHOCK["death"]) & known_by_end)
    status_active[sh.member[d]] = False
    status_month[sh.member[d]] = sh.t[d] + sh.lag[d]
    b = np.flatnonzero(births & known_by_end)
    status_month[sh.member[b]] = sh.t[b] + sh.lag[b]
    reg.in_registry = in_reg
    reg.status_active = status_active & in_reg
    reg.status_month = status_month
    # truth health at the end
    health_true = s.health0.copy()
    health_reg = s.health0.copy()
    dis_type = s.dis_type.copy()
    dis_grade = s.dis_grade.copy()
    dis_cert = s.dis_cert.copy()
    for name, value in (("chronic_illness", HEALTH["chronic"]),
                        ("serious_illness", HEALTH["serious_illness"]),
                        ("disability", HEALTH["disabled"])):
        i = np.flatnonzero(sh.type == SHOCK[name])
        m = sh.member[i]
        upgrade = health_true[m] != HEALTH["disabled"] if name != "disability" else \
            np.ones(i.size, dtype=bool)
        health_true[m[upgrade]] = value
        k = i[known_by_end[i]]
        mk = sh.member[k]
        up = health_reg[mk] != HEALTH["disabled"] if name != "disability" else \
            np.ones(k.size, dtype=bool)
        health_reg[mk[up]] = value
        if name == "disability" and k.size:
            dis_type[mk] = rng.choice(7, k.size)
            dis_grade[mk] = rng.choice(4, k.size, p=np.array(P.DISABILITY_GRADE_P)) + 1
            dis_cert[mk] = True
    reg.health_true = health_true
    reg.health = health_reg
    reg.dis_type = np.where(health_reg == HEALTH["disabled"], dis_type, -1)
    reg.dis_grade = np.where(health_reg == HEALTH["disabled"], dis_grade, 0)
    reg.dis_cert = np.where(health_reg == HEALTH["disabled"], dis_cert, False)
    # labour and work follow the recorded health
    lab = s.lab.copy()
    work = s.work.copy()
    became_ill = (health_reg != s.health0) & (s.age_snap >= 16) & ~s.student
    severe = became_ill & ((health_reg == HEALTH["serious_illness"]) |
                           ((health_reg == HEALTH["disabled"]) & (reg.dis_grade <= 2)))
    lab[severe] = LAB["lost"]
    work[severe] = WORK["not_working"]
    mild = became_ill & ~severe & np.isin(lab, [LAB["ordinary"], LAB["skilled"]])
    lab[mild] = LAB["weak"]
    work[mild & np.isin(work, WAGE_WORK)] = WORK["farming"]
    # an unresolved job loss known at the end: back home farming
    j = np.flatnonzero((sh.type == SHOCK["job_loss"]) & known_by_end &
                       (sh.t + sh.duration >= T))
    work[sh.member[j]] = np.where(lab[sh.member[j]] == LAB["lost"], WORK["not_working"],
                                  WORK["farming"])
    lab[(work == WORK["farming"]) & (lab == LAB["skilled"])] = LAB["ordinary"]
    college = np.isin(s.edu, [EDU["junior_college"], EDU["bachelor_plus"], EDU["master_plus"]])
    edu = s.edu.copy()
    edu[college & ~np.isin(work, WAGE_WORK) & ~s.student] = EDU["senior_secondary"]
    # newborns: children with no labour
    reg.lab, reg.work, reg.edu = lab, work, edu
    return reg
