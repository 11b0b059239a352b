"""One bridge module per Django app is the only place the app meets the engine (issue 11, 9).

Like the no-Django test beside it, the check reads every module of every Django app under
``dixian/`` with ``ast``: an import of ``dixian.engine`` (at the top or inside a function)
is allowed only in the app's own ``bridge.py``."""

import ast
import importlib
from pathlib import Path

import pytest

DIXIAN = Path(__file__).resolve().parents[2] / "dixian"

#: modules allowed to import the engine outside their bridge, each with its reason
ALLOWED = {
}


def apps() -> list[Path]:
    """Every Django app: a package directly under dixian/, except the engine itself."""
    return sorted(p for p in DIXIAN.iterdir()
                  if p.is_dir() and (p / "__init__.py").exists() and p.name != "engine")


def engine_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
            if node.module == "dixian":
                names += [f"dixian.{alias.name}" for alias in node.names]
        found += [f"{node.lineno}: {name}" for name in names
                  if name == "dixian.engine" or name.startswith("dixian.engine.")]
    return found


def test_the_apps_are_found():
    names = {p.name for p in apps()}
    assert {"assistance", "cases", "connect", "core", "exchange", "funds", "policy", "quality",
            "registry", "statistics", "web"} <= names


def test_only_an_apps_bridge_imports_the_engine():
    offenders = []
    for app in apps():
        for path in sorted(app.rglob("*.py")):
            relative = path.relative_to(DIXIAN).as_posix()
            if path == app / "bridge.py" or relative in ALLOWED:
                continue
            offenders += [f"{relative}:{hit}" for hit in engine_imports(path)]
    assert offenders == [], "import the engine through the app's bridge.py"


def test_the_allow_list_holds_only_real_exceptions():
    for relative in ALLOWED:
        assert engine_imports(DIXIAN / relative), f"{relative} no longer needs its exception"


def test_the_checker_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from dixian.engine.scope import RegionScope\n"
                      "import dixian.engine.months as months\nfrom dixian import engine\n")
    assert sorted(engine_imports(module)) == ["2: dixian.engine.scope",
                                              "3: dixian.engine.months", "4: dixian.engine"]


@pytest.mark.parametrize("app", [p.name for p in apps() if (p / "bridge.py").exists()])
def test_every_name_a_bridge_re_exports_resolves(app):
    bridge = importlib.import_module(f"dixian.{app}.bridge")
    for name in getattr(bridge, "ENGINE", {}):
        assert getattr(bridge, name) is not None, f"dixian.{app}.bridge.{name}"
    with pytest.raises(AttributeError):
        bridge.no_such_engine_name  # noqa: B018
