"""The dashboard of one region and month, built from its cached indicators.

Everything a page, a download or a chart shows comes from here: headline cards with their
change on the month before, tables (each downloadable as XLSX or CSV), the trend series and
the ranking of the sub-regions. Counts link to the households behind them. On a shared view
small counts are suppressed and rates over a few households withheld
(:mod:`dixian.engine.indicators.display`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dixian.registry.enums import category_name, label
from dixian.statistics.bridge import Column, ReportTable, display, load_macro, three_excesses
from dixian.statistics.labels import CHILD_LABELS, EVENT_LABELS, STATUS_LABELS

CATEGORIES = ("UNSTABLE", "MARGINAL", "SUDDEN")
STATUSES = ("ACTIVE", "ELIMINATED_ASSISTED", "ELIMINATED_NATURAL")
EVENTS = ("identified", "returned", "eliminated_assisted", "eliminated_natural")

#: the tables of a dashboard, in page order (name -> title)
TABLE_TITLES = {
    "categories": gettext_lazy("Monitored households by category and status"),
    "flows": gettext_lazy("Identified and eliminated in the month, by category"),
    "risks": gettext_lazy("Monitored households by main risk and status"),
    "rates": gettext_lazy("Coverage and rates"),
    "timeliness": gettext_lazy("Timeliness"),
    "incomes": gettext_lazy("Incomes and poverty"),
    "excesses": gettext_lazy("The \"three excesses\": income growth compared"),
    "work": gettext_lazy("Overdue work and data quality"),
    "regions": gettext_lazy("Sub-regions"),
    "trend": gettext_lazy("Month by month"),
}


def income_period(snapshot, period: str) -> str | None:
    """The latest month up to ``period`` with a year of incomes (a month's incomes arrive
    after it ends): the month the income figures of the dashboard and the report read."""
    periods = list(snapshot.periods)
    persons = snapshot.series.get("fgt_persons") or []
    for k in reversed(range(periods.index(period) + 1 if period in periods else 0)):
        if k < len(persons) and (persons[k] or 0) > 0:
            return periods[k]
    return None


@dataclass
class Cell:
    value: Any = None  # the number (or text) a download holds; None when missing/suppressed
    text: str = ""
    url: str = ""
    note: str = ""
    numeric: bool = False


@dataclass
class Col:
    label: str
    kind: str = "text"  # text, integer, number, percent (as dixian.engine.reports.Column)


@dataclass
class Table:
    name: str
    title: str
    columns: list[Col]
    rows: list[list[Cell]]
    total_rows: int = 0
    note: str = ""

    def report_table(self) -> ReportTable:
        return ReportTable(str(self.title), [Column(str(c.label), kind=c.kind)
                                             for c in self.columns],
                           [[c.value for c in row] for row in self.rows],
                           total_rows=self.total_rows, note=self.note or None)


@dataclass
class Card:
    key: str
    label: str
    value: str
    note: str = ""
    delta: str = ""
    direction: str = ""  # up, down or flat
    url: str = ""


@dataclass
class Dashboard:
    code: str
    snapshot: Any
    children: list
    names: dict[str, str]
    period: str
    shared: bool
    threshold: int
    list_url: Callable[..., str] | None  # None: no lists (the nation)
    region_url: Callable[[str], str]
    cards: list[Card] = field(default_factory=list)
    tables: dict[str, Table] = field(default_factory=dict)

    def __post_init__(self) -> None:
        params = getattr(self.snapshot, "parameters", None) or {}
        self.sla = int(params.get("identification_sla_days", 15))
        self.target = int(params.get("measure_target_days", 15))
        self.periods = list(self.snapshot.periods)
        self.k = self.periods.index(self.period)
        self.previous = self.periods[self.k - 1] if self.k > 0 else None
        self.income_period = self._income_period()
        self._build()

    # ------------------------------------------------------------------ values
    def at(self, name: str, period: str | None = None, series: dict | None = None):
        period = period or self.period
        series = series if series is not None else self.snapshot.series
        if period not in self.periods:
            return None
        values = series.get(name)
        return None if values is None else values[self.periods.index(period)]

    def _income_period(self) -> str | None:
        return income_period(self.snapshot, self.period)

    def url(self, indicator: str, period: str | None = None, **filters) -> str:
        if self.list_url is None:
            return ""
        return self.list_url(indicator, period or self.period, **filters)

    def count(self, value, indicator: str | None = None, period: str | None = None,
              **filters) -> Cell:
        shown = display.count(value, shared=self.shared, threshold=self.threshold)
        link = self.url(indicator, period, **filters) if indicator and shown.value else ""
        return Cell(shown.value, shown.text, link, numeric=True)

    def persons(self, value, households) -> Cell:
        """Persons, suppressed with their households on a shared view."""
        shown = display.persons(value, households, shared=self.shared, threshold=self.threshold)
        return Cell(shown.value, shown.text, numeric=True)

    def rate(self, num, den, indicator: str | None = None, period: str | None = None,
             **filters) -> Cell:
        r = display.rate(num, den, shared=self.shared, threshold=self.threshold)
        note = r.interval()
        link = self.url(indicator, period, **filters) if indicator and not r.suppressed and (
            num or 0) > 0 else ""
        return Cell(r.value, r.percent(), link, note, numeric=True)

    def number(self, value, digits: int = 0, suffix: str = "") -> Cell:
        if value is None:
            return Cell(None, "—", numeric=True)
        return Cell(value, number_format(value, digits, force_grouping=True) + suffix,
                    numeric=True)

    def eliminated_persons(self, period=None, series=None) -> int | None:
        a = self.at("eliminated_assisted_persons", period, series)
        b = self.at("eliminated_natural_persons", period, series)
        return None if a is None and b is None else (a or 0) + (b or 0)

    # ------------------------------------------------------------------ parts
    def _delta_count(self, name: str) -> tuple[str, str]:
        if self.previous is None:
            return "", ""
        a, b = self.at(name), self.at(name, self.previous)
        if a is None or b is None:
            return "", ""
        if self.shared and (0 < a < self.threshold or 0 < b < self.threshold):
            return "", ""
        d = a - b
        return (f"{d:+,}", "up" if d > 0 else "down" if d < 0 else "flat")

    def _delta_rate(self, num_a, den_a, num_b, den_b) -> tuple[str, str]:
        ra = display.rate(num_a, den_a, shared=self.shared, threshold=self.threshold)
        rb = display.rate(num_b, den_b, shared=self.shared, threshold=self.threshold)
        if ra.value is None or rb.value is None:
            return "", ""
        d = (ra.value - rb.value) * 100
        return (_("%(points)s pp") % {"points": f"{d:+.1f}"},
                "up" if d > 0.05 else "down" if d < -0.05 else "flat")

    def _cards(self) -> list[Card]:
        prev = self.previous
        cards = []
        c = self.count(self.at("monitored_households"), "monitored")
        persons = self.persons(self.at("monitored_persons"), self.at("monitored_households")).text
        cards.append(Card("monitored", _("Monitored households"), c.text,
                          _("%(persons)s persons") % {"persons": persons},
                          *self._delta_count("monitored_households"), c.url))
        for key, name, indicator, title in (
                ("new_identified", "new_identified_households", "new_identified",
                 _("Identified this month")),
                ("new_eliminated", "new_eliminated_households", "new_eliminated",
                 _("Risk eliminated this month")),
                ("returns", "returns_households", "returns", _("Returns to poverty"))):
            c = self.count(self.at(name), indicator)
            cards.append(Card(key, title, c.text, "", *self._delta_count(name), c.url))
        r = self.rate(self.eliminated_persons(), self.at("identified_persons"), "eliminated")
        cards.append(Card("elimination_rate", _("Risk-elimination rate (persons)"), r.text,
                          r.note, *self._delta_rate(
                              self.eliminated_persons(), self.at("identified_persons"),
                              self.eliminated_persons(prev), self.at("identified_persons",
                                                                     prev)), r.url))
        r = self.rate(self.at("coverage_num"), self.at("monitored_households"))
        uncovered = (self.at("monitored_households") or 0) - (self.at("coverage_num") or 0)
        cards.append(Card("coverage", _("Assistance coverage"), r.text, r.note,
                          *self._delta_rate(self.at("coverage_num"),
                                            self.at("monitored_households"),
                                            self.at("coverage_num", prev),
                                            self.at("monitored_households", prev)),
                          self.url("uncovered") if uncovered > 0 and not (
                              self.shared and uncovered < self.threshold) else ""))
        lag = self.at("ident_lag_median_days")
        within = self.rate(self.at("ident_within_sla"), self.at("ident_decisions"))
        late = (self.at("ident_decisions") or 0) - (self.at("ident_within_sla") or 0)
        cards.append(Card("ident_lag", _("Days to identification (median)"),
                          "—" if lag is None else f"{lag:.0f}",
                          _("within %(days)s days: %(rate)s") % {"days": self.sla,
                                                                  "rate": within.text}
                          if within.value is not None else "", "", "",
                          self.url("ident_late") if late > 0 else ""))
        c = self.count(self.at("cases_overdue"), "cases_overdue")
        cards.append(Card("overdue", _("Overdue cases"), c.text,
                          _("%(n)s overdue measures") % {
                              "n": self.count(self.at("measures_overdue")).text},
                          *self._delta_count("cases_overdue"), c.url))
        records = self.at("quality_records") or 0
        open_ = self.at("quality_open")
        cards.append(Card("quality", _("Data-quality issues per 1,000 records"),
                          "—" if not records or open_ is None
                          else f"{open_ * 1000 / records:.1f}",
                          _("%(n)s open") % {"n": self.count(open_).text}, "", "",
                          self.url("quality_open") if open_ else ""))
        ip = self.income_period
        if ip:
            r = self.rate(self.at("poor_persons", ip), self.at("fgt_persons", ip), "poor", ip)
            cards.append(Card("poverty", _("Below the monitoring line (persons)"), r.text,
                              _("12 months to %(month)s") % {"month": ip}, "", "", r.url))
        return cards

    def _categories(self) -> Table:
        cols = [Col(_("Category"))]
        for status in STATUSES:
            cols += [Col(str(STATUS_LABELS[status]) + " · " + _("households"), "integer"),
                     Col(str(STATUS_LABELS[status]) + " · " + _("persons"), "integer")]
        cols += [Col(_("Households"), "integer"), Col(_("Persons"), "integer"),
                 Col(_("Risk-elimination rate (persons)"), "percent")]
        cells: dict[tuple[str, str], list[int]] = {}
        for period, category, _risk, status, h, p in self.snapshot.breakdown:
            if period != self.period:
                continue
            cell = cells.setdefault((category or "", status), [0, 0])
            cell[0] += h
            cell[1] += p
        rows = []
        present = list(CATEGORIES) + sorted({c for c, _s in cells if c not in CATEGORIES})
        totals = {s: [0, 0] for s in STATUSES}
        for category in present:
            row = [Cell(category, category_name(category) or "—")]
            h_all = p_all = elim = 0
            for status in STATUSES:
                h, p = cells.get((category, status), (0, 0))
                totals[status][0] += h
                totals[status][1] += p
                h_all, p_all = h_all + h, p_all + p
                elim += p if status != "ACTIVE" else 0
                row += [self.count(h, "identified", category=category, status=status),
                        self.persons(p, h)]
            row += [self.count(h_all, "identified", category=category),
                    self.persons(p_all, h_all), self.rate(elim, p_all)]
            rows.append(row)
        total = [Cell(_("Total"), _("Total"))]
        for status in STATUSES:
            total += [self.count(totals[status][0], "identified", status=status),
                      self.persons(totals[status][1], totals[status][0])]
        h_all = sum(v[0] for v in totals.values())
        p_all = sum(v[1] for v in totals.values())
        elim = p_all - totals["ACTIVE"][1]
        total += [self.count(h_all, "identified"), self.persons(p_all, h_all),
                  self.rate(elim, p_all)]
        rows.append(total)
        return Table("categories", TABLE_TITLES["categories"], cols, rows, total_rows=1)

    def _risks(self) -> Table:
        cols = [Col(_("Main risk"))] + [Col(str(STATUS_LABELS[s]), "integer")
                                        for s in STATUSES] + [Col(_("Households"), "integer")]
        cells: dict[tuple[str, str], int] = {}
        for period, _category, risk, status, h, _p in self.snapshot.breakdown:
            if period == self.period:
                cells[(risk, status)] = cells.get((risk, status), 0) + h
        risks = sorted({r for r, _s in cells}, key=lambda r: -sum(
            v for (rr, _s), v in cells.items() if rr == r))
        rows = []
        for risk in risks:
            row = [Cell(risk, label("risk_type", risk) or risk)]
            row += [self.count(cells.get((risk, s), 0), "identified", risk=risk, status=s)
                    for s in STATUSES]
            row.append(self.count(sum(cells.get((risk, s), 0) for s in STATUSES), "identified",
                                  risk=risk))
            rows.append(row)
        return Table("risks", TABLE_TITLES["risks"], cols, rows,
                     note=_("Counted once, under the main (first) risk."))

    def _flows(self) -> Table:
        cols = [Col(_("Category"))]
        for event in EVENTS:
            cols += [Col(str(EVENT_LABELS[event]) + " · " + _("households"), "integer"),
                     Col(str(EVENT_LABELS[event]) + " · " + _("persons"), "integer")]
        cells = {(c or "", e): (h, p) for period, c, e, h, p in self.snapshot.flows
                 if period == self.period}
        links = {"identified": "new_identified", "returned": "returns",
                 "eliminated_assisted": "new_eliminated", "eliminated_natural": "new_eliminated"}
        rows = []
        totals = {e: [0, 0] for e in EVENTS}
        for category in CATEGORIES:
            row = [Cell(category, category_name(category))]
            for event in EVENTS:
                h, p = cells.get((category, event), (0, 0))
                totals[event][0] += h
                totals[event][1] += p
                row += [self.count(h), self.persons(p, h)]
            rows.append(row)
        total = [Cell(_("Total"), _("Total"))]
        for event in EVENTS:
            total += [self.count(totals[event][0], links[event]),
                      self.persons(totals[event][1], totals[event][0])]
        rows.append(total)
        return Table("flows", TABLE_TITLES["flows"], cols, rows, total_rows=1)

    def _rates(self) -> Table:
        cols = [Col(_("Indicator")), Col(_("Rate"), "percent"), Col(_("Interval (95%)")),
                Col(_("Numerator"), "integer"), Col(_("Denominator"), "integer")]
        specs = [
            (_("Assistance coverage (monitored households with a measure in place)"),
             "coverage_num", "monitored_households", "covered"),
            (_("Development-oriented coverage (households with labour)"), "dev_num", "dev_den",
             "dev_covered"),
            (_("Industry coverage (poverty-alleviated and monitored households)"),
             "industry_num", "industry_den", "industry_covered"),
            (_("Monitored households under dibao or tekun"), "safety_net_num",
             "monitored_households", "safety_net"),
            (_("Monitored households visited this month"), "visited_num",
             "monitored_households", "visited"),
        ]
        rows = []
        elim = self.eliminated_persons()
        r = self.rate(elim, self.at("identified_persons"), "eliminated")
        rows.append([Cell(None, _("Risk-elimination rate (persons)")), r,
                     Cell(r.note, r.note), self.count(elim), self.count(
                         self.at("identified_persons"))])
        for title, num, den, indicator in specs:
            r = self.rate(self.at(num), self.at(den), indicator)
            rows.append([Cell(None, title), r, Cell(r.note, r.note),
                         self.count(self.at(num), indicator), self.count(self.at(den))])
        for row in rows:
            row[0].value = row[0].text
            row[1].note = ""  # the interval has its own column here
        return Table("rates", TABLE_TITLES["rates"], cols, rows,
                     note=_("The ranges are 95% confidence intervals."))

    def _timeliness(self) -> Table:
        cols = [Col(_("Indicator")), Col(_("Value"), "number")]
        decided = self.at("ident_decisions")
        within = self.rate(self.at("ident_within_sla"), decided)
        measured = self.rate(self.at("measure_within_target"), self.at("measure_lag_n"))
        rows = [
            [Cell(_("Identification decisions this month"), _("Identification decisions this "
                                                             "month")),
             self.count(decided, "ident_decisions")],
            [Cell(_("Median days from the first clue to the county's decision"),
                  _("Median days from the first clue to the county's decision")),
             self.number(self.at("ident_lag_median_days"), 1)],
            [Cell(_("Decided within %(days)s days") % {"days": self.sla},
                  _("Decided within %(days)s days") % {"days": self.sla}),
             Cell(within.value, within.text + (f" ({within.note})" if within.note else ""),
                  numeric=True)],
            [Cell(_("Decided after %(days)s days") % {"days": self.sla},
                  _("Decided after %(days)s days") % {"days": self.sla}),
             self.count((decided or 0) - (self.at("ident_within_sla") or 0), "ident_late")],
            [Cell(_("Identified this month with a first measure"),
                  _("Identified this month with a first measure")),
             self.count(self.at("measure_lag_n"))],
            [Cell(_("Median days from identification to the first measure"),
                  _("Median days from identification to the first measure")),
             self.number(self.at("measure_lag_median_days"), 1)],
            [Cell(_("First measure within %(days)s days") % {"days": self.target},
                  _("First measure within %(days)s days") % {"days": self.target}),
             Cell(measured.value, measured.text + (f" ({measured.note})" if measured.note
                                                   else ""), numeric=True)],
            [Cell(_("Identified this month, still without a measure"),
                  _("Identified this month, still without a measure")),
             self.count(self.at("measure_lag_pending"), "measure_pending")],
        ]
        return Table("timeliness", TABLE_TITLES["timeliness"], cols, rows)

    def _incomes(self) -> Table:
        ip = self.income_period
        cols = [Col(_("Indicator")), Col(_("Value"), "number")]
        if ip is None:
            return Table("incomes", TABLE_TITLES["incomes"], cols, [],
                         note=_("No household has a full year of incomes up to this month."))
        pa_n, mon_n = self.at("pa_income_n", ip) or 0, self.at("mon_income_n", ip) or 0
        hide_pa = self.shared and 0 < pa_n < self.threshold
        hide_mon = self.shared and 0 < mon_n < self.threshold
        growth = self.at("pa_income_growth", ip)

        def money(value, hide=False):
            return self.number(None if hide else value, 0)

        def pct(value):
            return Cell(value, "—" if value is None else f"{value * 100:.2f}%", numeric=True)

        rows = [
            [_("Poverty-alleviated households with a year of incomes"),
             self.count(pa_n, "pa_income", ip)],
            [_("Their per-capita net income (yuan per person, persons)"),
             money(self.at("pa_income_mean", ip), hide_pa)],
            [_("Median per-capita net income of those households (yuan)"),
             money(self.at("pa_income_median", ip), hide_pa)],
            [_("Growth on 12 months earlier"),
             Cell(None if hide_pa else growth,
                  "—" if growth is None or hide_pa else f"{growth * 100:+.1f}%", numeric=True)],
            [_("Monitored households with a year of incomes"),
             self.count(mon_n, "mon_income", ip)],
            [_("Their per-capita net income (yuan per person)"),
             money(self.at("mon_income_mean", ip), hide_mon)],
            [_("Median per-capita net income of those households (yuan)") + " ",
             money(self.at("mon_income_median", ip), hide_mon)],
            [_("Monitoring line (yuan per person per year)"),
             money(self.at("poverty_line", ip))],
            [_("Persons below the line (FGT0)"), pct(self.at("fgt0", ip))],
            [_("Poverty gap index (FGT1)"), pct(self.at("fgt1", ip))],
            [_("Squared poverty gap index (FGT2)"), pct(self.at("fgt2", ip))],
            [_("Vulnerability to poverty (mean probability, persons)"),
             pct(self.at("vulnerability", ip))],
            [_("Persons with a vulnerability of at least 50%"),
             self.count(self.at("vulnerable_persons", ip))],
        ]
        rows = [[Cell(str(t), str(t)), v] for t, v in rows]
        return Table("incomes", TABLE_TITLES["incomes"], cols, rows,
                     note=_("Per-capita net income (R1) over the 12 months to %(month)s; "
                            "the registry population, persons.") % {"month": ip})

    def _excesses(self) -> Table:
        cols = [Col(_("Comparison")), Col(_("Year"), "integer"), Col(_("Left"), "percent"),
                Col(_("Right"), "percent"), Col(_("Holds"))]
        ip = self.income_period
        year = int((ip or self.period)[:4])
        if ip and ip[5:7] != "12":
            year -= 1  # the last full calendar year of published figures
        growth = self.at("pa_income_growth", ip) if ip and ip[5:7] == "12" else None
        rows = []
        macro = load_macro()
        from django.utils.translation import get_language

        en = (get_language() or "").startswith("en")
        for c in three_excesses(macro, year, registry_growth=growth):
            holds = {True: _("yes"), False: _("no"), None: _("no data")}[c.holds]
            rows.append([Cell(c.en if en else c.zh, c.en if en else c.zh),
                         Cell(c.year, str(c.year), numeric=True),
                         Cell(c.left_growth, "—" if c.left_growth is None
                              else f"{c.left_growth * 100:.1f}%", numeric=True),
                         Cell(c.right_growth, "—" if c.right_growth is None
                              else f"{c.right_growth * 100:.1f}%", numeric=True),
                         Cell(str(holds), str(holds))])
        return Table("excesses", TABLE_TITLES["excesses"], cols, rows,
                     note=_("From the published provincial statistics; urban income and the "
                            "regional product are not included yet."))

    def _work(self) -> Table:
        cols = [Col(_("Indicator")), Col(_("Value"), "number")]
        records = self.at("quality_records") or 0
        open_ = self.at("quality_open")
        rows = [
            [_("Cases open past their deadline"), self.count(self.at("cases_overdue"),
                                                             "cases_overdue")],
            [_("Measures not implemented by their due date"),
             self.count(self.at("measures_overdue"), "measures_overdue")],
            [_("Monitored households not visited this month"),
             self.count((self.at("monitored_households") or 0) - (self.at("visited_num") or 0),
                        "not_visited")],
            [_("Open data-quality issues"), self.count(open_, "quality_open")],
            [_("Issues per 1,000 records"),
             self.number(None if not records or open_ is None else open_ * 1000 / records, 2)],
        ]
        rows = [[Cell(str(t), str(t)), v] for t, v in rows]
        return Table("work", TABLE_TITLES["work"], cols, rows)

    def child_values(self, child) -> dict:
        s = child.series
        elim = self.eliminated_persons(self.period, s)
        rate = display.rate(elim, self.at("identified_persons", self.period, s),
                            shared=self.shared, threshold=self.threshold)
        cov = display.rate(self.at("coverage_num", self.period, s),
                           self.at("monitored_households", self.period, s),
                           shared=self.shared, threshold=self.threshold)
        records = self.at("quality_records", self.period, s) or 0
        quality = self.at("quality_open", self.period, s)
        return {"monitored": display.count(self.at("monitored_households", self.period, s),
                                           shared=self.shared, threshold=self.threshold).value,
                "new_identified": display.count(
                    self.at("new_identified_households", self.period, s), shared=self.shared,
                    threshold=self.threshold).value,
                "elimination_rate": rate.value, "coverage": cov.value,
                "overdue": display.count(self.at("cases_overdue", self.period, s),
                                         shared=self.shared, threshold=self.threshold).value,
                "quality": None if not records or quality is None else
                round(quality * 1000 / records, 2)}

    def _regions(self) -> Table:
        cols = [Col(_("Region")), Col(_("Code")), Col(_("Monitored households"), "integer"),
                Col(_("Persons"), "integer"), Col(_("Identified this month"), "integer"),
                Col(_("Eliminated this month"), "integer"),
                Col(_("Risk-elimination rate (persons)"), "percent"),
                Col(_("Assistance coverage"), "percent"), Col(_("Overdue cases"), "integer"),
                Col(_("Issues per 1,000 records"), "number")]
        rows = []
        for child in self.children:
            s, code = child.series, child.region_code
            elim = self.eliminated_persons(self.period, s)
            records = self.at("quality_records", self.period, s) or 0
            quality = self.at("quality_open", self.period, s)
            rows.append([
                Cell(self.names.get(code, code), self.names.get(code, code),
                     self.region_url(code)),
                Cell(code, code),
                self.count(self.at("monitored_households", self.period, s)),
                self.persons(self.at("monitored_persons", self.period, s),
                             self.at("monitored_households", self.period, s)),
                self.count(self.at("new_identified_households", self.period, s)),
                self.count(self.at("new_eliminated_households", self.period, s)),
                self.rate(elim, self.at("identified_persons", self.period, s)),
                self.rate(self.at("coverage_num", self.period, s),
                          self.at("monitored_households", self.period, s)),
                self.count(self.at("cases_overdue", self.period, s)),
                self.number(None if not records or quality is None
                            else quality * 1000 / records, 2)])
        title = CHILD_LABELS.get(self.snapshot.level, TABLE_TITLES["regions"])
        return Table("regions", str(title), cols, rows)

    def _trend(self) -> Table:
        cols = [Col(_("Month")), Col(_("Monitored households"), "integer"),
                Col(_("Households ever identified"), "integer"),
                Col(_("Identified this month"), "integer"),
                Col(_("Eliminated this month"), "integer"),
                Col(_("Risk-elimination rate (persons)"), "percent"),
                Col(_("Assistance coverage"), "percent")]
        rows = []
        for period in self.periods:
            rows.append([
                Cell(period, period),
                self.count(self.at("monitored_households", period), "monitored", period),
                self.count(self.at("identified_households", period), "identified", period),
                self.count(self.at("new_identified_households", period), "new_identified",
                           period),
                self.count(self.at("new_eliminated_households", period), "new_eliminated",
                           period),
                self.rate(self.eliminated_persons(period), self.at("identified_persons",
                                                                    period)),
                self.rate(self.at("coverage_num", period),
                          self.at("monitored_households", period))])
        return Table("trend", TABLE_TITLES["trend"], cols, rows)

    def _build(self) -> None:
        self.cards = self._cards()
        for table in (self._categories(), self._flows(), self._risks(), self._rates(),
                      self._timeliness(), self._incomes(), self._excesses(), self._work(),
                      self._regions(), self._trend()):
            self.tables[table.name] = table

    # ------------------------------------------------------------------ charts
    def charts(self) -> dict:
        def values(name):
            return [display.count(self.at(name, p), shared=self.shared,
                                  threshold=self.threshold).value for p in self.periods]

        def rates(num, den):
            out = []
            for p in self.periods:
                n = self.eliminated_persons(p) if num == "eliminated" else self.at(num, p)
                r = display.rate(n, self.at(den, p), shared=self.shared,
                                 threshold=self.threshold)
                out.append(None if r.value is None else round(r.value * 100, 2))
            return out

        ranking = []
        for child in self.children:
            ranking.append({"code": child.region_code,
                            "name": self.names.get(child.region_code, child.region_code),
                            "url": self.region_url(child.region_code),
                            "values": self.child_values(child)})
        return {
            "periods": self.periods,
            "selected": self.period,
            "counts": [
                {"name": _("Monitored households"), "data": values("monitored_households")},
                {"name": _("Identified this month"), "data": values("new_identified_households")},
                {"name": _("Eliminated this month"), "data": values("new_eliminated_households")},
            ],
            "rates": [
                {"name": _("Risk-elimination rate (persons)"),
                 "data": rates("eliminated", "identified_persons")},
                {"name": _("Assistance coverage"),
                 "data": rates("coverage_num", "monitored_households")},
            ],
            "ranking": ranking,
            "ranking_indicators": [
                {"key": "monitored", "label": _("Monitored households"), "percent": False},
                {"key": "new_identified", "label": _("Identified this month"),
                 "percent": False},
                {"key": "elimination_rate", "label": _("Risk-elimination rate (persons)"),
                 "percent": True},
                {"key": "coverage", "label": _("Assistance coverage"), "percent": True},
                {"key": "overdue", "label": _("Overdue cases"), "percent": False},
                {"key": "quality", "label": _("Issues per 1,000 records"), "percent": False},
            ],
        }


def list_url_factory(region: str) -> Callable[..., str]:
    from django.urls import reverse

    base = reverse("statistics_households", args=[region])

    def make(indicator: str, period: str, **filters) -> str:
        params = {"indicator": indicator, "period": period}
        params.update({k: v for k, v in filters.items() if v})
        return f"{base}?{urlencode(params)}"
    return make
