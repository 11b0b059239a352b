"""The audit trail in words: each recorded action's name in the person's language (the codes
stay in the trail; filters still take them)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "assistance.plan": _("Measure planned"),
    "assistance.update": _("Measure updated"),
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Failed login"),
    "campaign.launch": _("Concentrated screening launched"),
    "campaign.visit": _("Screening visit recorded"),
    "case.clue": _("Clue received"),
    "case.declaration_accept": _("Self-declaration accepted"),
    "case.escalate": _("Overdue case escalated"),
    "case.propose_elimination": _("Risk elimination proposed"),
    "case.self_declaration": _("Self-declaration received"),
    "cases.backfill": _("Cases backfilled"),
    "evaluation.draw_sample": _("Evaluation sample drawn"),
    "evaluation.record_finding": _("Evaluation finding recorded"),
    "feed.upload": _("Department feed uploaded"),
    "monitoring.visit": _("Monthly visit recorded"),
    "monitoring.visit_correct": _("Monthly visit corrected"),
    "notification.dismiss": _("Notifications dismissed"),
    "notification.read": _("Notifications read"),
    "pii.reveal": _("ID number revealed"),
    "pii.rotate_keys": _("Encryption keys rotated"),
    "quality.accept": _("Quality issue accepted"),
    "quality.run": _("Quality rules run"),
    "regions.load": _("Divisions loaded"),
    "registry.export": _("Registry exported"),
    "registry.household.split": _("Household split"),
    "registry.household.update": _("Household updated"),
    "registry.import": _("Registry imported"),
    "registry.member.birth": _("Birth recorded"),
    "registry.member.move": _("Member moved"),
    "registry.member.update": _("Member updated"),
    "registry.synthetic_load": _("Synthetic data loaded"),
    "screening.run": _("Screening run"),
    "screening.schedule_advance": _("Screening schedule moved on"),
    "statistics.recompute": _("Statistics recomputed"),
    "user.create": _("User created"),
    "user.deactivate": _("User deactivated"),
    "user.reset_password": _("Password reset"),
}


#: labels of actions named by a prefix, filled in by the app that owns them at start-up
#: (cases: ``case.<step>``): prefix → a function of the rest giving the label, or None
PREFIX_LABELS: dict[str, Callable[[str], object | None]] = {}


def action_label(action: str) -> str:
    """A recorded action by its name; a case step by the step's name; else the code."""
    if action in ACTIONS:
        return str(ACTIONS[action])
    for prefix, label_of in PREFIX_LABELS.items():
        if action.startswith(prefix) and (found := label_of(action.removeprefix(prefix))):
            return str(found)
    return action


def role_label(role: str) -> str:
    from dixian.core.roles import Role

    return str(Role(role).label) if role in Role.values else role
