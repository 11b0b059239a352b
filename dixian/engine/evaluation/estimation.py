"""Rates of the effectiveness evaluation (R10) from a checked field sample, per county.

Every rate is a ratio of design-weighted totals over the checked households of one county,
R = sum_i w_i a_i / sum_i w_i b_i, where b_i marks the households in the rate's denominator
and a_i (a subset of b) those in its numerator. A household whose finding needed by a rate is
unknown (null) is left out of that rate's numerator and denominator and counted in
``n_unknown``.

=========================== ==================== ==========================================
rate                        numerator a          denominator b
=========================== ==================== ==========================================
识别准确率 identification    monitored == eligible  every checked household with both known
accuracy
漏纳率 omission rate         eligible, not        not monitored (never monitored, or risk
                            monitored            eliminated), eligibility known
错纳率 wrong-inclusion rate  monitored, not        monitored, eligibility known
                            eligible
错误消除率 wrong-elimination eliminated, the       eliminated, re-check result known
rate                        elimination
                            conditions failed on
                            re-check
群众认可度 satisfaction      satisfied             answered (satisfied yes or no)
=========================== ==================== ==========================================

(domain.md §6.2, the [I] adaptation of the legacy 三率一度 to monitoring: identification
accuracy = 1 - (wrongly included + omitted) / checked.) An eliminated household that is
eligible again counts both as omitted and, when the elimination conditions fail, as wrongly
eliminated: the two rates answer different questions.

**Variance.** Taylor linearisation of the ratio, z_i = (a_i - R b_i) / sum_j w_j b_j; with
post-stratified weights (``poststrata``, by default the sample's ``household_stratum``) the
residuals from the weighted post-stratum means of z are used instead, as R's
``survey::postStratify`` does. The PSU totals of w z are then combined by
:func:`dixian.engine.measures.variance.linearized_se`: villages as PSUs within the village
strata, with-replacement first stage, no finite-population correction (conservative when a
large share of the villages is drawn). Degrees of freedom: the Satterthwaite effective df of
the stratified variance, df = V^2 / sum_h V_h^2 / (n_h - 1), at most #villages - #village
strata: with 7 priority and 3 other villages, a rate dominated by the other villages has about
2 df, not 8, and the nominal df gave 86 % coverage in the simulation of the tests (the
Satterthwaite df gives 92-98 %).

**Interval.** Proportions near 0 or 1 (a 2 % wrong-elimination rate in a sample of 60) make
the Wald interval p +- t se useless: it collapses to a point at p = 0 and crosses 0 below.
The default ``interval="wilson"`` is the Wilson score interval on the effective sample size
n* = p(1 - p) / se^2 (Kish), multiplied by (z / t_df)^2 to carry the few-PSU degrees of
freedom (Korn & Graubard 1998; Dean & Pagano 2015 found this "modified Wilson" among the best
for clustered surveys). When p is 0 or 1, or the variance is 0, n* is the number of sampled
households in the denominator. ``interval="logit"`` (the interval of logit p, as
``svyciprop(method="logit")``; Wilson at p = 0 or 1) and ``interval="wald"`` are the labelled
alternatives.

**Thresholds.** The legacy exit thresholds of domain.md §11.1 (``exit_style_thresholds``):
wrong-exit (here wrong-elimination) rate <= 0.02, omission rate <= 0.02, satisfaction >=
0.90; the wrong-inclusion rate and the identification accuracy have no documented threshold
and are only compared when one is set. ``basis="estimate"`` compares the point estimate (as
the legacy assessment did); ``"strict"`` passes a rate only when the whole interval is on the
right side; ``"lenient"`` fails it only when the whole interval is on the wrong side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..measures.variance import linearized_se
from .sampling import _as_table

__all__ = [
    "RATES",
    "RATES_ZH",
    "FINDINGS",
    "Thresholds",
    "RateEstimate",
    "CountyEvaluation",
    "Evaluation",
    "evaluate",
    "proportion_interval",
]

RATES = ("identification_accuracy", "omission_rate", "wrong_inclusion_rate",
         "wrong_elimination_rate", "satisfaction")
RATES_ZH = {
    "identification_accuracy": "识别准确率",
    "omission_rate": "漏纳率",
    "wrong_inclusion_rate": "错纳率",
    "wrong_elimination_rate": "错误消除率",
    "satisfaction": "群众认可度",
}
#: the findings of the check visit, one row per sampled household (bool, null = unknown)
FINDINGS = {
    "eligible": "meets the monitoring criteria (R2) as found by the check visit",
    "monitored": "an active monitored household in the registry (draw_sample fills it)",
    "eliminated": "risk eliminated in the registry (draw_sample fills it)",
    "elimination_conditions_held": "eliminated households: the R6 conditions held on re-check",
    "satisfied": "the household approves of the work (认可); null when it did not answer",
}

Interval = Literal["wilson", "logit", "wald"]
Basis = Literal["estimate", "strict", "lenient"]


@dataclass(frozen=True)
class Thresholds:
    """Pass/fail limits of the evaluation (domain.md §11.1 ``exit_style_thresholds``).

    ``None`` means "not compared". Rates pass at the limit (rate <= max, satisfaction >= min).
    ``basis`` is ``"estimate"``, ``"strict"`` or ``"lenient"`` (module docstring).

    >>> Thresholds.from_params({"wrong_exit_rate_max": 0.02, "omission_rate_max": 0.01,
    ...                         "comprehensive_poverty_rate_max": 0.03}).omission_rate_max
    0.01
    """

    wrong_exit_rate_max: float | None = 0.02
    omission_rate_max: float | None = 0.02
    satisfaction_min: float | None = 0.90
    wrong_inclusion_rate_max: float | None = None
    identification_accuracy_min: float | None = None
    basis: Basis = "estimate"

    def __post_init__(self) -> None:
        if self.basis not in ("estimate", "strict", "lenient"):
            raise ValueError(f"basis must be 'estimate', 'strict' or 'lenient', "
                             f"got {self.basis!r}")

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Thresholds:
        """From the §11.1 parameter block; ``comprehensive_poverty_rate_max`` is accepted and
        ignored (the 综合贫困发生率 needs the whole rural population, not a field sample)."""
        known = {f for f in cls.__dataclass_fields__}
        unknown = [k for k in params if k not in known and k != "comprehensive_poverty_rate_max"]
        if unknown:
            raise ValueError(f"thresholds: unknown parameter(s) {unknown}")
        return cls(**{k: v for k, v in params.items() if k in known})

    def limit(self, rate: str) -> tuple[float | None, str | None]:
        """(limit, "max" or "min") of a rate of :data:`RATES`."""
        return {
            "identification_accuracy": (self.identification_accuracy_min, "min"),
            "omission_rate": (self.omission_rate_max, "max"),
            "wrong_inclusion_rate": (self.wrong_inclusion_rate_max, "max"),
            "wrong_elimination_rate": (self.wrong_exit_rate_max, "max"),
            "satisfaction": (self.satisfaction_min, "min"),
        }[rate]


@dataclass(frozen=True)
class RateEstimate:
    """One design-weighted rate of one county.

    Attributes: ``rate`` (a name of :data:`RATES`) and ``label_zh``; ``estimate`` (NaN when
    no sampled household is in the denominator); ``se`` (linearised); ``ci_low`` /
    ``ci_high`` (``level`` interval by ``interval``); ``df`` (Satterthwaite effective degrees
    of freedom, at most #villages - #village strata);
    ``effective_n`` (n* of the interval, df-adjusted for Wilson); ``n`` (sampled households in
    the denominator), ``n_numerator``, ``n_unknown`` (households of the rate's population left
    out because the finding was null); ``weighted_numerator`` / ``weighted_denominator``
    (estimated household counts); ``n_psu``, ``n_strata``; ``threshold`` and ``direction``
    ("max" / "min", None when not compared); ``passed`` (None when not compared or no
    estimate).
    """

    rate: str
    label_zh: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    level: float
    interval: str
    df: int
    effective_n: float
    n: int
    n_numerator: int
    n_unknown: int
    weighted_numerator: float
    weighted_denominator: float
    n_psu: int
    n_strata: int
    threshold: float | None
    direction: str | None
    passed: bool | None


@dataclass(frozen=True)
class CountyEvaluation:
    """The five rates of one county.

    Attributes: ``county_code``; ``n_households`` (rows of the county in the findings) and
    ``n_villages``; one :class:`RateEstimate` per rate (``identification_accuracy``,
    ``omission_rate``, ``wrong_inclusion_rate``, ``wrong_elimination_rate``,
    ``satisfaction``); ``passed`` (False when any compared rate fails, None when none fails
    but one could not be decided, else True); ``failures`` (names of the failing rates).
    """

    county_code: str
    n_households: int
    n_villages: int
    identification_accuracy: RateEstimate
    omission_rate: RateEstimate
    wrong_inclusion_rate: RateEstimate
    wrong_elimination_rate: RateEstimate
    satisfaction: RateEstimate
    passed: bool | None
    failures: tuple[str, ...]

    def rates(self) -> tuple[RateEstimate, ...]:
        """The five estimates in the order of :data:`RATES`."""
        return tuple(getattr(self, r) for r in RATES)


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of every county of the findings.

    Attributes: ``counties`` (one :class:`CountyEvaluation` per county, by code);
    ``thresholds``; ``level``; ``interval``; ``conventions`` (the rules used, as text).
    """

    counties: tuple[CountyEvaluation, ...]
    thresholds: Thresholds
    level: float
    interval: str
    conventions: dict = field(default_factory=dict)

    def county(self, code: str) -> CountyEvaluation:
        """The evaluation of one county."""
        for c in self.counties:
            if c.county_code == code:
                return c
        raise KeyError(code)

    def to_arrow(self) -> pa.Table:
        """One row per county x rate, with every field of :class:`RateEstimate`."""
        rows = [{"county_code": c.county_code, **asdict(r)}
                for c in self.counties for r in c.rates()]
        if not rows:
            return pa.table({"county_code": pa.array([], pa.string())})
        return pa.Table.from_pylist(rows)


# --------------------------------------------------------------------------- intervals
def proportion_interval(
    p: float, se: float, n: int, df: int, *, level: float = 0.95,
    interval: Interval = "wilson",
) -> tuple[float, float, float]:
    """(low, high, n*) of a design-based proportion (module docstring, "Interval").

    At p = 0 the Wilson upper bound is z^2 / (n + z^2) (the rule of three's cousin):

    >>> lo, hi, n_eff = proportion_interval(0.0, 0.0, 60, 8)
    >>> lo, round(hi, 4), n_eff
    (0.0, 0.0602, 60.0)
    """
    from scipy import stats

    if not 0 < level < 1:
        raise ValueError("level must lie in (0, 1)")
    if interval not in ("wilson", "logit", "wald"):
        raise ValueError(f"interval must be 'wilson', 'logit' or 'wald', got {interval!r}")
    if math.isnan(p) or n <= 0:
        return math.nan, math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    t = float(stats.t.ppf(0.5 + level / 2, df)) if df > 0 else z
    var = se * se
    boundary = p <= 0 or p >= 1 or var <= 0
    if interval == "wald":
        n_eff = float(n) if boundary else p * (1 - p) / var
        return max(0.0, p - t * se), min(1.0, p + t * se), n_eff
    if interval == "logit" and not boundary:
        half = t * se / (p * (1 - p))
        lg = math.log(p / (1 - p))
        return (1 / (1 + math.exp(-(lg - half))), 1 / (1 + math.exp(-(lg + half))),
                p * (1 - p) / var)
    n_eff = float(n) if boundary else p * (1 - p) / var * (z / t) ** 2
    z2 = z * z
    denom = 1 + z2 / n_eff
    centre = (p + z2 / (2 * n_eff)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff * n_eff))
    lo = 0.0 if p <= 0 else max(0.0, centre - half)  # exact 0 / 1, not a rounding residue
    hi = 1.0 if p >= 1 else min(1.0, centre + half)
    return lo, hi, n_eff


# --------------------------------------------------------------------------- evaluation
def _bool_col(table: pa.Table, name: str) -> np.ndarray:
    """A nullable boolean column as float: 1, 0, NaN for null."""
    if name not in table.column_names:
        raise ValueError(f"sample_findings: missing column {name!r} ({FINDINGS.get(name, '')})")
    col = table[name].cast(pa.float64())
    return np.asarray(pc.fill_null(col, math.nan).to_numpy(zero_copy_only=False),
                      dtype=np.float64)


def _ratio(name: str, a: np.ndarray, b: np.ndarray, n_unknown: int, w: np.ndarray,
           strata: np.ndarray, psu: np.ndarray, post: np.ndarray | None, *, level: float,
           interval: Interval, singleton: str, thresholds: Thresholds) -> RateEstimate:
    den = float(np.dot(w, b))
    num = float(np.dot(w, a))
    n = int(b.sum())
    limit, direction = thresholds.limit(name)
    if not den > 0:
        return RateEstimate(
            rate=name, label_zh=RATES_ZH[name], estimate=math.nan, se=math.nan,
            ci_low=math.nan, ci_high=math.nan, level=level, interval=interval, df=0,
            effective_n=math.nan, n=n, n_numerator=int(a.sum()), n_unknown=n_unknown,
            weighted_numerator=num, weighted_denominator=den, n_psu=0, n_strata=0,
            threshold=limit, direction=direction if limit is not None else None, passed=None)
    r = num / den
    z = (a - r * b) / den
    if post is not None:
        codes, inv = np.unique(post, return_inverse=True)
        sw = np.bincount(inv, weights=w, minlength=codes.size)
        swz = np.bincount(inv, weights=w * z, minlength=codes.size)
        mean = np.divide(swz, sw, out=np.zeros_like(swz), where=sw > 0)
        z = z - mean[inv]
    de = linearized_se(r, z, w, strata=strata, psu=psu, singleton=singleton, level=level)
    df = _satterthwaite_df(z * w, strata, psu, de.df)
    lo, hi, n_eff = proportion_interval(r, de.se, n, df, level=level, interval=interval)
    passed = None
    if limit is not None:
        if direction == "max":
            good = {"estimate": r <= limit, "strict": hi <= limit, "lenient": lo <= limit}
        else:
            good = {"estimate": r >= limit, "strict": lo >= limit, "lenient": hi >= limit}
        passed = bool(good[thresholds.basis])
    return RateEstimate(
        rate=name, label_zh=RATES_ZH[name], estimate=r, se=de.se, ci_low=lo, ci_high=hi,
        level=level, interval=interval, df=df, effective_n=n_eff, n=n,
        n_numerator=int(a.sum()), n_unknown=n_unknown, weighted_numerator=num,
        weighted_denominator=den, n_psu=de.n_psu, n_strata=de.n_strata, threshold=limit,
        direction=direction if limit is not None else None, passed=passed)


def _satterthwaite_df(t: np.ndarray, strata: np.ndarray, psu: np.ndarray, design_df: int) -> int:
    """Effective degrees of freedom of a stratified PSU-total variance (Satterthwaite).

    V = sum_h V_h with V_h = n_h / (n_h - 1) sum_j (t_hj - mean_h)^2 on n_h PSUs; each V_h has
    about n_h - 1 degrees of freedom, so df = V^2 / sum_h V_h^2 / (n_h - 1), rounded down and
    never above #PSU - #strata. It falls towards n_h - 1 of the stratum that dominates the
    variance: with 3 villages drawn from the ordinary villages that hold most households,
    about 2, not 8.
    """
    v_h: list[tuple[float, int]] = []
    for h in set(strata.tolist()):
        in_h = strata == h
        codes, inv = np.unique(psu[in_h], return_inverse=True)
        if codes.size < 2:
            continue
        tot = np.bincount(inv, weights=t[in_h], minlength=codes.size)
        k = codes.size
        v_h.append((k / (k - 1) * float(np.sum((tot - tot.mean()) ** 2)), k - 1))
    total = sum(v for v, _ in v_h)
    denom = sum(v * v / d for v, d in v_h)
    if not (total > 0 and denom > 0):
        return design_df
    return max(1, min(design_df, int(math.floor(total * total / denom + 1e-9))))


def evaluate(
    sample_findings: Any,
    *,
    thresholds: Thresholds | Mapping[str, Any] | None = None,
    level: float = 0.95,
    interval: Interval = "wilson",
    weight: str = "weight",
    poststrata: str | None = "household_stratum",
    singleton: Literal["raise", "certainty", "centered"] = "centered",
) -> Evaluation:
    """Per-county rates of the checked field sample, with standard errors, intervals and the
    pass/fail of each against ``thresholds`` (module docstring for every definition).

    ``sample_findings`` has one row per checked household (a pyarrow Table, or pandas/Polars):
    ``county_code``, ``village_code`` (the PSU), ``village_stratum`` (the design stratum),
    the ``weight`` column, the ``poststrata`` column (``None`` when the weights are not
    post-stratified) and the findings of :data:`FINDINGS` (nullable booleans):
    :meth:`FieldSample.attach` builds it from a drawn sample. ``thresholds`` is a
    :class:`Thresholds` or the §11.1 mapping; ``singleton`` handles a village stratum with
    one sampled village (default: centred, conservative).

    Four villages of two households with weights 10, 10, 20, 20 (village C's second household
    did not answer the satisfaction question):

    >>> import pyarrow as pa
    >>> t = pa.table({
    ...     "county_code": ["522326"] * 8, "village_code": list("AABBCCDD"),
    ...     "village_stratum": ["other"] * 8, "household_stratum": ["s"] * 8,
    ...     "weight": [10.0, 10, 10, 10, 20, 20, 20, 20],
    ...     "monitored": [True, False, True, False, True, False, False, False],
    ...     "eligible": [True, False, False, True, True, False, False, False],
    ...     "eliminated": [False, False, False, False, False, True, True, True],
    ...     "elimination_conditions_held": [None, None, None, None, None, True, True, False],
    ...     "satisfied": [True, True, True, False, True, None, True, True],
    ... })
    >>> c = evaluate(t).county("522326")
    >>> [round(r.estimate, 4) for r in c.rates()]
    [0.8333, 0.125, 0.25, 0.3333, 0.9]
    >>> c.failures, c.satisfaction.passed
    (('omission_rate', 'wrong_elimination_rate'), True)
    """
    table = _as_table(sample_findings, "sample_findings")
    if thresholds is None:
        thresholds = Thresholds()
    elif not isinstance(thresholds, Thresholds):
        thresholds = Thresholds.from_params(thresholds)
    for col in ("county_code", "village_code", "village_stratum", weight):
        if col not in table.column_names:
            raise ValueError(f"sample_findings: missing column {col!r}")
    if poststrata is not None and poststrata not in table.column_names:
        raise ValueError(f"sample_findings: missing post-stratum column {poststrata!r} "
                         "(pass poststrata=None for weights that are not post-stratified)")
    w_all = np.asarray(pc.fill_null(table[weight].cast(pa.float64()), math.nan)
                       .to_numpy(zero_copy_only=False))
    bad = int(np.count_nonzero(~np.isfinite(w_all) | (w_all < 0)))
    if bad:
        raise ValueError(f"sample_findings.{weight}: {bad} missing, negative or infinite "
                         "weight(s)")
    county = np.asarray(table["county_code"].cast(pa.string()).to_pylist(), dtype=object)
    village = np.asarray(table["village_code"].cast(pa.string()).to_pylist(), dtype=object)
    vstrat = np.asarray(table["village_stratum"].cast(pa.string()).to_pylist(), dtype=object)
    post_all = (np.asarray(table[poststrata].cast(pa.string()).to_pylist(), dtype=object)
                if poststrata is not None else None)
    if any(x is None for x in county) or any(x is None for x in village):
        raise ValueError("sample_findings: county_code and village_code must not be null")
    f = {name: _bool_col(table, name) for name in FINDINGS}

    out = []
    for cty in sorted(set(county.tolist())):
        m = county == cty
        w = w_all[m]
        g = {k: v[m] for k, v in f.items()}
        strata = np.array([s if s is not None else "" for s in vstrat[m]], dtype=object)
        psu = village[m]
        post = post_all[m] if post_all is not None else None
        known = ~np.isnan(g["eligible"]) & ~np.isnan(g["monitored"])
        mon = np.where(known, g["monitored"], 0.0) == 1
        eli = np.where(known, g["eligible"], 0.0) == 1
        elim = np.nan_to_num(g["eliminated"]) == 1
        held = g["elimination_conditions_held"]
        sat = g["satisfied"]
        spec = {
            "identification_accuracy": (known & (mon == eli), known,
                                        int((np.isnan(g["eligible"])).sum())),
            "omission_rate": (known & ~mon & eli, known & ~mon,
                              int((np.isnan(g["eligible"]) & (g["monitored"] == 0)).sum())),
            "wrong_inclusion_rate": (known & mon & ~eli, known & mon,
                                     int((np.isnan(g["eligible"]) & (g["monitored"] == 1))
                                         .sum())),
            "wrong_elimination_rate": (elim & (held == 0), elim & ~np.isnan(held),
                                       int((elim & np.isnan(held)).sum())),
            "satisfaction": (sat == 1, ~np.isnan(sat), int(np.isnan(sat).sum())),
        }
        rates = {
            name: _ratio(name, a.astype(np.float64), b.astype(np.float64), unknown, w,
                         strata, psu, post, level=level, interval=interval,
                         singleton=singleton, thresholds=thresholds)
            for name, (a, b, unknown) in spec.items()
        }
        failures = tuple(r for r in RATES if rates[r].passed is False)
        undecided = any(rates[r].passed is None and rates[r].threshold is not None
                        for r in RATES)
        passed = False if failures else (None if undecided else True)
        out.append(CountyEvaluation(
            county_code=cty, n_households=int(m.sum()), n_villages=len(set(psu.tolist())),
            **rates, passed=passed, failures=failures))
    conventions = {
        "rates": "ratios of design-weighted totals; null findings left out of a rate",
        "variance": "Taylor linearisation, villages as PSUs within village strata, "
                    "with-replacement first stage, no fpc"
                    + (f"; residuals from {poststrata} means (post-stratified weights)"
                       if poststrata else ""),
        "interval": {"wilson": "Wilson on n* = p(1-p)/se^2 x (z/t_df)^2 (n at p = 0 or 1)",
                     "logit": "logit p +- t se / (p(1-p)); Wilson at p = 0 or 1",
                     "wald": "p +- t se, clipped to [0, 1]"}[interval],
        "thresholds": f"basis={thresholds.basis}; rates pass at the limit",
        "singleton": singleton,
    }
    return Evaluation(counties=tuple(out), thresholds=thresholds, level=level,
                      interval=interval, conventions=conventions)
