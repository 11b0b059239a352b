"""Pages of the key counties (乡村振兴重点帮扶县, domain.md §8.5): the nation's map of key counties
by province, a province's (or prefecture's) key counties with their indicators and tilt, a
county's indicators by year, its tilt and findings; entering and importing indicators; the
workbook. Reads are checked by :func:`dixian.regional.key_counties.check_code` (fail closed),
writes go through the actions of :mod:`dixian.regional.key_counties`."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from dixian.core.access import NotFound, require, scope_of
from dixian.core.cells import safe_row
from dixian.core.roles import Capability, role_has
from dixian.regional import key_counties as kc
from dixian.regional.bridge import key_counties as rules
from dixian.regional.models import CountyIndicatorBatch
from dixian.regional.views import FILE_READING, UPLOAD_LIMIT, _errors, _sentence

LABELS = {
    "KEY_COUNTY_TILT_BELOW": _l("Less than the tilt in funds"),
    "KEY_COUNTY_INCOME_GROWTH_BELOW_PROVINCE": _l("Rural income grew slower than the province's"),
    "KEY_COUNTY_INDICATORS_MISSING": _l("Last year's indicators not recorded"),
}
KINDS = {rules.NATIONAL: _l("National key county"), rules.PROVINCIAL: _l("Provincial key county")}
SHORT = {rules.NATIONAL: _l("National list"), rules.PROVINCIAL: _l("Provincial list")}
BASIS = {"per_capita": _l("per resident"), "per_county": _l("per county"), "": "—"}
FILE_PROBLEMS = {
    **FILE_READING,
    "file_type": _l("An indicator file is CSV or XLSX."),
    "no_rows": _l("The file has a header but no county."),
    "county_code": _l("Not a 6-digit county code."),
    "year": _l("Not a year of the monitoring."),
    "number": _l("Not a number above 0 (or too large)."),
    "whole_number": _l("Residents are a whole number."),
    "duplicate_county_year": _l("The county's year is already on an earlier row."),
    "out_of_scope": _l("The county is not in your region."),
}


def _year(value: str | None) -> int:
    """The year shown: the one asked for, else last year (the indicators come a year late)."""
    today = timezone.localdate()
    try:
        year = int(value) if value else today.year - 1
    except ValueError:
        return today.year - 1
    return year if rules.FIRST_YEAR <= year <= today.year else today.year - 1


def _findings(found) -> list[dict]:
    return [{"rule": f.rule, "county": f.region_code, "sentence": _sentence(f),
             "label": LABELS.get(f.rule, f.rule)} for f in found]


def _pct(value):
    return None if value is None else float(value) * 100


@login_required
def home(request):
    """The user's own level: the nation's map for a national scope, else the user's region."""
    require(request.user, Capability.VIEW_FUNDS)
    scope = scope_of(request.user)
    if scope.national:
        return nation(request)
    return region(request, scope.common_region())


def nation(request):
    kc.check_code(request.user, "")
    today = timezone.localdate()
    summary = kc.national_summary(today)
    for row in summary:
        row["url"] = reverse("key_counties_region", args=[row["code"]])
    return render(request, "regional/key_counties/nation.html", {
        "provinces": [r for r in summary if r["national"] or r["provincial"]],
        "total_national": sum(r["national"] for r in summary),
        "total_provincial": sum(r["provincial"] for r in summary),
        "chart": {"provinces": summary}, "today": today})


@login_required
def region(request, code: str):
    """A province or prefecture (its key counties), a county (its indicators and tilt), or a
    township or village (whether its county is a key county)."""
    code = kc.check_code(request.user, code)
    if len(code) == 6:
        return _county(request, code)
    today = timezone.localdate()
    year = _year(request.GET.get("year"))
    if len(code) > 6:  # a township or village: whether its county is a key county, no figures
        kind = kc.key_counties(code, today).get(code[:6])
        return render(request, "regional/key_counties/region.html", {
            "code": code, "name": kc.name_of(code), "year": year, "below_county": True,
            "rows": [{"code": code[:6], "name": kc.name_of(code[:6]), "kind": SHORT[kind]}]
            if kind else [], "chart": {"counties": []}, "findings": [], "today": today,
            "national": False, "may_manage": False})
    keys = kc.key_counties(code, today)
    latest: dict[str, object] = {}
    for f in kc.figures(code):
        if f.year <= year:
            latest[f.county] = f
    tilts = {t.county: t for t in kc.province_tilt(code, year)}
    names = dict(kc.counties(code))
    rows = [{"code": c, "name": names.get(c, kc.name_of(c)), "kind": SHORT[k],
             "figures": latest.get(c), "tilt": tilts.get(c),
             "url": reverse("key_counties_region", args=[c])}
            for c, k in sorted(keys.items()) if c.startswith(code)]
    chart = {"counties": [{"code": r["code"], "name": r["name"], "url": r["url"],
                           "income": float(r["figures"].rural_income) if r["figures"] else None,
                           "ratio": float(r["tilt"].ratio) if r["tilt"] and r["tilt"].ratio
                           is not None else None} for r in rows if r["figures"]]}
    found = kc.findings(code, year, today)
    return render(request, "regional/key_counties/region.html", {
        "code": code, "name": kc.name_of(code), "year": year, "rows": rows, "chart": chart,
        "findings": _findings(found),
        "national": scope_of(request.user).national,
        "may_manage": role_has(request.user.role, Capability.MANAGE_FUNDS),
        "batches": kc.scoped_batches(request.user)[:10], "today": today,
        "others": len(kc.counties(code)) - len(rows)})


def _county(request, code: str):
    today = timezone.localdate()
    year = _year(request.GET.get("year"))
    kind = kc.key_counties(code, today).get(code)
    figures = [f for f in kc.figures(code)]
    figures.reverse()
    tilt = next((t for t in kc.province_tilt(code, year) if t.county == code), None)
    pairing_tilt = next((t for t in kc.province_tilt(code, year, kc.PAIRING_SOURCES)
                         if t.county == code), None)
    found = kc.findings(code, year, today) if kind else []
    return render(request, "regional/key_counties/county.html", {
        "code": code, "name": kc.name_of(code), "province": code[:2],
        "province_name": kc.name_of(code[:2]), "kind": KINDS.get(kind) if kind else None,
        "year": year, "figures": figures, "tilt": tilt, "basis": BASIS[tilt.basis] if tilt else "",
        "pairing_tilt": pairing_tilt if pairing_tilt and pairing_tilt.allocated else None,
        "pairing_basis": BASIS[pairing_tilt.basis] if pairing_tilt else "",
        "findings": _findings(found), "national": scope_of(request.user).national,
        "province_visible": scope_of(request.user).contains(code[:2]),
        "may_manage": role_has(request.user.role, Capability.MANAGE_FUNDS)})


@login_required
@require_POST
def act(request):
    """Enter a county's year of indicators, or send a file of them."""
    require(request.user, Capability.MANAGE_FUNDS)
    data = request.POST
    back = data.get("back", "")
    try:
        if data.get("do") == "indicators":
            county = (data.get("county_code") or "").strip()
            kc.do_record_indicators(
                county_code=county, year=data.get("year", ""), actor=request.user,
                **{f: data.get(f, "") for f in kc.FIELDS})
            messages.success(request, _("The county's indicators are saved."))
            return redirect("key_counties_region", county)
        if data.get("do") == "file":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(_("file: choose a CSV or XLSX file"))
            if upload.size > UPLOAD_LIMIT:
                raise ValidationError(_("file: %(name)s is larger than %(limit)s MB")
                                      % {"name": upload.name, "limit": UPLOAD_LIMIT >> 20})
            batch = kc.do_import_indicators(upload.read(), upload.name, actor=request.user)
            return redirect("key_counties_batch", batch.pk)
        raise ValidationError(_("Nothing to do: choose a form."))
    except ValidationError as exc:
        _errors(request, exc)
    if back.isdigit() and len(back) in (2, 4, 6):
        return redirect("key_counties_region", back)
    return redirect("key_counties")


@login_required
def batch(request, pk: int):
    """A file of indicators: accepted with its rows, or refused with every problem."""
    try:
        found = kc.scoped_batches(request.user).get(pk=pk)
    except CountyIndicatorBatch.DoesNotExist:
        raise NotFound from None
    problems = [{**p, "text": FILE_PROBLEMS.get(p["rule"], p["message"])}
                for p in found.problems[:500]]
    return render(request, "regional/key_counties/batch.html", {
        "batch": found, "problems": problems,
        "rows": found.indicators.order_by("county_code", "year")[:500]})


@login_required
def template(request):
    require(request.user, Capability.VIEW_FUNDS)
    response = HttpResponse(rules.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="county-indicators.csv"'
    return response


@login_required
def export(request, code: str):
    """The workbook of a province, prefecture or county: indicators of every county recorded
    (key or not), the tilt of the year and the findings. Text cells are formula-safe."""
    code = kc.check_code(request.user, code)
    today = timezone.localdate()
    year = _year(request.GET.get("year"))
    keys = kc.key_counties(code, today)
    book = Workbook(write_only=True)

    def sheet(title: str, header: list, lines) -> None:
        ws = book.create_sheet(title)
        ws.append(safe_row(header))
        for line in lines:
            ws.append(safe_row(line))

    sheet("发展状况指标", ["县代码", "县", "重点帮扶县", "年度", "常住人口（人）",
                     "地区生产总值（万元）", "一般公共预算收入（万元）",
                     "农村居民人均可支配收入（元）", "人均地区生产总值（元）",
                     "人均一般公共预算收入（元）", "地区生产总值增长", "一般公共预算收入增长",
                     "农村居民收入增长"],
          ([f.county, kc.name_of(f.county),
            {"national": "国家", "provincial": "省级"}.get(keys.get(f.county, ""), "否"), f.year,
            f.population, f.gdp, f.budget_revenue, f.rural_income, f.gdp_per_capita,
            f.budget_revenue_per_capita, f.gdp_growth, f.budget_revenue_growth,
            f.rural_income_growth] for f in kc.figures(code)))
    sheet("资金倾斜", ["县代码", "县", "类别", "年度", "资金（元）", "占全省资金比重",
                   "占人口比重", "人均资金（元）", "非重点县人均资金（元）",
                   "非重点县县均资金（元）", "倾斜倍数", "口径"],
          ([t.county, kc.name_of(t.county), {"national": "国家", "provincial": "省级"}[t.kind],
            t.year, t.allocated, t.share_of_allocations, t.share_of_population, t.per_capita,
            t.others_per_capita, t.others_mean, t.ratio,
            {"per_capita": "按人口", "per_county": "按县"}.get(t.basis, "")]
           for t in kc.province_tilt(code, year) if t.county.startswith(code)))
    sheet("发现", ["规则", "县代码", "说明"],
          ([f.rule, f.region_code, f.sentence_zh] for f in kc.findings(code, year, today)))
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-"
                            "officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="key-counties-{code}-{year}.xlsx"'
    return response


urlpatterns = [
    path("regional/key-counties/", home, name="key_counties"),
    path("regional/key-counties/act/", act, name="key_counties_act"),
    path("regional/key-counties/template.csv", template, name="key_counties_template"),
    path("regional/key-counties/files/<int:pk>/", batch, name="key_counties_batch"),
    path("regional/key-counties/<str:code>/", region, name="key_counties_region"),
    path("regional/key-counties/<str:code>/export.xlsx", export, name="key_counties_export"),
]
