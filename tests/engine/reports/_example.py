"""A realistic county monthly report (made-up figures) to prove the layout."""

from __future__ import annotations

from dixian.engine.reports import Column, Report, ReportTable, Section

TOWNSHIPS = ["王母街道", "复兴镇", "新屯镇", "蔗香镇", "打易镇", "乐元镇", "桑郎镇", "石屯镇",
             "乐旺镇", "麻山镇", "大观镇", "郊纳镇", "油迈瑶族乡", "昂武镇", "岜饶镇"]
TITLE = "望谟县防止返贫动态监测和帮扶工作月报"


def monthly_report() -> Report:
    categories = ReportTable(
        "表1 监测对象按类别统计",
        [Column("监测对象类别"), Column("户数", kind="integer"), Column("人数", kind="integer"),
         Column("占监测户比重", kind="percent"), Column("已消除风险户数", kind="integer"),
         Column("风险消除率（人）", kind="percent", decimals=2)],
        [("脱贫不稳定户", 1412, 5931, 1412 / 3602, 818, 0.5712),
         ("边缘易致贫户", 1655, 6540, 1655 / 3602, 702, 0.4317),
         ("突发严重困难户", 535, 2046, 535 / 3602, 161, 0.3010),
         ("合计", 3602, 14517, 1.0, 1681, 0.4769)],
        total_rows=1,
        note="风险消除率 = 累计风险消除人数 / 累计识别监测人数（R9）。",
    )
    new = ReportTable(
        "表2 本月新识别监测对象（按类别和识别渠道）",
        [Column("监测对象类别"), Column("农户自主申报", kind="integer"),
         Column("基层干部排查", kind="integer"), Column("部门筛查预警", kind="integer"),
         Column("集中排查", kind="integer"), Column("合计", kind="integer")],
        [("脱贫不稳定户", 3, 9, 6, 0, 18), ("边缘易致贫户", 5, 11, 12, 0, 28),
         ("突发严重困难户", 7, 4, 9, 0, 20), ("合计", 15, 24, 27, 0, 66)],
        total_rows=1,
    )
    rows = []
    for k, name in enumerate(TOWNSHIPS):
        households = 140 + 37 * k % 260
        rows.append((name, households, 1.0 if k % 4 else 0.9821, 0.62 + 0.015 * k,
                     0.38 + 0.02 * (k % 7), 9.5 + (k * 1.7) % 8, None if k == 12 else k % 3))
    total = sum(r[1] for r in rows)
    rows.append(("全县", total, 0.9977, 0.7341, 0.4769, 12.1, 14))
    townships = ReportTable(
        "表3 各乡镇帮扶措施落实与风险消除情况",
        [Column("乡（镇、街道）"), Column("监测户数", kind="integer"),
         Column("帮扶措施落实率", kind="percent"), Column("产业帮扶覆盖率", kind="percent"),
         Column("风险消除率", kind="percent"), Column("平均识别用时（天）", kind="number",
                                                   decimals=1),
         Column("超时未落实措施户数", kind="integer")],
        rows, total_rows=1,
        note="识别用时为线索产生至县级审定的天数；“—”表示该乡镇本月未报送。",
    )
    villages = ReportTable(
        "表4 监测户数居前的行政村",
        [Column("行政村代码"), Column("乡（镇）"), Column("行政村"),
         Column("监测户数", kind="integer"), Column("其中本月新识别", kind="integer"),
         Column("监测户占总户数比重", kind="percent")],
        [(f"522326{101 + k // 4:03d}{201 + k:03d}", TOWNSHIPS[k % 15], f"第{k + 1}村",
          80 - k, k % 5, 0.12 - 0.001 * k) for k in range(45)],
    )
    evaluation = ReportTable(
        "表5 成效评估抽样核查结果（第三方评估，300户）",
        [Column("指标"), Column("估计值", kind="percent", decimals=2),
         Column("95%置信区间下限", kind="percent", decimals=2),
         Column("95%置信区间上限", kind="percent", decimals=2),
         Column("阈值"), Column("是否达标")],
        [("识别准确率", 0.9714, 0.9402, 0.9867, "—", "—"),
         ("漏纳率", 0.0121, 0.0042, 0.0342, "≤2%", "达标"),
         ("错纳率", 0.0386, 0.0151, 0.0950, "—", "—"),
         ("错误消除率", 0.0273, 0.0088, 0.0816, "≤2%", "未达标"),
         ("群众认可度", 0.9562, 0.9213, 0.9762, "≥90%", "达标")],
        note="区间为设计加权Wilson区间；抽样方法见docs/evaluation.md。",
    )
    return Report(
        title=TITLE,
        subtitle="（2025年第6期）",
        region_name="贵州省黔西南布依族苗族自治州望谟县",
        period="2025年6月",
        issuer="望谟县农业农村局",
        issued="2025年7月5日",
        sections=[
            Section("一、监测对象总体情况", paragraphs=[
                "截至6月底，全县累计识别纳入监测对象3602户14517人，其中脱贫不稳定户1412户、"
                "边缘易致贫户1655户、突发严重困难户535户。累计风险消除1681户6923人，风险消除率"
                "47.69%；未消除风险的监测对象均已落实针对性帮扶措施。",
            ], tables=[categories]),
            Section("二、本月新识别情况", paragraphs=[
                "本月新识别监测对象66户，部门筛查预警仍是最主要的识别渠道（27户），农户自主申报"
                "15户。所有新识别户均在15日内完成县级审定。",
            ], tables=[new]),
            Section("三、帮扶措施落实情况", paragraphs=[
                "全县帮扶措施落实率99.77%，麻山镇、石屯镇等4个乡镇仍有个别户措施未在30日内落实，"
                "已督促整改。",
            ], tables=[townships, villages]),
            Section("四、成效评估抽样核查", paragraphs=[
                "第三方评估在10个行政村抽取300户入户核查。错误消除率的点估计高于2%的阈值，"
                "需对近12个月风险消除户开展复核。",
            ], tables=[evaluation]),
        ],
        notes=[
            "本报告数据为测试示例数据，不代表实际情况。",
            "监测对象类别、风险消除条件依据中农组发〔2021〕7号及省级实施细则。",
        ],
    )
