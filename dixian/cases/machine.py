"""The identification (domain rule R3) and risk-elimination (R6) procedures as one table.

Every transition is a row: the action, the kinds of case it applies to, the states it may
start from, the state it leads to, the roles that may take it, and what it requires. Nothing
else in Dixian decides who may move a case; the exhaustive test walks every kind × state ×
action × role against this table.

Risk elimination mirrors identification (domain.md §4: visit → review and notice → township →
county → announcement → marked eliminated), so the two kinds share states and most actions; an
elimination case starts at the visit, because proposing it is itself checked against R6.

Who decides is policy (``procedure.decision_level``, per province and date): the 2021 chain,
where the county approves (县级审定), or the joint chain of routine assistance, where the
township decides (乡镇认定) and the county oversees (domain-2026.md §4: Heilongjiang's 2025
measures). Each chain is a table of its own (:data:`CHAINS`); a case keeps the chain in force
on the day it was opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from dixian.core.roles import Role


class Kind(StrEnum):
    IDENTIFICATION = "identification"
    ELIMINATION = "elimination"


KIND_LABELS = {Kind.IDENTIFICATION: _("Identification"), Kind.ELIMINATION: _("Risk elimination")}


class Chain(StrEnum):
    """Who decides: the values of the policy parameter ``procedure.decision_level``."""
    COUNTY = "county"  # village review and notice, township review, county approval (2021)
    TOWNSHIP = "township"  # village intake and notice, the township decides, county oversees


CHAIN_LABELS = {Chain.COUNTY: _("The county decides (village review, township review, "
                                "county approval)"),
                Chain.TOWNSHIP: _("The township decides (joint identification; the county "
                                  "oversees)")}


class State(StrEnum):
    CLUE = "clue"  # a clue has been received
    VISIT = "visit"  # accepted: the household is to be visited, with its consent
    VILLAGE_REVIEW = "village_review"  # democratic review by the village
    NOTICE = "notice"  # public notice in the village, at least 5 days
    TOWNSHIP_REVIEW = "township_review"
    COUNTY_APPROVAL = "county_approval"
    ANNOUNCED = "announced"  # approved; announced in the village
    MONITORED = "monitored"  # entered as a monitored household (final)
    ELIMINATED = "eliminated"  # the household's risk is marked eliminated (final)
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
    State.ELIMINATED: _("Risk eliminated"),
    State.NOT_PROPOSED: _("Not proposed by the village"),
    State.REJECTED: _("Not approved by the county"),
}
FINAL = frozenset({State.MONITORED, State.ELIMINATED, State.NOT_PROPOSED, State.REJECTED})
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
    TOWNSHIP_REJECT = "township_reject"  # the joint chain: the township decides
    COUNTY_APPROVE = "county_approve"
    COUNTY_REJECT = "county_reject"
    ENTER = "enter"
    ELIMINATE = "eliminate"
    # Disaster fast track: assistance may start before approval (R3); the case goes on.
    START_ASSISTANCE = "start_assistance"


ACTION_LABELS = {
    Action.ACCEPT: _("Accept the clue"),
    Action.RECORD_VISIT: _("Record the household visit"),
    Action.RECORD_DATA_MATCH: _("Record the data match"),
    Action.PROPOSE: _("Propose after the village review (publish the notice)"),
    Action.DECLINE: _("Do not propose (village review)"),
    Action.RECORD_OBJECTION: _("Record an objection to the notice"),
    Action.CLOSE_NOTICE: _("Close the notice and send to the township"),
    Action.TOWNSHIP_APPROVE: _("Township: approve and send to the county"),
    Action.TOWNSHIP_RETURN: _("Township: return to the village review"),
    Action.TOWNSHIP_REJECT: _("Township: do not approve"),
    Action.COUNTY_APPROVE: _("County: approve"),
    Action.COUNTY_REJECT: _("County: do not approve"),
    Action.ENTER: _("Enter as a monitored household"),
    Action.ELIMINATE: _("Mark the risk eliminated"),
    Action.START_ASSISTANCE: _("Start assistance now (disaster fast track)"),
}


@dataclass(frozen=True)
class Transition:
    action: Action
    kinds: frozenset[Kind]
    sources: frozenset[State]
    target: State | None  # None: the case stays where it is (a parallel step)
    roles: frozenset[Role]
    requires: tuple[str, ...] = ()  # names of checks in dixian.cases.actions.REQUIREMENTS


BOTH = frozenset(Kind)
ID = frozenset({Kind.IDENTIFICATION})
EL = frozenset({Kind.ELIMINATION})


def _t(action, sources, target, roles, requires=(), kinds=BOTH):
    return Transition(action, frozenset(kinds), frozenset(sources), target, frozenset(roles),
                      tuple(requires))


R = Role
S = State
#: the 2021 chain: the county approves
TRANSITIONS: dict[Action, Transition] = {t.action: t for t in [
    _t(Action.ACCEPT, {S.CLUE}, S.VISIT, {R.TOWNSHIP_REVIEWER, R.VILLAGE_CADRE}, kinds=ID),
    # Identification needs the household's commitment and authorisation; an elimination
    # visit needs the visit's date and findings (the consent was given at identification).
    _t(Action.RECORD_VISIT, {S.VISIT}, S.VILLAGE_REVIEW, {R.VILLAGE_CADRE}, ("visit_record",)),
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
       ("data_matched", "elimination_conditions")),
    _t(Action.TOWNSHIP_RETURN, {S.TOWNSHIP_REVIEW}, S.VILLAGE_REVIEW, {R.TOWNSHIP_REVIEWER},
       ("reason",)),
    # Identification: the category is decided by the rules of R2 from the verified data;
    # elimination: the mode (assisted or natural) is chosen and R6 is checked again.
    _t(Action.COUNTY_APPROVE, {S.COUNTY_APPROVAL}, S.ANNOUNCED, {R.COUNTY_APPROVER},
       ("decision", "elimination_conditions")),
    _t(Action.COUNTY_REJECT, {S.COUNTY_APPROVAL}, S.REJECTED, {R.COUNTY_APPROVER}, ("reason",)),
    _t(Action.ENTER, {S.ANNOUNCED}, S.MONITORED, {R.TOWNSHIP_REVIEWER, R.VILLAGE_CADRE},
       kinds=ID),
    _t(Action.ELIMINATE, {S.ANNOUNCED}, S.ELIMINATED, {R.TOWNSHIP_REVIEWER, R.VILLAGE_CADRE},
       ("elimination_conditions",), kinds=EL),
    _t(Action.START_ASSISTANCE, OPEN - {S.ANNOUNCED}, None,
       {R.TOWNSHIP_REVIEWER, R.COUNTY_APPROVER}, ("fast_track", "assistance_text"), kinds=ID),
]}


# The joint chain: the township's approval is the decision (R2's category, or the
# elimination's mode with R6 checked again) and announces it; the township may also refuse;
# the county approves nothing but oversees: it receives objections to the notice (as in the
# 2021 chain) and sees every case of its county.
_DECIDED_BY_TOWNSHIP = {
    Action.TOWNSHIP_APPROVE: _t(Action.TOWNSHIP_APPROVE, {S.TOWNSHIP_REVIEW}, S.ANNOUNCED,
                                {R.TOWNSHIP_REVIEWER},
                                ("data_matched", "decision", "elimination_conditions")),
    Action.TOWNSHIP_REJECT: _t(Action.TOWNSHIP_REJECT, {S.TOWNSHIP_REVIEW}, S.REJECTED,
                               {R.TOWNSHIP_REVIEWER}, ("reason",)),
    Action.START_ASSISTANCE: _t(Action.START_ASSISTANCE, OPEN - {S.ANNOUNCED, S.COUNTY_APPROVAL},
                                None, {R.TOWNSHIP_REVIEWER, R.COUNTY_APPROVER},
                                ("fast_track", "assistance_text"), kinds=ID),
}
_TOWNSHIP_CHAIN = {a: t for a, t in TRANSITIONS.items()
                   if a not in (Action.COUNTY_APPROVE, Action.COUNTY_REJECT)}
_TOWNSHIP_CHAIN.update(_DECIDED_BY_TOWNSHIP)
CHAINS: dict[Chain, dict[Action, Transition]] = {Chain.COUNTY: TRANSITIONS,
                                                 Chain.TOWNSHIP: _TOWNSHIP_CHAIN}
#: the action whose taking is the decision (R2's category or R6's mode), per chain
DECIDING = {Chain.COUNTY: Action.COUNTY_APPROVE, Chain.TOWNSHIP: Action.TOWNSHIP_APPROVE}


def allowed(kind: Kind, state: State, role: Role, chain: Chain = Chain.COUNTY) -> list[Action]:
    """The actions a role may take on a case of this kind in this state under this chain
    (what a case page offers; requirements are checked when the action is taken)."""
    return [t.action for t in CHAINS[chain].values()
            if kind in t.kinds and state in t.sources and role in t.roles]
