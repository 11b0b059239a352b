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
