"""Settings for the test suite: the normal settings in test mode."""

import os

os.environ["DIXIAN_MODE"] = "test"
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from dixian.settings import *  # noqa: E402,F403

# Tests change the ledger behind the audit trail's back (fixtures write with the ORM), so the
# cache of the households behind a figure is off; its own test turns it on.
DIXIAN_CACHE_BEHIND = False
