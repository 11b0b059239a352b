"""Settings for the test suite: the normal settings in test mode."""

import os

os.environ["DIXIAN_MODE"] = "test"
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from dixian.settings import *  # noqa: E402,F403
