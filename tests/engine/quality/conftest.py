"""A small synthetic county (with planted errors, and its clean copy) shared by the tests that
need realistic data."""

from __future__ import annotations

import pytest

from dixian.engine.synth import generate

SYNTH = dict(scope_code="522326", households=2500, seed=3, months=36, end_month="2025-12",
             error_rate=0.08)
#: the generator's snapshot date: the last day of its end month
SYNTH_AS_OF = "2025-12-31"


@pytest.fixture(scope="session")
def synth_dirs(tmp_path_factory):
    """(directory with planted errors, directory of the clean copy)."""
    base = tmp_path_factory.mktemp("quality-synth")
    dirty = generate(out_dir=base / "dirty", **SYNTH)
    clean = generate(out_dir=base / "clean", clean=True, **SYNTH)
    return dirty.out_dir, clean.out_dir
