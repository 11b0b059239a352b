"""Machine access: the DCI social-registry search and subscribe/notify APIs, and a
department's alerts with their outcomes. Called with a service account's bearer token (or a
session); see docs/dci.md for the mapping."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from dixian.connect.models import EventType, OutboxNotice, Subscription
from dixian.core import audit, pii
from dixian.core.access import require, scope_of, scope_q
from dixian.core.roles import Capability
from dixian.registry.models import Household, Member
from dixian.web.api_body import documented, read_body
from dixian.web.pagination import Pagination

router = Router(tags=["department systems (DCI)"])

ID_TYPES = {"RESIDENT_ID", "HOUSEHOLD_CODE", "MEMBER_ID"}
MAX_REQUESTS = 50


class MsgHeader(Schema):
    version: str = "1.0.0"
    message_id: str
    message_ts: str
    action: str
    sender_id: str
    sender_uri: str | None = None
    receiver_id: str | None = None
    total_count: int = 1


class IdTypeValue(Schema):
    type: str
    value: str


class SearchCriteria(Schema):
    query_type: str = "idtype-value"
    reg_type: str | None = None
    query: IdTypeValue


class SearchRequestItem(Schema):
    reference_id: str
    timestamp: str
    search_criteria: SearchCriteria
    locale: str | None = None


class SearchMessage(Schema):
    transaction_id: str
    search_request: list[SearchRequestItem]


class SearchRequest(Schema):
    signature: str | None = None
    header: MsgHeader
    message: SearchMessage


class SubscribeCriteria(Schema):
    reg_event_type: str
    reg_type: str | None = None
    filter: dict[str, Any] | None = None
    notify_record_type: str | None = None


class SubscribeRequestItem(Schema):
    reference_id: str
    timestamp: str
    subscribe_criteria: SubscribeCriteria


class SubscribeMessage(Schema):
    transaction_id: str
    subscribe_request: list[SubscribeRequestItem]


class SubscribeRequest(Schema):
    signature: str | None = None
    header: MsgHeader
    message: SubscribeMessage


class UnsubscribeMessage(Schema):
    transaction_id: str
    timestamp: str | None = None
    subscription_codes: list[str]


class UnsubscribeRequest(Schema):
    signature: str | None = None
    header: MsgHeader
    message: UnsubscribeMessage


class Envelope(Schema):
    """A DCI response envelope: signature, header (action on-search, on-subscribe,
    on-unsubscribe or notify; status succ/rjct) and message."""

    signature: str
    header: dict[str, Any]
    message: dict[str, Any]


def _header(request_header: MsgHeader, action: str, total: int, completed: int) -> dict:
    return {"version": "1.0.0", "message_id": str(uuid.uuid4()),
            "message_ts": timezone.now().isoformat(), "action": action,
            "status": "succ" if completed == total else ("rjct" if completed == 0 else "pdng"),
            "status_reason_code": None, "total_count": total, "completed_count": completed,
            "sender_id": "dixian", "receiver_id": request_header.sender_id}


def _member_record(member: Member) -> dict:
    return {"identifier": [{"identifier_type": "MEMBER_ID", "identifier_value": member.member_id},
                           {"identifier_type": "RESIDENT_ID_MASKED",
                            "identifier_value": member.resident_id_masked}],
            "name": member.name, "sex": member.sex,
            "birth_date": member.birth_date.isoformat() if member.birth_date else None,
            "relationship": member.relation_to_head, "member_status": member.member_status,
            "death_month": member.status_month if member.member_status == "deceased" else None}


def household_record(household: Household) -> dict:
    """A household as a DCI social-registry record (identifiers masked; see docs/dci.md)."""
    return {
        "identifier": [{"identifier_type": "HOUSEHOLD_CODE", "identifier_value": household.code}],
        "address": {"village_code": household.village_id,
                    "village_name": household.village.name},
        "household_type": household.household_type, "status": household.status,
        "monitoring_category": household.monitoring_category,
        "risk_types": household.risk_types, "risk_eliminated": household.risk_eliminated,
        "member_list": [_member_record(m) for m in household.members.order_by("member_id")],
    }


def _find(user, query: IdTypeValue) -> list[Household]:
    households = Household.objects.filter(scope_q(scope_of(user), "village__code")) \
        .select_related("village")
    value = query.value.strip()
    if query.type == "HOUSEHOLD_CODE":
        households = households.filter(code=value)
    elif query.type == "MEMBER_ID":
        households = households.filter(members__member_id=value)
    else:
        households = households.filter(
            members__resident_id_token=pii.token(pii.normalise_id(value)))
    return list(households.distinct()[:10])


@router.post("/registry/sync/search", response=Envelope,
             openapi_extra=documented(SearchRequest))
def dci_search(request):
    """DCI ``search`` (synchronous): ``idtype-value`` queries by RESIDENT_ID, HOUSEHOLD_CODE
    or MEMBER_ID, within the caller's region; the answer is an ``on-search`` envelope."""
    require(request.user, Capability.SEARCH_REGISTRY)
    body = read_body(request, SearchRequest, "a DCI search message")
    items = body.message.search_request
    if len(items) > MAX_REQUESTS:
        raise HttpError(400, f"at most {MAX_REQUESTS} search requests in one message")
    responses, found_total = [], 0
    for item in items:
        criteria = item.search_criteria
        base = {"reference_id": item.reference_id, "timestamp": timezone.now().isoformat()}
        if criteria.query_type != "idtype-value" or criteria.query.type not in ID_TYPES:
            responses.append({**base, "status": "rjct",
                              "status_reason_code": "rjct.search_criteria.invalid",
                              "status_reason_message": "query_type idtype-value with type "
                                                       + ", ".join(sorted(ID_TYPES))})
            continue
        records = [household_record(h) for h in _find(request.user, criteria.query)]
        found_total += len(records)
        responses.append({**base, "status": "succ", "data": {
            "version": "1.0.0", "reg_type": "ns:dixian:RegistryType:household",
            "reg_record_type": "household", "reg_records": records},
            "pagination": {"page_size": len(records), "page_number": 1,
                           "total_count": len(records)}})
    audit.record("dci.search", actor=request.user, object_type="dci.search",
                 object_id=body.message.transaction_id[:64],
                 region_code=request.user.region_id or "",
                 after={"requests": len(items), "records": found_total,
                        "types": sorted({i.search_criteria.query.type for i in items})})
    completed = sum(r["status"] == "succ" for r in responses)
    return {"signature": "", "header": _header(body.header, "on-search", len(items), completed),
            "message": {"transaction_id": body.message.transaction_id,
                        "correlation_id": str(uuid.uuid4()), "search_response": responses}}


@router.post("/registry/subscribe", response=Envelope,
             openapi_extra=documented(SubscribeRequest))
def dci_subscribe(request):
    """DCI ``subscribe``: ``reg_event_type`` ``death`` or ``monitored``; events within the
    caller's region are notified to ``header.sender_uri`` (and readable at
    ``/notifications``). The answer is an ``on-subscribe`` envelope with the codes."""
    require(request.user, Capability.SEARCH_REGISTRY)
    body = read_body(request, SubscribeRequest, "a DCI subscribe message")
    uri = body.header.sender_uri or ""
    if uri and not uri.startswith(("https://", "http://")):
        raise HttpError(400, "header.sender_uri must be an http(s) URL")
    responses = []
    with transaction.atomic():
        for item in body.message.subscribe_request[:MAX_REQUESTS]:
            event = item.subscribe_criteria.reg_event_type
            base = {"reference_id": item.reference_id, "timestamp": timezone.now().isoformat()}
            if event not in EventType.values:
                responses.append({**base, "status": "rjct",
                                  "status_reason_code": "rjct.reg_event_type.invalid",
                                  "status_reason_message": "one of " + ", ".join(
                                      EventType.values)})
                continue
            subscription = Subscription.objects.create(
                code=f"sub-{uuid.uuid4()}", account=request.user, event_type=event,
                scope_code=request.user.region_id or "", callback_url=uri[:200])
            audit.record("dci.subscribe", actor=request.user, obj=subscription,
                         region_code=subscription.scope_code,
                         after={"code": subscription.code, "event": event, "callback": uri})
            responses.append({**base, "status": "succ", "subscriptions": [{
                "code": subscription.code, "status": "subscribe",
                "timestamp": subscription.created_at.isoformat()}]})
    completed = sum(r["status"] == "succ" for r in responses)
    return {"signature": "", "header": _header(body.header, "on-subscribe", len(responses),
                                               completed),
            "message": {"transaction_id": body.message.transaction_id,
                        "correlation_id": str(uuid.uuid4()), "subscribe_response": responses}}


@router.post("/registry/unsubscribe", response=Envelope,
             openapi_extra=documented(UnsubscribeRequest))
def dci_unsubscribe(request):
    require(request.user, Capability.SEARCH_REGISTRY)
    body = read_body(request, UnsubscribeRequest, "a DCI unsubscribe message")
    statuses = []
    for code in body.message.subscription_codes[:MAX_REQUESTS]:
        subscription = Subscription.objects.filter(code=code, account=request.user,
                                                   active=True).first()
        if subscription is None:
            statuses.append({"code": code, "status": "rjct"})
            continue
        subscription.active = False
        subscription.save(update_fields=["active"])
        audit.record("dci.unsubscribe", actor=request.user, obj=subscription,
                     region_code=subscription.scope_code, after={"code": code})
        statuses.append({"code": code, "status": "unsubscribe"})
    completed = sum(s["status"] == "unsubscribe" for s in statuses)
    return {"signature": "", "header": _header(body.header, "on-unsubscribe", len(statuses),
                                               completed),
            "message": {"transaction_id": body.message.transaction_id,
                        "correlation_id": str(uuid.uuid4()),
                        "timestamp": timezone.now().isoformat(),
                        "subscription_status": statuses}}


@router.get("/registry/notifications", response=Envelope)
def dci_notifications(request, after: int = 0, limit: int = 100):
    """The caller's notices after the given reference (``notice-N``: give N), as one DCI
    ``notify`` envelope: the pull alternative to a callback."""
    require(request.user, Capability.SEARCH_REGISTRY)
    from dixian.connect.events import notify_envelope

    notices = list(OutboxNotice.objects.filter(subscription__account=request.user, pk__gt=after)
                   .select_related("subscription__account").order_by("id")[:min(limit, 500)])
    if not notices:
        header = MsgHeader(message_id="", message_ts="", action="notify",
                           sender_id=request.user.username)
        return {"signature": "", "header": _header(header, "notify", 0, 0),
                "message": {"transaction_id": str(uuid.uuid4()), "notify_event": []}}
    return notify_envelope(notices)


class AlertOutcomeOut(Schema):
    id: int
    run_period: str
    household_code: str
    village_code: str
    member_id: str
    rule_id: str
    risk_type: str
    sentence_zh: str
    sentence_en: str
    outcome: str
    clue_id: int | None
    case_status: str | None

    @staticmethod
    def resolve_run_period(obj):
        return obj.run.period

    @staticmethod
    def resolve_household_code(obj):
        return obj.household.code

    @staticmethod
    def resolve_village_code(obj):
        return obj.village_id

    @staticmethod
    def resolve_case_status(obj):
        clue = obj.clue
        case = getattr(clue, "case", None) if clue else None
        return getattr(case, "state", None) or getattr(case, "status", None)


@router.get("/alerts", response=list[AlertOutcomeOut])
@paginate(Pagination)
def department_alerts(request, period: str = ""):
    """The alerts raised from the caller's department's feeds within its region, with what
    became of each (the outcome, the clue and its case)."""
    require(request.user, Capability.READ_ALERTS)
    from dixian.exchange.actions import FEED_OF_DEPARTMENT
    from dixian.exchange.models import Alert

    feed = FEED_OF_DEPARTMENT.get(request.user.department)
    if not feed:
        raise PermissionDenied
    alerts = Alert.objects.filter(scope_q(scope_of(request.user), "village__code"),
                                  department=feed).select_related("household", "run",
                                                                  "clue__case")
    if period:
        alerts = alerts.filter(run__period=period)
    return alerts.order_by("-run__started_at", "id")
