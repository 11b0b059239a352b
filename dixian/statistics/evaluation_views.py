"""The evaluation workflow's pages: draw, list and download the sample, record findings (form
or file), results with intervals and pass/fail."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dixian.core import pii
from dixian.core.access import NotFound, require, scope_of
from dixian.core.roles import Capability
from dixian.registry.models import Member
from dixian.statistics import evaluation as ev
from dixian.statistics.bridge import HOUSEHOLD_STRATA, RATES, safe_row
from dixian.statistics.models import SampledHousehold
from dixian.statistics.views import XLSX, _attachment, _breadcrumb, _names, resolve, segment

STRATUM_LABELS = {
    "monitored": gettext_lazy("Monitored (risk not eliminated)"),
    "eliminated_recent": gettext_lazy("Risk eliminated in the last 12 months"),
    "alleviated": gettext_lazy("Poverty-alleviated, not monitored"),
    "near_line": gettext_lazy("Other households near the line"),
    "other": gettext_lazy("Other households"),
}
RATE_LABELS = {
    "identification_accuracy": gettext_lazy("Identification accuracy"),
    "omission_rate": gettext_lazy("Omission rate"),
    "wrong_inclusion_rate": gettext_lazy("Wrong-inclusion rate"),
    "wrong_elimination_rate": gettext_lazy("Wrong-elimination rate"),
    "satisfaction": gettext_lazy("Satisfaction"),
}


def _stratum_labels():
    return {k: str(STRATUM_LABELS.get(k, k)) for k in HOUSEHOLD_STRATA}


def _heads(samples) -> dict[int, str]:
    ids = SampledHousehold.objects.filter(sample__in=samples).values_list("household_id",
                                                                          flat=True)
    return dict(Member.objects.filter(household_id__in=ids, relation_to_head="head")
                .values_list("household_id", "name"))


def _flag(value) -> str:
    return {True: _("yes"), False: _("no"), None: ""}[value]


@login_required
def evaluation(request, region: str):
    code, place = resolve(request.user, region)
    samples = ev.current_samples(request.user, code)
    counties = ev.counties_in(request.user, code)
    items = []
    if len(samples) == 1:
        heads = {k: pii.shown_name(request.user, v) for k, v in _heads(samples).items()}
        village_names = _names({i.village_code for i in samples[0].households.all()})
        for i in samples[0].households.select_related("household"):
            items.append({"item": i, "head": heads.get(i.household_id, ""),
                          "village": village_names.get(i.village_code, i.village_code),
                          "stratum": STRATUM_LABELS.get(i.household_stratum,
                                                        i.household_stratum)})
    progress = []
    for s in samples:
        names = _names([v["village_code"] for v in s.villages])
        progress.append({
            "sample": s, "total": s.households.count(),
            "checked": s.households.filter(recorded_at__isnull=False).count(),
            "villages": [{"name": names.get(v["village_code"], v["village_code"]),
                          "priority": v["stratum"] == "priority"} for v in s.villages]})
    return render(request, "statistics/evaluation.html", {
        "region": place, "segment": segment(code), "samples": progress, "items": items,
        "counties": counties, "crumbs": _breadcrumb(request.user, code) if code else [],
        "strata": _stratum_labels()})


@login_required
@require_POST
def draw(request, region: str):
    require(request.user, Capability.EVALUATE)
    code, _place = resolve(request.user, region)
    counties = {c.code: c for c in ev.counties_in(request.user, code)}
    county = counties.get(request.POST.get("county", ""))
    if county is None:
        messages.error(request, _("Choose a county of your region: samples are drawn per "
                                  "county."))
        return redirect("evaluation", segment(code))
    try:
        villages = int(request.POST.get("villages") or 10)
        households = int(request.POST.get("households") or 300)
        seed = request.POST.get("seed") or None
        seed = int(seed) if seed is not None else None
        if not (1 <= villages <= 100 and 2 <= households <= 5000):
            raise ValueError
    except ValueError:
        messages.error(request, _("Villages must be 1 to 100, households 2 to 5,000, the "
                                  "seed a whole number."))
        return redirect("evaluation", segment(code))
    try:
        sample = ev.do_draw_sample(county, actor=request.user, villages=villages,
                                   households=households, seed=seed)
    except ev.EvaluationError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation", segment(code))
    messages.success(request, _("Sample drawn for %(county)s: %(n)s households in %(v)s "
                                "villages (seed %(seed)s).") % {
        "county": county.name, "n": sample.households.count(), "v": len(sample.villages),
        "seed": sample.seed})
    return redirect("evaluation", county.code)


def _access_item(user, code: str, item_id) -> SampledHousehold:
    samples = ev.current_samples(user, code)
    try:
        return SampledHousehold.objects.get(pk=int(item_id), sample__in=samples)
    except (SampledHousehold.DoesNotExist, TypeError, ValueError):
        raise NotFound from None


@login_required
@require_POST
def findings(request, region: str):
    require(request.user, Capability.EVALUATE)
    code, _place = resolve(request.user, region)
    item_id = request.POST.get("item")
    if not item_id:
        messages.error(request, _("No sampled household was named."))
        return redirect("evaluation", segment(code))
    item = _access_item(request.user, code, item_id)
    try:
        values = {f: ev.parse_flag(request.POST.get(f)) for f in ev.FINDING_FIELDS}
    except ValueError:
        messages.error(request, _("Answer yes, no or leave blank."))
        return redirect("evaluation", segment(code))
    try:
        ev.do_record_finding(item, actor=request.user, note=request.POST.get("note", ""),
                             **values)
    except ev.EvaluationError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation", segment(code))
    messages.success(request, _("Findings recorded for %(code)s.") % {
        "code": item.household.code})
    return redirect(f"{_evaluation_url(code)}#item-{item.pk}")


def _evaluation_url(code: str) -> str:
    from django.urls import reverse

    return reverse("evaluation", args=[segment(code)])


@login_required
@require_POST
def upload(request, region: str):
    require(request.user, Capability.EVALUATE)
    code, _place = resolve(request.user, region)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the sample file (XLSX or CSV) to upload."))
        return redirect("evaluation", segment(code))
    samples = ev.current_samples(request.user, code)
    changed, problems = ev.do_record_findings_file(samples, upload.read(), upload.name,
                                                   actor=request.user)
    if problems:
        for p in problems[:20]:
            messages.error(request, _("Row %(row)s, %(column)s = %(value)s: %(reason)s") % {
                "row": p.row, "column": p.column or "—", "value": p.value or "—",
                "reason": p.reason})
        messages.error(request, _("Nothing was recorded: correct the file and upload it "
                                  "again."))
    else:
        messages.success(request, _("Findings recorded for %(n)s households.") % {"n": changed})
    return redirect("evaluation", segment(code))


def sample_rows(samples, user) -> list[dict]:
    heads = {k: pii.shown_name(user, v) for k, v in _heads(samples).items()}
    village_names = _names({i.village_code for s in samples for i in s.households.all()})
    rows = []
    for s in samples:
        for i in s.households.select_related("household"):
            rows.append({
                "county_code": s.county_id, "village_code": i.village_code,
                "village": village_names.get(i.village_code, ""),
                "household_code": i.household.code, "head": heads.get(i.household_id, ""),
                "household_stratum": i.household_stratum,
                "monitored": _flag(i.monitored), "eliminated": _flag(i.eliminated),
                "weight": round(i.weight, 4), "eligible": _flag(i.eligible),
                "elimination_conditions_held": _flag(i.elimination_conditions_held),
                "satisfied": _flag(i.satisfied), "note": i.note})
    return rows


@login_required
def sample_file(request, region: str, fmt: str):
    code, _place = resolve(request.user, region)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    samples = ev.current_samples(request.user, code)
    rows = sample_rows(samples, request.user)
    english = (request.LANGUAGE_CODE or "").startswith("en")
    headers = [en if english else zh for zh, en in ev.FILE_COLUMNS.values()]
    keys = list(ev.FILE_COLUMNS)
    filename = f"dixian-{code or 'nation'}-evaluation-sample.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(safe_row(headers))
        for r in rows:
            writer.writerow(safe_row(r[k] for k in keys))
        return _attachment(("\ufeff" + out.getvalue()).encode("utf-8"), filename,
                           "text/csv; charset=utf-8")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "sample"
    sheet.append(safe_row(headers))
    for r in rows:
        sheet.append(safe_row(r[k] for k in keys))
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLM", (8, 14, 14, 18, 10, 14, 10, 10, 8, 12, 14, 8, 30),
                             strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return _attachment(out.getvalue(), filename, XLSX)


@login_required
def results(request, region: str):
    code, place = resolve(request.user, region)
    samples = ev.current_samples(request.user, code)
    counties = []
    for s in samples:
        result = ev.evaluate_sample(s)
        rates = []
        if result is not None:
            for r in result.rates():
                known = r.estimate == r.estimate  # NaN: nobody in the denominator
                rates.append({
                    "key": r.rate, "label": RATE_LABELS[r.rate], "r": r,
                    "estimate": f"{r.estimate:.1%}" if known else "—",
                    "interval": f"{r.ci_low:.1%} – {r.ci_high:.1%}" if known else "",
                    "threshold": "" if r.threshold is None else
                    f"{'≤' if r.direction == 'max' else '≥'} {r.threshold:.0%}"})
        counties.append({"sample": s, "result": result, "rates": rates,
                         "checked": s.households.filter(recorded_at__isnull=False).count(),
                         "total": s.households.count()})
    return render(request, "statistics/evaluation_results.html", {
        "region": place, "segment": segment(code), "counties": counties,
        "crumbs": _breadcrumb(request.user, code) if code else [], "rate_keys": RATES,
        "national": scope_of(request.user).national and not code})
