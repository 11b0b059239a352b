"""Taking a step on a case: the only way a case changes.

``do_transition`` locks the case row, checks that the case is still in the state the person
saw (so two reviewers acting at once cannot both decide: the second is told the case has
moved on), that the actor's role may take the action (:mod:`dixian.cases.machine`), that the
case is in the actor's region, and that the step's requirements hold; then it moves the case,
records a :class:`CaseEvent` and an audit row, in one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dixian.cases.machine import FINAL, TRANSITIONS, Action, State
from dixian.cases.models import Case, CaseEvent, Clue
from dixian.core import audit
from dixian.core.access import NotFound, scope_of
from dixian.core.roles import Role
from dixian.registry.models import Household

# Parameters with their defaults (domain.md §11.1); per province and year later.
IDENTIFICATION_SLA_DAYS = 15
VILLAGE_NOTICE_MIN_DAYS = 5


class Conflict(ValidationError):
    """The case is no longer in the state the person acted on."""


def _consent(case: Case, data: dict, now: datetime) -> str | None:
    if not data.get("consent_date") or not (data.get("consent_scan") or data.get(
            "consent_confirmed")):
        return "the household's commitment and authorisation (a signed scan, or an explicit " \
               "confirmation) with its date"
    return None


def _review_record(case, data, now):
    if not data.get("participants") or not data.get("minutes"):
        return "the review's participants and minutes"
    return None


def _objection_text(case, data, now):
    return None if data.get("objection") else "the objection"


def _notice_days_elapsed(case, data, now):
    if case.notice_started_at is None:
        return "a published notice"
    if now - case.notice_started_at < timedelta(days=VILLAGE_NOTICE_MIN_DAYS):
        return f"a notice of at least {VILLAGE_NOTICE_MIN_DAYS} days"
    return None


def _data_matched(case, data, now):
    return None if case.data_matched_at else "the data match"


def _reason(case, data, now):
    return None if (data.get("reason") or "").strip() else "a reason"


def _category(case, data, now):
    if data.get("category") not in ("UNSTABLE", "MARGINAL", "SUDDEN"):
        return "a monitoring category (UNSTABLE, MARGINAL or SUDDEN)"
    return None


REQUIREMENTS = {
    "consent": _consent,
    "review_record": _review_record,
    "objection_text": _objection_text,
    "notice_days_elapsed": _notice_days_elapsed,
    "data_matched": _data_matched,
    "reason": _reason,
    "category": _category,
}


def access_case(actor, case_id: int) -> Case:
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not scope_of(actor).contains(case.village_code):
        raise NotFound
    return case


def do_transition(case_id: int, action: Action | str, *, actor, expected_state: str,
                  data: dict | None = None, now: datetime | None = None) -> Case:
    action = Action(action)
    transition = TRANSITIONS[action]
    data = dict(data or {})
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id).first()
        if case is None or not scope_of(actor).contains(case.village_code):
            raise NotFound
        if Role(actor.role) not in transition.roles:
            raise PermissionDenied(f"role {actor.role} cannot {action}")
        if case.state != expected_state:
            raise Conflict(f"the case is now {case.state}, not {expected_state}: "
                           "someone has already acted on it")
        if State(case.state) not in transition.sources:
            raise ValidationError(f"{action} is not possible from {case.state}")
        missing = [msg for name in transition.requires
                   if (msg := REQUIREMENTS[name](case, data, now))]
        if missing:
            raise ValidationError([f"{action} needs {m}" for m in missing])
        before = case.state
        _apply(case, action, data, now)
        if transition.target is not None:
            case.state = transition.target
        if case.state in FINAL or action in (Action.COUNTY_APPROVE,):
            case.decided_at = case.decided_at or now
        case.save()
        CaseEvent.objects.create(case=case, action=action, from_state=before,
                                 to_state=case.state, actor=actor, role=actor.role,
                                 data=_jsonable(data), time=now)
        audit.record(f"case.{action}", actor=actor, obj=case, region_code=case.village_code,
                     before={"state": before}, after={"state": case.state, **_jsonable(data)})
    return case


def _apply(case: Case, action: Action, data: dict, now: datetime) -> None:
    if action == Action.RECORD_VISIT:
        case.consent_date = data["consent_date"]
    elif action == Action.RECORD_DATA_MATCH:
        case.data_matched_at = now
    elif action == Action.PROPOSE:
        case.notice_started_at = now
    elif action == Action.RECORD_OBJECTION:
        case.notice_started_at = None  # a new notice follows the new review
    elif action in (Action.COUNTY_REJECT, Action.TOWNSHIP_RETURN):
        case.decision_reason = data["reason"]
    elif action == Action.COUNTY_APPROVE:
        case.category = data["category"]
        case.decision_reason = data.get("reason", "")
    elif action == Action.ENTER:
        household = Household.objects.select_for_update().get(pk=case.household_id)
        household.monitoring_category = case.category
        household.identified_month = now.strftime("%Y-%m")
        household.risk_types = case.risk_types[:5]
        household.risk_eliminated = False
        household.save(update_fields=["monitoring_category", "identified_month", "risk_types",
                                      "risk_eliminated", "updated_at"])


def _jsonable(data: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def do_receive_clue(household: Household, *, channel: str, risk_type: str, actor=None,
                    description: str = "", reference: str = "",
                    received_at: datetime | None = None) -> Clue:
    """Record a clue; a household with an open case gets the clue on that case."""
    received_at = received_at or timezone.now()
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).first()
        case = Case.objects.filter(household=household).exclude(
            state__in=[s.value for s in FINAL]).first()
        if case is None:
            case = Case.objects.create(
                household=household, village_code=household.village_id, opened_at=received_at,
                deadline=received_at + timedelta(days=IDENTIFICATION_SLA_DAYS),
                risk_types=[risk_type], fast_track=risk_type == "DISASTER")
        elif risk_type not in case.risk_types:
            case.risk_types = [*case.risk_types, risk_type]
            case.fast_track = case.fast_track or risk_type == "DISASTER"
            case.save(update_fields=["risk_types", "fast_track"])
        clue = Clue.objects.create(case=case, channel=channel, risk_type=risk_type,
                                   description=description, reference=reference,
                                   received_at=received_at,
                                   recorded_by=actor if getattr(actor, "is_authenticated",
                                                                False) else None)
        audit.record("case.clue", actor=actor, obj=case, region_code=case.village_code,
                     after={"channel": channel, "risk_type": risk_type, "clue": clue.pk})
    return clue


def overdue(actor, now: datetime | None = None):
    """Open cases in the actor's region past their decision deadline, oldest first."""
    from dixian.core.access import scope_q

    now = now or timezone.now()
    return (Case.objects.filter(scope_q(scope_of(actor), "village_code"), deadline__lt=now)
            .exclude(state__in=[s.value for s in FINAL]).order_by("deadline"))
