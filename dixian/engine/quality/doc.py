"""``docs/quality-rules.md``: the generated reference of every rule.

The file has a generated part (this module's :func:`render_markdown`) and a benchmark part
written by ``bench/quality/run.py``; :func:`write_doc` replaces the first and keeps the second.
A test fails when the generated part is out of date, and when a rule's machine form changed
without a new version (the index table records each rule's fingerprint).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..rules import lang
from . import derive
from .catalogue import RULES
from .params import DEFAULTS, SOURCES
from .spec import FAMILIES, LEVELS, SEVERITIES

__all__ = ["DOC_PATH", "BEGIN", "END", "BENCH_BEGIN", "BENCH_END", "render_markdown",
           "write_doc", "generated_part", "indexed_versions"]

DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "quality-rules.md"
BEGIN = "<!-- BEGIN GENERATED: python -m dixian.engine.quality doc -->"
END = "<!-- END GENERATED -->"
BENCH_BEGIN = "<!-- BEGIN BENCHMARK: bench/quality/run.py -->"
BENCH_END = "<!-- END BENCHMARK -->"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    """The generated part of ``docs/quality-rules.md`` (between the markers)."""
    from .engine import compile_rules

    compiled = compile_rules(RULES)
    by_rule: dict[str, list] = {}
    for c in compiled:
        by_rule.setdefault(c.rule.id, []).append(c)
    out = [BEGIN, "", "# Data-quality rules (R8)", "",
           "Generated from `dixian/engine/quality/` by `python -m dixian.engine.quality doc`; "
           "do not edit this part by hand (a test compares it with the code).", "",
           "The rules implement the data-quality and consistency checks of domain.md §5.3 "
           "(the Guizhou quality tool, GitHub Gzuwkj/fuping, whose rule ids are cited) and "
           "rule R8. Each rule is a versioned spec: a stable id, a family, a severity "
           "(**error**: must be corrected; **warning**: to be verified), the level "
           "responsible for the correction, the table it runs on and the field it reports, "
           "a condition in the rule language below, and a message in Chinese and English "
           "filled with the evidence of each finding. Conditions compile to Ibis "
           "expressions, so the same rules run on DuckDB (the default) and on Spark.", "",
           "* **Bulk:** `dixian.engine.quality.run(snapshot, scope, as_of=...)` over a "
           "snapshot (Parquet paths or Arrow tables); `require_scope(scope)` first, then "
           "households are filtered by the scope's village-code prefixes and members and "
           "incomes by their household code (which begins with the village code).",
           "* **Entry time:** `check_records(households=..., members=..., incomes=...)` "
           "evaluates a form or an import file with the same compiled expressions on an "
           "in-memory DuckDB.",
           "* **Context** says what a rule looks at beyond its own record: `row`, "
           "`household` (the household record with its members and incomes) or `registry` "
           "(other households: duplicate IDs, shared phones, village totals). At entry "
           "time, registry rules see only the batch; row and household rules judge "
           "exactly as in bulk.",
           "* **Empty values:** a condition that cannot be judged because a field is empty "
           "does not fire; the completeness rules report the empty field.",
           "* **Personal data:** ID numbers and phones appear masked (first 6 / last 4 "
           "characters of an ID, middle digits of a phone) in values and messages.", "",
           "Each finding is one row: `rule_id, rule_version, severity, level, table, "
           "household_code, member_id, period, village_code, field, value, message_zh, "
           "message_en` (`period` is the month of an income finding), ordered by village, "
           "household, member, period and rule.", "",
           "How a run works (`dixian/engine/quality/engine.py`): the rules are compiled once "
           "per rule set into a *plan* of Ibis expressions over the tables `dq_households`, "
           "`dq_members`, `dq_incomes` (and `dq_villages`) and a one-row table of the run's "
           "constants (`dq_run`: the as_of date, the income window, the monitoring line), so "
           "that a compiled plan serves any date. The plan first materialises the shared "
           "aggregates the rules name (*providers*: household members, incomes per "
           "household, duplicate IDs...), then, per table, keeps the rows where any condition "
           "holds and turns them into findings, computing the evidence (masks, labels, "
           "messages) on those rows only. Checks that depend on a *sparse* provider "
           "(duplicates, orphans, outliers: the provider lists only the rows that can fire) "
           "run on an inner join with it. Entry-time checks use the same compiled checks "
           "with a plan of fewer, larger statements (no materialisation), which is faster on "
           "a handful of records; a test shows both give the same findings.", ""]
    # summary
    out += ["## Summary", "", "| family | 中文 | rules | checks | errors | warnings |",
            "|---|---|---|---|---|---|"]
    total_rules = total_checks = 0
    for fam, (zh, _en) in FAMILIES.items():
        rules = [r for r in RULES if r.family == fam]
        n_checks = sum(len(r.checks()) for r in rules)
        total_rules += len(rules)
        total_checks += n_checks
        out.append(f"| {fam} | {zh} | {len(rules)} | {n_checks} | "
                   f"{sum(r.severity == 'error' for r in rules)} | "
                   f"{sum(r.severity == 'warning' for r in rules)} |")
    out += [f"| **all** | | **{total_rules}** | **{total_checks}** | | |", "",
            "A *check* is one field of a rule written for several fields (`each`).", ""]
    # index
    out += ["## Index", "",
            "| id | version | family | severity | level | table.field | context | fuping | "
            "fingerprint |", "|---|---|---|---|---|---|---|---|---|"]
    for r in RULES:
        cs = by_rule[r.id]
        fields = ", ".join(f"{r.target_table}.{c.check.field}" for c in cs)
        ctx = max((c.context for c in cs), key=lambda x: derive.CONTEXT_RANK[x])
        out.append(f"| [{r.id}](#{r.id.lower()}) | {r.version} | {r.family} | {r.severity} | "
                   f"{r.level} | {_cell(fields)} | {ctx} | {', '.join(r.fuping)} | "
                   f"`{r.fingerprint()}` |")
    out.append("")
    # rules by family
    for fam, (zh, en) in FAMILIES.items():
        rules = [r for r in RULES if r.family == fam]
        if not rules:
            continue
        out += [f"## {en} ({zh})", ""]
        for r in rules:
            cs = by_rule[r.id]
            reads = sorted(set().union(*(c.reads for c in cs)))
            ctx = max((c.context for c in cs), key=lambda x: derive.CONTEXT_RANK[x])
            out += [f"### {r.id}", "",
                    f"**{r.title}** — v{r.version} · {r.severity} "
                    f"({SEVERITIES[r.severity][0]}) · {r.level} ({LEVELS[r.level]}) · "
                    f"runs on `{r.table}` · context `{ctx}`"
                    + (f" · fuping {', '.join(r.fuping)}" if r.fuping else ""), ""]
            reports = ", ".join(f"`{r.target_table}.{c.check.field}`" for c in cs)
            out.append(f"- reports: {reports}")
            out.append(f"- reads: {', '.join(f'`{x}`' for x in reads)}")
            if r.requires:
                out.append(f"- needs the optional table(s): {', '.join(r.requires)}")
            if r.each:
                out.append(f"- for each `{{field}}` in: {', '.join(r.each)}")
            out.append(f"- condition: `{r.when}`")
            if r.value:
                out.append(f"- value: `{r.value}`")
            out.append(f"- zh: {r.message_zh}")
            out.append(f"- en: {r.message_en}")
            if r.source:
                out.append(f"- source: {r.source}")
            if r.note:
                out.append(f"- note: {r.note}")
            out.append("")
    # derived columns
    out += ["## Derived columns", "",
            "The names rules may use beyond the snapshot fields (`dixian/engine/quality/"
            "derive.py`). Only the columns a run's rules name are computed.", ""]
    for view, cols in derive.COLUMNS.items():
        if not cols:
            continue
        out += [f"### `{view}`", "", "| column | context | reads | meaning |",
                "|---|---|---|---|"]
        for name in sorted(cols):
            c = cols[name]
            how = f" (`{c.expr}`)" if c.expr else ""
            out.append(f"| `{name}` | {c.context} | {_cell(', '.join(c.reads))} | "
                       f"{_cell(c.doc)}{_cell(how)} |")
        out.append("")
    out += ["The optional `villages` table (the village-level totals of the national "
            "system's 行政村信息 export) has the columns "
            + ", ".join(f"`{n}` ({derive.VILLAGES_ZH[n]})" for n in derive.VILLAGES.names)
            + "; rules that need it are skipped when a snapshot does not have it.", ""]
    # language
    out += ["## Rule language", "",
            "Conditions are Python-like expressions, parsed (never executed) and compiled to "
            "Ibis: column names, `P.<parameter>` (and `P.<tuple>[i]`), literals, "
            "`and or not`, comparisons (chained), `in` / `not in` a literal tuple or a tuple "
            "parameter, `is None`, `+ - * / %`, `a if c else b`, and these functions:", "",
            "| function | meaning |", "|---|---|"]
    for name, f in lang.FUNCTIONS.items():
        out.append(f"| `{name}` | {_cell(f.doc)} |")
    out.append("")
    # parameters
    out += ["## Parameters", "",
            "Defaults from domain.md §11.1; override per province, county or year with "
            "`run(..., params={...})`.", "", "| parameter | default | meaning | source |",
            "|---|---|---|---|"]
    for name, value in DEFAULTS.items():
        src, meaning = SOURCES[name]
        out.append(f"| `{name}` | `{_cell(value)}` | {_cell(meaning)} | {_cell(src)} |")
    out += ["", END]
    return "\n".join(out) + "\n"


def generated_part(text: str) -> str:
    """The generated part of a document (markers included), '' if none."""
    m = re.search(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", text, flags=re.S)
    return m.group(0) if m else ""


def indexed_versions(text: str) -> dict[str, tuple[int, str]]:
    """``rule id -> (version, fingerprint)`` from a document's index table."""
    out = {}
    for m in re.finditer(r"^\| \[(DQ-[A-Z]+-\d+)\]\([^)]*\) \| (\d+) \|.*`([0-9a-f]{10})` \|$",
                         text, flags=re.M):
        out[m.group(1)] = (int(m.group(2)), m.group(3))
    return out


def write_doc(path: Path | str | None = None) -> Path:
    """Write the generated part into ``path`` (default ``docs/quality-rules.md``), keeping
    the benchmark section if there is one."""
    path = Path(path) if path else DOC_PATH
    new = render_markdown()
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if generated_part(old):
        text = old.replace(generated_part(old), new)
    else:
        text = new + "\n" + (old if old else f"## Quality rules: benchmark\n\n{BENCH_BEGIN}\n"
                             "(not yet run: `python bench/quality/run.py`)\n"
                             f"{BENCH_END}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_bench_section(body: str, path: Path | str | None = None) -> Path:
    """Replace the benchmark section of the document with ``body``."""
    path = Path(path) if path else DOC_PATH
    text = path.read_text(encoding="utf-8") if path.exists() else render_markdown()
    block = f"{BENCH_BEGIN}\n{body.rstrip()}\n{BENCH_END}"
    pat = re.escape(BENCH_BEGIN) + r".*?" + re.escape(BENCH_END)
    if re.search(pat, text, flags=re.S):
        text = re.sub(pat, lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Quality rules: benchmark\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
    return path
