"""The identification procedure (domain rule R3) as one table.

Every transition is a row: the action, the states it may start from, the state it leads to,
the roles that may take it, and what it requires. Nothing else in Dixian decides who may move
a case; the exhaustive test walks every state × action × role against this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from dixian.core.roles import Role


class State(StrEnum):
    CLUE = "clue"  # a clue has been received
    VISIT = "visit"  # accepted: the household is to be visited, with its consent
    VILLAGE_REVIEW = "village_review"  # democratic review by the village
    NOTICE = "notice"  # public notice in the village, at least 5 days
    TOWNSHIP_REVIEW = "township_review"
    COUNTY_APPROVAL = "county_approval"
    ANNOUNCED = "announced"  # approved; announced in the village
    MONITORED = "monitored"  # entered as a monitored household (final)
    NOT_PROPOSED = "not_proposed"  # the village review found the household not eligible (final)
    REJECTED = "rejected"  # the county did not approve (final)


STATE_LABELS = {
    State.CLUE: _("Clue received"),
    State.VISIT: _("Household visit"),
    State.VILLAGE_REVIEW: _("Village democratic review"),
    State.NOTICE: _("Public notice"),
    State.TOWNSHIP_REVIEW: _("Township review"),
    State.COUNTY_APPROVAL: _("County approval"),
    State.ANNOUNCED: _("Announced"),
    State.MONITORED: _("Monitored"),
    State.NOT_PROPOSED: _("Not proposed by the village"),
    State.REJECTED: _("Not approved by the county"),
}
FINAL = frozenset({State.MONITORED, State.NOT_PROPOSED, State.REJECTED})
OPEN = frozenset(State) - FINAL


class Action(StrEnum):
    ACCEPT = "accept"
    RECORD_VISIT = "record_visit"
    RECORD_DATA_MATCH = "record_data_match"
    PROPOSE = "propose"
    DECLINE = "decline"
    RECORD_OBJECTION = "record_objection"
    CLOSE_NOTICE = "close_notice"
    TOWNSHIP_APPROVE = "township_approve"
    TOWNSHIP_RETURN = "township_return"
    COUNTY_APPROVE = "county_approve"
    COUNTY_REJECT = "county_reject"
    ENTER = "enter"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[State]
    target: State | None  # None: the case stays where it is (a parallel step)
    roles: frozenset[Role]
    requires: tuple[str, ...] = ()  # names of checks in dixian.cases.actions.REQUIREMENTS


def _t(action, sources, target, roles, requires=()):
    return Transition(action, frozenset(sources), target, frozenset(roles), tuple(requires))


R = Role
S = State
TRANSITIONS: dict[Action, Transition] = {t.action: t for t in [
    _t(Action.ACCEPT, {S.CLUE}, S.VISIT, {R.TOWNSHIP_REVIEWER, R.VILLAGE_CADRE}),
    _t(Action.RECORD_VISIT, {S.VISIT}, S.VILLAGE_REVIEW, {R.VILLAGE_CADRE}, ("consent",)),
    # Data matching may run in parallel with the visit and the review (R3, step 2).
    _t(Action.RECORD_DATA_MATCH, {S.VISIT, S.VILLAGE_REVIEW, S.NOTICE, S.TOWNSHIP_REVIEW}, None,
       {R.COUNTY_ADMIN}),
    _t(Action.PROPOSE, {S.VILLAGE_REVIEW}, S.NOTICE, {R.VILLAGE_CADRE}, ("review_record",)),
    _t(Action.DECLINE, {S.VILLAGE_REVIEW}, S.NOT_PROPOSED, {R.VILLAGE_CADRE},
       ("review_record",)),
    # An objection during the notice goes back to the village review.
    _t(Action.RECORD_OBJECTION, {S.NOTICE}, S.VILLAGE_REVIEW,
       {R.VILLAGE_CADRE, R.TOWNSHIP_REVIEWER, R.COUNTY_APPROVER}, ("objection_text",)),
    _t(Action.CLOSE_NOTICE, {S.NOTICE}, S.TOWNSHIP_REVIEW, {R.VILLAGE_CADRE},
       ("notice_days_elapsed",)),
    _t(Action.TOWNSHIP_APPROVE, {S.TOWNSHIP_REVIEW}, S.COUNTY_APPROVAL, {R.TOWNSHIP_REVIEWER},
       ("data_matched",)),
    _t(Action.TOWNSHIP_RETURN, {S.TOWNSHIP_REVIEW}, S.VILLAGE_REVIEW, {R.TOWNSHIP_REVIEWER},
       ("reason",)),
    _t(Action.COUNTY_APPROVE, {S.COUNTY_APPROVAL}, S.ANNOUNCED, {R.COUNTY_APPROVER},
       ("category",)),
    _t(Action.COUNTY_REJECT, {S.COUNTY_APPROVAL}, S.REJECTED, {R.COUNTY_APPROVER}, ("reason",)),
    _t(Action.ENTER, {S.ANNOUNCED}, S.MONITORED, {R.TOWNSHIP_REVIEWER, R.VILLAGE_CADRE}),
]}


def allowed(state: State, role: Role) -> list[Action]:
    """The actions a role may take on a case in this state (what a case page offers)."""
    return [t.action for t in TRANSITIONS.values() if state in t.sources and role in t.roles]
