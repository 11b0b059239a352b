"""Planning and delivering measures: the only way the ledger of measures changes.

Every write is an action with an audit row; the household's R4 issues are refreshed after
each, so a violation appears when a plan falls short and disappears when it is fixed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dixian.assistance import plans
from dixian.assistance.bridge import assistance as engine
from dixian.assistance.models import Measure, PlanIssue, Status, SuggestionRecord
from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of
from dixian.core.jobs import no_progress
from dixian.core.models import Notification, User
from dixian.core.roles import Capability, Role, role_has
from dixian.registry.models import Household

ORDER = [Status.PLANNED, Status.IN_PROGRESS, Status.IMPLEMENTED, Status.ENDED]


def may_receive_measures(household: Household) -> bool:
    """Monitored, or on the disaster fast track (assistance before approval, R3)."""
    from dixian.cases.machine import FINAL
    from dixian.cases.models import Case, MonitoringSpell

    if MonitoringSpell.objects.filter(household=household, ended_on__isnull=True).exists():
        return True
    return Case.objects.filter(household=household, fast_track=True).exclude(
        state__in=[s.value for s in FINAL]).exists()


@dataclass(frozen=True)
class Item:
    instrument: str
    risk_type: str = ""
    member_id: str = ""
    amount: Decimal | None = None
    due_on: date | None = None
    ends_on: date | None = None
    parameters: dict | None = None


def do_plan_measures(household: Household, items: list[Item], *, actor,
                     now: datetime | None = None, suggested: list[dict] | None = None,
                     basis: str = "") -> list[Measure]:
    """Add measures to a household's plan. Refused as a whole when one fails an instrument
    check (the sentence says which and why)."""
    require(actor, Capability.PLAN_MEASURES)
    if not scope_of(actor).contains(household.village_id):
        raise NotFound
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not items:
        raise ValidationError(_("choose at least one measure"))
    if not may_receive_measures(household):
        raise ValidationError(_("measures go to monitored households, or to a disaster case "
                                "on the fast track"))
    catalogue = engine.for_province(household.village_id[:2])
    params = engine.resolve(household.village_id[:2], today.year)
    spell = plans._spell(household)
    base = spell.started_on if spell and spell.ended_on is None else today
    deadline = base + timedelta(days=params["measure_deadline_days_after_identification"])
    members = {m.member_ref: m for m in plans.plan_members(household)}
    existing = [plans.plan_measure(m) for m in Measure.objects.filter(household=household)]
    with transaction.atomic():
        created, problems = [], []
        for k, item in enumerate(items, start=1):
            instrument = catalogue.instruments.get(item.instrument)
            if instrument is None:
                problems.append(_("measure %(k)d: unknown instrument %(value)r") % {
                    "k": k, "value": item.instrument})
                continue
            if item.member_id and item.member_id not in members:
                problems.append(_("measure %(k)d: %(member)s is not a member of %(household)s")
                                % {"k": k, "member": item.member_id,
                                   "household": household.code})
                continue
            measure = Measure(
                household=household, village_code=household.village_id,
                risk_type=item.risk_type, category=instrument.category,
                instrument=instrument.code, department=instrument.department,
                member_id=item.member_id, amount=item.amount, planned_on=today,
                due_on=item.due_on or max(deadline, today), ends_on=item.ends_on,
                parameters=item.parameters or {}, created_by=actor)
            found = engine.check_measure(
                plans.plan_measure(measure), today=today,
                member=members.get(item.member_id), household=plans.plan_household(household),
                measures=existing, members=list(members.values()), params=params,
                catalogue=catalogue)
            errors = [v for v in found if v.severity == "error"]
            if errors:
                problems += [_("measure %(k)d (%(name)s): %(sentence)s") % {
                    "k": k, "name": instrument.zh, "sentence": v.sentence_zh} for v in errors]
                continue
            measure.save()
            existing.append(plans.plan_measure(measure))
            created.append(measure)
            audit.record("assistance.plan", actor=actor, obj=measure,
                         region_code=household.village_id,
                         after={"instrument": measure.instrument, "risk_type": item.risk_type,
                                "department": measure.department, "member": item.member_id,
                                "amount": str(item.amount or ""),
                                "due_on": measure.due_on.isoformat()})
        if problems:
            raise ValidationError(problems)
        if suggested is not None:
            SuggestionRecord.objects.create(household=household, suggested=suggested,
                                            chosen=[i.instrument for i in items], basis=basis,
                                            actor=actor, time=now)
        _notify_departments(created)
        refresh_issues(household, now)
    return created


def _instrument_name(code: str) -> str:
    from dixian.assistance.bridge import assistance as engine

    item = engine.DEFAULT.instruments.get(code)
    return item.zh if item else code


def _notify_departments(measures: list[Measure]) -> None:
    from dixian.registry.people import describe

    for measure in measures:
        officers = User.objects.filter(role=Role.DEPARTMENT_OFFICER,
                                       department=measure.department, is_active=True)
        officers = [u for u in officers if u.region_id and measure.village_code.startswith(
            u.region_id)]
        with translation.override(settings.LANGUAGE_CODE):  # stored: the platform's language
            text = _("New measure for household %(household)s: %(instrument)s, due "
                     "%(due)s") % {"household": describe(measure.household),
                                   "instrument": _instrument_name(measure.instrument),
                                   "due": measure.due_on.isoformat()}
        Notification.objects.bulk_create([Notification(user=u, text=text,
                                                       link=f"/measures/?id={measure.pk}")
                                          for u in officers])


def access_measure(actor, measure_id: int) -> Measure:
    measure = Measure.objects.select_related("household").filter(pk=measure_id).first()
    if measure is None or not scope_of(actor).contains(measure.village_code):
        raise NotFound
    if role_has(actor.role, Capability.DELIVER_MEASURES):
        if measure.department != actor.department:
            raise NotFound  # another department's measure is not theirs to see
    elif not role_has(actor.role, Capability.PLAN_MEASURES) and not role_has(
            actor.role, Capability.VIEW_REGISTRY):
        raise PermissionDenied
    return measure


def do_update_measure(measure_id: int, *, actor, status: str, on: date | None = None,
                      evidence: str = "", amount: Decimal | None = None,
                      now: datetime | None = None) -> Measure:
    """Move a measure on (planned → in progress → implemented → ended), with its date and
    the evidence of delivery. The owning department's officer or a planning official."""
    if not (role_has(actor.role, Capability.DELIVER_MEASURES)
            or role_has(actor.role, Capability.PLAN_MEASURES)):
        raise PermissionDenied
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    with transaction.atomic():
        access_measure(actor, measure_id)
        measure = Measure.objects.select_for_update().select_related("household").get(
            pk=measure_id)
        if status not in Status.values:
            raise ValidationError(_("unknown status %(value)r") % {"value": status})
        if ORDER.index(Status(status)) < ORDER.index(Status(measure.status)):
            raise ValidationError(_("a measure %(was)s cannot go back to %(now)s") % {
                "was": Status(measure.status).label, "now": Status(status).label})
        if status == Status.IMPLEMENTED and not (evidence or measure.evidence).strip():
            raise ValidationError(_("record the evidence of delivery"))
        before = {"status": measure.status}
        if status in (Status.IN_PROGRESS, Status.IMPLEMENTED, Status.ENDED):
            measure.started_on = measure.started_on or on
        if status in (Status.IMPLEMENTED, Status.ENDED):
            measure.implemented_on = measure.implemented_on or on
        if status == Status.ENDED:
            measure.ended_on = on
        measure.status = status
        if evidence:
            measure.evidence = evidence
        if amount is not None:
            measure.amount = amount
        measure.officer = measure.officer or (actor if actor.role == Role.DEPARTMENT_OFFICER
                                              else None)
        measure.save()
        audit.record("assistance.update", actor=actor, obj=measure,
                     region_code=measure.village_code, before=before,
                     after={"status": status, "on": on.isoformat(), "evidence": evidence})
        refresh_issues(measure.household, now)
    return measure


def refresh_issues(household: Household, now: datetime) -> list[PlanIssue]:
    """Bring the household's open issues in line with R4 and the instrument checks now."""
    spell = plans._spell(household)
    found = plans.assess(household, timezone.localdate(now)).violations if spell else []
    wanted = {(v.rule_id, v.risk_type or "", int(v.measure_ref or 0), v.member_ref or ""): v
              for v in found}
    open_issues = {i.key: i for i in PlanIssue.objects.filter(household=household,
                                                              status=PlanIssue.Status.OPEN)}
    for key, issue in open_issues.items():
        if key not in wanted:
            issue.status, issue.fixed_at = PlanIssue.Status.FIXED, now
            issue.save(update_fields=["status", "fixed_at"])
    for key, v in wanted.items():
        if key in open_issues:
            continue
        PlanIssue.objects.create(
            household=household, village_code=household.village_id, rule_id=v.rule_id,
            risk_type=v.risk_type or "", measure_id=int(v.measure_ref) if v.measure_ref
            else None, member_id=v.member_ref or "", severity=v.severity, finding=v.finding,
            department=v.department or "", sentence_zh=v.sentence_zh, sentence_en=v.sentence_en,
            due_on=v.due_on, opened_at=now)
    return list(PlanIssue.objects.filter(household=household, status=PlanIssue.Status.OPEN))


# -------------------------------------------------------------- bulk update from a sheet
BULK_COLUMNS = {"措施编号": "id", "measure": "id", "状态": "status", "status": "status",
                "日期": "on", "date": "on", "实施证明": "evidence", "evidence": "evidence"}
STATUS_ZH = {"计划": Status.PLANNED, "实施中": Status.IN_PROGRESS, "已实施": Status.IMPLEMENTED,
             "已结束": Status.ENDED}


def do_bulk_update(data: bytes, file_name: str, *, actor, progress=no_progress) -> int:
    """A department officer updates many measures from a spreadsheet (XLSX or CSV): all rows
    or none, each problem named by file, row, column, value and rule. ``progress(stage, done,
    total)`` hears of each step (reading, validating, writing)."""
    progress("reading", 0, 3)
    rows = _read_rows(data, file_name)
    progress("validating", 1, 3)
    problems, parsed = [], []
    for number, row in rows:
        def bad(column, value, rule, number=number):
            problems.append(_("%(file)s row %(row)d, column %(column)s: %(value)r: %(rule)s") % {
                "file": file_name, "row": number, "column": column, "value": value,
                "rule": rule})
        try:
            measure_id = int(str(row.get("id", "")).strip())
        except ValueError:
            bad("措施编号", row.get("id"), _("a measure number"))
            continue
        status = str(row.get("status", "")).strip()
        status = STATUS_ZH.get(status, status)
        if status not in Status.values:
            bad("状态", row.get("status"), _("计划, 实施中, 已实施 or 已结束"))
            continue
        on = row.get("on")
        if isinstance(on, datetime):
            on = on.date()
        elif on not in (None, ""):
            try:
                on = date.fromisoformat(str(on).strip())
            except ValueError:
                bad("日期", on, _("a date YYYY-MM-DD"))
                continue
        parsed.append((number, measure_id, status, on or None, str(row.get("evidence") or "")))
    if problems:
        raise ValidationError(problems)
    progress("writing", 2, 3)
    with transaction.atomic():
        for number, measure_id, status, on, evidence in parsed:
            try:
                do_update_measure(measure_id, actor=actor, status=status, on=on,
                                  evidence=evidence)
            except (ValidationError, NotFound, PermissionDenied) as exc:
                message = "; ".join(getattr(exc, "messages", [])) or _(
                    "not one of your measures")
                problems.append(_("%(file)s row %(row)d: measure %(id)s: %(message)s") % {
                    "file": file_name, "row": number, "id": measure_id, "message": message})
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise ValidationError(problems)
    return len(parsed)


def _read_rows(data: bytes, file_name: str) -> list[tuple[int, dict]]:
    import csv

    from dixian.assistance.bridge import filecheck

    try:
        if file_name.lower().endswith(".xlsx"):
            from openpyxl import load_workbook

            filecheck.check_xlsx(data)  # a zip bomb is refused before it is unpacked
            try:
                sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
                values = list(filecheck.xlsx_rows(sheet))
            except filecheck.FileProblem:
                raise
            except Exception as exc:  # noqa: BLE001 - any unreadable workbook: same error
                raise ValidationError(_("%(file)s: not a readable XLSX file (%(error)s)") % {
                    "file": file_name, "error": exc}) from None
        elif file_name.lower().endswith(".csv"):
            text = filecheck.decode_text(data)  # UTF-8 (BOM or not), GBK, GB18030
            filecheck.scan_csv(text)
            values = list(csv.reader(io.StringIO(text)))
        else:
            values = None
    except filecheck.FileProblem as problem:
        where = f" row {problem.row}" if problem.row else ""
        raise ValidationError(f"{file_name}{where}: {problem.message}") from None
    if values is None:
        raise ValidationError(_("%(file)s: send an .xlsx or .csv file") % {"file": file_name})
    if not values:
        raise ValidationError(_("%(file)s: the file is empty") % {"file": file_name})
    header = [BULK_COLUMNS.get(str(h or "").strip()) for h in values[0]]
    if "id" not in header or "status" not in header:
        raise ValidationError(_("%(file)s: the first row must name the columns 措施编号 and "
                                "状态 (and optionally 日期, 实施证明)") % {"file": file_name})
    return [(n, {k: v for k, v in zip(header, row, strict=False) if k})
            for n, row in enumerate(values[1:], start=2) if any(v not in (None, "") for v in row)]


def parse_amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        raise ValidationError(_("not an amount: %(value)r") % {"value": value}) from None
