"""Taking a step on a case: the only way a case changes.

``do_transition`` locks the case row, checks that the case is still in the state the person
saw (so two reviewers acting at once cannot both decide: the second is told the case has
moved on), that the actor's role may take the action (:mod:`dixian.cases.machine`), that the
case is in the actor's region, and that the step's requirements hold; then it moves the case,
records a :class:`CaseEvent` and an audit row, in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dixian.cases import eligibility
from dixian.cases.bridge import (
    ENUMS,
    month_of,
    months_after,
    months_between,
    policy_fingerprint,
)
from dixian.cases.machine import (
    ACTION_LABELS,
    CHAINS,
    DECIDING,
    FINAL,
    STATE_LABELS,
    Action,
    Chain,
    Kind,
    State,
    allowed,
)
from dixian.cases.models import Case, CaseEvent, Clue, MonitoringSpell
from dixian.cases.params import channels_in_force, procedure_params
from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of
from dixian.core.roles import CODE_LENGTH_BY_LEVEL, Capability, Level, Role
from dixian.registry.models import Household


class Conflict(ValidationError):
    """The case is no longer in the state the person acted on."""


def _visit_record(case: Case, data: dict, now: datetime) -> str | None:
    if not data.get("consent_date"):
        return _("the date of the visit") if case.kind == Kind.ELIMINATION else \
            _("the household's commitment and authorisation with its date")
    if case.kind == Kind.IDENTIFICATION and not (data.get("consent_scan") or data.get(
            "consent_confirmed")):
        return _("the household's commitment and authorisation (a signed scan, or an "
                 "explicit confirmation) with its date")
    return None


def _review_record(case, data, now):
    if not data.get("participants") or not data.get("minutes"):
        return _("the review's participants and minutes")
    return None


def _objection_text(case, data, now):
    return None if data.get("objection") else _("the objection")


def _notice_days_elapsed(case, data, now):
    days = procedure_params(case.village_code)["village_notice_min_days"]
    if case.notice_started_at is None:
        return _("a published notice")
    if now - case.notice_started_at < timedelta(days=days):
        closes = timezone.localdate(case.notice_started_at + timedelta(days=days))
        return _("a notice of at least %(days)d days (it can close on %(day)s)") % {
            "days": days, "day": closes.isoformat()}
    return None


def _data_matched(case, data, now):
    return None if case.data_matched_at else _("the data match")


def _reason(case, data, now):
    return None if (data.get("reason") or "").strip() else _("a reason")


def _decision(case, data, now):
    if case.kind == Kind.ELIMINATION:
        if data.get("mode") not in ("ASSISTED", "NATURAL"):
            return _("an elimination mode (through assistance, or naturally)")
        return None
    verdict = eligibility.classify(case.household, case.risk_types, now,
                                   case.decision_values.get("visit"))
    if verdict.category is None:
        return _("a household eligible under R2 (%(reason)s); otherwise reject the case") % {
            "reason": verdict.reason}
    return None


def _elimination_conditions(case, data, now):
    if case.kind != Kind.ELIMINATION:
        return None
    failed = eligibility.failed(eligibility.elimination_conditions(case.household, now))
    if failed:
        return _("every condition of R6: %(failed)s") % {
            "failed": "；".join(c.sentence for c in failed)}
    return None


def _fast_track(case, data, now):
    return None if case.fast_track else _("a disaster case (fast track)")


def _assistance_text(case, data, now):
    return None if (data.get("assistance") or "").strip() else _("what assistance was started")


REQUIREMENTS = {
    "visit_record": _visit_record,
    "review_record": _review_record,
    "objection_text": _objection_text,
    "notice_days_elapsed": _notice_days_elapsed,
    "data_matched": _data_matched,
    "reason": _reason,
    "decision": _decision,
    "elimination_conditions": _elimination_conditions,
    "fast_track": _fast_track,
    "assistance_text": _assistance_text,
}


def offered(case: Case, actor) -> list[Action]:
    """What a case page offers this person: the table's actions for their role, less the
    fast track's where the case is not a disaster."""
    return [a for a in allowed(Kind(case.kind), State(case.state), Role(actor.role),
                               Chain(case.chain))
            if a != Action.START_ASSISTANCE or case.fast_track]


def access_case(actor, case_id: int) -> Case:
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not scope_of(actor).contains(case.village_code):
        raise NotFound
    return case


def do_transition(case_id: int, action: Action | str, *, actor, expected_state: str,
                  data: dict | None = None, now: datetime | None = None) -> Case:
    action = Action(action)
    data = dict(data or {})
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or not scope_of(actor).contains(case.village_code):
            raise NotFound
        chain = Chain(case.chain)
        transition = CHAINS[chain].get(action)
        if transition is None or Role(actor.role) not in transition.roles:
            raise PermissionDenied(f"role {actor.role} cannot {action} ({chain} decides)")
        if case.state != expected_state:
            raise Conflict(f"the case is now {case.state}, not {expected_state}: "
                           "someone has already acted on it")
        if Kind(case.kind) not in transition.kinds or State(case.state) not in \
                transition.sources:
            raise ValidationError(_("%(action)s is not possible at the step %(state)s") % {
                "action": ACTION_LABELS[action], "state": STATE_LABELS[State(case.state)]})
        missing = [msg for name in transition.requires
                   if (msg := REQUIREMENTS[name](case, data, now))]
        if missing:
            raise ValidationError([_("%(action)s needs %(what)s") % {
                "action": ACTION_LABELS[action], "what": m} for m in missing])
        before = case.state
        _apply(case, action, data, now, actor)
        if transition.target is not None:
            case.state = transition.target
        if case.state in FINAL or action == DECIDING[chain]:
            case.decided_at = case.decided_at or now
        case.save()
        CaseEvent.objects.create(case=case, action=action, from_state=before,
                                 to_state=case.state, actor=actor, role=actor.role,
                                 data=_jsonable(data), time=now)
        audit.record(f"case.{action}", actor=actor, obj=case, region_code=case.village_code,
                     before={"state": before}, after={"state": case.state, **_jsonable(data)})
    return case


def _apply(case: Case, action: Action, data: dict, now: datetime, actor) -> None:
    if action == Action.RECORD_VISIT:
        case.consent_date = data["consent_date"]
        verified = {k: data[k] for k in ("net_income", "rigid_spending", "findings")
                    if data.get(k) not in (None, "")}
        case.decision_values = {**case.decision_values, "visit": verified}
    elif action == Action.RECORD_DATA_MATCH:
        case.data_matched_at = now
    elif action == Action.PROPOSE:
        case.notice_started_at = now
    elif action == Action.RECORD_OBJECTION:
        case.notice_started_at = None  # a new notice follows the new review
    elif action in (Action.COUNTY_REJECT, Action.TOWNSHIP_REJECT, Action.TOWNSHIP_RETURN,
                    Action.DECLINE):
        case.decision_reason = data.get("reason") or data.get("minutes", "")
    elif action == DECIDING[Chain(case.chain)]:
        _decide(case, data, now)
    elif action == Action.START_ASSISTANCE:
        case.assistance_started_at = case.assistance_started_at or now
    elif action == Action.ENTER:
        _enter(case, now)
    elif action == Action.ELIMINATE:
        _eliminate(case, now)


def _decide(case: Case, data: dict, now: datetime) -> None:
    """The decision, by whoever the case's chain says decides: R2's category for an
    identification, the mode chosen for an elimination."""
    if case.kind == Kind.IDENTIFICATION:
        # The record keeps the reason in Chinese, the language of letters and notices.
        with translation.override("zh-hans"):
            verdict = eligibility.classify(case.household, case.risk_types, now,
                                           case.decision_values.get("visit"))
        case.category = verdict.category or ""
        case.category_names = verdict.names
        case.decision_reason = verdict.reason
        # The approver's own words are kept beside the rule's sentence, not replaced by it.
        case.decision_values = {**case.decision_values, "r2": verdict.values,
                                "typed_reason": (data.get("reason") or "").strip()}
    else:
        case.elimination_mode = data["mode"]
        case.decision_reason = data.get("reason", "")


def _enter(case: Case, now: datetime) -> None:
    """The household becomes monitored: a new spell, a return to poverty if the last one
    ended within the return window."""
    household = Household.objects.select_for_update().get(pk=case.household_id)
    window = procedure_params(case.village_code)["return_window_months"]
    last = (MonitoringSpell.objects.filter(household=household, ended_on__isnull=False)
            .order_by("-ended_on").first())
    is_return = bool(last and timezone.localdate(now) <= months_after(last.ended_on, window))
    skills = list(household.members.filter(member_status="active").values_list(
        "labour_skill", flat=True))
    MonitoringSpell.objects.create(
        household=household, village_code=case.village_code, category=case.category,
        category_names=case.category_names, risk_types=case.risk_types[:5],
        started_on=timezone.localdate(now),
        identification_case=case,
        is_return=is_return, whole_household_no_labour=bool(skills) and all(
            s in eligibility.NO_LABOUR for s in skills))
    household.monitoring_category = case.category
    household.identified_month = eligibility.local_month(now)
    household.risk_types = case.risk_types[:5]
    household.risk_eliminated = False
    household.elimination_mode = ""
    household.eliminated_month = ""
    household.save(update_fields=["monitoring_category", "identified_month", "risk_types",
                                  "risk_eliminated", "elimination_mode", "eliminated_month",
                                  "updated_at"])


def _eliminate(case: Case, now: datetime) -> None:
    """Mark the risk eliminated, keeping the values it rested on (rule 1_11_004: the "after"
    income and three-guarantees fields)."""
    household = Household.objects.select_for_update().get(pk=case.household_id)
    with translation.override("zh-hans"):
        conditions = eligibility.elimination_conditions(household, now)
    spell = MonitoringSpell.objects.select_for_update().get(household=household,
                                                            ended_on__isnull=True)
    fast = procedure_params(case.village_code)["suspicious_fast_elimination_months"]
    today = timezone.localdate(now)
    months = months_between(month_of(spell.started_on), month_of(today))
    case.flagged_for_supervisors = case.elimination_mode == "ASSISTED" and months < fast
    case.decision_values = {**case.decision_values, "r6": {
        c.name: {"ok": c.ok, "sentence": c.sentence, **c.values} for c in conditions},
        # Loans, posts and the Yulu plan run to their end after elimination (domain.md §4).
        "continuing": _continuing(household, timezone.localdate(now)),
        "policy": policy_fingerprint(household.village_id, today),
        "after": {"housing_grade": household.housing_grade,
                  "safe_drinking_water": household.safe_drinking_water,
                  "dropout_flag": household.dropout_flag,
                  "uninsured_member_flag": household.uninsured_member_flag}}
    spell.ended_on = timezone.localdate(now)
    spell.elimination_case = case
    spell.elimination_mode = case.elimination_mode
    spell.save(update_fields=["ended_on", "elimination_case", "elimination_mode"])
    household.risk_eliminated = True
    household.elimination_mode = case.elimination_mode
    household.eliminated_month = eligibility.local_month(now)
    household.save(update_fields=["risk_eliminated", "elimination_mode", "eliminated_month",
                                  "updated_at"])


def _continuing(household: Household, on: date) -> list[dict]:
    """The measures that continue after the elimination, as assistance answers."""
    from dixian.cases.signals import elimination_continuing

    return [item for _receiver, items in elimination_continuing.send(
        sender=Case, household=household, on=on) for item in (items or [])]


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def _new_case(household: Household, kind: Kind, state: State, at: datetime,
              risk_types: list[str], fast_track: bool = False) -> Case:
    params = procedure_params(household.village_id, timezone.localdate(at))
    return Case.objects.create(household=household, village_code=household.village_id,
                               kind=kind, state=state, opened_at=at,
                               chain=params["decision_level"],
                               deadline=at + timedelta(days=params["identification_sla_days"]),
                               risk_types=risk_types,
                               fast_track=fast_track)


def check_risk_type(risk_type: str) -> None:
    """A risk type is one of the registry's codes (``ENUMS["risk_type"]``, the one list)."""
    if risk_type not in ENUMS["risk_type"]:
        raise ValidationError(translation.gettext("Unknown risk type: choose one from the "
                                                  "list."), code="risk_type")


def do_receive_clue(household: Household, *, channel: str, risk_type: str, actor=None,
                    description: str = "", reference: str = "",
                    received_at: datetime | None = None) -> Clue:
    """Record a clue. It joins the household's open case when there is one (a second clue
    for the same household never opens a second case); a monitored household's clue is kept
    on its identification case, and a risk it did not have is added to its risks (at most
    five); otherwise a new identification case opens."""
    check_risk_type(risk_type)
    received_at = received_at or timezone.now()
    if channel not in channels_in_force(household.village_id, timezone.localdate(received_at)):
        raise ValidationError(translation.gettext(
            "The channel %(channel)s is not one the province runs (policy channels.scheme)")
            % {"channel": channel}, code="channel")
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        case = Case.objects.filter(household=household).exclude(
            state__in=[s.value for s in FINAL]).first()
        spell = MonitoringSpell.objects.filter(household=household,
                                               ended_on__isnull=True).first()
        if case is None and spell is not None:
            case = spell.identification_case
            if risk_type not in spell.risk_types and len(spell.risk_types) < 5:
                spell.risk_types = [*spell.risk_types, risk_type]
                spell.save(update_fields=["risk_types"])
                household.risk_types = spell.risk_types
                household.save(update_fields=["risk_types", "updated_at"])
        elif case is None:
            case = _new_case(household, Kind.IDENTIFICATION, State.CLUE, received_at,
                             [risk_type], fast_track=risk_type == "DISASTER")
        elif risk_type not in case.risk_types:
            case.risk_types = [*case.risk_types, risk_type]
            case.fast_track = case.fast_track or (risk_type == "DISASTER"
                                                  and case.kind == Kind.IDENTIFICATION)
            case.save(update_fields=["risk_types", "fast_track"])
        clue = Clue.objects.create(case=case, channel=channel, risk_type=risk_type,
                                   description=description, reference=reference,
                                   received_at=received_at,
                                   recorded_by=actor if getattr(actor, "is_authenticated",
                                                                False) else None)
        audit.record("case.clue", actor=actor, obj=case, region_code=case.village_code,
                     after={"channel": channel, "risk_type": risk_type, "clue": clue.pk})
    return clue


class EliminationRefused(ValidationError):
    """R6 does not allow eliminating this household's risk now; the message says why."""

    def __init__(self, failed):
        self.conditions = failed
        super().__init__([c.sentence for c in failed])


def do_propose_elimination(household: Household, *, actor, now: datetime | None = None) -> Case:
    """Open a risk-elimination case for a monitored household, if R6 allows it now."""
    now = now or timezone.now()
    require(actor, Capability.PROPOSE_ELIMINATION)
    if not scope_of(actor).contains(household.village_id):
        raise NotFound
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        spell = MonitoringSpell.objects.filter(household=household,
                                               ended_on__isnull=True).first()
        if spell is None:
            raise ValidationError(_("only a monitored household's risk can be eliminated"))
        if Case.objects.filter(household=household).exclude(
                state__in=[s.value for s in FINAL]).exists():
            raise ValidationError(_("the household already has an open case"))
        failed = eligibility.failed(eligibility.elimination_conditions(household, now))
        if failed:
            raise EliminationRefused(failed)
        case = _new_case(household, Kind.ELIMINATION, State.VISIT, now, spell.risk_types)
        case.category, case.category_names = spell.category, spell.category_names
        case.save(update_fields=["category", "category_names"])
        CaseEvent.objects.create(case=case, action="propose_elimination", from_state="",
                                 to_state=case.state, actor=actor, role=actor.role, time=now)
        audit.record("case.propose_elimination", actor=actor, obj=case,
                     region_code=case.village_code, after={"state": case.state})
    return case


# Steps a person takes when something happens, not work that waits for them: an objection
# is recorded when someone objects, so a case at the public notice is not on the approver's
# or the township's list for it.
REACTIVE = frozenset({Action.RECORD_OBJECTION, Action.START_ASSISTANCE})


def waiting_for(actor, now: datetime | None = None):
    """Open cases in the actor's region at a step their role takes now: a step that moves
    the case on, or the data match (a parallel step) while it is not yet recorded. A case at
    the public notice waits for the village cadre only once the notice has run its days."""
    from django.db.models import Q

    from dixian.core.access import scope_q

    now = now or timezone.now()
    role = Role(actor.role) if actor.role in Role.values else None
    days = procedure_params(actor.region_id)["village_notice_min_days"]
    wanted = Q(pk__in=[])
    for chain, table in CHAINS.items():  # a county's cases may run under both chains
        moving = {s.value for t in table.values() if role in t.roles
                  and t.target is not None and t.action not in REACTIVE for s in t.sources}
        match = table[Action.RECORD_DATA_MATCH]
        steps = Q(state__in=moving - {State.NOTICE.value})
        if State.NOTICE.value in moving:
            steps |= Q(state=State.NOTICE, notice_started_at__lte=now - timedelta(days=days))
        if role in match.roles:
            steps |= Q(state__in=[s.value for s in match.sources],
                       data_matched_at__isnull=True)
        wanted |= Q(chain=chain.value) & steps
    return (Case.objects.filter(scope_q(scope_of(actor), "village_code")).filter(wanted)
            .select_related("household").order_by("deadline", "pk"))


def at_notice(actor, now: datetime | None = None):
    """The actor's cases at the public notice that cannot be closed yet (shown as a count
    with the day the first can be closed, not as tasks)."""
    from dixian.core.access import scope_q

    now = now or timezone.now()
    if actor.role != Role.VILLAGE_CADRE:
        return Case.objects.none()
    days = procedure_params(actor.region_id)["village_notice_min_days"]
    return Case.objects.filter(scope_q(scope_of(actor), "village_code"), state=State.NOTICE,
                               notice_started_at__gt=now - timedelta(days=days))


def overdue(actor, now: datetime | None = None):
    """Open cases in the actor's region past their decision deadline, oldest first."""
    from dixian.core.access import scope_q

    now = now or timezone.now()
    return (Case.objects.filter(scope_q(scope_of(actor), "village_code"), deadline__lt=now)
            .exclude(state__in=[s.value for s in FINAL]).order_by("deadline"))


# Overdue cases go up: to the county on the deadline, to the prefecture a week later.
ESCALATION = ((timedelta(0), Level.COUNTY), (timedelta(days=7), Level.PREFECTURE))


def do_escalate_overdue(now: datetime | None = None) -> int:
    """Escalate overdue open cases one level and tell the people there (their inbox).
    Idempotent: a case is escalated to each level once. Returns the number escalated."""
    now = now or timezone.now()
    count = 0
    for late_by, level in ESCALATION:
        cases = (Case.objects.filter(deadline__lt=now - late_by,
                                     escalated_to_level__gt=level)
                 | Case.objects.filter(deadline__lt=now - late_by, escalated_to_level=0))
        cases = cases.exclude(state__in=[s.value for s in FINAL])
        for case in cases.order_by("pk"):
            with transaction.atomic():
                updated = Case.objects.filter(pk=case.pk).exclude(
                    escalated_to_level__in=range(1, level + 1)).update(
                    escalated_to_level=level, escalated_at=now)
                if not updated:
                    continue
                region = case.village_code[:CODE_LENGTH_BY_LEVEL[level]]
                _notify_level(region, level, case)
                audit.record("case.escalate", actor=None, obj=case, region_code=case.village_code,
                             after={"level": int(level), "region": region})
                count += 1
    return count


def _notify_level(region: str, level: Level, case: Case) -> None:
    from dixian.core.models import Notification, User
    from dixian.registry.people import describe

    roles = ([Role.COUNTY_APPROVER, Role.COUNTY_ADMIN] if level == Level.COUNTY
             else list(Role))
    users = User.objects.filter(region_id=region, role__in=roles, is_active=True)
    with translation.override(settings.LANGUAGE_CODE):  # stored: the platform's language
        text = _("Case %(case)d of household %(household)s is past its deadline "
                 "(%(deadline)s) and has been escalated to you") % {
            "case": case.pk, "household": describe(case.household),
            "deadline": case.deadline.strftime("%Y-%m-%d")}
    Notification.objects.bulk_create([Notification(user=u, text=text,
                                                   link=f"/cases/{case.pk}/") for u in users])
