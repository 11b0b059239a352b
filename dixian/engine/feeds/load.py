"""Load a directory of departmental files: validate each, concatenate, add tokens, match.

This is what the exchange does with a month's uploads, in one call, for the engine's own
measurements and tests (the Django side keeps the uploads and batches; the engine only reads).
A file with errors contributes nothing; its report says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from .schemas import FEEDS, arrow_schema
from .validate import MatchReport, Report, add_tokens, match, validate

__all__ = ["Loaded", "load_dir"]


@dataclass
class Loaded:
    tables: dict[str, pa.Table] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    matches: dict[str, MatchReport] = field(default_factory=dict)

    @property
    def rejected_files(self) -> list[str]:
        return [r.file for r in self.reports if not r.ok]


def load_dir(feed_dir: str | Path, *, tokenize: Callable[[str], str] | None = None,
             members: pa.Table | None = None, until: str | None = None) -> Loaded:
    """Validate every ``<department>/<department>_<YYYY-MM>.*`` file under ``feed_dir``.

    With ``tokenize`` and ``members`` (members with an ``id_token`` column) each department's
    table is matched (:func:`.validate.match`). ``until`` skips files of later months.
    """
    root = Path(feed_dir)
    out = Loaded()
    for dept in FEEDS:
        parts = []
        for path in sorted((root / dept).glob(f"{dept}_*.*")):
            table, rep = validate(path.read_bytes(), path.name, dept)
            if until and rep.period and rep.period > until:
                continue
            out.reports.append(rep)
            if table is not None:
                parts.append(table)
        t = pa.concat_tables(parts) if parts else arrow_schema(dept).empty_table()
        if tokenize is not None:
            t = add_tokens(t, tokenize)
            if members is not None:
                t, out.matches[dept] = match(t, members, department=dept)
        out.tables[dept] = t
    return out
