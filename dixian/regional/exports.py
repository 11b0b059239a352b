"""The region's relocation follow-up workbook: the indicators by site and in total, the
households with their employment, and what must be followed up. No names; every text cell goes
through :func:`dixian.core.cells.safe_row` (no formula runs)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from dixian.core.access import code_prefix_q
from dixian.core.cells import safe_row
from dixian.regional import relocation
from dixian.regional.bridge import relocation as rules
from dixian.regional.bridge import resolve
from dixian.regional.models import Relocated, ResettlementSite


def _pct(x):
    return round(x, 4) if x is not None else None


def workbook(code: str, today: date) -> bytes:
    policy = resolve(code, today)
    month = relocation.month_of(today)
    rows = relocation.household_rows(Relocated.objects.filter(code_prefix_q("region_code", code)),
                                     policy, today)
    result = rules.indicators(rows, policy, month)
    sites = list(ResettlementSite.objects.filter(code_prefix_q("region_code", code)))
    book = Workbook(write_only=True)

    def sheet(title: str, header: list[str], lines) -> None:
        ws = book.create_sheet(title)
        ws.append(safe_row(header))
        for line in lines:
            ws.append(safe_row(line))

    header = ["安置点", "区划", "大型安置点", "搬迁户数", "搬迁人口", "有劳动能力人数", "就业人数",
              "就业率", "有劳动力家庭数", "至少一人就业家庭数", "零就业家庭数", "未按期跟踪人数",
              "人均纯收入（元）", "工资性收入占比", "学校", "医疗机构", "养老设施", "帮扶车间"]

    def line(name, region, ind: rules.Indicators, site=None):
        return [name, region, "是" if ind.large else "否", ind.households, ind.persons,
                ind.able, ind.employed, _pct(ind.employment_rate), ind.households_with_labour,
                ind.households_with_employment, ind.zero_employment_households,
                ind.not_followed_up, ind.per_capita_net_income, _pct(ind.wage_share),
                *([site.schools, site.clinics, site.elderly_care, site.workshops]
                  if site else [sum(s.schools for s in sites), sum(s.clinics for s in sites),
                                sum(s.elderly_care for s in sites),
                                sum(s.workshops for s in sites)])]

    sheet("分安置点指标", header,
          [line(s.name, s.region_code, result.by_site.get(str(s.pk), rules.Indicators()), s)
           for s in sites] + [line("合计", code, result.total)])
    names = {str(s.pk): s.name for s in sites}
    sheet("搬迁户就业", ["安置点", "户编号", "成员编号", "有劳动能力", "最近跟踪月份", "就业",
                    "月收入（元）"],
          ([names.get(h.site, h.site), h.household, m.member, "是" if m.able else "否",
            m.last_month or "", "是" if rules.counts_as_employed(m, month, policy) else "否",
            m.monthly_income] for h in rows for m in h.members))
    sheet("需跟进事项", ["规则", "户编号", "区划", "说明"],
          ([f.rule, f.figures.get("household", ""), f.region_code, f.sentence_zh]
           for f in result.findings))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
