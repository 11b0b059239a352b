"""The judgement of a pairing's annual agreement and of the village work teams, at their
limits (domain.md §8.1, domain-2026.md §2.9)."""

from datetime import date
from decimal import Decimal

from dixian.engine.regional import pairing as rules

POLICY = {"regional.pairing_target_completion_min": 1.0,
          "regional.first_secretary_term_months": 24, "regional.work_team_members_min": 3}


def _year(targets, actuals, year=2025):
    return rules.AgreementYear("7", "惠东县—望谟县", "522326", year,
                               {k: Decimal(v) for k, v in targets.items()},
                               {k: Decimal(v) for k, v in actuals.items()})


def test_a_shortfall_is_flagged_only_once_the_year_has_ended():
    row = _year({"products_bought": "1000", "fiscal_funds": "500"},
                {"products_bought": "999.99", "fiscal_funds": "500"})
    during = rules.assess(row, POLICY, date(2025, 12, 31))
    assert [line.status for line in during.lines] == ["met", "under_way"]
    assert during.findings == []
    after = rules.assess(row, POLICY, date(2026, 1, 1))
    short = [line for line in after.lines if line.status == "short"]
    assert [line.indicator.key for line in short] == ["products_bought"]
    assert short[0].shortfall == Decimal("0.01")
    assert [f.rule for f in after.findings] == ["PAIRING_BELOW_TARGET"]
    assert "采购和帮助销售农特产品" in after.findings[0].sentence_zh
    assert after.met == 1 and after.short == 1 and after.with_target == 2


def test_the_policy_share_is_the_limit():
    row = _year({"enterprises": "10"}, {"enterprises": "9"})
    assert rules.assess(row, {**POLICY, "regional.pairing_target_completion_min": 0.9},
                        date(2026, 1, 1)).lines[0].status == "met"
    assert rules.assess(row, POLICY, date(2026, 1, 1)).lines[0].status == "short"


def test_actuals_without_target_are_shown_not_judged():
    result = rules.assess(_year({}, {"investment": "5"}), POLICY, date(2026, 1, 1))
    assert result.lines[0].status == "no_target" and result.findings == []


def test_more_poverty_alleviated_workers_than_workers_is_inconsistent():
    result = rules.assess(_year({}, {"workers_placed": "10", "workers_placed_poverty": "11"}),
                          POLICY, date(2025, 6, 1))
    assert [f.rule for f in result.findings] == ["PAIRING_ACTUALS_INCONSISTENT"]


def _cadre(key, village, secretary, start, end=None):
    return rules.Cadre(key, village, f"干部{key}", secretary, start, end)


def test_work_team_findings_at_their_limits():
    today = date(2026, 3, 15)
    team = [_cadre("1", "522326100201", True, date(2024, 3, 16)),  # 23 months and 30 days
            _cadre("2", "522326100201", False, date(2025, 1, 1)),
            _cadre("3", "522326100201", False, date(2025, 1, 1))]
    assert rules.roster_findings(team, POLICY, today) == []
    team[0] = _cadre("1", "522326100201", True, date(2024, 3, 15))  # 24 months: rotate
    assert [f.rule for f in rules.roster_findings(team, POLICY, today)] == [
        "FIRST_SECRETARY_TERM_EXCEEDED"]
    ended = _cadre("3", "522326100201", False, date(2025, 1, 1), today)  # left today
    found = rules.roster_findings([team[1], ended], POLICY, today)
    assert {f.rule for f in found} == {"WORK_TEAM_WITHOUT_FIRST_SECRETARY",
                                       "WORK_TEAM_TOO_SMALL"}


def test_whole_months():
    from dixian.engine.months import whole_months

    assert whole_months(date(2024, 1, 31), date(2024, 2, 29)) == 0
    assert whole_months(date(2024, 1, 15), date(2026, 1, 15)) == 24
