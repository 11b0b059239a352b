"""A demo build interrupted in the middle of a step leaves nothing of that step, so the next
build runs the step again instead of taking its partial work for done."""

import pytest

from dixian.core import demo
from dixian.core.models import Region


def _interrupted(report):
    """Write part of the step's work, then stop as a Ctrl-C would."""
    Region.objects.create(code="529999999999", name="partial", level=5, parent_id=None)
    raise KeyboardInterrupt


def _whole(report):
    """Do the step's work unless it is already there."""
    if not Region.objects.filter(code="529999999999").exists():
        Region.objects.create(code="529999999999", name="whole", level=5, parent_id=None)


@pytest.mark.django_db
def test_an_interrupted_step_leaves_nothing_and_runs_again(monkeypatch):
    monkeypatch.setattr(demo, "STEPS", [_interrupted])
    with pytest.raises(KeyboardInterrupt):
        demo.build()
    assert not Region.objects.filter(code="529999999999").exists()
    monkeypatch.setattr(demo, "STEPS", [_whole])
    demo.build()
    assert Region.objects.get(code="529999999999").name == "whole"
