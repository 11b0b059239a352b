"""East–West cooperation and paired assistance (东西部协作、定点帮扶, domain.md §8.1,
domain-2026.md §2.9), without Django: a pairing's annual agreement judged against its actuals,
and the village work teams' rosters (驻村第一书记和工作队).

* An agreement names, for one pairing and year, a **target** for some of the indicators of
  §8.1 (:data:`INDICATORS`); each has an **actual**. The **completion** of an indicator is its
  actual over its target. Once the year has ended, an indicator whose actual is below
  ``regional.pairing_target_completion_min`` of its target is a finding
  (``PAIRING_BELOW_TARGET``); during the year the completion is shown, not flagged.
* Poverty-alleviated workers placed are part of all workers placed: more of them than of all
  is a finding whenever it is seen (``PAIRING_ACTUALS_INCONSISTENT``).
* A village work team (驻村工作队) is the cadres serving in a village on a day. A first
  secretary serving longer than ``regional.first_secretary_term_months`` is a finding
  (``FIRST_SECRETARY_TERM_EXCEEDED``: due for rotation), and so is a team of fewer than
  ``regional.work_team_members_min`` cadres, the first secretary included
  (``WORK_TEAM_TOO_SMALL``), and a team without a first secretary
  (``WORK_TEAM_WITHOUT_FIRST_SECRETARY``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dixian.engine.funds import Finding
from dixian.engine.months import whole_months


@dataclass(frozen=True)
class Indicator:
    key: str
    zh: str
    en: str
    unit: str  # "yuan", "persons" or "count"


#: The indicators of an annual agreement (domain.md §8.1's data model), in report order.
INDICATORS = (
    Indicator("fiscal_funds", "财政援助资金", "fiscal assistance funds", "yuan"),
    Indicator("donations", "社会帮扶资金（捐款捐物）", "social donations", "yuan"),
    Indicator("cadres_to_west", "东部选派党政干部", "party and government cadres sent west",
              "persons"),
    Indicator("technicians_to_west", "东部选派专业技术人才", "technicians sent west", "persons"),
    Indicator("cadres_to_east", "西部选派党政干部到东部", "cadres sent east", "persons"),
    Indicator("technicians_to_east", "西部选派专业技术人才到东部", "technicians sent east",
              "persons"),
    Indicator("enterprises", "引导落地企业", "enterprises introduced", "count"),
    Indicator("investment", "企业实际到位投资", "investment by those enterprises", "yuan"),
    Indicator("workers_placed", "帮助农村劳动力就业", "rural workers placed in jobs", "persons"),
    Indicator("workers_placed_poverty", "其中脱贫人口就业", "of them poverty-alleviated",
              "persons"),
    Indicator("products_bought", "采购和帮助销售农特产品", "products bought or sold", "yuan"),
    Indicator("paired_villages", "结对帮扶村", "villages paired", "count"),
)
BY_KEY = {i.key: i for i in INDICATORS}
STATUSES = ("met", "short", "under_way", "no_target")


@dataclass(frozen=True)
class AgreementYear:
    key: str                 # the agreement's id
    label: str               # the pairing, as shown ("惠东县—望谟县")
    region_code: str         # the western side (a province, prefecture, county or village)
    year: int
    targets: Mapping[str, Decimal]
    actuals: Mapping[str, Decimal | None]


@dataclass(frozen=True)
class Line:
    indicator: Indicator
    target: Decimal | None
    actual: Decimal | None
    completion: Decimal | None
    shortfall: Decimal       # target less actual, never below 0
    status: str              # one of STATUSES

    def as_dict(self) -> dict:
        return {"indicator": self.indicator.key, "target": _str(self.target),
                "actual": _str(self.actual),
                "completion": None if self.completion is None else float(self.completion),
                "shortfall": str(self.shortfall), "status": self.status}


@dataclass
class Assessment:
    lines: list[Line] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def with_target(self) -> int:
        return sum(line.target is not None for line in self.lines)

    @property
    def met(self) -> int:
        return sum(line.status == "met" for line in self.lines)

    @property
    def short(self) -> int:
        return sum(line.status == "short" for line in self.lines)


def _str(value) -> str | None:
    return None if value is None else str(value)


def _amount(value: Decimal, unit: str) -> str:
    return f"{value:,.2f}元" if unit == "yuan" else f"{value:,.0f}"


def assess(agreement: AgreementYear, policy: Mapping, today: date) -> Assessment:
    """Each indicator's target, actual, completion and status, and the findings."""
    least = Decimal(str(policy["regional.pairing_target_completion_min"]))
    ended = today > date(agreement.year, 12, 31)
    out = Assessment()
    for ind in INDICATORS:
        target = agreement.targets.get(ind.key)
        actual = agreement.actuals.get(ind.key)
        if target is None and actual is None:
            continue
        completion = (Decimal(actual or 0) / target) if target else None
        shortfall = max(Decimal(0), (target or Decimal(0)) - (actual or Decimal(0)))
        if not target:
            status = "no_target"
        elif (actual or 0) >= target * least:
            status = "met"
        else:
            status = "short" if ended else "under_way"
        out.lines.append(Line(ind, target, actual, completion, shortfall, status))
        if status == "short":
            out.findings.append(Finding(
                "PAIRING_BELOW_TARGET", "pairing_agreement", agreement.key,
                agreement.region_code,
                f"{agreement.label}{agreement.year}年{ind.zh}完成{_amount(actual or 0, ind.unit)}，"
                f"协议目标{_amount(target, ind.unit)}，完成率{completion:.1%}，"
                f"差{_amount(shortfall, ind.unit)}",
                f"{agreement.label} {agreement.year}: {ind.en} {actual or 0} against the "
                f"agreed {target} ({completion:.1%}), {shortfall} short",
                {"indicator": ind.key, "target": str(target), "actual": str(actual or 0),
                 "completion": str(completion)}))
    placed = agreement.actuals.get("workers_placed")
    poor = agreement.actuals.get("workers_placed_poverty")
    if placed is not None and poor is not None and poor > placed:
        out.findings.append(Finding(
            "PAIRING_ACTUALS_INCONSISTENT", "pairing_agreement", agreement.key,
            agreement.region_code,
            f"{agreement.label}{agreement.year}年脱贫人口就业{poor:,.0f}人，多于帮助农村劳动力就业"
            f"{placed:,.0f}人",
            f"{agreement.label} {agreement.year}: {poor} poverty-alleviated workers placed, more "
            f"than the {placed} workers placed in all"))
    return out


# ------------------------------------------------------------------ village work teams


@dataclass(frozen=True)
class Cadre:
    key: str
    village: str
    name: str
    first_secretary: bool
    started_on: date
    ended_on: date | None

    def serving(self, on: date) -> bool:
        return self.started_on <= on and (self.ended_on is None or self.ended_on > on)


def roster_findings(cadres: Iterable[Cadre], policy: Mapping, today: date) -> list[Finding]:
    """The findings of the teams serving ``today`` (see the module's doc)."""
    term = int(policy["regional.first_secretary_term_months"])
    least = int(policy["regional.work_team_members_min"])
    teams: dict[str, list[Cadre]] = defaultdict(list)
    for c in cadres:
        if c.serving(today):
            teams[c.village].append(c)
    found: list[Finding] = []
    for village, team in sorted(teams.items()):
        secretaries = [c for c in team if c.first_secretary]
        for c in secretaries:
            served = whole_months(c.started_on, today)
            if served >= term:
                found.append(Finding(
                    "FIRST_SECRETARY_TERM_EXCEEDED", "resident_cadre", c.key, village,
                    f"驻村第一书记{c.name}自{c.started_on}起驻村已{served}个月，超过任期{term}个月，"
                    "应轮换",
                    f"first secretary {c.name} has served since {c.started_on}, {served} "
                    f"months: beyond the term of {term} months, due for rotation",
                    {"months": served}))
        if not secretaries:
            found.append(Finding(
                "WORK_TEAM_WITHOUT_FIRST_SECRETARY", "village", village, village,
                f"村{village}驻村工作队无在岗第一书记",
                f"the work team of village {village} has no first secretary serving"))
        if len(team) < least:
            found.append(Finding(
                "WORK_TEAM_TOO_SMALL", "village", village, village,
                f"村{village}驻村工作队在岗{len(team)}人，少于{least}人",
                f"the work team of village {village} has {len(team)} cadres serving, fewer "
                f"than {least}", {"members": len(team)}))
    return found
