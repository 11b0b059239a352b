"""The county's workbook in the shapes counties report: funds by source, the industry share,
the project library, payments, the asset registry, income distribution and the findings.
Every text cell goes through :func:`dixian.core.cells.safe_row` (no formula runs)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from dixian.core.access import code_prefix_q
from dixian.core.cells import safe_row
from dixian.funds import checks
from dixian.funds.models import Asset, Distribution, Payment, Project, Source


def _q(field: str, code: str):
    return code_prefix_q(field, code)


def workbook(code: str, today: date) -> bytes:
    view = checks.overview(code, today)
    book = Workbook(write_only=True)
    sources = dict(Source.choices)

    def sheet(title: str, header: list[str], rows) -> None:
        ws = book.create_sheet(title)
        ws.append(safe_row(header))
        for row in rows:
            ws.append(safe_row(row))

    sheet("资金来源", ["年度", "资金来源", "到位金额（元）", "已安排（元）", "已支付（元）",
                   "支付进度"],
          ([r["year"], str(sources.get(r["source"], r["source"])), float(r["amount"]),
            float(r["appropriated"]), float(r["paid"]), r["progress"]]
           for r in view.funds_by_source))
    sheet("产业发展比重", ["区划", "年度", "产业比重", "最低要求", "低于要求"],
          ([s.region_code, s.year, s.share, s.minimum, "是" if s.flagged else "否"]
           for s in view.shares))
    sheet("项目库", ["项目编号", "年度", "区划", "项目名称", "类别", "状态", "计划金额（元）",
                  "合同金额（元）", "承建单位", "进度%", "计划完工", "验收日期", "决算金额（元）"],
          ([p.pk, p.year, p.region_code, p.title, str(p.get_category_display()),
            str(p.get_state_display()), float(p.amount),
            float(p.contract_amount) if p.contract_amount else None, p.contractor, p.progress,
            p.planned_completion, p.accepted_on,
            float(p.final_amount) if p.final_amount else None]
           for p in Project.objects.filter(_q("region_code", code)).order_by("year", "pk")))
    sheet("资金支付", ["项目编号", "项目名称", "支付日期", "金额（元）", "收款单位", "尾款",
                   "凭证号"],
          ([p.project_id, p.project.title, p.paid_on, float(p.amount), p.payee,
            "是" if p.final else "否", p.document]
           for p in Payment.objects.filter(_q("project__region_code", code))
           .select_related("project").order_by("paid_on", "pk")))
    sheet("资产台账", ["资产编号", "资产名称", "类型", "所有权", "权属区划", "经营主体",
                   "账面价值（元）", "形成日期", "状况", "管护责任", "监管体系", "状态",
                   "处置分类"],
          ([a.pk, a.name, str(a.get_category_display()), str(a.get_owner_level_display()),
            a.owner_code, a.operator, float(a.book_value), a.formed_on,
            str(a.get_condition_display()), a.maintenance_duty,
            str(a.get_supervision_display()), str(a.get_status_display()),
            str(a.get_action_display()) if a.action else ""]
           for a in Asset.objects.filter(_q("region_code", code)).order_by("pk")))
    sheet("收益分配", ["资产编号", "月份", "分配方式", "户编号", "成员编号", "金额（元）", "依据"],
          ([d.income.asset_id, d.income.month, str(d.get_channel_display()),
            d.household.code if d.household else "", d.member.member_id if d.member else "",
            float(d.amount), d.basis]
           for d in Distribution.objects.filter(_q("region_code", code))
           .select_related("income", "household", "member").order_by("income__month", "pk")))
    sheet("发现的问题", ["规则", "对象", "编号", "区划", "说明"],
          ([f.rule, f.object_type, f.object_key, f.region_code, f.sentence_zh]
           for f in view.findings))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
