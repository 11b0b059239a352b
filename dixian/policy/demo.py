"""The demo province's policy: one approved past change and one pending proposal with its
preview, made through the same actions as on the pages (in simulated time)."""

from __future__ import annotations

import datetime as dt

from dixian.core.demo import DEMO_PROVINCE, DemoReport
from dixian.core.models import User
from dixian.policy import actions, preview
from dixian.policy.models import PolicyChange

UTC = dt.UTC


def step_policy(report: DemoReport) -> None:
    """Policy changes: one approved and in force, one awaiting the second person."""
    if PolicyChange.objects.filter(region_id=DEMO_PROVINCE).exists():
        return
    maker = User.objects.get(username="policy")
    checker = User.objects.get(username="policy2")
    # Approved in May 2026: three days for the household visit, as some counties allow
    # (domain.md §2.2 household_visit_days "alt 3 [S S93]").
    past = actions.do_propose_policy_change(
        region=DEMO_PROVINCE, title="入户核查时限调整为3天（演示）",
        basis_number="黔乡振发〔2026〕5号（演示）", basis_date=dt.date(2026, 5, 18),
        basis_text="演示数据：为保证入户核查质量，入户核查时限由2天调整为3天（参照 domain.md "
                   "§2.2 household_visit_days 的另一取值 3 天 [S S93]）。",
        effective_from=dt.date(2026, 6, 1),
        values=[{"parameter": "procedure.household_visit_days", "value": 3}], actor=maker,
        now=dt.datetime(2026, 5, 20, 2, tzinfo=UTC))
    actions.do_approve_policy_change(past, actor=checker, reason="同意",
                                     now=dt.datetime(2026, 5, 22, 7, tzinfo=UTC))
    # Pending: the 2027 line, 8,700 → 9,200 (about the growth of rural income, [I]).
    pending = actions.do_propose_policy_change(
        region=DEMO_PROVINCE, title="2027年防止返贫致贫监测收入标准（演示）",
        basis_number="黔乡振发〔2026〕21号（演示）", basis_date=dt.date(2026, 12, 1),
        basis_text="演示数据：按2026年农村居民人均可支配收入增幅，将监测收入标准由8700元调整为"
                   "9200元（推断值 [I]，非正式文件）。",
        effective_from=dt.date(2027, 1, 1),
        values=[{"parameter": "income.monitoring_line", "value": 9200}], actor=maker,
        now=dt.datetime(2026, 12, 2, 2, tzinfo=UTC))
    result = preview.compute(pending)
    report.notes.append(
        f"policy: one approved change, one pending (the 2027 line): "
        f"{len(result.get('entering', []))} households would enter the monitoring range")
