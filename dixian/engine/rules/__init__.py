"""One rule language for every rule of Dixian.

A condition is a small, safe subset of Python expressions (:mod:`.lang`), parsed once and
compiled to Ibis for tables (data quality over a county, screening, the preview) or evaluated
in Python for one record (the R2 category and the R6 conditions of one household). A rule is
data: an id, a version, a condition, its parameters and two sentences (:mod:`.spec`).
"""
