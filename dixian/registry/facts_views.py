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


@login_required
def conflicts(request):
    status = request.GET.get("status", FactConflict.Status.OPEN)
    found = scoped_conflicts(request.user).filter(status=status).select_related(
        "household", "member")
    page = Paginator(found, 50).get_page(request.GET.get("page"))
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
