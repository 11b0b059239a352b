"""Surplus construction-land quota trades (增减挂钩节余指标交易, domain.md §8.6), without Django.

A county that turns rural construction land back into farmland earns a quota it may sell:
within the province, or (during the transition, for the national key counties only) to
another province. The proceeds return to the selling county and are spent as one of its fund
sources (the funds' ``land_quota`` source). The findings:

* ``LAND_QUOTA_CROSS_AFTER_TRANSITION``: a cross-provincial trade dated when
  ``regional.land_quota_cross_provincial_allowed`` is false (from 2026-01-01);
* ``LAND_QUOTA_CROSS_NOT_KEY_COUNTY``: a cross-provincial trade by a county that is not on its
  province's ``regional.key_counties_national`` on the trade's date;
* ``LAND_QUOTA_PROCEEDS_NOT_IN_FUNDS``: proceeds received more than
  ``regional.land_quota_proceeds_to_funds_days`` days ago and still not entered as the
  county's land-quota fund allocation.

Each finding reads the policy in force on its own date (the trade's, or today's for the
deadline), through ``policy_on``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dixian.engine.funds import Finding

INTRA = "intra"  # within the province
CROSS = "cross"  # to another province


@dataclass(frozen=True)
class TradeRow:
    key: str
    seller_county: str             # the selling county's code (6 digits)
    buyer: str                     # who bought: an area's name or code
    kind: str                      # INTRA or CROSS
    mu: Decimal                    # area of quota sold (亩)
    price_per_mu: Decimal          # yuan per 亩
    traded_on: date
    proceeds_received_on: date | None = None
    in_funds: bool = False         # entered as the county's land-quota fund allocation


def proceeds(mu: Decimal, price_per_mu: Decimal) -> Decimal:
    """What a trade brings the selling county: the area times the price, to the fen (half up)."""
    return (Decimal(mu) * Decimal(price_per_mu)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def findings(trades: Iterable[TradeRow], policy_on: Callable[[str, date], Mapping],
             today: date) -> list[Finding]:
    found: list[Finding] = []
    for t in trades:
        at_trade = policy_on(t.seller_county, t.traded_on)
        if t.kind == CROSS:
            if not at_trade["regional.land_quota_cross_provincial_allowed"]:
                found.append(Finding(
                    "LAND_QUOTA_CROSS_AFTER_TRANSITION", "land_quota_trade", t.key,
                    t.seller_county,
                    f"跨省域调剂增减挂钩节余指标（{t.traded_on}，售予{t.buyer}）：过渡期后已不允许",
                    f"Surplus land quota traded across provinces on {t.traded_on} (to "
                    f"{t.buyer}): no longer allowed after the transition"))
            if t.seller_county not in at_trade["regional.key_counties_national"]:
                found.append(Finding(
                    "LAND_QUOTA_CROSS_NOT_KEY_COUNTY", "land_quota_trade", t.key,
                    t.seller_county,
                    f"县{t.seller_county}不是国家乡村振兴重点帮扶县，不能跨省域调剂节余指标"
                    f"（{t.traded_on}）",
                    f"County {t.seller_county} is not a national key county and may not sell "
                    f"surplus land quota across provinces ({t.traded_on})"))
        if t.proceeds_received_on is not None and not t.in_funds:
            days = int(policy_on(t.seller_county, today)[
                "regional.land_quota_proceeds_to_funds_days"])
            if today > t.proceeds_received_on + timedelta(days=days):
                amount = proceeds(t.mu, t.price_per_mu)
                found.append(Finding(
                    "LAND_QUOTA_PROCEEDS_NOT_IN_FUNDS", "land_quota_trade", t.key,
                    t.seller_county,
                    f"节余指标交易收益{amount}元于{t.proceeds_received_on}到账，超过{days}天"
                    f"仍未纳入县级衔接资金管理",
                    f"Land-quota proceeds of {amount} yuan received on "
                    f"{t.proceeds_received_on} are not entered as the county's funds after "
                    f"{days} days",
                    {"amount": str(amount), "days": days}))
    return found
