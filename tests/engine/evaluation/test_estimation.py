"""evaluate: hand-computed rates and standard errors, intervals, thresholds, coverage."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from dixian.engine.evaluation import (
    RATES,
    Thresholds,
    draw_sample,
    evaluate,
    proportion_interval,
)

from ._population import COUNTY, county_population, true_rates

Z = 1.959963984540054      # standard normal 0.975 quantile
T3 = 3.182446305284263     # Student t, 3 df, 0.975 quantile


def hand_example(**extra) -> pa.Table:
    """Four villages (A-D) of two households; weights 10, 10, 20, 20 by village.

    household  w  monitored eligible eliminated held  satisfied
    A1        10  yes       yes      no         -     yes
    A2        10  no        no       no         -     yes
    B1        10  yes       no       no         -     yes        wrongly included
    B2        10  no        yes      no         -     no         omitted
    C1        20  yes       yes      no         -     yes
    C2        20  no        no       yes        yes   (no answer)
    D1        20  no        no       yes        yes   yes
    D2        20  no        no       yes        no    yes        wrongly eliminated
    """
    cols = {
        "county_code": [COUNTY] * 8, "village_code": list("AABBCCDD"),
        "village_stratum": ["other"] * 8, "household_stratum": ["s"] * 8,
        "weight": [10.0, 10, 10, 10, 20, 20, 20, 20],
        "monitored": [True, False, True, False, True, False, False, False],
        "eligible": [True, False, False, True, True, False, False, False],
        "eliminated": [False, False, False, False, False, True, True, True],
        "elimination_conditions_held": pa.array(
            [None, None, None, None, None, True, True, False], pa.bool_()),
        "satisfied": pa.array([True, True, True, False, True, None, True, True], pa.bool_()),
    }
    cols.update(extra)
    return pa.table(cols)


# ------------------------------------------------------------------ point estimates
def test_hand_example_rates():
    c = evaluate(hand_example()).county(COUNTY)
    # accuracy: disagreements B1 and B2 weigh 20 of 120
    assert c.identification_accuracy.estimate == pytest.approx(100 / 120)
    # omission: not monitored A2, B2, C2, D1, D2 weigh 80; B2 (10) is eligible
    assert c.omission_rate.estimate == pytest.approx(10 / 80)
    assert c.omission_rate.weighted_denominator == 80
    assert (c.omission_rate.n, c.omission_rate.n_numerator) == (5, 1)
    # wrong inclusion: monitored A1, B1, C1 weigh 40; B1 (10) is not eligible
    assert c.wrong_inclusion_rate.estimate == pytest.approx(10 / 40)
    # wrong elimination: C2, D1, D2 weigh 60; D2 (20) failed the re-check
    assert c.wrong_elimination_rate.estimate == pytest.approx(20 / 60)
    # satisfaction: C2 did not answer; 90 of the 100 who answered approve
    assert c.satisfaction.estimate == pytest.approx(0.9)
    assert (c.satisfaction.n, c.satisfaction.n_unknown) == (7, 1)
    assert c.n_households == 8 and c.n_villages == 4


def test_hand_example_standard_errors():
    c = evaluate(hand_example()).county(COUNTY)
    # omission: z_i = (a_i - 1/8) / 80 on the non-monitored; village totals of w z, times 80:
    # A = 10(-1/8) = -1.25, B = 10(7/8) = 8.75, C = 20(-1/8) = -2.5, D = 40(-1/8) = -5;
    # they add up to 0, so V = 4/3 x (1.25^2 + 8.75^2 + 2.5^2 + 5^2) / 80^2 = 4/3 x 109.375/6400
    assert c.omission_rate.se == pytest.approx(math.sqrt(4 / 3 * 109.375) / 80)
    # accuracy: z_i = (a_i - 5/6) / 120; totals x 720: A = 20, B = -100, C = 40, D = 40
    assert c.identification_accuracy.se == pytest.approx(
        math.sqrt(4 / 3 * (20**2 + 100**2 + 40**2 + 40**2)) / 720)
    # one stratum of four villages: 3 degrees of freedom
    assert c.omission_rate.df == 3 and c.omission_rate.n_psu == 4
    # Kish effective size p(1-p)/se^2 = (7/64) / (4/3 x 109.375 / 6400) = 4.8, then x (z/t3)^2
    assert c.omission_rate.effective_n == pytest.approx(4.8 * (Z / T3) ** 2)


def test_wilson_bounds_solve_the_score_equation():
    c = evaluate(hand_example()).county(COUNTY)
    for r in c.rates():
        p, n = r.estimate, r.effective_n
        assert r.ci_low <= p <= r.ci_high
        for b in (r.ci_low, r.ci_high):
            if 0 < b < 1:
                # Wilson: (p - b)^2 = z^2 b (1 - b) / n*
                assert (p - b) ** 2 == pytest.approx(Z * Z * b * (1 - b) / n, rel=1e-9)


def test_a_rate_of_zero_has_a_useful_upper_bound():
    lo, hi, n_eff = proportion_interval(0.0, 0.0, 60, 8)
    assert lo == 0.0 and n_eff == 60
    assert hi == pytest.approx(Z * Z / (60 + Z * Z))   # p = 0 in the Wilson formula
    wald = proportion_interval(0.0, 0.0, 60, 8, interval="wald")
    assert wald[:2] == (0.0, 0.0)                         # why Wald is not the default
    logit = proportion_interval(0.0, 0.0, 60, 8, interval="logit")
    assert logit[:2] == (lo, hi)                          # logit falls back to Wilson


def test_logit_and_wald_intervals():
    p, se, df = 0.1, 0.03, 8
    t = 2.306004135033371  # t, 8 df, 0.975
    lo, hi, _ = proportion_interval(p, se, 100, df, interval="wald")
    assert (lo, hi) == pytest.approx((p - t * se, p + t * se))
    lo, hi, _ = proportion_interval(p, se, 100, df, interval="logit")
    half = t * se / (p * (1 - p))
    expit = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    assert (lo, hi) == pytest.approx((expit(math.log(p / (1 - p)) - half),
                                      expit(math.log(p / (1 - p)) + half)))
    with pytest.raises(ValueError, match="interval must be"):
        proportion_interval(p, se, 100, df, interval="exact")


def test_post_stratification_removes_the_variance_it_explains():
    # every monitored household is wrongly included, every other one correctly left out:
    # agreement is constant within each household stratum, so with weights calibrated to the
    # strata the accuracy is known exactly (= N_other / N), and its residual variance is 0
    t = pa.table({
        "county_code": [COUNTY] * 6, "village_code": list("AABBCC"),
        "village_stratum": ["other"] * 6,
        "household_stratum": ["monitored", "other"] * 3,
        "weight": [5.0, 30, 10, 20, 5, 30],
        "monitored": [True, False] * 3, "eligible": [False] * 6,
        "eliminated": [False] * 6,
        "elimination_conditions_held": pa.nulls(6, pa.bool_()),
        "satisfied": [True] * 6,
    })
    r = evaluate(t).county(COUNTY).identification_accuracy
    assert r.estimate == pytest.approx(80 / 100)
    assert r.se == pytest.approx(0.0, abs=1e-15)
    raw = evaluate(t, poststrata=None).county(COUNTY).identification_accuracy
    assert raw.se > 0.01


# ------------------------------------------------------------------ thresholds
def test_default_thresholds_pass_and_fail():
    c = evaluate(hand_example()).county(COUNTY)
    assert (c.omission_rate.threshold, c.omission_rate.direction) == (0.02, "max")
    assert c.omission_rate.passed is False                   # 0.125 > 0.02
    assert c.wrong_elimination_rate.passed is False          # 0.333 > 0.02
    assert c.satisfaction.passed is True                     # 0.9 >= 0.9: passes at the limit
    assert c.wrong_inclusion_rate.passed is None             # no documented threshold
    assert c.identification_accuracy.passed is None
    assert c.passed is False
    assert c.failures == ("omission_rate", "wrong_elimination_rate")


def test_strict_and_lenient_bases_use_the_interval():
    strict = evaluate(hand_example(), thresholds=Thresholds(basis="strict")).county(COUNTY)
    lenient = evaluate(hand_example(), thresholds=Thresholds(basis="lenient")).county(COUNTY)
    # satisfaction = 0.9 exactly: its interval reaches below 0.9, so strict fails it
    assert strict.satisfaction.ci_low < 0.9 and strict.satisfaction.passed is False
    assert lenient.satisfaction.passed is True
    for r in lenient.rates():
        if r.direction == "max":
            assert r.passed == (r.ci_low <= r.threshold)
    for r in strict.rates():
        if r.direction == "max":
            assert r.passed == (r.ci_high <= r.threshold)


def test_thresholds_from_the_parameter_block():
    params = {"wrong_exit_rate_max": 0.5, "omission_rate_max": 0.2,
              "comprehensive_poverty_rate_max": 0.03, "satisfaction_min": 0.95,
              "wrong_inclusion_rate_max": 0.3}
    c = evaluate(hand_example(), thresholds=params).county(COUNTY)
    assert c.omission_rate.passed is True                    # 0.125 <= 0.2
    assert c.wrong_elimination_rate.passed is True           # 0.333 <= 0.5
    assert c.wrong_inclusion_rate.passed is True             # 0.25 <= 0.3
    assert c.satisfaction.passed is False                    # 0.9 < 0.95
    assert c.failures == ("satisfaction",)
    with pytest.raises(ValueError, match="unknown parameter"):
        Thresholds.from_params({"omission_max": 0.01})
    with pytest.raises(ValueError, match="basis"):
        Thresholds(basis="optimistic")


def test_an_empty_denominator_gives_no_estimate_and_no_verdict():
    t = hand_example(eliminated=[False] * 8,
                     elimination_conditions_held=pa.nulls(8, pa.bool_()))
    c = evaluate(t, thresholds={"omission_rate_max": 0.5, "satisfaction_min": 0.5}).county(
        COUNTY)
    r = c.wrong_elimination_rate
    assert math.isnan(r.estimate) and r.n == 0 and r.passed is None
    assert c.failures == () and c.passed is None             # one verdict is missing


# ------------------------------------------------------------------ inputs
def test_unknown_findings_are_left_out_and_counted():
    t = hand_example(eligible=pa.array([True, None, False, True, True, False, False, False],
                                       pa.bool_()))
    c = evaluate(t).county(COUNTY)
    # A2 (not monitored, weight 10) drops out: omission = 10 / 70
    assert c.omission_rate.estimate == pytest.approx(10 / 70)
    assert c.omission_rate.n_unknown == 1 and c.wrong_inclusion_rate.n_unknown == 0
    assert c.identification_accuracy.estimate == pytest.approx(90 / 110)


def test_counties_are_evaluated_separately():
    one = hand_example()
    two = hand_example(county_code=["522327"] * 8, satisfied=[True] * 8)
    e = evaluate(pa.concat_tables([two, one]))
    assert [c.county_code for c in e.counties] == [COUNTY, "522327"]
    assert e.county("522327").satisfaction.estimate == 1.0
    assert e.county(COUNTY).satisfaction.estimate == pytest.approx(0.9)
    table = e.to_arrow()
    assert table.num_rows == 10
    assert table.column_names[:3] == ["county_code", "rate", "label_zh"]
    assert set(table["label_zh"].to_pylist()) == {"识别准确率", "漏纳率", "错纳率",
                                                  "错误消除率", "群众认可度"}
    with pytest.raises(KeyError):
        e.county("000000")


def test_missing_columns_and_bad_weights_are_refused():
    with pytest.raises(ValueError, match="satisfied"):
        evaluate(hand_example().drop_columns(["satisfied"]))
    with pytest.raises(ValueError, match="household_stratum"):
        evaluate(hand_example().drop_columns(["household_stratum"]))
    with pytest.raises(ValueError, match="weight"):
        evaluate(hand_example(weight=[10.0, -1, 10, 10, 20, 20, 20, 20]))


# ------------------------------------------------------------------ the whole loop
def test_interval_coverage_in_repeated_samples():
    """200 samples of one synthetic county: each rate's 95 % interval covers the county's
    true rate at least 90 % of the time (Wilson, design df)."""
    households, truth_table = county_population()
    truth = true_rates(households, truth_table)
    assert 0.03 < truth["omission_rate"] < 0.06 and 0.85 < truth["satisfaction"] < 0.95
    covered = {r: 0 for r in RATES}
    estimates = {r: [] for r in RATES}
    for rep in range(200):
        sample = draw_sample(households, seed=1000 + rep, as_of="2025-12")
        county = evaluate(sample.attach(truth_table)).county(COUNTY)
        for r in county.rates():
            covered[r.rate] += r.ci_low <= truth[r.rate] <= r.ci_high
            estimates[r.rate].append(r.estimate)
    for rate in RATES:
        assert covered[rate] / 200 >= 0.9, (rate, covered[rate])
        # and the estimator is centred on the truth (within 3 Monte Carlo standard errors)
        est = np.array(estimates[rate])
        assert abs(est.mean() - truth[rate]) < 3 * est.std() / np.sqrt(200), rate
