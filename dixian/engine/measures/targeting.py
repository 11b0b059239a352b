"""Targeting quality of a rule, a score or a model.

From the weighted confusion counts (poor = the truth, selected = the rule's decision):

* exclusion error = poor not selected / poor (FN / (TP + FN));
* inclusion error = selected non-poor / selected (FP / (TP + FP)), as Brown, Ravallion &
  van de Walle (2018); the alternative FP / (FP + TN) is reported as ``false_positive_rate``;
* coverage = selected poor / poor (1 - exclusion error);
* leakage = share of benefits reaching the non-poor (with ``benefits``), otherwise the share
  of selected units who are non-poor (then equal to the inclusion error);
* targeting differential (Ravallion 2000) = coverage of the poor - coverage of the non-poor;
* for a probabilistic score (higher = more likely poor): AUC (ties count one half) and
  log-loss (probabilities clipped to [1e-15, 1 - 1e-15]).

Evaluation by region or group (out-of-sample or for fairness) is :func:`targeting_by_group`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._inputs import as_labels, as_vector, as_weights, wdot

__all__ = ["Targeting", "targeting", "targeting_by_group", "auc", "log_loss"]

LOG_LOSS_EPS = 1e-15


def _bool(x: Any, name: str, n: int | None = None) -> np.ndarray:
    v = as_vector(x, name)
    if n is not None and v.size != n:
        raise ValueError(f"{name}: {v.size} values for {n} units")
    bad = int(np.count_nonzero((v != 0) & (v != 1)))
    if bad:
        raise ValueError(f"{name}: {bad} value(s) are neither 0 nor 1")
    return v == 1


def _div(a: float, b: float) -> float:
    return a / b if b > 0 else math.nan


def _auc(score: np.ndarray, poor: np.ndarray, w: np.ndarray) -> float:
    _, codes = np.unique(score, return_inverse=True)
    k = int(codes.max()) + 1
    wp = np.bincount(codes, weights=np.where(poor, w, 0.0), minlength=k)
    wn = np.bincount(codes, weights=np.where(poor, 0.0, w), minlength=k)
    below = np.cumsum(wn) - wn
    total_p, total_n = wp.sum(), wn.sum()
    if not (total_p > 0 and total_n > 0):
        return math.nan
    return float(wdot(wp, below + 0.5 * wn) / (total_p * total_n))


def _log_loss(prob: np.ndarray, poor: np.ndarray, w: np.ndarray) -> float:
    if ((prob < 0) | (prob > 1)).any():
        raise ValueError("score: probabilities must lie in [0, 1] for the log-loss")
    q = np.clip(prob, LOG_LOSS_EPS, 1 - LOG_LOSS_EPS)
    ll = np.where(poor, np.log(q), np.log1p(-q))
    return float(-wdot(w, ll) / w.sum())


def auc(score: Any, poor: Any, weights: Any = None) -> float:
    """Weighted area under the ROC curve: P(score of a poor unit > that of a non-poor unit),
    ties counting one half. Higher scores should mean "more likely poor".

    >>> auc([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0])
    0.75
    """
    s = as_vector(score, "score")
    p = _bool(poor, "poor", s.size)
    w = as_weights(weights, s.size)
    return _auc(s, p, np.ones(s.size) if w is None else w)


def log_loss(prob: Any, poor: Any, weights: Any = None) -> float:
    """Weighted log-loss -sum f_i [p_i ln q_i + (1 - p_i) ln(1 - q_i)], q clipped to 1e-15.

    >>> round(log_loss([0.5, 0.5], [1, 0]), 4)  # ln 2
    0.6931
    """
    q = as_vector(prob, "score")
    p = _bool(poor, "poor", q.size)
    w = as_weights(weights, q.size)
    return _log_loss(q, p, np.ones(q.size) if w is None else w)


@dataclass(frozen=True)
class Targeting:
    """Targeting quality (see the module notes for the definitions).

    Weighted confusion counts: ``true_positive`` (poor, selected), ``false_negative`` (poor,
    not selected), ``false_positive`` (non-poor, selected), ``true_negative``; ``population``,
    ``n`` units. Rates: ``exclusion_error``, ``inclusion_error`` (BRV 2018),
    ``false_positive_rate`` (labelled alternative inclusion error), ``coverage``,
    ``leakage``, ``targeting_differential``, ``selected_share``; ``auc`` and ``log_loss`` when
    a score was given (else None). Rates with an empty denominator are NaN.
    """

    n: int
    population: float
    true_positive: float
    false_negative: float
    false_positive: float
    true_negative: float
    exclusion_error: float
    inclusion_error: float
    false_positive_rate: float
    coverage: float
    leakage: float
    targeting_differential: float
    selected_share: float
    auc: float | None
    log_loss: float | None
    conventions: dict = field(default_factory=dict)


def _targeting(
    sel: np.ndarray,
    poor: np.ndarray,
    w: np.ndarray,
    score: np.ndarray | None,
    benefits: np.ndarray | None,
    leak_label: str,
) -> Targeting:
    tp = float(wdot(w, sel & poor))
    fn = float(wdot(w, ~sel & poor))
    fp = float(wdot(w, sel & ~poor))
    tn = float(wdot(w, ~sel & ~poor))
    pop = tp + fn + fp + tn
    if benefits is not None:
        paid = w * benefits * sel
        leakage = _div(float(paid[~poor].sum()), float(paid.sum()))
    else:
        leakage = _div(fp, tp + fp)
    auc_v = ll = None
    if score is not None:
        auc_v = _auc(score, poor, w)
        ll = _log_loss(score, poor, w) if ((score >= 0) & (score <= 1)).all() else None
    return Targeting(
        n=int(sel.size),
        population=pop,
        true_positive=tp,
        false_negative=fn,
        false_positive=fp,
        true_negative=tn,
        exclusion_error=_div(fn, tp + fn),
        inclusion_error=_div(fp, tp + fp),
        false_positive_rate=_div(fp, fp + tn),
        coverage=_div(tp, tp + fn),
        leakage=leakage,
        targeting_differential=_div(tp, tp + fn) - _div(fp, fp + tn),
        selected_share=_div(tp + fp, pop),
        auc=auc_v,
        log_loss=ll,
        conventions={
            "exclusion_error": "FN / (TP + FN)",
            "inclusion_error": "FP / (TP + FP) (Brown, Ravallion & van de Walle 2018)",
            "false_positive_rate": "FP / (FP + TN) (alternative inclusion error)",
            "leakage": leak_label,
            "targeting_differential": "coverage of the poor - coverage of the non-poor",
            "auc": "higher score = more likely poor; ties count 1/2",
            "log_loss": f"probabilities clipped to [{LOG_LOSS_EPS:g}, 1 - {LOG_LOSS_EPS:g}]; "
            "None when the score is not a probability",
        },
    )


def _prepare(selected, poor, weights, score, threshold, benefits):
    p = _bool(poor, "poor")
    n = p.size
    s = None if score is None else as_vector(score, "score")
    if s is not None and s.size != n:
        raise ValueError(f"score: {s.size} values for {n} units")
    if selected is None:
        if s is None or threshold is None:
            raise ValueError("give selected=, or score= with threshold=")
        sel = s >= float(threshold)
    else:
        sel = _bool(selected, "selected", n)
    wv = as_weights(weights, n)
    w = np.ones(n) if wv is None else wv
    b = None
    if benefits is not None:
        b = as_vector(benefits, "benefits")
        if b.size != n:
            raise ValueError(f"benefits: {b.size} values for {n} units")
        if (b < 0).any():
            raise ValueError("benefits must be >= 0")
    label = (
        "share of benefits (w x benefit) paid to the non-poor"
        if b is not None
        else "share of selected who are non-poor (= inclusion error without benefit amounts)"
    )
    return sel, p, w, s, b, label


def targeting(
    selected: Any,
    poor: Any,
    weights: Any = None,
    *,
    score: Any = None,
    threshold: float | None = None,
    benefits: Any = None,
) -> Targeting:
    """Targeting errors, coverage, leakage, targeting differential, AUC and log-loss.

    ``selected`` is the rule's decision (or None with ``score`` and ``threshold``: selected
    when score >= threshold); ``poor`` the truth; ``score`` an optional probability or score
    of being poor; ``benefits`` optional transfer amounts for leakage.

    >>> t = targeting(selected=[1, 1, 0, 0, 1], poor=[1, 0, 1, 0, 1])
    >>> t.exclusion_error, t.inclusion_error, t.coverage
    (0.3333333333333333, 0.3333333333333333, 0.6666666666666666)
    >>> round(t.targeting_differential, 4)  # 2/3 - 1/2
    0.1667
    """
    sel, p, w, s, b, label = _prepare(selected, poor, weights, score, threshold, benefits)
    return _targeting(sel, p, w, s, b, label)


def targeting_by_group(
    selected: Any,
    poor: Any,
    groups: Any,
    weights: Any = None,
    *,
    score: Any = None,
    threshold: float | None = None,
    benefits: Any = None,
) -> dict:
    """:func:`targeting` within each group (region, sex of head, ...): label -> Targeting.

    Use it for out-of-sample evaluation by region and for fairness across groups.

    >>> r = targeting_by_group([1, 0, 1, 1], [1, 1, 1, 0], groups=["a", "a", "b", "b"])
    >>> r["a"].exclusion_error, r["b"].inclusion_error
    (0.5, 0.5)
    """
    sel, p, w, s, b, label = _prepare(selected, poor, weights, score, threshold, benefits)
    lab = as_labels(groups, p.size)
    out = {}
    for j, g in enumerate(lab.labels):
        m = lab.codes == j
        out[g] = _targeting(
            sel[m], p[m], w[m], None if s is None else s[m], None if b is None else b[m], label
        )
    return out
