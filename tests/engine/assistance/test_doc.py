"""docs/assistance.md is generated and current; everything is documented with its source; a
changed check or rule needs a new version."""

from __future__ import annotations

from dixian.engine.assistance import DEFAULT, doc
from dixian.engine.assistance.checks import CHECKS
from dixian.engine.assistance.params import PARAMETERS
from dixian.engine.assistance.rules import FACTS, RULES, TEMPLATES
from dixian.engine.assistance.suggest import CONDITIONS, SUGGESTIONS

FIX = "run `python -m dixian.engine.assistance doc` and commit docs/assistance.md"


def text() -> str:
    return doc.DOC_PATH.read_text(encoding="utf-8")


def test_the_reference_is_current():
    assert text() == doc.render_markdown(), FIX


def test_every_category_instrument_and_department_is_documented():
    t = text()
    for code, c in DEFAULT.categories.items():
        assert f"| `{code}` | {c.zh} |" in t and c.source in t, code
    for code, i in DEFAULT.instruments.items():
        assert f"| `{code}` | {i.zh} |" in t and i.source in t, code
        assert f"`{i.department}`" in t
        for p in i.params:
            assert f"[`{p}`](#parameters)" in t
    for code, (zh, _en) in DEFAULT.departments.items():
        assert f"| `{code}` | {zh} |" in t


def test_every_check_and_rule_is_documented_with_its_source():
    t = text()
    for c in CHECKS:
        assert f"### {c.id}" in t and c.sentence_zh in t and c.sentence_en in t, c.id
        assert c.source and c.source in t, c.id
        assert set(c.params) <= set(PARAMETERS), c.id
    for r in RULES:
        assert f"### {r.id}" in t and r.title_zh in t and r.title_en in t, r.id
        assert r.source and r.source in t, r.id
        assert set(r.params) <= set(PARAMETERS), r.id
    for (kind, finding), (zh, en) in TEMPLATES.items():
        assert f"| `{kind}` | `{finding}` |" in t and zh in t and en in t
    for f in FACTS:
        assert f"| `{f}` |" in t
    for k in CONDITIONS:
        assert f"| `{k}` |" in t
    for block, opts in SUGGESTIONS.items():
        for o in opts:
            assert f"| {block} |" in t and o.reason_zh in t


def test_every_parameter_is_documented_with_a_source():
    t = text()
    for p, (_default, source, meaning) in PARAMETERS.items():
        assert f"| `{p}` |" in t and source and meaning, p


def test_a_changed_check_or_rule_has_a_new_version():
    documented = doc.indexed_versions(text())
    for item in (*CHECKS, *RULES):
        if item.id not in documented:
            continue  # new
        version, fingerprint = documented[item.id]
        if fingerprint != item.fingerprint():
            assert item.version > version, f"{item.id} changed: bump its version, then {FIX}"
        else:
            assert item.version == version, item.id


def test_write_doc(tmp_path):
    path = doc.write_doc(tmp_path / "assistance.md")
    assert path.read_text(encoding="utf-8") == doc.render_markdown()
