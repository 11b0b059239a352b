"""Navigation by role: each entry needs a capability."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dixian.core.roles import Capability, role_has

NAVIGATION = [
    ("home", _("Home"), None),
    ("inbox", _("My tasks"), None),
    ("households", _("Households"), Capability.VIEW_REGISTRY),
    ("cases", _("Cases"), Capability.VIEW_REGISTRY),
    ("declarations", _("Declarations"), Capability.VIEW_REGISTRY),
    ("alerts", _("Alerts"), Capability.VIEW_REGISTRY),
    ("feeds", _("Department data"), Capability.UPLOAD_FEEDS),
    ("measures", _("Measures to deliver"), Capability.DELIVER_MEASURES),
    ("coverage", _("Assistance"), Capability.VIEW_REGISTRY),
    ("funds", _("Funds and projects"), Capability.VIEW_FUNDS),
    ("relocation", _("Relocation follow-up"), Capability.VIEW_REGIONAL),
    ("pairings", _("East–West and paired assistance"), Capability.VIEW_PAIRINGS),
    ("key_counties", _("Key counties"), Capability.VIEW_FUNDS),
    ("quality_issues", _("Data quality"), Capability.VIEW_REGISTRY),
    ("statistics", _("Statistics"), Capability.VIEW_REGISTRY),
    ("alarms", _("Bottom-line alarms"), Capability.VIEW_REGIONS),
    ("imports", _("Imports"), Capability.IMPORT_REGISTRY),
    ("duplicates", _("Duplicates"), Capability.VIEW_REGISTRY),
    ("regions", _("Regions"), Capability.VIEW_REGIONS),
    ("policy", _("Policy"), Capability.VIEW_REGIONS),
    ("users", _("Users"), Capability.VIEW_USERS),
    ("departments", _("Departments"), Capability.MANAGE_DEPARTMENTS),
    ("fact_conflicts", _("Department values"), Capability.REVIEW_FACTS),
    ("audit", _("Audit"), Capability.VIEW_AUDIT),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url": reverse(name), "label": label, "name": name}
        for name, label, capability in NAVIGATION
        if capability is None or role_has(user.role, capability)
    ]
    return {"nav_items": items}
