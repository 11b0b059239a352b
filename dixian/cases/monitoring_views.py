"""Pages for watching households: the task inbox, a household's monitoring history, raising a
clue, proposing risk elimination, monthly visits and the concentrated screening."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dixian.cases import actions, eligibility, monitoring
from dixian.cases.bridge import first_day, month_add
from dixian.cases.machine import FINAL, KIND_LABELS, STATE_LABELS, Kind, State
from dixian.cases.models import Campaign, CampaignTask, Case, MonitoringSpell
from dixian.cases.params import procedure_params
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability, Role, role_has
from dixian.registry.actions import access_household
from dixian.registry.enums import choices, label
from dixian.registry.people import attach_people
from dixian.web import downloads

PAGE_SIZE = 50


def _parse_date(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError as exc:
        raise ValidationError(_("not a date: %(value)r") % {"value": value}) from exc


def _due_groups(cases, now) -> list[dict]:
    """The person's cases grouped by when they are due: overdue, this week, later."""
    week = now + timedelta(days=7)
    groups = [{"key": "overdue", "label": _("Overdue"), "cases": []},
              {"key": "week", "label": _("Due within 7 days"), "cases": []},
              {"key": "later", "label": _("Due later"), "cases": []}]
    for case in cases:
        groups[0 if case.deadline < now else 1 if case.deadline < week else 2]["cases"].append(
            case)
    return [g for g in groups if g["cases"]]


NOTIFICATION_GROUPS = 20  # shown at once; "mark all read" takes the rest


def _notification_groups(notifications) -> list[dict]:
    """Identical notifications (the same text and link) shown once, with their count."""
    groups: dict[tuple, dict] = {}
    for n in notifications:
        key = (n.text, n.link)
        if key not in groups:
            groups[key] = {"text": n.text, "link": n.link, "created_at": n.created_at,
                           "ids": [], "unread": False}
        groups[key]["ids"].append(n.pk)
        groups[key]["unread"] |= n.read_at is None
    for g in groups.values():
        g["id_list"] = ",".join(map(str, g["ids"]))
    return list(groups.values())


@login_required
def inbox(request):
    """What this person can act on, by when it is due: cases at a step their role takes,
    visits, the concentrated screening's tasks, declarations to accept, and their
    notifications (read and dismissed by POST, never by opening the page)."""
    from dixian.core.notifications import scoped_notifications
    from dixian.registry.people import attach_people

    user, now = request.user, timezone.now()
    role = Role(user.role) if user.role in Role.values else None
    show_read = request.GET.get("read") == "1"
    notifications = scoped_notifications(user)
    if not show_read:
        notifications = notifications.filter(read_at__isnull=True)
    groups = _notification_groups(notifications[:500])
    context = {"notification_groups": groups[:NOTIFICATION_GROUPS],
               "more_groups": max(0, len(groups) - NOTIFICATION_GROUPS),
               "show_read": show_read,
               "unread": scoped_notifications(user).filter(read_at__isnull=True).count()}
    if role_has(user.role, Capability.VIEW_REGISTRY):
        page = Paginator(actions.waiting_for(user, now), PAGE_SIZE).get_page(
            request.GET.get("page"))
        attach_people(page.object_list)
        for case in page.object_list:
            case.state_label = STATE_LABELS[State(case.state)]
            case.kind_label = KIND_LABELS[Kind(case.kind)]
            case.overdue = case.deadline < now
            case.days_left = (case.deadline - now).days
        waiting = actions.at_notice(user, now).order_by("notice_started_at")
        first = waiting.first()
        context.update(page=page, groups=_due_groups(page.object_list, now),
                       overdue=actions.overdue(user, now).count(),
                       at_notice=waiting.count(),
                       notice_closes=(first.notice_started_at + timedelta(
                           days=procedure_params(user.region_id)["village_notice_min_days"]))
                       if first else None)
    if role_has(user.role, Capability.VISIT_HOUSEHOLDS):
        month = eligibility.local_month(now)
        context["visits_due"] = attach_people(monitoring.visits_due(user, month)[:50])
        context["month"] = month
        context["visit_due_on"] = first_day(month).replace(
            day=procedure_params(user.region_id)["visit_due_day"])
        context["campaign_tasks"] = attach_people(CampaignTask.objects.filter(
            scope_q(scope_of(user), "village_code"), done_on__isnull=True,
            campaign__due_on__gte=timezone.localdate(now))
            .select_related("household", "campaign").order_by("campaign__due_on", "pk")[:50])
    if role in (Role.TOWNSHIP_REVIEWER, Role.VILLAGE_CADRE):
        from dixian.cases.models import SelfDeclaration
        context["declarations"] = SelfDeclaration.objects.filter(
            scope_q(scope_of(user), "village__code"),
            status=SelfDeclaration.Status.RECEIVED).count()
    return render(request, "cases/inbox.html", context)


@login_required
@require_POST
def notifications(request):
    """Read or dismiss notifications (one group, or all of them)."""
    from dixian.core.notifications import do_dismiss_notifications, do_read_notifications

    op = request.POST.get("op", "")
    ids = [int(i) for i in request.POST.get("ids", "").split(",") if i.strip().isdigit()]
    if op == "read_all":
        do_read_notifications(None, actor=request.user)
    elif op == "read":
        do_read_notifications(ids, actor=request.user)
    elif op == "dismiss":
        do_dismiss_notifications(ids, actor=request.user)
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith(
        "/inbox/") else "inbox")


@login_required
def household_monitoring(request, code: str):
    """A household's monitoring history: every spell (a return to poverty shows both), its
    cases, visits and measures, and what the person may start from here."""
    household = access_household(request.user, code)
    spells = list(MonitoringSpell.objects.filter(household=household).order_by("started_on"))
    for spell in spells:
        spell.risk_labels = [label("risk_type", r) for r in spell.risk_types]
    active = next((s for s in spells if s.ended_on is None), None)
    cases = household.cases.order_by("-opened_at")
    for case in cases:
        case.state_label = STATE_LABELS[State(case.state)]
        case.kind_label = KIND_LABELS[Kind(case.kind)]
    open_case = next((c for c in cases if c.state not in FINAL), None)
    user = request.user
    from dixian.registry.people import person_of

    return render(request, "cases/household_monitoring.html", {
        "household": household, "person": person_of(household), "spells": spells,
        "active": active, "cases": cases,
        "open_case": open_case, "visits": household.visits.all()[:12],
        "conditions": eligibility.elimination_conditions(household, timezone.now())
        if active and not open_case else None,
        "may_raise": role_has(user.role, Capability.RAISE_CLUES),
        "may_propose": role_has(user.role, Capability.PROPOSE_ELIMINATION) and active
        and not open_case,
        "may_visit": role_has(user.role, Capability.VISIT_HOUSEHOLDS) and active,
        "month": eligibility.local_month(timezone.now()),
        "risk_types": choices("risk_type"),
    })


@login_required
@require_POST
def raise_clue(request, code: str):
    require(request.user, Capability.RAISE_CLUES)
    household = access_household(request.user, code)
    try:
        clue = monitoring.do_raise_clue(household, actor=request.user,
                                        risk_type=request.POST.get("risk_type", ""),
                                        description=request.POST.get("description", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("household_monitoring", code=code)
    return redirect("case", case_id=clue.case_id)


@login_required
@require_POST
def propose_elimination(request, code: str):
    require(request.user, Capability.PROPOSE_ELIMINATION)
    household = access_household(request.user, code)
    try:
        case = actions.do_propose_elimination(household, actor=request.user)
    except actions.EliminationRefused as exc:
        messages.error(request, _("Risk elimination refused (R6):"))
        for message in exc.messages:
            messages.error(request, message)
        return redirect("household_monitoring", code=code)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("household_monitoring", code=code)
    return redirect("case", case_id=case.pk)


@login_required
def eliminations(request):
    """The elimination queue: open elimination cases, and monitored households that have been
    monitored long enough to be considered (R6 is checked when one is proposed)."""
    require(request.user, Capability.VIEW_REGISTRY)
    now = timezone.now()
    scope = scope_q(scope_of(request.user), "village_code")
    open_cases = (Case.objects.filter(scope, kind=Kind.ELIMINATION)
                  .exclude(state__in=[s.value for s in FINAL]).select_related("household")
                  .order_by("deadline")[:100])
    for case in open_cases:
        case.state_label = STATE_LABELS[State(case.state)]
    months = 6
    cutoff = first_day(month_add(eligibility.local_month(now), -months))
    busy = Case.objects.exclude(state__in=[s.value for s in FINAL]).values("household_id")
    candidates = (MonitoringSpell.objects.filter(scope, ended_on__isnull=True,
                                                 started_on__lt=cutoff)
                  .exclude(household_id__in=busy).select_related("household")
                  .order_by("started_on"))
    flagged = Case.objects.filter(scope, kind=Kind.ELIMINATION, flagged_for_supervisors=True
                                  ).select_related("household")[:50]
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    attach_people(page.object_list)
    for spell in page.object_list:
        spell.risk_labels = [label("risk_type", r) for r in spell.risk_types]
    return render(request, "cases/eliminations.html", {
        "open_cases": attach_people(open_cases), "page": page,
        "flagged": attach_people(flagged)})


@login_required
def visits(request):
    require(request.user, Capability.VIEW_REGISTRY)
    now = timezone.now()
    month = eligibility.local_month(now)
    due_now = monitoring.visits_due(request.user, month)
    village = request.GET.get("village", "").strip()
    if village.isdigit():
        due_now = due_now.filter(village_code__startswith=village)
    headers = [_("Head of household"), _("Township"), _("Village"), _("ID number"),
               _("Household code"), _("Category"), _("Monitored since"), _("Month")]
    if file := downloads.respond(request, "visits-due", headers, lambda: (
            [s.household.person.name, s.household.person.township, s.household.person.village,
             s.household.person.masked_id, s.household.code, str(s.get_category_display()),
             s.started_on, month] for s in attach_people(due_now.iterator(chunk_size=2000)))):
        return file
    due = Paginator(due_now, PAGE_SIZE).get_page(request.GET.get("page"))
    attach_people(due.object_list)
    missed = monitoring.missed_visits(request.user, now)[:200]
    attach_people(missed, household_of=lambda hm: hm[0])
    return render(request, "cases/visits.html", {
        "month": month, "page": due, "missed": missed, "village": village,
        "may_visit": role_has(request.user.role, Capability.VISIT_HOUSEHOLDS)})


def _visit_values(post) -> dict:
    values = {f: post.get(f) for f in monitoring.INCOME_FIELDS}
    values["housing_grade"] = post.get("housing_grade", "")
    for flag in ("safe_drinking_water", "dropout_flag", "uninsured_member_flag"):
        values[flag] = post.get(flag) == "on"
    return values


@login_required
def visit_form(request, code: str, month: str):
    """The monthly visit, starting from what the platform already knows; a saved visit is
    corrected on the same form until its month closes. The form carries the household's
    fingerprint: a household changed meanwhile is a conflict shown to the cadre."""
    household = access_household(request.user, code)
    if len(month) != 7 or month[4] != "-" or not month.replace("-", "").isdigit():
        raise NotFound
    monitored = MonitoringSpell.objects.filter(household=household,
                                               ended_on__isnull=True).exists()
    visit = household.visits.filter(month=month).first()
    today = timezone.localdate()
    correctable = visit is not None and today <= monitoring.correctable_until(visit)
    may_visit = role_has(request.user.role, Capability.VISIT_HOUSEHOLDS)
    conflict, sent = None, None
    if request.method == "POST":
        require(request.user, Capability.VISIT_HOUSEHOLDS)
        post = request.POST
        values = _visit_values(post)
        common = dict(actor=request.user, values=values, new_risk=post.get("new_risk", ""),
                      note=post.get("note", ""),
                      expected_version=post.get("version") or None)
        try:
            visited_on = _parse_date(post.get("visited_on", ""), today)
            if visit is not None:
                monitoring.do_correct_visit(visit, visited_on=visited_on, **common)
                messages.success(request, _("Visit corrected."))
            else:
                monitoring.do_record_visit(household, month, visited_on=visited_on, **common)
                messages.success(request, _("Visit recorded."))
        except monitoring.VisitConflict as exc:
            conflict, sent = exc.current, {**values, "new_risk": post.get("new_risk", ""),
                                           "note": post.get("note", ""),
                                           "visited_on": post.get("visited_on", "")}
            visit = household.visits.filter(month=month).first()
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("visit_form", code=code, month=month)
        if conflict is None:
            return redirect("household_monitoring", code=code)
    prefill = monitoring.visit_prefill(household, month)
    shown = dict(prefill.values)
    if visit is not None:
        shown.update(visit.findings.get("income", {}))
    if sent:
        shown.update({k: v for k, v in sent.items() if k in shown})
    from dixian.registry.people import person_of

    return render(request, "cases/visit_form.html", {
        "household": household, "person": person_of(household), "month": month,
        "monitored": monitored, "prefill": prefill, "values": shown, "visit": visit,
        "correctable": correctable,
        "closes": monitoring.correctable_until(visit) if visit else None,
        "version": monitoring.visit_version(household, month),
        "conflict": conflict, "sent": sent,
        "conflict_rows": _conflict_rows(conflict, sent) if conflict else [],
        "risk_types": choices("risk_type"), "grades": choices("housing_grade"),
        "today": timezone.localdate(), "may_visit": may_visit,
        "new_risk": (sent or {}).get("new_risk", ""), "note": (sent or {}).get(
            "note", visit.note if visit else ""),
        "visited_on": (sent or {}).get("visited_on") or (
            visit.visited_on.isoformat() if visit else today.isoformat())},
        status=409 if conflict else 200)


VISIT_FIELD_LABELS = {
    "wage": gettext_lazy("wage income"), "business": gettext_lazy("business income"),
    "property": gettext_lazy("property income"), "transfer": gettext_lazy("transfer income"),
    "business_cost": gettext_lazy("business costs"),
    "compliant_oop_medical": gettext_lazy("compliant out-of-pocket medical"),
    "housing_grade": gettext_lazy("housing safety grade"),
    "safe_drinking_water": gettext_lazy("safe drinking water"),
    "dropout_flag": gettext_lazy("school dropout in household"),
    "uninsured_member_flag": gettext_lazy("member without medical insurance"),
}


def _conflict_rows(current: dict, sent: dict) -> list[dict]:
    """The fields where the household now differs from what the cadre sent."""
    def shown(value):
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return "—" if value in (None, "") else str(value)

    rows = []
    for name, label_text in VISIT_FIELD_LABELS.items():
        now, mine = current.get(name), sent.get(name)
        if name in monitoring.INCOME_FIELDS:
            now, mine = int(now or 0), int(mine or 0)
        if shown(now) != shown(mine):
            rows.append({"name": name, "label": label_text, "now": shown(now),
                         "mine": shown(mine)})
    return rows


@login_required
def campaigns(request):
    require(request.user, Capability.VIEW_REGISTRY)
    scope = scope_of(request.user)
    if request.method == "POST":
        require(request.user, Capability.LAUNCH_CAMPAIGNS)
        try:
            campaign = monitoring.do_launch_campaign(
                request.user.region_id or "", actor=request.user,
                name=request.POST.get("name", "").strip() or _("Concentrated screening"),
                criterion=request.POST.get("criterion", ""),
                due_on=_parse_date(request.POST.get("due_on", ""), timezone.localdate()))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("campaigns")
        return redirect("campaign", campaign_id=campaign.pk)
    listed = [c for c in Campaign.objects.select_related("county") if scope.contains(c.county_id)
              or any(p.startswith(c.county_id) for p in scope.prefixes)]
    return render(request, "cases/campaigns.html", {
        "campaigns": listed, "criteria": Campaign.Criterion.choices,
        "may_launch": role_has(request.user.role, Capability.LAUNCH_CAMPAIGNS)})


def _access_campaign(user, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("county").filter(pk=campaign_id).first()
    scope = scope_of(user)
    if campaign is None or not (scope.contains(campaign.county_id) or any(
            p.startswith(campaign.county_id) for p in scope.prefixes)):
        raise NotFound
    return campaign


@login_required
def campaign(request, campaign_id: int):
    require(request.user, Capability.VIEW_REGISTRY)
    item = _access_campaign(request.user, campaign_id)
    progress = monitoring.campaign_progress(item, request.user)
    tasks = (item.tasks.filter(scope_q(scope_of(request.user), "village_code"))
             .select_related("household").order_by("done_on", "village_code", "household__code"))
    village = request.GET.get("village", "")
    if village:
        tasks = tasks.filter(village_code=village)
    total = sum(r["total"] for r in progress)
    done = sum(r["done"] for r in progress)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    attach_people(page.object_list)
    return render(request, "cases/campaign.html", {
        "campaign": item, "progress": progress, "total": total, "done": done,
        "page": page,
        "risk_types": choices("risk_type"), "outcomes": CampaignTask.Outcome.choices,
        "may_visit": role_has(request.user.role, Capability.VISIT_HOUSEHOLDS),
        "today": timezone.localdate(), "village": village})


@login_required
@require_POST
def campaign_task(request, task_id: int):
    require(request.user, Capability.VISIT_HOUSEHOLDS)
    task = CampaignTask.objects.filter(pk=task_id).first()
    if task is None or not scope_of(request.user).contains(task.village_code):
        raise NotFound
    try:
        monitoring.do_record_campaign_visit(
            task.pk, actor=request.user, outcome=request.POST.get("outcome", ""),
            visited_on=_parse_date(request.POST.get("visited_on", ""), timezone.localdate()),
            risk_type=request.POST.get("risk_type", ""), note=request.POST.get("note", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(f"/campaigns/{task.campaign_id}/?village={task.village_code}")

