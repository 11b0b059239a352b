"""``docs/assistance.md``: the assistance reference, generated from the catalogue and the rules.

A test fails when the page is stale, when a category, instrument, check, rule or parameter is
missing from it, or when a check or rule changed without a new version.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..schema import ENUMS
from .catalogue import CONTINUATIONS, DEFAULT, PROTECTED_CATEGORIES, PROTECTED_INSTRUMENTS, TARGETS
from .checks import CHECKS
from .model import FINDINGS, SEVERITIES, STATUSES
from .params import PARAMETERS
from .rules import FACTS, KINDS, RISK_LABELS_EN, RULES, TEMPLATES, need_labels
from .suggest import CONDITIONS, SUGGESTIONS

__all__ = ["DOC_PATH", "render_markdown", "write_doc", "indexed_versions"]

ROOT = Path(__file__).resolve().parents[3]
DOC_PATH = ROOT / "docs" / "assistance.md"


def _cell(x) -> str:
    if isinstance(x, dict):
        x = ", ".join(f"{k}: {v}" for k, v in x.items())
    elif isinstance(x, (tuple, list)):
        x = ", ".join(map(str, x))
    elif isinstance(x, bool):
        x = "yes" if x else ""
    elif x is None:
        x = ""
    return str(x).replace("|", "\\|").replace("\n", " ")


def _params(names) -> str:
    return ", ".join(f"[`{p}`](#parameters)" for p in names)


def _instrument_checks() -> dict[str, list[str]]:
    """Instrument -> its own checks (the C-GEN checks apply to every measure)."""
    out: dict[str, list[str]] = {code: [] for code in DEFAULT.instruments}
    for c in CHECKS:
        for code in c.instruments:
            out[code].append(c.id)
    return out


def render_markdown() -> str:
    cat = DEFAULT
    out = ["# Assistance by cause (R4): measure catalogue, instrument checks, plan rules, "
           "suggestions", "",
           "Generated from `dixian/engine/assistance/` by `python -m dixian.engine.assistance "
           "doc`; do not edit by hand (a test compares it with the code). Sources and tags "
           "([V], [VL], [S], [I], [M]) refer to `shared/docs/domain.md` §13.", "",
           "The engine works on one household at a time, over plain frozen dataclasses "
           "(`dixian.engine.assistance.model`): `PlanHousehold`, `PlanMember`, `PlanMeasure`; "
           "it never imports Django.", "",
           "* **Plan check (R4):** `check_plan(household, members, measures, *, today, "
           "params=None, catalogue=None, rules=None, include_checks=True)` returns a list of "
           "`Violation(rule_id, risk_type, severity, sentence_zh, sentence_en, department, "
           "finding, rule_version, measure_ref, member_ref, due_on)`, the plan rules first (in "
           "rule order), then the instrument checks (in measure order). `assess_plan(...)` "
           "returns the same violations with the flags `whole_household_no_labour`, "
           "`has_able_member`, `development_implemented`, the R6 `coverage` and the deadline "
           "`due_on`.",
           "* **Instrument checks:** `check_measure(measure, *, today, member=None, "
           "household=None, measures=(), members=(), params=None, catalogue=None)` and "
           "`check_measures(measures, members, household, *, today, ...)`.",
           "* **R6 helper:** `eligible_for_elimination_measures(household, measures)` → "
           "`MeasureCoverage(ok, covered, uncovered)`: an implemented measure against each "
           "recorded risk. `continuing_after_elimination(measures, eliminated_on)` lists the "
           "running measures that continue to their end after elimination (§4).",
           "* **Suggestions:** `suggest(household, members, history=None, *, min_history=None, "
           "measures=(), today=None, params=None, catalogue=None, rules=None, ranker=None, "
           "limit=None)` → ranked `Suggestion`s with a reason in Chinese and English.",
           "* **Per province and year:** `params.resolve(province, year, overrides)`, "
           "`catalogue.for_province(province, overrides)`, `rules.rules_for(province, "
           "overrides)`.", ""]

    out += ["## Departments", "",
            "Codes of the Django `dixian.core.roles.Department` enum (a test outside the engine "
            "compares them), plus `agriculture_rural` and `health`, which that enum does not "
            "have yet.", "", "| code | 中文 | English |", "|---|---|---|"]
    out += [f"| `{k}` | {zh} | {en} |" for k, (zh, en) in cat.departments.items()]

    out += ["", "## Measure categories", "",
            "The assistance columns of the national system (§2.3). Development-oriented "
            "(开发式) categories count for the labour rule R4-DEV. Categories named by the "
            "plan rules cannot be removed by a province: "
            + ", ".join(f"`{c}`" for c in PROTECTED_CATEGORIES) + ".", "",
            "| code | 中文 | English | 开发式 | departments | source | note |",
            "|---|---|---|---|---|---|---|"]
    out += [f"| `{c.code}` | {c.zh} | {_cell(c.en)} | {_cell(c.development)} | "
            f"{_cell(c.departments)} | {_cell(c.source)} | {_cell(c.note)} |"
            for c in cat.categories.values()]

    checks_of = _instrument_checks()
    out += ["", "## Instruments", "",
            "Target: " + "; ".join(f"`{k}` = {zh} — {en}" for k, (zh, en) in TARGETS.items())
            + ". After elimination: "
            + "; ".join(f"`{k}` = {zh}" for k, (zh, _en) in CONTINUATIONS.items())
            + "; empty = no continuation rule (the instrument's own programme decides). "
              "Instruments named by the plan rules cannot be removed: "
            + ", ".join(f"`{c}`" for c in PROTECTED_INSTRUMENTS) + ". The checks column lists "
              "an instrument's own checks; the general checks "
            + ", ".join(f"[{c.id}](#{c.id.lower()})" for c in CHECKS if not c.instruments)
            + " apply to every measure.", "",
            "| code | 中文 | English | category | department | target | 开发式 | "
            "after elimination | parameters | checks | source | note |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for i in cat.instruments.values():
        dev = cat.is_development(i.category, i.code)
        out.append(f"| `{i.code}` | {i.zh} | {_cell(i.en)} | `{i.category}` | "
                   f"`{i.department}` | {i.target} | {_cell(dev)} | "
                   f"{i.continues_until or ''} | {_params(i.params)} | "
                   f"{', '.join(f'[{c}](#{c.lower()})' for c in checks_of[i.code])} | "
                   f"{_cell(i.source)} | {_cell(i.note)} |")

    out += ["", "## Instrument checks", "",
            "One function per check in `checks.py`; `error` = refuse or correct the measure, "
            "`warning` = verify it. Sentences are filled with the measure's values (integers "
            "with thousands separators, dates ISO).", "",
            "| id | v | severity | instruments | title |", "|---|---|---|---|---|"]
    out += [f"| [{c.id}](#{c.id.lower()}) | {c.version} | {c.severity} | "
            f"{_cell(c.instruments) or 'every measure'} | {c.title_zh} |" for c in CHECKS]
    out.append("")
    for c in CHECKS:
        out += [f"### {c.id}", "", f"**{c.title_zh}** — {c.title_en}", "",
                f"* version {c.version}, fingerprint `{c.fingerprint()}`",
                f"* function: `{c.func.__name__}`; severity: {c.severity}",
                f"* instruments: {_cell(c.instruments) or 'every measure'}"]
        if c.params:
            out.append(f"* parameters: {_params(c.params)}")
        out += [f"* source: {c.source}", f"* 中文: {c.sentence_zh}",
                f"* English: {c.sentence_en}", ""]

    out += ["## Plan rules (R4)", "",
            "R4 as data (`rules.py`): within `measure_deadline_days_after_identification` days "
            "of identification, a measure against each recorded risk must be in place (§3.3); "
            "a household with labour needs an implemented development measure and must not "
            "rely on social security alone; a household without any labour needs 低保 or "
            "特困 and is flagged `whole_household_no_labour` (§11.2 R4). A measure is *in "
            "place* from its start (or implementation) date; a planned measure is not. A "
            "measure ended before identification does not count. Pending and late findings "
            "are warnings; the main finding has the rule's severity.", "",
            "| id | v | kind | trigger | satisfied by | department | severity | applies |",
            "|---|---|---|---|---|---|---|---|"]
    for r in RULES:
        need = need_labels(r, cat)[0] if r.kind in ("measure", "development") else ""
        out.append(f"| [{r.id}](#{r.id.lower()}) | {r.version} | {r.kind} | "
                   f"{_trigger(r)} | {need or (r.expect or '')} | {r.department or ''} | "
                   f"{r.severity} | {'while monitored' if r.while_monitored else 'always'} |")
    out.append("")
    for r in RULES:
        out += [f"### {r.id}", "", f"**{r.title_zh}** — {r.title_en}", "",
                f"* version {r.version}, fingerprint `{r.fingerprint()}`",
                f"* kind: `{r.kind}`; trigger: {_trigger(r)}"]
        if r.categories:
            out.append("* categories: " + ", ".join(f"`{c}`" for c in r.categories))
        if r.instruments:
            out.append("* instruments: " + ", ".join(f"`{i}`" for i in r.instruments))
        if r.expect:
            f = FACTS[r.expect]
            out.append(f"* expects: `{r.expect}` ({f.zh}; {f.en})")
        out += [f"* department: `{r.department}`; severity: {r.severity}; applies: "
                + ("while the risk is not eliminated" if r.while_monitored else
                   "always (also after elimination)")
                + ("; fast track" if r.fast_track else "")]
        if r.params:
            out.append(f"* parameters: {_params(r.params)}")
        out.append(f"* source: {r.source}")
        if r.note:
            out.append(f"* note: {r.note}")
        zh, en = _example(r)
        out += [f"* {_findings(r)[0]} (中文): {zh}", f"* {_findings(r)[0]} (English): {en}"]
        out.append("")

    out += ["### Rule kinds", "", "| kind | 中文 | English |", "|---|---|---|"]
    out += [f"| `{k}` | {_cell(zh)} | {_cell(en)} |" for k, (zh, en) in KINDS.items()]
    out += ["", "### Sentence templates", "",
            "Each rule above shows its main finding with the subject and the measures needed "
            "filled in (default catalogue and deadline); these are the templates of every "
            "finding. `subject` is the risk or fact that triggered the rule, `need` the "
            "categories or instruments that satisfy it, `due` the deadline, `on` the day a "
            "late measure was in place.", "",
            "| kind | finding | 中文 | English |", "|---|---|---|---|"]
    out += [f"| `{k}` | `{f}` | {_cell(zh)} | {_cell(en)} |"
            for (k, f), (zh, en) in TEMPLATES.items()]
    out += ["", "### Facts", "", "Facts trigger rules (`facts`) or are expected by them "
            "(`expect`); they are judged on the active members.", "",
            "| fact | 中文 | English | when it does not hold |", "|---|---|---|---|"]
    out += [f"| `{k}` | {f.zh} | {f.en} | {f.not_zh} |" for k, f in FACTS.items()]
    out += ["", "### Findings, severities and statuses", "",
            "| finding | 中文 | English |", "|---|---|---|"]
    out += [f"| `{k}` | {zh} | {en} |" for k, (zh, en) in FINDINGS.items()]
    out += ["", "| severity | 中文 | English |", "|---|---|---|"]
    out += [f"| `{k}` | {zh} | {en} |" for k, (zh, en) in SEVERITIES.items()]
    out += ["", "| measure status | 中文 | English |", "|---|---|---|"]
    out += [f"| `{k}` | {zh} | {en} |" for k, (zh, en) in STATUSES.items()]
    out += ["", "### Risk types", "", "| code | 中文 | English |", "|---|---|---|"]
    out += [f"| `{k}` | {zh} | {RISK_LABELS_EN[k]} |" for k, zh in ENUMS["risk_type"].items()]

    out += ["", "## Suggestions", "",
            "`suggest()` opens one block per applicable R4 rule (risk rules in the household's "
            "risk order, then fact rules, then the labour blocks; a block whose rule is "
            "already satisfied is skipped) and lists the block's instruments whose condition "
            "holds, in the order below, skipping instruments the household already has. An "
            "instrument appears once, at its first place. With at least `suggest_min_history` "
            "similar past cases (same risk type; blocks without one use every case) a block "
            "is reordered by the ranker; the default shrinks each instrument's success rate "
            "toward a rule-order prior:", "",
            "```",
            "p̄      = successes / cases over all similar cases",
            "prior_j = clamp(p̄ + spread · ((R − 1)/2 − j) / max(R − 1, 1), 0, 1)",
            "score_j = (s_j + k · prior_j) / (n_j + k)     # k = suggest_prior_strength,",
            "                                              # spread = suggest_rule_spread",
            "```", "",
            "With no cases for an instrument its score is its prior, so the rule order "
            "stands; ties fall back to the rule order (deterministic).", "",
            "| block | # | instrument | condition | reason (中文) | reason (English) |",
            "|---|---|---|---|---|---|"]
    for block, opts in SUGGESTIONS.items():
        for j, o in enumerate(opts):
            out.append(f"| {block} | {j} | `{o.instrument}` | `{o.when}` | {_cell(o.reason_zh)} "
                       f"| {_cell(o.reason_en)} |")
    out += ["", "| condition | 中文 | English |", "|---|---|---|"]
    out += [f"| `{k}` | {c.zh} | {c.en} |" for k, c in CONDITIONS.items()]

    out += ["", "## Parameters", "",
            "From the policy layer ([policy](policy.md)) for the region and year, "
            "overridable per call (`params.resolve(region, year, overrides)`).", "",
            "| parameter | default | source | meaning |", "|---|---|---|---|"]
    out += [f"| `{k}` | {_cell(v)} | {_cell(s)} | {_cell(m)} |"
            for k, (v, s, m) in PARAMETERS.items()]

    out += ["", "## Province extension", "",
            "A province keeps three JSON-like mappings (what a YAML or JSON file would hold):",
            "", "* parameters: a policy change ([policy](policy.md));",
            "* `catalogue.PROVINCES[code] = {\"departments\": {...}, \"categories\": {...}, "
            "\"instruments\": {...}}` — an entry for an existing code replaces the fields it "
            "names, a new code must give every required field, `None` removes an entry; "
            "unknown fields, categories, departments and parameters are refused;",
            "* `rules.PROVINCES[code] = {rule_id: {field: value}}` — only `categories`, "
            "`instruments`, `department`, `severity` and `note` may change; the sentences "
            "take their labels from the province's catalogue.", "",
            "```python",
            "catalogue.for_province(\"52\", {\"instruments\": {",
            "    \"CATTLE_SUBSIDY\": {\"category\": \"INDUSTRY\", \"zh\": \"养牛补贴\",",
            "                       \"en\": \"Cattle subsidy\", \"department\": "
            "\"agriculture_rural\",",
            "                       \"source\": \"province notice\"},",
            "    \"ANTI_POVERTY_INSURANCE\": {\"category\": \"SOCIAL_ASSISTANCE\"}}})",
            "```"]
    return "\n".join(out) + "\n"


def _trigger(r) -> str:
    parts = []
    if r.risk_type:
        parts.append(f"risk `{r.risk_type}` ({ENUMS['risk_type'][r.risk_type]})")
    parts += [f"fact `{f}`" for f in r.facts]
    return " or ".join(parts)


def _findings(r) -> tuple[str, ...]:
    return tuple(f for (k, f) in TEMPLATES if k == r.kind)


class _Keep(dict):
    """Leaves unknown placeholders as they are."""

    def __missing__(self, key):
        return "{" + key + "}"


def _example(r) -> tuple[str, str]:
    """The rule's main-finding sentence with the subject and the measures needed filled in."""
    finding = _findings(r)[0]
    zh, en = (r.sentence_zh, r.sentence_en) if r.sentence_zh else TEMPLATES[(r.kind, finding)]
    if r.risk_type:
        subject = (f"“{ENUMS['risk_type'][r.risk_type]}”风险",
                   f"Risk “{RISK_LABELS_EN[r.risk_type]}”")
    else:
        f = FACTS[r.facts[0]]
        subject = (f.zh, f.en[0].upper() + f.en[1:])
    need = need_labels(r, DEFAULT) if (r.categories or r.instruments) else ("", "")
    values = {"subject_zh": subject[0], "subject_en": subject[1], "need_zh": need[0],
              "need_en": need[1],
              "days": PARAMETERS["measure_deadline_days_after_identification"][0]}
    if r.expect:
        values |= {"fact_zh": FACTS[r.expect].not_zh, "fact_en": FACTS[r.expect].not_en}
    return zh.format_map(_Keep(values)), en.format_map(_Keep(values))


def write_doc(path: str | Path | None = None) -> Path:
    path = Path(path or DOC_PATH)
    path.write_text(render_markdown(), encoding="utf-8")
    return path


def indexed_versions(text: str) -> dict[str, tuple[int, str]]:
    """id -> (version, fingerprint) of every check and rule section of a rendered page."""
    return {k: (int(v), fp) for k, v, fp in
            re.findall(r"### (\S+)\n\n.*?\n\n\* version (\d+), fingerprint `(\w+)`", text,
                       flags=re.S)}
