"""The decisions on one household, as rules: R2 assigns a category at identification, R6's
conditions decide a risk elimination (domain.md R2, R6).

Both are written in the one rule language (:mod:`dixian.engine.rules`) and read the policy in
force (:mod:`dixian.engine.policy`): the categories and their conditions are the province's
``categories.scheme``, R6's conditions are :data:`elimination.CONDITIONS` with the parameters
they name, and ``procedure.elimination_conditions`` lists those that apply. The platform
gathers a household's facts (:mod:`dixian.cases.eligibility`); the rules decide here.
"""

from dixian.engine.eligibility.categories import Assignment, assign, category_rules
from dixian.engine.eligibility.elimination import CONDITIONS, Result, assess

__all__ = ["Assignment", "CONDITIONS", "Result", "assess", "assign", "category_rules"]
