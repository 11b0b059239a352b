"""The audit trail in words: each recorded action's name in the person's language (the codes
stay in the trail; filters still take them)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "alarm.demo_flood": _("Demo: a flood planted for the bottom-line alarm"),
    "alarm.raise": _("Bottom-line alarm raised"),
    "regional.demo_relocation": _("Demo: relocation follow-up built"),
    "regional.agreement": _("Pairing's annual agreement set"),
    "regional.agreement_funds": _("Allocation counted as a partner's funds"),
    "regional.pairing": _("Pairing recorded"),
    "regional.pairing_end": _("Pairing ended"),
    "regional.partner": _("Partner registered"),
    "regional.partner_user": _("User linked to a partner"),
    "regional.placements": _("Workers placed under a pairing"),
    "regional.resident_cadre": _("Village cadre appointed"),
    "regional.resident_cadre_end": _("Village cadre's term ended"),
    "regional.budget_unit": _("Budget unit registered"),
    "regional.consumption_import": _("Consumption purchase file received"),
    "regional.consumption_plan": _("Budget unit's consumption plan set"),
    "regional.county_indicators": _("County development-status indicators recorded"),
    "regional.county_indicators_import": _("County indicator file received"),
    "regional.follow_up": _("Relocated member's employment followed up"),
    "regional.land_quota_proceeds": _("Land-quota proceeds entered as funds"),
    "regional.land_quota_trade": _("Land-quota trade recorded"),
    "regional.relocated_link": _("Relocated household linked to its site"),
    "regional.site_create": _("Resettlement site registered"),
    "regional.site_facilities": _("Resettlement site's facilities updated"),
    "registry.export_ledger": _("Ledger exported"),
    "registry.import_ledger": _("Ledger imported"),
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
    "job.create": _("Background job started"),
    "job.finish": _("Background job finished"),
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
    "user.change_password": _("Password changed"),
    "user.reactivate": _("User reactivated"),
    "user.rescope": _("User's region or role changed"),
    "user.two_factor_begin": _("Two-factor sign-in set up begun"),
    "user.two_factor_confirm": _("Two-factor sign-in set up"),
    "user.two_factor_reset": _("Two-factor sign-in reset"),
    "token.create": _("Department token created"),
    "token.revoke": _("Department token revoked"),
    "token.rotate": _("Department token rotated"),
    "department.setting": _("Department setting changed"),
    "dci.search": _("Data exchange search"),
    "dci.subscribe": _("Data exchange subscription"),
    "dci.unsubscribe": _("Data exchange subscription ended"),
    "funds.allocation": _("Funds allocated"),
    "funds.appropriation": _("Funds appropriated"),
    "funds.asset": _("Project asset registered"),
    "funds.asset_assessment": _("Project asset assessed"),
    "funds.asset_income": _("Project asset income recorded"),
    "funds.demo_history": _("Demonstration fund history loaded"),
    "funds.disposal_decision": _("Asset disposal decided"),
    "funds.disposal_request": _("Asset disposal requested"),
    "funds.distribution": _("Asset income distributed"),
    "funds.document_download": _("Project document downloaded"),
    "funds.document_upload": _("Project document uploaded"),
    "funds.notice_posted": _("Project notice posted"),
    "funds.payment": _("Project payment"),
    "funds.work_relief": _("Work-relief project recorded"),
    "funds.work_relief_hire": _("Work-relief worker hired"),
    "funds.work_relief_payroll": _("Work-relief wages paid"),
    "policy.propose": _("Policy change proposed"),
    "policy.approve": _("Policy change approved"),
    "policy.reject": _("Policy change rejected"),
    "registry.department_facts": _("Department values applied"),
    "registry.duplicate_decide": _("Duplicate person decided"),
    "registry.duplicate_reverse": _("Duplicate decision reversed"),
    "registry.fact_conflict.decide": _("Department value decided"),
    "registry.household.add": _("Household added"),
    "registry.household.arrive": _("Household arrived"),
    "registry.household.change_head": _("Head of household changed"),
    "registry.household.merge": _("Households merged"),
    "registry.household.move": _("Household moved"),
    "registry.member.marriage_in": _("Member joined by marriage"),
    "registry.member.joined": _("Member joined"),
    "registry.reconcile": _("Registry reconciled"),
    "retention.purge_uploads": _("Old uploads purged"),
    "screening.schedule_active": _("Screening schedule switched on or off"),
    "screening.schedule_create": _("Screening schedule created"),
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
