"""``dixian.measures``: poverty, inequality, multidimensional, vulnerability and dynamics
measures for analysts. The implementation lives in the engine (no Django); see
``docs/measures-library.md``.

>>> from dixian import measures
>>> measures.fgt([1.0, 2.0, 3.0, 4.0], z=3.0, alpha=0)
0.5
"""

from dixian.engine.measures import *  # noqa: F403
from dixian.engine.measures import __all__  # noqa: F401
