"""Registry endpoints: households, members, imports. Scoped exactly like the pages."""

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from dixian.core.access import scope_of
from dixian.core.roles import Capability
from dixian.registry import actions, importing, views
from dixian.web.api_body import documented, read_body

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
@paginate(LimitOffsetPagination)
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
