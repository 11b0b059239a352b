"""Follow-up support for relocated households (易地扶贫搬迁后续扶持, domain.md §8.3), without
Django: the indicators of a resettlement site (or of a county, all its sites together) and the
findings the follow-up must act on.

* A member is **able to work** when active, of working age (``labour.able_age_min`` to
  ``labour.able_age_max``) and with a labour skill in ``labour.able_skills`` (the registry's
  one definition).
* A member able to work counts as **employed** when the latest employment follow-up says so
  and is no older than ``regional.relocation_follow_up_months``; an older or missing follow-up
  is a finding (``RELOCATION_NOT_FOLLOWED_UP``) and the member does not count as employed.
* A household with labour whose employed members are fewer than
  ``regional.relocation_employed_members_min`` (one) is a **zero-employment household**
  (``RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT``); the goal is none.
* Incomes are the registry's (R1, :func:`dixian.engine.income.r1`): per-capita net income of
  the households judged, and the wage share of their gross income.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dixian.engine.funds import Finding
from dixian.engine.months import month_add


@dataclass(frozen=True)
class MemberRow:
    member: str             # member number
    able: bool              # able to work (see the module's docstring)
    last_month: str | None  # month (YYYY-MM) of the latest employment follow-up
    employed: bool          # what that follow-up said
    monthly_income: int = 0


@dataclass(frozen=True)
class HouseholdRow:
    key: str                 # the relocation record's key
    household: str           # household code in the registry
    site: str                # the site's key
    region_code: str         # the site's region (scope)
    persons: int             # active members
    members: tuple[MemberRow, ...] = ()
    net_income: float | None = None    # R1 annual household net income (None: not judged)
    gross_income: float = 0.0          # wage + business + property + transfer in the window
    wage_income: float = 0.0


@dataclass
class Indicators:
    households: int = 0
    persons: int = 0
    able: int = 0
    employed: int = 0
    households_with_labour: int = 0
    households_with_employment: int = 0
    zero_employment_households: int = 0
    not_followed_up: int = 0
    income_households: int = 0        # households whose income could be judged
    income_persons: int = 0
    net_income: float = 0.0
    gross_income: float = 0.0
    wage_income: float = 0.0
    large: bool = False

    @property
    def employment_rate(self) -> float | None:
        return self.employed / self.able if self.able else None

    @property
    def goal_met(self) -> bool:
        return self.zero_employment_households == 0

    @property
    def per_capita_net_income(self) -> float | None:
        return round(self.net_income / self.income_persons, 2) if self.income_persons else None

    @property
    def wage_share(self) -> float | None:
        return self.wage_income / self.gross_income if self.gross_income else None

    def as_dict(self) -> dict:
        return {"households": self.households, "persons": self.persons, "able": self.able,
                "employed": self.employed, "employment_rate": self.employment_rate,
                "households_with_labour": self.households_with_labour,
                "households_with_employment": self.households_with_employment,
                "zero_employment_households": self.zero_employment_households,
                "goal_met": self.goal_met, "not_followed_up": self.not_followed_up,
                "per_capita_net_income": self.per_capita_net_income,
                "wage_share": self.wage_share, "income_households": self.income_households,
                "large": self.large}


def counts_as_employed(m: MemberRow, month: str, policy: Mapping) -> bool:
    return m.employed and is_current(m, month, policy)


def is_current(m: MemberRow, month: str, policy: Mapping) -> bool:
    """The member's latest follow-up is within the policy's interval before ``month``."""
    if m.last_month is None:
        return False
    oldest = month_add(month, -(int(policy["regional.relocation_follow_up_months"]) - 1))
    return m.last_month >= oldest


@dataclass
class Result:
    total: Indicators
    by_site: dict[str, Indicators] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def indicators(rows: Iterable[HouseholdRow], policy: Mapping, month: str) -> Result:
    """The indicators by site and in total as of ``month`` (YYYY-MM, usually the current
    month), and the findings: households with labour and too few employed, members able to
    work not followed up within the interval."""
    least = int(policy["regional.relocation_employed_members_min"])
    large = int(policy["regional.relocation_large_site_persons"])
    total = Indicators()
    by_site: dict[str, Indicators] = {}
    found: list[Finding] = []
    for h in rows:
        site = by_site.setdefault(h.site, Indicators())
        able = [m for m in h.members if m.able]
        employed = [m for m in able if counts_as_employed(m, month, policy)]
        stale = [m for m in able if not is_current(m, month, policy)]
        for ind in (site, total):
            ind.households += 1
            ind.persons += h.persons
            ind.able += len(able)
            ind.employed += len(employed)
            ind.not_followed_up += len(stale)
            if able:
                ind.households_with_labour += 1
                if len(employed) >= least:
                    ind.households_with_employment += 1
                else:
                    ind.zero_employment_households += 1
            if h.net_income is not None and h.persons:
                ind.income_households += 1
                ind.income_persons += h.persons
                ind.net_income += h.net_income
                ind.gross_income += h.gross_income
                ind.wage_income += h.wage_income
        if able and len(employed) < least:
            found.append(Finding(
                "RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT", "relocated", h.key, h.region_code,
                f"搬迁户{h.household}有劳动力{len(able)}人，{month}就业{len(employed)}人，"
                f"少于{least}人",
                f"relocated household {h.household} has {len(able)} members able to work and "
                f"{len(employed)} employed in {month}, fewer than {least}",
                {"household": h.household, "able": len(able), "employed": len(employed)}))
        for m in stale:
            found.append(Finding(
                "RELOCATION_NOT_FOLLOWED_UP", "relocated", h.key, h.region_code,
                f"搬迁劳动力{m.member}" + (f"最近一次就业跟踪为{m.last_month}"
                                       if m.last_month else "没有就业跟踪记录")
                + f"，超过{policy['regional.relocation_follow_up_months']}个月",
                f"relocated member {m.member} able to work was last followed up "
                + (f"in {m.last_month}" if m.last_month else "never")
                + f", more than {policy['regional.relocation_follow_up_months']} months ago",
                {"household": h.household, "member": m.member}))
    for ind in by_site.values():
        ind.large = ind.persons >= large
    return Result(total, by_site, found)
