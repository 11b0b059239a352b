"""Feed uploads, screening runs and alerts over the API, scoped like the pages."""

from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from dixian.core.access import require, scope_of
from dixian.core.roles import Capability
from dixian.exchange import actions, views
from dixian.web.pagination import Pagination

router = Router(tags=["exchange"])


class FeedBatchOut(Schema):
    id: int
    department: str
    period: str
    file_name: str
    status: str
    rows: int
    matched: int
    unmatched: int
    problems: list[dict]


class RunOut(Schema):
    id: int
    period: str
    seconds: float
    counts: dict


class AlertOut(Schema):
    id: int
    household_code: str
    village_code: str
    member_id: str
    rule_id: str
    rule_version: int
    risk_type: str
    evidence: str
    sentence_zh: str
    sentence_en: str

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code

    @staticmethod
    def resolve_village_code(obj):
        return obj.village_id


@router.post("/feeds", response=FeedBatchOut)
def upload_feed(request, file: File[UploadedFile] = None, period: str | None = None):
    require(request.user, Capability.UPLOAD_FEEDS)
    if file is None:
        raise HttpError(400, "send the file as the multipart field 'file'")
    return actions.do_upload_feed(file.read(), file.name, department=request.user.department,
                                  actor=request.user, period=period)


@router.get("/feeds/{batch_id}", response=FeedBatchOut)
def get_feed(request, batch_id: int):
    batch = views._batches(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise views.NotFound
    return batch


@router.post("/screening", response=RunOut)
def run_screening(request, period: str):
    require(request.user, Capability.RUN_SCREENING)
    return actions.do_run_screening(scope_of(request.user), period, actor=request.user)


@router.get("/alerts", response=list[AlertOut])
@paginate(Pagination)
def list_alerts(request, rule: str = ""):
    alerts = views.scoped_alerts(request.user).select_related("household")
    return alerts.filter(rule_id=rule) if rule else alerts
