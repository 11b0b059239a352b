"""The engine never imports Django (design principle 1)."""

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "dixian" / "engine"


def test_no_module_under_the_engine_imports_django():
    offenders = []
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] == "django" or name.startswith(("dixian.core", "dixian.web",
                                                                        "dixian.bridge")):
                    offenders.append(f"{path.relative_to(ENGINE)}: {name}")
    assert offenders == []


def test_importing_every_engine_module_loads_no_django():
    modules = sorted(
        ".".join(("dixian", "engine", *p.relative_to(ENGINE).with_suffix("").parts))
        .removesuffix(".__init__")
        for p in ENGINE.rglob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
