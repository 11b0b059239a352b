"""A proposal's preview on the region's current registry (engine: dixian.engine.policy.preview)."""

from __future__ import annotations

from dixian.policy import bridge
from dixian.policy.bridge import RegionScope
from dixian.policy.bridge import preview as engine_preview
from dixian.policy.models import PolicyChange


def latest_income_month(scope: RegionScope) -> str | None:
    from dixian.core.access import scope_q
    from dixian.registry.models import Income

    return (Income.objects.filter(scope_q(scope, "household__village__code"))
            .order_by("-period").values_list("period", flat=True).first())


def compute(change: PolicyChange) -> dict:
    """Run the preview and keep it on the change (what the approver saw)."""
    from dixian.exchange.actions import _feeds_for
    from dixian.registry import snapshot

    scope = RegionScope.of(change.region_id)
    period = latest_income_month(scope)
    if period is None:
        result = {"empty": True, "by_county": [], "changed": []}
    else:
        tables = snapshot.snapshot(scope)
        feeds, _used = _feeds_for(scope, period)
        result = engine_preview.preview(tables, feeds, scope, period=period,
                                        on=change.effective_from,
                                        overlay=bridge.to_records(change)).as_json()
    change.preview = result
    change.save(update_fields=["preview"])
    return result
