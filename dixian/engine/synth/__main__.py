"""Command line: ``python -m dixian.engine.synth {generate,calibration,schema-doc}``.

    python -m dixian.engine.synth generate 522326 --out /tmp/wangmo
    python -m dixian.engine.synth generate 52 --households 2850000 --out /tmp/guizhou
    python -m dixian.engine.synth calibration --write docs/calibration.md
    python -m dixian.engine.synth schema-doc --write docs/snapshot-schema.md
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "calibration":
        from .calibration import main as calibration_main

        return calibration_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m dixian.engine.synth")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write a synthetic registry and its truth as Parquet")
    g.add_argument("scope", nargs="?", default="522326", help="NBS division code")
    g.add_argument("--households", type=int)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--months", type=int, default=36)
    g.add_argument("--end-month", default="2025-12")
    g.add_argument("--out", required=True)
    g.add_argument("--clean", action="store_true", help="plant no data errors")
    g.add_argument("--error-rate", type=float)
    d = sub.add_parser("schema-doc", help="render docs/snapshot-schema.md")
    d.add_argument("--write")
    sub.add_parser("calibration", help="see --help of the calibration command")
    a = ap.parse_args(argv)
    if a.cmd == "schema-doc":
        from ..schema import render_markdown

        text = render_markdown()
        if a.write:
            Path(a.write).write_text(text + "\n", encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")
        return 0
    from .core import generate

    kwargs = {} if a.error_rate is None else {"error_rate": a.error_rate}
    s = generate(a.scope, households=a.households, seed=a.seed, months=a.months,
                 end_month=a.end_month, out_dir=a.out, clean=a.clean,
                 progress=lambda i, n: print(f"\rchunk {i}/{n}", end="", file=sys.stderr),
                 **kwargs)
    print(file=sys.stderr)
    print(json.dumps({**s.to_json(), "out_dir": s.out_dir, "seconds": round(s.seconds, 1)},
                     ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
