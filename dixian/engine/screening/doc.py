"""``docs/screening-rules.md`` and ``docs/feeds.md``: generated from the specs.

The screening reference has a generated part (:func:`render_markdown`) and a measurement part
written by ``bench/screening/measure.py``; :func:`write_doc` replaces the first and keeps the
second. A test fails when a rule, operator or parameter is undocumented or the text is stale.
"""

from __future__ import annotations

from pathlib import Path

from ..feeds.schemas import FEEDS, PROVENANCE
from ..schema import ENUMS
from .params import PARAMETERS
from .spec import OPERATORS, RULES

__all__ = ["DOC_PATH", "FEEDS_DOC_PATH", "BEGIN", "END", "MEASURE_BEGIN", "MEASURE_END",
           "render_markdown", "render_feeds", "write_doc", "generated_part", "write_measure"]

ROOT = Path(__file__).resolve().parents[3]
DOC_PATH = ROOT / "docs" / "screening-rules.md"
FEEDS_DOC_PATH = ROOT / "docs" / "feeds.md"
BEGIN = "<!-- BEGIN GENERATED: python -m dixian.engine.screening doc -->"
END = "<!-- END GENERATED -->"
MEASURE_BEGIN = "<!-- BEGIN MEASUREMENT: bench/screening/measure.py -->"
MEASURE_END = "<!-- END MEASUREMENT -->"


def _cell(x) -> str:
    if isinstance(x, dict):
        x = ", ".join(f"{k}: {v}" for k, v in x.items())
    elif isinstance(x, (tuple, list)):
        x = ", ".join(map(str, x))
    return str(x).replace("|", "\\|").replace("\n", " ")


def _where(condition: str) -> str:
    return f"`{condition}`"


def render_markdown() -> str:
    out = [BEGIN, "", "# Screening rules (R2 eligibility, R7 departmental alerts)", "",
           "Generated from `dixian/engine/screening/` by `python -m dixian.engine.screening "
           "doc`; do not edit this part by hand (a test compares it with the code).", "",
           "Each rule is a versioned spec (id, version, operator, feed, filter, parameters, "
           "risk type, and a sentence in Chinese and English filled with the evidence). The "
           "operators compile to Ibis, so the same rules run on DuckDB (default) and Spark "
           "(`backend=\"spark\"`). The SQL of each rule for a reference period is kept under "
           "`tests/engine/screening/sql/` (regenerate with `DIXIAN_UPDATE_SQL=1`).", "",
           "* **Run:** `dixian.engine.screening.run(snapshot_tables, feeds_tables, scope, "
           "period='YYYY-MM', params=...)` requires a `RegionScope` (unscoped runs are "
           "refused), filters households by village-code prefix and everything else by "
           "household code (village-level feed records by village code), and returns one row "
           "per alert: period, village, household, member, rule id and version, department, "
           "risk type (`ENUMS[\"risk_type\"]`), category (R2), evidence values (`value`, "
           "`value2`, `threshold`, `share`, `detail`, `event_date`, and all of it as JSON in "
           "`evidence`) and the two sentences, sorted by village, household, member, rule.",
           "* **Dedupe:** an alert is dropped when its household is already monitored (not "
           "eliminated) for the same risk type; R2 alerts are dropped for any household under "
           "monitoring.",
           "* **Associated monitoring:** every alert puts its whole household under review "
           "(`household_review`, `household_alerts`, `associated_members`); "
           "`screening.households(alerts)` gives one row per household.",
           "* **Cadence:** event rules read the records *received* in the event window (the "
           "monthly push, so late records are still seen once); state rules (sums over a "
           "look-back window, durations, incomes) fire every month while the condition holds "
           "and the case layer merges repeated clues.",
           "* **Cohorts:** the lower medical lines apply to 脱贫 households and monitored "
           "households (`household_type = poverty_alleviated` or a monitoring category).",
           "* **Incomes (R1):** the R2 rules read the 12-month per-capita net income of "
           "`dixian.engine.income`: the `incomes` rows where at least "
           "`income_window_min_months` of the window's months are recorded, else the latest "
           "annual income block of the national system (the optional `income_blocks` "
           "snapshot table, as a county migrated from it has) whose 12 months end within the "
           "window; such an alert's detail is `annual:YYYY-MM`.", ""]
    out += ["## Rules", "", "| id | v | department | operator | risk type | category | title |",
            "|---|---|---|---|---|---|---|"]
    for r in RULES:
        out.append(f"| [{r.id}](#{r.id.lower()}) | {r.version} | {r.department} | "
                   f"`{r.operator}` | {r.risk_type or ''} | {r.category or ''} | "
                   f"{_cell(r.title_zh)} |")
    out.append("")
    for r in RULES:
        out += [f"### {r.id}", "", f"**{r.title_zh}** — {r.title_en}", "",
                f"* version {r.version}, fingerprint `{r.fingerprint()}`",
                f"* department: `{r.department}`; operator: `{r.operator}`"]
        if r.where:
            out.append(f"* filter: {_where(r.where)}")
        if r.args:
            shown = {k: _where(v) if k in ("start", "end") else v for k, v in r.args.items()}
            out.append(f"* arguments: {_cell(shown)}")
        if r.risk_type:
            out.append(f"* risk type: `{r.risk_type}` ({ENUMS['risk_type'][r.risk_type]})")
        if r.category:
            out.append(f"* category: `{r.category}` "
                       f"({ENUMS['monitoring_category'][r.category]})")
        if r.params:
            out.append("* parameters: " + ", ".join(f"[`{p}`](#parameters)" for p in r.params))
        out += [f"* source: {r.source}", f"* 中文: {r.sentence_zh}", f"* English: {r.sentence_en}"]
        if r.note:
            out.append(f"* note: {r.note}")
        out.append("")
    out += ["## Operators", "", "| operator | 中文 | English |", "|---|---|---|"]
    out += [f"| `{k}` | {_cell(zh)} | {_cell(en)} |" for k, (zh, en) in OPERATORS.items()]
    out += ["", "## Parameters", "",
            "Values from the policy layer ([policy](policy.md)) for the run's region and day, "
            "overridable per run.", "",
            "| parameter | default | source | meaning |", "|---|---|---|---|"]
    out += [f"| `{k}` | {_cell(v)} | {_cell(s)} | {_cell(m)} |"
            for k, (v, s, m) in PARAMETERS.items()]
    out += ["", END]
    return "\n".join(out)


def generated_part(text: str) -> str:
    a, b = text.find(BEGIN), text.find(END)
    return text[a:b + len(END)] if a >= 0 and b >= 0 else ""


def write_doc(path: str | Path | None = None) -> Path:
    path = Path(path or DOC_PATH)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    gen = render_markdown()
    if generated_part(old):
        a, b = old.find(BEGIN), old.find(END) + len(END)
        text = old[:a] + gen + old[b:]
    else:
        text = gen + "\n\n" + MEASURE_BEGIN + "\n\n(no measurement yet)\n\n" + MEASURE_END + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def write_measure(section: str, path: str | Path | None = None) -> Path:
    path = Path(path or DOC_PATH)
    if not path.exists():
        write_doc(path)
    text = path.read_text(encoding="utf-8")
    a, b = text.find(MEASURE_BEGIN), text.find(MEASURE_END)
    new = MEASURE_BEGIN + "\n\n" + section.strip() + "\n\n" + MEASURE_END
    text = (text[:a] + new + text[b + len(MEASURE_END):]) if a >= 0 and b >= 0 else \
        text + "\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def render_feeds() -> str:
    """``docs/feeds.md``: every department's schema."""
    from ..feeds.validate import RULES as VRULES

    out = ["# Departmental feeds", "",
           "Generated from `dixian/engine/feeds/schemas.py` by `python -m "
           "dixian.engine.screening feeds-doc`; do not edit by hand.", "",
           "Departments push one file per month (CSV, XLSX or Parquet; the period is read "
           "from the file name, `<department>_YYYY-MM.<ext>`). Headers may be the English "
           "name, the Chinese name or an alias; coded values may be the code or its Chinese "
           "label. `dixian.engine.feeds.validate(data, file_name, department)` returns "
           "`(table, report)`; any error rejects the whole file (nothing is half-applied). "
           "Rows are numbered as in a spreadsheet (header = row 1). Persons are matched to the "
           "registry with a lookup token (`add_tokens(table, tokenize)`; the registry's keyed "
           "HMAC, which the engine never sees) and `match(feed, members)`, which keeps and "
           "reports unmatched records. Synthetic feeds: `derive_feeds(synth_dir, out_dir)`.",
           "", "Every validated table also carries "
           + ", ".join(f"`{c.name}` ({c.doc})" for c in PROVENANCE) + ".", "",
           "## Validation rules", "", "| rule | severity | 中文 | English |",
           "|---|---|---|---|"]
    out += [f"| `{k}` | {s} | {zh} | {en} |" for k, (s, zh, en) in VRULES.items()]
    out.append("")
    for d, f in FEEDS.items():
        out += [f"## `{d}` — {f.zh}", "", f"{f.en}. {f.doc}", "",
                f"* key: `{', '.join(f.key)}`; person: `{f.person_column or '-'}`; village: "
                f"`{f.village_column or '-'}`; dated by `{f.date_column}`; period: "
                f"{f.period} ({f.push}); source: {f.source}", "",
                "| column | type | 中文表头 | aliases | required | codes / range | meaning |",
                "|---|---|---|---|---|---|---|"]
        for c in f.columns:
            codes = (", ".join(f"`{k}` {v}" for k, v in c.values.items()) if c.values else
                     (f"{c.range[0]}–{c.range[1]}" if c.range else ""))
            out.append(f"| `{c.name}` | {c.type} | {c.zh} | {', '.join(c.aliases)} | "
                       f"{'yes' if c.required else ''} | {_cell(codes)} | {_cell(c.doc)} |")
        out.append("")
    return "\n".join(out)
