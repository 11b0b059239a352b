"""R2 at its limits (``eligibility.classify``, what the county's approval records), with the
expected categories from domain.md R2 [V S2; VL S15]:

- UNSTABLE: a 脱贫 household with per-capita net income below the line;
- MARGINAL: any other household below the line;
- SUDDEN: at or above the line, but below it after the rigid spending, with a sudden event
  (illness, disaster, accident, ...);
- otherwise not eligible. The line is 8,700 yuan [VL S9], carried forward.
"""

from __future__ import annotations

import polars as pl
import pytest
from django.utils import timezone

from dixian.cases import eligibility
from dixian.registry import importing
from dixian.registry.models import Household
from tests.cases.builders import months_back, set_monthly_income
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

LINE = 8700
MEMBERS = 3


@pytest.fixture
def households(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    alleviated = Household.objects.get(code=f"{VILLAGE}0001")  # the builder: odd = 脱贫
    ordinary = Household.objects.get(code=f"{VILLAGE}0002")
    assert alleviated.household_type == "poverty_alleviated"
    assert ordinary.household_type == "ordinary"
    return alleviated, ordinary


def _verified(net, rigid=0):
    return {"net_income": net, "rigid_spending": rigid}


@pytest.mark.django_db
@pytest.mark.parametrize("net,alleviated_category,ordinary_category", [
    (LINE * MEMBERS, None, None),                 # exactly the line: not below it
    (LINE * MEMBERS - 1, "UNSTABLE", "MARGINAL"),  # a yuan below
])
def test_below_the_line_not_at_it(households, net, alleviated_category, ordinary_category):
    alleviated, ordinary = households
    now = timezone.now()
    a = eligibility.classify(alleviated, ["ILLNESS"], now, _verified(net))
    o = eligibility.classify(ordinary, ["ILLNESS"], now, _verified(net))
    assert (a.category, o.category) == (alleviated_category, ordinary_category)
    assert a.values["line"] == LINE and a.values["members"] == MEMBERS
    assert a.values["household_net"] == net and a.values["source"] == "visit"
    assert a.values["poverty_alleviated"] is True and o.values["poverty_alleviated"] is False
    assert a.values["per_capita"] == round(net / MEMBERS, 2)
    assert str(LINE) in a.reason and any("\u4e00" <= ch <= "\u9fff" for ch in a.reason)


@pytest.mark.django_db
@pytest.mark.parametrize("rigid,category", [(3900, None), (3901, "SUDDEN")])
def test_sudden_below_the_line_after_rigid_spending_not_at_it(households, rigid, category):
    # 30,000 for 3 members = 10,000 each; minus 3,900 = 26,100 / 3 = 8,700: the line
    _alleviated, ordinary = households
    c = eligibility.classify(ordinary, ["ILLNESS"], timezone.now(), _verified(30000, rigid))
    assert c.category == category
    assert c.values["rigid_spending"] == rigid
    assert c.values["per_capita_after_rigid"] == round((30000 - rigid) / MEMBERS, 2)
    assert c.values["risk_types"] == ["ILLNESS"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in c.reason)


@pytest.mark.django_db
def test_above_the_line_with_no_rigid_spending_is_not_sudden(households):
    _alleviated, ordinary = households
    # above the line, no rigid spending: not SUDDEN, whatever the risk
    assert eligibility.classify(ordinary, ["DISASTER"], timezone.now(),
                                _verified(30000, 0)).category is None


@pytest.mark.django_db
def test_without_a_visit_the_registry_incomes_decide(households):
    alleviated, _ordinary = households
    now = timezone.now()
    set_monthly_income(alleviated, months_back(now, 12), wage=LINE * MEMBERS // 12)
    at_line = eligibility.classify(alleviated, ["ILLNESS"], now)
    assert at_line.category is None and at_line.values["source"] == "registry"
    assert at_line.values["months_recorded"] == 12
    assert at_line.values["household_net"] == LINE * MEMBERS
    set_monthly_income(alleviated, months_back(now, 1), wage=LINE * MEMBERS // 12 - 1)
    below = eligibility.classify(alleviated, ["ILLNESS"], now, {"net_income": ""})
    assert below.category == "UNSTABLE" and below.values["source"] == "registry"


def test_month_helpers():
    import datetime as dt

    from django.utils.timezone import make_aware

    assert eligibility.months_between("2024-11", "2025-05") == 6
    assert eligibility.months_between("2025-05", "2025-05") == 0
    assert eligibility.local_month(dt.date(2025, 1, 31)) == "2025-01"
    # 03:00 in Beijing on the 1st is the 1st (19:00 UTC the day before)
    moment = make_aware(dt.datetime(2025, 2, 28, 19, 0), dt.UTC)
    assert eligibility.local_month(moment) == "2025-03"


@pytest.mark.django_db
@pytest.mark.parametrize("net,category", [(7300 * MEMBERS, None), (7300 * MEMBERS - 1, "UNSTABLE")])
def test_a_decision_in_2023_uses_the_line_in_force_then(households, net, category):
    """R2 on the day of the decision: Guizhou's line was 7,300 yuan in 2023 (domain.md §1.2,
    Guizhou data-quality rules [VL S17]), 8,700 since: a household at 7,300 a head in June
    2023 was not below the line."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    alleviated, _ordinary = households
    june_2023 = datetime(2023, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    verdict = eligibility.classify(alleviated, ["ILLNESS"], june_2023, _verified(net))
    assert verdict.category == category
    assert verdict.values["line"] == 7300


@pytest.mark.django_db
def test_a_visit_without_rigid_spending_counts_none(households):
    """The visit's form leaves rigid spending blank and the registry has none: no rigid
    spending, so income after it is the income itself (R2: SUDDEN needs rigid spending)."""
    _alleviated, ordinary = households
    c = eligibility.classify(ordinary, ["ILLNESS"], timezone.now(),
                             {"net_income": 30000, "rigid_spending": ""})
    assert c.category is None
    assert c.values["rigid_spending"] == 0
    assert c.values["per_capita"] == c.values["per_capita_after_rigid"] == 10000


@pytest.mark.django_db
def test_without_any_income_the_household_is_not_judged(households):
    """No visit figures, no monthly incomes, no annual block: R2 cannot say the household is
    below the line, and the decision keeps only what it knew."""
    alleviated, _ordinary = households
    c = eligibility.classify(alleviated, ["ILLNESS"], timezone.now())
    assert c.category is None
    assert set(c.values) == {"line", "months_recorded", "members", "source", "risk_types",
                             "policy", "rule", "rule_fingerprint"}
    assert (c.values["line"], c.values["months_recorded"], c.values["members"],
            c.values["source"], c.values["risk_types"]) == (LINE, 0, MEMBERS, "registry",
                                                            ["ILLNESS"])


@pytest.mark.django_db
def test_a_household_with_no_active_member_counts_as_one_person(households):
    from dixian.registry.models import Member

    alleviated, _ordinary = households
    Member.objects.filter(household=alleviated).update(member_status="deceased")
    c = eligibility.classify(alleviated, ["ILLNESS"], timezone.now(), _verified(9000))
    assert c.values["members"] == 1 and c.values["per_capita"] == 9000
    assert c.category is None  # 9,000 for one person: above the line


@pytest.mark.django_db
def test_the_decision_keeps_the_rule_and_the_policy_it_was_taken_under(households):
    """What the case records so that the decision can be read again later: the category's
    names (domain.md R2: 脱贫不稳定户, 边缘易致贫户), the rule that decided and its fingerprint,
    and the fingerprint of the policy in force."""
    from dixian.cases.eligibility import policy_for

    alleviated, ordinary = households
    now = timezone.now()
    for household, code, zh in ((alleviated, "UNSTABLE", "脱贫不稳定户"),
                                (ordinary, "MARGINAL", "边缘易致贫户")):
        c = eligibility.classify(household, ["ILLNESS"], now, _verified(LINE * MEMBERS - 3))
        assert c.category == code and c.values["rule"] == f"R2-{code}"
        assert c.names["zh"] == zh and c.values["category_names"]["zh"] == zh
        assert len(c.values["rule_fingerprint"]) >= 8
        assert c.values["policy"] == policy_for(household, timezone.localdate(now)).fingerprint
    unknown = eligibility.classify(alleviated, ["ILLNESS"], now)  # no income at all
    assert unknown.values["rule"] == "R2-UNKNOWN" and unknown.names == {}
    assert unknown.values["policy"] and unknown.values["rule_fingerprint"]


@pytest.mark.django_db
def test_the_reason_is_in_the_readers_language_chinese_by_default(households):
    from django.utils import translation

    _alleviated, ordinary = households
    now = timezone.now()
    with translation.override("en"):
        english = eligibility.classify(ordinary, ["ILLNESS"], now, _verified(LINE * MEMBERS - 3))
    assert english.reason.startswith("Per-capita net income")
    with translation.override(None):  # no language active (a command): the platform's, Chinese
        chinese = eligibility.classify(ordinary, ["ILLNESS"], now, _verified(LINE * MEMBERS - 3))
    assert chinese.reason.startswith("家庭人均纯收入")
