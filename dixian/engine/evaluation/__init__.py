"""The effectiveness evaluation (考核评估, rule R10 of domain.md §11.2), without Django.

Two steps, per county:

1. :func:`draw_sample` draws the stratified two-stage field sample (about 10 villages with
   priority strata, then about 300 households by household stratum) from the registry's
   household table, with inclusion probabilities and design weights;
2. after the check visits, :func:`evaluate` estimates the identification accuracy (识别准确率),
   omission rate (漏纳率), wrong-inclusion rate (错纳率), wrong-elimination rate (错误消除率)
   and satisfaction (群众认可度), each with a linearised standard error and a Wilson interval,
   and compares them with the ``exit_style_thresholds`` of domain.md §11.1.

``docs/evaluation.md`` describes the method and its sources.

>>> import pyarrow as pa
>>> from dixian.engine.evaluation import draw_sample, evaluate
>>> hh = pa.table({
...     "household_code": [f"52232610120{v}{i:04d}" for v in range(1, 9) for i in range(30)],
...     "county_code": ["522326"] * 240,
...     "village_code": [f"52232610120{v}" for v in range(1, 9) for i in range(30)],
...     "monitoring_category": (["UNSTABLE"] * 3 + [None] * 27) * 8,
...     "risk_eliminated": ([False] * 3 + [None] * 27) * 8,
... })
>>> sample = draw_sample(hh, villages_per_county=4, households_per_county=40, seed=7)
>>> codes = sample.households["household_code"]
>>> findings = pa.table({"household_code": codes,
...                      "eligible": sample.households["monitored"],
...                      "elimination_conditions_held": pa.nulls(len(codes), pa.bool_()),
...                      "satisfied": [True] * len(codes)})
>>> result = evaluate(sample.attach(findings))
>>> c = result.county("522326")
>>> c.identification_accuracy.estimate, c.omission_rate.ci_low, c.passed
(1.0, 0.0, None)
"""

from .estimation import (
    FINDINGS,
    RATES,
    RATES_ZH,
    CountyEvaluation,
    Evaluation,
    RateEstimate,
    Thresholds,
    evaluate,
    proportion_interval,
)
from .sampling import (
    DEFAULT_ALLOCATION,
    HOUSEHOLD_STRATA,
    HOUSEHOLD_STRATA_ZH,
    VILLAGE_FLAGS,
    VILLAGE_STRATA,
    FieldSample,
    VillagePriority,
    draw_sample,
)

__all__ = [
    "draw_sample",
    "FieldSample",
    "VillagePriority",
    "HOUSEHOLD_STRATA",
    "HOUSEHOLD_STRATA_ZH",
    "VILLAGE_STRATA",
    "VILLAGE_FLAGS",
    "DEFAULT_ALLOCATION",
    "evaluate",
    "Evaluation",
    "CountyEvaluation",
    "RateEstimate",
    "Thresholds",
    "proportion_interval",
    "RATES",
    "RATES_ZH",
    "FINDINGS",
]
