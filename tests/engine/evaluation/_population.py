"""A synthetic county with known truth, for the evaluation tests (no registry needed)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

COUNTY = "522326"


def county_population(seed: int = 20250601, n_villages: int = 40, county: str = COUNTY):
    """Households of one county and each household's true findings.

    Villages of 60 to 400 households; monitored, recently eliminated and poverty-alleviated
    households at village-varying rates; eligibility, satisfaction and the elimination re-check
    depend on a village effect, so the villages are real clusters.
    """
    rng = np.random.default_rng(seed)
    rows = {k: [] for k in ("household_code", "county_code", "village_code",
                            "household_type", "monitoring_category", "risk_eliminated",
                            "eliminated_month", "near_line")}
    truth = {k: [] for k in ("eligible", "elimination_conditions_held", "satisfied")}
    for v in range(1, n_villages + 1):
        vcode = f"{county}101{v:03d}"
        size = int(rng.integers(60, 400))
        effect = rng.normal(0, 0.6)
        p_mon = float(np.clip(rng.beta(2, 30) * (3 if v % 5 == 0 else 1), 0, 0.5))
        for i in range(size):
            u = rng.random()
            alleviated = rng.random() < 0.3
            if u < p_mon:
                cat, elim, month = "UNSTABLE" if alleviated else "MARGINAL", False, None
            elif u < p_mon * 1.6:
                cat, elim = "MARGINAL", True
                month = f"2025-{int(rng.integers(1, 13)):02d}"
            else:
                cat, elim, month = None, None, None
            near = (not alleviated) and rng.random() < 0.15
            rows["household_code"].append(f"{vcode}{i:04d}")
            rows["county_code"].append(county)
            rows["village_code"].append(vcode)
            rows["household_type"].append("poverty_alleviated" if alleviated else "ordinary")
            rows["monitoring_category"].append(cat)
            rows["risk_eliminated"].append(elim)
            rows["eliminated_month"].append(month)
            rows["near_line"].append(near)
            logistic = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
            if cat is not None and not elim:
                eligible = rng.random() < logistic(2.2 + effect)        # ~ 10 % wrongly in
            elif elim:
                eligible = rng.random() < logistic(-2.5 + effect)
            else:
                base = -2.6 if (alleviated or near) else -4.0
                eligible = rng.random() < logistic(base + effect)      # omitted
            truth["eligible"].append(bool(eligible))
            truth["elimination_conditions_held"].append(
                bool(rng.random() < logistic(2.4 - effect)) if elim else None)
            truth["satisfied"].append(bool(rng.random() < logistic(2.3 + effect)))
    households = pa.table({
        **{k: rows[k] for k in ("household_code", "county_code", "village_code",
                                "household_type", "monitoring_category")},
        "risk_eliminated": pa.array(rows["risk_eliminated"], pa.bool_()),
        "eliminated_month": pa.array(rows["eliminated_month"], pa.string()),
        "near_line": pa.array(rows["near_line"], pa.bool_()),
    })
    findings = pa.table({
        "household_code": rows["household_code"],
        "eligible": pa.array(truth["eligible"], pa.bool_()),
        "elimination_conditions_held": pa.array(truth["elimination_conditions_held"],
                                                pa.bool_()),
        "satisfied": pa.array(truth["satisfied"], pa.bool_()),
    })
    return households, findings


def true_rates(households: pa.Table, findings: pa.Table) -> dict[str, float]:
    """The county's finite-population rates, counted over every household."""
    cat = np.array([c is not None for c in households["monitoring_category"].to_pylist()])
    elim = np.array([bool(e) for e in households["risk_eliminated"].to_pylist()])
    mon = cat & ~elim
    eli = np.array(findings["eligible"].to_pylist())
    held = findings["elimination_conditions_held"].to_pylist()
    sat = np.array(findings["satisfied"].to_pylist())
    failed = np.array([h is False for h in held])
    return {
        "identification_accuracy": float(np.mean(mon == eli)),
        "omission_rate": float(np.sum(eli & ~mon) / np.sum(~mon)),
        "wrong_inclusion_rate": float(np.sum(mon & ~eli) / np.sum(mon)),
        "wrong_elimination_rate": float(np.sum(elim & failed) / np.sum(elim)),
        "satisfaction": float(np.mean(sat)),
    }
