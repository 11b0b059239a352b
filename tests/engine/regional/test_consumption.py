"""Consumption assistance (domain.md §8.4): a purchase file read with every problem named, and
a budget unit's reserved share and completion at their limits."""

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

from dixian.engine import policy
from dixian.engine.regional.consumption import UnitYear, findings, read, template_csv

HEADER = "订单编号,采购单位,采购日期,供应商,供应商所在县代码,商品,金额（元）,渠道\n"


def _csv(*rows: str, encoding="utf-8") -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode(encoding)


def test_a_good_file_reads_every_purchase_in_any_encoding():
    rows = ("A1,县人民医院,2026-03-15,板栗合作社,522326,板栗,6000,832平台",
            "A2,县人民医院,20260401,茶叶合作社,522326,茶叶,\"1,250.50\",",
            "A3,县一中,2026/04/02,蔬菜基地,522327,蔬菜,300,东西部协作")
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        got = read(_csv(*rows, encoding=encoding), "orders.csv")
        assert got.problems == []
        assert [(p.order, p.amount, p.channel, p.purchased_on) for p in got.purchases] == [
            ("A1", Decimal("6000.00"), "platform_832", date(2026, 3, 15)),
            ("A2", Decimal("1250.50"), "platform_832", date(2026, 4, 1)),
            ("A3", Decimal("300.00"), "east_west", date(2026, 4, 2))]


def test_an_xlsx_reads_the_same():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["A1", "县人民医院", date(2026, 3, 15), "板栗合作社", "522326", "板栗", 6000,
                  "832平台"])
    data = io.BytesIO()
    book.save(data)
    got = read(data.getvalue(), "orders.xlsx")
    assert got.problems == [] and got.purchases[0].amount == Decimal("6000.00")


def test_every_bad_cell_is_named_with_its_row_column_value_and_rule():
    got = read(_csv("A1,县人民医院,2026-13-01,合作社,522326,板栗,6000,",
                    "A2,县人民医院,2026-03-01,合作社,5223,板栗,-5,",
                    "A3,县人民医院,2026-03-01,合作社,522326,板栗,=1+1,",
                    "A4,,2026-03-01,合作社,522326,板栗,10,",
                    "A5,县人民医院,2026-03-01,合作社,522326,板栗,10,拼多多",
                    "A5,县人民医院,2026-03-01,合作社,522326,板栗,10,"), "orders.csv")
    assert [(p.row, p.column, p.value, p.rule) for p in got.problems] == [
        (2, "采购日期", "2026-13-01", "date"),
        (3, "金额（元）", "-5", "amount"),
        (3, "供应商所在县代码", "5223", "county_code"),
        (4, "金额（元）", "=1+1", "amount"),
        (5, "采购单位", "", "required"),
        (6, "渠道", "拼多多", "channel"),
        (7, "订单编号", "A5", "duplicate_order")]
    assert all(p.file == "orders.csv" for p in got.problems)


def test_files_that_cannot_be_purchases_are_refused_whole():
    assert read(b"", "orders.csv").problems[0].rule == "empty"
    assert read("订单编号,金额\nA1,5\n".encode(), "o.csv").problems[0].rule == "missing_column"
    assert read(HEADER.encode(), "o.csv").problems[0].rule == "no_rows"
    assert read(b"PK\x03\x04broken", "o.xlsx").problems[0].rule == "not_xlsx"
    assert read(b"x", "o.pdf").problems[0].rule == "file_type"
    assert read(b"\x00\x01\xfe", "o.csv").problems[0].rule in ("encoding", "control_character")


def test_the_template_reads_back_clean():
    got = read(template_csv(), "template.csv")
    assert got.problems == [] and len(got.purchases) == 1


def _unit(reserved, bought, budget="1000000", year=2025):
    return UnitYear("1", "县人民医院", "522326", year, Decimal(budget), Decimal(reserved),
                    Decimal(bought))


def _rules(unit, today=date(2026, 6, 1)):
    return [f.rule for f in findings([unit], policy.resolve("522326", today), today)]


def test_the_reserved_share_fires_below_the_policy_share_not_at_it():
    share = Decimal(str(policy.resolve("522326", date(2026, 6, 1))[
        "regional.consumption_reserved_share_min"]))
    at = share * Decimal("1000000")
    assert _rules(_unit(at, at)) == []
    assert _rules(_unit(at - Decimal("0.01"), at)) == ["CONSUMPTION_RESERVED_BELOW_SHARE"]


def test_completion_is_judged_once_the_year_has_ended():
    assert _rules(_unit("100000", "99999.99"), today=date(2025, 12, 31)) == []
    assert _rules(_unit("100000", "99999.99"), today=date(2026, 1, 1)) == [
        "CONSUMPTION_BELOW_RESERVED"]
    assert _rules(_unit("100000", "100000"), today=date(2026, 1, 1)) == []
    assert _unit("223", "316").completion.quantize(Decimal("0.01")) == Decimal("1.42")
