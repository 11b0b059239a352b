"""Precision, recall and detection lead of the screening rules on a synthetic county.

    .venv/bin/python bench/screening/measure.py --households 10000 --write

generates the county (dixian.engine.synth, 36 months), derives the departmental feeds with
noise (dixian.engine.feeds.synthetic), validates and matches them, runs the screening for every
month of the last 24 months and compares the alerts with the generator's ground truth
(truth_shocks, truth_incomes, truth_household_years). ``--write`` puts the tables into the
measurement section of docs/screening-rules.md.

Definitions (all per household):
* precision of a rule: share of the households it alerted (first alert per rule) that truly had
  a matching shock in the 12 months up to the alert month (R2: that truly were below the line,
  or in hardship, in the alert's year or the year before);
* recall of a rule: share of the true events (shocks of the matching types from month 13 to the
  last month minus 3; R2: household-years truly eligible) that the rule alerted within 6 months
  (R2: in that year or the first 3 months of the next);
* detection: households whose true 12-month income first fell below the line, or below it after
  rigid spending (medical + education), between 2024-01 and three months before the end; the
  onset month is that first month. A channel detects a household when it alerts it between 3
  months before the onset and the end of the panel; the annual concentrated screening is taken
  as knowing every such household at the end of the onset year (an upper bound for it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from dixian.engine.feeds import add_tokens  # noqa: E402
from dixian.engine.feeds.load import load_dir  # noqa: E402
from dixian.engine.feeds.synthetic import derive_feeds  # noqa: E402
from dixian.engine.scope import RegionScope  # noqa: E402
from dixian.engine.screening import RULES, run  # noqa: E402
from dixian.engine.screening.engine import month_add  # noqa: E402
from dixian.engine.screening.params import DEFAULTS, by_year  # noqa: E402

#: rule -> truth shock types that count as a true positive (None: R2, judged on income)
TRUTH = {
    "R7-MED-01": ("serious_illness", "chronic_illness", "accident", "disability"),
    "R7-MED-02": ("serious_illness", "chronic_illness", "accident", "disability"),
    "R7-MED-03": ("serious_illness", "chronic_illness", "accident", "disability"),
    "R7-CIV-01": ("serious_illness", "accident", "disaster", "death", "job_loss",
                  "business_failure", "disability"),
    "R7-DIS-01": ("disability",),
    "R7-HOU-01": ("disaster",),
    "R7-EMG-01": ("disaster",),
    "R7-HR-01": ("job_loss",),
    "R7-PS-01": ("accident", "death"),
    "R7-PS-02": ("death",),
    "R2-INC-01": None, "R2-INC-02": None, "R2-SUD-01": None,
}
NO_TRUTH = {"R7-EDU-01": "the generator has no dropouts", "R7-WAT-01": "no water truth",
            "R7-WAT-02": "no water truth", "R7-AST-01": "negative screen (flag, not a clue)"}


def tokenize(s: str) -> str:  # stands in for the registry's keyed HMAC
    return hashlib.blake2b(s.encode(), key=b"measure", digest_size=12).hexdigest()


def measure(households: int, seed: int, work: Path, scope_code: str = "522326") -> dict:
    t0 = time.perf_counter()
    synth, feeds = work / "synth", work / "feeds"
    if not (synth / "summary.json").exists():
        from dixian.engine.synth import generate

        generate(scope_code, households=households, seed=seed, months=36, out_dir=synth)
    summ = json.loads((synth / "summary.json").read_text())
    if not (feeds / "feeds_summary.json").exists():
        derive_feeds(synth, feeds, seed=seed)
    fsum = json.loads((feeds / "feeds_summary.json").read_text())
    t_gen = time.perf_counter() - t0
    members = add_tokens(pq.read_table(synth / "members.parquet"), tokenize)
    loaded = load_dir(feeds, tokenize=tokenize, members=members)
    snap = {n: pq.read_table(synth / f"{n}.parquet") for n in ("households", "members",
                                                                 "incomes")}
    start, end = summ["start_month"], summ["end_month"]
    periods = [month_add(start, k) for k in range(12, summ["months"])]
    t1 = time.perf_counter()
    parts = [run(snap, loaded.tables, RegionScope.of(scope_code), period=p) for p in periods]
    t_run = time.perf_counter() - t1
    alerts = pa.concat_tables(parts)
    con = duckdb.connect()
    con.register("alerts", alerts.select(["period", "household_code", "member_id", "rule_id"]))
    for t in ("truth_shocks", "truth_household_years", "truth_incomes", "households"):
        con.sql(f"create view {t} as select * from read_parquet('{synth / t}.parquet')")
    con.sql("""create table first_alert as select rule_id, household_code,
                   min(period) period from alerts group by all""")
    eval_from, eval_to = periods[0], month_add(end, -3)
    rows = []
    for r in RULES:
        n_alert = con.execute("select count(*) from first_alert where rule_id=?",
                              [r.id]).fetchall()[0][0]
        types = TRUTH.get(r.id, "none")
        if types == "none":
            rows.append((r.id, n_alert, None, None, None, NO_TRUTH.get(r.id, "")))
            continue
        if types is None:
            cats = {"R2-INC-01": "('UNSTABLE')", "R2-INC-02": "('MARGINAL')",
                    "R2-SUD-01": "('SUDDEN')"}[r.id]
            prec = con.execute("""
                select avg((exists (select 1 from truth_household_years y
                    where y.household_code = a.household_code
                      and y.year between cast(substr(a.period,1,4) as int) - 1
                                     and cast(substr(a.period,1,4) as int)
                      and y.eligible_category is not null))::int)
                from first_alert a where rule_id = ?""", [r.id]).fetchall()[0][0]
            rec, n_true = con.execute(f"""
                select avg((exists (select 1 from alerts a where a.rule_id = ?
                    and a.household_code = y.household_code
                    and a.period between y.year || '-01' and (y.year + 1) || '-03'))::int),
                    count(*)
                from truth_household_years y
                where y.eligible_category in {cats}
                  and y.year between {int(eval_from[:4])} and {int(eval_to[:4])}""",
                                      [r.id]).fetchall()[0]
        else:
            tl = "(" + ",".join(f"'{x}'" for x in types) + ")"
            prec = con.execute(f"""
                select avg((exists (select 1 from truth_shocks s
                    where s.household_code = a.household_code and s.shock_type in {tl}
                      and s.month between strftime(strptime(a.period || '-01', '%Y-%m-%d')
                                                   - interval 12 month, '%Y-%m')
                                      and a.period))::int)
                from first_alert a where rule_id = ?""", [r.id]).fetchall()[0][0]
            rec, n_true = con.execute(f"""
                select avg((exists (select 1 from alerts a where a.rule_id = ?
                    and a.household_code = s.household_code
                    and a.period between s.month and strftime(
                        strptime(s.month || '-01', '%Y-%m-%d') + interval 6 month, '%Y-%m')))
                    ::int), count(*)
                from truth_shocks s where s.shock_type in {tl}
                  and s.month between '{eval_from}' and '{eval_to}'""", [r.id]).fetchall()[0]
        rows.append((r.id, n_alert, prec, rec, n_true, ""))
    # ------------------------------------------------------------------ detection
    lines = {y: by_year(DEFAULTS["monitoring_line_by_year"], y) for y in range(2015, 2035)}
    con.register("lines", pa.table({"year": list(lines), "line": list(lines.values())}))
    con.sql("""
        create table roll as
        with m as (select household_code, period,
               sum(wage + business + property + transfer - business_cost) over w net,
               sum(compliant_oop_medical + education_cost) over w rigid,
               avg(members) over w members, count(*) over w n
             from truth_incomes
             window w as (partition by household_code order by period
                          rows between 11 preceding and current row))
        select m.*, l.line, net / members < l.line below,
               net / members >= l.line and (net - rigid) / members < l.line hardship
        from m join lines l on l.year = cast(substr(period, 1, 4) as int)
        where n = 12 and members > 0""")
    con.sql(f"""
        create table onset as
        with f as (select household_code, period, below or hardship bad, below,
                      lag(below or hardship) over (partition by household_code order by period)
                          prev_bad
                   from roll)
        select household_code, min(period) onset, arg_min(below, period) was_below
        from f where bad and not coalesce(prev_bad, false)
          and period between '{eval_from}' and '{eval_to}'
        group by household_code""")
    chans = {"departmental alerts (R7)": "rule_id like 'R7-%' and rule_id <> 'R7-AST-01'",
             "registry income screen (R2, monthly)": "rule_id like 'R2-%'",
             "any screening rule": "rule_id <> 'R7-AST-01'"}
    det = []
    n_on = con.execute("select count(*) from onset").fetchall()[0][0]

    def months_between(a: str, b: str) -> str:
        return (f"((cast(substr({b},1,4) as int)*12 + cast(substr({b},6,2) as int)) - "
                f"(cast(substr({a},1,4) as int)*12 + cast(substr({a},6,2) as int)))")

    for name, cond in chans.items():
        res = con.execute(f"""
            with d as (select o.household_code, o.onset, min(a.period) first
                       from onset o join alerts a on a.household_code = o.household_code
                       and {cond}
                       and a.period >= strftime(strptime(o.onset || '-01', '%Y-%m-%d')
                                                - interval 3 month, '%Y-%m')
                       group by all)
            select count(*), median({months_between('onset', 'first')}),
                   median({months_between('first', "substr(onset,1,4) || '-12'")}),
                   avg(({months_between('first', "substr(onset,1,4) || '-12'")} > 0)::int)
            from d""").fetchall()[0]
        det.append((name, *res))
    known = con.execute(f"""
        select count(*), median({months_between('o.onset', 'h.identified_month')})
        from onset o join households h using (household_code)
        where h.identified_month >= strftime(strptime(o.onset || '-01', '%Y-%m-%d')
                                             - interval 3 month, '%Y-%m')""").fetchall()[0]
    year_end = con.execute(f"""select median({months_between('onset',
                                   "substr(onset,1,4) || '-12'")}) from onset""").fetchall()[0][0]
    con.close()
    return {"households": summ["households"], "members": summ["members"], "months":
            summ["months"], "start": start, "end": end, "periods": len(periods),
            "alerts": alerts.num_rows, "rules": rows, "detection": det, "onsets": n_on,
            "registry_identified": known, "year_end_lag": year_end,
            "feeds": fsum, "eval_from": eval_from, "eval_to": eval_to,
            "rejected_files": len(loaded.rejected_files),
            "match_rate": {d: round(m.match_rate, 3) for d, m in loaded.matches.items()},
            "seconds": {"generate+derive": round(t_gen, 1), "screening": round(t_run, 1)}}


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def render(res: dict, command: str) -> str:
    out = ["## Measurement on synthetic data", "",
           f"Reproduce: `{command}` (the tables below were written by it).", "",
           f"County 522326, {res['households']:,} households ({res['members']:,} members), "
           f"{res['months']} months {res['start']}–{res['end']}; screening run for each of "
           f"the last {res['periods']} months ({res['alerts']:,} alert rows, "
           f"{res['seconds']['screening']} s in total on DuckDB). Feeds: "
           f"{res['feeds']['files']} files, {res['rejected_files']} rejected by validation "
           f"(planted malformed cells), {res['feeds']['late']} late records, "
           f"{res['feeds']['duplicates']} duplicates, {res['feeds']['unmatched_ids']} unknown "
           f"IDs; match rate by department: "
           + ", ".join(f"{d} {v:.1%}" for d, v in res["match_rate"].items()
                       if d != "water") + ".", "",
           "Definitions are in the docstring of `bench/screening/measure.py`: precision = "
           "alerted households that truly had a matching shock in the 12 months before (R2: "
           "truly eligible that year or the year before); recall = true events alerted within "
           "6 months (R2: within the year + 3 months).", "",
           "| rule | households alerted | precision | recall | true events | note |",
           "|---|---|---|---|---|---|"]
    for rid, n, p, r, nt, note in res["rules"]:
        out.append(f"| {rid} | {n:,} | {_pct(p)} | {_pct(r)} | "
                   f"{'' if nt is None else f'{nt:,}'} | {note} |")
    out += ["", f"**Detection.** {res['onsets']:,} households truly fell below the line or "
            f"into hardship (true 12-month income, rigid spending = medical + education) "
            f"between {res['eval_from']} and {res['eval_to']} (onset = first such month).", "",
            "| channel | households detected | share | median months after onset | "
            "median months before year end | share detected before year end |",
            "|---|---|---|---|---|---|"]
    n = res["onsets"] or 1
    for name, k, after, before, share_before in res["detection"]:
        out.append(f"| {name} | {k:,} | {k / n:.1%} | {after} | {before} | "
                   f"{_pct(share_before)} |")
    k, lag = res["registry_identified"]
    out.append(f"| registry identification (identified_month) | {k:,} | {k / n:.1%} | {lag} | "
               f"| |")
    out.append(f"| annual concentrated screening (known at year end, upper bound) | {n:,} | "
               f"100% | {res['year_end_lag']} | 0 | 0% |")
    out += ["", "Reading: state rules (R2, medical sums, HR duration) fire in every month while "
            "the condition holds; the tables count each household once per rule (its first "
            "alert). The water, education and asset rules have no ground truth in the "
            "generator. The synthetic registry records monthly incomes close to the truth, so "
            "the monthly R2 income screen is an optimistic channel here: in practice incomes "
            "are recorded at visits and screenings, which is what the departmental alerts "
            "do not depend on. Medical recall is low by construction: most illness shocks "
            "leave out-of-pocket costs below the alert lines. Precision of the shock-based rules "
            "is near 100% by construction (the feeds are derived from the true shocks; only "
            "background records and civil-affairs grants add false clues), so it measures the "
            "plumbing, not the departments. Many onsets fall in January because the line rose "
            "from 7,300 (2023) to 8,700 (2024)."]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", default="/tmp/dixian-screening-measure")
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args(argv)
    work = Path(a.work) / f"h{a.households}-s{a.seed}"
    res = measure(a.households, a.seed, work)
    cmd = (f".venv/bin/python bench/screening/measure.py --households {a.households} "
           f"--seed {a.seed} --write")
    text = render(res, cmd)
    print(text)
    print(json.dumps(res["seconds"]), file=sys.stderr)
    if a.write:
        from dixian.engine.screening.doc import write_measure

        print(write_measure(text), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
