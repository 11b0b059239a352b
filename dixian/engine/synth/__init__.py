"""Synthetic registry data on real division codes, with ground truth and planted errors.

>>> from dixian.engine.synth import generate          # doctest: +SKIP
>>> summary = generate("522326", households=2000, seed=1, out_dir="/tmp/wm")  # doctest: +SKIP

See :func:`dixian.engine.synth.core.generate` and ``docs/calibration.md``.
"""

from .core import TABLES, Summary, generate

__all__ = ["TABLES", "Summary", "generate"]
