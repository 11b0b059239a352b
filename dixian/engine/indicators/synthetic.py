"""A synthetic ledger for a synthetic registry: spells, cases, clues, measures, quality issues
and visits consistent with the households' monitoring fields.

The synthetic generator (:mod:`dixian.engine.synth`) writes the registry a county or province
would hand over: households with their category, identification and elimination months. A
benchmark or a report preview needs the ledger Dixian itself would have kept since it took
over (``cutover``): this module draws it, vectorised (a 10-million-person province in a few
seconds), seeded, with documented and plainly invented [I] rates:

* a spell per monitored household, on a random day of its identification month, ended on a
  random day of its elimination month; spells started before ``cutover`` are *imported*;
  3 % of spells are returns to poverty;
* for every spell started since ``cutover`` an identification case decided on the spell's
  first day, opened 3-30 days before (most within 15) after one or two clues; an elimination
  case decided on the day the spell ended; 0.3 % of the other households have a case still
  open, opened in the last 60 days (some past the 15-day deadline);
* measures: one to three per spell since ``cutover`` by its main risk (planned 0-60 days
  after identification, mostly implemented), one for each imported spell, and an industry
  measure for 60 % of the poverty-alleviated households in the last year;
* data-quality issues: 2 % of households, found in the last six months, 60 % resolved;
* monthly visits: 85 % of the households monitored in each of the last three months.

>>> import datetime as dt, pyarrow as pa
>>> hh = pa.table({"household_code": ["5223261012010001", "5223261012010002"],
...                "village_code": ["522326101201"] * 2,
...                "household_type": ["poverty_alleviated", "ordinary"],
...                "monitoring_category": ["SUDDEN", None], "identified_month": ["2025-03", None],
...                "risk_types": [["ILLNESS"], []], "risk_eliminated": [False, None],
...                "elimination_mode": [None, None], "eliminated_month": [None, None]})
>>> ledger = synthetic_ledger(hh, as_of="2025-12", seed=1)
>>> ledger["spells"].num_rows, ledger["spells"]["imported"].to_pylist()
(1, [False])
>>> ledger["cases"]["kind"].to_pylist()[0], ledger["clues"].num_rows >= 1
('identification', True)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .periods import add_months, month_bounds
from .schema import conform_ledger

__all__ = ["synthetic_ledger"]

_CHANNELS = np.array(["department_alert", "cadre_visit", "self_declaration",
                      "concentrated_screening"])
_RISK_MEASURE = {"ILLNESS": ("HEALTH", "MEDICAL_ASSISTANCE", "medical_insurance"),
                 "DISABILITY": ("SOCIAL_SECURITY", "DIBAO", "civil_affairs"),
                 "EDUCATION": ("EDUCATION", "YULU_PLAN", "education"),
                 "DISASTER": ("HOUSING_SAFETY", "HOUSING_RENOVATION", "housing"),
                 "UNSTABLE_EMPLOYMENT": ("EMPLOYMENT", "JOB_REFERRAL", "human_resources"),
                 "INDUSTRY_FAILURE": ("INDUSTRY", "INDUSTRY_SUBSIDY", "agriculture_rural")}
_DEFAULT_MEASURE = ("INDUSTRY", "INDUSTRY_SUBSIDY", "agriculture_rural")
_EPOCH = np.datetime64("1970-01-01")


def _days(dates: np.ndarray) -> np.ndarray:
    return (dates - _EPOCH).astype("timedelta64[D]").astype(np.int64)


def _month_start(months: np.ndarray) -> np.ndarray:
    """'YYYY-MM' strings -> datetime64[D] first days (NaT for None)."""
    out = np.full(months.size, np.datetime64("NaT", "D"), dtype="datetime64[D]")
    ok = np.array([m is not None and len(m) == 7 for m in months])
    if ok.any():
        out[ok] = np.array([m + "-01" for m in months[ok]], dtype="datetime64[D]")
    return out


def _month_days(starts: np.ndarray) -> np.ndarray:
    nxt = (starts.astype("datetime64[M]") + np.timedelta64(1, "M")).astype("datetime64[D]")
    return (nxt - starts).astype(np.int64)


def synthetic_ledger(households: pa.Table, *, as_of: str, seed: int = 7,
                     cutover_months: int = 24) -> dict[str, pa.Table]:
    """The ledger tables (:mod:`.schema`) for ``households`` (the snapshot contract), dated
    up to the end of ``as_of``; spells started in the ``cutover_months`` before it are the
    ones Dixian recorded itself."""
    rng = np.random.default_rng(seed)
    _first, last_day, _next = month_bounds(as_of)
    end = np.datetime64(last_day)
    cutover = np.datetime64(month_bounds(add_months(as_of, 1 - cutover_months))[0])
    codes = np.asarray(households["household_code"].to_pylist(), dtype=object)
    villages = np.asarray(households["village_code"].to_pylist(), dtype=object)
    n = codes.size
    category = np.asarray(households["monitoring_category"].to_pylist(), dtype=object)
    identified = np.asarray(households["identified_month"].to_pylist(), dtype=object)
    monitored = np.array([c is not None and m is not None
                          for c, m in zip(category, identified, strict=True)], dtype=bool)
    alleviated = np.asarray(pc.fill_null(pc.equal(households["household_type"],
                                                  "poverty_alleviated"), False))
    idx = np.flatnonzero(monitored)
    start = _month_start(identified[idx])
    start = start + rng.integers(0, _month_days(start)).astype("timedelta64[D]")
    start = np.minimum(start, end)
    elim_flag = np.asarray(pc.fill_null(households["risk_eliminated"], False))[idx]
    elim_month = np.asarray(households["eliminated_month"].to_pylist(), dtype=object)[idx]
    ended = _month_start(np.where(elim_flag, elim_month, None))
    has_end = ~np.isnat(ended)
    ended[has_end] = ended[has_end] + rng.integers(
        0, _month_days(ended[has_end])).astype("timedelta64[D]")
    ended[has_end] = np.maximum(np.minimum(ended[has_end], end), start[has_end])
    mode = np.asarray(households["elimination_mode"].to_pylist(), dtype=object)[idx]
    mode = np.where(has_end, np.where(mode == None, "ASSISTED", mode), None)  # noqa: E711
    risks = households["risk_types"].to_pylist()
    main_risk = np.array([(risks[i] or ["OTHER"])[0] for i in idx], dtype=object)
    imported = start < cutover
    case_id = np.arange(1, idx.size + 1, dtype=np.int64)
    spells = pa.table({
        "household_code": codes[idx], "village_code": villages[idx],
        "category": category[idx], "risk_types": [risks[i] or [] for i in idx],
        "started_on": start, "ended_on": pa.array(ended, pa.date32()),
        "elimination_mode": mode, "is_return": rng.random(idx.size) < 0.03,
        "identification_case_id": case_id, "imported": imported})

    # identification cases (Dixian's own spells), elimination cases, a few open cases
    own = np.flatnonzero(~imported)
    lag = np.clip(np.round(rng.gamma(2.2, 4.5, own.size)), 3, 45).astype(np.int64)
    decided = start[own].astype("datetime64[s]") + np.timedelta64(15, "h")
    opened = decided - (lag * 86400).astype("timedelta64[s]") - np.timedelta64(6, "h")
    ends = own[has_end[own]]
    e_decided = ended[ends].astype("datetime64[s]") + np.timedelta64(10, "h")
    e_opened = e_decided - np.timedelta64(20, "D")
    others = np.flatnonzero(~monitored)
    pending = others[rng.random(others.size) < 0.003]
    p_opened = (end - rng.integers(0, 60, pending.size).astype("timedelta64[D]")
                ).astype("datetime64[s]") + np.timedelta64(9, "h")
    p_states = rng.choice(["clue", "visit", "village_review", "notice", "township_review"],
                          pending.size)
    n_own, n_end, n_pend = own.size, ends.size, pending.size
    all_ids = np.concatenate([case_id[own], idx.size + 1 + np.arange(n_end),
                              idx.size + 1 + n_end + np.arange(n_pend)]).astype(np.int64)
    cases = pa.table({
        "case_id": all_ids,
        "household_code": np.concatenate([codes[idx][own], codes[idx][ends], codes[pending]]),
        "village_code": np.concatenate([villages[idx][own], villages[idx][ends],
                                        villages[pending]]),
        "kind": ["identification"] * n_own + ["elimination"] * n_end
        + ["identification"] * n_pend,
        "state": ["monitored"] * n_own + ["eliminated"] * n_end + list(p_states),
        "opened_at": np.concatenate([opened, e_opened, p_opened]),
        "deadline": np.concatenate([opened, e_opened, p_opened]) + np.timedelta64(15, "D"),
        "decided_at": pa.array(np.concatenate([decided, e_decided,
                                               np.full(n_pend, np.datetime64("NaT", "s"),
                                                       "datetime64[s]")]),
                               pa.timestamp("s")),
        "closed_at": pa.array(np.concatenate([decided + np.timedelta64(20, "h"),
                                              e_decided + np.timedelta64(20, "h"),
                                              np.full(n_pend, np.datetime64("NaT", "s"),
                                                      "datetime64[s]")]), pa.timestamp("s")),
        "category": np.concatenate([category[idx][own], category[idx][ends],
                                    np.full(n_pend, None, dtype=object)]),
        "elimination_mode": np.concatenate([np.full(n_own, None, dtype=object), mode[ends],
                                            np.full(n_pend, None, dtype=object)]),
        "imported": np.zeros(n_own + n_end + n_pend, dtype=bool)})
    second = rng.random(n_own) < 0.3
    clue_case = np.concatenate([case_id[own], case_id[own][second], all_ids[-n_pend:]
                                if n_pend else np.array([], np.int64)])
    clue_at = np.concatenate([opened - rng.integers(0, 4, n_own).astype("timedelta64[D]"),
                              opened[second] + np.timedelta64(2, "D"), p_opened])
    clues = pa.table({"case_id": clue_case,
                      "channel": _CHANNELS[rng.integers(0, _CHANNELS.size, clue_case.size)],
                      "risk_type": np.concatenate([main_risk[own], main_risk[own][second],
                                                   np.full(n_pend, "ILLNESS", dtype=object)]),
                      "received_at": clue_at})

    # measures
    per_spell = rng.integers(1, 4, n_own)
    m_spell = np.repeat(own, per_spell)
    m_planned = start[m_spell] + np.round(rng.exponential(12, m_spell.size)).astype(
        "timedelta64[D]")
    spec = np.array([_RISK_MEASURE.get(r, _DEFAULT_MEASURE) for r in main_risk[m_spell]],
                    dtype=object).reshape(-1, 3)
    imp = np.flatnonzero(imported)
    pa_idx = np.flatnonzero(alleviated)
    industry = pa_idx[rng.random(pa_idx.size) < 0.6]
    i_planned = end - rng.integers(0, 365, industry.size).astype("timedelta64[D]")
    hh_codes = np.concatenate([codes[idx][m_spell], codes[idx][imp], codes[industry]])
    hh_villages = np.concatenate([villages[idx][m_spell], villages[idx][imp],
                                  villages[industry]])
    planned = np.concatenate([m_planned, start[imp], i_planned])
    count = planned.size
    status = rng.choice(["implemented", "implemented", "implemented", "in_progress", "planned"],
                        count)
    status[m_spell.size:] = "implemented"
    late = planned > end
    planned = np.minimum(planned, end)
    status[late] = "planned"
    implemented = planned + rng.integers(5, 40, count).astype("timedelta64[D]")
    implemented = np.where((status == "implemented") & (implemented <= end), implemented,
                           np.datetime64("NaT", "D"))
    status[(status == "implemented") & np.isnat(implemented)] = "in_progress"
    started = np.where(status == "planned", np.datetime64("NaT", "D"), planned)
    category_m = np.concatenate([spec[:, 0], np.full(imp.size, "SOCIAL_SECURITY", dtype=object),
                                 np.full(industry.size, "INDUSTRY", dtype=object)])
    instrument = np.concatenate([spec[:, 1], np.full(imp.size, "DIBAO", dtype=object),
                                 np.full(industry.size, "INDUSTRY_SUBSIDY", dtype=object)])
    department = np.concatenate([spec[:, 2], np.full(imp.size, "civil_affairs", dtype=object),
                                 np.full(industry.size, "agriculture_rural", dtype=object)])
    measures = pa.table({
        "measure_id": np.arange(1, count + 1, dtype=np.int64), "household_code": hh_codes,
        "village_code": hh_villages,
        "risk_type": np.concatenate([main_risk[m_spell], main_risk[imp],
                                     np.full(industry.size, None, dtype=object)]),
        "category": category_m, "instrument": instrument, "department": department,
        "status": status, "planned_on": pa.array(planned, pa.date32()),
        "due_on": pa.array(planned + np.timedelta64(30, "D"), pa.date32()),
        "started_on": pa.array(started, pa.date32()),
        "implemented_on": pa.array(implemented, pa.date32())})

    # data-quality issues and visits
    flagged = np.flatnonzero(rng.random(n) < 0.02)
    q_open = (end - rng.integers(0, 180, flagged.size).astype("timedelta64[D]")).astype(
        "datetime64[s]") + np.timedelta64(3, "h")
    resolved = rng.random(flagged.size) < 0.6
    q_res = q_open + rng.integers(1, 60, flagged.size).astype("timedelta64[D]")
    q_res = np.where(resolved & (q_res <= end.astype("datetime64[s]")), q_res,
                     np.datetime64("NaT", "s"))
    issues = pa.table({
        "village_code": villages[flagged], "household_code": codes[flagged],
        "rule_id": rng.choice(["1_12_004", "5_13_003", "5_15_0023", "2_12_014"], flagged.size),
        "severity": rng.choice(["error", "warning"], flagged.size),
        "status": np.where(np.isnat(q_res), "open", "fixed"),
        "opened_at": q_open, "resolved_at": pa.array(q_res, pa.timestamp("s"))})
    v_codes, v_villages, v_months, v_days = [], [], [], []
    for back in range(3):
        month = add_months(as_of, -back)
        m_first, m_last, _ = month_bounds(month)
        active = (start <= np.datetime64(m_last)) & (
            np.isnat(ended) | (ended > np.datetime64(m_last)))
        chosen = np.flatnonzero(active & (rng.random(idx.size) < 0.85))
        v_codes.append(codes[idx][chosen])
        v_villages.append(villages[idx][chosen])
        v_months += [month] * chosen.size
        v_days.append(np.full(chosen.size, np.datetime64(m_first) + np.timedelta64(9, "D")))
    visits = pa.table({"household_code": np.concatenate(v_codes) if v_codes else [],
                       "village_code": np.concatenate(v_villages) if v_villages else [],
                       "month": v_months,
                       "visited_on": pa.array(np.concatenate(v_days), pa.date32())})
    out: dict[str, Any] = {"spells": spells, "cases": cases, "clues": clues,
                           "measures": measures, "quality_issues": issues, "visits": visits}
    return {name: conform_ledger(table, name) for name, table in out.items()}
