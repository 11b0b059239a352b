"""Case queue, case page with exactly the actions the person may take, and taking a step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dixian.cases import actions
from dixian.cases.machine import FINAL, STATE_LABELS, Action, State, allowed
from dixian.cases.models import Case
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability, Role

PAGE_SIZE = 50
FIELDS = {  # what each action asks the person for
    Action.RECORD_VISIT: ["consent_date", "consent_confirmed"],
    Action.PROPOSE: ["participants", "minutes"],
    Action.DECLINE: ["participants", "minutes"],
    Action.RECORD_OBJECTION: ["objection"],
    Action.TOWNSHIP_RETURN: ["reason"],
    Action.COUNTY_APPROVE: ["category", "reason"],
    Action.COUNTY_REJECT: ["reason"],
}


@login_required
def queue(request):
    require(request.user, Capability.VIEW_REGISTRY)
    cases = (Case.objects.filter(scope_q(scope_of(request.user), "village_code"))
             .exclude(state__in=[s.value for s in FINAL]).select_related("household"))
    state = request.GET.get("state", "")
    if state:
        cases = cases.filter(state=state)
    page = Paginator(cases.order_by("deadline", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for case in page.object_list:
        case.state_label = STATE_LABELS[State(case.state)]
        case.overdue = case.deadline < now
        case.days_left = (case.deadline - now).days
    return render(request, "cases/queue.html", {"page": page, "state": state,
                                                "states": [(s.value, STATE_LABELS[s])
                                                           for s in State if s not in FINAL]})


@login_required
def case_page(request, case_id: int):
    require(request.user, Capability.VIEW_REGISTRY)
    case = actions.access_case(request.user, case_id)
    offered = allowed(State(case.state), Role(request.user.role))
    return render(request, "cases/case.html", {
        "case": case, "state_label": STATE_LABELS[State(case.state)],
        "offered": [{"action": a.value, "fields": FIELDS.get(a, [])} for a in offered],
        "clues": case.clues.all(), "events": case.events.select_related("actor"),
        "overdue": case.deadline < timezone.now() and case.state not in FINAL,
    })


@login_required
@require_POST
def act(request, case_id: int):
    require(request.user, Capability.VIEW_REGISTRY)
    case = actions.access_case(request.user, case_id)
    action = request.POST.get("action", "")
    if action not in set(Action):
        return HttpResponseBadRequest("unknown action")
    data = {name: request.POST.get(name, "").strip() for name in FIELDS.get(Action(action), [])}
    if "consent_confirmed" in data:
        data["consent_confirmed"] = data["consent_confirmed"] == "on"
    try:
        actions.do_transition(case.pk, action, actor=request.user,
                              expected_state=request.POST.get("expected_state", ""), data=data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("case", case_id=case.pk)


@login_required
def notice(request, village_code: str):
    """The village's public notice: who is proposed, nothing the rules forbid showing
    (no ID number, phone, bank account or health status, and no risk types, which would
    reveal illness or disability)."""
    from datetime import timedelta

    from dixian.cases.actions import VILLAGE_NOTICE_MIN_DAYS
    from dixian.core.access import access_region
    from dixian.registry.enums import zh_label

    village = access_region(request.user, village_code)
    cases = (Case.objects.filter(village_code=village.code, state=State.NOTICE)
             .select_related("household").order_by("notice_started_at", "pk"))
    rows = []
    for case in cases:
        household = case.household
        head = household.members.filter(relation_to_head="head").values_list(
            "name", flat=True).first() or ""
        rows.append({"head": head, "natural_village": household.natural_village,
                     "members": household.members.filter(member_status="active").count(),
                     "category": zh_label("monitoring_category", case.category)
                     or "待县级审定"})
    starts = [c.notice_started_at for c in cases if c.notice_started_at]
    start = min(starts) if starts else timezone.now()
    return render(request, "cases/notice.html", {
        "village": village, "township": village.parent, "rows": rows, "start": start,
        "end": start + timedelta(days=VILLAGE_NOTICE_MIN_DAYS), "min_days":
        VILLAGE_NOTICE_MIN_DAYS, "today": timezone.now()})


# Monitoring line by year (domain.md §11.1 defaults); per province later.
MONITORING_LINE = {2021: 6000, 2022: 6500, 2023: 7300, 2024: 8700, 2025: 8700}


@login_required
def letter(request, case_id: int):
    """A plain-language letter to the household: the decision, the criteria checked with the
    values used, and how to object."""
    from dixian.registry.enums import zh_label
    from dixian.registry.income import net_income

    require(request.user, Capability.VIEW_REGISTRY)
    case = actions.access_case(request.user, case_id)
    household = case.household
    head = household.members.filter(relation_to_head="head").values_list(
        "name", flat=True).first() or ""
    reference = case.opened_at.strftime("%Y-%m")
    year = case.opened_at.year
    return render(request, "cases/letter.html", {
        "case": case, "household": household, "head": head,
        "included": case.state in (State.ANNOUNCED, State.MONITORED),
        "pending": case.state not in FINAL and case.state != State.ANNOUNCED,
        "state": STATE_LABELS[State(case.state)], "decided": case.decided_at,
        "category": zh_label("monitoring_category", case.category),
        "income": net_income(household, reference),
        "line": MONITORING_LINE.get(year, MONITORING_LINE[max(MONITORING_LINE)]),
        "risks": "、".join(zh_label("risk_type", r) for r in case.risk_types) or "—",
        "township": household.village.parent, "today": timezone.now()})


def declare(request, county_code: str):
    """The public self-declaration form of a county (no login)."""
    from dixian.cases import declaration
    from dixian.core.models import Region
    from dixian.core.roles import Level

    county = Region.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise NotFound
    villages = Region.objects.filter(code__startswith=county.code, level=Level.VILLAGE)
    form = declaration.DeclarationForm(request.POST or None, villages=villages)
    done = None
    if request.method == "POST" and form.is_valid():
        if declaration.too_many(request.META.get("REMOTE_ADDR", "")):
            form.add_error(None, _("Too many declarations from this connection; please try "
                                   "again later or call the township."))
        else:
            data = form.cleaned_data
            done = declaration.do_declare(
                village=villages.get(code=data["village"]), head_name=data["head_name"],
                resident_id=data["resident_id"], phone=data["phone"],
                risk_type=data["risk_type"], difficulty=data["difficulty"],
                entered_by=request.user if request.user.is_authenticated else None)
    return render(request, "cases/declare.html", {"county": county, "form": form,
                                                  "done": done})


@login_required
def declarations(request):
    """Declarations waiting for the township (those that matched no registered member)."""
    from dixian.cases import declaration
    from dixian.cases.models import SelfDeclaration
    from dixian.registry.models import Household

    require(request.user, Capability.VIEW_REGISTRY)
    waiting = SelfDeclaration.objects.filter(
        scope_q(scope_of(request.user), "village__code"),
        status=SelfDeclaration.Status.RECEIVED).select_related("village")
    if request.method == "POST":
        if Role(request.user.role) not in (Role.TOWNSHIP_REVIEWER, Role.VILLAGE_CADRE):
            raise PermissionDenied
        item = waiting.filter(pk=request.POST.get("declaration")).first()
        household = Household.objects.filter(code=request.POST.get("household", "").strip(),
                                             village_id=getattr(item, "village_id", None)).first()
        if item is None:
            raise NotFound
        if household is None:
            messages.error(request, _("No household with this code in the declared village."))
        else:
            clue = declaration.do_accept_declaration(item, household, actor=request.user)
            return redirect("case", case_id=clue.case_id)
    page = Paginator(waiting.order_by("received_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/declarations.html", {
        "page": page, "may_accept": Role(request.user.role) in (Role.TOWNSHIP_REVIEWER,
                                                                Role.VILLAGE_CADRE)})
