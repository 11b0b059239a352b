"""Reconciling a migrated county with the export it came from (no Django).

Both sides are reduced to the same per-household facts (:func:`household_facts`): type,
category, persons, risks, elimination, the measures by category and both income blocks'
items. :func:`compare` then lists

- the totals a county checks first (households and persons by type and category, households
  per risk, eliminations by mode, measures by category, households by number of measures,
  income sums per block and item), with both sides' figures;
- every household whose facts differ, field by field, with the rows of the file it came from.

A clean migration has no difference at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

BLOCK_ITEMS = ("wage", "business", "property", "transfer", "business_cost", "insurance_payout",
               "compliant_oop_medical", "household_net", "per_capita_net")
BASES = {"identification": "id", "elimination": "el"}
FACTS = ("household_type", "monitoring_category", "persons", "risks", "risk_eliminated",
         "elimination_mode", "identified_month", "eliminated_month", "measures",
         *(f"{p}_{i}" for p in BASES.values() for i in BLOCK_ITEMS))


@dataclass
class Difference:
    household_code: str
    field: str
    expected: object  # the export's value
    actual: object  # the registry's value
    rows: str  # where in the file ("sheet row, row")


@dataclass
class Total:
    measure: str
    group: str
    expected: float
    actual: float

    @property
    def differs(self) -> bool:
        return abs((self.expected or 0) - (self.actual or 0)) > 0.005


@dataclass
class Report:
    totals: list[Total] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    households_expected: int = 0
    households_actual: int = 0
    unread: list[dict] = field(default_factory=list)  # cells of the export that were not read

    @property
    def clean(self) -> bool:
        return not self.differences and not self.unread and not any(t.differs for t in
                                                                    self.totals)

    def as_dict(self) -> dict:
        return {"clean": self.clean, "households_expected": self.households_expected,
                "households_actual": self.households_actual,
                "totals": [{**t.__dict__, "differs": t.differs} for t in self.totals],
                "differences": [d.__dict__ for d in self.differences], "unread": self.unread}


def household_facts(households: pl.DataFrame, members: pl.DataFrame,
                    blocks: pl.DataFrame | None, measures: pl.DataFrame | None) -> pl.DataFrame:
    """One row per household: the facts both sides are compared on.

    ``households``: household_code, household_type, monitoring_category, risk_types (list),
    risk_eliminated, elimination_mode, identified_month, eliminated_month (repeats allowed:
    the first row of a household counts); ``members``: household_code (one row a person);
    ``blocks``: household_code, basis, the items; ``measures``: household_code, category
    (one row a measure)."""
    h = households.unique("household_code", keep="first", maintain_order=True)
    for name in FACTS[:8]:
        if name not in h.columns and name not in ("persons", "risks"):
            h = h.with_columns(pl.lit(None).alias(name))
    risk_list = h["risk_types"] if "risk_types" in h.columns else pl.Series(
        [[]] * h.height, dtype=pl.List(pl.String))
    facts = h.select(
        "household_code",
        pl.col("household_type").cast(pl.String),
        pl.col("monitoring_category").cast(pl.String).fill_null(""),
        pl.Series("risks", [",".join(sorted(v or [])) for v in risk_list.to_list()],
                  dtype=pl.String),
        pl.col("risk_eliminated").cast(pl.Boolean),
        pl.col("elimination_mode").cast(pl.String).fill_null(""),
        pl.col("identified_month").cast(pl.String).fill_null(""),
        pl.col("eliminated_month").cast(pl.String).fill_null(""),
    )
    persons = members.group_by("household_code").agg(pl.len().cast(pl.Int64).alias("persons"))
    facts = facts.join(persons, on="household_code", how="left").with_columns(
        pl.col("persons").fill_null(0))
    if measures is not None and not measures.is_empty():
        counted = measures.group_by("household_code", "category").agg(pl.len().alias("n")) \
            .sort("household_code", "category") \
            .group_by("household_code", maintain_order=True).agg(
                pl.concat_str([pl.col("category"), pl.lit("×"), pl.col("n").cast(pl.String)])
                .str.join(",").alias("measures"))
        facts = facts.join(counted, on="household_code", how="left")
    else:
        facts = facts.with_columns(pl.lit(None, pl.String).alias("measures"))
    facts = facts.with_columns(pl.col("measures").fill_null(""))
    for basis, prefix in BASES.items():
        columns = [pl.lit(None, pl.Float64).alias(f"{prefix}_{i}") for i in BLOCK_ITEMS]
        if blocks is not None and not blocks.is_empty():
            part = blocks.filter(pl.col("basis") == basis).unique("household_code")
            part = part.select("household_code", *[
                (pl.col(i).cast(pl.Float64) if i in part.columns else pl.lit(None, pl.Float64))
                .alias(f"{prefix}_{i}") for i in BLOCK_ITEMS])
            facts = facts.join(part, on="household_code", how="left")
        else:
            facts = facts.with_columns(columns)
    return facts


def compare(expected: pl.DataFrame, actual: pl.DataFrame,
            rows: dict[str, str] | None = None) -> Report:
    """The export's facts (``expected``) against the registry's (``actual``)."""
    rows = rows or {}
    report = Report(households_expected=expected.height, households_actual=actual.height)
    report.totals = _totals(expected, actual)
    joined = expected.join(actual, on="household_code", how="full", suffix="_registry",
                           coalesce=True)
    in_file = set(expected["household_code"].to_list())
    in_registry = set(actual["household_code"].to_list())
    for row in joined.iter_rows(named=True):
        code = row["household_code"]
        where = rows.get(code, "")
        if code not in in_registry:
            report.differences.append(Difference(code, "household", "present", "missing",
                                                 where))
            continue
        if code not in in_file:
            report.differences.append(Difference(code, "household", "missing", "present",
                                                 where))
            continue
        for name in FACTS:
            a, b = row[name], row[f"{name}_registry"]
            if _differs(a, b):
                report.differences.append(Difference(code, name, a, b, where))
    return report


def _differs(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return (a is None) != (b is None)
        return abs(a - b) > 0.005
    return (a if a not in ("",) else None) != (b if b not in ("",) else None)


def _totals(expected: pl.DataFrame, actual: pl.DataFrame) -> list[Total]:
    out: list[Total] = []

    def tally(measure: str, frame_e: pl.DataFrame, frame_a: pl.DataFrame) -> None:
        e = dict(frame_e.iter_rows())
        a = dict(frame_a.iter_rows())
        for group in sorted(set(e) | set(a), key=str):
            out.append(Total(measure, str(group), float(e.get(group) or 0),
                             float(a.get(group) or 0)))

    group = pl.concat_str([pl.col("household_type").fill_null(""), pl.lit("/"),
                           pl.col("monitoring_category").fill_null("")])
    for name, value in (("households by type/category", pl.len()),
                        ("persons by type/category", pl.col("persons").sum())):
        tally(name, *(f.group_by(group.alias("g")).agg(value.alias("v")) for f in
                      (expected, actual)))

    def risks(f):
        return f.select(pl.col("risks").str.split(",").alias("r")).explode("r") \
            .filter(pl.col("r") != "").group_by("r").agg(pl.len())
    tally("households per risk type", risks(expected), risks(actual))

    def eliminations(f):
        return f.filter(pl.col("risk_eliminated").fill_null(False)).group_by(
            "elimination_mode").agg(pl.len())
    tally("eliminations by mode", eliminations(expected), eliminations(actual))

    def measures(f):
        parts = f.select(pl.col("measures").str.split(",").alias("m")).explode("m") \
            .filter(pl.col("m") != "")
        return parts.select(pl.col("m").str.split("×").list.get(0).alias("c"),
                            pl.col("m").str.split("×").list.get(1).cast(pl.Int64).alias("n")) \
            .group_by("c").agg(pl.col("n").sum())
    tally("measures by category", measures(expected), measures(actual))

    def per_household(f):
        count = measures_count(f)
        return f.select(pl.when(count >= 3).then(pl.lit("3+")).otherwise(
            count.cast(pl.String)).alias("k")).group_by("k").agg(pl.len())
    tally("households by number of measures", per_household(expected), per_household(actual))

    for basis, prefix in BASES.items():
        for item in BLOCK_ITEMS:
            name = f"{prefix}_{item}"
            out.append(Total(f"income sum ({basis})", item,
                             float(expected[name].sum() or 0), float(actual[name].sum() or 0)))
    return out


def measures_count(frame: pl.DataFrame) -> pl.Expr:
    return pl.col("measures").str.extract_all(r"×(\d+)").list.eval(
        pl.element().str.slice(1).cast(pl.Int64)).list.sum().fill_null(0)
