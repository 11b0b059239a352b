"""Receiving departmental files and running the screening rules (the Django side).

The engine (:mod:`dixian.engine.feeds`, :mod:`dixian.engine.screening`) validates, matches
and screens Arrow tables; this module keeps the files, the batches and the alerts, within
the actor's region, with an audit row for each write.
"""

from __future__ import annotations

import hashlib
import io
import time

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dixian.core import audit, pii
from dixian.core.access import scope_of, scope_q
from dixian.core.jobs import no_progress
from dixian.exchange.bridge import RegionScope, check_month, feeds, require_scope, screening
from dixian.exchange.bridge import policy as engine_policy
from dixian.exchange.models import Alert, FeedBatch, ScreeningRun
from dixian.exchange.signals import screening_ran
from dixian.registry import snapshot
from dixian.registry.models import Household, Member

# The officer's department (dixian.core.roles.Department) → the engine's feed schema.
FEED_OF_DEPARTMENT = {
    "medical_insurance": "medical", "civil_affairs": "civil_affairs", "education": "education",
    "housing": "housing", "water": "water", "emergency": "emergency",
    "human_resources": "hr_social_security", "public_security": "public_security",
    "disabled_federation": "disability", "assets": "assets",
}
LOOKBACK_MONTHS = 12


def _tokenize(value: str) -> str:
    return pii.token(pii.normalise_id(value))


def _member_tokens(scope: RegionScope) -> pa.Table:
    rows = Member.objects.filter(scope_q(scope, "household__village__code")).values_list(
        "resident_id_token", "member_id", "household__code")
    tokens, ids, codes = [], [], []
    for token, member_id, code in rows.iterator(chunk_size=20_000):
        if token:
            tokens.append(token)
            ids.append(member_id)
            codes.append(code)
    return pa.table({"id_token": tokens, "member_id": ids, "household_code": codes})


def do_upload_feed(data: bytes, file_name: str, *, department: str, actor=None,
                   scope: RegionScope | None = None, period: str | None = None,
                   members: pa.Table | None = None, progress=no_progress) -> FeedBatch:
    """Validate, match and keep one department file. A bad file stores only its report.

    ``members`` (token, member id, household code) may be given when many files are
    received in a row, so that the registry's tokens are read once. ``progress(stage,
    done, total)`` hears of each step (reading, matching, writing)."""
    if actor is not None:
        scope = scope_of(actor)
    require_scope(scope)
    if scope.is_empty:
        raise PermissionError("a feed upload needs a region")
    feed = FEED_OF_DEPARTMENT.get(department, department)
    scope_code = scope.stored_code()
    checksum = hashlib.sha256(data).hexdigest()
    officer = actor if getattr(actor, "is_authenticated", False) else None
    base = dict(department=feed, scope_code=scope_code, file_name=file_name[:255],
                checksum=checksum, officer=officer)
    previous = FeedBatch.objects.filter(checksum=checksum, department=feed,
                                        status=FeedBatch.Status.ACCEPTED).first()
    if previous is not None:
        batch = FeedBatch(status=FeedBatch.Status.DUPLICATE, period=previous.period,
                          rows=previous.rows, problems=[{"same_as_batch": previous.pk}], **base)
        return _save(batch, data, None, actor)
    progress("reading", 0, 3)
    table, report = feeds.validate(data, file_name, feed, period=period)
    problems = [p.__dict__ for p in report.problems][:5000]
    if table is None:
        batch = FeedBatch(status=FeedBatch.Status.REJECTED, period=report.period or "",
                          rows=report.rows, problems=problems, **base)
        return _save(batch, data, None, actor)
    progress("matching", 1, 3)
    if "resident_id" in table.column_names:
        table = feeds.add_tokens(table, _tokenize)
        members = members if members is not None else _member_tokens(scope)
        matched, match_report = feeds.match(table, members, department=feed)
        table = matched.drop_columns(["resident_id"])  # kept in the original only
        n_matched, n_unmatched = match_report.matched, match_report.records - match_report.matched
    else:
        n_matched, n_unmatched = table.num_rows, 0
    progress("writing", 2, 3)
    out = io.BytesIO()
    pq.write_table(table, out)
    batch = FeedBatch(status=FeedBatch.Status.ACCEPTED, period=report.period or "",
                      rows=table.num_rows, matched=n_matched, unmatched=n_unmatched,
                      problems=problems, **base)
    batch = _save(batch, data, out.getvalue(), actor)
    from dixian.exchange.models import updates_facts
    from dixian.registry.facts import do_apply_department_facts

    if updates_facts(feed, scope_code):
        do_apply_department_facts(batch, actor=actor)
    return batch


def original_name(department: str, checksum: str, file_name: str) -> str:
    """The name a feed's original is kept under (its upload job keeps it there first)."""
    feed = FEED_OF_DEPARTMENT.get(department, department)
    return f"{feed}-{checksum[:12]}-{file_name[:255][-60:]}"


def _save(batch: FeedBatch, data: bytes, parquet: bytes | None, actor) -> FeedBatch:
    from dixian.core.storage import all_or_nothing

    stem = f"{batch.department}-{batch.checksum[:12]}"
    with all_or_nothing(), transaction.atomic():  # no file left behind by a failed upload
        batch.original.save(original_name(batch.department, batch.checksum, batch.file_name),
                            ContentFile(data), save=False)
        if parquet is not None:
            batch.parquet.save(f"{stem}.parquet", ContentFile(parquet), save=False)
        batch.save()
        region = RegionScope.from_stored(batch.scope_code).audit_region()
        audit.record("feed.upload", actor=actor, obj=batch, region_code=region,
                     after={"department": batch.department, "period": batch.period,
                            "status": batch.status, "rows": batch.rows,
                            "matched": batch.matched, "unmatched": batch.unmatched})
    return batch


def _months_up_to(period: str, n: int) -> list[str]:
    return [screening.engine.month_add(period, -k) for k in range(n)]


def _feeds_for(scope: RegionScope, period: str) -> tuple[dict[str, pa.Table], list[int]]:
    months = _months_up_to(period, LOOKBACK_MONTHS)
    batches = FeedBatch.objects.filter(status=FeedBatch.Status.ACCEPTED, period__in=months)
    if not scope.national:
        batches = batches.filter(scope_q(scope, "scope_code") | _covering(scope))
    tables: dict[str, list[pa.Table]] = {}
    used = []
    for batch in batches.order_by("created_at"):
        with batch.parquet.open("rb") as handle:
            tables.setdefault(batch.department, []).append(pq.read_table(handle))
        used.append(batch.pk)
    return {name: pa.concat_tables(parts, promote_options="permissive")
            for name, parts in tables.items()}, used


def _covering(scope: RegionScope):
    """Batches sent at a higher level (a prefecture or province department) cover the scope."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for prefix in scope.prefixes:
        for n in (2, 4):
            if len(prefix) > n:
                q |= Q(scope_code=prefix[:n])
    return q


def rules_of(department: str = "") -> list[str] | None:
    """The ids of a department's rules (its feed's), or None for every rule."""
    if not department:
        return None
    feed = FEED_OF_DEPARTMENT[department]
    return [r.id for r in screening.RULES if r.feed == feed]


def _engine_backend(engine: str):
    """DuckDB in process, or Spark at ``settings.DIXIAN_SPARK_MASTER`` (local[2] by default;
    ``spark://host:7077`` or ``yarn`` on a cluster, see docs/screening-rules.md)."""
    if engine == "duckdb":
        return "duckdb"
    if engine != "spark":
        raise ValueError(f"unknown screening engine {engine!r}: duckdb or spark")
    import ibis
    from django.conf import settings
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master(settings.DIXIAN_SPARK_MASTER)
               .appName("dixian-screening").config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false").getOrCreate())
    return ibis.pyspark.connect(session)


def do_run_screening(scope: RegionScope, period: str, *, actor=None, department: str = "",
                     engine: str = "duckdb", schedule=None, now=None,
                     due_on=None) -> ScreeningRun:
    """Snapshot the registry, run the rules (every rule, or one department's) over it and the
    feeds, keep the alerts, and turn what is new in them into clues. ``now`` dates the run
    and its clues (the procedure simulator runs in simulated time)."""
    require_scope(scope)
    try:
        check_month(period, "period")
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    started_at, started = now or timezone.now(), time.perf_counter()
    tables = snapshot.snapshot(scope)
    feed_tables, used = _feeds_for(scope, period)
    chosen = rules_of(department)
    alerts = screening.run(tables, feed_tables, scope, period=period, rules=chosen,
                           backend=_engine_backend(engine), on=timezone.localdate(started_at))
    seconds = time.perf_counter() - started
    households = dict(Household.objects.filter(
        code__in=list(set(alerts["household_code"].to_pylist()))).values_list("code", "id"))
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            scope_code=scope.stored_code(), period=period,
            started_at=started_at, seconds=seconds, batches=used, engine=engine,
            schedule=schedule, rules={r.id: r.version for r in screening.RULES
                                      if chosen is None or r.id in chosen},
            policy_fingerprint=engine_policy.resolve(
                engine_policy.region_of_scope(scope), timezone.localdate(started_at)).fingerprint,
            actor=actor if getattr(actor, "is_authenticated", False) else None)
        rows = [a for a in alerts.to_pylist() if a["household_code"] in households]
        Alert.objects.bulk_create([Alert(
            run=run, household_id=households[a["household_code"]], village_id=a["village_code"],
            member_id=a["member_id"] or "", rule_id=a["rule_id"], rule_version=a["rule_version"],
            department=a["department"] or "", risk_type=a["risk_type"] or "",
            evidence=a["evidence"] or "", value=a["value"], threshold=a["threshold"],
            sentence_zh=a["sentence_zh"], sentence_en=a["sentence_en"],
            household_review=bool(a["household_review"])) for a in rows], batch_size=2000)
        by_rule: dict[str, int] = {}
        for a in rows:
            by_rule[a["rule_id"]] = by_rule.get(a["rule_id"], 0) + 1
        outcomes: dict[str, int] = {}
        for _receiver, counts in screening_ran.send(sender=ScreeningRun, run=run):
            for outcome, count in (counts or {}).items():
                outcomes[outcome] = outcomes.get(outcome, 0) + count
        run.counts = {"alerts": len(rows), "households": len({a["household_code"] for a in rows}),
                      "by_rule": by_rule, "outcomes": outcomes}
        run.save(update_fields=["counts"])
        if schedule is not None:  # moved on with its run: a run is never made twice
            _move_on(schedule, due_on or timezone.localdate(started_at), run=run, actor=actor)
        audit.record("screening.run", actor=actor, obj=run, region_code=scope.audit_region(),
                     after={"period": period, "alerts": len(rows), "batches": used,
                            "engine": engine, "department": department,
                            "clues": outcomes.get("clue", 0)})
    return run


class ScheduleAlreadyRan(Exception):
    """Another process ran this schedule meanwhile (two timers at once): this run is undone."""


def _move_on(schedule, due_on, *, run=None, actor=None) -> None:
    """Compare and set: only the process that still sees the old date moves it on; audited
    with the date it had and the run that moved it."""
    from datetime import timedelta

    from dixian.exchange.models import ScreeningSchedule

    before = schedule.next_run_on
    new = due_on + timedelta(days=schedule.every_days)
    moved = ScreeningSchedule.objects.filter(pk=schedule.pk, next_run_on=before) \
        .update(next_run_on=new)
    if not moved:
        raise ScheduleAlreadyRan(schedule.pk)
    schedule.next_run_on = new
    audit.record("screening.schedule_advance", actor=actor, obj=schedule,
                 region_code=schedule.scope_code, before={"next_run_on": before.isoformat()},
                 after={"next_run_on": new.isoformat(),
                        "run": run.pk if run is not None else None})


def do_run_due_schedules(today=None) -> list[ScreeningRun]:
    """Run every active schedule whose next run is due, for the current month, and move it
    on in the run's own transaction (killed in between, neither happened; run again, it runs
    once). A schedule that fails stays due and the error propagates (cron reports it)."""
    from dixian.exchange.models import ScreeningSchedule

    today = today or timezone.localdate()
    runs = []
    for schedule in ScreeningSchedule.objects.filter(active=True, next_run_on__lte=today):
        try:
            runs.append(do_run_screening(RegionScope.of(schedule.scope_code),
                                         today.strftime("%Y-%m"),
                                         department=schedule.department, schedule=schedule,
                                         due_on=today))
        except ScheduleAlreadyRan:
            continue
    return runs
