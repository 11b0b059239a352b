"""Pages of the regional programmes: the relocation follow-up of a region (indicators by site
and in total, findings), a resettlement site (facilities, households, employment), a relocated
household's employment follow-up, and the region's workbook. Reads go through
:mod:`dixian.regional.access`, writes through the actions of :mod:`dixian.regional.relocation`."""

from __future__ import annotations

from datetime import date

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
from dixian.regional import exports, land_quota, relocation
from dixian.regional.access import (
    access_relocated,
    access_site,
    check_region,
    scoped_relocated,
    scoped_sites,
    scoped_trades,
)
from dixian.regional.bridge import relocation as rules
from dixian.regional.bridge import resolve
from dixian.regional.models import FollowUp, LandQuotaTrade

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
