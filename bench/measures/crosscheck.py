"""One-off cross-check of Dixian's measures against the peers on two public survey extracts.

Not a test (the test suite must not read ../shared): run it by hand in the benchmark venv.

    bench/measures/.venv-bench/bin/python bench/measures/crosscheck.py [/work/shared/reference-data]

* ilocos.csv (Philippines FIES 1997, from R's ineq): Gini, Theil and poverty measures of the
  family income, unweighted and weighted, against IneqPy, inequalipy, apode and
  povertyinequalitymeasures;
* syn_cdta_t1_complete.csv (mpitb's synthetic data): the global MPI at k = 1/3 with the survey
  weights, against the Python port of mpitb (k = 33 %, which identifies the same units here
  since every score is a multiple of 1/18).
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from dixian.engine import measures as dm


def row(label: str, ours: float, theirs: dict[str, float]) -> None:
    parts = "  ".join(f"{k}={v:.10f} (diff {abs(v - ours):.1e})" for k, v in theirs.items())
    print(f"{label:22s} dixian={ours:.10f}  {parts}")


def ilocos(path: Path) -> None:
    df = pd.read_csv(path)
    y = df["income"].to_numpy(dtype=float)
    w = df["AP.weight"].to_numpy(dtype=float)
    z = float(np.quantile(y, 0.3))
    print(f"ilocos: {len(y)} households, z = 30th percentile = {z:.1f}")
    theirs: dict[str, float] = {}
    theirs_w: dict[str, float] = {}
    try:
        from ineqpy import inequality as iq

        theirs["ineqpy"] = float(iq.gini(income=y))
        theirs_w["ineqpy"] = float(iq.gini(income=y, weights=w))
    except ImportError:
        pass
    try:
        import inequalipy

        theirs["inequalipy"] = float(inequalipy.gini(y))
        theirs_w["inequalipy"] = float(inequalipy.gini(y, w))
    except ImportError:
        pass
    try:
        from apode import ApodeData

        ad = ApodeData(pd.DataFrame({"y": y}), income_column="y")
        theirs["apode"] = float(ad.inequality.gini())
        row("theil_t (unweighted)", dm.theil_t(y), {"apode": float(ad.inequality.entropy(1))})
        row("theil_l (unweighted)", dm.theil_l(y), {"apode": float(ad.inequality.entropy(0))})
        row("fgt0 (unweighted)", dm.fgt(y, z, 0), {"apode": float(ad.poverty.headcount(pline=z))})
        row("fgt2 (unweighted)", dm.fgt(y, z, 2), {"apode": float(ad.poverty.severity(pline=z))})
        row("watts (unweighted)", dm.watts(y, z), {"apode": float(ad.poverty.watts(pline=z))})
        row("sen (unweighted)", dm.sen(y, z), {"apode": float(ad.poverty.sen(pline=z))})
        row("sst (unweighted)", dm.sst(y, z), {"apode": float(ad.poverty.sst(pline=z))})
    except ImportError:
        pass
    try:
        from povertyInequalityMeasures import inequality as pin
        from povertyInequalityMeasures import poverty as pov

        frame = pd.DataFrame({"y": y, "w": w})
        theirs_w["povertyinequalitymeasures"] = float(pin.get_gini(frame.copy(), "y", "w"))
        row(
            "fgt1 (weighted)",
            dm.fgt(y, z, 1, w),
            {"povertyinequalitymeasures": pov.get_poverty_gap_index(z, frame.copy(), "y", "w")},
        )
        row(
            "watts (weighted)",
            dm.watts(y, z, w),
            {"povertyinequalitymeasures": pov.get_watts_index(z, frame.copy(), "y", "w")},
        )
    except ImportError:
        pass
    row("gini (unweighted)", dm.gini(y), theirs)
    row("gini (weighted)", dm.gini(y, w), theirs_w)
    try:
        from ineqpy import inequality as iq

        row(
            "theil_t (weighted)", dm.theil_t(y, w), {"ineqpy": float(iq.theil(income=y, weights=w))}
        )
    except ImportError:
        pass


def syn_cdta(path: Path) -> None:
    df = pd.read_csv(path)
    dims = {
        "health": ["d_nutr", "d_cm"],
        "education": ["d_satt", "d_educ"],
        "living_standards": ["d_elct", "d_sani", "d_wtr", "d_hsg", "d_ckfl", "d_asst"],
    }
    names = [i for v in dims.values() for i in v]
    r = dm.mpi(
        df[names], k=Fraction(1, 3), dimensions=dims, weights=df["weight"], groups=df["area"]
    )
    print(f"syn_cdta: {r.n} units, dropped {r.n_dropped_missing}")
    try:
        from mpitb import MPIToolbox
    except ImportError:
        print("  mpitb not installed")
        return
    tb = MPIToolbox()
    tb.set(name="g", dimensions=[(v, k) for k, v in dims.items()])
    tb.svyset(weight="weight", psu="psu", strata="stratum")
    res = tb.est(
        df.copy(),
        "g",
        klist=[33],
        svy=True,
        measures=["M0", "H", "A"],
        indmeasures=["hdk", "actb", "pctb"],
        aux=["hd"],
        over=["area"],
    )
    nat = [x for x in res if x.get("loa") == "nat"]
    get = {(x["measure"], x.get("indicator")): x["b"] for x in nat}
    row("H", r.H, {"mpitb": get[("H", None)]})
    row("A", r.A, {"mpitb": get[("A", None)]})
    row("M0", r.M0, {"mpitb": get[("M0", None)]})
    for ind in names:
        row(f"hdk {ind}", r.censored_headcounts[ind], {"mpitb": get[("hdk", ind)]})
        row(f"hd {ind}", r.uncensored_headcounts[ind], {"mpitb": get[("hd", ind)]})
        row(f"pctb {ind}", r.percent_contributions[ind] / 100, {"mpitb": get[("pctb", ind)]})
    for g in r.groups:
        sub = {
            x["measure"]: x["b"]
            for x in res
            if x.get("subg") == g.label and x.get("indicator") is None
        }
        row(f"M0 area={g.label}", g.M0, {"mpitb": sub["M0"]})


def main() -> None:
    base = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference-data")
    if not base.exists():
        print(f"{base} not found: nothing to cross-check")
        return
    ilocos(base / "ilocos.csv")
    syn_cdta(base / "syn_cdta_t1_complete.csv")


if __name__ == "__main__":
    main()
