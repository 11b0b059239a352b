"""Settings of the statistics pages, with defaults (override in settings or the environment).

* ``DIXIAN_STATS_MONTHS`` (13): months computed and shown in the trends (a year and the
  month a year before, for the change on a year earlier);
* ``DIXIAN_STATS_SUPPRESS_BELOW`` (5): on shared views, counts from 1 to this minus one are
  suppressed, and rates over fewer households withheld (docs/statistics.md).
"""

from __future__ import annotations

from django.conf import settings

from dixian.env import env_int


def months() -> int:
    return int(getattr(settings, "DIXIAN_STATS_MONTHS", env_int("DIXIAN_STATS_MONTHS", 13)))


def suppress_below() -> int:
    return int(getattr(settings, "DIXIAN_STATS_SUPPRESS_BELOW",
                       env_int("DIXIAN_STATS_SUPPRESS_BELOW", 5)))
