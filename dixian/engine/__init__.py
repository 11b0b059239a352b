"""The analytic engine: rules, statistics and generators over Arrow/Parquet tables.

Nothing under this package imports Django (a test enforces it). The engine takes
tables and a :class:`~dixian.engine.scope.RegionScope` and returns tables.
"""
