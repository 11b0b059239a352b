"""The differences between departments' values and entered values, for a person to decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability
from dixian.registry import facts
from dixian.registry.models import FactConflict


def scoped_conflicts(user):
    require(user, Capability.REVIEW_FACTS)
    return FactConflict.objects.filter(scope_q(scope_of(user), "village_code"))


def _shown(conflict: FactConflict) -> tuple[str, str, str]:
    """The field by its name and the two values by their labels (低保 城市低保, not dibao urban)."""
    from django.core.exceptions import FieldDoesNotExist

    from dixian.registry.bridge import ENUMS
    from dixian.registry.enums import label
    from dixian.registry.models import Household, Member

    field_label = conflict.field
    for model in (Member, Household) if conflict.member_id else (Household, Member):
        try:
            field_label = str(model._meta.get_field(conflict.field).verbose_name)
            break
        except FieldDoesNotExist:
            continue

    def value(v) -> str:
        if v is None or v == "":
            return "—"
        if isinstance(v, bool):
            return str(_("Yes") if v else _("No"))
        if conflict.field in ENUMS and isinstance(v, str):
            return label(conflict.field, v)
        if isinstance(v, list):
            return "、".join(value(x) for x in v)
        return str(v)

    return field_label, value(conflict.entered_value), value(conflict.department_value)


@login_required
def conflicts(request):
    status = request.GET.get("status", FactConflict.Status.OPEN)
    found = scoped_conflicts(request.user).filter(status=status).select_related(
        "household", "member")
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    for conflict in page.object_list:
        conflict.field_label, conflict.entered_label, conflict.department_label = _shown(
            conflict)
    return render(request, "registry/fact_conflicts.html", {"page": page, "status": status,
                                                            "statuses": FactConflict.Status})


@login_required
@require_POST
def decide(request, conflict_id: int):
    conflict = scoped_conflicts(request.user).filter(pk=conflict_id).first()
    if conflict is None:
        raise NotFound
    try:
        facts.do_decide_conflict(conflict, request.POST.get("take") == "department",
                                 actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decided."))
    return redirect("fact_conflicts")
