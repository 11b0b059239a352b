"""The relocation follow-up's indicators at their limits (domain.md §8.3: at least one employed
member in every relocated household with labour; a follow-up counts for
``regional.relocation_follow_up_months``)."""

import datetime as dt

from dixian.engine.policy import resolve
from dixian.engine.regional import relocation as rules

POLICY = resolve("522326", dt.date(2026, 6, 1), with_changes=False)  # the published values
MONTHS = POLICY["regional.relocation_follow_up_months"]
LEAST = POLICY["regional.relocation_employed_members_min"]
M = rules.MemberRow


def household(key, members, site="1", persons=None, **income):
    return rules.HouseholdRow(key=key, household=f"H{key}", site=site, region_code="522326001001",
                              persons=persons if persons is not None else len(members),
                              members=tuple(members), **income)


def test_the_policy_gives_one_employed_member_and_a_quarter():
    assert LEAST == 1 and MONTHS == 3


def test_a_household_with_labour_needs_an_employed_member():
    rows = [household("1", [M("a", True, "2026-06", True), M("b", True, "2026-06", False)]),
            household("2", [M("c", True, "2026-06", False), M("d", False, None, False)]),
            household("3", [M("e", False, None, False)])]  # no labour: not counted
    r = rules.indicators(rows, POLICY, "2026-06")
    t = r.total
    assert (t.households, t.persons, t.able, t.employed) == (3, 5, 3, 1)
    assert (t.households_with_labour, t.households_with_employment,
            t.zero_employment_households) == (2, 1, 1)
    assert abs(t.employment_rate - 1 / 3) < 1e-9 and not t.goal_met
    assert [(f.rule, f.object_key) for f in r.findings] == [
        ("RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT", "2")]


def test_a_follow_up_counts_for_the_interval_and_no_longer():
    oldest = f"2026-0{6 - MONTHS + 1}"           # 2026-04: still within three months
    too_old = f"2026-0{6 - MONTHS}"              # 2026-03: one month too old
    fresh = household("1", [M("a", True, oldest, True)])
    stale = household("2", [M("b", True, too_old, True)])
    never = household("3", [M("c", True, None, False)])
    r = rules.indicators([fresh, stale, never], POLICY, "2026-06")
    assert r.total.employed == 1 and r.total.not_followed_up == 2
    rules_by_key = sorted((f.object_key, f.rule) for f in r.findings)
    assert rules_by_key == [("2", "RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT"),
                            ("2", "RELOCATION_NOT_FOLLOWED_UP"),
                            ("3", "RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT"),
                            ("3", "RELOCATION_NOT_FOLLOWED_UP")]


def test_by_site_income_and_the_large_site():
    large = POLICY["regional.relocation_large_site_persons"]
    rows = [household("1", [M("a", True, "2026-06", True)], site="A", persons=large,
                      net_income=large * 10000.0, gross_income=100.0, wage_income=80.0),
            household("2", [M("b", True, "2026-06", True)], site="B", persons=large - 1,
                      net_income=None)]
    r = rules.indicators(rows, POLICY, "2026-06")
    assert r.by_site["A"].large and not r.by_site["B"].large
    assert r.by_site["A"].per_capita_net_income == 10000.0
    assert r.by_site["B"].per_capita_net_income is None  # not judged: no income recorded
    assert r.total.income_households == 1 and r.total.wage_share == 0.8
    assert r.total.goal_met and r.total.employment_rate == 1.0
