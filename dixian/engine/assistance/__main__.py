"""``python -m dixian.engine.assistance doc`` writes docs/assistance.md."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dixian.engine.assistance")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("doc", help="write docs/assistance.md")
    ap.parse_args(argv)
    from . import doc

    print(doc.write_doc())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
