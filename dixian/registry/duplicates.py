"""Possible duplicate persons, shown side by side for a person's decision.

The pairs come from the engine (:mod:`dixian.engine.duplicates`: same ID number by token, or
same village, same birth date and similar names, with a similarity score); this module builds
its input from the registry within the actor's region, leaves out the pairs already decided,
and records the decisions: ``do_decide_duplicate`` (merge: the second member becomes a
duplicate of the first, nothing is deleted; or distinct) and ``do_reverse_duplicate_decision``.
Each is an audited action.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.roles import Capability
from dixian.registry.bridge import RegionScope
from dixian.registry.bridge import duplicates as engine
from dixian.registry.models import DuplicateDecision, Member

SIDE_FIELDS = ("member_id", "name", "sex", "birth_date", "resident_id_masked",
               "relation_to_head", "member_status")


@dataclass
class Pair:
    a: Member
    b: Member
    reason: str
    score: float

    @property
    def same_household(self) -> bool:
        return self.a.household_id == self.b.household_id


def members_frame(scope: RegionScope, member_ids: list[str] | None = None) -> pl.DataFrame:
    """The engine's input: the region's members not already merged into another."""
    queryset = Member.objects.filter(scope_q(scope, "household__village__code"),
                                     duplicate_of__isnull=True)
    if member_ids is not None:
        queryset = queryset.filter(member_id__in=member_ids)
    rows = list(queryset.values_list("member_id", "household__code", "household__village_id",
                                     "name", "birth_date", "resident_id_token"))
    frame = pl.DataFrame(rows, schema={"member_id": pl.String, "household_code": pl.String,
                                       "village_code": pl.String, "name": pl.String,
                                       "birth_date": pl.Date, "id_token": pl.String},
                         orient="row")
    return frame


def candidate_pairs(scope: RegionScope) -> pl.DataFrame:
    """The county-wide duplicate report: the engine's pairs less the decided ones."""
    pairs = engine.find(members_frame(scope))
    decided = DuplicateDecision.objects.filter(reversed_at__isnull=True).filter(
        scope_q(scope, "village_code")).values_list("member_a__member_id",
                                                   "member_b__member_id")
    done = {tuple(sorted(p)) for p in decided}
    if not done:
        return pairs
    keep = [(a, b) not in done for a, b in pairs.select("member_a", "member_b").iter_rows()]
    return pairs.filter(pl.Series(keep, dtype=pl.Boolean))


def access_duplicate_pairs(actor, limit: int = 200) -> tuple[list[Pair], int]:
    """The actor's region's open pairs (the first ``limit``, best score first) and their
    number."""
    require(actor, Capability.VIEW_REGISTRY)
    pairs = candidate_pairs(scope_of(actor))
    shown = pairs.head(limit)
    ids = set(shown["member_a"].to_list()) | set(shown["member_b"].to_list())
    members = {m.member_id: m for m in Member.objects.filter(member_id__in=ids)
               .select_related("household", "household__village")}
    out = [Pair(members[a], members[b], reason, score) for a, b, reason, score in
           shown.select("member_a", "member_b", "reason", "score").iter_rows()]
    return out, pairs.height


def matches_for(member: Member) -> list[Pair]:
    """The open pairs one member is part of (shown when a member is added or imported)."""
    scope = RegionScope.of(member.household.village_id[:6])
    pairs = candidate_pairs(scope).filter((pl.col("member_a") == member.member_id)
                                          | (pl.col("member_b") == member.member_id))
    others = {m.member_id: m for m in Member.objects.filter(
        member_id__in=pairs["member_a"].to_list() + pairs["member_b"].to_list())}
    return [Pair(others[a], others[b], r, s) for a, b, r, s in
            pairs.select("member_a", "member_b", "reason", "score").iter_rows()]


def _pair_in_scope(actor, member_a: str, member_b: str) -> tuple[Member, Member, str, float]:
    """Both members in the actor's region and still a proposed pair; otherwise not found."""
    scope = scope_of(actor)
    a, b = sorted((member_a, member_b))
    members = {m.member_id: m for m in Member.objects.select_related("household").filter(
        member_id__in=(a, b))}
    if len(members) != 2 or not all(scope.contains(m.household.village_id)
                                    for m in members.values()):
        raise NotFound
    pairs = engine.find(members_frame(scope, [a, b]))
    if pairs.is_empty():
        raise ValidationError("these two members are not a possible duplicate")
    row = pairs.row(0, named=True)
    return members[a], members[b], row["reason"], row["score"]


def do_decide_duplicate(member_a: str, member_b: str, decision: str, *, actor,
                        note: str = "") -> DuplicateDecision:
    """Record a person's decision on a pair. A merge keeps both members: the second (by
    number) becomes a duplicate of the first and leaves the registry's snapshot."""
    require(actor, Capability.EDIT_REGISTRY)
    if decision not in DuplicateDecision.Decision.values:
        raise ValidationError(f"unknown decision {decision!r}")
    with transaction.atomic():
        a, b, reason, score = _pair_in_scope(actor, member_a, member_b)
        if DuplicateDecision.objects.filter(member_a=a, member_b=b,
                                            reversed_at__isnull=True).exists():
            raise ValidationError("this pair has been decided already")
        record = DuplicateDecision.objects.create(
            member_a=a, member_b=b, village_code=a.household.village_id, reason=reason,
            score=score, decision=decision, note=note[:200], decided_by=actor,
            decided_at=timezone.now())
        if decision == DuplicateDecision.Decision.MERGE:
            Member.objects.filter(pk=b.pk).update(duplicate_of=a, updated_at=timezone.now())
        audit.record("registry.duplicate_decide", actor=actor, obj=record,
                     region_code=a.household.village_id,
                     after={"member_a": a.member_id, "member_b": b.member_id,
                            "decision": decision, "reason": reason, "score": score,
                            "note": note[:200]})
    return record


def access_decision(actor, decision_id: int) -> DuplicateDecision:
    require(actor, Capability.VIEW_REGISTRY)
    record = DuplicateDecision.objects.select_related("member_a", "member_b").filter(
        pk=decision_id).first()
    if record is None or not scope_of(actor).contains(record.village_code):
        raise NotFound
    return record


def do_reverse_duplicate_decision(decision_id: int, *, actor) -> DuplicateDecision:
    """Undo a decision: a merged member is a person of the registry again; the pair is
    proposed again. The decision's record stays, marked reversed."""
    require(actor, Capability.EDIT_REGISTRY)
    with transaction.atomic():
        record = access_decision(actor, decision_id)
        record = DuplicateDecision.objects.select_for_update().get(pk=record.pk)
        if record.reversed_at is not None:
            raise ValidationError("this decision has been reversed already")
        record.reversed_by, record.reversed_at = actor, timezone.now()
        record.save(update_fields=["reversed_by", "reversed_at"])
        if record.decision == DuplicateDecision.Decision.MERGE:
            Member.objects.filter(pk=record.member_b_id, duplicate_of=record.member_a_id) \
                .update(duplicate_of=None, updated_at=timezone.now())
        audit.record("registry.duplicate_reverse", actor=actor, obj=record,
                     region_code=record.village_code,
                     before={"decision": record.decision}, after={"reversed": True})
    return record


def scoped_decisions(actor):
    require(actor, Capability.VIEW_REGISTRY)
    return DuplicateDecision.objects.filter(scope_q(scope_of(actor), "village_code")) \
        .select_related("member_a", "member_b", "decided_by", "reversed_by")
