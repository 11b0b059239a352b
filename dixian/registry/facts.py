"""Departments update the facts they own.

Where a department is the authority for a member's field (civil affairs for 低保 and 特困,
the disabled persons' federation for the disability grade and certificate, public security for
deaths, education for enrolment at a stage with one status), each matched row of its accepted
feed sets the field, with the provenance ``department:batch:row`` in the field history
(source "department feed"). A value a person entered (a form or a visit) is not overwritten:
the difference is listed for review (:class:`FactConflict`). Household registration moves
(public security 户口迁出/迁入) are always listed for review: a move changes households and
codes, which a cadre decides (the move pages).

Not derived: medical insurance's insured status (its feed carries settlements, not
enrolment; a settlement does not tell resident from employee insurance).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow.parquet as pq
from django.db import transaction
from django.utils import timezone

from dixian.core import audit
from dixian.registry.actions import _set_fields
from dixian.registry.models import FactConflict, FieldChange, Member, Source

# education stage → the schooling status it fixes without doubt (others: see _education)
ONE_STATUS_STAGE = {"college": "undergraduate"}
STAGE_STATUSES = {
    "primary": {f"grade_{n}" for n in range(1, 7)},
    "junior": {f"grade_{n}" for n in range(7, 10)},
    "senior": {"senior_1", "senior_2", "senior_3"},
    "vocational": {"vocational_1", "vocational_2", "vocational_3"},
    "higher_vocational": {"higher_vocational_1", "higher_vocational_2", "higher_vocational_3"},
    "college": {"undergraduate"},
}
ENTERED_BY_PEOPLE = {Source.FORM, Source.VISIT}


@dataclass
class Fact:
    field: str
    value: object
    review_only: bool = False  # always listed for a person's decision


def _month(value) -> str:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]


def facts_of(department: str, row: dict, member: Member) -> list[Fact]:
    """What one matched row of a department's feed says about the member's fields."""
    if department == "civil_affairs":
        field = {"dibao": "dibao", "tekun": "tekun"}.get(row.get("benefit"))
        if field is None or row.get("change") not in ("new", "ended"):
            return []
        if row["change"] == "ended":
            return [Fact(field, "none")]
        current = getattr(member, field)
        # a new benefit keeps the kind already recorded (rural/urban, dispersed/centralized)
        return [Fact(field, current if current != "none" else
                     {"dibao": "rural", "tekun": "dispersed"}[field])]
    if department == "disability":
        if row.get("change") == "cancelled":
            return [Fact("disability_cert", False)]
        facts = [Fact("disability_cert", True)]
        if row.get("grade") is not None:
            facts.append(Fact("disability_grade", int(row["grade"])))
        if row.get("disability_type"):
            facts.append(Fact("disability_type", row["disability_type"]))
        return facts
    if department == "public_security":
        if row.get("event") == "death" or row.get("severity") == "death":
            return [Fact("member_status", "deceased"),
                    Fact("status_month", _month(row["event_date"]))]
        if row.get("event") in ("move_out", "move_in"):
            return [Fact("household_registration", row["event"], review_only=True)]
        return []
    if department == "education":
        stage = row.get("stage")
        if row.get("event") not in ("enrolled", "vocational_enrolled") or not stage:
            return []
        if member.schooling_status in STAGE_STATUSES.get(stage, set()):
            return []  # already recorded at that stage
        if stage in ONE_STATUS_STAGE:
            return [Fact("schooling_status", ONE_STATUS_STAGE[stage])]
        return [Fact("schooling_status", f"stage:{stage}", review_only=True)]
    return []


def _entered_by_a_person(member: Member, field: str) -> bool:
    latest = (FieldChange.objects.filter(object_type="member", object_key=member.member_id,
                                         field=field).order_by("-time", "-id").first())
    if latest is not None:
        return latest.source in ENTERED_BY_PEOPLE
    return member.source in ENTERED_BY_PEOPLE


def do_apply_department_facts(batch, *, actor=None) -> dict:
    """Apply an accepted feed batch's facts to the members it matched. Idempotent: a fact
    already applied or already listed (same department, batch, row) changes nothing."""
    counts = {"applied": 0, "conflicts": 0, "unchanged": 0}
    if batch.status != "accepted" or not batch.parquet:
        return counts
    with batch.parquet.open("rb") as handle:
        table = pq.read_table(handle)
    if "member_id" not in table.column_names:
        return counts
    rows = [r for r in table.to_pylist() if r.get("member_id")]
    members = {m.member_id: m for m in Member.objects.filter(
        member_id__in={r["member_id"] for r in rows}).select_related("household")}
    by_date = sorted(rows, key=lambda r: (str(r.get("effective_date") or r.get("event_date")
                                              or r.get("issue_date") or ""),
                                          r.get("source_row") or 0))
    with transaction.atomic():
        for row in by_date:
            member = members.get(row["member_id"])
            if member is None:
                continue
            ref = f"{batch.department}:{batch.pk}:{row.get('source_row') or ''}"[:64]
            for fact in facts_of(batch.department, row, member):
                counts[_apply(member, fact, ref, batch, actor)] += 1
        if counts["applied"] or counts["conflicts"]:
            audit.record("registry.department_facts", actor=actor, obj=batch,
                         region_code=batch.scope_code, after={**counts,
                                                              "department": batch.department})
    return counts


def _apply(member: Member, fact: Fact, ref: str, batch, actor) -> str:
    household = member.household
    current = getattr(member, fact.field, None)
    if not fact.review_only and current == fact.value:
        return "unchanged"
    if fact.review_only or (current not in (None, "", "none") and
                            _entered_by_a_person(member, fact.field)):
        _, created = FactConflict.objects.get_or_create(
            member=member, field=fact.field, source_ref=ref, defaults={
                "household": household, "village_code": household.village_id,
                "entered_value": _plain(current), "department_value": _plain(fact.value),
                "department": batch.department})
        return "conflicts" if created else "unchanged"
    if FieldChange.objects.filter(object_key=member.member_id, field=fact.field,
                                  source_ref=ref).exists():
        return "unchanged"  # the same row again
    _set_fields(member, {fact.field: fact.value}, household, "member", member.member_id,
                source=Source.FEED, source_ref=ref, actor=actor)
    return "applied"


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def do_decide_conflict(conflict: FactConflict, take_department: bool, *, actor,
                       reason: str = "") -> None:
    """A person decides: the department's value replaces the entered one (recorded with the
    department's provenance), or the entered value stays (with the reason)."""
    from django.core.exceptions import ValidationError

    from dixian.core.access import NotFound, require, scope_of
    from dixian.core.roles import Capability

    require(actor, Capability.REVIEW_FACTS)
    if not scope_of(actor).contains(conflict.village_code):
        raise NotFound
    if conflict.status != FactConflict.Status.OPEN:
        raise ValidationError("this difference has already been decided")
    with transaction.atomic():
        if take_department:
            if conflict.field == "household_registration" or str(
                    conflict.department_value).startswith("stage:"):
                raise ValidationError("record this with the registry's pages (a move or an "
                                      "edit of the schooling status)")
            member = Member.objects.select_for_update().get(pk=conflict.member_id)
            _set_fields(member, {conflict.field: conflict.department_value}, member.household,
                        "member", member.member_id, source=Source.FEED,
                        source_ref=conflict.source_ref, actor=actor)
        conflict.status = (FactConflict.Status.DEPARTMENT if take_department
                           else FactConflict.Status.KEPT)
        conflict.decided_by, conflict.decided_at = actor, timezone.now()
        conflict.reason = reason[:200]
        conflict.save()
        audit.record("registry.fact_conflict.decide", actor=actor, obj=conflict,
                     region_code=conflict.village_code,
                     after={"field": conflict.field, "status": conflict.status,
                            "source_ref": conflict.source_ref, "reason": reason})
