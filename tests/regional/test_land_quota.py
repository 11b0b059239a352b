"""Land-quota trades (domain.md §8.6): recorded by the fund officer, their proceeds entered as
the county's land-quota funds, the findings on the page and over the API, region scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dixian.core.access import NotFound, PermissionDenied
from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.funds.actions import do_record_allocation
from dixian.funds.models import Allocation
from dixian.regional import land_quota
from dixian.regional.models import LandQuotaTrade
from tests.conftest import COUNTY, OTHER_COUNTY

pytestmark = pytest.mark.django_db


def _trade(officer, **kw):
    base = dict(county_code=COUNTY, contract="WM-2025-KS-001", kind="cross", buyer="广东省",
                mu="50", price_per_mu="300000", traded_on=date(2025, 3, 1), actor=officer)
    return land_quota.do_record_trade(**{**base, **kw})


def test_a_trade_is_recorded_once_and_audited(users):
    officer = users[Role.FUND_OFFICER]
    trade = _trade(officer)
    assert land_quota.proceeds(trade) == Decimal("15000000.00")
    assert _trade(officer).pk == trade.pk  # the same contract again: harmless
    with pytest.raises(ValidationError, match="其他条款"):
        _trade(officer, mu="51")
    assert LandQuotaTrade.objects.count() == 1
    assert AuditEvent.objects.filter(action="regional.land_quota_trade").count() == 1


@pytest.mark.parametrize("field,value", [
    ("mu", "0"), ("mu", "-1"), ("mu", "abc"), ("mu", "NaN"), ("price_per_mu", "1e30"),
    ("kind", "bogus"), ("buyer", " "), ("contract", ""), ("county_code", "52232"),
])
def test_bad_input_is_refused_with_its_field(users, field, value):
    with pytest.raises(ValidationError):
        _trade(users[Role.FUND_OFFICER], **{field: value})
    assert not LandQuotaTrade.objects.exists()


def test_only_the_fund_officer_in_scope_records(users, user_in):
    with pytest.raises(PermissionDenied):
        _trade(users[Role.COUNTY_APPROVER])
    other = user_in(Role.FUND_OFFICER, OTHER_COUNTY)
    with pytest.raises(NotFound):
        _trade(other)


def test_proceeds_become_a_land_quota_allocation_once(users):
    officer = users[Role.FUND_OFFICER]
    trade = land_quota.do_enter_proceeds(_trade(officer), received_on=date(2025, 5, 1),
                                         actor=officer)
    allocation = trade.allocation
    assert (allocation.source, allocation.amount, allocation.county_code, allocation.year) == \
        ("land_quota", Decimal("15000000.00"), COUNTY, 2025)
    assert trade.proceeds_received_on == date(2025, 5, 1)
    again = land_quota.do_enter_proceeds(trade, received_on=date(2025, 6, 1), actor=officer)
    assert again.allocation_id == allocation.pk and Allocation.objects.count() == 1
    assert AuditEvent.objects.filter(action="regional.land_quota_proceeds").count() == 1
    assert AuditEvent.objects.filter(action="funds.allocation").count() == 1


def test_proceeds_link_the_allocation_the_finance_bureau_recorded(users):
    officer = users[Role.FUND_OFFICER]
    money = do_record_allocation(county_code=COUNTY, year=2025, source="land_quota",
                                 amount="15000000", document="黔财农〔2025〕1号",
                                 received_on=date(2025, 5, 1), actor=officer)
    wrong = do_record_allocation(county_code=COUNTY, year=2025, source="land_quota",
                                 amount="14999999.99", document="黔财农〔2025〕2号",
                                 received_on=date(2025, 5, 1), actor=officer)
    trade = _trade(officer)
    with pytest.raises(ValidationError, match="不是本交易的收益"):
        land_quota.do_enter_proceeds(trade, received_on=date(2025, 5, 1), actor=officer,
                                     allocation=wrong)
    trade = land_quota.do_enter_proceeds(trade, received_on=date(2025, 5, 1), actor=officer,
                                         allocation=money)
    assert trade.allocation_id == money.pk and Allocation.objects.count() == 2
    second = _trade(officer, contract="WM-2025-KS-002")
    with pytest.raises(ValidationError, match="不是本交易的收益"):  # already another trade's
        land_quota.do_enter_proceeds(second, received_on=date(2025, 5, 1), actor=officer,
                                     allocation=money)


def test_the_page_and_the_api_show_trades_and_findings_in_scope(client, users, user_in):
    officer = users[Role.FUND_OFFICER]
    today = timezone.localdate()
    _trade(officer)  # 2025, a national key county: allowed
    late = _trade(officer, contract="WM-SN-002", kind="intra", buyer="遵义市", mu="12.5",
                  price_per_mu="150000", traded_on=today - timedelta(days=200),
                  proceeds_received_on=today - timedelta(days=120))
    after = _trade(officer, contract="WM-KS-002", traded_on=date(2026, 1, 1))
    client.force_login(officer)
    page = client.get("/regional/land-quotas/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-rule="LAND_QUOTA_PROCEEDS_NOT_IN_FUNDS" data-trade="{late.pk}"' in body
    assert f'data-rule="LAND_QUOTA_CROSS_AFTER_TRANSITION" data-trade="{after.pk}"' in body
    assert "LAND_QUOTA_CROSS_NOT_KEY_COUNTY" not in body
    assert "1,875,000" in body  # 12.5 mu at 150,000 yuan
    api = client.get("/api/regional/land-quotas").json()
    assert {t["contract"] for t in api["trades"]} == {"WM-2025-KS-001", "WM-SN-002",
                                                     "WM-KS-002"}
    assert sorted(f["rule"] for f in api["findings"]) == [
        "LAND_QUOTA_CROSS_AFTER_TRANSITION", "LAND_QUOTA_PROCEEDS_NOT_IN_FUNDS"]
    client.force_login(user_in(Role.FUND_OFFICER, OTHER_COUNTY))
    assert client.get("/api/regional/land-quotas").json()["trades"] == []
    assert "WM-SN-002" not in client.get("/regional/land-quotas/").content.decode()


def test_the_form_records_a_trade_and_enters_its_proceeds(client, users):
    client.force_login(users[Role.FUND_OFFICER])
    response = client.post("/regional/land-quotas/act/", {
        "county_code": COUNTY, "contract": "WM-1", "kind": "intra", "buyer": "贵阳市",
        "mu": "20", "price_per_mu": "150000", "traded_on": "2026-09-01"})
    assert response.status_code == 302
    trade = LandQuotaTrade.objects.get(contract="WM-1")
    client.post("/regional/land-quotas/act/", {"trade": trade.pk,
                                               "received_on": "2026-10-01"})
    trade.refresh_from_db()
    assert trade.allocation.amount == Decimal("3000000.00")
    bad = client.post("/regional/land-quotas/act/", {"trade": "abc"})
    assert bad.status_code == 404
    refused = client.post("/regional/land-quotas/act/", {
        "county_code": COUNTY, "contract": "WM-2", "kind": "intra", "buyer": "贵阳市",
        "mu": "-3", "price_per_mu": "150000", "traded_on": "2026-09-01"}, follow=True)
    assert refused.status_code == 200 and not LandQuotaTrade.objects.filter(
        contract="WM-2").exists()
