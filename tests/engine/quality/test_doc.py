"""docs/quality-rules.md is generated and current; a changed rule needs a new version."""

from __future__ import annotations

from dixian.engine import quality as q
from dixian.engine.quality import doc

FIX = "run `python -m dixian.engine.quality doc` and commit docs/quality-rules.md"


def test_the_rules_reference_is_current():
    text = doc.DOC_PATH.read_text(encoding="utf-8")
    assert doc.generated_part(text) == doc.render_markdown(), FIX


def test_every_rule_is_documented_with_its_messages():
    text = doc.DOC_PATH.read_text(encoding="utf-8")
    for r in q.RULES:
        assert f"### {r.id}" in text, r.id
        assert r.message_zh in text and r.message_en in text, r.id


def test_a_changed_rule_has_a_new_version():
    """The committed index records each rule's version and fingerprint: a rule whose machine
    form or messages changed must carry a higher version than the one documented."""
    documented = doc.indexed_versions(doc.DOC_PATH.read_text(encoding="utf-8"))
    for r in q.RULES:
        if r.id not in documented:
            continue  # a new rule
        version, fingerprint = documented[r.id]
        if fingerprint != r.fingerprint():
            assert r.version > version, f"{r.id} changed: bump its version, then {FIX}"
        else:
            assert r.version == version, r.id


def test_the_benchmark_section_survives_regeneration(tmp_path):
    path = tmp_path / "quality-rules.md"
    doc.write_doc(path)
    doc.write_bench_section("figures here", path)
    doc.write_doc(path)
    text = path.read_text(encoding="utf-8")
    assert "figures here" in text and doc.generated_part(text) == doc.render_markdown()
