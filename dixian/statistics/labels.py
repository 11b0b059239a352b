"""The translatable names of the indicators, statuses and lists the pages show."""

from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "ACTIVE": _("Risk not eliminated"),
    "ELIMINATED_ASSISTED": _("Eliminated with assistance"),
    "ELIMINATED_NATURAL": _("Eliminated naturally"),
}

EVENT_LABELS = {
    "identified": _("Identified"),
    "returned": _("of which returns to poverty"),
    "eliminated_assisted": _("Eliminated with assistance"),
    "eliminated_natural": _("Eliminated naturally"),
}

#: the lists of households behind the figures (dixian.engine.indicators.LIST_INDICATORS)
LIST_LABELS = {
    "identified": _("Households ever identified"),
    "monitored": _("Monitored households (risk not eliminated)"),
    "eliminated": _("Households with risk eliminated"),
    "eliminated_assisted": _("Households with risk eliminated with assistance"),
    "eliminated_natural": _("Households with risk eliminated naturally"),
    "new_identified": _("Households identified in the month"),
    "new_eliminated": _("Households whose risk was eliminated in the month"),
    "returns": _("Households that returned to poverty in the month"),
    "ident_decisions": _("Households decided on in the month"),
    "ident_late": _("Households decided on after the deadline"),
    "measure_pending": _("Households identified in the month still without a measure"),
    "measure_late": _("Households whose first measure came late"),
    "covered": _("Monitored households with a measure in place"),
    "uncovered": _("Monitored households without any measure in place"),
    "dev_covered": _("Households with labour and a development-oriented measure"),
    "dev_uncovered": _("Households with labour and no development-oriented measure"),
    "industry_covered": _("Households with an industry measure"),
    "industry_uncovered": _("Poverty-alleviated and monitored households without an industry "
                            "measure"),
    "safety_net": _("Monitored households under dibao or tekun"),
    "visited": _("Monitored households visited in the month"),
    "not_visited": _("Monitored households not visited in the month"),
    "cases_overdue": _("Households with an overdue case"),
    "measures_overdue": _("Households with an overdue measure"),
    "pa_income": _("Poverty-alleviated households with a year of incomes"),
    "mon_income": _("Monitored households with a year of incomes"),
    "poor": _("Households below the monitoring line"),
    "quality_open": _("Households with open data-quality issues"),
}

#: what the list's value column holds
VALUE_LABELS = {
    "ident_decisions": _("Days from the clue to the decision"),
    "ident_late": _("Days from the clue to the decision"),
    "measure_late": _("Days to the first measure"),
    "pa_income": _("Per-capita net income (yuan)"),
    "mon_income": _("Per-capita net income (yuan)"),
    "poor": _("Per-capita net income (yuan)"),
    "quality_open": _("Open issues"),
    "cases_overdue": _("Overdue cases"),
    "measures_overdue": _("Overdue measures"),
}

LEVEL_LABELS = {
    0: _("Nation"), 2: _("Province"), 4: _("Prefecture"), 6: _("County"), 9: _("Township"),
    12: _("Village"),
}
CHILD_LABELS = {
    0: _("Provinces"), 2: _("Prefectures"), 4: _("Counties"), 6: _("Townships"),
    9: _("Villages"),
}
