"""The policy pages: the policy in force, its changes, proposing, previewing and approving."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dixian.core.access import require, scope_of, scope_q
from dixian.core.roles import Capability, role_has
from dixian.policy import actions, preview
from dixian.policy.bridge import policy as engine
from dixian.policy.models import PolicyChange, Status

ROWS = 5  # value rows on the proposal form


def _day(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _region_for(user, text: str | None) -> str:
    """The region asked for, when it is a code within the user's scope; else the user's own."""
    scope = scope_of(user)
    if text and text.isdigit() and len(text) in (2, 4, 6, 9, 12) and scope.contains(text):
        return text
    if user.region_id:
        return user.region_id
    return "52" if scope.national else ""


def parse_value(spec: engine.Parameter, text: str):
    """A typed value from the form's text: numbers, true/false, lists separated by commas."""
    text = (text or "").strip()
    if spec.type in ("labels", "rules"):  # a list of tables, written as JSON
        try:
            return json.loads(text)
        except ValueError:
            return text
    if spec.type.endswith("_list"):
        items = [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]
        return [parse_value(engine.Parameter(spec.name, spec.type[:-5], "", "", "", ""), t)
                for t in items]
    if spec.type == "bool":
        return {"true": True, "false": False, "是": True, "否": False}.get(text.lower(), text)
    if spec.type == "int":
        try:
            return int(text)
        except ValueError:
            return text
    if spec.type in ("number", "share"):
        try:
            return float(text)
        except ValueError:
            return text
    return text


@login_required
def policy_page(request):
    require(request.user, Capability.VIEW_REGIONS)
    region = _region_for(request.user, request.GET.get("region"))
    on = _day(request.GET.get("on"), timezone.localdate())
    resolved = engine.resolve(region or None, on)
    params = engine.parameters()
    rows = []
    for name in sorted(resolved):
        record, spec = resolved.record(name), params[name]
        rows.append({"name": name, "spec": spec, "value": resolved.as_json()[name],
                     "record": record, "where": record.region or "", "inferred": record.inferred})
    return render(request, "policy/policy.html", {
        "region": region, "on": on, "rows": rows, "fingerprint": resolved.fingerprint,
        "may_propose": role_has(request.user.role, Capability.PROPOSE_POLICY)})


@login_required
def changes_page(request):
    require(request.user, Capability.VIEW_REGIONS)
    changes = PolicyChange.objects.filter(scope_q(scope_of(request.user), "region_id")) \
        .select_related("proposed_by", "decided_by")
    status = request.GET.get("status", "")
    if status in Status.values:
        changes = changes.filter(status=status)
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "policy/changes.html", {"page": page, "status": status,
                                                   "statuses": Status.choices})


@login_required
def change_page(request, change_id: int):
    change = actions.access_change(request.user, change_id)
    on = change.effective_from
    current = engine.resolve(change.region_id, on)
    params = engine.parameters()
    diff = [{"name": v["parameter"], "spec": params.get(v["parameter"]),
             "before": current.as_json().get(v["parameter"]), "after": v["value"],
             "until": v.get("until")} for v in change.values]
    shown = dict(change.preview or {})
    if shown.get("by_county"):
        from dixian.registry.enums import category_name

        shown["by_county"] = [{**row, "category": category_name(row["category"])
                               if row["category"] else "—"} for row in shown["by_county"]]
    may_decide = (role_has(request.user.role, Capability.APPROVE_POLICY)
                  and change.status == Status.PENDING
                  and change.proposed_by_id != request.user.pk)
    return render(request, "policy/change.html", {
        "change": change, "diff": diff, "may_decide": may_decide,
        "preview": shown or None, "may_preview": change.status == Status.PENDING and
        role_has(request.user.role, Capability.PROPOSE_POLICY)})


@login_required
@require_POST
def change_preview(request, change_id: int):
    change = actions.access_change(request.user, change_id)
    require(request.user, Capability.PROPOSE_POLICY)
    if change.status != Status.PENDING:
        raise PermissionDenied
    preview.compute(change)
    return redirect("policy_change", change_id=change.pk)


@login_required
@require_POST
def change_decide(request, change_id: int):
    change = actions.access_change(request.user, change_id)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("decision") == "approve":
            actions.do_approve_policy_change(change, actor=request.user, reason=reason)
            messages.success(request, _("Approved: the change takes effect on %(day)s.") % {
                "day": change.effective_from})
        else:
            actions.do_reject_policy_change(change, actor=request.user, reason=reason)
            messages.success(request, _("Rejected."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        if not role_has(request.user.role, Capability.APPROVE_POLICY):
            raise
        messages.error(request, str(error))  # the maker of the change
    return redirect("policy_change", change_id=change.pk)


@login_required
def propose_page(request):
    require(request.user, Capability.PROPOSE_POLICY)
    params = engine.parameters()
    choices = [(n, params[n].title_zh) for n in sorted(params)
               if params[n].level != "nation"]
    form = {"region": request.user.region_id or "", "rows": [{} for _k in range(ROWS)]}
    errors: list[str] = []
    if request.method == "POST":
        post = request.POST
        values = []
        for k in range(ROWS):
            name = post.get(f"parameter_{k}", "")
            if not name:
                continue
            spec = params.get(name)
            value = parse_value(spec, post.get(f"value_{k}", "")) if spec else \
                post.get(f"value_{k}", "")
            values.append({"parameter": name, "value": value,
                           "until": post.get(f"until_{k}") or None})
        form = {"region": post.get("region", ""), "title": post.get("title", ""),
                "basis_number": post.get("basis_number", ""),
                "basis_date": post.get("basis_date", ""), "basis_text": post.get("basis_text", ""),
                "effective_from": post.get("effective_from", ""),
                "rows": [{"parameter": post.get(f"parameter_{k}", ""),
                          "value": post.get(f"value_{k}", ""),
                          "until": post.get(f"until_{k}", "")} for k in range(ROWS)]}
        basis_date = _day(post.get("basis_date"), None) if post.get("basis_date") else None
        effective = _day(post.get("effective_from"), None) if post.get("effective_from") \
            else None
        if basis_date is None:
            errors.append(_("document date: enter a date (YYYY-MM-DD)"))
        if effective is None:
            errors.append(_("effective date: enter a date (YYYY-MM-DD)"))
        if not errors:
            try:
                change = actions.do_propose_policy_change(
                    region=form["region"], title=form["title"],
                    basis_number=form["basis_number"], basis_date=basis_date,
                    basis_text=form["basis_text"], effective_from=effective, values=values,
                    actor=request.user)
            except ValidationError as error:
                errors += error.messages
            except Http404:
                errors.append(_("You may change the policy of your own region only."))
            else:
                messages.success(request, _("Proposed: a second policy administrator approves "
                                            "it."))
                return redirect("policy_change", change_id=change.pk)
    return render(request, "policy/propose.html", {"choices": choices, "form": form,
                                                   "errors": errors})


@login_required
def parameter_page(request, name: str):
    require(request.user, Capability.VIEW_REGIONS)
    params = engine.parameters()
    if name not in params:
        raise Http404
    region = _region_for(request.user, request.GET.get("region"))
    layers = engine.resolution.layers(region or None)
    history = [r for r in (*engine.load().records, *engine.approved_changes())
               if r.parameter == name and r.region in layers]
    history.sort(key=lambda r: (r.start, r.region))
    return render(request, "policy/parameter.html", {
        "spec": params[name], "history": history, "region": region,
        "values_json": json.dumps([str(r.value) for r in history], ensure_ascii=False)})
