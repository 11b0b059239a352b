"""Proposing, approving and rejecting policy changes: maker-checker, every step audited.

A proposal is checked whole before it is stored (every problem is named: the parameter and
the rule it breaks) and nothing of a refused proposal is kept. The approver must be another
policy administrator whose scope covers the region; an approval makes the values count from
their effective date, never retroactively: a change cannot take effect before the day it is
approved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of
from dixian.core.models import Region
from dixian.core.roles import Capability
from dixian.policy import bridge
from dixian.policy.bridge import parse_record, plain
from dixian.policy.bridge import policy as engine
from dixian.policy.models import PolicyChange, Status

POLICY_LEVELS = {2: "province", 4: "prefecture", 6: "county"}


def check_values(region: str, effective_from: dt.date, values: list[dict[str, Any]], *,
                 today: dt.date) -> list[dict[str, Any]]:
    """The values in canonical form; :class:`ValidationError` listing every problem."""
    problems: list[str] = []
    parameters = engine.parameters()
    if len(region) not in POLICY_LEVELS:
        problems.append(f"{region}: policy is set for a province, prefecture or county")
    if effective_from < today:
        problems.append(f"effective date {effective_from} is in the past: a change takes "
                        "effect on or after the day it is proposed")
    if not values:
        problems.append("the change sets no value")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(values, start=1):
        name = str(item.get("parameter", ""))
        where = f"value {i} ({name or '?'})"
        if name in seen:
            problems.append(f"{where}: the parameter appears twice in one change")
            continue
        seen.add(name)
        raw = {"from": effective_from, "value": item.get("value"), "source": "proposal"}
        if item.get("until"):
            try:
                raw["until"] = dt.date.fromisoformat(str(item["until"]))
            except ValueError:
                problems.append(f"{where}: until {item['until']!r} is not a date (YYYY-MM-DD)")
                continue
        try:
            record = parse_record(raw, parameter=name, region=region, where=where,
                                  parameters=parameters)
        except engine.PolicyError as error:
            problems.append(str(error))
            continue
        out.append({"parameter": name, "value": plain(record.value),
                    "until": record.stop.isoformat() if record.stop else None})
    if problems:
        raise ValidationError(problems)
    return out


def _overlaps(region: str, effective_from: dt.date, values: list[dict]) -> list[str]:
    """Pending proposals for the same region, parameter and day would make the outcome depend
    on which is approved first: refused."""
    names = {v["parameter"] for v in values}
    out = []
    for other in PolicyChange.objects.filter(region_id=region, effective_from=effective_from,
                                             status=Status.PENDING):
        both = names & {v["parameter"] for v in other.values}
        if both:
            out.append(f"{', '.join(sorted(both))}: change {other.pk} (pending) already sets "
                       f"a value from {effective_from} for {region}")
    return out


def access_change(actor, change_id) -> PolicyChange:
    require(actor, Capability.VIEW_REGIONS)  # the policy is public information
    try:
        change = PolicyChange.objects.select_related("region").get(pk=int(change_id))
    except (PolicyChange.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
    if not scope_of(actor).contains(change.region_id):
        raise NotFound
    return change


def fingerprints(region: str, on: dt.date, values: list[dict]) -> tuple[str, str]:
    change = PolicyChange(region_id=region, effective_from=on, values=values,
                          basis_number="", basis_date=on)
    before = engine.resolve(region, on)
    after = engine.resolve(region, on, overlay=bridge.to_records(change))
    return before.fingerprint, after.fingerprint


def do_propose_policy_change(*, region: str, title: str, basis_number: str,
                             basis_date: dt.date, basis_text: str, effective_from: dt.date,
                             values: list[dict[str, Any]], actor, source_file: str = "",
                             now: dt.datetime | None = None) -> PolicyChange:
    require(actor, Capability.PROPOSE_POLICY)
    if not scope_of(actor).contains(region):
        raise NotFound
    if not Region.objects.filter(code=region).exists():
        raise NotFound
    now = now or timezone.now()
    problems = []
    for field, value in (("title", title), ("document number", basis_number),
                         ("basis", basis_text)):
        if not str(value or "").strip():
            problems.append(f"{field} is required")
    try:
        values = check_values(region, effective_from, values, today=timezone.localdate(now))
    except ValidationError as error:
        problems += error.messages
    if not problems:
        problems += _overlaps(region, effective_from, values)
    if problems:
        raise ValidationError(problems)
    before, after = fingerprints(region, effective_from, values)
    with transaction.atomic():
        change = PolicyChange.objects.create(
            region_id=region, title=title.strip(), basis_number=basis_number.strip(),
            basis_date=basis_date, basis_text=basis_text.strip(), effective_from=effective_from,
            values=values, proposed_by=actor, proposed_at=now, source_file=source_file,
            fingerprint_before=before, fingerprint_after=after)
        audit.record("policy.propose", actor=actor, obj=change, region_code=region,
                      after={"title": change.title, "effective_from": effective_from,
                             "values": values, "basis_number": change.basis_number})
    return change


def _decide(change: PolicyChange, *, actor, status: str, reason: str,
            now: dt.datetime | None) -> PolicyChange:
    require(actor, Capability.APPROVE_POLICY)
    now = now or timezone.now()
    with transaction.atomic():
        change = PolicyChange.objects.select_for_update().get(pk=change.pk)
        if not scope_of(actor).contains(change.region_id):
            raise NotFound
        if change.status != Status.PENDING:
            raise ValidationError(f"change {change.pk} is {change.get_status_display()}, "
                                  "not awaiting approval")
        if change.proposed_by_id == actor.pk:
            raise PermissionDenied("a change is approved or rejected by a second person, "
                                   "not by the one who proposed it")
        if status == Status.APPROVED and change.effective_from < timezone.localdate(now):
            raise ValidationError(f"change {change.pk} would take effect on "
                                  f"{change.effective_from}, before today: propose it again "
                                  "with a new effective date")
        change.status, change.decided_by, change.decided_at = status, actor, now
        change.decision_reason = reason.strip()
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit.record(f"policy.{'approve' if status == Status.APPROVED else 'reject'}",
                     actor=actor, obj=change, region_code=change.region_id,
                     before={"status": Status.PENDING},
                     after={"status": status, "reason": change.decision_reason,
                            "fingerprint": change.fingerprint_after})
        transaction.on_commit(bridge.invalidate)
    bridge.invalidate()
    return change


def do_approve_policy_change(change: PolicyChange, *, actor, reason: str = "",
                             now: dt.datetime | None = None) -> PolicyChange:
    return _decide(change, actor=actor, status=Status.APPROVED, reason=reason, now=now)


def do_reject_policy_change(change: PolicyChange, *, actor, reason: str,
                            now: dt.datetime | None = None) -> PolicyChange:
    if not reason.strip():
        raise ValidationError("a rejection gives its reason")
    return _decide(change, actor=actor, status=Status.REJECTED, reason=reason, now=now)
