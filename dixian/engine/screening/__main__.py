"""``python -m dixian.engine.screening doc`` writes docs/screening-rules.md;
``feeds-doc`` writes docs/feeds.md; ``sql RULE [--period YYYY-MM]`` prints a rule's SQL."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dixian.engine.screening")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("doc", help="write docs/screening-rules.md (keeps the measurement section)")
    sub.add_parser("feeds-doc", help="write docs/feeds.md")
    s = sub.add_parser("sql", help="print the SQL of one rule")
    s.add_argument("rule")
    s.add_argument("--period", default="2025-06")
    a = ap.parse_args(argv)
    from . import doc

    if a.cmd == "doc":
        print(doc.write_doc())
    elif a.cmd == "feeds-doc":
        doc.FEEDS_DOC_PATH.write_text(doc.render_feeds() + "\n", encoding="utf-8")
        print(doc.FEEDS_DOC_PATH)
    else:
        from .engine import to_sql

        print(to_sql(a.rule, period=a.period))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
