"""Writes on single households and members: each records its field changes and an audit row.

Nothing is overwritten silently: a changed field leaves a :class:`FieldChange` (old value,
new value, source, actor, time); births, deaths, moves, splits and merges are changes too.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dixian.core import audit, pii
from dixian.core.access import NotFound, require, scope_of
from dixian.core.roles import Capability
from dixian.engine.scope import RegionScope
from dixian.registry.models import FieldChange, Household, HouseholdStatus, Member, Source
from dixian.registry.signals import household_split

PROTECTED_FIELDS = {"resident_id", "phone", "monitoring_contact_phone"}


def _change(household: Household, obj, object_type: str, key: str, field: str, old, new, *,
            source: str, source_ref: str, actor) -> FieldChange:
    return FieldChange.objects.create(
        household=household, object_type=object_type, object_key=key, field=field,
        old_value=_jsonable(old), new_value=_jsonable(new), source=source,
        source_ref=source_ref, actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _set_fields(obj, changes: dict, household: Household, object_type: str, key: str, *,
                source: str, source_ref: str, actor) -> dict:
    """Apply ``changes`` to ``obj`` and record what differed; protected values are
    given in clear and stored encrypted, with masks in the history."""
    before, after = {}, {}
    for field, value in changes.items():
        if field in PROTECTED_FIELDS:
            protected = (pii.protect_id(value) if field == "resident_id"
                         else pii.protect_phone(value, field))
            token = protected.token if protected else ""
            if getattr(obj, f"{field}_token") == token:
                continue
            old_mask = getattr(obj, f"{field}_masked")
            for suffix, new in (("enc", protected.enc if protected else ""), ("token", token),
                                ("masked", protected.masked if protected else "")):
                setattr(obj, f"{field}_{suffix}", new)
            before[field], after[field] = old_mask, getattr(obj, f"{field}_masked")
        else:
            old = getattr(obj, field)
            if old == value:
                continue
            setattr(obj, field, value)
            before[field], after[field] = _jsonable(old), _jsonable(value)
        _change(household, obj, object_type, key, field, before[field], after[field],
                source=source, source_ref=source_ref, actor=actor)
    if after:
        obj.full_clean(exclude=[f.name for f in type(obj)._meta.fields if f.is_relation])
        obj.save()
    return {"before": before, "after": after}


def _findings(household: Household) -> list[dict]:
    from dixian.engine import quality
    from dixian.registry import snapshot

    tables = snapshot.snapshot(RegionScope.of(household.village_id), reveal=True,
                               household_code=household.code)
    return quality.check_records(**tables).to_pylist()


def _finding_key(finding: dict) -> tuple:
    return (finding["rule_id"], finding["member_id"], finding["period"], finding["field"])


def check_at_entry(household: Household, before: list[dict]) -> list[dict]:
    """The data-quality rules at entry: an error that this write introduced (absent before
    it) refuses the write, and the caller's transaction rolls back. Warnings, and errors that
    were already there, are returned to be shown."""
    after = _findings(household)
    known = {_finding_key(f) for f in before}
    introduced = [f for f in after if f["severity"] == "error" and _finding_key(f) not in known]
    if introduced:
        raise ValidationError([f"{f['rule_id']}: {f['message_zh']}" for f in introduced])
    return after


def access_household(actor, code: str) -> Household:
    require(actor, Capability.VIEW_REGISTRY)
    household = Household.objects.select_related("village").filter(code=code).first()
    if household is None or not scope_of(actor).contains(household.village_id):
        raise NotFound
    return household


def access_member(actor, member_id: str) -> Member:
    require(actor, Capability.VIEW_REGISTRY)
    member = Member.objects.select_related("household").filter(member_id=member_id).first()
    if member is None or not scope_of(actor).contains(member.household.village_id):
        raise NotFound
    return member


def do_update_household(household: Household, changes: dict, *, actor,
                        source: str = Source.FORM, source_ref: str = "") -> dict:
    require(actor, Capability.EDIT_REGISTRY)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        before = _findings(household) if source == Source.FORM else []
        diff = _set_fields(household, changes, household, "household", household.code,
                           source=source, source_ref=source_ref, actor=actor)
        if diff["after"] and source == Source.FORM:
            check_at_entry(household, before)
        if diff["after"]:
            audit.record("registry.household.update", actor=actor, obj=household,
                         region_code=household.village_id, **diff)
    return diff


def do_update_member(member: Member, changes: dict, *, actor, source: str = Source.FORM,
                     source_ref: str = "") -> dict:
    require(actor, Capability.EDIT_REGISTRY)
    with transaction.atomic():
        member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
        before = _findings(member.household) if source == Source.FORM else []
        diff = _set_fields(member, changes, member.household, "member", member.member_id,
                           source=source, source_ref=source_ref, actor=actor)
        if diff["after"] and source == Source.FORM:
            check_at_entry(member.household, before)
        if diff["after"]:
            audit.record("registry.member.update", actor=actor, obj=member,
                         region_code=member.household.village_id, **diff)
    return diff


def do_record_birth(household: Household, values: dict, *, actor) -> Member:
    """A new member born into (or joining) the household."""
    require(actor, Capability.EDIT_REGISTRY)
    with transaction.atomic():
        count = household.members.count()
        member = Member(household=household, member_id=f"{household.code}-{count + 1:02d}",
                        source=Source.FORM, created_by=actor)
        protected = {k: values.pop(k) for k in list(values) if k in PROTECTED_FIELDS}
        for field, value in values.items():
            setattr(member, field, value)
        member.save()
        _set_fields(member, protected, household, "member", member.member_id,
                    source=Source.FORM, source_ref="birth", actor=actor)
        _change(household, member, "member", member.member_id, "member_status", None, "active",
                source=Source.FORM, source_ref="birth", actor=actor)
        audit.record("registry.member.birth", actor=actor, obj=member,
                     region_code=household.village_id, after={"member_id": member.member_id})
    return member


def do_record_death(member: Member, month: str, *, actor) -> None:
    require(actor, Capability.EDIT_REGISTRY)
    do_update_member(member, {"member_status": "deceased", "status_month": month}, actor=actor,
                     source_ref="death")


def do_move_member(member: Member, to: Household, *, actor, reason: str = "") -> None:
    """Move a member to another household (marriage, split); both households keep a record."""
    require(actor, Capability.EDIT_REGISTRY)
    scope = scope_of(actor)
    if not (scope.contains(member.household.village_id) and scope.contains(to.village_id)):
        raise NotFound
    if to.status != HouseholdStatus.ACTIVE:
        raise ValidationError(f"household {to.code} is {to.status}")
    with transaction.atomic():
        origin = member.household
        member.household = to
        member.save(update_fields=["household", "updated_at"])
        for household in (origin, to):
            _change(household, member, "member", member.member_id, "household",
                    origin.code, to.code, source=Source.FORM, source_ref=reason, actor=actor)
        audit.record("registry.member.move", actor=actor, obj=member,
                     region_code=to.village_id, before={"household": origin.code},
                     after={"household": to.code, "reason": reason})


def do_split_household(household: Household, member_ids: list[str], new_code: str, *,
                       actor) -> Household:
    """Some members leave to form a new household in the same village."""
    require(actor, Capability.EDIT_REGISTRY)
    with transaction.atomic():
        new = Household.objects.create(
            code=new_code, village=household.village, household_type=household.household_type,
            relocated=household.relocated, source=Source.FORM, source_ref=f"split:{household.code}",
            created_by=actor)
        for member in household.members.filter(member_id__in=member_ids):
            do_move_member(member, new, actor=actor, reason=f"split:{household.code}")
        audit.record("registry.household.split", actor=actor, obj=new,
                     region_code=household.village_id,
                     after={"from": household.code, "members": sorted(member_ids)})
        household_split.send(sender=Household, old=household, new=new, actor=actor)
    return new


def do_merge_households(source: Household, target: Household, *, actor) -> None:
    """All members of ``source`` join ``target``; ``source`` stays, marked as merged."""
    require(actor, Capability.EDIT_REGISTRY)
    with transaction.atomic():
        for member in list(source.members.all()):
            do_move_member(member, target, actor=actor, reason=f"merge:{source.code}")
        do_update_household(source, {"status": HouseholdStatus.MERGED, "merged_into_id": target.pk},
                            actor=actor, source_ref=f"merge:{target.code}")


def do_reveal(obj, field: str, *, actor) -> str:
    """Show one protected value in clear to a permitted role; every reveal is audited."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    require(actor, Capability.REVEAL_PERSONAL_DATA)
    household = obj if isinstance(obj, Household) else obj.household
    if not scope_of(actor).contains(household.village_id):
        raise NotFound
    if field not in PROTECTED_FIELDS or not hasattr(obj, f"{field}_enc"):
        raise ValidationError(f"{field} is not a protected field")
    enc = getattr(obj, f"{field}_enc")
    value = pii.decrypt(enc, field) if enc else ""
    key = obj.member_id if isinstance(obj, Member) else obj.code
    audit.record("pii.reveal", actor=actor, obj=obj, object_id=key,
                 region_code=household.village_id,
                 after={"field": field, "at": timezone.now().isoformat()})
    return value
