"""Fixtures for every test, doctests of the engine included."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _policy_baseline_by_default():
    """Outside the database tests, resolve the baseline policy: approved changes live in the
    platform's database (dixian.policy.bridge), which other tests (and module fixtures) may
    not touch."""
    from dixian.engine.policy import resolution

    original = resolution._change_source
    resolution._change_source = None
    yield
    resolution._change_source = original


@pytest.fixture(autouse=True)
def _policy_changes_in_database_tests(request, monkeypatch):
    uses_db = request.node.get_closest_marker("django_db") or {
        "db", "transactional_db", "live_server"} & set(request.fixturenames)
    if uses_db:
        from dixian.engine.policy import resolution
        from dixian.policy import bridge

        monkeypatch.setattr(resolution, "_change_source", bridge.approved_records)
