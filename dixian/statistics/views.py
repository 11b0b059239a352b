"""Dashboards, the households behind each figure, downloads and the monthly report.

Every page takes a region in its path: a division code within the reader's scope, or
``nation`` for national users. A region outside the scope is a 404, like an absent one.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dixian.core import jobs, pii
from dixian.core.access import NotFound, access_region, require, scope_of
from dixian.core.models import Job, Region
from dixian.core.roles import Capability, role_has
from dixian.registry.enums import category_name, label
from dixian.registry.models import Household, Member
from dixian.statistics import bridge, conf, tasks
from dixian.statistics.bridge import (
    LIST_INDICATORS,
    Report,
    Section,
    check_month,
    monthly_report,
    safe_row,
    write_pdf,
    write_xlsx,
)
from dixian.statistics.dashboard import TABLE_TITLES, Dashboard, list_url_factory
from dixian.statistics.labels import (
    CHILD_LABELS,
    LEVEL_LABELS,
    LIST_LABELS,
    STATUS_LABELS,
    VALUE_LABELS,
)

NATION = "nation"
PAGE_SIZE = 50
#: regions computed on first view when nothing is cached (larger ones need the command)
ON_DEMAND_MIN_LENGTH = 6


def resolve(user, region: str) -> tuple[str, Region | None]:
    """(engine code, Region) of a path's region, or NotFound; '' / None for the nation."""
    require(user, Capability.VIEW_REGISTRY)
    if region == NATION:
        if not scope_of(user).national:
            raise NotFound
        return bridge.NATION, None
    if not region.isdigit() or len(region) not in (2, 4, 6, 9, 12):
        raise NotFound
    return region, access_region(user, region)


def segment(code: str) -> str:
    return code or NATION


def _names(codes) -> dict[str, str]:
    codes = [c for c in codes if c]
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))


def _breadcrumb(user, code: str) -> list[dict]:
    scope = scope_of(user)
    chain = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    names = _names(chain)
    crumbs = [{"name": _("Nation"), "url": reverse("statistics_region", args=[NATION])}] \
        if scope.national else []
    for c in chain:
        crumbs.append({"name": names.get(c, c), "code": c,
                       "url": reverse("statistics_region", args=[c])
                       if scope.contains(c) else ""})
    return crumbs


def _snapshot(request, code: str):
    snap = bridge.snapshot_of(code)
    if snap is None and len(code) >= ON_DEMAND_MIN_LENGTH:
        bridge.do_recompute(code, actor=request.user)
        snap = bridge.snapshot_of(code)
    return snap


def _period(request, snap) -> str:
    period = request.GET.get("period") or ""
    return period if period in snap.periods else snap.as_of


def _dashboard(request, code: str, snap, *, shared: bool | None = None) -> Dashboard:
    if shared is None:
        shared = request.GET.get("view") == "shared"
    children = bridge.children_of(code)
    names = _names([c.region_code for c in children])
    return Dashboard(
        code=code, snapshot=snap, children=children, names=names,
        period=_period(request, snap), shared=shared, threshold=conf.suppress_below(),
        list_url=list_url_factory(code) if code else None,
        region_url=lambda c: reverse("statistics_region", args=[c]))


@login_required
def home(request):
    """The reader's own region (national users: the nation)."""
    require(request.user, Capability.VIEW_REGISTRY)
    scope = scope_of(request.user)
    if scope.national:
        return redirect("statistics_region", NATION)
    if not request.user.region_id:
        raise NotFound
    return redirect("statistics_region", request.user.region_id)


@login_required
def region(request, region: str):
    code, place = resolve(request.user, region)
    snap = _snapshot(request, code)
    may_recompute = role_has(request.user.role, Capability.IMPORT_REGISTRY)
    context = {"region": place, "segment": segment(code), "code": code,
               "crumbs": _breadcrumb(request.user, code) if code else [
                   {"name": _("Nation"), "url": ""}],
               "level_label": LEVEL_LABELS[len(code)], "may_recompute": may_recompute,
               "snapshot": snap}
    if snap is None:
        return render(request, "statistics/dashboard.html", context)
    board = _dashboard(request, code, snap)
    query = request.GET.copy()
    query.pop("view", None)
    context.update({
        "board": board, "period": board.period, "periods": snap.periods,
        "shared": board.shared, "threshold": board.threshold, "query": query.urlencode(),
        "tables": [board.tables[name] for name in TABLE_TITLES if name in board.tables
                   and name not in ("regions", "trend")],
        "regions_table": board.tables["regions"], "trend_table": board.tables["trend"],
        "charts": board.charts(), "child_label": CHILD_LABELS.get(len(code), ""),
        "national": code == bridge.NATION,
        "stale": bridge.changed_since(code, snap.computed_at),
    })
    return render(request, "statistics/dashboard.html", context)


@login_required
def households(request, region: str):
    code, place = resolve(request.user, region)
    if not code:
        raise NotFound
    indicator = request.GET.get("indicator", "")
    if indicator not in LIST_INDICATORS:
        raise Http404
    try:
        period = check_month(request.GET.get("period", ""), "period")
    except ValueError:
        raise Http404 from None
    filters = {k: (request.GET.get(k) or None) for k in ("category", "risk", "status")}
    behind = bridge.households_behind(code, indicator, period=period,
                                      category=filters["category"], risk_type=filters["risk"],
                                      status=filters["status"])
    rows = behind.to_pylist()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    codes = [r["household_code"] for r in page.object_list]
    found = {h.code: h for h in Household.objects.filter(code__in=codes)
             .select_related("village")}
    heads = dict(Member.objects.filter(household__code__in=codes, relation_to_head="head")
                 .values_list("household__code", "name"))
    items = []
    for r in page.object_list:
        h = found.get(r["household_code"])
        value = None if r["value"] is None else f"{r['value']:,.0f}"
        items.append({"code": r["household_code"], "household": h,
                      "head": pii.shown_name(request.user, heads.get(r["household_code"], "")),
                      "village": h.village.name if h else r["village_code"],
                      "type": label("household_type", h.household_type) if h else "",
                      "category": category_name(h.monitoring_category)
                      if h else "", "value": value})
    narrowing = []
    if filters["category"]:
        narrowing.append(category_name(filters["category"]))
    if filters["risk"]:
        narrowing.append(label("risk_type", filters["risk"]))
    if filters["status"]:
        narrowing.append(STATUS_LABELS.get(filters["status"], filters["status"]))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "statistics/households.html", {
        "region": place, "segment": segment(code), "title": LIST_LABELS[indicator],
        "indicator": indicator, "period": period, "narrowing": narrowing, "page": page,
        "items": items, "value_label": VALUE_LABELS.get(indicator, ""),
        "query": query.urlencode(), "crumbs": _breadcrumb(request.user, code),
        "computed_at": bridge.computed_at(behind)})


def _download_name(code: str, name: str, period: str, ext: str) -> str:
    return f"dixian-{code or 'nation'}-{period}-{name}.{ext}"


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def table_download(request, region: str, name: str, fmt: str):
    code, place = resolve(request.user, region)
    if name not in TABLE_TITLES or fmt not in ("xlsx", "csv"):
        raise Http404
    snap = bridge.snapshot_of(code)
    if snap is None:
        raise Http404
    board = _dashboard(request, code, snap)
    table = board.tables[name]
    filename = _download_name(code, name, board.period, fmt)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(safe_row(str(c.label) for c in table.columns))
        for row in table.rows:
            writer.writerow(safe_row("" if c.value is None else c.value for c in row))
        return _attachment(("\ufeff" + out.getvalue()).encode("utf-8"), filename,
                           "text/csv; charset=utf-8")
    report = Report(str(table.title), place.name if place else _("Nation"), board.period,
                    [Section(str(table.title), tables=[table.report_table()])],
                    notes=[_("Shared view: small counts suppressed.")] if board.shared else [])
    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx(report, Path(tmp) / filename)
        return _attachment(path.read_bytes(), filename, XLSX)


def _full_name(code: str) -> str:
    chain = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    names = _names(chain)
    return "".join(names.get(c, c) for c in chain)


def build_report(request, code: str, snap):
    """The month's report, with the dashboard's figures: exact, or suppressed as the shared
    view (``?view=shared``); incomes of the dashboard's income month."""
    from dixian.statistics.dashboard import income_period

    period = _period(request, snap)
    k = snap.periods.index(period)
    incomes_at = income_period(snap, period)

    def row_at(series, p):
        return {f: v[snap.periods.index(p)] for f, v in series.items()} if p else {}

    previous = snap.periods[k - 1] if k > 0 else None
    children = bridge.children_of(code)
    names = _names([c.region_code for c in children])
    lang = "en" if (get_language() or "").startswith("en") else "zh"
    return monthly_report(
        _full_name(code) if code else ("全国" if lang == "zh" else "Nation"), period,
        row_at(snap.series, period), row_at(snap.series, previous),
        [dict(zip(("period", "category", "risk_type", "status", "households", "persons"), r,
                  strict=True)) for r in snap.breakdown if r[0] == period],
        [dict(zip(("period", "category", "event", "households", "persons"), r, strict=True))
         for r in snap.flows if r[0] == period],
        [(names.get(c.region_code, c.region_code), row_at(c.series, period))
         for c in children if period in c.periods],
        lang=lang, shared=request.GET.get("view") == "shared", threshold=conf.suppress_below(),
        income_row=row_at(snap.series, incomes_at), income_period=incomes_at,
        sla_days=int(snap.parameters.get("identification_sla_days", 15)),
        target_days=int(snap.parameters.get("measure_target_days", 15)),
        issued=timezone.localdate().isoformat(),
        computed=timezone.localtime(snap.computed_at).strftime("%Y-%m-%d %H:%M"))


@login_required
def report(request, region: str, fmt: str):
    code, _place = resolve(request.user, region)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    snap = bridge.snapshot_of(code)
    if snap is None:
        raise Http404
    document = build_report(request, code, snap)
    filename = _download_name(code, "report", _period(request, snap), fmt)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / filename
        if fmt == "xlsx":
            write_xlsx(document, target)
            return _attachment(target.read_bytes(), filename, XLSX)
        write_pdf(document, target)
        return _attachment(target.read_bytes(), filename, "application/pdf")


@login_required
@require_POST
def recompute(request, region: str):
    require(request.user, Capability.IMPORT_REGISTRY)
    code, _place = resolve(request.user, region)
    request_id = getattr(request, "request_id", "")
    job = jobs.start(Job.Kind.RECOMPUTE, actor=request.user,
                     scope_code=code or scope_of(request.user).stored_code(),
                     task=tasks.recompute, args=[code],
                     kwargs={"actor_id": request.user.pk, "request_id": request_id},
                     request_id=request_id)
    return redirect("job", job_id=job.pk)
