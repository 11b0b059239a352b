"""Registry events that department systems subscribe to (DCI subscribe/notify): a member's
death, a household newly monitored. Each event within a subscription's region becomes a
notice in the outbox; ``dixian notify`` (cron) delivers the notices to the callbacks."""

from __future__ import annotations

import json
import urllib.request
import uuid

from django.db.models.signals import post_save
from django.utils import timezone

from dixian.connect.models import EventType, OutboxNotice, Subscription

DELIVERY_ATTEMPTS = 10


def connect_signals() -> None:
    from dixian.cases.models import MonitoringSpell
    from dixian.registry.models import FieldChange

    post_save.connect(_on_field_change, sender=FieldChange, dispatch_uid="connect.death")
    post_save.connect(_on_spell, sender=MonitoringSpell, dispatch_uid="connect.monitored")


def _on_field_change(sender, instance, created, **kwargs):
    if created and instance.field == "member_status" and instance.new_value == "deceased":
        from dixian.registry.models import Member

        member = Member.objects.filter(pk=_member_pk(instance)).select_related(
            "household").first() if instance.object_type == "member" else None
        if member is not None:
            publish(EventType.DEATH, member.household.village_id, {
                "event": "death", "household_code": member.household.code,
                "member_id": member.member_id, "identifier_masked": member.resident_id_masked,
                "name": member.name, "death_month": member.status_month or "",
                "source": instance.source, "source_ref": instance.source_ref})


def _member_pk(change) -> int | None:
    from dixian.registry.models import Member

    return Member.objects.filter(member_id=change.object_key).values_list(
        "pk", flat=True).first()


def _on_spell(sender, instance, created, **kwargs):
    if created:
        publish(EventType.MONITORED, instance.village_code, {
            "event": "monitored", "household_code": instance.household.code,
            "village_code": instance.village_code, "category": instance.category,
            "risk_types": instance.risk_types, "since": str(instance.started_on)})


def publish(event_type: str, village_code: str, record: dict) -> int:
    """Queue a notice for every active subscription to the event whose region holds it."""
    prefixes = [village_code[:n] for n in (2, 4, 6, 9, 12)]
    subscriptions = Subscription.objects.filter(active=True, event_type=event_type,
                                                scope_code__in=prefixes)
    notices = [OutboxNotice(subscription=s, event_type=event_type, record=record)
               for s in subscriptions]
    OutboxNotice.objects.bulk_create(notices)
    return len(notices)


def notify_envelope(notices: list[OutboxNotice]) -> dict:
    """The DCI ``notify`` message for some notices of one subscription."""
    now = timezone.now().isoformat()
    subscription = notices[0].subscription
    return {
        "signature": "",
        "header": {"version": "1.0.0", "message_id": str(uuid.uuid4()), "message_ts": now,
                   "action": "notify", "status": "succ", "total_count": len(notices),
                   "completed_count": len(notices), "sender_id": "dixian",
                   "receiver_id": subscription.account.username},
        "message": {"transaction_id": str(uuid.uuid4()), "notify_event": [{
            "reference_id": f"notice-{n.pk}", "timestamp": n.created_at.isoformat(),
            "subscription_code": subscription.code,
            "data": {"version": "1.0.0", "reg_event_type": n.event_type,
                     "reg_record_type": "household", "reg_records": [n.record]},
            "locale": "zho"} for n in notices]},
    }


def deliver(post=None) -> dict:
    """POST each subscription's waiting notices to its callback; a failure is retried on the
    next run (up to DELIVERY_ATTEMPTS)."""
    post = post or _post
    counts = {"delivered": 0, "failed": 0}
    waiting = (OutboxNotice.objects.filter(delivered_at__isnull=True,
                                           attempts__lt=DELIVERY_ATTEMPTS,
                                           subscription__active=True)
               .exclude(subscription__callback_url="").select_related("subscription__account"))
    by_subscription: dict[int, list[OutboxNotice]] = {}
    for notice in waiting.order_by("id")[:5000]:
        by_subscription.setdefault(notice.subscription_id, []).append(notice)
    for notices in by_subscription.values():
        ids = [n.pk for n in notices]
        try:
            post(notices[0].subscription.callback_url, notify_envelope(notices))
        except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
            for notice in notices:
                OutboxNotice.objects.filter(pk=notice.pk).update(
                    attempts=notice.attempts + 1, last_error=str(error)[:200])
            counts["failed"] += len(ids)
        else:
            OutboxNotice.objects.filter(pk__in=ids).update(delivered_at=timezone.now())
            counts["delivered"] += len(ids)
    return counts


def _post(url: str, body: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (http/https)
        if response.status >= 300:
            raise RuntimeError(f"callback answered {response.status}")
