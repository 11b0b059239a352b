"""Every action the audit trail records has a name in the person's language: the audit page
shows it, not its code."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from dixian.core.audit_labels import action_label

ROOT = Path(__file__).resolve().parents[2] / "dixian"
LITERAL = re.compile(r"audit\.record\(\s*\"([a-z_.]+)\"")


def recorded_actions() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        found |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_recorded_action_has_a_name():
    from dixian.cases.machine import Action
    from dixian.funds.models import ProjectStep
    from dixian.registry.actions import MEMBER_REASONS

    actions = recorded_actions()
    assert len(actions) > 40  # the scan finds the trail's actions
    # the actions whose name is built from a step, a kind or a reason
    actions |= {f"case.{a.value}" for a in Action}
    actions |= {f"funds.{k}" for k in ProjectStep.Kind.values}
    actions |= {f"registry.member.{r}" for r in MEMBER_REASONS}
    actions |= {"policy.approve", "policy.reject", "auth.login_failed"}
    with translation.override("zh-hans"):
        unnamed = sorted(a for a in actions if action_label(a) == a)
        latin = sorted(a for a in actions if re.search(r"[A-Za-z]{3,}", action_label(a)))
    assert unnamed == []
    assert latin == []
