"""Consumption assistance (消费帮扶, domain.md §8.4), without Django: reading a file of
purchases (the 832 platform's order export, or a unit's own list) and each budget unit's
compliance with its reserved share.

* Budget units reserve a share of their canteen food purchases for products from
  poverty-alleviated areas (预留份额). A unit's **reserved share** is its reserved amount over
  its year's food-purchase budget; below ``regional.consumption_reserved_share_min`` it is a
  finding (``CONSUMPTION_RESERVED_BELOW_SHARE``).
* Its **completion** is what it bought over what it reserved (Guangxi 2023: 316 M of 223 M,
  141 %, §8.4). A year that has ended with less bought than reserved is a finding
  (``CONSUMPTION_BELOW_RESERVED``); during the year the completion is shown, not flagged.

A purchase file has one row per order: order number, buying unit, date, supplier, the
supplier's county (6-digit code), product and amount; the channel is optional (832 platform
by default). Reading names the file, row, column, value and rule of every problem and keeps
nothing of a file with any (the caller applies all rows or none).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from dixian.engine.funds import Finding
from dixian.engine.regional.files import open_table, records

CHANNELS = {"platform_832": "832平台", "direct": "直接采购", "east_west": "东西部协作",
            "other": "其他"}
#: column -> headers a file may use (the first is the template's)
HEADERS = {
    "order": ("订单编号", "订单号", "order"),
    "unit": ("采购单位", "预算单位", "unit"),
    "purchased_on": ("采购日期", "下单日期", "订单日期", "date"),
    "supplier": ("供应商", "供应商名称", "supplier"),
    "supplier_county": ("供应商所在县代码", "供应商所在县", "supplier_county"),
    "product": ("商品", "商品名称", "product"),
    "amount": ("金额（元）", "金额(元)", "金额", "amount"),
    "channel": ("渠道", "channel"),
}
REQUIRED = ("order", "unit", "purchased_on", "supplier", "supplier_county", "amount")
MAX_AMOUNT = Decimal("100000000")


@dataclass(frozen=True)
class Purchase:
    row: int
    order: str
    unit: str
    purchased_on: date
    supplier: str
    supplier_county: str
    product: str
    amount: Decimal
    channel: str


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    value: str
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column,
                "value": self.value, "rule": self.rule, "message": self.message}


@dataclass
class Read:
    purchases: list[Purchase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)




def read(data: bytes, file_name: str) -> Read:
    """The purchases of a file, or its problems (never both kept: see the module's doc)."""
    out = Read()

    def problem(row: int, column: str, value: str, rule: str, message: str) -> None:
        out.problems.append(Problem(file_name, row, column, value[:100], rule, message))

    table = open_table(data, file_name, what="a purchase file", headers=HEADERS,
                       required=REQUIRED, problem=problem)
    if table is None:
        return out
    rows, start, where = table
    seen: dict[tuple[str, str], int] = {}
    for n, values in records(rows, start, where, HEADERS):
        bad = False
        for column in REQUIRED:
            if not values[column]:
                problem(n, HEADERS[column][0], "", "required", "the cell is empty")
                bad = True
        try:
            on = _date(values["purchased_on"]) if values["purchased_on"] else None
        except ValueError:
            problem(n, HEADERS["purchased_on"][0], values["purchased_on"], "date",
                    "not a date (YYYY-MM-DD)")
            bad, on = True, None
        try:
            amount = Decimal(values["amount"].replace(",", "")) if values["amount"] else None
            if amount is not None and (not amount.is_finite() or amount <= 0
                                       or amount > MAX_AMOUNT):
                raise InvalidOperation
        except InvalidOperation:
            problem(n, HEADERS["amount"][0], values["amount"], "amount",
                    f"not an amount above 0 and at most {MAX_AMOUNT} yuan")
            bad, amount = True, None
        county = values["supplier_county"]
        if county and not (len(county) == 6 and county.isdigit()):
            problem(n, HEADERS["supplier_county"][0], county, "county_code",
                    "not a 6-digit county code")
            bad = True
        channel = values["channel"] or "platform_832"
        channel = next((k for k, v in CHANNELS.items() if channel in (k, v)), None)
        if channel is None:
            problem(n, HEADERS["channel"][0], values["channel"], "channel",
                    "not one of " + "、".join(CHANNELS.values()))
            bad = True
        key = (values["unit"], values["order"])
        if values["order"] and key in seen:
            problem(n, HEADERS["order"][0], values["order"], "duplicate_order",
                    f"the unit's order is already on row {seen[key]}")
            bad = True
        seen.setdefault(key, n)
        if not bad:
            out.purchases.append(Purchase(n, values["order"], values["unit"], on,
                                          values["supplier"], county, values["product"],
                                          amount.quantize(Decimal("0.01")), channel))
    if not out.purchases and not out.problems:
        problem(start + 1, "", "", "no_rows", "the file has a header but no purchase")
    return out


def _date(text: str) -> date:
    text = text.strip().split(" ")[0].replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return datetime.strptime(text, "%Y-%m-%d").date()


def template_csv() -> bytes:
    """The file a unit fills in: the header and one example row (UTF-8 with BOM for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([h[0] for h in HEADERS.values()])
    writer.writerow(["832-2026-000001", "望谟县人民医院", "2026-03-15", "望谟县板栗专业合作社",
                     "522326", "板栗 500 斤", "6000.00", "832平台"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class UnitYear:
    key: str
    name: str
    region_code: str
    year: int
    food_budget: Decimal       # the year's canteen food purchases, planned (yuan)
    reserved: Decimal          # the amount reserved for poverty-alleviated areas (yuan)
    bought: Decimal            # bought from them in the year (yuan)

    @property
    def reserved_share(self) -> Decimal | None:
        return self.reserved / self.food_budget if self.food_budget else None

    @property
    def completion(self) -> Decimal | None:
        return self.bought / self.reserved if self.reserved else None


def findings(units: Iterable[UnitYear], policy: Mapping, today: date) -> list[Finding]:
    share = Decimal(str(policy["regional.consumption_reserved_share_min"]))
    found: list[Finding] = []
    for u in units:
        if u.food_budget and u.reserved < share * u.food_budget:
            found.append(Finding(
                "CONSUMPTION_RESERVED_BELOW_SHARE", "consumption_unit", u.key, u.region_code,
                f"{u.name}{u.year}年预留份额{u.reserved}元，占食堂食材采购预算{u.food_budget}元的"
                f"{u.reserved_share:.1%}，低于{share:.0%}",
                f"{u.name} reserved {u.reserved} yuan in {u.year}, {u.reserved_share:.1%} of "
                f"its canteen food budget of {u.food_budget} yuan: below {share:.0%}",
                {"share": str(u.reserved_share)}))
        if today > date(u.year, 12, 31) and u.bought < u.reserved:
            found.append(Finding(
                "CONSUMPTION_BELOW_RESERVED", "consumption_unit", u.key, u.region_code,
                f"{u.name}{u.year}年采购脱贫地区农副产品{u.bought}元，未完成预留份额{u.reserved}元",
                f"{u.name} bought {u.bought} yuan from poverty-alleviated areas in {u.year}, "
                f"less than the {u.reserved} yuan it reserved"))
    return found
