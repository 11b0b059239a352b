"""No module outside the policy layer holds a policy value.

Two checks: no module keeps a table of parameters (``PARAMETERS``, ``DEFAULTS``,
``PROVINCES``, ``_TABLE`` … written as a literal with values), and the distinctive values of
the policy (the income lines, the provincial rural incomes, the medical thresholds) appear as
literals nowhere but in the policy's own files.
"""

import ast
from pathlib import Path

from dixian.engine.policy import catalogue

PACKAGE = Path(__file__).resolve().parents[3] / "dixian"
POLICY = PACKAGE / "engine" / "policy"
TABLE_NAMES = {"PARAMETERS", "DEFAULTS", "PROVINCES", "_TABLE", "THRESHOLDS",
               "MONITORING_LINE", "DEADLINES"}
#: parameters whose values are distinctive enough that a literal copy is surely a copy
DISTINCTIVE = ("income.monitoring_line", "macro.prior_year_rural_income",
               "screening.medical_absolute_general")
#: literals that equal a policy value by coincidence, each with what it is
COINCIDENCES = {("engine/feeds/synthetic.py", 6000): "upper bound of a generated monthly wage"}


def modules():
    for path in PACKAGE.rglob("*.py"):
        if POLICY in path.parents or "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _has_values(node: ast.AST) -> bool:
    return isinstance(node, ast.Dict) and any(
        isinstance(v, (ast.Constant, ast.Tuple, ast.Dict, ast.List)) for v in node.values)


def test_no_module_keeps_a_table_of_parameters():
    found = []
    for path, tree in modules():
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
            for t in targets:
                if isinstance(t, ast.Name) and t.id in TABLE_NAMES and _has_values(node.value):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {t.id}")
    assert found == [], "policy values belong in dixian/engine/policy/parameters"


def test_the_policy_values_appear_nowhere_else():
    cat = catalogue.load()
    values = {r.value for r in cat.records if r.parameter in DISTINCTIVE
              and isinstance(r.value, int)}
    assert 8700 in values and 26000 in values
    found = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and type(node.value) is int \
                    and node.value in values \
                    and (str(path.relative_to(PACKAGE)), node.value) not in COINCIDENCES:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value}")
    assert found == [], "read these from dixian.engine.policy.resolve(...)"
