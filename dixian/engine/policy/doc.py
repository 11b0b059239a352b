"""docs/policy.md, generated from the declarations: every parameter with its values and
sources, unit, range and who may change it. ``tests/engine/policy`` fails when it is stale.

    python -m dixian.engine.policy.doc     # rewrite docs/policy.md
"""

from __future__ import annotations

from pathlib import Path

from dixian.engine.policy.catalogue import load
from dixian.engine.policy.model import Entry

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "policy.md"
LEVEL_TEXT = {"nation": "the nation only", "province": "province",
              "prefecture": "province or prefecture",
              "county": "province, prefecture or county"}

INTRO = """# Policy

Every threshold, deadline, limit and standard Dixian applies is a **policy parameter**, declared
once in `dixian/engine/policy/parameters/<area>.toml` with its type, unit, valid range, meaning,
the lowest level that may set it, and its national values by date, each with its source.
Published regional values are in `dixian/engine/policy/regions/<code>.toml`. Everything else in
Dixian reads `resolve(region, on=date)` (`dixian.engine.policy`); a test fails when a module
keeps its own copy of a value.

**Resolution.** For a region and a day, a parameter's value is the one in force that day in the
most specific layer that may set it: county, prefecture, province, nation. Values are
effective-dated (`from` inclusive, `until` exclusive). Three time axes are kept: the effective
date, the day a change was recorded and the day it was approved; `resolve(..., known_on=t)`
reconstructs the policy exactly as it was applied at `t`.

**Changes.** A province policy administrator proposes a change on the policy pages, through
the API or with `dixian policy import FILE` (the TOML written by `dixian policy export`), with
its basis (document number, date, text) and effective date. Every value is checked (type,
range, level, dates) and a refused proposal stores nothing. The proposal shows its diff and a
preview on the current registry (households entering or leaving the monitoring range, alerts
appearing or disappearing). A second administrator approves or rejects it; both steps are
audited. From its effective date screening, procedures, quality rules and statistics use it;
every run and decision records the fingerprint of the policy it used.

**Preview.** `dixian.engine.policy.preview` computes only what the change touches: R1 once (twice
only when the income window changes) and, of it, the households between the current and the
proposed line; the screening rules that read a changed parameter, under both policies; and the
asset check (the negative screen, shown only with another clue) on just the asset holders whose
other alerts came or went. `make bench-preview` checks on a 10-million-person province that
this gives the same result as re-running every rule and the whole R1 classification under both
policies, and times both (docs/benchmarks.md, "Policy preview").

`dixian policy show --region 52 --on 2026-06-01 --json` prints the resolved policy.

**Categories, channels and rules are policy too.** `categories.scheme` is the ordered list of
the categories a province identifies households under (R2), each with its code, Chinese and
English names, a condition in the rule language (`dixian/engine/rules/lang.py`, over the
facts the parameter lists) and the sentence the decision and the letter show; the first
category whose condition holds is assigned. 2021–2025's three categories are the national
default; no 2026 national text lists or abolishes them, so a province that adopts its own
sub-types (by severity and risk type, say) proposes a new scheme as a change, in the TOML file
or as JSON on the page:

```toml
[[value]]
parameter = "categories.scheme"

[[value.value]]
code = "KEY"
name_zh = "防止返贫致贫对象（重点）"
name_en = "Priority"
when = "per_capita < P.income.monitoring_line and whole_household_no_labour"
sentence_zh = "整户无劳动能力，人均纯收入{per_capita:.0f}元"
sentence_en = "No one can work; per-capita income {per_capita:.0f} yuan"

[[value.value]]
code = "INCOME"
name_zh = "防止返贫致贫对象（收入型）"
name_en = "Income type"
when = "per_capita < P.income.monitoring_line"
sentence_zh = "人均纯收入{per_capita:.0f}元，低于监测范围{P.income.monitoring_line}元"
sentence_en = "Per-capita income {per_capita:.0f} yuan, below the line"
```

Cases and spells keep the category's code and names in force when they were decided; pages,
letters and statistics read those. `channels.scheme` lists the detection channels a province
runs and their names (2026: 农户自主申报、基层日常排查、部门大数据预警); a clue on a channel
the province does not run is refused. `procedure.elimination_conditions`,
`screening.rules_off` and `quality.rules_off` switch R6 conditions, screening rules and quality
rules off.

Source tags follow domain.md: [V] verified national text, [VL] verified local text, [S]
secondary, [M] media, [I] our inference (marked *inferred* below), [NF] not found.
"""


def _value(v) -> str:
    if isinstance(v, Entry):
        return f"`{v.code}` {v.name_zh}" + (f": `{v.when}`" if v.when else "")
    if isinstance(v, (list, tuple)):
        return ("; " if v and isinstance(v[0], Entry) else ", ").join(_value(x) for x in v)
    return str(v)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render() -> str:
    catalogue = load()
    out = [INTRO]
    areas: dict[str, list] = {}
    for spec in catalogue.parameters.values():
        areas.setdefault(spec.area, []).append(spec)
    for area in sorted(areas):
        out += [f"## {area}", ""]
        for spec in areas[area]:
            rng = ""
            if spec.min is not None or spec.max is not None:
                rng = f"{'' if spec.min is None else f'{spec.min:g}'}–" \
                      f"{'' if spec.max is None else f'{spec.max:g}'}"
            if spec.choices:
                rng = "one of " + ", ".join(spec.choices)
            out += [f"### `{spec.name}` — {spec.title_zh}", "",
                    spec.meaning[:1].upper() + spec.meaning[1:] + ".", "",
                    f"* type: {spec.type}; unit: {spec.unit}"
                    + (f"; valid range: {rng}" if rng else ""),
                    f"* set by: {LEVEL_TEXT[spec.level]} (policy administrators, with a "
                    "second approver)", "",
                    "| region | from | until | value | source |", "|---|---|---|---|---|"]
            for r in sorted((r for r in catalogue.records if r.parameter == spec.name),
                            key=lambda r: (r.region, r.start)):
                region = catalogue.region_names.get(r.region, r.region) if r.region \
                    else "nation"
                out.append(f"| {region} | {r.start} | {r.stop or ''} | {_value(r.value)} | "
                           f"{_cell(r.source)}{' *(inferred)*' if r.inferred else ''} |")
            out.append("")
    return "\n".join(out)


def write_doc(path: Path | None = None) -> Path:
    path = Path(path or DOC)
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_doc())
