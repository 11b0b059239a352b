"""docs/where-things-go.md names every top-level package and module of dixian/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_top_level_package_of_dixian_is_in_where_things_go():
    doc = (ROOT / "docs" / "where-things-go.md").read_text(encoding="utf-8")
    missing = []
    for path in sorted((ROOT / "dixian").iterdir()):
        if path.name.startswith(("_", ".")) or path.name == "__pycache__":
            continue
        if path.is_dir() and (path / "__init__.py").exists():
            name = f"`dixian/{path.name}/"
        elif path.suffix == ".py":
            name = f"`dixian/{path.name}`"
        else:
            continue
        if name not in doc:
            missing.append(name)
    assert missing == [], "describe them in docs/where-things-go.md"


def test_the_policy_reference_is_current():
    from dixian.engine.policy.doc import DOC, render

    assert DOC.read_text(encoding="utf-8") == render(), \
        "run `python -m dixian.engine.policy.doc`"
