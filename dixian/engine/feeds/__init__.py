"""Departmental feeds: declared schemas, validation, matching and synthetic feeds.

The engine side of the data exchange (design principle 4: a bad file yields a clear report and
no table). :mod:`.schemas` declares one :class:`FeedSchema` per department, :mod:`.validate`
reads CSV, XLSX and Parquet files against it and matches records to registry members through a
lookup token, and :mod:`.synthetic` derives realistic feeds (with noise) from the synthetic
generator's ground truth. ``docs/feeds.md`` is generated from the schemas.
"""

from .schemas import DEPARTMENTS, FEEDS, Column, FeedSchema, arrow_schema, feed_schema
from .validate import MatchReport, Problem, Report, add_tokens, match, period_of, validate

__all__ = ["DEPARTMENTS", "FEEDS", "Column", "FeedSchema", "arrow_schema", "feed_schema",
           "MatchReport", "Problem", "Report", "add_tokens", "match", "period_of", "validate"]
