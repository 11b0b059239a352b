"""The macro series of the "three excesses" (三个超过) comparison, as configurable data.

``data/macro.toml`` holds the published figures of domain.md §9.1 with their tags and sources;
a province passes its own file to :func:`load_macro`. :func:`three_excesses` compares growth
rates year by year (domain.md §6.3: g(脱贫县 rural income) > g(national rural income); g(rural
income) > g(urban income); g(rural income) ≥ g(GDP)) and, when given, the registry's own
growth (the poverty-alleviated households of a scope, R1 per-capita income over 12 months)
against the national rural growth.

>>> macro = load_macro()
>>> round(macro.growth("national_rural_income", 2022), 4)
0.063
>>> round(macro.growth("alleviated_county_rural_income", 2024), 4)  # from the levels
0.0687
>>> [(r.id, r.holds) for r in three_excesses(macro, 2022)]
[('alleviated_counties_vs_rural', True), ('rural_vs_urban', None), ('rural_vs_gdp', None)]
>>> three_excesses(macro, 2025, registry_growth=0.071)[-1].holds
True
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MACRO_FILE", "Point", "Series", "Macro", "Comparison", "load_macro",
           "three_excesses"]

MACRO_FILE = Path(__file__).resolve().parent / "data" / "macro.toml"


@dataclass(frozen=True)
class Point:
    year: int
    value: float | None
    nominal_growth: float | None
    real_growth: float | None
    tag: str
    source: str


@dataclass(frozen=True)
class Series:
    id: str
    zh: str
    en: str
    unit: str
    points: tuple[Point, ...]

    def point(self, year: int) -> Point | None:
        return next((p for p in self.points if p.year == year), None)


@dataclass(frozen=True)
class ComparisonSpec:
    id: str
    left: str
    right: str
    relation: str
    basis: str
    zh: str
    en: str


@dataclass(frozen=True)
class Comparison:
    """One comparison for one year: ``left`` / ``right`` growth (None without data) and
    whether it ``holds`` (None when a side is missing)."""

    id: str
    year: int
    zh: str
    en: str
    left: str
    right: str
    left_growth: float | None
    right_growth: float | None
    relation: str
    basis: str
    holds: bool | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Macro:
    series: dict[str, Series]
    comparisons: tuple[ComparisonSpec, ...]
    path: str

    def growth(self, series: str, year: int, basis: str = "nominal") -> float | None:
        """Growth of ``series`` in ``year``: the published figure for ``basis`` when there is
        one, else (nominal only) from the levels of ``year - 1`` and ``year``."""
        s = self.series[series]
        p = s.point(year)
        if p is None:
            return None
        published = p.real_growth if basis == "real" else p.nominal_growth
        if published is not None:
            return published
        if basis != "nominal":
            return None
        q = s.point(year - 1)
        if q is None or not q.value or p.value is None:
            return None
        return p.value / q.value - 1


def load_macro(path: str | Path | None = None) -> Macro:
    """Read the macro series (default: the file shipped with Dixian)."""
    path = Path(path) if path else MACRO_FILE
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    series = {}
    for sid, spec in data.get("series", {}).items():
        points = tuple(sorted((Point(int(p["year"]), p.get("value"), p.get("nominal_growth"),
                                     p.get("real_growth"), str(p.get("tag", "")),
                                     str(p.get("source", "")))
                               for p in spec.get("points", [])), key=lambda p: p.year))
        series[sid] = Series(sid, spec.get("zh", sid), spec.get("en", sid),
                             spec.get("unit", ""), points)
    comparisons = []
    for c in data.get("comparisons", []):
        for side in ("left", "right"):
            if c[side] not in series:
                raise ValueError(f"{path}: comparison {c['id']} names an unknown series "
                                 f"{c[side]!r}")
        if c.get("relation", ">") not in (">", ">="):
            raise ValueError(f"{path}: comparison {c['id']}: relation must be > or >=")
        comparisons.append(ComparisonSpec(c["id"], c["left"], c["right"],
                                          c.get("relation", ">"), c.get("basis", "nominal"),
                                          c.get("zh", c["id"]), c.get("en", c["id"])))
    return Macro(series, tuple(comparisons), str(path))


def _holds(left: float | None, right: float | None, relation: str) -> bool | None:
    if left is None or right is None:
        return None
    return left > right if relation == ">" else left >= right


def three_excesses(macro: Macro, year: int, *, registry_growth: float | None = None,
                   registry_label: tuple[str, str] = ("本地区脱贫户人均纯收入",
                                                      "Poverty-alleviated households here")
                   ) -> list[Comparison]:
    """The comparisons of ``year``; with ``registry_growth`` (a fraction) one more row
    comparing it with the national rural growth of that year."""
    rows = []
    for spec in macro.comparisons:
        lg = macro.growth(spec.left, year, spec.basis)
        rg = macro.growth(spec.right, year, spec.basis)
        sources = tuple(p.source for sid in (spec.left, spec.right)
                        if (p := macro.series[sid].point(year)) is not None)
        rows.append(Comparison(spec.id, year, spec.zh, spec.en, spec.left, spec.right, lg, rg,
                               spec.relation, spec.basis, _holds(lg, rg, spec.relation),
                               sources))
    if registry_growth is not None:
        rg = macro.growth("national_rural_income", year)
        p = macro.series["national_rural_income"].point(year)
        rows.append(Comparison(
            "registry_vs_rural", year, f"{registry_label[0]}增速高于全国农村平均",
            f"{registry_label[1]}: income growth above the national rural average",
            "registry", "national_rural_income", registry_growth, rg, ">", "nominal",
            _holds(registry_growth, rg, ">"), (p.source,) if p else ()))
    return rows
