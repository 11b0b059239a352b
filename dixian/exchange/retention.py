"""Retention of uploaded files (docs/personal-data.md, "Retention").

- Accepted originals (registry imports applied, feed files accepted) are the source of record:
  kept with their batch.
- Rejected and duplicate uploads hold personal data that was never taken into the registry:
  their files are deleted ``DIXIAN_REJECTED_UPLOAD_RETENTION_DAYS`` after the upload (30 by
  default: time to correct and resend); the batch row and its problem report stay, so the
  history of what was sent and why it was refused is kept without the data.

``dixian purge_uploads`` runs :func:`do_purge_rejected_uploads`; schedule it daily. It lives
in the exchange, above the registry, since it purges the uploads of both.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dixian.core import audit
from dixian.exchange.models import FeedBatch
from dixian.registry.models import ImportBatch


def do_purge_rejected_uploads(*, actor=None, now=None) -> dict[str, int]:
    """Delete the files of rejected and duplicate uploads past their retention; audited."""
    days = settings.DIXIAN_REJECTED_UPLOAD_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    counts = {}
    for model, statuses, files in (
            (ImportBatch, [ImportBatch.Status.REJECTED, ImportBatch.Status.DUPLICATE],
             ("original", "error_file")),
            (FeedBatch, [FeedBatch.Status.REJECTED, FeedBatch.Status.DUPLICATE],
             ("original",))):
        stale = model.objects.filter(status__in=statuses, created_at__lt=cutoff).exclude(
            original="")
        n = 0
        for batch in stale.iterator():
            for name in files:
                field = getattr(batch, name)
                if field:
                    field.delete(save=False)  # the file; the row keeps its report
            with transaction.atomic():
                model.objects.filter(pk=batch.pk).update(**{name: "" for name in files})
            n += 1
        counts[model._meta.model_name] = n
    audit.record("retention.purge_uploads", actor=actor, object_type="retention",
                 object_id=cutoff.date().isoformat(), after={"days": days, **counts})
    return counts
