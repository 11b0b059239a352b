"""The field sample of the effectiveness evaluation (R10): villages, then households, per county.

A stratified two-stage design, drawn independently in every county (domain.md §6.2, the
Sichuan 2021 post-evaluation: "about 10 villages per county, prioritizing 脱贫村, key-assistance
villages, large relocation sites and disaster-hit villages; about 300 households per county,
prioritizing the three monitoring categories ... plus others").

**Stage 1, villages (PSUs).** The county's villages are split into two village strata:

* ``priority``: a village that meets any criterion of :class:`VillagePriority`: a true flag
  in the optional ``villages`` table (``poverty_village`` 脱贫村, ``key_assistance_village``
  乡村振兴重点帮扶村, ``relocation_site`` 易地扶贫搬迁集中安置点, ``disaster_hit`` 受灾村), the same
  facts derived from the households when the flag is not given (``relocated_households_min``
  relocated households; ``disaster_households_min`` households identified for the DISASTER
  risk in the last 12 months), or a place in the county's top ``top_share`` of villages by
  active monitored households, by households eliminated in the last 12 months or by the
  ``alerts`` count of the villages table;
* ``other``: every other village of the county.

``share_of_sample`` of the ``villages_per_county`` come from the priority stratum, the rest
from the other one, so that every village has a known, non-zero chance and the estimates cover
the whole county; a stratum short of villages passes its quota to the other one, and each
non-empty stratum gets at least two villages when the quota allows (so its variance is
identified). Villages are drawn by simple random sampling without replacement within their
stratum: P(village) = m_h / M_h.

**Stage 2, households.** Every household of the frame falls in exactly one household stratum,
taken in this order (the first that applies):

=================== ===================================================================
``monitored``       an active monitored household (``monitoring_category`` set and the
                    risk not eliminated)
``eliminated_recent`` risk eliminated in the 12 months up to ``as_of``
``alleviated``      a poverty-alleviated household (脱贫户) not monitored
``near_line``       another rural household near the line: ``near_line`` column true, or
                    ``pcni < near_line_factor * line`` when a ``pcni`` column and ``line``
                    are given
``other``           every other rural household
=================== ===================================================================

The county's household sample is shared out over the strata by ``strata`` (shares of
``households_per_county``, or, with ``allocation="rates"``, sampling rates applied to each
stratum's county population, the fixed-rate practice of domain.md §6.2 [VL S50b]); a stratum
with fewer households in the selected villages than its share takes them all and passes the
rest to the other strata in proportion to their shares. A stratum's sample is then shared out
over the selected villages in proportion to N_sv / P(village) (so households of one stratum get
about equal weights), with at least one household in every village that has some when the
sample allows, and drawn by simple random sampling without replacement within each village x
stratum cell: P(household | village) = n_sv / N_sv.

**Weights.** ``inclusion_probability`` = P(village) x P(household | village) and
``base_weight`` = 1 / inclusion_probability (the Horvitz-Thompson design weight). ``weight``
post-stratifies the base weights to the county's household-stratum counts of the frame:
weight = base_weight x N_s / (sum of base weights of the sampled households of s), so the
weights of each stratum add up exactly to its population. A stratum with households in the
county but none in the selected villages cannot be represented; it is listed in ``notes`` and
in the ``strata`` table (``covered`` false).

**Determinism.** Each county is drawn with its own generator seeded by ``(seed, crc32(county
code))``, on households and villages sorted by code: the same seed gives the same sample
whatever the row order of the input, and adding a county does not change another county's
sample.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dixian.engine.months import month_add

__all__ = [
    "HOUSEHOLD_STRATA",
    "HOUSEHOLD_STRATA_ZH",
    "VILLAGE_STRATA",
    "DEFAULT_ALLOCATION",
    "VILLAGE_FLAGS",
    "VillagePriority",
    "FieldSample",
    "draw_sample",
]

#: household strata, in the order of assignment (a household takes the first that applies)
HOUSEHOLD_STRATA = ("monitored", "eliminated_recent", "alleviated", "near_line", "other")
HOUSEHOLD_STRATA_ZH = {
    "monitored": "监测对象（未消除风险）",
    "eliminated_recent": "近12个月风险消除户",
    "alleviated": "脱贫户（非监测对象）",
    "near_line": "收入接近监测范围的其他农户",
    "other": "其他农户",
}
VILLAGE_STRATA = ("priority", "other")
#: default shares of the county's household sample by stratum [I]: the monitored households
#: first (Sichuan 2021, domain.md §6.2), recent eliminations for the wrong-elimination rate,
#: and enough non-monitored households for the omission rate
DEFAULT_ALLOCATION: Mapping[str, float] = MappingProxyType({
    "monitored": 0.35,
    "eliminated_recent": 0.20,
    "alleviated": 0.20,
    "near_line": 0.15,
    "other": 0.10,
})
#: boolean village flags read from the optional ``villages`` table (domain.md §6.2)
VILLAGE_FLAGS = {
    "poverty_village": "脱贫村",
    "key_assistance_village": "乡村振兴重点帮扶村",
    "relocation_site": "易地扶贫搬迁集中安置点",
    "disaster_hit": "受灾村",
}
_RANKED = ("monitored", "eliminated_recent", "alerts")


@dataclass(frozen=True)
class VillagePriority:
    """Which villages form the priority stratum of the first stage (domain.md §6.2).

    Attributes:

    * ``flags``: boolean columns of the ``villages`` table; a true value makes the village a
      priority village (default: the four kinds of §6.2, see :data:`VILLAGE_FLAGS`).
    * ``relocated_households_min``: when the villages table has no ``relocation_site``
      column, a village with at least this many relocated households counts as a large
      relocation site (default 200 households, about the 800 persons of a "大中型安置区" [M];
      ``None`` turns the rule off).
    * ``disaster_households_min``: when there is no ``disaster_hit`` column, a village with at
      least this many households identified for the DISASTER risk in the last 12 months
      counts as disaster-hit (default 1; ``None`` turns it off).
    * ``ranked``: counts by which the county's top villages are priority villages:
      ``monitored`` (active monitored households), ``eliminated_recent`` (eliminated in the
      last 12 months), ``alerts`` (the villages table's ``alerts`` column, e.g. departmental
      alerts in the last 12 months; ignored when absent).
    * ``top_share``: the top share of the county's villages by each ranked count (a village
      ties in when its count equals the count at that rank; a zero count never qualifies).
    * ``share_of_sample``: share of ``villages_per_county`` drawn from the priority stratum.
    """

    flags: tuple[str, ...] = tuple(VILLAGE_FLAGS)
    relocated_households_min: int | None = 200
    disaster_households_min: int | None = 1
    ranked: tuple[str, ...] = _RANKED
    top_share: float = 0.2
    share_of_sample: float = 0.7

    def __post_init__(self) -> None:
        unknown = [r for r in self.ranked if r not in _RANKED]
        if unknown:
            raise ValueError(f"VillagePriority.ranked: unknown count(s) {unknown}; "
                             f"choose from {list(_RANKED)}")
        if not 0 <= self.top_share <= 1:
            raise ValueError("VillagePriority.top_share must lie in [0, 1]")
        if not 0 <= self.share_of_sample <= 1:
            raise ValueError("VillagePriority.share_of_sample must lie in [0, 1]")


@dataclass(frozen=True)
class FieldSample:
    """A drawn field sample (see the module docstring for the design).

    Attributes:

    * ``households``: the sampled households, every input column followed by the design
      columns ``household_stratum``, ``village_stratum``, ``monitored`` (active monitored in
      the registry), ``eliminated`` (risk eliminated in the registry),
      ``village_probability``, ``household_probability`` (given the village),
      ``inclusion_probability``, ``base_weight`` and ``weight`` (post-stratified); sorted by
      county, village, household stratum and household code.
    * ``villages``: the first-stage frame, one row per village: ``county_code``,
      ``village_code``, ``village_stratum``, ``priority_reasons`` (list of strings),
      ``households`` (frame size), ``monitored``, ``eliminated_recent``, ``selected``,
      ``village_probability``.
    * ``strata``: one row per county x household stratum: ``population`` (N_s in the county),
      ``population_selected`` (in the selected villages), ``target``, ``sampled``,
      ``base_weight_sum``, ``weight_sum``, ``covered``.
    * ``seed``, ``as_of`` (the month that ends the 12-month window), ``parameters`` (the
      arguments used) and ``notes`` (strata or cells the sample could not cover).
    """

    households: pa.Table
    villages: pa.Table
    strata: pa.Table
    seed: int
    as_of: str | None
    parameters: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def attach(self, findings: pa.Table) -> pa.Table:
        """The sampled households joined with the field ``findings`` (by ``household_code``).

        Columns of ``findings`` replace sample columns of the same name (for example a
        ``monitored`` status re-read at the visit); households without findings keep nulls.
        The result is the input of :func:`dixian.engine.evaluation.evaluate`.
        """
        findings = _as_table(findings, "findings")
        if "household_code" not in findings.column_names:
            raise ValueError("findings: a household_code column is needed")
        codes = findings["household_code"]
        if pc.count_distinct(codes).as_py() != len(codes):
            raise ValueError("findings: household_code values must be unique")
        extra = [c for c in findings.column_names if c != "household_code"]
        left = self.households.drop_columns(
            [c for c in extra if c in self.households.column_names])
        index = {code: i for i, code in enumerate(codes.to_pylist())}
        take = pa.array([index.get(code) for code in left["household_code"].to_pylist()],
                        type=pa.int64())
        picked = findings.select(extra).take(take)
        for name in extra:
            left = left.append_column(findings.schema.field(name), picked[name])
        return left


# --------------------------------------------------------------------------- helpers
def _as_table(x: Any, name: str) -> pa.Table:
    if isinstance(x, pa.Table):
        return x
    module = type(x).__module__.split(".", 1)[0]
    if module == "polars":
        return x.to_arrow()
    if module == "pandas":
        return pa.Table.from_pandas(x, preserve_index=False)
    if isinstance(x, Mapping):
        return pa.table(dict(x))
    raise TypeError(f"{name}: expected a pyarrow Table (or pandas/Polars DataFrame), "
                    f"got {type(x).__name__}")


def _strings(table: pa.Table, name: str) -> np.ndarray:
    col = table[name]
    n_null = col.null_count
    if n_null:
        raise ValueError(f"households.{name}: {n_null} null value(s)")
    return np.asarray(col.cast(pa.string()).to_pylist(), dtype=object)


def _bools(table: pa.Table, name: str, default: bool = False) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, default)
    col = pc.fill_null(table[name].cast(pa.bool_()), default)
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=bool)


def _check_month(month: str, name: str) -> str:
    if not (isinstance(month, str) and len(month) == 7 and month[4] == "-"
            and month[:4].isdigit() and month[5:].isdigit() and 1 <= int(month[5:]) <= 12):
        raise ValueError(f"{name}: expected a month 'YYYY-MM', got {month!r}")
    return month


def _apportion(total: int, weights: np.ndarray, caps: np.ndarray,
               minimum: np.ndarray | None = None) -> np.ndarray:
    """Integers n_k <= caps_k adding up to min(total, sum caps), proportional to weights.

    Largest-remainder rounding (ties to the lower index); units at their cap drop out and the
    remainder is shared again. ``minimum`` (<= caps) is given first when ``total`` allows.
    """
    caps = np.asarray(caps, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float64)
    out = np.zeros(caps.size, dtype=np.int64)
    total = int(min(total, int(caps.sum())))
    if minimum is not None:
        minimum = np.minimum(np.asarray(minimum, dtype=np.int64), caps)
        if minimum.sum() <= total:
            out += minimum
    while True:
        left = total - int(out.sum())
        if left <= 0:
            return out
        open_ = out < caps
        w = np.where(open_, weights, 0.0)
        if w.sum() <= 0:
            w = open_.astype(np.float64)
        quota = left * w / w.sum()
        base = np.floor(quota).astype(np.int64)
        rem = quota - base
        extra = left - int(base.sum())
        if extra > 0:
            order = np.lexsort((np.arange(rem.size), -rem))
            order = [i for i in order if open_[i]][:extra]
            base[order] += 1
        out = np.minimum(out + base, caps)


def _top_mask(counts: np.ndarray, share: float) -> np.ndarray:
    if counts.size == 0 or share <= 0:
        return np.zeros(counts.size, dtype=bool)
    k = max(1, math.ceil(share * counts.size))
    cut = np.sort(counts)[::-1][k - 1]
    return (counts >= cut) & (counts > 0)


def _county_rng(seed: int, county: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(county.encode("utf-8"))])


# --------------------------------------------------------------------------- the draw
def draw_sample(
    households: Any,
    *,
    villages_per_county: int = 10,
    households_per_county: int = 300,
    strata: Mapping[str, float] = DEFAULT_ALLOCATION,
    allocation: Literal["shares", "rates"] = "shares",
    priority: VillagePriority | None = None,
    villages: Any = None,
    as_of: str | None = None,
    line: float | None = None,
    near_line_factor: float = 1.5,
    seed: int,
) -> FieldSample:
    """Draw the stratified two-stage field sample of every county (see the module docstring).

    ``households`` follows the household contract of :mod:`dixian.engine.schema` (a pyarrow
    Table; pandas and Polars frames are accepted). Needed: ``household_code``,
    ``county_code``, ``village_code``, ``monitoring_category``, ``risk_eliminated``. Used when
    present: ``household_type``, ``eliminated_month`` and ``identified_month`` (the 12-month
    window), ``relocated``, ``risk_types``, and two optional extra columns: ``near_line``
    (bool, an ordinary household near the line, decided by the caller) or ``pcni``
    (per-capita net income per year, yuan, with ``line``). ``villages`` is an optional table
    with ``village_code`` and any of the boolean flags of :data:`VILLAGE_FLAGS` and an integer
    ``alerts`` column. ``as_of`` ('YYYY-MM') ends the 12-month window; by default the latest
    month in ``identified_month`` / ``eliminated_month``.

    ``strata`` maps household strata (:data:`HOUSEHOLD_STRATA`) to shares of
    ``households_per_county`` (they must add up to 1; a stratum left out is not sampled), or,
    with ``allocation="rates"``, to sampling rates of each stratum's county population
    (``households_per_county`` is then ignored).

    >>> import pyarrow as pa
    >>> hh = pa.table({
    ...     "household_code": [f"5223261012{v:02d}{i:04d}" for v in range(1, 7) for i in range(20)],
    ...     "county_code": ["522326"] * 120,
    ...     "village_code": [f"5223261012{v:02d}" for v in range(1, 7) for i in range(20)],
    ...     "monitoring_category": (["MARGINAL"] * 4 + [None] * 16) * 6,
    ...     "risk_eliminated": ([False] * 4 + [None] * 16) * 6,
    ... })
    >>> s = draw_sample(hh, villages_per_county=4, households_per_county=40, seed=1)
    >>> s.households.num_rows, len(set(s.households["village_code"].to_pylist()))
    (40, 4)
    >>> sorted(s.households.group_by("household_stratum").aggregate(
    ...     [("weight", "sum")]).to_pylist(), key=lambda r: r["household_stratum"])
    [{'household_stratum': 'monitored', 'weight_sum': 24.0}, {'household_stratum': 'other', 'weight_sum': 96.0}]
    """  # noqa: E501
    table = _as_table(households, "households")
    priority = priority or VillagePriority()
    needed = ["household_code", "county_code", "village_code", "monitoring_category",
              "risk_eliminated"]
    missing = [c for c in needed if c not in table.column_names]
    if missing:
        raise ValueError(f"households: missing column(s) {missing}")
    if villages_per_county < 1:
        raise ValueError("villages_per_county must be >= 1")
    if allocation not in ("shares", "rates"):
        raise ValueError(f"allocation must be 'shares' or 'rates', got {allocation!r}")
    unknown = [k for k in strata if k not in HOUSEHOLD_STRATA]
    if unknown:
        raise ValueError(f"strata: unknown stratum/strata {unknown}; "
                         f"choose from {list(HOUSEHOLD_STRATA)}")
    alloc = np.array([float(strata.get(s, 0.0)) for s in HOUSEHOLD_STRATA])
    if (alloc < 0).any() or not np.isfinite(alloc).all():
        raise ValueError("strata: shares and rates must be finite and >= 0")
    if allocation == "shares":
        if households_per_county < 1:
            raise ValueError("households_per_county must be >= 1")
        if abs(alloc.sum() - 1.0) > 1e-9:
            raise ValueError(f"strata: shares add up to {alloc.sum():g}, not 1")
    elif (alloc > 1).any():
        raise ValueError("strata: sampling rates must lie in [0, 1]")

    n = table.num_rows
    hh_code = _strings(table, "household_code")
    if len(set(hh_code.tolist())) != n:
        raise ValueError("households: household_code values must be unique")
    county = _strings(table, "county_code")
    village = _strings(table, "village_code")

    # ---- the 12-month window
    months = [table[c] for c in ("identified_month", "eliminated_month")
              if c in table.column_names]
    if as_of is None:
        latest = [pc.max(m).as_py() for m in months]
        latest = [m for m in latest if m is not None]
        as_of = max(latest) if latest else None
    if as_of is not None:
        _check_month(as_of, "as_of")
    window_start = month_add(as_of, -11) if as_of else None

    def in_window(name: str) -> np.ndarray:
        if window_start is None or name not in table.column_names:
            return np.zeros(n, dtype=bool)
        col = table[name].cast(pa.string())
        ok = pc.and_(pc.greater_equal(col, window_start), pc.less_equal(col, as_of))
        return np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool)

    # ---- household strata
    ever_monitored = np.asarray(
        pc.is_valid(table["monitoring_category"]).to_numpy(zero_copy_only=False), dtype=bool)
    eliminated = _bools(table, "risk_eliminated")
    monitored = ever_monitored & ~eliminated
    recent_elim = eliminated & in_window("eliminated_month")
    if "household_type" in table.column_names:
        alleviated = np.asarray(pc.fill_null(
            pc.equal(table["household_type"], "poverty_alleviated"), False
        ).to_numpy(zero_copy_only=False), dtype=bool)
    else:
        alleviated = np.zeros(n, dtype=bool)
    if "near_line" in table.column_names:
        near = _bools(table, "near_line")
    elif "pcni" in table.column_names and line is not None:
        pcni = table["pcni"].cast(pa.float64())
        near = np.asarray(pc.fill_null(pc.less(pcni, near_line_factor * float(line)), False)
                          .to_numpy(zero_copy_only=False), dtype=bool)
    else:
        near = np.zeros(n, dtype=bool)
    stratum = np.select([monitored, recent_elim, alleviated, near],
                        [0, 1, 2, 3], default=4).astype(np.int64)

    # ---- village facts for the priority stratum
    relocated = _bools(table, "relocated")
    disaster = np.zeros(n, dtype=bool)
    if "risk_types" in table.column_names and ever_monitored.any():
        rt = table["risk_types"]
        if isinstance(rt, pa.ChunkedArray):
            rt = rt.combine_chunks()
        flat = pc.list_flatten(rt)
        parents = pc.list_parent_indices(rt).to_numpy()
        hit = np.asarray(pc.fill_null(pc.equal(flat, "DISASTER"), False)
                         .to_numpy(zero_copy_only=False), dtype=bool)
        disaster[np.unique(parents[hit])] = True
        disaster &= ever_monitored & in_window("identified_month")
    vtab = None
    if villages is not None:
        vtab = _as_table(villages, "villages")
        if "village_code" not in vtab.column_names:
            raise ValueError("villages: a village_code column is needed")

    order = np.lexsort((hh_code, stratum, village, county))
    counties = sorted(set(county.tolist()))

    out_idx: list[np.ndarray] = []
    out_cols: dict[str, list[np.ndarray]] = {k: [] for k in (
        "village_stratum", "village_probability", "household_probability", "base_weight",
        "weight")}
    vrows: dict[str, list] = {k: [] for k in (
        "county_code", "village_code", "village_stratum", "priority_reasons", "households",
        "monitored", "eliminated_recent", "selected", "village_probability")}
    srows: dict[str, list] = {k: [] for k in (
        "county_code", "household_stratum", "population", "population_selected", "target",
        "sampled", "base_weight_sum", "weight_sum", "covered")}
    notes: list[str] = []
    vflags = _village_flags(vtab, priority)

    for cty in counties:
        rows = order[county[order] == cty]
        v_codes, v_inv = np.unique(village[rows], return_inverse=True)
        n_v = v_codes.size
        cell = np.zeros((n_v, len(HOUSEHOLD_STRATA)), dtype=np.int64)
        np.add.at(cell, (v_inv, stratum[rows]), 1)
        size = cell.sum(axis=1)
        counts = {
            "monitored": cell[:, 0],
            "eliminated_recent": cell[:, 1],
            "relocated": np.bincount(v_inv, weights=relocated[rows], minlength=n_v),
            "disaster": np.bincount(v_inv, weights=disaster[rows], minlength=n_v),
            "alerts": np.array([vflags.get(v, {}).get("alerts", 0) for v in v_codes],
                               dtype=np.float64),
        }
        reasons = _priority_reasons(v_codes, counts, vflags, priority,
                                    has_alerts=bool(vflags.get("__alerts__")))
        is_prio = np.array([bool(r) for r in reasons])
        rng = _county_rng(seed, cty)

        # stage 1
        groups = [np.flatnonzero(is_prio), np.flatnonzero(~is_prio)]
        m = min(villages_per_county, n_v)
        m_p = _village_quota(m, len(groups[0]), len(groups[1]), priority.share_of_sample)
        m_h = (m_p, m - m_p)
        p_v = np.zeros(n_v)
        chosen = np.zeros(n_v, dtype=bool)
        for g, k in zip(groups, m_h, strict=True):
            if len(g) == 0 or k == 0:
                continue
            pick = rng.choice(len(g), size=k, replace=False)
            chosen[g[pick]] = True
            p_v[g] = k / len(g)

        # stage 2: county targets by stratum
        pop = cell.sum(axis=0)
        avail = cell[chosen].sum(axis=0)
        if allocation == "shares":
            weights = np.where(alloc > 0, alloc, 0.0)
            caps = np.where(alloc > 0, avail, 0)
            target = _apportion(households_per_county, weights, caps)
            wanted = _apportion(households_per_county, weights, np.where(alloc > 0, pop, 0))
        else:
            wanted = np.ceil(alloc * pop - 1e-9).astype(np.int64)
            target = np.minimum(wanted, avail)

        base_w = np.zeros(rows.size)
        hprob = np.zeros(rows.size)
        taken = np.zeros(rows.size, dtype=bool)
        chosen_idx = np.flatnonzero(chosen)
        for s in range(len(HOUSEHOLD_STRATA)):
            n_s = int(target[s])
            name = HOUSEHOLD_STRATA[s]
            if pop[s] and not avail[s] and alloc[s] > 0:
                notes.append(f"{cty}: stratum {name}: {pop[s]} household(s) in the county, none "
                             "in the selected villages; not represented")
            if n_s == 0:
                continue
            n_cells = cell[chosen_idx, s]
            nonempty = n_cells > 0
            minimum = nonempty.astype(np.int64)
            if n_s < int(nonempty.sum()):
                notes.append(f"{cty}: stratum {name}: {n_s} household(s) for "
                             f"{int(nonempty.sum())} village cells; "
                             f"{int(nonempty.sum()) - n_s} cell(s) unsampled")
            n_sv = _apportion(n_s, n_cells / p_v[chosen_idx], n_cells, minimum)
            for v, k, size_sv in zip(chosen_idx, n_sv, n_cells, strict=True):
                if k == 0:
                    continue
                members = np.flatnonzero((v_inv == v) & (stratum[rows] == s))
                pick = members[np.sort(rng.choice(size_sv, size=int(k), replace=False))]
                taken[pick] = True
                hprob[pick] = k / size_sv
                base_w[pick] = 1.0 / (p_v[v] * (k / size_sv))
        # post-stratification to the county's stratum counts
        weight = np.zeros(rows.size)
        st = stratum[rows]
        for s in range(len(HOUSEHOLD_STRATA)):
            in_s = taken & (st == s)
            tot = base_w[in_s].sum()
            if tot > 0:
                weight[in_s] = base_w[in_s] * pop[s] / tot
            srows["county_code"].append(cty)
            srows["household_stratum"].append(HOUSEHOLD_STRATA[s])
            srows["population"].append(int(pop[s]))
            srows["population_selected"].append(int(avail[s]))
            srows["target"].append(int(wanted[s]))
            srows["sampled"].append(int(in_s.sum()))
            srows["base_weight_sum"].append(float(tot))
            srows["weight_sum"].append(float(weight[in_s].sum()))
            srows["covered"].append(bool(pop[s] == 0 or in_s.any()))

        sel = np.flatnonzero(taken)
        out_idx.append(rows[sel])
        out_cols["village_stratum"].append(
            np.where(is_prio[v_inv[sel]], "priority", "other").astype(object))
        out_cols["village_probability"].append(p_v[v_inv[sel]])
        out_cols["household_probability"].append(hprob[sel])
        out_cols["base_weight"].append(base_w[sel])
        out_cols["weight"].append(weight[sel])

        vrows["county_code"] += [cty] * n_v
        vrows["village_code"] += v_codes.tolist()
        vrows["village_stratum"] += ["priority" if p else "other" for p in is_prio]
        vrows["priority_reasons"] += reasons
        vrows["households"] += size.tolist()
        vrows["monitored"] += cell[:, 0].tolist()
        vrows["eliminated_recent"] += cell[:, 1].tolist()
        vrows["selected"] += chosen.tolist()
        vrows["village_probability"] += p_v.tolist()

    idx = np.concatenate(out_idx) if out_idx else np.zeros(0, dtype=np.int64)
    sample = table.take(pa.array(idx, type=pa.int64()))
    cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in out_cols.items()}
    design = {
        "household_stratum": pa.array([HOUSEHOLD_STRATA[s] for s in stratum[idx]], pa.string()),
        "village_stratum": pa.array(cat["village_stratum"].tolist(), pa.string()),
        "monitored": pa.array(monitored[idx], pa.bool_()),
        "eliminated": pa.array(eliminated[idx], pa.bool_()),
        "village_probability": pa.array(cat["village_probability"], pa.float64()),
        "household_probability": pa.array(cat["household_probability"], pa.float64()),
        "inclusion_probability": pa.array(
            cat["village_probability"] * cat["household_probability"], pa.float64()),
        "base_weight": pa.array(cat["base_weight"], pa.float64()),
        "weight": pa.array(cat["weight"], pa.float64()),
    }
    sample = sample.drop_columns([c for c in design if c in sample.column_names])
    for name, arr in design.items():
        sample = sample.append_column(name, arr)
    vtable = pa.table({
        **{k: vrows[k] for k in ("county_code", "village_code", "village_stratum")},
        "priority_reasons": pa.array(vrows["priority_reasons"], pa.list_(pa.string())),
        **{k: pa.array(vrows[k], pa.int64()) for k in ("households", "monitored",
                                                       "eliminated_recent")},
        "selected": pa.array(vrows["selected"], pa.bool_()),
        "village_probability": pa.array(vrows["village_probability"], pa.float64()),
    })
    stable = pa.table({
        "county_code": pa.array(srows["county_code"], pa.string()),
        "household_stratum": pa.array(srows["household_stratum"], pa.string()),
        **{k: pa.array(srows[k], pa.int64()) for k in ("population", "population_selected",
                                                       "target", "sampled")},
        "base_weight_sum": pa.array(srows["base_weight_sum"], pa.float64()),
        "weight_sum": pa.array(srows["weight_sum"], pa.float64()),
        "covered": pa.array(srows["covered"], pa.bool_()),
    })
    params = {
        "villages_per_county": villages_per_county,
        "households_per_county": households_per_county,
        "strata": dict(strata),
        "allocation": allocation,
        "priority": priority,
        "line": line,
        "near_line_factor": near_line_factor,
        "window_start": window_start,
    }
    return FieldSample(households=sample, villages=vtable, strata=stable, seed=int(seed),
                       as_of=as_of, parameters=params, notes=tuple(notes))


def _village_quota(m: int, n_prio: int, n_other: int, share: float) -> int:
    """Villages drawn from the priority stratum, given m in all (the rest from the other)."""
    m_p = min(n_prio, int(math.floor(share * m + 0.5)))
    m_o = min(n_other, m - m_p)
    m_p = min(n_prio, m - m_o)
    # at least two villages per non-empty stratum when the quota allows (variance identified)
    if n_prio and n_other and m >= 4:
        if m_p < min(2, n_prio):
            m_p = min(2, n_prio)
        elif m - m_p < min(2, n_other):
            m_p = m - min(2, n_other)
    return m_p


def _village_flags(vtab: pa.Table | None, priority: VillagePriority) -> dict:
    out: dict = {}
    if vtab is None:
        return out
    codes = vtab["village_code"].cast(pa.string()).to_pylist()
    present = [f for f in priority.flags if f in vtab.column_names]
    cols = {f: pc.fill_null(vtab[f].cast(pa.bool_()), False).to_pylist() for f in present}
    alerts = (pc.fill_null(vtab["alerts"].cast(pa.int64()), 0).to_pylist()
              if "alerts" in vtab.column_names else None)
    for i, code in enumerate(codes):
        entry = {f: cols[f][i] for f in present}
        if alerts is not None:
            entry["alerts"] = alerts[i]
        out[code] = entry
    out["__present__"] = present
    out["__alerts__"] = alerts is not None
    return out


def _priority_reasons(v_codes: np.ndarray, counts: dict, vflags: dict,
                      priority: VillagePriority, *, has_alerts: bool) -> list[list[str]]:
    present = vflags.get("__present__", [])
    reasons: list[list[str]] = [[] for _ in v_codes]
    for i, code in enumerate(v_codes):
        entry = vflags.get(code, {})
        for f in priority.flags:
            if entry.get(f):
                reasons[i].append(f)
    derived = []
    if "relocation_site" not in present and priority.relocated_households_min is not None:
        derived.append(("relocation_site",
                        counts["relocated"] >= priority.relocated_households_min))
    if "disaster_hit" not in present and priority.disaster_households_min is not None:
        derived.append(("disaster_hit", counts["disaster"] >= priority.disaster_households_min))
    for r in priority.ranked:
        if r == "alerts" and not has_alerts:
            continue
        derived.append((f"top_{r}", _top_mask(np.asarray(counts[r], dtype=np.float64),
                                              priority.top_share)))
    for name, mask in derived:
        for i in np.flatnonzero(mask):
            if name not in reasons[i]:
                reasons[i].append(name)
    return reasons
