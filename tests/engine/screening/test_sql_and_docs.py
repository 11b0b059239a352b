"""The SQL each rule compiles to is kept under snapshot test; the reference is current.

Regenerate the SQL files after an intended change with
``DIXIAN_UPDATE_SQL=1 pytest tests/engine/screening/test_sql_and_docs.py`` (then bump the
rule's version if its results change), and the docs with
``python -m dixian.engine.screening doc`` and ``... feeds-doc``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dixian.engine.screening import OPERATORS, PARAMETERS, RULES, doc, to_sql

SQL_DIR = Path(__file__).parent / "sql"
UPDATE = os.environ.get("DIXIAN_UPDATE_SQL") == "1"
FIX = "run `python -m dixian.engine.screening doc` and commit docs/screening-rules.md"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_compiled_sql_matches_the_snapshot(rule):
    sql = to_sql(rule, period="2025-06", province="52") + "\n"
    path = SQL_DIR / f"{rule.id}.sql"
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"no SQL snapshot for {rule.id}; run with DIXIAN_UPDATE_SQL=1")
        path.write_text(sql, encoding="utf-8")
    assert sql == path.read_text(encoding="utf-8"), (
        f"{rule.id} compiles to different SQL; if intended, DIXIAN_UPDATE_SQL=1")


def test_no_stale_sql_snapshots():
    assert {p.stem for p in SQL_DIR.glob("*.sql")} == {r.id for r in RULES}


def test_the_rules_reference_is_current():
    text = doc.DOC_PATH.read_text(encoding="utf-8")
    assert doc.generated_part(text) == doc.render_markdown(), FIX


def test_every_rule_operator_and_parameter_is_documented():
    text = doc.generated_part(doc.DOC_PATH.read_text(encoding="utf-8"))
    for r in RULES:
        assert f"### {r.id}" in text and r.sentence_zh in text and r.sentence_en in text
        assert r.source and r.source in text, r.id
        for p in r.params:
            assert p in PARAMETERS, (r.id, p)
    for op in OPERATORS:
        assert f"| `{op}` |" in text
    for p, (_default, source, _meaning) in PARAMETERS.items():
        assert f"| `{p}` |" in text and source, p


def test_a_changed_rule_has_a_new_version():
    import re

    text = doc.DOC_PATH.read_text(encoding="utf-8")
    documented = dict(re.findall(r"### (\S+)\n\n.*?\n\n\* version \d+, fingerprint `(\w+)`",
                                 text, flags=re.S))
    versions = dict(re.findall(r"### (\S+)\n\n.*?\n\n\* version (\d+),", text, flags=re.S))
    for r in RULES:
        if r.id in documented and documented[r.id] != r.fingerprint():
            assert r.version > int(versions[r.id]), f"{r.id} changed: bump its version"


def test_the_measurement_section_survives_regeneration(tmp_path):
    path = tmp_path / "screening-rules.md"
    doc.write_doc(path)
    doc.write_measure("figures here", path)
    doc.write_doc(path)
    text = path.read_text(encoding="utf-8")
    assert "figures here" in text and doc.generated_part(text) == doc.render_markdown()


def test_the_feeds_reference_is_current():
    assert doc.FEEDS_DOC_PATH.read_text(encoding="utf-8") == doc.render_feeds() + "\n", (
        "run `python -m dixian.engine.screening feeds-doc`")
