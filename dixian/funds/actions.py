"""Every write on projects, funds and assets: an action with its audit row and, where the
rules ask for one, the public notice it generates (with the policy's deadline).

Refusals are :class:`ValidationError` s whose message says which rule and value; nothing is
half applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of
from dixian.core.models import Region
from dixian.core.roles import Capability, role_has
from dixian.funds import documents as files_of
from dixian.funds.bridge import funds as rules
from dixian.funds.bridge import resolve
from dixian.funds.models import (
    Allocation,
    Appropriation,
    Asset,
    AssetCategory,
    AssetIncome,
    Beneficiary,
    Benefit,
    Category,
    Disposal,
    Distribution,
    Notice,
    OwnerLevel,
    Payment,
    Project,
    ProjectState,
    ProjectStep,
    Source,
    Supervision,
)
from dixian.registry.models import Household, Member

S = ProjectState
K = ProjectStep.Kind
DEMOCRACY = (K.PROPOSAL, K.MEETING, K.VILLAGE_NOTICE)  # 四议两公开, recorded before applying
OWNER_CODE_LENGTH = {OwnerLevel.VILLAGE: 12, OwnerLevel.TOWNSHIP: 9, OwnerLevel.COUNTY: 6}


def money(value, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{what}: {value!r} is not an amount of yuan") from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        raise ValidationError(f"{what}: {value!r} must be a positive amount below 10^12 yuan")
    return amount.quantize(Decimal("0.01"))


def _in_scope(actor, code: str) -> None:
    if not scope_of(actor).contains(code):
        raise NotFound


def _policy(code: str, on: date):
    return resolve(code[:6], on=on)


def _today(on: date | None) -> date:
    return on or timezone.localdate()


def _notice(kind: str, *, region_code: str, decided_on: date, title: str, body: str,
            project: Project | None = None, asset: Asset | None = None) -> Notice:
    """The notice a step generates, due within the policy's days, posted for its minimum."""
    policy = _policy(region_code, decided_on)
    return Notice.objects.create(
        kind=kind, region_code=region_code, project=project, asset=asset, title=title,
        body=body, decided_on=decided_on,
        due_by=decided_on + timedelta(days=policy["funds.notice_publish_within_days"]),
        min_days=policy["funds.notice_min_days"])


def _step(project: Project, kind: str, *, actor, on: date, note: str = "",
          documents: list[str] | None = None, files: list[files_of.Checked] = (),
          before: dict | None = None, after: dict | None = None) -> ProjectStep:
    """One step with its documents: the names or numbers typed, and the files (checked by
    :func:`dixian.funds.documents.check_files` before anything was written)."""
    step = ProjectStep.objects.create(project=project, kind=kind, on=on, note=note,
                                      documents=list(documents or []), actor=actor)
    audit.record(f"funds.{kind}", actor=actor, obj=project, region_code=project.region_code,
                 before=before, after={"step": kind, "on": on.isoformat(), "note": note,
                                       "documents": step.documents,
                                       "files": [{"name": f.name, "sha256": f.sha256}
                                                 for f in files], **(after or {})})
    files_of.store(list(files), actor=actor, step=step)
    return step


def _checked(files, problems: list[str] | None = None) -> list[files_of.Checked]:
    """The files checked; their problems added to ``problems`` (or raised)."""
    try:
        return files_of.check_files(files)
    except ValidationError as exc:
        if problems is None:
            raise
        problems += exc.messages
        return []


@dataclass(frozen=True)
class DemocracyStep:
    """One of the 四议两公开 steps before a village applies: its date and documents."""

    kind: str
    on: date
    documents: tuple[str, ...]
    note: str = ""
    files: tuple = ()  # uploaded files (the resolution scanned, a photograph of the notice)


# --- the project library -------------------------------------------------------------------

def do_apply_project(*, region_code: str, title: str, year: int, category: str, amount,
                     location: str = "", targets: str = "", funding_plan: dict | None = None,
                     planned_completion: date | None = None,
                     democracy: list[DemocracyStep], beneficiaries: list[tuple[str, str]] = (),
                     files=(), actor, on: date | None = None) -> Project:
    """The village applies (村申报), with the villagers' participation recorded: the proposal,
    the meeting's resolution and the village notice, each dated with a document (a name or
    number typed, or a file); ``files`` are the application's own."""
    require(actor, Capability.APPLY_PROJECTS)
    _in_scope(actor, region_code)
    on = _today(on)
    problems = []
    if not Region.objects.filter(code=region_code).exists():
        problems.append(f"location: {region_code!r} is not a division code")
    if not (title or "").strip():
        problems.append("title: a project needs a title")
    if category not in Category.values:
        problems.append(f"category: {category!r} is not one of {', '.join(Category.values)}")
    try:
        amount = money(amount, "amount")
    except ValidationError as exc:
        problems += exc.messages
    if not isinstance(year, int) or not (2012 <= year <= on.year + 2):
        problems.append(f"year: {year!r} must be between 2012 and {on.year + 2}")
    given = {d.kind: d for d in democracy}
    checked = {kind: _checked(given[kind].files, problems) for kind in DEMOCRACY
               if kind in given}
    application_files = _checked(files, problems)
    for kind in DEMOCRACY:
        step = given.get(kind)
        if step is None:
            problems.append(f"四议两公开: the step {kind} (“{K(kind).label}”) is not recorded")
        elif not step.documents and not step.files:
            problems.append(f"四议两公开: the step {kind} (“{K(kind).label}”) has no document")
        elif step.on > on:
            problems.append(f"四议两公开: the step {kind} (“{K(kind).label}”) is dated "
                            f"{step.on}, after the application ({on})")
    households = []
    for code, how in beneficiaries:
        household = Household.objects.filter(code=code).first()
        if household is None or not household.village_id.startswith(region_code[:9]):
            problems.append(f"beneficiary {code}: no such household near {region_code}")
        elif how not in Benefit.values:
            problems.append(f"beneficiary {code}: {how!r} is not one of "
                            f"{', '.join(Benefit.values)}")
        else:
            households.append((household, how))
    if problems:
        raise ValidationError(problems)
    with files_of.kept_together():
        project = Project.objects.create(
            county_code=region_code[:6], region_code=region_code, title=title.strip(),
            year=year, category=category, location=location, amount=amount,
            funding_plan=funding_plan or {}, targets=targets, applied_on=on,
            planned_completion=planned_completion, created_by=actor)
        for kind in DEMOCRACY:
            d = given[kind]
            _step(project, kind, actor=actor, on=d.on, note=d.note, documents=list(d.documents),
                  files=checked[kind])
        for household, how in households:
            Beneficiary.objects.get_or_create(project=project, household=household, how=how)
        _step(project, K.APPLICATION, actor=actor, on=on, files=application_files,
              after={"title": project.title, "amount": str(amount), "category": category,
                     "year": year, "beneficiaries": len(households)})
        _notice(Notice.Kind.APPLICATION, region_code=region_code, decided_on=on,
                project=project, title=f"{project.title}：项目申报公示",
                body=f"{year}年度项目“{project.title}”（{Category(category).label}），"
                     f"计划资金{amount:,.2f}元，地点：{location or region_code}。"
                     f"绩效目标：{targets or '—'}。")
    return project


# state before → (capability, state after, step kind)
REVIEWS = {
    S.PROPOSED: (Capability.REVIEW_PROJECTS, S.TOWNSHIP_REVIEWED, K.TOWNSHIP_REVIEW),
    S.TOWNSHIP_REVIEWED: (Capability.MANAGE_PROJECTS, S.EXPERT_REVIEWED, K.EXPERT_REVIEW),
    S.EXPERT_REVIEWED: (Capability.APPROVE_PROJECTS, S.APPROVED, K.COUNTY_APPROVAL),
}


def do_review_project(project: Project, *, approve: bool, note: str = "",
                      documents: list[str] | None = None, files=(), actor,
                      on: date | None = None) -> Project:
    """The next review: township (乡审核), then the sector's experts, then the county (县审定).
    A refusal ends the project; an approval by the county puts it in the library and
    generates the approval notice."""
    if project.state not in REVIEWS:
        raise ValidationError(f"project {project.pk} is {project.get_state_display()}: "
                              "there is no review to make")
    capability, after, kind = REVIEWS[S(project.state)]
    require(actor, capability)
    _in_scope(actor, project.region_code)
    on = _today(on)
    checked = _checked(files)
    if not documents and not checked:
        raise ValidationError(f"{K(kind).label}: attach the review's document")
    if not approve and not note.strip():
        raise ValidationError(f"{K(kind).label}: give the reason for refusing")
    with files_of.kept_together():
        before = {"state": project.state}
        project.state = after if approve else S.REJECTED
        if approve and after == S.APPROVED:
            project.approved_on = on
        project.save(update_fields=["state", "approved_on"])
        _step(project, kind if approve else K.REJECTION, actor=actor, on=on, note=note,
              documents=documents, files=checked, before=before,
              after={"state": project.state})
        if approve and after == S.APPROVED:
            _notice(Notice.Kind.APPROVAL, region_code=project.region_code, decided_on=on,
                    project=project, title=f"{project.title}：入库公告",
                    body=f"经村申报、乡审核、县审定，{project.year}年度项目“{project.title}”"
                         f"入库，计划资金{project.amount:,.2f}元。")
    return project


def do_roll_over_project(project: Project, *, actor, on: date | None = None) -> Project:
    """An approved project that got no money rolls over to the next year (§7.2)."""
    require(actor, Capability.MANAGE_PROJECTS)
    _in_scope(actor, project.region_code)
    if project.state != S.APPROVED or project.appropriations.exists():
        raise ValidationError("only an approved project without funds rolls over")
    with transaction.atomic():
        before = {"year": project.year}
        project.rolled_over_from = project.rolled_over_from or project.year
        project.year += 1
        project.save(update_fields=["year", "rolled_over_from"])
        _step(project, K.ROLL_OVER, actor=actor, on=_today(on), before=before,
              after={"year": project.year})
    return project


EXECUTION = {
    K.TENDER: ({S.APPROVED, S.FUNDED}, None),
    K.CONTRACT: ({S.APPROVED, S.FUNDED}, S.UNDER_WAY),
    K.PROGRESS: ({S.UNDER_WAY}, None),
    K.ACCEPTANCE: ({S.UNDER_WAY}, S.ACCEPTED),
    K.FINAL_ACCOUNTS: ({S.ACCEPTED}, S.SETTLED),
}


def do_record_execution(project: Project, kind: str, *, documents: list[str] | None = None,
                        files=(), note: str = "", amount=None, percent: int | None = None,
                        contractor: str = "", actor, on: date | None = None) -> Project:
    """Tender, contract (with its amount and contractor), progress (a percentage),
    completion acceptance (验收) and final accounts (决算)."""
    require(actor, Capability.MANAGE_PROJECTS)
    _in_scope(actor, project.region_code)
    on = _today(on)
    if kind not in EXECUTION:
        raise ValidationError(f"{kind!r} is not one of {', '.join(EXECUTION)}")
    allowed, after = EXECUTION[kind]
    if project.state not in allowed:
        raise ValidationError(f"{K(kind).label}: project is {project.get_state_display()}")
    checked = _checked(files)
    if not documents and not checked:
        raise ValidationError(f"{K(kind).label}: attach the document")
    before = {"state": project.state, "progress": project.progress}
    fields = ["state", "progress"]
    if kind == K.CONTRACT:
        project.contract_amount = money(amount, "contract amount")
        if not contractor.strip():
            raise ValidationError("contract: name the contractor")
        project.contractor = contractor.strip()
        fields += ["contract_amount", "contractor"]
    if kind == K.PROGRESS:
        try:
            percent = int(percent)
        except (TypeError, ValueError):
            raise ValidationError(f"progress: {percent!r} is not a percentage") from None
        if not (0 <= percent <= 100):
            raise ValidationError(f"progress: {percent} is not between 0 and 100")
        project.progress = percent
    if kind == K.ACCEPTANCE:
        project.progress = 100
        project.accepted_on = on
        fields.append("accepted_on")
    if kind == K.FINAL_ACCOUNTS:
        project.final_amount = money(amount, "final accounts")
        project.settled_on = on
        fields += ["final_amount", "settled_on"]
    with files_of.kept_together():
        if after is not None:
            project.state = after
        project.save(update_fields=fields)
        _step(project, kind, actor=actor, on=on, note=note, documents=documents, files=checked,
              before=before,
              after={"state": project.state, "progress": project.progress,
                     "amount": str(amount or "")})
        if kind == K.ACCEPTANCE:
            _notice(Notice.Kind.COMPLETION, region_code=project.region_code, decided_on=on,
                    project=project, title=f"{project.title}：竣工验收公告",
                    body=f"项目“{project.title}”于{on}通过竣工验收。承建单位："
                         f"{project.contractor or '—'}；合同金额："
                         f"{project.contract_amount or 0:,.2f}元。")
    return project


# --- funds ---------------------------------------------------------------------------------

def do_record_allocation(*, county_code: str, year: int, source: str, amount, document: str,
                         received_on: date, actor) -> Allocation:
    """Money arriving in the county from one source; the same document twice is harmless."""
    require(actor, Capability.MANAGE_FUNDS)
    _in_scope(actor, county_code)
    if len(county_code) != 6 or not county_code.isdigit():
        raise ValidationError(f"county: {county_code!r} is not a county code")
    if source not in Source.values:
        raise ValidationError(f"source: {source!r} is not one of {', '.join(Source.values)}")
    amount = money(amount, "amount")
    if not document.strip():
        raise ValidationError("document: name the allocating document")
    existing = Allocation.objects.filter(county_code=county_code, document=document).first()
    if existing is not None:
        if (existing.amount, existing.source) != (amount, source):
            raise ValidationError(f"document {document!r} is already recorded with "
                                  f"{existing.amount} yuan from {existing.source}")
        return existing
    with transaction.atomic():
        allocation = Allocation.objects.create(county_code=county_code, year=year,
                                               source=source, amount=amount,
                                               document=document.strip(),
                                               received_on=received_on)
        audit.record("funds.allocation", actor=actor, obj=allocation, region_code=county_code,
                     after={"source": source, "amount": str(amount), "year": year,
                            "document": document, "received_on": received_on.isoformat()})
    return allocation


def unappropriated(allocation: Allocation) -> Decimal:
    used = allocation.appropriations.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return allocation.amount - used


def do_appropriate_funds(allocation: Allocation, project: Project, amount, *, document: str,
                         actor, on: date | None = None) -> Appropriation:
    """Give part of an allocation to a project in the library (the fund plan's notice)."""
    require(actor, Capability.MANAGE_FUNDS)
    _in_scope(actor, allocation.county_code)
    _in_scope(actor, project.region_code)
    on = _today(on)
    amount = money(amount, "amount")
    if project.county_code != allocation.county_code:
        raise ValidationError("the project is not in the allocation's county")
    if project.state not in (S.APPROVED, S.FUNDED, S.UNDER_WAY, S.ACCEPTED):
        raise ValidationError(f"project {project.pk} is {project.get_state_display()}: only "
                              "projects approved into the library get funds")
    with transaction.atomic():
        Allocation.objects.select_for_update().filter(pk=allocation.pk).exists()
        left = unappropriated(allocation)
        if amount > left:
            raise ValidationError(f"amount {amount} is more than the {left} yuan left in "
                                  f"{allocation.document}")
        item = Appropriation.objects.create(allocation=allocation, project=project,
                                            amount=amount, on=on, document=document)
        if project.state == S.APPROVED:
            project.state = S.FUNDED
            project.save(update_fields=["state"])
        audit.record("funds.appropriation", actor=actor, obj=item,
                     region_code=project.region_code,
                     after={"project": project.pk, "allocation": allocation.document,
                            "source": allocation.source, "amount": str(amount)})
        _notice(Notice.Kind.FUNDS, region_code=project.region_code, decided_on=on,
                project=project, title=f"{project.title}：资金安排公告",
                body=f"安排{allocation.get_source_display()}{amount:,.2f}元用于项目"
                     f"“{project.title}”（{allocation.document}）。")
    return item


def unpaid(appropriation: Appropriation) -> Decimal:
    paid = appropriation.payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return appropriation.amount - paid


def do_pay(appropriation: Appropriation, amount, *, paid_on: date, payee: str, document: str,
           final: bool = False, files=(), actor) -> Payment:
    """A payment against an appropriation, with its voucher (its number, or the voucher's
    file, or both). The final payment (尾款) waits for acceptance."""
    require(actor, Capability.MANAGE_FUNDS)
    project = appropriation.project
    _in_scope(actor, project.region_code)
    amount = money(amount, "amount")
    checked = _checked(files)
    if not payee.strip() or not (document.strip() or checked):
        raise ValidationError("a payment needs its payee and voucher")
    if final and (project.accepted_on is None or paid_on < project.accepted_on):
        raise ValidationError("the final payment waits for the completion acceptance")
    with files_of.kept_together():
        Appropriation.objects.select_for_update().filter(pk=appropriation.pk).exists()
        left = unpaid(appropriation)
        if amount > left:
            raise ValidationError(f"amount {amount} is more than the {left} yuan appropriated "
                                  "and not yet paid")
        payment = Payment.objects.create(project=project, appropriation=appropriation,
                                         amount=amount, paid_on=paid_on, payee=payee.strip(),
                                         document=document.strip(), final=final)
        audit.record("funds.payment", actor=actor, obj=payment, region_code=project.region_code,
                     after={"project": project.pk, "amount": str(amount), "final": final,
                            "paid_on": paid_on.isoformat(), "payee": payee,
                            "document": document.strip(),
                            "files": [{"name": f.name, "sha256": f.sha256} for f in checked]})
        files_of.store(checked, actor=actor, payment=payment)
    return payment


# --- assets --------------------------------------------------------------------------------

def lowest_owner(project: Project) -> tuple[str, str]:
    """Ownership as low as possible: the project's own village, township or county."""
    code = project.region_code
    level = {12: OwnerLevel.VILLAGE, 9: OwnerLevel.TOWNSHIP}.get(len(code), OwnerLevel.COUNTY)
    return level, code[:OWNER_CODE_LENGTH[level]]


def supervision_for(owner_level: str) -> str:
    return Supervision.COLLECTIVE if owner_level == OwnerLevel.VILLAGE else Supervision.STATE


def do_register_asset(project: Project, *, name: str, category: str, book_value,
                      operator: str = "", maintenance_duty: str = "",
                      owner_household: str = "", condition: str = "good",
                      actor, on: date | None = None) -> Asset:
    """An accepted project's asset enters the registry, owned as low as possible: a
    household-level asset by its household, any other by the project's village collective
    (township or county for a cross-village project), in the supervision system its owner's
    level implies (state-owned or village-collective; required from 2026 by policy)."""
    require(actor, Capability.MANAGE_ASSETS)
    _in_scope(actor, project.region_code)
    on = _today(on)
    if project.state not in (S.ACCEPTED, S.SETTLED):
        raise ValidationError("assets are registered after the completion acceptance")
    if category not in AssetCategory.values:
        raise ValidationError(f"type: {category!r} is not one of "
                              f"{', '.join(AssetCategory.values)}")
    if not name.strip():
        raise ValidationError("name the asset")
    value = money(book_value, "book value")
    household = None
    if category == AssetCategory.HOUSEHOLD:
        household = Household.objects.filter(code=owner_household).first()
        if household is None or not household.village_id.startswith(project.region_code):
            raise ValidationError(f"a household-level asset belongs to a household of "
                                  f"{project.region_code}: {owner_household!r} is not one")
        level, code = OwnerLevel.HOUSEHOLD, household.village_id
        supervision = ""
    else:
        level, code = lowest_owner(project)
        supervision = supervision_for(level)
    with transaction.atomic():
        asset = Asset.objects.create(
            project=project, county_code=project.county_code, region_code=project.region_code,
            name=name.strip(), category=category, owner_level=level, owner_code=code,
            owner_household=household, operator=operator, book_value=value, formed_on=on,
            condition=condition, maintenance_duty=maintenance_duty, supervision=supervision)
        audit.record("funds.asset", actor=actor, obj=asset, region_code=asset.region_code,
                     after={"project": project.pk, "name": asset.name, "category": category,
                            "owner": level, "owner_code": code, "book_value": str(value),
                            "supervision": supervision})
        _notice(Notice.Kind.ASSET, region_code=asset.region_code, decided_on=on, asset=asset,
                project=project, title=f"{asset.name}：资产确权公告",
                body=f"项目“{project.title}”形成资产“{asset.name}”"
                     f"（{asset.get_category_display()}），账面价值{value:,.2f}元，"
                     f"所有权：{asset.get_owner_level_display()}（{code}），"
                     f"经营主体：{operator or '—'}，管护责任：{maintenance_duty or '—'}。")
    return asset


def do_record_asset_income(asset: Asset, *, month: str, amount, note: str = "",
                           actor) -> AssetIncome:
    require(actor, Capability.MANAGE_ASSETS)
    _in_scope(actor, asset.region_code)
    if asset.category not in (AssetCategory.INCOME, AssetCategory.EQUITY):
        raise ValidationError("only income-generating and equity assets record income")
    try:
        rules.add_months(month, 0)
        if len(month) != 7 or month[4] != "-" or not 1 <= int(month[5:]) <= 12:
            raise ValueError
    except (ValueError, TypeError, IndexError):
        raise ValidationError(f"month: {month!r} is not a month (YYYY-MM)") from None
    amount = money(amount, "income")
    if AssetIncome.objects.filter(asset=asset, month=month).exists():
        raise ValidationError(f"income for {month} is already recorded")
    with transaction.atomic():
        income = AssetIncome.objects.create(asset=asset, month=month, amount=amount, note=note)
        audit.record("funds.asset_income", actor=actor, obj=income,
                     region_code=asset.region_code,
                     after={"asset": asset.pk, "month": month, "amount": str(amount)})
    return income


@dataclass(frozen=True)
class Share:
    channel: str            # collective, household, welfare_post, award
    amount: object
    household_code: str = ""
    member_id: str = ""
    basis: str = ""


def eligible(member: Member | None, household: Household, month: str, lag: int) -> str:
    """"" when the household (member) still receives for ``month``, else why not (the rule:
    :func:`dixian.engine.funds.no_longer_receives`)."""
    from dixian.funds.checks import distribution_row

    _zh, why = rules.no_longer_receives(
        distribution_row(household, member, month=month), lag)
    return f"{why}: no share from that month on" if why else ""


def do_distribute_income(income: AssetIncome, shares: list[Share], *, actor,
                         on: date | None = None) -> list[Distribution]:
    """Distribute a month's income: to the collective, to households (tilted to the weak, each
    with its basis: never a simple handout), through public-welfare posts and awards. A
    household removed or a member deceased stops receiving from the next month."""
    asset = income.asset
    require(actor, Capability.MANAGE_ASSETS)
    _in_scope(actor, asset.region_code)
    on = _today(on)
    lag = _policy(asset.region_code, on)["funds.distribution_stop_lag_months"]
    channels = Distribution.Channel
    problems, rows = [], []
    total = Decimal(0)
    for k, share in enumerate(shares, start=1):
        where = f"share {k}"
        if share.channel not in channels.values:
            problems.append(f"{where}: {share.channel!r} is not one of "
                            f"{', '.join(channels.values)}")
            continue
        try:
            amount = money(share.amount, f"{where} amount")
        except ValidationError as exc:
            problems += exc.messages
            continue
        total += amount
        household = member = None
        if share.channel != channels.COLLECTIVE:
            household = Household.objects.filter(code=share.household_code).first()
            if household is None or not household.village_id.startswith(asset.county_code):
                problems.append(f"{where}: {share.household_code!r} is not a household of "
                                f"the county")
                continue
            if share.member_id:
                member = Member.objects.filter(member_id=share.member_id,
                                               household=household).first()
                if member is None:
                    problems.append(f"{where}: {share.member_id!r} is not a member of "
                                    f"{household.code}")
                    continue
            if not share.basis.strip():
                problems.append(f"{where}: give the basis (post, award, dividend for a weak "
                                f"household): no simple handouts")
                continue
            why = eligible(member, household, income.month, lag)
            if why:
                problems.append(f"{where}: {why}")
                continue
        rows.append(Distribution(income=income, region_code=(
            household.village_id if household else asset.region_code), channel=share.channel,
            household=household, member=member, amount=amount, basis=share.basis.strip()))
    already = income.distributions.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if already + total > income.amount:
        problems.append(f"the shares ({total} yuan) and earlier distributions ({already}) "
                        f"exceed the month's income ({income.amount})")
    if not shares:
        problems.append("give at least one share")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        Distribution.objects.bulk_create(rows)
        audit.record("funds.distribution", actor=actor, obj=income,
                     region_code=asset.region_code,
                     after={"asset": asset.pk, "month": income.month,
                            "shares": [{"channel": r.channel, "amount": str(r.amount),
                                        "household": r.household.code if r.household else "",
                                        "basis": r.basis} for r in rows]})
        _notice(Notice.Kind.INCOME, region_code=asset.region_code, decided_on=on, asset=asset,
                title=f"{asset.name}：{income.month}收益分配公示",
                body=f"资产“{asset.name}”{income.month}收益{income.amount:,.2f}元，分配"
                     + "；".join(f"{r.get_channel_display()}"
                                f"{(' ' + r.household.code) if r.household else ''}"
                                f" {r.amount:,.2f}元（{r.basis or '—'}）" for r in rows) + "。")
    return rows


def do_assess_asset(asset: Asset, *, condition: str, action: str, actor) -> Asset:
    """Record an asset's condition and its class for action (巩固、升级、盘活、调整)."""
    require(actor, Capability.MANAGE_ASSETS)
    _in_scope(actor, asset.region_code)
    from dixian.funds.models import AssetAction, Condition

    if condition not in Condition.values or action not in AssetAction.values:
        raise ValidationError(f"condition {condition!r} or action {action!r} is not known")
    with transaction.atomic():
        before = {"condition": asset.condition, "action": asset.action}
        asset.condition, asset.action = condition, action
        asset.save(update_fields=["condition", "action"])
        audit.record("funds.asset_assessment", actor=actor, obj=asset,
                     region_code=asset.region_code, before=before,
                     after={"condition": condition, "action": action})
    return asset


def do_request_disposal(asset: Asset, *, how: str, reason: str, files=(), actor,
                        on: date | None = None) -> Disposal:
    """The asset officer asks to dispose of an asset, with how and why (and the files that
    show it: an appraisal, photographs)."""
    require(actor, Capability.MANAGE_ASSETS)
    _in_scope(actor, asset.region_code)
    if asset.status != Asset.Status.IN_USE:
        raise ValidationError(f"the asset is {asset.get_status_display()}")
    if not how.strip() or not reason.strip():
        raise ValidationError("a disposal needs how and why")
    checked = _checked(files)
    with files_of.kept_together():
        disposal = Disposal.objects.create(asset=asset, how=how.strip(), reason=reason.strip(),
                                           requested_on=_today(on), requested_by=actor)
        asset.status = Asset.Status.DISPOSAL_REQUESTED
        asset.save(update_fields=["status"])
        audit.record("funds.disposal_request", actor=actor, obj=disposal,
                     region_code=asset.region_code, after={"how": how, "reason": reason})
        files_of.store(checked, actor=actor, disposal=disposal)
    return disposal


def do_decide_disposal(disposal: Disposal, *, approve: bool, proceeds=None, note: str = "",
                       files=(), actor, on: date | None = None) -> Disposal:
    """The county approves or refuses a disposal (with its approval document's file); an
    approval is announced."""
    require(actor, Capability.APPROVE_PROJECTS)
    asset = disposal.asset
    _in_scope(actor, asset.region_code)
    if disposal.state != Disposal.State.REQUESTED:
        raise ValidationError("this disposal is already decided")
    on = _today(on)
    checked = _checked(files)
    with files_of.kept_together():
        disposal.state = Disposal.State.APPROVED if approve else Disposal.State.REFUSED
        disposal.decided_on, disposal.decided_by = on, actor
        disposal.proceeds = money(proceeds, "proceeds") if proceeds not in (None, "") else None
        disposal.save()
        asset.status = Asset.Status.DISPOSED if approve else Asset.Status.IN_USE
        asset.save(update_fields=["status"])
        audit.record("funds.disposal_decision", actor=actor, obj=disposal,
                     region_code=asset.region_code,
                     after={"state": disposal.state, "proceeds": str(disposal.proceeds or ""),
                            "note": note,
                            "files": [{"name": f.name, "sha256": f.sha256} for f in checked]})
        files_of.store(checked, actor=actor, disposal=disposal)
        if approve:
            _notice(Notice.Kind.DISPOSAL, region_code=asset.region_code, decided_on=on,
                    asset=asset, title=f"{asset.name}：资产处置公告",
                    body=f"经县级审批，资产“{asset.name}”以{disposal.how}方式处置，"
                         f"理由：{disposal.reason}；处置收入"
                         f"{disposal.proceeds or 0:,.2f}元。")
    return disposal


WRITERS = (Capability.APPLY_PROJECTS, Capability.REVIEW_PROJECTS, Capability.APPROVE_PROJECTS,
           Capability.MANAGE_PROJECTS, Capability.MANAGE_FUNDS, Capability.MANAGE_ASSETS)


def may_publish(user) -> bool:
    return any(role_has(getattr(user, "role", ""), c) for c in WRITERS)


def do_publish_notice(notice: Notice, *, on: date | None = None, actor) -> Notice:
    """Record that a notice is posted (notice board, website); it runs its minimum days."""
    if not getattr(actor, "is_authenticated", False) or not may_publish(actor):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    _in_scope(actor, notice.region_code)
    on = _today(on)
    if notice.published_on is not None:
        return notice  # posting twice is harmless
    if on < notice.decided_on:
        raise ValidationError(f"a notice cannot be posted ({on}) before its decision "
                              f"({notice.decided_on})")
    with transaction.atomic():
        notice.published_on = on
        notice.ends_on = on + timedelta(days=notice.min_days)
        notice.save(update_fields=["published_on", "ends_on"])
        audit.record("funds.notice_posted", actor=actor, obj=notice,
                     region_code=notice.region_code,
                     after={"posted": on.isoformat(), "until": notice.ends_on.isoformat(),
                            "due_by": notice.due_by.isoformat()})
    return notice
