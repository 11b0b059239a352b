"""Synthetic registry data on real division codes, with ground truth and planted errors.

Usage (writes Parquet files, so not run as a doctest)::

    from dixian.engine.synth import generate
    summary = generate("522326", households=2000, seed=1, out_dir="/tmp/wm")

See :func:`dixian.engine.synth.core.generate` and ``docs/calibration.md``.
"""

from .core import TABLES, Summary, generate

__all__ = ["TABLES", "Summary", "generate"]
