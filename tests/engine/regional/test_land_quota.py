"""Land-quota trades (domain.md §8.6): the limits come from the specification, not from the
code's tables — cross-provincial trading is valid to 2025-12-31 for the national key counties
(§8.6 [S S107]); Guizhou's 20 national key counties were listed on 2021-08-27 (§8.5) and
include 望谟县 (522326) but not 南明区 (520102)."""

from datetime import date, timedelta
from decimal import Decimal

from dixian.engine import policy
from dixian.engine.regional.land_quota import CROSS, INTRA, TradeRow, findings, proceeds

WANGMO, NANMING = "522326", "520102"


def _rules(row: TradeRow, today: date = date(2026, 12, 1)) -> set[str]:
    return {f.rule for f in findings([row], policy.resolve, today)}


def _trade(**kw) -> TradeRow:
    base = dict(key="1", seller_county=WANGMO, buyer="浙江省", kind=CROSS, mu=Decimal("50"),
                price_per_mu=Decimal("300000"), traded_on=date(2025, 6, 1))
    return TradeRow(**{**base, **kw})


def test_proceeds_are_area_times_price():
    assert proceeds(Decimal("50"), Decimal("300000")) == Decimal("15000000.00")
    assert proceeds(Decimal("0.5"), Decimal("333333.33")) == Decimal("166666.67")


def test_cross_provincial_trading_ends_with_2025():
    assert _rules(_trade(traded_on=date(2025, 12, 31))) == set()
    assert _rules(_trade(traded_on=date(2026, 1, 1))) == {"LAND_QUOTA_CROSS_AFTER_TRANSITION"}


def test_only_a_national_key_county_sells_across_provinces():
    assert _rules(_trade(seller_county=NANMING)) == {"LAND_QUOTA_CROSS_NOT_KEY_COUNTY"}
    # the list took effect on 2021-08-27
    assert _rules(_trade(traded_on=date(2021, 8, 26))) == {"LAND_QUOTA_CROSS_NOT_KEY_COUNTY"}
    assert _rules(_trade(traded_on=date(2021, 8, 27))) == set()


def test_within_the_province_any_county_sells_at_any_time():
    assert _rules(_trade(kind=INTRA, seller_county=NANMING, traded_on=date(2026, 3, 1))) == set()


def test_proceeds_enter_the_funds_within_the_deadline():
    days = policy.resolve(WANGMO, date(2026, 12, 1))["regional.land_quota_proceeds_to_funds_days"]
    received = date(2026, 12, 1) - timedelta(days=days)
    assert _rules(_trade(proceeds_received_on=received)) == set()  # the last day
    late = _trade(proceeds_received_on=received - timedelta(days=1))
    found = findings([late], policy.resolve, date(2026, 12, 1))
    assert [f.rule for f in found] == ["LAND_QUOTA_PROCEEDS_NOT_IN_FUNDS"]
    assert found[0].figures == {"amount": "15000000.00", "days": days}
    assert "15000000.00" in found[0].sentence_zh and str(days) in found[0].sentence_en
    assert _rules(_trade(proceeds_received_on=received - timedelta(days=1),
                         in_funds=True)) == set()
    assert _rules(_trade(proceeds_received_on=None)) == set()  # nothing received yet
