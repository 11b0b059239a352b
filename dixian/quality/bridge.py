"""Running the quality rules over the registry and keeping the issues.

The engine (:mod:`dixian.engine.quality`) sees only Arrow tables; this module takes a
snapshot, runs the rules, and turns findings into issues: new findings open issues,
issues no longer found are fixed, issues found again after a fix reopen, and issues a
person accepted with a reason stay accepted.
"""

from __future__ import annotations

import hashlib
import time

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from dixian.core import audit
from dixian.engine import quality as engine
from dixian.engine.scope import RegionScope, require_scope
from dixian.quality.models import IssueStatus, QualityIssue, QualityRun
from dixian.registry import snapshot

KEY_FIELDS = ("rule_id", "village_code", "household_code", "member_id", "period", "field")


def issue_key(row: dict) -> str:
    text = "|".join(str(row.get(name) or "") for name in KEY_FIELDS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run(scope: RegionScope, *, actor=None) -> QualityRun:
    require_scope(scope)
    started_at = timezone.now()
    from dixian.core import progress

    started = time.perf_counter()
    with progress.task("    reading the registry", total=1) as done:
        tables = snapshot.snapshot(scope, reveal=True)
        done()
    with progress.task(f"    running {len(engine.RULES)} quality rules", total=1) as done:
        findings: pa.Table = engine.run(tables, scope)
        rows = findings.to_pylist()
        done()
    seconds = time.perf_counter() - started
    with transaction.atomic():
        quality_run = QualityRun.objects.create(
            scope_code=scope.stored_code(),
            started_at=started_at, seconds=seconds, rules=len(engine.RULES),
            actor=actor if getattr(actor, "is_authenticated", False) else None)
        counts = _persist(rows, scope, quality_run)
        quality_run.counts = counts
        quality_run.save(update_fields=["counts"])
        audit.record("quality.run", actor=actor, obj=quality_run,
                     region_code=scope.audit_region(), after=counts)
    return quality_run


def _persist(rows: list[dict], scope: RegionScope, quality_run: QualityRun) -> dict:
    from dixian.core.access import scope_q

    existing = {key: (pk, status) for key, pk, status in QualityIssue.objects.filter(
        scope_q(scope, "village__code")).values_list("key", "pk", "status")}
    found, new = set(), []
    for row in rows:
        key = issue_key(row)
        if key in found:
            continue
        found.add(key)
        if key not in existing:
            new.append(QualityIssue(
                key=key, rule_id=row["rule_id"], rule_version=row["rule_version"],
                severity=row["severity"], level=row["level"], table=row["table"],
                village_id=row["village_code"], household_code=row["household_code"] or "",
                member_id=row["member_id"] or "", period=row["period"] or "",
                field=row["field"] or "", value=(row["value"] or "")[:200],
                message_zh=row["message_zh"], message_en=row["message_en"],
                first_run=quality_run, last_run=quality_run))
    QualityIssue.objects.bulk_create(new, batch_size=2000)
    seen_ids = [pk for key, (pk, status) in existing.items() if key in found]
    reopened = [pk for key, (pk, status) in existing.items()
                if key in found and status == IssueStatus.FIXED]
    fixed = [pk for key, (pk, status) in existing.items()
             if key not in found and status == IssueStatus.OPEN]
    for chunk in _chunks(seen_ids):
        QualityIssue.objects.filter(pk__in=chunk).update(last_run=quality_run)
    for chunk in _chunks(reopened):
        QualityIssue.objects.filter(pk__in=chunk).update(status=IssueStatus.OPEN,
                                                         resolved_at=None)
    now = timezone.now()
    for chunk in _chunks(fixed):
        QualityIssue.objects.filter(pk__in=chunk).update(status=IssueStatus.FIXED,
                                                         resolved_at=now)
    return {"findings": len(rows), "new": len(new), "fixed": len(fixed),
            "reopened": len(reopened)}


def _chunks(items, size=5000):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def do_accept_issue(issue: QualityIssue, reason: str, *, actor) -> None:
    """A person decides a finding is correct as it stands (for example a real but unusual
    value) and says why; the issue stays accepted in later runs."""
    if not reason.strip():
        raise ValueError("a reason is required")
    with transaction.atomic():
        before = {"status": issue.status}
        issue.status = IssueStatus.ACCEPTED
        issue.reason = reason.strip()
        issue.resolved_at = timezone.now()
        issue.resolved_by = actor
        issue.save(update_fields=["status", "reason", "resolved_at", "resolved_by"])
        audit.record("quality.accept", actor=actor, obj=issue, region_code=issue.village_id,
                     before=before, after={"status": issue.status, "reason": issue.reason})
