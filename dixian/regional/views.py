"""Pages of the regional programmes: the relocation follow-up of a region (indicators by site
and in total, findings), a resettlement site (facilities, households, employment), a relocated
household's employment follow-up, and the region's workbook. Reads go through
:mod:`dixian.regional.access`, writes through the actions of :mod:`dixian.regional.relocation`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from dixian.core.access import NotFound, require, scope_of
from dixian.core.models import Region
from dixian.core.pii import shown_name
from dixian.core.roles import Capability, role_has
from dixian.regional import consumption, exports, land_quota, relocation
from dixian.regional.access import (
    access_relocated,
    access_site,
    check_region,
    scoped_consumption_batches,
    scoped_relocated,
    scoped_sites,
    scoped_trades,
    scoped_units,
)
from dixian.regional.bridge import consumption as consumption_rules
from dixian.regional.bridge import relocation as rules
from dixian.regional.bridge import resolve
from dixian.regional.models import BudgetUnit, ConsumptionBatch, FollowUp, LandQuotaTrade

RULE_LABELS = {
    "RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT": _l("Household with labour and nobody employed"),
    "RELOCATION_NOT_FOLLOWED_UP": _l("Not followed up"),
}
LIST_LIMIT = 500


def _sentence(finding) -> str:
    return finding.sentence_en if (get_language() or "").startswith("en") else \
        finding.sentence_zh


def _date(value: str, what: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _may_manage(user) -> bool:
    return role_has(user.role, Capability.MANAGE_RELOCATION)


@login_required
def home(request):
    require(request.user, Capability.VIEW_REGIONAL)
    code = request.user.region_id or ("52" if scope_of(request.user).national else "")
    if not code:
        raise NotFound
    return redirect("relocation_region", code)


@login_required
def region(request, code: str):
    """The relocation follow-up of a region: the indicators of domain.md §8.3 by site and in
    total, and what must be followed up."""
    check_region(request.user, code)
    place = Region.objects.filter(code=code).first()
    if place is None:
        raise NotFound
    today = timezone.localdate()
    policy = resolve(code, today)
    result = relocation.figures(code, today)
    sites = list(scoped_sites(request.user).filter(region_code__startswith=code))
    for s in sites:
        s.ind = result.by_site.get(str(s.pk))
    findings = [{"rule": f.rule, "label": RULE_LABELS.get(f.rule, f.rule),
                 "sentence": _sentence(f), "key": f.object_key} for f in result.findings]
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f["label"]] = by_rule.get(f["label"], 0) + 1
    return render(request, "regional/relocation.html", {
        "place": place, "code": code, "total": result.total, "sites": sites,
        "findings": findings[:LIST_LIMIT], "by_rule": list(by_rule.items()),
        "follow_months": policy["regional.relocation_follow_up_months"],
        "least": policy["regional.relocation_employed_members_min"],
        "may_manage": _may_manage(request.user),
        "parent": place.parent_id if place.parent_id and scope_of(request.user).contains(
            place.parent_id) else None})


@login_required
def export(request, code: str):
    check_region(request.user, code)
    if not Region.objects.filter(code=code).exists():
        raise NotFound
    data = exports.workbook(code, timezone.localdate())
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument"
                                                ".spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="relocation-{code}.xlsx"'
    return response


@login_required
@require_POST
def site_add(request):
    require(request.user, Capability.MANAGE_RELOCATION)
    p = request.POST
    try:
        site = relocation.do_create_site(
            region_code=p.get("region_code", "").strip(), name=p.get("name", ""),
            opened_on=_date(p.get("opened_on", ""), "opened on"),
            planned_households=p.get("planned_households"),
            planned_persons=p.get("planned_persons"),
            **{k: p.get(k) for k in relocation.FACILITIES}, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("relocation")
    messages.success(request, _("Site registered."))
    return redirect("relocation_site", site.pk)


@login_required
def site(request, pk: int):
    """A resettlement site: its facilities, indicators, relocated households and their
    employment; the manager links households and keeps the facilities."""
    item = access_site(request.user, pk)
    today = timezone.localdate()
    policy = resolve(item.county_code, today)
    month = relocation.month_of(today)
    rows = {r.key: r for r in relocation.household_rows(
        scoped_relocated(request.user).filter(site=item), policy, today)}
    result = rules.indicators(rows.values(), policy, month)
    flagged = {f.object_key for f in result.findings
               if f.rule == "RELOCATION_HOUSEHOLD_WITHOUT_EMPLOYMENT"}
    stale = {f.object_key for f in result.findings if f.rule == "RELOCATION_NOT_FOLLOWED_UP"}
    households = list(scoped_relocated(request.user).filter(site=item)
                      .select_related("household")[:LIST_LIMIT])
    for h in households:
        row = rows.get(str(h.pk))
        able = [m for m in row.members if m.able] if row else []
        h.able = len(able)
        h.employed = sum(rules.counts_as_employed(m, month, policy) for m in able)
        h.flagged = str(h.pk) in flagged
        h.stale = str(h.pk) in stale
    households.sort(key=lambda h: (not h.flagged, not h.stale, h.household.code))
    return render(request, "regional/site.html", {
        "site": item, "total": result.total, "households": households,
        "policy": policy, "may_manage": _may_manage(request.user), "today": today,
        "facilities": [(item._meta.get_field(k).verbose_name, getattr(item, k))
                       for k in relocation.FACILITIES]})


@login_required
@require_POST
def site_act(request, pk: int):
    require(request.user, Capability.MANAGE_RELOCATION)
    item = access_site(request.user, pk)
    p = request.POST
    action = p.get("action", "")
    try:
        if action == "link":
            for code in p.get("households", "").split():
                relocation.do_link_household(
                    item, household_code=code, moved_in=_date(p.get("moved_in", ""),
                                                              "moved in"),
                    origin=p.get("origin", ""), actor=request.user)
            done = _("Households linked.")
        elif action == "facilities":
            relocation.do_update_facilities(
                item, industries=p.get("industries", ""), services=p.get("services", ""),
                **{k: p.get(k) for k in relocation.FACILITIES}, actor=request.user)
            done = _("Facilities saved.")
        else:
            raise ValidationError(_("Choose an action."))
        messages.success(request, done)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("relocation_site", item.pk)


@login_required
def relocated(request, pk: int):
    """A relocated household's employment follow-up: its members, who is able to work, the
    latest follow-up of each and the history; the manager records a month's follow-up."""
    item = access_relocated(request.user, pk)
    today = timezone.localdate()
    policy = resolve(item.site.county_code, today)
    result = rules.indicators(relocation.household_rows(
        scoped_relocated(request.user).filter(pk=item.pk), policy, today), policy,
        relocation.month_of(today))
    found = [{"rule": f.rule, "label": RULE_LABELS.get(f.rule, f.rule),
              "sentence": _sentence(f)} for f in result.findings if f.object_key == str(item.pk)]
    from dixian.registry.models import Member

    history = list(item.follow_ups.select_related("member").order_by("-month", "member_id"))
    latest = {}
    for f in sorted(history, key=lambda f: f.month):
        latest[f.member_id] = f
    members = list(Member.objects.filter(household=item.household, member_status="active")
                   .order_by("member_id"))
    for m in members:
        m.shown = shown_name(request.user, m.name)
        m.able = relocation.able_to_work(m, policy, today)
        m.latest = latest.get(m.pk)
    for f in history:
        f.shown = shown_name(request.user, f.member.name)
    return render(request, "regional/relocated.html", {
        "item": item, "members": members, "history": history, "findings": found,
        "kinds": FollowUp.Kind.choices, "may_manage": _may_manage(request.user),
        "month": relocation.month_of(today),
        "may_see_registry": role_has(request.user.role, Capability.VIEW_REGISTRY)})


@login_required
@require_POST
def relocated_act(request, pk: int):
    require(request.user, Capability.MANAGE_RELOCATION)
    item = access_relocated(request.user, pk)
    p = request.POST
    try:
        rows = []
        for member_id in p.getlist("member"):
            kind = p.get(f"kind_{member_id}", "")
            if kind:
                rows.append(relocation.Follow(member_id, kind, p.get(f"employer_{member_id}", ""),
                                              p.get(f"income_{member_id}", "") or 0))
        relocation.do_record_follow_up(item, p.get("month", ""), rows, actor=request.user)
        messages.success(request, _("Follow-up recorded."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("relocated", item.pk)


# ------------------------------------------------------------------ land-quota trades (§8.6)

LAND_QUOTA_LABELS = {
    "LAND_QUOTA_CROSS_AFTER_TRANSITION": _l("Cross-provincial trade after the transition"),
    "LAND_QUOTA_CROSS_NOT_KEY_COUNTY": _l("Cross-provincial trade by a county that is not a "
                                          "national key county"),
    "LAND_QUOTA_PROCEEDS_NOT_IN_FUNDS": _l("Proceeds not entered as funds"),
}


@login_required
def land_quotas(request):
    """The land-quota trades of the user's region: each trade with its proceeds and whether
    they are in the county's funds, the findings, and (for a fund officer) the forms."""
    trades = scoped_trades(request.user).select_related("allocation")
    today = timezone.localdate()
    listed = list(trades[:LIST_LIMIT])
    found = land_quota.findings(listed, today)
    for t in listed:
        t.proceeds = land_quota.proceeds(t)
    return render(request, "regional/land_quotas.html", {
        "trades": listed, "kinds": LandQuotaTrade.Kind.choices,
        "findings": [{"rule": f.rule, "key": f.object_key, "sentence": _sentence(f),
                      "label": LAND_QUOTA_LABELS.get(f.rule, f.rule)} for f in found],
        "may_manage": role_has(request.user.role, Capability.MANAGE_FUNDS),
        "county": (request.user.region_id or "")[:6]})


@login_required
@require_POST
def land_quota_act(request):
    """Record a trade, or enter a trade's proceeds as the county's funds."""
    require(request.user, Capability.MANAGE_FUNDS)
    try:
        _land_quota_post(request)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("land_quotas")


def _land_quota_post(request) -> None:
    data = request.POST
    if data.get("trade"):
        try:
            trade = scoped_trades(request.user).get(pk=int(data["trade"]))
        except (LandQuotaTrade.DoesNotExist, ValueError):
            raise NotFound from None
        received = _date(data.get("received_on", ""), _("proceeds received"))
        land_quota.do_enter_proceeds(trade, received_on=received or timezone.localdate(),
                                     actor=request.user)
        messages.success(request, _("The proceeds are entered as the county's funds."))
        return
    traded_on = _date(data.get("traded_on", ""), _("traded on"))
    if traded_on is None:
        raise ValidationError(_("traded on: the date is required"))
    land_quota.do_record_trade(
        county_code=(data.get("county_code") or "").strip(),
        contract=data.get("contract", ""), kind=data.get("kind", ""),
        buyer=data.get("buyer", ""), mu=data.get("mu", ""),
        price_per_mu=data.get("price_per_mu", ""), traded_on=traded_on,
        proceeds_received_on=_date(data.get("proceeds_received_on", ""),
                                   _("proceeds received")),
        actor=request.user)
    messages.success(request, _("The trade is recorded."))


# ------------------------------------------------------------ consumption assistance (§8.4)

CONSUMPTION_LABELS = {
    "CONSUMPTION_RESERVED_BELOW_SHARE": _l("Reserved share below the policy"),
    "CONSUMPTION_BELOW_RESERVED": _l("Bought less than reserved"),
}
UPLOAD_LIMIT = 20 * 1024 * 1024
# What each problem of a programme's file means, for the person who corrects it (the engine's
# message, in English, is kept in the batch for the administrator): first those of reading any
# table (dixian.engine.filecheck, dixian.engine.regional.files), then a purchase file's own.
FILE_READING = {
    "empty": _l("The file is empty (not even a header row)."),
    "missing_column": _l("The header lacks required columns."),
    "required": _l("The cell is empty."),
    "encoding": _l("The file is not text in UTF-8, GBK or GB18030."),
    "control_character": _l("The file contains a control character (a binary file?)."),
    "not_xlsx": _l("The file is not an Excel workbook (.xlsx)."),
    "archive_too_large": _l("The workbook is too large once unpacked."),
    "unreadable": _l("The file cannot be read."),
    "too_many_columns": _l("The row has too many columns."),
    "ragged_row": _l("The row has another number of fields than the header."),
    "too_many_rows": _l("The file has too many rows: split it."),
    "cell_too_large": _l("The cell is too large."),
    "csv_syntax": _l("The line is not valid CSV (a quote left open?)."),
}
FILE_PROBLEMS = {
    **FILE_READING,
    "file_type": _l("A purchase file is CSV or XLSX."),
    "no_rows": _l("The file has a header but no purchase."),
    "date": _l("Not a date (YYYY-MM-DD)."),
    "amount": _l("Not an amount above 0 yuan."),
    "county_code": _l("Not a 6-digit county code."),
    "channel": _l("Not one of the channels (832平台, 直接采购, 东西部协作, 其他)."),
    "duplicate_order": _l("The unit's order is already on an earlier row."),
    "unknown_unit": _l("No budget unit of this name in your region: register it first."),
    "order_changed": _l("The unit's order is already recorded with other terms."),
}


def _year(value: str | None) -> int:
    today = timezone.localdate()
    try:
        year = int(value or today.year)
    except ValueError:
        return today.year
    return year if 2016 <= year <= today.year + 1 else today.year


@login_required
def consumption_home(request):
    """Each budget unit's year: canteen food budget, reserved amount and share, bought from
    poverty-alleviated areas, completion; the findings; the forms and the recent files."""
    units = scoped_units(request.user)
    year = _year(request.GET.get("year"))
    today = timezone.localdate()
    rows = consumption.unit_years(units, year)
    found = consumption.findings(rows, today)
    flagged = {f.object_key for f in found}
    share = Decimal(str(resolve((request.user.region_id or "52")[:6] or "52", today)[
        "regional.consumption_reserved_share_min"]))
    return render(request, "regional/consumption.html", {
        "year": year, "rows": rows, "flagged": flagged, "share": share,
        "units": units.order_by("name")[:LIST_LIMIT],
        "unplanned": units.exclude(pk__in=[int(r.key) for r in rows]).count(),
        "findings": [{"rule": f.rule, "key": f.object_key, "sentence": _sentence(f),
                      "label": CONSUMPTION_LABELS.get(f.rule, f.rule)} for f in found],
        "batches": scoped_consumption_batches(request.user)[:10],
        "may_manage": role_has(request.user.role, Capability.MANAGE_FUNDS),
        "region": request.user.region_id or ""})


@login_required
@require_POST
def consumption_act(request):
    """Register a unit, set a unit's year, or send a purchase file."""
    require(request.user, Capability.MANAGE_FUNDS)
    data = request.POST
    try:
        if data.get("do") == "unit":
            consumption.do_register_unit(region_code=data.get("region_code", ""),
                                         name=data.get("name", ""), actor=request.user)
            messages.success(request, _("The budget unit is registered."))
        elif data.get("do") == "plan":
            try:
                unit = scoped_units(request.user).get(pk=int(data.get("unit", "")))
            except (ValueError, BudgetUnit.DoesNotExist):
                raise NotFound from None
            consumption.do_set_plan(unit, year=_year(data.get("year")),
                                    food_budget=data.get("food_budget", ""),
                                    reserved=data.get("reserved", ""), actor=request.user)
            messages.success(request, _("The unit's year is saved."))
        elif data.get("do") == "file":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(_("file: choose a CSV or XLSX file"))
            if upload.size > UPLOAD_LIMIT:
                raise ValidationError(_("file: %(name)s is larger than %(limit)s MB")
                                      % {"name": upload.name, "limit": UPLOAD_LIMIT >> 20})
            batch = consumption.do_import_purchases(upload.read(), upload.name,
                                                    actor=request.user)
            return redirect("consumption_batch", batch.pk)
        else:
            raise ValidationError(_("Nothing to do: choose a form."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("consumption")


@login_required
def consumption_batch(request, pk: int):
    """A purchase file: accepted with its purchases, or refused with every problem."""
    try:
        batch = scoped_consumption_batches(request.user).get(pk=pk)
    except ConsumptionBatch.DoesNotExist:
        raise NotFound from None
    problems = [{**p, "text": FILE_PROBLEMS.get(p["rule"], p["message"])}
                for p in batch.problems[:500]]
    return render(request, "regional/consumption_batch.html", {
        "batch": batch, "problems": problems,
        "purchases": batch.purchases.select_related("unit")[:LIST_LIMIT]})


@login_required
def consumption_template(request):
    require(request.user, Capability.VIEW_FUNDS)
    response = HttpResponse(consumption_rules.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="consumption-purchases.csv"'
    return response
