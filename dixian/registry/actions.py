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
from dixian.registry.bridge import RegionScope
from dixian.registry.models import (
    FieldChange,
    Household,
    HouseholdStatus,
    Income,
    Member,
    Source,
)
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
    from dixian.registry import snapshot
    from dixian.registry.bridge import quality

    tables = snapshot.snapshot(RegionScope.of(household.village_id), reveal=True,
                               household_code=household.code)
    tables.pop("income_blocks", None)  # no entry-time rule reads the annual blocks
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


def set_month_income(household: Household, month: str, values: dict[str, int], *, actor,
                     source: str, source_ref: str) -> dict:
    """Set the month's income components inside the caller's audited action (a visit): a new
    month is created; an existing one keeps what it was, each changed component a
    :class:`FieldChange` (old value, new value, source), and takes ``source`` as its
    provenance. Returns ``{"before": …, "after": …}`` for the caller's audit record (before is
    None for a new month, else the components as they were)."""
    income = Income.objects.select_for_update().filter(household=household, period=month).first()
    if income is None:
        Income.objects.create(household=household, period=month, **values, source=source,
                              source_ref=source_ref,
                              created_by=actor if getattr(actor, "is_authenticated", False)
                              else None)
        return {"before": None, "after": dict(values)}
    old = {f: getattr(income, f) for f in values}
    _set_fields(income, values, household, "income", f"{household.pk}:{month}", source=source,
                source_ref=source_ref, actor=actor)
    income.source, income.source_ref = source, source_ref
    income.save()
    return {"before": old, "after": dict(values)}


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


def _next_member_id(household: Household) -> str:
    taken = set(Member.objects.filter(member_id__startswith=f"{household.code}-")
                .values_list("member_id", flat=True))
    n = household.members.count() + 1
    while f"{household.code}-{n:02d}" in taken:
        n += 1
    return f"{household.code}-{n:02d}"


def _new_member(household: Household, values: dict, *, actor, reason: str,
                source: str = Source.FORM) -> Member:
    values = dict(values)
    member = Member(household=household, member_id=_next_member_id(household), source=source,
                    source_ref=reason,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None)
    protected = {k: values.pop(k) for k in list(values) if k in PROTECTED_FIELDS}
    for field, value in values.items():
        setattr(member, field, value)
    if protected.get("resident_id"):
        _refuse_registered_id(protected["resident_id"])
    member.full_clean(exclude=["household", "created_by"])
    member.save()
    _set_fields(member, protected, household, "member", member.member_id,
                source=source, source_ref=reason, actor=actor)
    _change(household, member, "member", member.member_id, "member_status", None, "active",
            source=source, source_ref=reason, actor=actor)
    return member


def _refuse_registered_id(resident_id: str) -> None:
    """An ID number is in one household only (the import's identity.in_two_households)."""
    token = pii.token(pii.normalise_id(resident_id))
    other = Member.objects.filter(resident_id_token=token).select_related("household").first()
    if other is not None:
        raise ValidationError(
            f"identity.in_two_households: this ID number is already registered "
            f"({other.resident_id_masked}); move that member instead of adding them again")


def do_add_member(household: Household, values: dict, *, actor, reason: str = "birth",
                  source: str = Source.FORM) -> Member:
    """A person joins the household: born into it (``birth``), married in (``marriage_in``)
    or otherwise (``joined``). Checked at entry like every form write."""
    require(actor, Capability.EDIT_REGISTRY)
    if reason not in MEMBER_REASONS:
        raise ValidationError(f"reason {reason!r}: one of {', '.join(MEMBER_REASONS)}")
    with transaction.atomic():
        household = _locked(actor, household)
        before = _findings(household)
        member = _new_member(household, values, actor=actor, reason=reason, source=source)
        check_at_entry(household, before)
        audit.record(f"registry.member.{reason}", actor=actor, obj=member,
                     region_code=household.village_id,
                     after={"member_id": member.member_id, "household": household.code,
                            "reason": reason})
    return member


MEMBER_REASONS = ("birth", "marriage_in", "joined")


def do_record_birth(household: Household, values: dict, *, actor) -> Member:
    """A new member born into the household."""
    return do_add_member(household, values, actor=actor, reason="birth")


def do_record_death(member: Member, month: str, *, actor) -> None:
    require(actor, Capability.EDIT_REGISTRY)
    if member.member_status == "deceased":
        raise ValidationError(f"{member.member_id} is already recorded as deceased")
    do_update_member(member, {"member_status": "deceased", "status_month": month}, actor=actor,
                     source_ref="death")


def _locked(actor, household: Household) -> Household:
    """The household again, locked for this transaction, within the actor's region."""
    household = Household.objects.select_for_update().select_related("village").get(
        pk=household.pk)
    if getattr(actor, "is_authenticated", False) and not scope_of(actor).contains(
            household.village_id):
        raise NotFound
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(f"household {household.code} is {household.status}")
    return household


def next_household_code(village_code: str) -> str:
    """The village's next free household code: the village's 12 digits and 4 more."""
    last = (Household.objects.filter(code__startswith=village_code, code__regex=r"^\d{16}$")
            .order_by("-code").values_list("code", flat=True).first())
    n = int(last[12:]) + 1 if last else 1
    if n > 9999:
        raise ValidationError(f"village {village_code} has no free household code left")
    return f"{village_code}{n:04d}"


def do_add_household(village, values: dict, head: dict, *, actor, source_ref: str = "",
                     code: str | None = None) -> Household:
    """Register a new household and its head (from a form, or a self-declaration). The head
    is the first member; more are added with :func:`do_add_member`."""
    require(actor, Capability.EDIT_REGISTRY)
    if not scope_of(actor).contains(village.code) or village.level != 5:
        raise NotFound
    with transaction.atomic():
        household = Household(code=code or next_household_code(village.code), village=village,
                              source=Source.FORM, source_ref=source_ref[:64],
                              created_by=actor if getattr(actor, "is_authenticated", False)
                              else None)
        values = dict(values)
        protected = {k: values.pop(k) for k in list(values) if k in PROTECTED_FIELDS}
        for field, value in values.items():
            setattr(household, field, value)
        household.full_clean(exclude=["village", "created_by", "merged_into"])
        household.save()
        _set_fields(household, protected, household, "household", household.code,
                    source=Source.FORM, source_ref=source_ref, actor=actor)
        _change(household, household, "household", household.code, "status", None, "active",
                source=Source.FORM, source_ref=source_ref or "registered", actor=actor)
        head_member = _new_member(household, {**head, "relation_to_head": "head"}, actor=actor,
                                  reason=source_ref or "registered")
        check_at_entry(household, [])
        audit.record("registry.household.add", actor=actor, obj=household,
                     region_code=village.code,
                     after={"code": household.code, "head": head_member.member_id,
                            "household_type": household.household_type,
                            "source_ref": source_ref})
    return household


def do_change_head(household: Household, new_head: Member, relations: dict[str, str], *,
                   actor) -> dict:
    """Another member becomes the head (the head died, left, or the family decided); every
    other member's relation to the new head is given in ``relations``."""
    require(actor, Capability.EDIT_REGISTRY)
    with transaction.atomic():
        household = _locked(actor, household)
        if new_head.household_id != household.pk or new_head.member_status != "active":
            raise ValidationError(f"{new_head.member_id} is not an active member of "
                                  f"{household.code}")
        before = _findings(household)
        changed = {}
        for member in household.members.select_for_update().order_by("member_id"):
            relation = "head" if member.pk == new_head.pk else relations.get(
                member.member_id, member.relation_to_head)
            if member.pk != new_head.pk and relation == "head":
                raise ValidationError(f"{member.member_id}: give the relation to the new head")
            diff = _set_fields(member, {"relation_to_head": relation}, household, "member",
                               member.member_id, source=Source.FORM, source_ref="change_of_head",
                               actor=actor)
            if diff["after"]:
                changed[member.member_id] = diff["after"]["relation_to_head"]
        check_at_entry(household, before)
        audit.record("registry.household.change_head", actor=actor, obj=household,
                     region_code=household.village_id,
                     after={"head": new_head.member_id, "relations": changed})
    return changed


def do_move_household(household: Household, village, *, actor, reason: str = "") -> None:
    """The whole household moves to another village, in the same county or another one (a
    household registration move). It gets the next free code of the new village and its
    members new numbers (a code starts with its village's, rules DQ-IDN-15/17), the old ones
    kept in its history; its cases, spells, visits and measures follow it to the new
    village's county. A move out of the
    actor's region is allowed (the receiving county is told); the origin must be within it."""
    require(actor, Capability.EDIT_REGISTRY)
    if village.level != 5:
        raise ValidationError(f"{village.code} is not a village")
    with transaction.atomic():
        household = _locked(actor, household)
        origin = household.village_id
        if origin == village.code:
            raise ValidationError(f"household {household.code} is already in {village.code}")
        before = _findings(household)
        old_code = household.code
        household.village = village
        household.code = next_household_code(village.code)  # a code starts with its village
        household.save(update_fields=["village", "code", "updated_at"])
        for field, old, new in (("village", origin, village.code),
                                ("code", old_code, household.code)):
            _change(household, household, "household", old_code, field, old, new,
                    source=Source.FORM, source_ref=reason or "move", actor=actor)
        for member in household.members.select_for_update().order_by("member_id"):
            new_id = household.code + member.member_id.removeprefix(old_code)
            if not new_id.startswith(household.code + "-"):
                new_id = _next_member_id(household)
            _change(household, member, "member", member.member_id, "member_id",
                    member.member_id, new_id, source=Source.FORM,
                    source_ref=reason or "move", actor=actor)
            member.member_id = new_id
            member.save(update_fields=["member_id", "updated_at"])
        _follow_household(household, village.code)
        check_at_entry(household, before)
        moved = {"before": {"village": origin, "code": old_code},
                 "after": {"village": village.code, "code": household.code, "reason": reason}}
        audit.record("registry.household.move", actor=actor, obj=household,
                     region_code=origin, **moved)
        if origin[:6] != village.code[:6]:
            audit.record("registry.household.arrive", actor=actor, obj=household,
                         region_code=village.code, **moved)
            _tell_county(village.code[:6], household, origin)


def _follow_household(household: Household, village_code: str) -> None:
    """Records that carry the household's village for scoping move with it."""
    from django.apps import apps

    for label in ("cases.Case", "cases.MonitoringSpell", "cases.Visit", "assistance.Measure",
                  "assistance.PlanIssue"):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if "village_code" in {f.name for f in model._meta.fields}:
            model.objects.filter(household=household).update(village_code=village_code)


def _tell_county(county: str, household: Household, origin: str) -> None:
    from dixian.core.models import Notification, User
    from dixian.core.roles import Role

    text = f"户 {household.code} 从 {origin} 迁入本县 {household.village_id}"
    for admin in User.objects.filter(role=Role.COUNTY_ADMIN, region_id=county, is_active=True):
        Notification.objects.create(user=admin, text=text[:300],
                                    link=f"/households/{household.code}/")


def do_record_marriage_out(member: Member, *, actor, to_household: Household | None = None,
                           to_village=None) -> Household:
    """A member marries out: into a registered household within the actor's region (a move),
    or to a village elsewhere, where they form a household of their own that moves there."""
    require(actor, Capability.EDIT_REGISTRY)
    if (to_household is None) == (to_village is None):
        raise ValidationError("give the receiving household or the receiving village")
    with transaction.atomic():
        if to_household is not None:
            do_move_member(member, to_household, actor=actor, reason="marriage_out")
            return to_household
        origin = member.household
        new = do_split_household(origin, [member.member_id], actor=actor,
                                 head_member_id=member.member_id, reason="marriage_out")
        do_move_household(new, to_village, actor=actor, reason="marriage_out")
        new.refresh_from_db()
        return new


def do_move_member(member: Member, to: Household, *, actor, reason: str = "") -> None:
    """Move a member to another household (marriage, split); both households keep a record."""
    require(actor, Capability.EDIT_REGISTRY)
    scope = scope_of(actor)
    if not (scope.contains(member.household.village_id) and scope.contains(to.village_id)):
        raise NotFound
    if to.status != HouseholdStatus.ACTIVE:
        raise ValidationError(f"household {to.code} is {to.status}")
    if member.household_id == to.pk:
        raise ValidationError(f"{member.member_id} is already in household {to.code}")
    with transaction.atomic():
        origin = member.household
        old_id, new_id = member.member_id, _next_member_id(to)
        member.household, member.member_id = to, new_id  # a member number starts with its
        if member.relation_to_head == "head":             # household's code
            member.relation_to_head = "other"  # the receiving household has its head
        member.save(update_fields=["household", "member_id", "relation_to_head", "updated_at"])
        for household in (origin, to):
            _change(household, member, "member", old_id, "household",
                    origin.code, to.code, source=Source.FORM, source_ref=reason, actor=actor)
            _change(household, member, "member", old_id, "member_id", old_id, new_id,
                    source=Source.FORM, source_ref=reason, actor=actor)
        audit.record("registry.member.move", actor=actor, obj=member,
                     region_code=to.village_id,
                     before={"household": origin.code, "member_id": old_id},
                     after={"household": to.code, "member_id": new_id, "reason": reason})


def do_split_household(household: Household, member_ids: list[str],
                       new_code: str | None = None, *, actor, head_member_id: str | None = None,
                       reason: str = "split") -> Household:
    """Some members leave to form a new household in the same village; ``head_member_id``
    (one of them) heads it."""
    require(actor, Capability.EDIT_REGISTRY)
    with transaction.atomic():
        household = _locked(actor, household)
        leaving = list(household.members.filter(member_id__in=member_ids,
                                                member_status="active"))
        if not leaving or len(leaving) != len(set(member_ids)):
            raise ValidationError("choose active members of this household to split off")
        if len(leaving) == household.members.filter(member_status="active").count():
            raise ValidationError("at least one member must stay in the household")
        head_member_id = head_member_id or leaving[0].member_id
        if head_member_id not in member_ids:
            raise ValidationError("the new household's head must be one of the members leaving")
        before = _findings(household)
        new = Household(code=new_code or next_household_code(household.village_id),
                        village=household.village, source=Source.FORM,
                        source_ref=f"{reason}:{household.code}"[:64], created_by=actor)
        for field in SPLIT_COPIES:  # the origin's facts until the new household's are known
            setattr(new, field, getattr(household, field))
        new.save()
        _change(new, new, "household", new.code, "status", None, "active", source=Source.FORM,
                source_ref=f"{reason}:{household.code}"[:64], actor=actor)
        for member in leaving:
            leaving_id = member.member_id
            do_move_member(member, new, actor=actor, reason=f"{reason}:{household.code}"[:64])
            member.refresh_from_db()
            relation = "head" if leaving_id == head_member_id else (
                member.relation_to_head if member.relation_to_head != "head" else "other")
            _set_fields(member, {"relation_to_head": relation}, new, "member", member.member_id,
                        source=Source.FORM, source_ref=reason, actor=actor)
        if not household.members.filter(relation_to_head="head",
                                         member_status="active").exists():
            raise ValidationError("the head leaves: change the head of the household first")
        check_at_entry(household, before)
        check_at_entry(new, [])
        audit.record("registry.household.split", actor=actor, obj=new,
                     region_code=household.village_id,
                     after={"from": household.code, "members": sorted(member_ids),
                            "head": head_member_id, "reason": reason})
        household_split.send(sender=Household, old=household, new=new, actor=actor)
    return new


# Household facts a split-off household starts with (the same dwelling and land until a
# visit records its own): everything but identity, status and monitoring.
SPLIT_COPIES = (
    "natural_village", "household_type", "relocated", "year_lifted", "phone_enc", "phone_token",
    "phone_masked", "housing_grade", "dangerous_house", "housing_area_m2", "water_quantity_ok",
    "water_quality_ok", "water_convenience_ok", "water_supply_ok", "safe_drinking_water",
    "piped_water", "road_hardened", "main_road_distance_km", "electricity", "sanitary_toilet",
    "toilet_usable", "cultivated_mu", "forest_mu", "returned_forest_mu", "orchard_mu",
    "pasture_mu", "water_surface_mu")


def do_merge_households(source: Household, target: Household, *, actor,
                        relations: dict[str, str] | None = None) -> None:
    """All members of ``source`` join ``target``; ``source`` stays, marked as merged. Their
    relation to ``target``'s head is given in ``relations`` (by their member number before
    the merge), "other" where not given."""
    require(actor, Capability.EDIT_REGISTRY)
    if source.pk == target.pk:
        raise ValidationError("a household cannot merge into itself")
    with transaction.atomic():
        source, target = _locked(actor, source), _locked(actor, target)
        before = _findings(target)
        for member in list(source.members.order_by("member_id")):
            relation = (relations or {}).get(member.member_id, "other")
            if relation == "head":
                raise ValidationError(f"{target.code} has its head: change it afterwards")
            do_move_member(member, target, actor=actor, reason=f"merge:{source.code}")
            member.refresh_from_db()
            _set_fields(member, {"relation_to_head": relation}, target, "member",
                        member.member_id, source=Source.FORM, source_ref=f"merge:{source.code}",
                        actor=actor)
        diff = _set_fields(source, {"status": HouseholdStatus.MERGED,
                                    "merged_into_id": target.pk}, source, "household",
                           source.code, source=Source.FORM, source_ref=f"merge:{target.code}",
                           actor=actor)
        check_at_entry(target, before)
        audit.record("registry.household.merge", actor=actor, obj=source,
                     region_code=source.village_id, before=diff["before"],
                     after={**diff["after"], "into": target.code})


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


class _Preview(Exception):
    def __init__(self, warnings):
        super().__init__("preview")
        self.warnings = warnings


def finding_text(finding: dict) -> str:
    from django.utils.translation import get_language

    message = finding.get("message_en") if (get_language() or "").startswith("en") else None
    who = f" ({finding['member_id']})" if finding.get("member_id") else ""
    return f"{finding['rule_id']}{who}: {message or finding['message_zh']}"


def preview(run, households: list[Household]) -> dict:
    """Run a write and roll it back: the data-quality errors that would refuse it, and the
    warnings it would add (findings absent before the write), to show before saving."""
    before = {h.pk: {_finding_key(f) for f in _findings(h)} for h in households}
    try:
        with transaction.atomic():
            result = run()
            affected = [*households, *([result] if isinstance(result, Household) else [])]
            warnings = []
            for household in affected:
                household = Household.objects.select_related("village").get(pk=household.pk)
                known = before.get(household.pk, set())
                warnings += [f for f in _findings(household)
                             if f["severity"] != "error" and _finding_key(f) not in known]
            raise _Preview(warnings)
    except _Preview as outcome:
        return {"errors": [], "warnings": [finding_text(f) for f in outcome.warnings]}
    except ValidationError as error:
        return {"errors": error.messages, "warnings": []}
