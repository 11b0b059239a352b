"""Work relief (以工代赈): a library project run with local labour. Actions (each audited) and
the figures and findings of a project: the labour-remuneration share of the central
investment against the policy, the payroll's completeness, who was hired (monitored and
poverty-alleviated residents first). A worker's pay reaches the household's income records
(the registry's monthly ``Income.wage``), tagged with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of
from dixian.core.roles import Capability
from dixian.funds.actions import money
from dixian.funds.bridge import Finding, resolve
from dixian.funds.bridge import work_relief as rules
from dixian.funds.models import PayrollEntry, Project, ProjectState, Worker, WorkRelief
from dixian.registry.models import Income, Member, Source

OPEN = (ProjectState.APPROVED, ProjectState.FUNDED, ProjectState.UNDER_WAY,
        ProjectState.ACCEPTED, ProjectState.SETTLED)


def _check(actor, code: str) -> None:
    require(actor, Capability.MANAGE_WORK_RELIEF)
    if not scope_of(actor).contains(code):
        raise NotFound


def do_start_work_relief(project: Project, *, central_investment, actor) -> WorkRelief:
    """Run an approved project as work relief, with its central investment."""
    _check(actor, project.region_code)
    if project.state not in OPEN:
        raise ValidationError("work relief runs on a project approved into the library")
    amount = money(central_investment, "central investment")
    if hasattr(project, "work_relief"):
        raise ValidationError("this project is already run as work relief")
    with transaction.atomic():
        item = WorkRelief.objects.create(project=project, central_investment=amount)
        audit.record("funds.work_relief", actor=actor, obj=item, region_code=project.region_code,
                     after={"project": project.pk, "central_investment": str(amount)})
    return item


def group_of(member: Member | None, county: str) -> str:
    if member is None:
        return Worker.Group.OUTSIDE
    household = member.household
    if not household.village_id.startswith(county):
        return Worker.Group.OUTSIDE
    if household.monitoring_category:
        return Worker.Group.MONITORED
    if household.household_type == "poverty_alleviated":
        return Worker.Group.ALLEVIATED
    return Worker.Group.LOCAL


def do_hire_worker(item: WorkRelief, *, member_id: str = "", actor,
                   on: date | None = None) -> Worker:
    """Hire a worker: a resident by member number (linked to the registry), or one from
    outside the county (no member number)."""
    project = item.project
    _check(actor, project.region_code)
    member = None
    if member_id:
        member = Member.objects.select_related("household").filter(member_id=member_id).first()
        if member is None or not member.household.village_id.startswith(project.county_code):
            raise ValidationError(f"{member_id!r} is not a member of a household of the county")
        if member.member_status != "active":
            raise ValidationError(f"{member_id} is not an active member")
        if item.workers.filter(member=member).exists():
            return item.workers.get(member=member)  # hiring twice is harmless
    with transaction.atomic():
        worker = Worker.objects.create(
            work_relief=item, member=member, household=member.household if member else None,
            group=group_of(member, project.county_code), hired_on=on or timezone.localdate())
        audit.record("funds.work_relief_hire", actor=actor, obj=worker,
                     region_code=project.region_code,
                     after={"project": project.pk, "member": member_id, "group": worker.group})
    return worker


@dataclass(frozen=True)
class Pay:
    worker_id: int
    due: object
    paid: object
    paid_on: date | None = None
    document: str = ""


def do_record_payroll(item: WorkRelief, month: str, rows: list[Pay], *, actor) -> list:
    """A month's payroll: what each worker was due and was paid. Each payment adds to the
    worker's household's wage income for that month."""
    project = item.project
    _check(actor, project.region_code)
    if len(month) != 7 or month[4] != "-" or not month[:4].isdigit() or \
            not month[5:].isdigit() or not 1 <= int(month[5:]) <= 12:
        raise ValidationError(f"month: {month!r} is not a month (YYYY-MM)")
    workers = {w.pk: w for w in item.workers.select_related("household")}
    problems, entries = [], []
    for k, row in enumerate(rows, start=1):
        worker = workers.get(row.worker_id)
        if worker is None:
            problems.append(f"row {k}: worker {row.worker_id} is not on this project")
            continue
        try:
            due = money(row.due, f"row {k} due")
            paid = Decimal(0) if row.paid in (None, "", "0", 0) else money(row.paid,
                                                                          f"row {k} paid")
        except ValidationError as exc:
            problems += exc.messages
            continue
        if paid > due:
            problems.append(f"row {k}: paid {paid} is more than due {due}")
            continue
        if paid and row.paid_on is None:
            problems.append(f"row {k}: give the date of payment")
            continue
        if PayrollEntry.objects.filter(worker=worker, month=month).exists():
            problems.append(f"row {k}: {worker.label} already has a payroll for {month}")
            continue
        entries.append(PayrollEntry(worker=worker, month=month, due=due, paid=paid,
                                    paid_on=row.paid_on if paid else None,
                                    document=row.document))
    if not rows:
        problems.append("give at least one row")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        PayrollEntry.objects.bulk_create(entries)
        for e in entries:
            if e.paid and e.worker.household_id:
                income, _created = Income.objects.get_or_create(
                    household=e.worker.household, period=month,
                    defaults={"source": Source.SYSTEM, "source_ref": "work_relief"})
                income.wage += int(e.paid)
                income.save(update_fields=["wage", "updated_at"])
        audit.record("funds.work_relief_payroll", actor=actor, obj=item,
                     region_code=project.region_code,
                     after={"project": project.pk, "month": month,
                            "rows": [{"worker": e.worker.label, "due": str(e.due),
                                      "paid": str(e.paid)} for e in entries]})
    return entries


@dataclass
class Figures:
    central: Decimal
    remuneration: Decimal
    share: float | None
    minimum: float
    workers: dict = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def payroll_rows(items) -> list[rules.PayrollRow]:
    return [rules.PayrollRow(key=str(e.pk), project_key=str(e.worker.work_relief.project_id),
                             region_code=e.worker.work_relief.project.region_code,
                             worker=e.worker.label, month=e.month, due=e.due, paid=e.paid,
                             paid_on=e.paid_on)
            for e in PayrollEntry.objects.filter(worker__work_relief__in=items).select_related(
                "worker__work_relief__project", "worker__member")]


def figures(item: WorkRelief, today: date) -> Figures:
    project = item.project
    policy = resolve(project.county_code, on=min(date(project.year, 12, 31), today))
    paid = PayrollEntry.objects.filter(worker__work_relief=item).aggregate(
        s=Sum("paid"))["s"] or Decimal(0)
    share, finding = rules.labour_share(
        project_key=str(project.pk), region_code=project.region_code, title=project.title,
        central=item.central_investment, remuneration=paid, policy=policy)
    found = [finding] if finding else []
    found += rules.payroll_findings(payroll_rows([item]), policy, today)
    groups = dict(item.workers.values("group").annotate(n=Count("pk")).values_list("group", "n"))
    return Figures(item.central_investment, paid, share,
                   policy["work_relief.labour_share_min"], groups, found)


def findings(projects, today: date) -> list[Finding]:
    """The work-relief findings of the given projects (a queryset)."""
    out: list[Finding] = []
    for item in WorkRelief.objects.filter(project__in=projects).select_related("project"):
        out += figures(item, today).findings
    return out
