"""Calibration on a medium sample, the division reader and the schema document."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from dixian.engine import divisions, schema
from dixian.engine.synth import calibration


@pytest.fixture(scope="module")
def medium():
    rows, values, _ = calibration.run("522326", households=8000, months=60, seed=11)
    return rows, values


def test_income_targets_are_met(medium):
    rows, _ = medium
    income = [r for r in rows if r["key"].startswith("pcni_") or "share" in r["key"]
              and r["key"].startswith(("wage", "business", "property"))]
    assert len(income) >= 10
    bad = [(r["key"], r["value"]) for r in income if not r["ok"]]
    assert not bad


def test_most_targets_are_within_tolerance(medium):
    rows, _ = medium
    ok = sum(r["ok"] for r in rows)
    assert ok / len(rows) >= 0.9, [(r["key"], r["value"]) for r in rows if not r["ok"]]


def test_render_names_sources_and_command(medium):
    rows, values = medium
    text = calibration.render(rows, values, dict(scope="522326", households=8000, months=60,
                                                 end_month="2025-12", seed=11), 1.0)
    assert "python -m dixian.engine.synth.calibration" in text
    assert "[V S34]" in text and "| target | source |" in text


def test_divisions_reader():
    t = divisions.load("522326")
    levels = dict(zip(t["code"].to_pylist(), t["level"].to_pylist(), strict=True))
    assert levels["522326"] == 3 and levels["522326001"] == 4
    villages = divisions.load("522326", levels=(5,))
    assert villages.num_rows > 100
    assert pc.all(pc.equal(villages["parent_code"],
                           pc.utf8_slice_codeunits(villages["code"], 0, 9))).as_py()
    assert divisions.name_of("52") == "贵州省"
    assert divisions.parent_of("522326101") == "522326"
    assert divisions.is_community("522326001001") and not divisions.is_community("522326101201")
    with pytest.raises(ValueError):
        divisions.load("52x")


def test_schema_document_lists_every_field_and_code():
    text = schema.render_markdown()
    for name, sch in schema.ALL_SCHEMAS.items():
        assert f"`{name}`" in text
        for field in sch:
            assert f"`{field.name}`" in text
            assert field.metadata[b"zh"]
    assert "| `UNSTABLE` | 脱贫不稳定户 |" in text
