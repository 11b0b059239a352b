"""Recall of the quality rules per planted error kind, on synthetic data.

    .venv/bin/python bench/quality/recall.py [DIR]     # default: generate a 40,000-household county

The generator plants errors of the kinds in ``schema.ENUMS["error_kind"]`` and records them
in ``planted_errors``. A planted error is *found* when a finding of one of the rules meant for
its kind (``EXPECTED``, written from the catalogue) names the same household, member and
income month, and reports or reads the planted field. One mutation recorded under several
fields counts once. Errors the rules cannot see by design are counted apart: those on
deceased members when the kind's rules judge active members only, and "dibao without
transfer" plants in households whose dibao recipient has died.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

EXPECTED = {
    "id_checksum": {"DQ-IDN-02"}, "id_length": {"DQ-IDN-01"}, "id_no_id": {"DQ-IDN-05"},
    "id_duplicate": {"DQ-IDN-06", "DQ-IDN-07"}, "id_birth_mismatch": {"DQ-IDN-08"},
    "id_sex_mismatch": {"DQ-IDN-09"}, "relation_sex": {"DQ-REL-01"},
    "relation_age": {"DQ-REL-03"}, "head_spouse_same_sex": {"DQ-REL-02"},
    "labour_under_16": {"DQ-LOG-01"}, "labour_healthy_adult": {"DQ-LOG-02"},
    "labour_severe_disability": {"DQ-LOG-13"},
    "schooling_age": {"DQ-LOG-04", "DQ-LOG-05", "DQ-LOG-06"},
    "education_age": {"DQ-LOG-10"}, "student_working": {"DQ-LOG-03"},
    "migrant_wage_low": {"DQ-RNG-05"}, "phone_format": {"DQ-IDN-11", "DQ-IDN-12"},
    "missing_required": {"DQ-CMP-01", "DQ-CMP-03", "DQ-CMP-08", "DQ-CMP-09", "DQ-CMP-10"},
    "med_ins_both": {"DQ-POL-05"}, "tekun_able_adult": {"DQ-POL-01"},
    "welfare_post_age": {"DQ-POL-03"}, "land_range": {"DQ-RNG-01", "DQ-RNG-02"},
    "road_distance": {"DQ-RNG-04"}, "housing_flag_grade": {"DQ-POL-10"},
    "water_flag": {"DQ-POL-11"}, "income_implausible": {"DQ-RNG-07", "DQ-RNG-09"},
    "dibao_no_transfer": {"DQ-POL-04"},
}


def recall(findings, data: Path, households=None) -> list[dict]:
    """One row per error kind: planted, excluded, found, recall."""
    from dixian.engine.quality.engine import compile_rules

    planted = pq.read_table(data / "planted_errors.parquet").to_pylist()
    m = pq.read_table(data / "members.parquet",
                      columns=["member_id", "household_code", "member_status", "dibao"]
                      ).to_pydict()
    if households is not None:
        planted = [e for e in planted if e["household_code"] in households]
    status = dict(zip(m["member_id"], m["member_status"], strict=True))
    active_dibao = {h for h, s, d in zip(m["household_code"], m["member_status"], m["dibao"],
                                         strict=True)
                    if s == "active" and d in ("rural", "urban")}
    reads = collections.defaultdict(set)
    active_only = collections.defaultdict(lambda: True)
    for c in compile_rules():
        reads[c.rule.id] |= {r.split(".", 1)[1] for r in c.reads}
        active_only[c.rule.id] &= "active" in c.cond_names
    # kinds whose rules all judge active members only do not see errors on deceased members


    def judges_active(kind, fields):
        """The kind's rules that look at the planted fields all judge active members only."""
        rules = [r for r in EXPECTED[kind] if fields & reads[r]]
        return bool(rules) and all(active_only[r] for r in rules)
    by_key = collections.defaultdict(list)
    for f in findings.select(["household_code", "member_id", "period", "rule_id",
                              "field"]).to_pylist():
        by_key[(f["household_code"], f["member_id"], f["period"])].append(f)
    grouped = collections.defaultdict(set)
    for e in planted:
        grouped[(e["kind"], e["household_code"], e["member_id"],
                  e["period"] if e["table"] == "incomes" else None)].add(e["field"])
    events, excluded = {}, collections.Counter()
    for (kind, hh, mid, period), fields in grouped.items():
        if (mid and status.get(mid) != "active" and judges_active(kind, fields)) or (
                kind == "dibao_no_transfer" and hh not in active_dibao):
            excluded[kind] += 1
        else:
            events[(kind, hh, mid, period)] = fields
    found, total = collections.Counter(), collections.Counter()
    for (kind, hh, mid, period), fields in events.items():
        total[kind] += 1
        if any(f["rule_id"] in EXPECTED[kind]
               and (f["field"] in fields or fields & reads[f["rule_id"]])
               for f in by_key.get((hh, mid, period), [])):
            found[kind] += 1
    return [{"kind": k, "rules": ", ".join(sorted(EXPECTED[k])), "planted": total[k],
             "excluded": excluded[k], "found": found[k],
             "recall": found[k] / total[k] if total[k] else None}
            for k in sorted(set(total) | set(excluded))]


def markdown(rows: list[dict]) -> str:
    out = ["| error kind | rules | planted (seen) | found | recall | not seen by design |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        rec = f"{r['recall']:.3f}" if r["recall"] is not None else "-"
        out.append(f"| {r['kind']} | {r['rules']} | {r['planted']} | {r['found']} | {rec} | "
                   f"{r['excluded'] or ''} |")
    return "\n".join(out)


def main(argv=None) -> int:
    from dixian.engine import quality as q
    from dixian.engine.scope import RegionScope

    argv = sys.argv[1:] if argv is None else argv
    if argv:
        data = Path(argv[0])
    else:
        from dixian.engine.synth import generate

        data = Path("/tmp/dixian-bench-quality/county-40k")
        if not (data / "summary.json").exists():
            generate("522326", households=40_000, seed=7, out_dir=data)
    findings = q.run(data, RegionScope.nation(), as_of="2025-12-31")
    print(markdown(recall(findings, data)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
