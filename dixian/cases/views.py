"""Case queue, case page with exactly the actions the person may take, and taking a step."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dixian.cases import actions
from dixian.cases.bridge import policy_fingerprint
from dixian.cases.machine import (
    ACTION_LABELS,
    CHAIN_LABELS,
    DECIDING,
    FINAL,
    KIND_LABELS,
    STATE_LABELS,
    Action,
    Chain,
    Kind,
    State,
)
from dixian.cases.models import Case
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability, Role, role_has
from dixian.registry.enums import category_name, label

PAGE_SIZE = 50
FIELDS = {  # what each action asks the person for
    Action.RECORD_VISIT: ["consent_date", "consent_confirmed", "net_income", "rigid_spending",
                          "findings"],
    Action.PROPOSE: ["participants", "minutes"],
    Action.DECLINE: ["participants", "minutes"],
    Action.RECORD_OBJECTION: ["objection"],
    Action.TOWNSHIP_RETURN: ["reason"],
    Action.COUNTY_APPROVE: ["mode", "reason"],
    Action.COUNTY_REJECT: ["reason"],
    Action.TOWNSHIP_REJECT: ["reason"],
    Action.START_ASSISTANCE: ["assistance"],
}
FIELD_LABELS = {
    "consent_date": gettext_lazy("Date"),
    "net_income": gettext_lazy("Verified household net income, last 12 months (yuan, "
                               "optional)"),
    "rigid_spending": gettext_lazy("Verified rigid spending, last 12 months (yuan, optional)"),
    "findings": gettext_lazy("What the visit found"), "participants": gettext_lazy("Participants"),
    "minutes": gettext_lazy("Minutes"), "objection": gettext_lazy("Objection (who, how, what)"),
    "reason": gettext_lazy("Reason"), "assistance": gettext_lazy("Assistance started"),
}


def _fields_for(case, action: Action) -> list[str]:
    # the decision asks the same wherever the case's chain places it (county or township)
    fields = FIELDS[Action.COUNTY_APPROVE] if action == DECIDING[Chain(case.chain)] else \
        FIELDS.get(action, [])
    if case.kind == Kind.ELIMINATION:
        # No new consent or income declaration: the elimination visit checks and dates.
        fields = [f for f in fields if f not in ("consent_confirmed", "net_income",
                                                 "rigid_spending")]
    else:
        fields = [f for f in fields if f != "mode"]
    return fields


SORTS = {"deadline": ("deadline", "pk"), "-deadline": ("-deadline", "-pk"),
         "opened": ("opened_at", "pk"), "-opened": ("-opened_at", "-pk"),
         "village": ("village_code", "deadline", "pk")}


def _queue_rows(cases, now):
    for case in cases:
        p = case.household.person
        yield [case.pk, p.name, p.township, p.village, p.masked_id, case.household.code,
               str(KIND_LABELS[Kind(case.kind)]), str(STATE_LABELS[State(case.state)]),
               case.deadline, case.deadline < now, case.fast_track]


@login_required
def queue(request):
    from dixian.registry.people import attach_people
    from dixian.web import downloads

    require(request.user, Capability.VIEW_REGISTRY)
    now = timezone.now()
    cases = (Case.objects.filter(scope_q(scope_of(request.user), "village_code"))
             .exclude(state__in=[s.value for s in FINAL]).select_related("household"))
    state, kind = request.GET.get("state", ""), request.GET.get("kind", "")
    late = request.GET.get("overdue") == "1"
    village = request.GET.get("village", "").strip()
    sort = request.GET.get("sort", "deadline")
    if sort not in SORTS:
        sort = "deadline"
    if state:
        cases = cases.filter(state=state)
    if kind:
        cases = cases.filter(kind=kind)
    if late:
        cases = cases.filter(deadline__lt=now)
    if village.isdigit():
        cases = cases.filter(village_code__startswith=village)
    cases = cases.order_by(*SORTS[sort])
    headers = ["#", _("Head of household"), _("Township"), _("Village"), _("ID number"),
               _("Household code"), _("Kind"), _("Step"), _("Decision due"), _("Overdue"),
               _("Fast track")]
    if file := downloads.respond(request, "cases", headers, lambda: _queue_rows(
            attach_people(cases.iterator(chunk_size=2000)), now)):
        return file
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    attach_people(page.object_list)
    for case in page.object_list:
        case.state_label = STATE_LABELS[State(case.state)]
        case.kind_label = KIND_LABELS[Kind(case.kind)]
        case.overdue = case.deadline < now
        case.days_left = (case.deadline - now).days
    return render(request, "cases/queue.html", {
        "page": page, "state": state, "kind": kind, "late": late, "village": village,
        "sort": sort, "sorts": [("deadline", _("Decision due, soonest first")),
                                 ("-deadline", _("Decision due, latest first")),
                                 ("opened", _("Opened, oldest first")),
                                 ("-opened", _("Opened, newest first")),
                                 ("village", _("Village"))],
        "kinds": [(k.value, KIND_LABELS[k]) for k in Kind],
        "states": [(s.value, STATE_LABELS[s]) for s in State if s not in FINAL]})


def _labelled(events):
    """Steps with their names in the person's language (the codes stay in the data)."""
    out = []
    for e in events:
        e.action_label = ACTION_LABELS.get(e.action, _("Proposed for risk elimination")
                                           if e.action == "propose_elimination" else e.action)
        e.from_label = STATE_LABELS[State(e.from_state)] if e.from_state else "—"
        e.to_label = STATE_LABELS[State(e.to_state)]
        out.append(e)
    return out


@login_required
def case_page(request, case_id: int):
    require(request.user, Capability.VIEW_REGISTRY)
    case = actions.access_case(request.user, case_id)
    from dixian.cases import eligibility
    from dixian.exchange.models import Alert

    offered = actions.offered(case, request.user)
    now = timezone.now()
    open_case = case.state not in FINAL
    from dixian.registry.people import person_of

    context = {
        "case": case, "person": person_of(case.household),
        "typed_reason": case.decision_values.get("typed_reason", ""),
        "state_label": STATE_LABELS[State(case.state)],
        "kind_label": KIND_LABELS[Kind(case.kind)],
        "chain_label": CHAIN_LABELS[Chain(case.chain)],
        "offered": [{"action": a.value, "label": ACTION_LABELS[a],
                     "fields": [(f, FIELD_LABELS.get(f, f)) for f in _fields_for(case, a)]}
                    for a in offered],
        "clues": case.clues.all(), "events": _labelled(case.events.select_related("actor")),
        "risk_labels": [label("risk_type", r) for r in case.risk_types],
        "overdue": case.deadline < now and open_case,
        # The data match: what the departments' data says about the household (R3 step 2).
        "alerts": Alert.objects.filter(household=case.household).select_related("run")
        .order_by("-run__started_at", "rule_id")[:20],
    }
    if case.kind == Kind.IDENTIFICATION and open_case:
        context["preview"] = eligibility.classify(case.household, case.risk_types, now,
                                                  case.decision_values.get("visit"))
        context["preview_label"] = category_name(context["preview"].category,
                                                 context["preview"].names)
    if case.kind == Kind.ELIMINATION and open_case:
        context["conditions"] = eligibility.elimination_conditions(case.household, now)
    return render(request, "cases/case.html", context)


@login_required
@require_POST
def act(request, case_id: int):
    require(request.user, Capability.VIEW_REGISTRY)
    case = actions.access_case(request.user, case_id)
    action = request.POST.get("action", "")
    if action not in set(Action):
        return HttpResponseBadRequest("unknown action")
    data = {name: request.POST.get(name, "").strip()
            for name in _fields_for(case, Action(action))}
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

    from dixian.cases.params import procedure_params
    from dixian.core.access import access_region
    from dixian.registry.enums import (
        object_term,
        zh_label,  # noqa: F401
    )

    require(request.user, Capability.VIEW_REGISTRY)  # not the system administrator
    village = access_region(request.user, village_code)
    min_days = procedure_params(village.code)["village_notice_min_days"]
    fingerprint = policy_fingerprint(village.code, dt.date.today())
    cases = (Case.objects.filter(village_code=village.code, state=State.NOTICE)
             .select_related("household").order_by("notice_started_at", "pk"))
    rows = []
    for case in cases:
        household = case.household
        head = household.members.filter(relation_to_head="head").values_list(
            "name", flat=True).first() or ""
        rows.append({"head": head, "natural_village": household.natural_village,
                     "members": household.members.filter(member_status="active").count(),
                     "proposal": "风险消除" if case.kind == Kind.ELIMINATION else "纳入监测",
                     "category": category_name(case.category, case.category_names,
                                               chinese=True)
                     or ("待乡镇认定" if case.chain == "township" else "待县级审定")})
    starts = [c.notice_started_at for c in cases if c.notice_started_at]
    start = min(starts) if starts else timezone.now()
    return render(request, "cases/notice.html", {
        "term": object_term(village.code, dt.date.today(), chinese=True),
        "village": village, "township": village.parent, "rows": rows, "start": start,
        "end": start + timedelta(days=min_days), "min_days": min_days,
        "policy_fingerprint": fingerprint,
        "today": timezone.now()})


@login_required
def letter(request, case_id: int):
    """A plain-language letter to the household: the decision, the criteria checked with the
    values used, and how to object."""
    from dixian.registry.enums import object_term, zh_label
    from dixian.registry.income import net_income

    require(request.user, Capability.VIEW_REGISTRY)
    case = actions.access_case(request.user, case_id)
    household = case.household
    head = household.members.filter(relation_to_head="head").values_list(
        "name", flat=True).first() or ""
    reference = case.opened_at.strftime("%Y-%m")
    income = net_income(household, reference)
    decision_policy = (case.decision_values.get("r2", {}).get("policy")
                       or case.decision_values.get("policy", ""))
    return render(request, "cases/letter.html", {
        "case": case, "household": household, "head": head,
        "elimination": case.kind == Kind.ELIMINATION,
        "included": case.state in (State.ANNOUNCED, State.MONITORED, State.ELIMINATED),
        "r6": case.decision_values.get("r6", {}), "r2": case.decision_values.get("r2", {}),
        "mode": zh_label("elimination_mode", case.elimination_mode),
        "pending": case.state not in FINAL and case.state != State.ANNOUNCED,
        "state": STATE_LABELS[State(case.state)], "decided": case.decided_at,
        "category": category_name(case.category, case.category_names, chinese=True),
        # the criteria, the line and the fingerprint all come from one policy: the one in
        # force in the household's village in the reference month
        "income": income, "line": income.line, "policy_fingerprint": income.policy_fingerprint,
        "decision_policy": decision_policy,
        "risks": "、".join(zh_label("risk_type", r) for r in case.risk_types) or "—",
        "typed_reason": case.decision_values.get("typed_reason", ""),
        # the word of the decision's day (no permanent label: 2026's word for 2026's cases)
        "term": object_term(household.village_id, timezone.localdate(case.decided_at
                                                                      or timezone.now()),
                            chinese=True),
        "township": household.village.parent, "today": timezone.now()})


def declare(request, county_code: str):
    """The public self-declaration form of a county (no login)."""
    from dixian.cases import declaration
    from dixian.core.models import Region
    from dixian.core.roles import Level

    county = Region.objects.filter(code=county_code, level=Level.COUNTY).first()
    if county is None:
        raise NotFound
    from django.db.models import Q

    villages = (Region.objects.filter(code__startswith=county.code, level=Level.VILLAGE)
                .select_related("parent").order_by("code"))
    search = request.GET.get("q", "").strip()[:20]
    shown = villages.filter(Q(name__contains=search) | Q(parent__name__contains=search)) \
        if search else villages
    chosen = request.POST.get("village", "")
    if chosen:  # the village sent is always a choice, whatever the search showed
        shown = shown | villages.filter(code=chosen)
    form = declaration.DeclarationForm(request.POST or None, villages=shown)
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
                                                  "done": done, "q": search})


def declare_start(request):
    """The public declaration: choose the county (linked from the login page)."""
    from django.db.models.functions import Substr

    from dixian.core.models import Region
    from dixian.core.roles import Level
    from dixian.registry.models import Household

    codes = Household.objects.annotate(county=Substr("village_id", 1, 6)).values_list(
        "county", flat=True).distinct()
    counties = Region.objects.filter(level=Level.COUNTY, code__in=list(codes)[:500]) \
        .select_related("parent").order_by("code")
    if len(counties) == 1:
        return redirect("declare", county_code=counties[0].code)
    return render(request, "cases/declare_start.html", {"counties": counties})


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
                                                                Role.VILLAGE_CADRE),
        "may_register": role_has(request.user.role, Capability.EDIT_REGISTRY)})
