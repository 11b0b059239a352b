"""Mutation testing of the modules that decide (docs/mutation-testing.md).

The modules and the tests that must kill their mutants are listed once, in pyproject.toml
under ``[tool.dixian.mutation]``. For each module this script lays a copy of the project
under ``var/mutation/<module>/`` whose pyproject asks mutmut to mutate that module only and
to run only that module's tests (mutmut then runs, for each mutant, only the tests that reach
the mutated function, stopping at the first failure), runs mutmut there, and reads the
verdicts back.

    .venv/bin/python scripts/mutation.py                    # every module (make mutation)
    .venv/bin/python scripts/mutation.py dixian/core/access.py --functions scope_of
    .venv/bin/python scripts/mutation.py --write            # and record docs/mutation-score.json

A killed mutant is one a test failed on; a timeout counts as killed (mutmut's own score
does the same: the mutant made the tests loop); every other verdict (survived, no tests,
suspicious) counts against the score.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("dixian", "tests", "docs", "scripts", "manage.py", "pyproject.toml", "conftest.py")
KILLED = {1, 3, 36, -24, 24, 152, 255}  # test failures and timeouts (mutmut's stats.py)
SCORE_FILE = ROOT / "docs" / "mutation-score.json"


def config() -> dict:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return data["tool"]["dixian"]["mutation"]


def _toml_list(items) -> str:
    return "[" + ", ".join(json.dumps(str(i)) for i in items) + "]"


def prepare(module: dict, workdir: Path) -> None:
    """A fresh copy of the project whose mutmut settings name this module and its tests."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "sql", "screenshots")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=ignore)
        else:
            shutil.copy2(source, workdir / name)
    settings = config()
    text = (workdir / "pyproject.toml").read_text()
    pytest_args = [*settings.get("pytest_args", []), *module.get("pytest_args", [])]
    text += f"""
[tool.mutmut]
source_paths = ["dixian"]
also_copy = ["docs", "scripts", "manage.py", "conftest.py"]
only_mutate = {_toml_list([module["path"]])}
pytest_add_cli_args = {_toml_list(pytest_args)}
pytest_add_cli_args_test_selection = {_toml_list(module["tests"])}
timeout_constant = {float(settings.get("timeout_seconds", 120))}
use_git_change_detection = false
process_isolation = "forkserver"
"""
    (workdir / "pyproject.toml").write_text(text)


def _mangled(function: str) -> str:
    """mutmut's name for a function (``f`` -> ``x_f``) or a method (``C.m`` -> ``xǁCǁm``)."""
    if "." in function:
        cls, name = function.split(".", 1)
        return f"xǁ{cls}ǁ{name}"
    return f"x_{function}"


def verdicts(workdir: Path, module_path: str) -> dict[str, int | None]:
    meta = workdir / "mutants" / (module_path + ".meta")
    return json.loads(meta.read_text())["exit_code_by_key"]


def run_module(module: dict, *, functions: list[str], children: int) -> dict:
    slug = module["path"].replace("/", "_").removesuffix(".py")
    if functions:  # a sample: its own copy, never the full run's
        slug += "-sample"
    functions = functions or module.get("functions", [])
    workdir = ROOT / "var" / "mutation" / slug
    if children:
        prepare(module, workdir)
    env = {**os.environ, "DIXIAN_MODE": "test", "DATABASE_URL": "sqlite:///:memory:"}
    dotted = module["path"].removesuffix(".py").replace("/", ".")
    names = [f"{dotted}.{_mangled(f)}__mutmut_*" for f in functions]
    mutmut = str(Path(sys.executable).parent / "mutmut")
    started = datetime.now(UTC)
    returncode = None
    if children:
        done = subprocess.run([mutmut, "run", "--max-children", str(children), *names],
                              cwd=workdir, env=env, capture_output=True, text=True)
        (workdir / "mutmut.log").write_text(done.stdout[-200_000:] + done.stderr[-200_000:])
        returncode = done.returncode
    results = verdicts(workdir, module["path"])
    if functions:
        results = {k: v for k, v in results.items()
                   if any(k.startswith(f"{dotted}.{_mangled(f)}__mutmut_") for f in functions)}
    untested = sorted(k for k, v in results.items() if v is None)
    killed = sorted(k for k, v in results.items() if v in KILLED)
    not_killed = sorted(k for k, v in results.items() if v not in KILLED and v is not None)
    diffs = {}
    for name in not_killed:
        shown = subprocess.run([mutmut, "show", name], cwd=workdir, env=env,
                               capture_output=True, text=True)
        diffs[name] = "\n".join(line for line in shown.stdout.splitlines()
                                if line.startswith(("+", "-")) and not line.startswith(
                                    ("+++", "---")))
    total = len(results) - len(untested)
    return {
        "module": module["path"], "functions": functions or "all",
        "mutants": len(results), "tested": total, "killed": len(killed),
        "complete": not untested,
        "score": round(len(killed) / total, 4) if total else None,
        "seconds": round((datetime.now(UTC) - started).total_seconds()),
        "not_killed": {name: {"exit_code": results[name], "diff": diffs[name]}
                       for name in not_killed},
        "exit_code": returncode,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="module paths (default: every one listed)")
    parser.add_argument("--functions", nargs="*", default=[],
                        help="only the mutants of these functions (a CI-sized sample)")
    parser.add_argument("--children", type=int, default=2,
                        help="mutants run at once; 0: only read the verdicts of the last run "
                             "(an interrupted run gives a partial score, marked incomplete)")
    parser.add_argument("--write", action="store_true", help="record docs/mutation-score.json")
    args = parser.parse_args(argv)
    settings = config()
    listed = {m["path"]: m for m in settings["modules"]}
    unknown = [m for m in args.modules if m not in listed]
    if unknown:
        parser.error(f"not in [tool.dixian.mutation] of pyproject.toml: {unknown}")
    chosen = [listed[m] for m in args.modules] or list(listed.values())
    threshold = settings["threshold"]
    worst = 1.0
    for module in chosen:
        result = run_module(module, functions=args.functions, children=args.children)
        score = result["score"]
        worst = min(worst, score if score is not None else 0.0)
        print(f"{module['path']}: {result['killed']}/{result['tested']} killed "
              f"({(score or 0) * 100:.1f}%) in {result['seconds']} s"
              + ("" if result["complete"] else
                 f" (incomplete: {result['mutants'] - result['tested']} not yet run)"))
        for name, info in result["not_killed"].items():
            print(f"  not killed: {name} (exit {info['exit_code']})")
            for line in info["diff"].splitlines():
                print(f"      {line}")
        if args.write and not args.functions:  # a sample is never recorded as the score
            result["when"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            recorded = (json.loads(SCORE_FILE.read_text()) if SCORE_FILE.exists()
                        else {"modules": {}})
            recorded["modules"][module["path"]] = result
            recorded["threshold"] = threshold
            SCORE_FILE.write_text(json.dumps(recorded, indent=1, ensure_ascii=False,
                                             sort_keys=True) + "\n")
    print(f"lowest score {worst * 100:.1f}% (threshold {threshold * 100:.0f}%)")
    return 0 if worst >= threshold else 1


if __name__ == "__main__":
    sys.exit(main())
