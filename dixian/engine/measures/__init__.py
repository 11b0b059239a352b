"""Dixian's measures of poverty, inequality, vulnerability, dynamics and targeting.

A self-contained library (NumPy, SciPy; pandas only for group labels and tables): use it in a
notebook on a Parquet file, with no database and without Django. Scalar measures accept NumPy
arrays, Arrow arrays and chunked arrays, pandas and Polars series and plain lists, and return
Python floats; structured results are frozen dataclasses whose ``conventions`` field states the
rules used. The conventions follow ``docs/measures-library.md``: the poor are y < z (strict),
weights enter only as shares (replication invariance), weighted quantiles use the Eurostat
rule, the Gini is the Eurostat/PIP form, Palma and S80/S20 interpolate the Lorenz curve, MPI
scores are exact.

>>> import dixian.engine.measures as dm
>>> dm.fgt([1, 2, 3, 4], z=3, alpha=0), dm.gini([1, 2, 3, 4])
(0.5, 0.25)
"""

from .decomposition import (
    FgtDecomposition,
    FgtGroup,
    TheilDecomposition,
    TheilGroup,
    fgt_decomposition,
    theil_decomposition,
)
from .dynamics import (
    JalanRavallion,
    PovertyDynamics,
    SurvivalPoint,
    TransitionMatrix,
    jalan_ravallion,
    poverty_dynamics,
    transition_matrix,
)
from .inequality import (
    at_risk_line,
    atkinson,
    ge,
    gini,
    lorenz_share,
    median,
    palma,
    quantile,
    s80s20,
    theil_l,
    theil_t,
)
from .mpi import (
    GLOBAL_MPI_DIMENSIONS,
    Change,
    MpiChange,
    MpiGroup,
    MpiResult,
    change,
    mpi,
    mpi_change,
    nested_weights,
)
from .poverty import fgt, headcount, poverty_gap, poverty_severity, sen, sst, watts
from .targeting import Targeting, auc, log_loss, targeting, targeting_by_group
from .variance import (
    DesignEstimate,
    fgt_se,
    gini_influence,
    gini_se,
    linearized_se,
    replicate_se,
    watts_se,
)
from .vulnerability import VepAlternative, Vulnerability, vep
from .welfare import equivalence_scale, person_weights

__all__ = [
    # poverty
    "fgt",
    "headcount",
    "poverty_gap",
    "poverty_severity",
    "watts",
    "sen",
    "sst",
    # inequality
    "gini",
    "theil_t",
    "theil_l",
    "ge",
    "atkinson",
    "palma",
    "s80s20",
    "lorenz_share",
    "quantile",
    "median",
    "at_risk_line",
    # decompositions
    "fgt_decomposition",
    "FgtDecomposition",
    "FgtGroup",
    "theil_decomposition",
    "TheilDecomposition",
    "TheilGroup",
    # standard errors
    "DesignEstimate",
    "linearized_se",
    "fgt_se",
    "watts_se",
    "gini_se",
    "gini_influence",
    "replicate_se",
    # multidimensional poverty
    "mpi",
    "MpiResult",
    "MpiGroup",
    "GLOBAL_MPI_DIMENSIONS",
    "nested_weights",
    "change",
    "Change",
    "mpi_change",
    "MpiChange",
    # vulnerability
    "vep",
    "Vulnerability",
    "VepAlternative",
    # dynamics
    "transition_matrix",
    "TransitionMatrix",
    "poverty_dynamics",
    "PovertyDynamics",
    "SurvivalPoint",
    "jalan_ravallion",
    "JalanRavallion",
    # welfare per person
    "equivalence_scale",
    "person_weights",
    # targeting
    "targeting",
    "targeting_by_group",
    "Targeting",
    "auc",
    "log_loss",
]
