"""The policy over the API: the policy in force, changes, proposing, approving, previewing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from dixian.core.access import require, scope_of, scope_q
from dixian.core.roles import Capability
from dixian.policy import actions, preview
from dixian.policy.bridge import policy as engine
from dixian.policy.models import PolicyChange
from dixian.policy.views import _region_for
from dixian.web.api_body import documented, read_body

router = Router(tags=["policy"])


class PolicyOut(Schema):
    region: str
    on: dt.date
    fingerprint: str
    values: dict[str, Any]


class ValueIn(Schema):
    parameter: str
    value: Any
    until: dt.date | None = None


class ChangeIn(Schema):
    region: str
    title: str
    basis_number: str
    basis_date: dt.date
    basis_text: str
    effective_from: dt.date
    values: list[ValueIn]


class DecisionIn(Schema):
    reason: str = ""


class ChangeOut(Schema):
    id: int
    region: str
    title: str
    basis_number: str
    basis_date: dt.date
    basis_text: str
    effective_from: dt.date
    values: list[dict[str, Any]]
    status: str
    proposed_by: str
    decided_by: str | None
    decision_reason: str
    fingerprint_before: str
    fingerprint_after: str

    @staticmethod
    def resolve_region(obj):
        return obj.region_id

    @staticmethod
    def resolve_proposed_by(obj):
        return obj.proposed_by.username

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.username if obj.decided_by else None


@router.get("/", response=PolicyOut)
def policy_in_force(request, region: str = "", on: str = ""):
    """The policy in force in ``region`` (default: the user's) on ``on`` (default: today)."""
    require(request.user, Capability.VIEW_REGIONS)
    try:
        day = dt.date.fromisoformat(on) if on else timezone.localdate()
    except ValueError:
        raise HttpError(400, f"on={on!r} is not a date (YYYY-MM-DD)") from None
    code = _region_for(request.user, region)
    if region and code != region:
        raise HttpError(404, "Not Found")
    resolved = engine.resolve(code or None, day)
    return {"region": code, "on": day, "fingerprint": resolved.fingerprint,
            "values": resolved.as_json()}


@router.get("/changes", response=list[ChangeOut])
def list_changes(request, status: str = ""):
    require(request.user, Capability.VIEW_REGIONS)
    changes = PolicyChange.objects.filter(scope_q(scope_of(request.user), "region_id")) \
        .select_related("proposed_by", "decided_by")
    if status:
        changes = changes.filter(status=status)
    return list(changes[:500])


@router.get("/changes/{change_id}", response=ChangeOut)
def get_change(request, change_id: int):
    return actions.access_change(request.user, change_id)


@router.post("/changes", response={201: ChangeOut}, openapi_extra=documented(ChangeIn))
def propose(request):
    require(request.user, Capability.PROPOSE_POLICY)
    body = read_body(request, ChangeIn, "the change (region, title, basis_number, basis_date, "
                                        "basis_text, effective_from, values)")
    try:
        change = actions.do_propose_policy_change(
            region=body.region, title=body.title, basis_number=body.basis_number,
            basis_date=body.basis_date, basis_text=body.basis_text,
            effective_from=body.effective_from, actor=request.user,
            values=[{"parameter": v.parameter, "value": v.value,
                     "until": v.until.isoformat() if v.until else None} for v in body.values])
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None
    except Http404:
        raise HttpError(404, "Not Found") from None
    return 201, change


def _decide(request, change_id: int, approve: bool):
    require(request.user, Capability.APPROVE_POLICY)
    change = actions.access_change(request.user, change_id)
    body = read_body(request, DecisionIn, "the decision (reason)")
    try:
        if approve:
            return actions.do_approve_policy_change(change, actor=request.user,
                                                   reason=body.reason)
        return actions.do_reject_policy_change(change, actor=request.user, reason=body.reason)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Forbidden") from None


@router.post("/changes/{change_id}/approve", response=ChangeOut,
             openapi_extra=documented(DecisionIn))
def approve(request, change_id: int):
    return _decide(request, change_id, True)


@router.post("/changes/{change_id}/reject", response=ChangeOut,
             openapi_extra=documented(DecisionIn))
def reject(request, change_id: int):
    return _decide(request, change_id, False)


@router.post("/changes/{change_id}/preview", response=dict)
def run_preview(request, change_id: int):
    """Compute (again) what the pending change would do on the region's registry."""
    require(request.user, Capability.PROPOSE_POLICY)
    change = actions.access_change(request.user, change_id)
    if change.status != "pending":
        raise HttpError(400, f"change {change.pk} is {change.status}, not pending")
    return preview.compute(change)
