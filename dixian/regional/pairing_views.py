"""Pages of East–West cooperation and paired assistance: the pairings in the user's scope (a
partner's user: its own), a pairing with its agreements, a pairing's annual report (targets
against actuals, the shortfalls flagged), its file, and the village work teams. Reads go
through :mod:`dixian.regional.pairing_access`, writes through :mod:`dixian.regional.pairing`."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from dixian.core.access import NotFound, require, scoped_users
from dixian.core.cells import safe_row
from dixian.core.models import Region, User
from dixian.core.pii import shown_name
from dixian.core.roles import PARTNER_ROLES, Capability, role_has
from dixian.funds.models import Allocation
from dixian.regional import pairing
from dixian.regional.bridge import pairing as rules
from dixian.regional.bridge import whole_months
from dixian.regional.models import Agreement, Pairing, Partner, ResidentCadre
from dixian.regional.pairing_access import (
    access_agreement,
    access_pairing,
    partner_of,
    scoped_cadres,
    scoped_pairings,
)
from dixian.regional.views import _sentence

LIST_LIMIT = 500
RULE_LABELS = {
    "PAIRING_BELOW_TARGET": _l("Below the agreed target"),
    "PAIRING_ACTUALS_INCONSISTENT": _l("Actuals inconsistent"),
    "FIRST_SECRETARY_TERM_EXCEEDED": _l("First secretary due for rotation"),
    "WORK_TEAM_TOO_SMALL": _l("Work team too small"),
    "WORK_TEAM_WITHOUT_FIRST_SECRETARY": _l("Work team without a first secretary"),
}
INDICATOR_LABELS = {
    "fiscal_funds": _l("Fiscal assistance funds (yuan)"),
    "donations": _l("Social donations (yuan)"),
    "cadres_to_west": _l("Cadres sent west"),
    "technicians_to_west": _l("Technicians sent west"),
    "cadres_to_east": _l("Cadres sent east"),
    "technicians_to_east": _l("Technicians sent east"),
    "enterprises": _l("Enterprises introduced"),
    "investment": _l("Investment by those enterprises (yuan)"),
    "workers_placed": _l("Rural workers placed in jobs"),
    "workers_placed_poverty": _l("Of them poverty-alleviated"),
    "products_bought": _l("Products bought or sold (yuan)"),
    "paired_villages": _l("Villages paired"),
}
STATUS_LABELS = {"met": _l("met"), "short": _l("short"), "under_way": _l("under way"),
                 "no_target": _l("no target")}


def _date(value: str, what: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(_("%(what)s: %(value)r is not a date (YYYY-MM-DD)")
                              % {"what": what, "value": value}) from None


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _may_manage(user) -> bool:
    return role_has(user.role, Capability.MANAGE_PAIRINGS)


def _names(codes) -> dict:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


@login_required
def pairings(request):
    """The pairings in scope, each with its latest agreement's completion; the forms."""
    items = list(scoped_pairings(request.user)[:LIST_LIMIT])
    names = _names(p.west_code for p in items)
    today = timezone.localdate()
    latest: dict[int, Agreement] = {}
    for a in Agreement.objects.filter(pairing__in=items).order_by("year"):
        latest[a.pairing_id] = a
    for p in items:
        p.west_name = names.get(p.west_code, p.west_code)
        p.active = p.active_on(today)
        p.latest = latest.get(p.pk)
        p.result = pairing.assess(p.latest, today) if p.latest else None
    user = request.user
    may_manage = _may_manage(user)
    return render(request, "regional/pairing/list.html", {
        "pairings": items, "partner": partner_of(user),
        "is_partner": user.role in PARTNER_ROLES, "may_manage": may_manage,
        "partners": Partner.objects.all()[:LIST_LIMIT] if may_manage else [],
        "partner_kinds": Partner.Kind.choices, "levels": Pairing.Level.choices,
        "partner_users": scoped_users(user).filter(role__in=PARTNER_ROLES)[:LIST_LIMIT]
        if may_manage and role_has(user.role, Capability.MANAGE_USERS) else [],
        "region": user.region_id or ""})


@login_required
@require_POST
def pairings_act(request):
    """Register a partner, make a pairing, or link a partner's user."""
    require(request.user, Capability.MANAGE_PAIRINGS)
    data = request.POST
    try:
        if data.get("do") == "partner":
            pairing.do_register_partner(name=data.get("name", ""), kind=data.get("kind", ""),
                                        division_code=data.get("division_code", ""),
                                        actor=request.user)
            messages.success(request, _("The partner is registered."))
        elif data.get("do") == "pairing":
            partner = _partner(data.get("partner"))
            started = _date(data.get("started_on", ""), _("from"))
            if started is None:
                raise ValidationError(_("from: the date is required"))
            made = pairing.do_create_pairing(
                partner=partner, level=data.get("level", ""),
                west_code=data.get("west_code", ""), started_on=started,
                ended_on=_date(data.get("ended_on", ""), _("to")),
                document=data.get("document", ""), actor=request.user)
            messages.success(request, _("The pairing is recorded."))
            return redirect("pairing", made.pk)
        elif data.get("do") == "user":
            require(request.user, Capability.MANAGE_USERS)
            try:
                user = scoped_users(request.user).get(pk=int(data.get("user", "")))
            except (User.DoesNotExist, ValueError, TypeError):
                raise NotFound from None
            pairing.do_link_partner_user(user, _partner(data.get("partner")),
                                         actor=request.user)
            messages.success(request, _("The user works for the partner."))
        else:
            raise ValidationError(_("Nothing to do: choose a form."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("pairings")


def _partner(pk) -> Partner:
    try:
        return Partner.objects.get(pk=int(pk))
    except (Partner.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("partner: choose a registered partner")) from None


@login_required
def pairing_page(request, pk: int):
    """A pairing: its agreements by year with their completion; the agreement form."""
    item = access_pairing(request.user, pk)
    today = timezone.localdate()
    item.west_name = _names([item.west_code]).get(item.west_code, item.west_code)
    agreements = list(item.agreements.order_by("-year"))
    for a in agreements:
        a.result = pairing.assess(a, today)
    may_manage = _may_manage(request.user)
    counted = set(pairing.COUNTED_WORKERS if pairing.workers_counted(item) else ()) | (
        {pairing.COUNTED_FUNDS} if pairing.funds_counted(item) else set())
    indicators = [{"key": i.key, "label": INDICATOR_LABELS[i.key], "counted": i.key in counted}
                  for i in rules.INDICATORS]
    allocations = []
    if may_manage and pairing.funds_counted(item):
        allocations = Allocation.objects.filter(
            county_code=item.west_code, source=pairing.fund_source(item),
            pairing_funds__isnull=True).order_by("-year")[:50]
    return render(request, "regional/pairing/pairing.html", {
        "pairing": item, "agreements": agreements, "may_manage": may_manage,
        "indicators": indicators, "allocations": allocations, "year": today.year,
        "counts_workers": pairing.workers_counted(item)})


@login_required
@require_POST
def pairing_act(request, pk: int):
    """Set a year's agreement, link an allocation, record placements, or end the pairing."""
    require(request.user, Capability.MANAGE_PAIRINGS)
    item = access_pairing(request.user, pk)
    data = request.POST
    try:
        if data.get("do") == "agreement":
            targets = {k: data.get(f"target_{k}") for k in rules.BY_KEY
                       if data.get(f"target_{k}", "").strip()}
            actuals = {k: data.get(f"actual_{k}") for k in rules.BY_KEY
                       if data.get(f"actual_{k}", "").strip()}
            agreement = pairing.do_set_agreement(
                item, year=int(data.get("year") or 0), targets=targets, actuals=actuals,
                document=data.get("document", ""),
                signed_on=_date(data.get("signed_on", ""), _("signed")), actor=request.user)
            messages.success(request, _("The agreement is saved."))
            return redirect("pairing_year", item.pk, agreement.year)
        if data.get("do") == "funds":
            agreement = _agreement(item, data.get("year"))
            try:
                allocation = Allocation.objects.get(pk=int(data.get("allocation", "")),
                                                    county_code=item.west_code)
            except (Allocation.DoesNotExist, ValueError, TypeError):
                raise NotFound from None
            pairing.do_link_funds(agreement, allocation, actor=request.user)
            messages.success(request, _("The allocation counts as the partner's funds."))
            return redirect("pairing_year", item.pk, agreement.year)
        if data.get("do") == "placements":
            agreement = _agreement(item, data.get("year"))
            placed = _date(data.get("placed_on", ""), _("placed on"))
            if placed is None:
                raise ValidationError(_("placed on: the date is required"))
            pairing.do_record_placements(agreement, member_ids=data.get("members", "").split(),
                                         employer=data.get("employer", ""),
                                         place=data.get("place", ""), placed_on=placed,
                                         actor=request.user)
            messages.success(request, _("The placements are recorded."))
            return redirect("pairing_year", item.pk, agreement.year)
        if data.get("do") == "end":
            ended = _date(data.get("ended_on", ""), _("to"))
            if ended is None:
                raise ValidationError(_("to: the date is required"))
            pairing.do_end_pairing(item, ended_on=ended, actor=request.user)
            messages.success(request, _("The pairing is ended."))
        else:
            raise ValidationError(_("Nothing to do: choose a form."))
    except ValidationError as exc:
        _errors(request, exc)
    except ValueError:
        messages.error(request, _("year: not a year"))
    return redirect("pairing", item.pk)


def _agreement(item: Pairing, year):
    try:
        return item.agreements.get(year=int(year))
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("year: there is no agreement for %(year)s")
                              % {"year": year}) from None


def _report(agreement, today):
    row = pairing.agreement_year(agreement)
    policy = pairing.resolve(agreement.pairing.west_code[:6], today)
    result = rules.assess(row, policy, today)
    return row, result, policy


@login_required
def pairing_year(request, pk: int, year: int):
    """A pairing's annual report: each indicator's target, actual, completion and shortfall;
    the findings; the funds and placements its actuals count."""
    agreement = access_agreement(request.user, pk, year)
    item = agreement.pairing
    today = timezone.localdate()
    row, result, policy = _report(agreement, today)
    lines = [{"key": line.indicator.key, "label": INDICATOR_LABELS[line.indicator.key],
              "target": line.target, "actual": line.actual, "completion": line.completion,
              "shortfall": line.shortfall, "status": line.status,
              "status_label": STATUS_LABELS[line.status]} for line in result.lines]
    placements = list(agreement.placements.select_related("member__household")[:LIST_LIMIT])
    for p in placements:
        p.shown = shown_name(request.user, p.member.name)
        p.poverty = p.member.household.household_type == "poverty_alleviated"
    return render(request, "regional/pairing/year.html", {
        "pairing": item, "agreement": agreement, "label": row.label, "lines": lines,
        "result": result, "ended": today > date(agreement.year, 12, 31),
        "least": policy["regional.pairing_target_completion_min"],
        "findings": [{"rule": f.rule, "label": RULE_LABELS.get(f.rule, f.rule),
                      "sentence": _sentence(f)} for f in result.findings],
        "funds": agreement.funds.select_related("allocation"),
        "placements": placements, "placement_count": agreement.placements.count(),
        "may_see_members": role_has(request.user.role, Capability.VIEW_REGISTRY),
        "may_manage": _may_manage(request.user)})


@login_required
def pairing_year_export(request, pk: int, year: int, fmt: str):
    """The annual report as a file (XLSX or CSV; no names; formula-safe cells)."""
    agreement = access_agreement(request.user, pk, year)
    if fmt not in ("xlsx", "csv"):
        raise NotFound
    today = timezone.localdate()
    row, result, _policy = _report(agreement, today)
    header = ["协作关系", "年度", "指标", "协议目标", "实际完成", "完成率", "差额", "状态"]
    status_zh = {"met": "完成", "short": "未完成", "under_way": "推进中", "no_target": "无目标"}
    lines = [[row.label, agreement.year, line.indicator.zh,
              None if line.target is None else float(line.target),
              None if line.actual is None else float(line.actual),
              None if line.completion is None else round(float(line.completion), 4),
              float(line.shortfall), status_zh[line.status]] for line in result.lines]
    found = [[f.rule, f.sentence_zh] for f in result.findings]
    name = f"pairing-{agreement.pairing_id}-{agreement.year}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(safe_row(header))
        for line in lines:
            writer.writerow(safe_row(line))
        response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"),
                                content_type="text/csv")
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("协议完成情况")
        sheet.append(safe_row(header))
        for line in lines:
            sheet.append(safe_row(line))
        sheet = book.create_sheet("问题")
        sheet.append(safe_row(["规则", "说明"]))
        for line in found:
            sheet.append(safe_row(line))
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats"
                                "-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def work_teams(request):
    """The village work teams serving today: each village's first secretary and members,
    their terms, the findings; appointing and rotating cadres."""
    cadres = scoped_cadres(request.user)
    today = timezone.localdate()
    serving = [c for c in cadres.filter(started_on__lte=today)[:LIST_LIMIT * 4]
               if c.ended_on is None or c.ended_on > today]
    found = pairing.roster_findings(serving, today)
    flagged = {f.object_key for f in found}
    names = _names(c.village_code for c in serving)
    villages: dict[str, list] = {}
    for c in serving:
        c.months = whole_months(c.started_on, today)
        c.flagged = str(c.pk) in flagged
        villages.setdefault(c.village_code, []).append(c)
    teams = [{"code": code, "name": names.get(code, code), "cadres": team,
              "flagged": code in flagged} for code, team in sorted(villages.items())]
    may_manage = _may_manage(request.user)
    return render(request, "regional/pairing/work_teams.html", {
        "teams": teams[:LIST_LIMIT], "serving": len(serving),
        "findings": [{"rule": f.rule, "key": f.object_key, "sentence": _sentence(f),
                      "label": RULE_LABELS.get(f.rule, f.rule)} for f in found],
        "may_manage": may_manage, "today": today,
        "partners": Partner.objects.all()[:LIST_LIMIT] if may_manage else []})


@login_required
@require_POST
def work_teams_act(request):
    """Appoint a cadre (or rotate: the successor of a serving cadre), or end a term."""
    require(request.user, Capability.MANAGE_PAIRINGS)
    data = request.POST
    try:
        if data.get("do") == "appoint":
            started = _date(data.get("started_on", ""), _("from"))
            if started is None:
                raise ValidationError(_("from: the date is required"))
            predecessor = _cadre(request.user, data.get("predecessor")) \
                if data.get("predecessor") else None
            partner = _partner(data.get("partner")) if data.get("partner") else None
            pairing.do_appoint_cadre(
                village_code=data.get("village_code", "") or (
                    predecessor.village_code if predecessor else ""),
                name=data.get("name", ""), first_secretary=data.get("first_secretary") == "1"
                or bool(predecessor and predecessor.first_secretary),
                sending_unit=data.get("sending_unit", ""), started_on=started,
                partner=partner, predecessor=predecessor, actor=request.user)
            messages.success(request, _("The cadre is appointed."))
        elif data.get("do") == "end":
            ended = _date(data.get("ended_on", ""), _("to"))
            if ended is None:
                raise ValidationError(_("to: the date is required"))
            pairing.do_end_cadre(_cadre(request.user, data.get("cadre")), ended_on=ended,
                                 actor=request.user)
            messages.success(request, _("The term is ended."))
        else:
            raise ValidationError(_("Nothing to do: choose a form."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("work_teams")


def _cadre(user, pk) -> ResidentCadre:
    try:
        return scoped_cadres(user).get(pk=int(pk))
    except (ResidentCadre.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
