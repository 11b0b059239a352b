"""The monthly county report (防止返贫动态监测月报) built from computed indicators.

The shape follows what counties and prefectures publish (domain.md §6.1, the Baoshan template
[VL S18] and county reports [VL S79, S80]): totals by category in households and persons,
eliminated and not eliminated, the risk-elimination rate in persons, new identifications and
eliminations of the month by category, assistance coverage and timeliness, incomes, overdue
work and data quality, then one line per township (or village). It is a shared document:
small counts are suppressed (:mod:`.display`).

The text is Chinese (``lang="zh"``, the official form) or English (``lang="en"``).

>>> from dixian.engine.indicators.report import monthly_report
>>> row = {"monitored_households": 120, "monitored_persons": 400, "identified_households": 300,
...        "identified_persons": 1000, "eliminated_assisted_persons": 500,
...        "eliminated_natural_persons": 100}
>>> r = monthly_report("望谟县", "2025-06", row, {}, [], [], [])
>>> r.title, r.period, r.sections[0].tables[0].rows[0][:2]
('防止返贫动态监测月报', '2025年6月', ('监测对象户数（未消除风险）', 120))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..reports import Column, Report, ReportTable, Section
from ..schema import ENUMS
from .display import DEFAULT_THRESHOLD, persons, rate

__all__ = ["monthly_report", "CATEGORY_LABELS", "TEXT"]

#: the national reports' three transition categories come first, whatever the month holds
CATEGORIES = ("UNSTABLE", "MARGINAL", "SUDDEN")
CATEGORY_LABELS = {
    "zh": dict(ENUMS["monitoring_category"]),
    "en": {"UNSTABLE": "Unstable poverty-alleviated", "MARGINAL": "Marginal, prone to poverty",
           "SUDDEN": "Sudden severe hardship"},
}


def _categories(*sources) -> list[str]:
    """The three transition categories, then every other category of the month's rows (a
    province's own scheme, engine.eligibility), in code order."""
    seen = {r.get("category") or "" for rows in sources for r in rows}
    return [*CATEGORIES, *sorted(k for k in seen if k and k not in CATEGORIES)]


def _category_label(code: str, lang: str) -> str:
    from ..eligibility.categories import known_categories

    if code in CATEGORY_LABELS[lang]:
        return CATEGORY_LABELS[lang][code]
    names = known_categories().get(code)
    return names["zh" if lang == "zh" else "en"] if names else code

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "防止返贫动态监测月报",
        "period": "{y}年{m}月",
        "s1": "一、总体情况",
        "s2": "二、监测对象分类别情况",
        "s3": "三、本月新识别和风险消除",
        "s4": "四、帮扶措施落实和工作时效",
        "s5": "五、收入和贫困状况",
        "s6": "六、逾期事项和数据质量",
        "s7": "七、分地区情况",
        "t1": "表1 监测对象总体情况",
        "t2": "表2 监测对象按类别统计",
        "t3": "表3 本月新识别和风险消除（按类别）",
        "t4": "表4 帮扶措施落实率和时效",
        "t5": "表5 收入和贫困",
        "t6": "表6 逾期事项和数据质量",
        "t7": "表7 分地区情况",
        "indicator": "指标",
        "this": "本月",
        "last": "上月",
        "change": "增减",
        "category": "类别",
        "total": "合计",
        "households": "户数",
        "persons": "人数",
        "active_h": "未消除风险户数",
        "active_p": "未消除风险人数",
        "assisted_h": "帮扶消除户数",
        "natural_h": "自然消除户数",
        "elim_p": "已消除风险人数",
        "elim_rate": "风险消除率（人）",
        "new_h": "新识别户数",
        "new_p": "新识别人数",
        "return_h": "其中返贫户数",
        "elim_h": "风险消除户数",
        "elim_pp": "风险消除人数",
        "rate": "比率",
        "low": "95%区间下限",
        "high": "95%区间上限",
        "num": "分子",
        "den": "分母",
        "value": "数值",
        "count": "数量",
        "region": "地区",
        "coverage": "帮扶措施落实率",
        "overdue_cases": "逾期案件",
        "r_monitored_h": "监测对象户数（未消除风险）",
        "r_monitored_p": "监测对象人数（未消除风险）",
        "r_identified_h": "累计识别户数",
        "r_identified_p": "累计识别人数",
        "r_new_h": "本月新识别户数",
        "r_new_p": "本月新识别人数",
        "r_elim_h": "本月风险消除户数",
        "r_elim_p": "本月风险消除人数",
        "r_returns": "本月返贫户数",
        "q_coverage": "帮扶措施落实率（监测户有至少一项措施）",
        "q_dev": "开发式帮扶覆盖率（有劳动能力监测户）",
        "q_industry": "产业帮扶覆盖率（脱贫户和监测户）",
        "q_safety": "纳入低保或特困的监测户占比",
        "q_elim": "风险消除率（人）",
        "q_sla": "{sla}日内完成识别的占比",
        "q_measure": "识别后{target}日内落实措施的占比",
        "q_visits": "本月走访覆盖率",
        "i_ident_lag": "识别用时中位数（天）",
        "i_measure_lag": "措施落实用时中位数（天）",
        "i_pa_mean": "脱贫户人均纯收入（元，近12个月）",
        "i_pa_median": "脱贫户人均纯收入中位数（元，按户）",
        "i_pa_growth": "脱贫户人均纯收入同比增长（%）",
        "i_mon_mean": "监测户人均纯收入（元）",
        "i_line": "监测范围（元/人·年）",
        "i_fgt0": "低于监测范围的人口占比（%）",
        "i_fgt1": "贫困距指数（%）",
        "i_fgt2": "平方贫困距指数（%）",
        "i_vuln": "脆弱性（平均返贫致贫概率，%）",
        "o_cases": "逾期未办结案件",
        "o_measures": "逾期未落实帮扶措施",
        "o_quality": "未整改数据质量问题",
        "o_quality_rate": "每千条记录",
        "intro": ("截至{period}末，{region}共有监测对象{h}户{p}人（未消除风险），累计识别{ih}"
                  "户{ip}人，风险消除率{rate}。本月新识别{nh}户，风险消除{eh}户。"),
        "note_suppress": "共享版本：少于{t}户的数字以“—”表示，分母少于{t}户的比率不予显示。",
        "note_rates": "比率后附95%置信区间（Wilson区间），样本越小区间越宽。",
        "note_source": ("数据来源：底线平台台账（监测周期、审批案件、帮扶措施、数据质量问题）"
                        "，{computed}计算。"),
        "note_defs": "指标定义见平台文档《统计指标》（docs/statistics.md）。",
        "note_income": "收入和贫困指标为截至{month}的12个月（最近一个收入满一年的月份）。",
        "note_exact": "内部版本：数字未作小数抑制，仅供工作使用，不得对外公开。",
    },
    "en": {
        "title": "Monthly report on the dynamic monitoring to prevent return to poverty",
        "period": "{y}-{m:02d}",
        "s1": "1. Overview",
        "s2": "2. Monitored households by category",
        "s3": "3. Identified and eliminated this month",
        "s4": "4. Assistance and timeliness",
        "s5": "5. Incomes and poverty",
        "s6": "6. Overdue work and data quality",
        "s7": "7. By region",
        "t1": "Table 1 Monitored households",
        "t2": "Table 2 By category",
        "t3": "Table 3 Identified and eliminated this month, by category",
        "t4": "Table 4 Assistance coverage and timeliness",
        "t5": "Table 5 Incomes and poverty",
        "t6": "Table 6 Overdue work and data quality",
        "t7": "Table 7 By region",
        "indicator": "Indicator",
        "this": "This month",
        "last": "Last month",
        "change": "Change",
        "category": "Category",
        "total": "Total",
        "households": "Households",
        "persons": "Persons",
        "active_h": "Active households",
        "active_p": "Active persons",
        "assisted_h": "Eliminated, assisted",
        "natural_h": "Eliminated, natural",
        "elim_p": "Persons eliminated",
        "elim_rate": "Risk-elimination rate (persons)",
        "new_h": "Identified (households)",
        "new_p": "Identified (persons)",
        "return_h": "of which returns",
        "elim_h": "Eliminated (households)",
        "elim_pp": "Eliminated (persons)",
        "rate": "Rate",
        "low": "95% low",
        "high": "95% high",
        "num": "Numerator",
        "den": "Denominator",
        "value": "Value",
        "count": "Count",
        "region": "Region",
        "coverage": "Assistance coverage",
        "overdue_cases": "Overdue cases",
        "r_monitored_h": "Monitored households (active)",
        "r_monitored_p": "Monitored persons (active)",
        "r_identified_h": "Households ever identified",
        "r_identified_p": "Persons ever identified",
        "r_new_h": "Households identified this month",
        "r_new_p": "Persons identified this month",
        "r_elim_h": "Households eliminated this month",
        "r_elim_p": "Persons eliminated this month",
        "r_returns": "Returns to poverty this month",
        "q_coverage": "Assistance coverage (active households with a measure)",
        "q_dev": "Development-oriented coverage (households with labour)",
        "q_industry": "Industry coverage (poverty-alleviated and monitored households)",
        "q_safety": "Monitored households under dibao or tekun",
        "q_elim": "Risk-elimination rate (persons)",
        "q_sla": "Identified within {sla} days",
        "q_measure": "First measure within {target} days",
        "q_visits": "Monthly visits done",
        "i_ident_lag": "Median days to identification",
        "i_measure_lag": "Median days to the first measure",
        "i_pa_mean": "Per-capita net income, poverty-alleviated (yuan, 12 months)",
        "i_pa_median": "Median per-capita net income, poverty-alleviated (households)",
        "i_pa_growth": "Growth of that income on a year earlier (%)",
        "i_mon_mean": "Per-capita net income, monitored (yuan)",
        "i_line": "Monitoring line (yuan per person per year)",
        "i_fgt0": "Persons below the monitoring line (%)",
        "i_fgt1": "Poverty gap index (%)",
        "i_fgt2": "Squared poverty gap index (%)",
        "i_vuln": "Vulnerability (mean VEP, %)",
        "o_cases": "Cases overdue",
        "o_measures": "Measures overdue",
        "o_quality": "Open data-quality issues",
        "o_quality_rate": "Per 1,000 records",
        "intro": ("At the end of {period}, {region} had {h} monitored households ({p} persons)"
                  " with risk not yet eliminated; {ih} households ({ip} persons) had ever been"
                  " identified; the risk-elimination rate was {rate}. This month {nh} househol"
                  "ds were identified and {eh} had their risk eliminated."),
        "note_suppress": ('Shared version: counts below {t} households show as "—"; rates over'
                          " fewer than {t} households are withheld."),
        "note_rates": "Rates carry a 95% Wilson interval; the smaller the group, the wider.",
        "note_source": ("Source: the Dixian ledger (monitoring spells, cases, measures, data-q"
                        "uality issues), computed {computed}."),
        "note_defs": "Definitions: docs/statistics.md.",
        "note_income": ("Incomes and poverty over the 12 months to {month} (the latest month "
                        "with a full year of incomes)."),
        "note_exact": "Internal version: exact figures, for work use only, not for publication.",
    },
}


def _c(value: Any, shared: bool, threshold: int) -> int | None:
    if value is None:
        return None
    value = int(value)
    return None if shared and 0 < value < threshold else value


def _r(num: Any, den: Any, shared: bool, threshold: int):
    return rate(num, den, shared=shared, threshold=threshold)


def monthly_report(region_name: str, period: str, row: Mapping[str, Any],
                   previous: Mapping[str, Any], breakdown: Sequence[Mapping[str, Any]],
                   flows: Sequence[Mapping[str, Any]],
                   children: Sequence[tuple[str, Mapping[str, Any]]], *, lang: str = "zh",
                   shared: bool = True, threshold: int = DEFAULT_THRESHOLD,
                   issuer: str | None = None, issued: str | None = None,
                   computed: str = "", sla_days: int = 15, target_days: int = 15,
                   income_row: Mapping[str, Any] | None = None,
                   income_period: str | None = None) -> Report:
    """The report of one region for one month.

    ``row`` and ``previous`` are summary rows (:data:`~.engine.SUMMARY_FIELDS`) of the month
    and the month before (empty when unknown); ``breakdown`` and ``flows`` the region's rows
    of that month; ``children`` (name, summary row) pairs of the sub-regions.
    ``income_row`` is the summary row of ``income_period``, the latest month up to ``period``
    with a full year of incomes (a month's incomes arrive after it ends, so the month itself
    often has none): the income section reads it, as the dashboard does. Without it the
    section reads ``row``. ``shared=False`` gives the internal version: exact counts.
    """
    t = TEXT[lang]
    y, m = int(period[:4]), int(period[5:7])
    period_text = t["period"].format(y=y, m=m)

    def g(src, name):
        return (src or {}).get(name)

    def c(value):
        return _c(value, shared, threshold)

    def cp(value, households):
        """persons, suppressed with their households"""
        return persons(value, households, shared=shared, threshold=threshold).value

    eliminated_p = (g(row, "eliminated_assisted_persons") or 0) + (
        g(row, "eliminated_natural_persons") or 0)
    elim_rate = _r(eliminated_p, g(row, "identified_persons"), shared, threshold)

    households_of = {"monitored_persons": "monitored_households",
                     "identified_persons": "identified_households",
                     "new_identified_persons": "new_identified_households",
                     "new_eliminated_persons": "new_eliminated_households"}

    def shown_value(src, name):
        if name in households_of:
            return cp(g(src, name), g(src, households_of[name]))
        return c(g(src, name))

    def delta(name):
        a, b = shown_value(row, name), shown_value(previous, name)
        if a is None or b is None:
            return None
        return int(a) - int(b)

    counts = [("r_monitored_h", "monitored_households"), ("r_monitored_p", "monitored_persons"),
              ("r_identified_h", "identified_households"),
              ("r_identified_p", "identified_persons"),
              ("r_new_h", "new_identified_households"), ("r_new_p", "new_identified_persons"),
              ("r_elim_h", "new_eliminated_households"), ("r_elim_p", "new_eliminated_persons"),
              ("r_returns", "returns_households")]
    t1 = ReportTable(t["t1"], [Column(t["indicator"]), Column(t["this"], kind="integer"),
                               Column(t["last"], kind="integer"),
                               Column(t["change"], kind="integer")],
                     [(t[label], shown_value(row, name), shown_value(previous, name),
                       delta(name)) for label, name in counts])

    by_cat: dict[str, dict[str, int]] = {k: {} for k in CATEGORIES}
    for r in breakdown:
        k = r.get("category") or ""
        d = by_cat.setdefault(k, {})
        for col in ("households", "persons"):
            d[f"{r['status']}_{col}"] = d.get(f"{r['status']}_{col}", 0) + int(r[col] or 0)
    rows2 = []
    totals: dict[str, int] = {}

    def cat_row(label, d):
        h = sum(v for k, v in d.items() if k.endswith("_households"))
        p = sum(v for k, v in d.items() if k.endswith("_persons"))
        ep = d.get("ELIMINATED_ASSISTED_persons", 0) + d.get("ELIMINATED_NATURAL_persons", 0)
        rt = _r(ep, p, shared, threshold)
        eh = d.get("ELIMINATED_ASSISTED_households", 0) + d.get(
            "ELIMINATED_NATURAL_households", 0)
        return (label, c(h), cp(p, h), c(d.get("ACTIVE_households", 0)),
                cp(d.get("ACTIVE_persons", 0), d.get("ACTIVE_households", 0)),
                c(d.get("ELIMINATED_ASSISTED_households", 0)),
                c(d.get("ELIMINATED_NATURAL_households", 0)), cp(ep, eh), rt.value)

    categories = _categories(breakdown, flows)
    for k in categories:
        d = by_cat.get(k, {})
        rows2.append(cat_row(_category_label(k, lang), d))
        for key, v in d.items():
            totals[key] = totals.get(key, 0) + v
    if by_cat.get(""):  # rows without a category
        rows2.append(cat_row("—", by_cat[""]))
        for key, v in by_cat[""].items():
            totals[key] = totals.get(key, 0) + v
    rows2.append(cat_row(t["total"], totals))
    t2 = ReportTable(t["t2"], [Column(t["category"]), Column(t["households"], kind="integer"),
                               Column(t["persons"], kind="integer"),
                               Column(t["active_h"], kind="integer"),
                               Column(t["active_p"], kind="integer"),
                               Column(t["assisted_h"], kind="integer"),
                               Column(t["natural_h"], kind="integer"),
                               Column(t["elim_p"], kind="integer"),
                               Column(t["elim_rate"], kind="percent")],
                     rows2, total_rows=1)

    ev: dict[tuple[str, str], tuple[int, int]] = {}
    for r in flows:
        ev[(r.get("category") or "", r["event"])] = (int(r["households"]), int(r["persons"]))
    rows3 = []
    tot3 = [0, 0, 0, 0, 0]
    for k in categories:
        nh, np_ = ev.get((k, "identified"), (0, 0))
        rh, _ = ev.get((k, "returned"), (0, 0))
        ah, ap = ev.get((k, "eliminated_assisted"), (0, 0))
        xh, xp = ev.get((k, "eliminated_natural"), (0, 0))
        vals = [nh, np_, rh, ah + xh, ap + xp]
        tot3 = [a + b for a, b in zip(tot3, vals, strict=True)]
        rows3.append((_category_label(k, lang), c(nh), cp(np_, nh), c(rh), c(ah + xh),
                      cp(ap + xp, ah + xh)))
    rows3.append((t["total"], c(tot3[0]), cp(tot3[1], tot3[0]), c(tot3[2]), c(tot3[3]),
                  cp(tot3[4], tot3[3])))
    t3 = ReportTable(t["t3"], [Column(t["category"]), Column(t["new_h"], kind="integer"),
                               Column(t["new_p"], kind="integer"),
                               Column(t["return_h"], kind="integer"),
                               Column(t["elim_h"], kind="integer"),
                               Column(t["elim_pp"], kind="integer")],
                     rows3, total_rows=1)

    rates = [
        ("q_coverage", g(row, "coverage_num"), g(row, "monitored_households")),
        ("q_dev", g(row, "dev_num"), g(row, "dev_den")),
        ("q_industry", g(row, "industry_num"), g(row, "industry_den")),
        ("q_safety", g(row, "safety_net_num"), g(row, "monitored_households")),
        ("q_elim", eliminated_p, g(row, "identified_persons")),
        ("q_sla", g(row, "ident_within_sla"), g(row, "ident_decisions")),
        ("q_measure", g(row, "measure_within_target"), g(row, "measure_lag_n")),
        ("q_visits", g(row, "visited_num"), g(row, "monitored_households")),
    ]
    rows4 = []
    for label, num, den in rates:
        rt = _r(num, den, shared, threshold)
        rows4.append((t[label].format(sla=sla_days, target=target_days), rt.value, rt.low,
                      rt.high, c(rt.numerator), c(rt.denominator)))
    t4 = ReportTable(t["t4"], [Column(t["indicator"]), Column(t["rate"], kind="percent"),
                               Column(t["low"], kind="percent"),
                               Column(t["high"], kind="percent"),
                               Column(t["num"], kind="integer"),
                               Column(t["den"], kind="integer")], rows4)

    def pct(v):
        return None if v is None else v * 100

    inc = row if income_row is None else income_row
    pa_n = g(inc, "pa_income_n") or 0
    withheld = shared and 0 < pa_n < threshold
    rows5 = [
        (t["i_ident_lag"], g(row, "ident_lag_median_days")),
        (t["i_measure_lag"], g(row, "measure_lag_median_days")),
        (t["i_pa_mean"], None if withheld else g(inc, "pa_income_mean")),
        (t["i_pa_median"], None if withheld else g(inc, "pa_income_median")),
        (t["i_pa_growth"], None if withheld else pct(g(inc, "pa_income_growth"))),
        (t["i_mon_mean"], None if shared and 0 < (g(inc, "mon_income_n") or 0) < threshold
         else g(inc, "mon_income_mean")),
        (t["i_line"], g(inc, "poverty_line")),
        (t["i_fgt0"], pct(g(inc, "fgt0"))), (t["i_fgt1"], pct(g(inc, "fgt1"))),
        (t["i_fgt2"], pct(g(inc, "fgt2"))), (t["i_vuln"], pct(g(inc, "vulnerability"))),
    ]
    t5 = ReportTable(t["t5"], [Column(t["indicator"]), Column(t["value"], kind="number",
                                                              decimals=1)],
                     rows5, note=t["note_income"].format(month=income_period)
                     if income_period else None)
    records = g(row, "quality_records") or 0
    quality = g(row, "quality_open")
    rows6 = [(t["o_cases"], g(row, "cases_overdue"), None),
             (t["o_measures"], g(row, "measures_overdue"), None),
             (t["o_quality"], quality, None if not records or quality is None
              else round(quality * 1000 / records, 2))]
    t6 = ReportTable(t["t6"], [Column(t["indicator"]), Column(t["count"], kind="integer"),
                               Column(t["o_quality_rate"], kind="number", decimals=2)],
                     rows6)

    rows7 = []
    for name, ch in children:
        ep = (g(ch, "eliminated_assisted_persons") or 0) + (
            g(ch, "eliminated_natural_persons") or 0)
        rows7.append((name, c(g(ch, "monitored_households")),
                      cp(g(ch, "monitored_persons"), g(ch, "monitored_households")),
                      c(g(ch, "new_identified_households")),
                      c(g(ch, "new_eliminated_households")),
                      _r(ep, g(ch, "identified_persons"), shared, threshold).value,
                      _r(g(ch, "coverage_num"), g(ch, "monitored_households"), shared,
                         threshold).value,
                      c(g(ch, "cases_overdue"))))
    t7 = ReportTable(t["t7"], [Column(t["region"]), Column(t["active_h"], kind="integer"),
                               Column(t["active_p"], kind="integer"),
                               Column(t["new_h"], kind="integer"),
                               Column(t["elim_h"], kind="integer"),
                               Column(t["elim_rate"], kind="percent"),
                               Column(t["coverage"], kind="percent"),
                               Column(t["overdue_cases"], kind="integer")],
                     rows7)

    def shown(value):
        v = c(value)
        return "—" if v is None else f"{v:,}"

    def shown_p(value, households):
        v = cp(value, households)
        return "—" if v is None else f"{v:,}"

    intro = t["intro"].format(
        period=period_text, region=region_name, h=shown(g(row, "monitored_households")),
        p=shown_p(g(row, "monitored_persons"), g(row, "monitored_households")),
        ih=shown(g(row, "identified_households")),
        ip=shown_p(g(row, "identified_persons"), g(row, "identified_households")),
        rate=elim_rate.percent(),
        nh=shown(g(row, "new_identified_households")),
        eh=shown(g(row, "new_eliminated_households")))
    notes = [t["note_rates"], t["note_source"].format(computed=computed), t["note_defs"]]
    notes.insert(0, t["note_suppress"].format(t=threshold) if shared else t["note_exact"])
    sections = [Section(t["s1"], paragraphs=[intro], tables=[t1]), Section(t["s2"], tables=[t2]),
                Section(t["s3"], tables=[t3]), Section(t["s4"], tables=[t4]),
                Section(t["s5"], tables=[t5]), Section(t["s6"], tables=[t6])]
    if rows7:
        sections.append(Section(t["s7"], tables=[t7]))
    return Report(t["title"], region_name, period_text, sections, notes=notes, issuer=issuer,
                  issued=issued)
