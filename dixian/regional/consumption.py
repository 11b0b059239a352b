"""Consumption assistance (消费帮扶, domain.md §8.4): budget units, their yearly plans (food
budget and reserved share), purchase files applied whole or not at all, and each unit's
compliance computed by :mod:`dixian.engine.regional.consumption`. Each write checks
capability and region and is audited."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dixian.core import audit
from dixian.core.access import NotFound, code_prefix_q, require, scope_of, scope_q
from dixian.core.models import Region
from dixian.core.roles import Capability
from dixian.core.storage import all_or_nothing
from dixian.regional.bridge import consumption as rules
from dixian.regional.bridge import resolve
from dixian.regional.models import (
    BudgetUnit,
    ConsumptionBatch,
    ConsumptionPlan,
    ConsumptionPurchase,
)

MAX_BUDGET = Decimal("10000000000")


def _check(actor, region_code: str) -> None:
    require(actor, Capability.MANAGE_FUNDS)
    if not region_code or not region_code.isdigit() or not scope_of(actor).contains(region_code):
        raise NotFound


def _money(value, what: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(what)s: %(value)r is not an amount")
                              % {"what": what, "value": value}) from None
    if not number.is_finite() or number < 0 or number > MAX_BUDGET:
        raise ValidationError(_("%(what)s: %(value)r must be from 0 to %(limit)s yuan")
                              % {"what": what, "value": value, "limit": MAX_BUDGET})
    return number.quantize(Decimal("0.01"))


def do_register_unit(*, region_code: str, name: str, actor) -> BudgetUnit:
    """A budget unit of a region in the actor's scope; the same name twice is harmless."""
    region_code, name = (region_code or "").strip(), (name or "").strip()
    _check(actor, region_code)
    if not name:
        raise ValidationError(_("budget unit: the name is required"))
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationError(_("region: %(code)s does not exist") % {"code": region_code})
    unit, made = BudgetUnit.objects.get_or_create(region_code=region_code, name=name[:120])
    if made:
        audit.record("regional.budget_unit", actor=actor, obj=unit, region_code=region_code,
                     after={"name": unit.name})
    return unit


def do_set_plan(unit: BudgetUnit, *, year: int, food_budget, reserved, actor) -> ConsumptionPlan:
    """A unit's canteen food budget and reserved amount for a year (a correction is kept in
    the audit: before and after)."""
    _check(actor, unit.region_code)
    if not 2016 <= int(year) <= timezone.localdate().year + 1:
        raise ValidationError(_("year: %(year)s is out of range") % {"year": year})
    food_budget, reserved = _money(food_budget, _("food budget")), _money(reserved,
                                                                         _("reserved"))
    if reserved > food_budget:
        raise ValidationError(_("reserved: %(reserved)s yuan is more than the food budget "
                                "(%(budget)s yuan)")
                              % {"reserved": reserved, "budget": food_budget})
    with transaction.atomic():
        plan = ConsumptionPlan.objects.select_for_update().filter(unit=unit, year=year).first()
        before = None if plan is None else {"food_budget": str(plan.food_budget),
                                            "reserved": str(plan.reserved)}
        if plan is None:
            plan = ConsumptionPlan(unit=unit, year=year)
        plan.food_budget, plan.reserved = food_budget, reserved
        plan.save()
        audit.record("regional.consumption_plan", actor=actor, obj=plan,
                     region_code=unit.region_code, before=before,
                     after={"year": int(year), "food_budget": str(food_budget),
                            "reserved": str(reserved)})
    return plan


def do_import_purchases(data: bytes, file_name: str, *, actor) -> ConsumptionBatch:
    """Apply a purchase file whole, or keep its problems and apply nothing. The buying units
    are named as registered in the actor's scope; an order already recorded with the same
    terms is skipped (re-sending a file is harmless), with other terms it is a problem."""
    require(actor, Capability.MANAGE_FUNDS)
    scope = scope_of(actor)
    if scope.national:
        raise ValidationError(_("purchase files are sent by a province, prefecture or county"))
    checksum = hashlib.sha256(data).hexdigest()
    done = ConsumptionBatch.objects.filter(sha256=checksum, accepted=True,
                                           region_code=scope.common_region()).first()
    if done is not None:
        return done
    read = rules.read(data, file_name)
    problems = [p.as_dict() for p in read.problems]
    units = {u.name: u for u in BudgetUnit.objects.filter(scope_q(scope, "region_code"))}
    recorded = {(p.unit_id, p.order): p for p in ConsumptionPurchase.objects.filter(
        unit__in=list(units.values()), order__in={p.order for p in read.purchases})}
    new = []
    for p in read.purchases:
        unit = units.get(p.unit)
        if unit is None:
            problems.append(rules.Problem(file_name, p.row, "采购单位", p.unit, "unknown_unit",
                                          "no budget unit of this name in your region: "
                                          "register it first").as_dict())
            continue
        old = recorded.get((unit.pk, p.order))
        if old is not None:
            if (old.amount, old.purchased_on, old.supplier) != (p.amount, p.purchased_on,
                                                                p.supplier):
                problems.append(rules.Problem(
                    file_name, p.row, "订单编号", p.order, "order_changed",
                    f"the unit's order is already recorded with {old.amount} yuan on "
                    f"{old.purchased_on}").as_dict())
            continue
        new.append((unit, p))
    problems.sort(key=lambda x: (x["row"], x["column"]))
    with all_or_nothing(), transaction.atomic():
        batch = ConsumptionBatch(region_code=scope.common_region(), file_name=file_name[-200:],
                                 sha256=checksum, received_at=timezone.now(),
                                 accepted=not problems, problems=problems[:1000],
                                 rows=0 if problems else len(new), actor=actor)
        suffix = ".xlsx" if file_name.lower().endswith(".xlsx") else ".csv"
        batch.original.save(f"{checksum[:16]}{suffix}", ContentFile(data), save=False)
        batch.save()
        if not problems:
            ConsumptionPurchase.objects.bulk_create([ConsumptionPurchase(
                unit=unit, batch=batch, source_row=p.row, order=p.order,
                purchased_on=p.purchased_on, supplier=p.supplier[:120],
                supplier_county=p.supplier_county, product=p.product[:120], amount=p.amount,
                channel=p.channel) for unit, p in new])
        audit.record("regional.consumption_import", actor=actor, obj=batch,
                     region_code=scope.audit_region(),
                     after={"file": batch.file_name, "sha256": checksum,
                            "accepted": batch.accepted, "purchases": batch.rows,
                            "problems": len(problems)})
    return batch


def unit_years(units, year: int) -> list:
    """Each unit's plan and purchases of ``year`` as the engine's rows (units without a plan
    are left out: there is nothing to judge)."""
    units = list(units)
    plans = {p.unit_id: p for p in ConsumptionPlan.objects.filter(unit__in=units, year=year)}
    bought = defaultdict(lambda: Decimal("0.00"))
    for row in ConsumptionPurchase.objects.filter(
            unit__in=units, purchased_on__gte=date(year, 1, 1),
            purchased_on__lte=date(year, 12, 31)).values("unit_id").annotate(s=Sum("amount")):
        bought[row["unit_id"]] = Decimal(row["s"] or 0).quantize(Decimal("0.01"))
    return [rules.UnitYear(str(u.pk), u.name, u.region_code, year, plans[u.pk].food_budget,
                           plans[u.pk].reserved, bought[u.pk]) for u in units if u.pk in plans]


def findings(rows, today: date) -> list:
    by_county: dict[str, list] = defaultdict(list)
    for row in rows:
        by_county[row.region_code[:6]].append(row)
    found = []
    for county, items in sorted(by_county.items()):
        found += rules.findings(items, resolve(county, today), today)
    return found


def units_in(code: str):
    return BudgetUnit.objects.filter(code_prefix_q("region_code", code))
