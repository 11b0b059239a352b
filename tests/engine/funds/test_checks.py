"""The checks of funds, projects and assets at their limits. Expectations come from
domain.md §7 and §11.2 R11 (industry share at least 60 % from 2023; removed or deceased stop
receiving from the next month; 2026: assets in the state-owned or collective system)."""

import datetime as dt
from decimal import Decimal as D

from dixian.engine import funds as rules
from dixian.engine.policy import Record, resolve

D23 = dt.date(2023, 12, 31)


def fund(appropriated, *, source="central", year=2023, amount=None, paid=D(0),
         received=dt.date(2023, 3, 1), county="522326"):
    total = amount if amount is not None else sum(appropriated.values(), D(0))
    return rules.FundRow("1", county, source, year, total, received, paid, appropriated)


def test_policy_values_come_from_the_sources():
    assert resolve("522326", dt.date(2023, 6, 1))["funds.industry_share_min"] == 0.60
    assert resolve("522326", dt.date(2026, 6, 1))["funds.asset_supervision_required"] is True
    assert resolve("522326", dt.date(2025, 6, 1))["funds.asset_supervision_required"] is False
    assert resolve("522326", dt.date(2025, 6, 1))["funds.distribution_stop_lag_months"] == 1


def test_industry_share_at_sixty_percent_passes_and_just_below_is_flagged():
    policy = resolve("522326", D23)
    share, finding = rules.industry_share(
        [fund({"industry": D(60), "infrastructure": D(40)})], policy, region_code="522326",
        year=2023)
    assert share == 0.6 and finding is None
    share, finding = rules.industry_share(
        [fund({"industry": D("59.99"), "infrastructure": D("40.01")})], policy,
        region_code="522326", year=2023)
    assert finding is not None and finding.rule == "FUNDS_INDUSTRY_SHARE_LOW"
    assert "59.99" in finding.sentence_en or "60.0%" in finding.sentence_en


def test_only_the_central_fund_counts_for_the_share():
    policy = resolve("522326", D23)
    share, finding = rules.industry_share(
        [fund({"industry": D(60), "infrastructure": D(40)}),
         fund({"infrastructure": D(1000)}, source="provincial")], policy,
        region_code="522326", year=2023)
    assert share == 0.6 and finding is None


def test_a_county_may_differ_from_its_province():
    lower = Record("funds.industry_share_min", "522326", dt.date(2023, 1, 1), 0.5, "test")
    policy = resolve("522326", D23, overlay=[lower])
    _share, finding = rules.industry_share([fund({"industry": D(55), "other": D(45)})], policy,
                                           region_code="522326", year=2023)
    assert finding is None
    province = resolve("52", D23, overlay=[lower])
    _share, finding = rules.industry_share([fund({"industry": D(55), "other": D(45)})],
                                           province, region_code="52", year=2023)
    assert finding is not None


def project(accepted=None, contract=D(100)):
    return rules.ProjectRow("7", "522326101201", "菌棚", "industry", "under_way", contract,
                            dt.date(2024, 10, 1), accepted)


def test_final_payment_before_acceptance_is_flagged_after_is_not():
    policy = resolve("522326", dt.date(2024, 12, 1))
    accepted = dt.date(2024, 11, 1)
    before = [rules.PaymentRow("7", dt.date(2024, 10, 31), D(30), True)]
    on_the_day = [rules.PaymentRow("7", accepted, D(30), True)]
    assert [f.rule for f in rules.payments_before_acceptance([project(accepted)], before,
                                                             policy)] == \
        ["FUNDS_PAID_BEFORE_ACCEPTANCE"]
    assert rules.payments_before_acceptance([project(accepted)], on_the_day, policy) == []


def test_progress_payments_up_to_the_share_pass_above_are_flagged():
    policy = resolve("522326", dt.date(2024, 12, 1))
    limit = D(str(policy["funds.payment_before_acceptance_max_share"])) * 100
    at = [rules.PaymentRow("7", dt.date(2024, 5, 1), limit, False)]
    above = [rules.PaymentRow("7", dt.date(2024, 5, 1), limit + D("0.01"), False)]
    assert rules.payments_before_acceptance([project()], at, policy) == []
    assert len(rules.payments_before_acceptance([project()], above, policy)) == 1


def test_idle_funds_at_twelve_months_not_a_day_before():
    policy = resolve("522326", dt.date(2024, 3, 1))
    row = fund({"industry": D(100)}, amount=D(100), paid=D(60), received=dt.date(2023, 3, 1))
    assert rules.idle_funds([row], policy, dt.date(2024, 2, 29)) == []
    found = rules.idle_funds([row], policy, dt.date(2024, 3, 1))
    assert len(found) == 1 and found[0].figures["unpaid"] == "40"
    paid = fund({"industry": D(100)}, amount=D(100), paid=D(100), received=dt.date(2023, 3, 1))
    assert rules.idle_funds([paid], policy, dt.date(2025, 3, 1)) == []


def distribution(month, died="", active=True):
    return rules.DistributionRow("1", "9", "522326101201", month, "5223261012010001", active,
                                 "", "5223261012010001-01" if died else "", died, D(100))


def test_a_deceased_member_receives_in_the_month_of_death_not_from_the_next():
    policy = resolve("522326", dt.date(2025, 6, 1))
    assert rules.distributions_to_ineligible([distribution("2025-03", died="2025-03")],
                                             policy) == []
    found = rules.distributions_to_ineligible([distribution("2025-04", died="2025-03")], policy)
    assert [f.rule for f in found] == ["FUNDS_INCOME_TO_INELIGIBLE"]
    assert rules.distributions_to_ineligible([distribution("2025-04")], policy) == []
    assert len(rules.distributions_to_ineligible([distribution("2025-04", active=False)],
                                                 policy)) == 1


def asset(last_income, *, income=D(0), condition="good", formed=dt.date(2023, 1, 10),
          supervision="collective"):
    return rules.AssetRow("3", "522326101201", "冷库", "income", "in_use", D(1000), condition,
                          formed, last_income, income, supervision)


def test_an_asset_without_income_for_twelve_months_is_idle_eleven_is_not():
    today = dt.date(2025, 6, 15)
    policy = resolve("522326", today)
    assert rules.classify_asset(asset("2024-07", income=D(100)), policy, today) == \
        ("", "consolidate")
    assert rules.classify_asset(asset("2024-06", income=D(0)), policy, today) == \
        ("idle", "revive")
    assert rules.classify_asset(asset("2024-06", condition="damaged"), policy, today) == \
        ("idle", "adjust")


def test_low_return_is_flagged_below_the_policy_rate():
    today = dt.date(2025, 6, 15)
    policy = resolve("522326", today)
    rate = D(str(policy["funds.asset_low_return_min"]))
    at = asset("2025-05", income=D(1000) * rate)
    below = asset("2025-05", income=D(1000) * rate - D("0.01"))
    assert rules.classify_asset(at, policy, today) == ("", "consolidate")
    assert rules.classify_asset(below, policy, today) == ("low", "upgrade")


def test_supervision_is_required_from_2026():
    unplaced = asset("2025-05", supervision="")
    assert rules.missing_supervision([unplaced], resolve("522326", dt.date(2025, 12, 31))) == []
    assert len(rules.missing_supervision([unplaced], resolve("522326", dt.date(2026, 1, 1)))) == 1


def test_a_notice_posted_on_its_due_day_is_on_time_a_day_later_is_late():
    policy = resolve("522326", dt.date(2025, 6, 1))
    days = policy["funds.notice_publish_within_days"]
    decided = dt.date(2025, 5, 1)
    due = decided + dt.timedelta(days=days)
    on_time = rules.NoticeRow("1", "522326101201", "approval", decided, due, None)
    late = rules.NoticeRow("2", "522326101201", "approval", decided,
                           due + dt.timedelta(days=1), None)
    unposted = rules.NoticeRow("3", "522326101201", "approval", decided, None, None)
    assert rules.late_notices([on_time], policy, dt.date(2025, 6, 1)) == []
    assert len(rules.late_notices([late], policy, dt.date(2025, 6, 1))) == 1
    assert rules.late_notices([unposted], policy, due) == []
    assert len(rules.late_notices([unposted], policy, due + dt.timedelta(days=1))) == 1


def test_overdue_projects():
    p = project()
    assert rules.overdue_projects([p], dt.date(2024, 10, 1)) == []
    assert len(rules.overdue_projects([p], dt.date(2024, 10, 2))) == 1
