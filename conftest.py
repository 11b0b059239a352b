"""Fixtures for every test, doctests of the engine included."""

import pytest


@pytest.fixture(autouse=True)
def _policy_without_database(request, monkeypatch):
    """A test without a database resolves the baseline policy: approved changes live in the
    platform's database (dixian.policy.bridge), which such a test may not touch."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db", "transactional_db", "django_db_setup", "live_server"} & set(request.fixturenames)
    if not uses_db:
        from dixian.engine.policy import resolution

        monkeypatch.setattr(resolution, "_change_source", None)
