"""Registry endpoints: households, members, imports. Scoped exactly like the pages."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from dixian.core import pii
from dixian.core.access import scope_of
from dixian.core.roles import Capability
from dixian.registry import actions, importing, views
from dixian.web.pagination import Pagination

router = Router(tags=["registry"])


class HouseholdOut(Schema):
    code: str
    village_code: str
    household_type: str
    relocated: bool
    status: str
    phone_masked: str
    housing_grade: str
    monitoring_category: str
    risk_types: list[str]

    @staticmethod
    def resolve_village_code(obj):
        return obj.village_id


class MemberOut(Schema):
    member_id: str
    household_code: str
    name: str
    resident_id_masked: str
    sex: str
    birth_date: date | None
    relation_to_head: str
    health: str
    labour_skill: str
    member_status: str

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code

    @staticmethod
    def resolve_name(obj, context):
        return pii.shown_name(context["request"].user, obj.name)

    @staticmethod
    def resolve_health(obj, context):
        return obj.health if pii.may_see_health(context["request"].user) else ""


class RevealOut(Schema):
    member_id: str
    resident_id: str


class ImportOut(Schema):
    id: int
    file_name: str
    status: str
    layout: str
    counts: dict
    problems: list[dict]


@router.get("/households", response=list[HouseholdOut])
@paginate(Pagination)
def list_households(request, q: str = ""):
    return views.search_households(request.user, q)


@router.get("/households/{code}", response=HouseholdOut)
def get_household(request, code: str):
    return actions.access_household(request.user, code)


@router.get("/households/{code}/members", response=list[MemberOut])
def household_members(request, code: str):
    household = actions.access_household(request.user, code)
    return list(household.members.select_related("household").order_by("member_id"))


@router.post("/members/{member_id}/reveal-id", response=RevealOut)
def reveal_member_id(request, member_id: str):
    views.require(request.user, Capability.REVEAL_PERSONAL_DATA)
    member = actions.access_member(request.user, member_id)
    return RevealOut(member_id=member.member_id,
                     resident_id=actions.do_reveal(member, "resident_id", actor=request.user))


@router.post("/imports", response=ImportOut)
def upload_import(request, file: File[UploadedFile] = None, valid_rows_only: bool = False,
                  accept_quality_issues: bool = False):
    views.require(request.user, Capability.IMPORT_REGISTRY)
    if scope_of(request.user).is_empty:
        raise PermissionDenied
    if file is None:
        raise HttpError(400, "send the file to import as the multipart field 'file'")
    outcome = importing.import_file(file.read(), file.name, actor=request.user,
                                    valid_rows_only=valid_rows_only,
                                    accept_quality_issues=accept_quality_issues)
    return _batch_out(outcome.batch)


@router.get("/imports/{batch_id}", response=ImportOut)
def get_import(request, batch_id: int):
    return _batch_out(views.access_batch(request.user, batch_id))


def _batch_out(batch) -> ImportOut:
    return ImportOut(id=batch.pk, file_name=batch.file_name, status=batch.status,
                     layout=batch.layout, counts=batch.counts, problems=batch.problems[:1000])


class AccessEventOut(Schema):
    seq: int
    time: datetime
    actor: str
    role: str
    action: str
    kind: str
    object: str


class AccessReportOut(Schema):
    household_code: str
    held: dict
    readers: list[str]
    events: list[AccessEventOut]


@router.get("/households/{code}/access", response=AccessReportOut)
def household_access(request, code: str):
    """The household's data-access report (auditors): what is held, who read or changed it."""
    from dixian.registry.access_report import access_household_report

    report = access_household_report(request.user, code)
    return {"household_code": report["household"].code, "held": report["held"],
            "readers": report["readers"], "events": report["events"]}
# --- writes: the life events of the registry pages, with the same actions and checks -------

from typing import Any  # noqa: E402

from django.core.exceptions import ValidationError  # noqa: E402

from dixian.core.access import NotFound, require  # noqa: E402
from dixian.core.models import Region  # noqa: E402
from dixian.web.api_body import documented, read_body  # noqa: E402


class EntryOut(Schema):
    """What a write did (or, with ``preview=true``, would do: nothing is written)."""

    saved: bool
    household_code: str | None = None
    member_id: str | None = None
    errors: list[str] = []
    warnings: list[str] = []


class HouseholdIn(Schema):
    village_code: str
    household: dict[str, Any]
    head: dict[str, Any]


class MemberIn(Schema):
    reason: str = "birth"
    member: dict[str, Any]


class ChangesIn(Schema):
    changes: dict[str, Any]


class DeathIn(Schema):
    month: str


class LeaveIn(Schema):
    reason: str = "marriage_out"
    household_code: str | None = None
    village_code: str | None = None


class MoveIn(Schema):
    village_code: str


class SplitIn(Schema):
    member_ids: list[str]
    head_member_id: str


class MergeIn(Schema):
    into: str
    relations: dict[str, str] = {}


class HeadIn(Schema):
    head_member_id: str
    relations: dict[str, str] = {}


class ChangeOut(Schema):
    time: Any
    object_type: str
    object_key: str
    field: str
    old_value: Any
    new_value: Any
    source: str
    source_ref: str
    actor: str | None

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.username if obj.actor else None


def _write(request, run, households, describe) -> EntryOut:
    """Preview (``?preview=true``) or write; an entry-time error is a 400 naming the rule."""
    if request.GET.get("preview") in ("1", "true"):
        outcome = actions.preview(run, households)
        return EntryOut(saved=False, errors=outcome["errors"], warnings=outcome["warnings"])
    try:
        result = run()
    except ValidationError as error:
        raise HttpError(400, "; ".join(error.messages)) from None
    return EntryOut(saved=True, **describe(result))


def _village(code: str):
    village = Region.objects.filter(code=(code or "").strip(), level=5).first()
    if village is None:
        raise HttpError(400, f"no village with the code {code!r}")
    return village


def _editable(request, code: str):
    require(request.user, Capability.EDIT_REGISTRY)
    return actions.access_household(request.user, code)


def _editable_member(request, member_id: str):
    require(request.user, Capability.EDIT_REGISTRY)
    return actions.access_member(request.user, member_id)


def _values(data: dict) -> dict:
    if "birth_date" in data and isinstance(data["birth_date"], str):
        data = {**data, "birth_date": date.fromisoformat(data["birth_date"])}
    return data


@router.post("/households", response=EntryOut, openapi_extra=documented(HouseholdIn))
def add_household(request):
    require(request.user, Capability.EDIT_REGISTRY)
    body = read_body(request, HouseholdIn, "the village, the household's fields and its head")
    village = _village(body.village_code)
    return _write(request, lambda: actions.do_add_household(
        village, body.household, _values(body.head), actor=request.user), [],
        lambda h: {"household_code": h.code, "member_id": f"{h.code}-01"})


@router.get("/households/{code}/history", response=list[ChangeOut])
@paginate(Pagination)
def household_history(request, code: str):
    household = actions.access_household(request.user, code)
    return household.changes.select_related("actor").order_by("-time", "-id")


@router.post("/households/{code}/members", response=EntryOut, openapi_extra=documented(MemberIn))
def add_member(request, code: str):
    household = _editable(request, code)
    body = read_body(request, MemberIn, "the reason (birth, marriage_in, joined) and the member")
    return _write(request, lambda: actions.do_add_member(
        household, _values(body.member), actor=request.user, reason=body.reason), [household],
        lambda m: {"household_code": household.code, "member_id": m.member_id})


@router.post("/members/{member_id}", response=EntryOut, openapi_extra=documented(ChangesIn))
def update_member(request, member_id: str):
    member = _editable_member(request, member_id)
    body = read_body(request, ChangesIn, "the changed fields")
    return _write(request, lambda: actions.do_update_member(
        member, _values(body.changes), actor=request.user), [member.household],
        lambda _r: {"household_code": member.household.code, "member_id": member.member_id})


@router.post("/members/{member_id}/death", response=EntryOut, openapi_extra=documented(DeathIn))
def record_death(request, member_id: str):
    member = _editable_member(request, member_id)
    body = read_body(request, DeathIn, "the month of death (YYYY-MM)")
    return _write(request, lambda: actions.do_record_death(member, body.month,
                                                           actor=request.user),
                  [member.household], lambda _r: {"member_id": member.member_id})


@router.post("/members/{member_id}/leave", response=EntryOut, openapi_extra=documented(LeaveIn))
def member_leaves(request, member_id: str):
    """Marriage out or a move: to a household in the caller's region, or to a village
    anywhere (the member then forms a household of their own there)."""
    member = _editable_member(request, member_id)
    body = read_body(request, LeaveIn, "the reason and the receiving household or village")
    to_household = None
    if body.household_code:
        try:
            to_household = actions.access_household(request.user, body.household_code)
        except NotFound:
            raise HttpError(400, "no household with this code in your region") from None

    def run():
        if body.reason == "marriage_out":
            return actions.do_record_marriage_out(
                member, actor=request.user, to_household=to_household,
                to_village=None if to_household else _village(body.village_code))
        if to_household is not None:
            actions.do_move_member(member, to_household, actor=request.user, reason="move")
            return to_household
        new = actions.do_split_household(member.household, [member.member_id],
                                         actor=request.user, head_member_id=member.member_id,
                                         reason="move")
        actions.do_move_household(new, _village(body.village_code), actor=request.user,
                                  reason="move")
        new.refresh_from_db()
        return new

    return _write(request, run, [member.household],
                  lambda h: {"household_code": h.code})


@router.post("/households/{code}/move", response=EntryOut, openapi_extra=documented(MoveIn))
def move_household(request, code: str):
    household = _editable(request, code)
    body = read_body(request, MoveIn, "the new village's code")
    village = _village(body.village_code)

    def run():
        actions.do_move_household(household, village, actor=request.user, reason="move")
        household.refresh_from_db()
        return household

    return _write(request, run, [household], lambda h: {"household_code": h.code})


@router.post("/households/{code}/split", response=EntryOut, openapi_extra=documented(SplitIn))
def split_household(request, code: str):
    household = _editable(request, code)
    body = read_body(request, SplitIn, "the members who leave and the new head")
    return _write(request, lambda: actions.do_split_household(
        household, body.member_ids, actor=request.user, head_member_id=body.head_member_id),
        [household], lambda h: {"household_code": h.code})


@router.post("/households/{code}/merge", response=EntryOut, openapi_extra=documented(MergeIn))
def merge_household(request, code: str):
    household = _editable(request, code)
    body = read_body(request, MergeIn, "the household to merge into")
    try:
        target = actions.access_household(request.user, body.into)
    except NotFound:
        raise HttpError(400, "no household with this code in your region") from None

    def run():
        actions.do_merge_households(household, target, actor=request.user,
                                    relations=body.relations)
        return target

    return _write(request, run, [household, target], lambda h: {"household_code": h.code})


@router.post("/households/{code}/head", response=EntryOut, openapi_extra=documented(HeadIn))
def change_head(request, code: str):
    household = _editable(request, code)
    body = read_body(request, HeadIn, "the new head and the others' relations to them")
    new_head = household.members.filter(member_id=body.head_member_id).first()
    if new_head is None:
        raise HttpError(400, f"{body.head_member_id} is not a member of {household.code}")
    return _write(request, lambda: actions.do_change_head(household, new_head, body.relations,
                                                          actor=request.user),
                  [household], lambda _r: {"household_code": household.code,
                                           "member_id": new_head.member_id})


# ---------------------------------------------------------------- possible duplicates
class DuplicateSideOut(Schema):
    member_id: str
    household_code: str
    village_code: str
    name: str
    birth_date: date | None
    resident_id_masked: str


class DuplicatePairOut(Schema):
    a: DuplicateSideOut
    b: DuplicateSideOut
    reason: str
    score: float


class DuplicateReportOut(Schema):
    total: int
    pairs: list[DuplicatePairOut]


class DuplicateDecisionIn(Schema):
    member_a: str
    member_b: str
    decision: str  # merge | distinct
    note: str = ""


class DuplicateDecisionOut(Schema):
    id: int
    member_a: str
    member_b: str
    decision: str
    reason: str
    score: float
    reversed: bool


def _side(member) -> DuplicateSideOut:
    return DuplicateSideOut(member_id=member.member_id, household_code=member.household.code,
                            village_code=member.household.village_id, name=member.name,
                            birth_date=member.birth_date,
                            resident_id_masked=member.resident_id_masked)


def _decision_out(record) -> DuplicateDecisionOut:
    return DuplicateDecisionOut(id=record.pk, member_a=record.member_a.member_id,
                                member_b=record.member_b.member_id, decision=record.decision,
                                reason=record.reason, score=record.score,
                                reversed=record.reversed_at is not None)


@router.get("/duplicates", response=DuplicateReportOut)
def duplicate_report(request, limit: int = 200):
    """The region's possible duplicate persons, best similarity first."""
    from dixian.registry import duplicates

    pairs, total = duplicates.access_duplicate_pairs(request.user, limit=max(1, min(limit,
                                                                                  1000)))
    return DuplicateReportOut(total=total, pairs=[
        DuplicatePairOut(a=_side(p.a), b=_side(p.b), reason=p.reason, score=p.score)
        for p in pairs])


@router.post("/duplicates/decisions", response=DuplicateDecisionOut,
             openapi_extra=documented(DuplicateDecisionIn))
def decide_duplicate(request):
    """Merge (the same person) or confirm two persons; audited."""
    from django.core.exceptions import ValidationError

    from dixian.registry import duplicates

    views.require(request.user, Capability.EDIT_REGISTRY)
    body = read_body(request, DuplicateDecisionIn,
                     "the decision (member_a, member_b, decision: merge or distinct, note)")
    try:
        record = duplicates.do_decide_duplicate(body.member_a, body.member_b, body.decision,
                                                actor=request.user, note=body.note)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None
    return _decision_out(record)


@router.post("/duplicates/decisions/{decision_id}/reverse", response=DuplicateDecisionOut)
def reverse_duplicate_decision(request, decision_id: int):
    from django.core.exceptions import ValidationError

    from dixian.registry import duplicates

    try:
        record = duplicates.do_reverse_duplicate_decision(decision_id, actor=request.user)
    except ValidationError as exc:
        raise HttpError(400, "; ".join(exc.messages)) from None
    return _decision_out(record)
