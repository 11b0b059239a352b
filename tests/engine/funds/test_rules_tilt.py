"""Asset income tilted to the weak (domain.md §7.3 [VL S46b]): where weak and other
households share a month's income, the weak households' mean share is at least the others'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dixian.engine import funds as rules
from dixian.engine.policy import resolve

POLICY = resolve("522326", dt.date(2026, 6, 1), with_changes=False)


def row(household: str, amount: str, weak: bool, month: str = "2026-05", asset: str = "7"):
    return rules.DistributionRow(
        key=household, asset_key=asset, region_code="522326101201", month=month,
        household_code=household, household_active=True, household_removed_month="",
        member_id="", member_deceased_month="", amount=Decimal(amount), household_weak=weak)


def test_equal_means_pass_and_a_cent_less_is_found():
    assert rules.untilted_distributions([row("a", "100", True), row("b", "100", False)],
                                        POLICY) == []
    found = rules.untilted_distributions([row("a", "99.99", True), row("b", "100", False)],
                                         POLICY)
    assert [f.rule for f in found] == ["FUNDS_NOT_TILTED_TO_WEAK"]
    assert "99.99" in found[0].sentence_zh and "100.00" in found[0].sentence_zh


def test_means_are_per_household_and_per_month():
    shares = [row("a", "60", True), row("a", "60", True), row("b", "100", False),
              row("c", "10", True, month="2026-06"), row("d", "100", False, month="2026-07")]
    assert rules.untilted_distributions(shares, POLICY) == []  # 120 against 100; June alone


def test_only_weak_or_only_other_households_is_no_finding():
    assert rules.untilted_distributions([row("a", "1", True), row("b", "2", True)], POLICY) == []
