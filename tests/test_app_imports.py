"""The Django apps import each other without a cycle (issue 11, item 9).

The graph is built with ``ast`` from every module of every app under ``dixian/``, imports
inside functions included (a function-level import is still a dependency; it only hides the
cycle from Python). An edge app → other app is a module of the app importing the other.

A few back-edges are known and listed below, each with the module that holds it: the graph
without them must have no cycle, and each listed edge must still exist, so the list can only
shrink. ``cases`` ↔ ``exchange`` is gone (clues follow a screening run through
``dixian.exchange.signals.screening_ran``; the simulator lives in ``dixian/simulation/``);
``cases`` → ``assistance`` is gone: R6 counts the measures through
``dixian.cases.signals.implemented_measures``, the measures that continue after an elimination
come through
``dixian.cases.signals.elimination_continuing`` and the household's monitoring page lists
its measures with assistance's ``household_measures`` template tag."""

import ast
from pathlib import Path

DIXIAN = Path(__file__).resolve().parents[1] / "dixian"

#: (module, app it imports): known back-edges, to be removed; nothing may be added here
KNOWN_BACK_EDGES = {
    # an import of the national layout opens cases and measures for the imported rows
    ("registry/importing.py", "assistance"),
    ("registry/importing.py", "cases"),
    ("registry/national/reconcile.py", "assistance"),
    ("registry/national/writer.py", "assistance"),
    # a household entered from a self-declaration
    ("registry/entry.py", "cases"),
}


def apps() -> list[str]:
    return sorted(p.name for p in DIXIAN.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists())


def imported_apps(path: Path, names: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            modules = [node.module]
            if node.module == "dixian":
                modules += [f"dixian.{alias.name}" for alias in node.names]
        for module in modules:
            parts = module.split(".")
            if parts[0] == "dixian" and len(parts) > 1 and parts[1] in names:
                found.add(parts[1])
    return found


def edges() -> dict[tuple[str, str], set[str]]:
    """(app, other app) → the modules of app that import other app."""
    names = set(apps())
    out: dict[tuple[str, str], set[str]] = {}
    for app in names:
        for path in (DIXIAN / app).rglob("*.py"):
            relative = path.relative_to(DIXIAN).as_posix()
            for other in imported_apps(path, names) - {app}:
                out.setdefault((app, other), set()).add(relative)
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as a path (first node repeated at the end), or []."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if not colour.get(nxt) and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        colour[node] = 2
        return []

    for node in sorted(graph):
        if not colour.get(node) and (cycle := visit(node)):
            return cycle
    return []


def graph_without_known_back_edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for (app, other), modules in edges().items():
        if {(m, other) for m in modules} <= KNOWN_BACK_EDGES:
            continue
        graph.setdefault(app, set()).add(other)
    return graph


def test_the_apps_import_each_other_without_a_cycle():
    assert find_cycle(graph_without_known_back_edges()) == []


def test_cases_and_exchange_do_not_import_each_other_both_ways():
    found = edges()
    assert not (("cases", "exchange") in found and ("exchange", "cases") in found)


def test_cases_do_not_import_assistance():
    """R6 counts the household's measures through ``dixian.cases.signals.implemented_measures``,
    which the assistance app answers."""
    assert ("cases", "assistance") not in edges()
    assert ("core", "cases") not in edges() and ("core", "exchange") not in edges()


def test_the_simulator_is_above_the_apps_it_drives():
    found = edges()
    assert ("simulation", "cases") in found and ("simulation", "exchange") in found
    assert not any(other == "simulation" for _, other in found), "nothing imports it"
    assert not (DIXIAN / "cases" / "simulate.py").exists()


def test_every_known_back_edge_still_exists():
    found = {(module, other) for (_, other), modules in edges().items() for module in modules}
    assert KNOWN_BACK_EDGES - found == set(), "remove the edges that are gone from the list"


def test_the_checker_finds_a_cycle_through_a_function_level_import():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) == []
