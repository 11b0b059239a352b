"""``python -m dixian.engine.quality doc`` writes docs/quality-rules.md;
``python -m dixian.engine.quality run DIR --scope CODE [--as-of DATE] [--out FILE]`` runs the
rules over a snapshot directory and prints the findings per rule."""

from __future__ import annotations

import argparse
import sys

from ..scope import RegionScope


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dixian.engine.quality")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("doc", help="write docs/quality-rules.md")
    d.add_argument("--path", default=None)
    r = sub.add_parser("run", help="run the rules over a snapshot directory")
    r.add_argument("snapshot")
    r.add_argument("--scope", required=True, help="division code, or 'nation'")
    r.add_argument("--as-of", default=None)
    r.add_argument("--out", default=None, help="write the findings as Parquet")
    args = ap.parse_args(argv)
    if args.cmd == "doc":
        from .doc import write_doc

        print(write_doc(args.path))
        return 0
    from .engine import run, summary

    scope = RegionScope.nation() if args.scope == "nation" else RegionScope.of(args.scope)
    findings = run(args.snapshot, scope, as_of=args.as_of)
    if args.out:
        import pyarrow.parquet as pq

        pq.write_table(findings, args.out)
    for rule_id, n in zip(*summary(findings).to_pydict().values(), strict=True):
        print(f"{rule_id}\t{n}")
    print(f"total\t{findings.num_rows}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
