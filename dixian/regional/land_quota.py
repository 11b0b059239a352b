"""Land-quota trades (增减挂钩节余指标交易, domain.md §8.6): recording a trade, entering its
proceeds as the county's funds (an allocation of the ``land_quota`` source, through the funds'
own action), and the findings of :mod:`dixian.engine.regional.land_quota`. Each write checks
capability and region and is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dixian.core import audit
from dixian.core.access import NotFound, code_prefix_q, require, scope_of
from dixian.core.roles import Capability
from dixian.funds.actions import do_record_allocation
from dixian.funds.models import Allocation, Source
from dixian.regional.bridge import land_quota as rules
from dixian.regional.bridge import resolve
from dixian.regional.models import LandQuotaTrade

MAX_MU = Decimal("1000000")
MAX_PRICE = Decimal("100000000")


def _check(actor, county_code: str) -> None:
    require(actor, Capability.MANAGE_FUNDS)
    if not scope_of(actor).contains(county_code):
        raise NotFound


def _positive(value, what: str, limit: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(what)s: %(value)r is not a number")
                              % {"what": what, "value": value}) from None
    if not number.is_finite() or number <= 0 or number > limit:
        raise ValidationError(_("%(what)s: %(value)r must be above 0 and at most %(limit)s")
                              % {"what": what, "value": value, "limit": limit})
    return number.quantize(Decimal("0.01"))


def proceeds(trade: LandQuotaTrade) -> Decimal:
    return rules.proceeds(trade.mu, trade.price_per_mu)


def do_record_trade(*, county_code: str, contract: str, kind: str, buyer: str, mu,
                    price_per_mu, traded_on: date, actor,
                    proceeds_received_on: date | None = None) -> LandQuotaTrade:
    """Record a trade of the county's surplus quota; the same contract twice is harmless."""
    require(actor, Capability.MANAGE_FUNDS)
    if len(county_code) != 6 or not county_code.isdigit():
        raise ValidationError(_("county: %(code)r is not a county code") % {"code": county_code})
    _check(actor, county_code)
    if kind not in LandQuotaTrade.Kind.values:
        raise ValidationError(_("kind: %(kind)r is not one of %(kinds)s")
                              % {"kind": kind, "kinds": ", ".join(LandQuotaTrade.Kind.values)})
    contract, buyer = contract.strip(), buyer.strip()
    if not contract or not buyer:
        raise ValidationError(_("contract and buyer: both are required"))
    mu = _positive(mu, _("area (mu)"), MAX_MU)
    price_per_mu = _positive(price_per_mu, _("price per mu"), MAX_PRICE)
    if proceeds_received_on is not None and proceeds_received_on < traded_on:
        raise ValidationError(_("proceeds received on %(received)s: before the trade "
                                "(%(traded)s)")
                              % {"received": proceeds_received_on, "traded": traded_on})
    fields = {"kind": kind, "buyer": buyer, "mu": mu, "price_per_mu": price_per_mu,
              "traded_on": traded_on, "proceeds_received_on": proceeds_received_on}
    existing = LandQuotaTrade.objects.filter(county_code=county_code, contract=contract).first()
    if existing is not None:
        if any(getattr(existing, k) != v for k, v in fields.items()):
            raise ValidationError(_("contract %(contract)r is already recorded with other "
                                    "terms") % {"contract": contract})
        return existing
    with transaction.atomic():
        trade = LandQuotaTrade.objects.create(county_code=county_code, contract=contract,
                                              recorded_by=actor, **fields)
        audit.record("regional.land_quota_trade", actor=actor, obj=trade,
                     region_code=county_code,
                     after={k: str(v) if v is not None else None for k, v in fields.items()}
                     | {"contract": contract, "proceeds": str(proceeds(trade))})
    return trade


def do_enter_proceeds(trade: LandQuotaTrade, *, received_on: date, actor,
                      allocation: Allocation | None = None) -> LandQuotaTrade:
    """Enter the trade's proceeds as the county's land-quota fund allocation (once): a new
    allocation, or the one the finance bureau already recorded when the money arrived (same
    county, the land-quota source, the same amount, not another trade's)."""
    _check(actor, trade.county_code)
    if trade.allocation_id is not None:
        return trade
    if received_on < trade.traded_on:
        raise ValidationError(_("proceeds received on %(received)s: before the trade "
                                "(%(traded)s)")
                              % {"received": received_on, "traded": trade.traded_on})
    amount = proceeds(trade)
    if allocation is not None and (
            allocation.county_code != trade.county_code or allocation.amount != amount
            or allocation.source != Source.LAND_QUOTA
            or LandQuotaTrade.objects.filter(allocation=allocation).exists()):
        raise ValidationError(_("allocation %(document)s is not this trade's proceeds (the "
                                "county's land-quota allocation of %(amount)s yuan)")
                              % {"document": allocation.document, "amount": amount})
    with transaction.atomic():
        if allocation is None:
            allocation = do_record_allocation(
                county_code=trade.county_code, year=received_on.year,
                source=Source.LAND_QUOTA, amount=amount,
                document=f"{trade.county_code}-{trade.contract}", received_on=received_on,
                actor=actor)
        trade.proceeds_received_on = trade.proceeds_received_on or received_on
        trade.allocation = allocation
        trade.save(update_fields=["proceeds_received_on", "allocation"])
        audit.record("regional.land_quota_proceeds", actor=actor, obj=trade,
                     region_code=trade.county_code,
                     after={"allocation": allocation.pk, "amount": str(allocation.amount),
                            "received_on": received_on.isoformat()})
    return trade


def rows(trades) -> list:
    return [rules.TradeRow(key=str(t.pk), seller_county=t.county_code, buyer=t.buyer,
                           kind=t.kind, mu=t.mu, price_per_mu=t.price_per_mu,
                           traded_on=t.traded_on, proceeds_received_on=t.proceeds_received_on,
                           in_funds=t.allocation_id is not None) for t in trades]


def trades_in(code: str):
    return LandQuotaTrade.objects.filter(code_prefix_q("county_code", code[:6]))


def findings(trades, today: date) -> list:
    return rules.findings(rows(trades), resolve, today)
