import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_generated_enum_labels_match_the_engine_schema():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "scripts" / "gen_enum_labels.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (ROOT / "dixian" / "registry" / "enum_labels.py").read_text(encoding="utf-8")
    assert current == module.render(), "run: .venv/bin/python scripts/gen_enum_labels.py"
