"""The duplicate report's page: pairs side by side with their similarity, and a decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dixian.core.access import require
from dixian.core.roles import Capability, role_has
from dixian.registry import duplicates
from dixian.registry.enums import label
from dixian.registry.models import DuplicateDecision


@login_required
def duplicate_report(request):
    require(request.user, Capability.VIEW_REGISTRY)
    pairs, total = duplicates.access_duplicate_pairs(request.user)
    for pair in pairs:
        for member in (pair.a, pair.b):
            member.relation_label = label("relation_to_head", member.relation_to_head)
            member.sex_label = label("sex", member.sex)
    decisions = duplicates.scoped_decisions(request.user)[:50]
    return render(request, "registry/duplicates.html", {
        "pairs": pairs, "total": total, "decisions": decisions,
        "may_decide": role_has(request.user.role, Capability.EDIT_REGISTRY),
        "Decision": DuplicateDecision.Decision})


@login_required
@require_POST
def duplicate_decide(request):
    require(request.user, Capability.EDIT_REGISTRY)
    if not (request.POST.get("member_a") and request.POST.get("member_b")):
        messages.error(request, _("Choose a pair to decide on."))
        return redirect("duplicates")
    try:
        duplicates.do_decide_duplicate(request.POST.get("member_a", ""),
                                       request.POST.get("member_b", ""),
                                       request.POST.get("decision", ""), actor=request.user,
                                       note=request.POST.get("note", ""))
        messages.success(request, _("Decision recorded."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("duplicates")


@login_required
@require_POST
def duplicate_reverse(request, decision_id: int):
    require(request.user, Capability.EDIT_REGISTRY)
    try:
        duplicates.do_reverse_duplicate_decision(decision_id, actor=request.user)
        messages.success(request, _("Decision reversed."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("duplicates")
