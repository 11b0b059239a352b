"""Month arithmetic and the reader of database rows into engine tables exist once (issue 11,
item 9): ``dixian/engine/months.py`` and ``dixian.registry.snapshot.fetch_columns``."""

import ast
import re
from pathlib import Path

DIXIAN = Path(__file__).resolve().parents[1] / "dixian"
MONTHS = DIXIAN / "engine" / "months.py"

#: the helpers of engine/months.py: nobody else defines a function of these names
HELPERS = {"month_add", "add_months", "months_between", "whole_months", "month_of", "first_day",
           "months_after", "months_ending", "month_index", "month_of_index"}
#: modules that still define one, with the reason
ALLOWED = {
}
#: a month index turned back into 'YYYY-MM' by hand
BY_HAND = re.compile(r"//\s*12\s*:04d\}-\{[^}]*%\s*12\s*\+\s*1\s*:02d\}")


def modules():
    for path in sorted(DIXIAN.rglob("*.py")):
        if path != MONTHS and "migrations" not in path.parts:
            yield path, path.relative_to(DIXIAN).as_posix()


def test_month_helpers_are_defined_only_in_engine_months():
    found = []
    for path, relative in modules():
        if relative in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in HELPERS:
                found.append(f"{relative}:{node.lineno} {node.name}")
    assert found == [], "use dixian.engine.months (through the app's bridge)"


def test_no_month_string_is_built_from_an_index_by_hand():
    found = [relative for path, relative in modules()
             if relative not in ALLOWED and BY_HAND.search(path.read_text(encoding="utf-8"))]
    assert found == []
    assert BY_HAND.search(MONTHS.read_text(encoding="utf-8"))  # the pattern still matches


def test_the_allow_list_holds_only_real_exceptions():
    for relative in ALLOWED:
        names = {n.name for n in ast.walk(ast.parse((DIXIAN / relative).read_text()))
                 if isinstance(n, ast.FunctionDef)}
        assert names & HELPERS, f"{relative} no longer needs its exception"


def test_rows_reach_the_engine_through_one_reader():
    """Raw-cursor reads of Django querysets into columns are done by ``fetch_columns`` only
    (the engine's own DuckDB cursors are not the database)."""
    readers = [relative for path, relative in modules()
               if not relative.startswith("engine/")
               and "fetchall()" in path.read_text(encoding="utf-8")]
    assert readers == ["registry/snapshot.py"]
    from dixian.statistics import bridge

    source = (DIXIAN / "statistics" / "bridge.py").read_text(encoding="utf-8")
    assert "def _columns" not in source and bridge.fetch_columns.__module__ == \
        "dixian.registry.snapshot"


def test_the_month_helpers_agree_with_the_calendar():
    import datetime as dt

    from dixian.engine import months

    assert months.month_add("2025-01", -13) == "2023-12"
    assert months.months_between("2024-11", "2025-02") == 3
    assert months.months_after(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert months.first_day("2025-07") == dt.date(2025, 7, 1)
    assert months.month_of(dt.date(2025, 7, 31)) == "2025-07"
