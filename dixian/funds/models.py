"""Funds, the project library and the asset registry (domain.md §7; domain-2026.md §2.10).

A project goes from the village's application through the township's review, the sector
experts' review and the county's approval into the library; funds allocated by source are
appropriated to it and paid out; it is tendered, contracted, built, accepted and settled; its
assets enter the registry with their owner, operator, value and supervision system, and an
income-generating asset's income is distributed. Every change is an action
(:mod:`dixian.funds.actions`) with an audit row; the checks are in :mod:`dixian.engine.funds`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import User
from dixian.registry.models import Household, Member

MONEY = {"max_digits": 14, "decimal_places": 2}


class Category(models.TextChoices):
    INDUSTRY = "industry", _("Industry development")
    EMPLOYMENT = "employment", _("Employment")
    INFRASTRUCTURE = "infrastructure", _("Small infrastructure")
    PUBLIC_SERVICES = "public_services", _("Public services")
    RELOCATION = "relocation_follow_up", _("Relocation follow-up")
    RURAL_CONSTRUCTION = "rural_construction", _("Rural construction")
    MONITORING = "monitoring_assistance", _("Monitoring and assistance")
    OTHER = "other", _("Other")


class ProjectState(models.TextChoices):
    PROPOSED = "proposed", _("Applied by the village")
    TOWNSHIP_REVIEWED = "township_reviewed", _("Reviewed by the township")
    EXPERT_REVIEWED = "expert_reviewed", _("Reviewed by the sector's experts")
    APPROVED = "approved", _("Approved by the county, in the library")
    FUNDED = "funded", _("Funded")
    UNDER_WAY = "under_way", _("Under way")
    ACCEPTED = "accepted", _("Accepted on completion")
    SETTLED = "settled", _("Final accounts settled")
    REJECTED = "rejected", _("Rejected")


class Project(models.Model):
    county_code = models.CharField(max_length=6, db_index=True)
    region_code = models.CharField(_("location"), max_length=12, db_index=True)
    title = models.CharField(_("project"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("project category"), max_length=24,
                                choices=Category.choices)
    location = models.CharField(_("place"), max_length=200, blank=True)
    amount = models.DecimalField(_("planned amount (yuan)"), **MONEY)
    funding_plan = models.JSONField(_("funding plan"), default=dict, blank=True)  # source → yuan
    targets = models.TextField(_("performance targets"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=ProjectState.choices,
                             default=ProjectState.PROPOSED, db_index=True)
    rolled_over_from = models.PositiveSmallIntegerField(_("rolled over from"), null=True,
                                                        blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    contract_amount = models.DecimalField(_("contract amount (yuan)"), null=True, blank=True,
                                          **MONEY)
    contractor = models.CharField(_("contractor"), max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    applied_on = models.DateField(_("applied"))
    approved_on = models.DateField(_("approved"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted"), null=True, blank=True)
    settled_on = models.DateField(_("settled"), null=True, blank=True)
    final_amount = models.DecimalField(_("final accounts (yuan)"), null=True, blank=True, **MONEY)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-year", "region_code", "pk"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ProjectStep(models.Model):
    """One audited step of a project with its documents."""

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal (四议: party branch proposes)")
        MEETING = "meeting", _("Villagers' meeting (四议: discussion and resolution)")
        VILLAGE_NOTICE = "village_notice", _("Village notice (两公开)")
        APPLICATION = "application", _("Village application")
        TOWNSHIP_REVIEW = "township_review", _("Township review")
        EXPERT_REVIEW = "expert_review", _("Sector experts' review")
        COUNTY_APPROVAL = "county_approval", _("County approval")
        REJECTION = "rejection", _("Rejection")
        ROLL_OVER = "roll_over", _("Rolled over to the next year")
        TENDER = "tender", _("Tender")
        CONTRACT = "contract", _("Contract")
        PROGRESS = "progress", _("Progress")
        ACCEPTANCE = "acceptance", _("Completion acceptance")
        FINAL_ACCOUNTS = "final_accounts", _("Final accounts")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    # the documents' names or numbers as typed (a file number, 望财农〔2026〕3号); the files
    # themselves are :class:`Document` s
    documents = models.JSONField(_("documents"), default=list, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        ordering = ["project_id", "on", "pk"]


class Benefit(models.TextChoices):
    JOBS = "jobs", _("Jobs")
    DIVIDENDS = "dividends", _("Dividends")
    PURCHASE = "purchase", _("Purchase contracts")
    LAND_RENT = "land_rent", _("Land rent")
    SERVICES = "services", _("Services")


class Beneficiary(models.Model):
    """A household that benefits from a project, and how (联农带农)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="beneficiaries")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(_("how it benefits"), max_length=16, choices=Benefit.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "household", "how"],
                                               name="beneficiary_once")]


class Source(models.TextChoices):
    CENTRAL = "central", _("Central routine-assistance fund")
    PROVINCIAL = "provincial", _("Provincial funds")
    MUNICIPAL = "municipal", _("Municipal funds")
    COUNTY = "county", _("County funds")
    EAST_WEST = "east_west", _("East–West cooperation")
    CENTRAL_UNIT = "central_unit", _("Central units' paired assistance")
    DONATION = "donation", _("Donations")
    LAND_QUOTA = "land_quota", _("Land-quota proceeds")


class Allocation(models.Model):
    """Money arriving in a county from one source (a document allocating it)."""

    county_code = models.CharField(max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    document = models.CharField(_("document"), max_length=120)
    received_on = models.DateField(_("received"))

    class Meta:
        ordering = ["-year", "source", "pk"]
        constraints = [models.UniqueConstraint(fields=["county_code", "document"],
                                               name="allocation_document_once")]


class Appropriation(models.Model):
    """Part of an allocation given to a project."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT,
                                   related_name="appropriations")
    project = models.ForeignKey(Project, on_delete=models.PROTECT,
                                related_name="appropriations")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    on = models.DateField(_("date"))
    document = models.CharField(_("document"), max_length=120, blank=True)


class Payment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments")
    appropriation = models.ForeignKey(Appropriation, on_delete=models.PROTECT,
                                      related_name="payments")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_on = models.DateField(_("paid"))
    payee = models.CharField(_("payee"), max_length=200)
    final = models.BooleanField(_("final payment"), default=False)
    document = models.CharField(_("voucher"), max_length=120)

    class Meta:
        ordering = ["paid_on", "pk"]


class Notice(models.Model):
    """A public notice (公告公示) generated at a step, with the policy's deadline."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Project application")
        APPROVAL = "approval", _("Projects approved into the library")
        FUNDS = "funds", _("Fund appropriation")
        COMPLETION = "completion", _("Project completion and acceptance")
        ASSET = "asset", _("Assets formed")
        INCOME = "income", _("Asset income distribution")
        DISPOSAL = "disposal", _("Asset disposal")

    region_code = models.CharField(max_length=12, db_index=True)
    kind = models.CharField(_("notice"), max_length=16, choices=Kind.choices)
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="notices")
    asset = models.ForeignKey("Asset", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="notices")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    decided_on = models.DateField(_("decided"))
    due_by = models.DateField(_("to be posted by"))
    min_days = models.PositiveSmallIntegerField(_("posted for at least (days)"))
    published_on = models.DateField(_("posted"), null=True, blank=True)
    ends_on = models.DateField(_("posted until"), null=True, blank=True)

    class Meta:
        ordering = ["-decided_on", "pk"]


class AssetCategory(models.TextChoices):
    PUBLIC = "public", _("Public-benefit (公益性)")
    INCOME = "income", _("Income-generating (经营性)")
    HOUSEHOLD = "household", _("Household-level (到户类)")
    EQUITY = "equity", _("Debts and equity (权益类)")


class OwnerLevel(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    VILLAGE = "village", _("Village collective")
    TOWNSHIP = "township", _("Township")
    COUNTY = "county", _("County")


class Supervision(models.TextChoices):
    NONE = "", _("Not yet placed")
    STATE = "state", _("State-owned assets")
    COLLECTIVE = "collective", _("Village-collective assets")


class Condition(models.TextChoices):
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")
    DAMAGED = "damaged", _("Damaged")


class AssetAction(models.TextChoices):
    NONE = "", _("Not classified")
    CONSOLIDATE = "consolidate", _("Consolidate (巩固)")
    UPGRADE = "upgrade", _("Upgrade (升级)")
    REVIVE = "revive", _("Revive (盘活)")
    ADJUST = "adjust", _("Adjust (调整)")


class Asset(models.Model):
    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use")
        DISPOSAL_REQUESTED = "disposal_requested", _("Disposal requested")
        DISPOSED = "disposed", _("Disposed")

    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="assets")
    county_code = models.CharField(max_length=6, db_index=True)
    region_code = models.CharField(_("location"), max_length=12, db_index=True)
    name = models.CharField(_("asset"), max_length=200)
    category = models.CharField(_("type"), max_length=12, choices=AssetCategory.choices)
    owner_level = models.CharField(_("owner"), max_length=12, choices=OwnerLevel.choices)
    owner_code = models.CharField(_("owning region"), max_length=12, blank=True)
    owner_household = models.ForeignKey(Household, null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    operator = models.CharField(_("operator"), max_length=200, blank=True)
    book_value = models.DecimalField(_("book value (yuan)"), **MONEY)
    formed_on = models.DateField(_("formed"))
    condition = models.CharField(_("condition"), max_length=8, choices=Condition.choices,
                                 default=Condition.GOOD)
    maintenance_duty = models.CharField(_("maintenance duty"), max_length=200, blank=True)
    supervision = models.CharField(_("supervision system"), max_length=12, blank=True,
                                   choices=Supervision.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.IN_USE)
    action = models.CharField(_("action class"), max_length=12, blank=True,
                              choices=AssetAction.choices)

    class Meta:
        ordering = ["region_code", "pk"]

    def __str__(self) -> str:
        return self.name


class AssetIncome(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="incomes")
    month = models.CharField(_("month"), max_length=7)
    amount = models.DecimalField(_("income (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-month", "pk"]
        constraints = [models.UniqueConstraint(fields=["asset", "month"],
                                               name="asset_income_once_a_month")]


class Distribution(models.Model):
    """Where part of an asset's income for a month went."""

    class Channel(models.TextChoices):
        COLLECTIVE = "collective", _("Village collective")
        HOUSEHOLD = "household", _("Household (tilted to the weak)")
        WELFARE_POST = "welfare_post", _("Public-welfare post")
        AWARD = "award", _("Incentive award")

    income = models.ForeignKey(AssetIncome, on_delete=models.PROTECT,
                               related_name="distributions")
    region_code = models.CharField(max_length=12, db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="asset_income")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    basis = models.CharField(_("basis"), max_length=200, blank=True)

    class Meta:
        ordering = ["income_id", "pk"]


class Disposal(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="disposals")
    how = models.CharField(_("how"), max_length=100)
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.REQUESTED)
    requested_on = models.DateField(_("requested"))
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    proceeds = models.DecimalField(_("proceeds (yuan)"), null=True, blank=True, **MONEY)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")


class WorkRelief(models.Model):
    """A project of the library run as work relief (以工代赈): its central investment, the
    workers recruited locally and the payroll (domain.md §8.2)."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="work_relief")
    central_investment = models.DecimalField(_("central investment (yuan)"), **MONEY)
    trained_workers = models.PositiveIntegerField(_("workers trained"), default=0)


class Worker(models.Model):
    class Group(models.TextChoices):
        MONITORED = "monitored", _("Monitored household")
        ALLEVIATED = "alleviated", _("Poverty-alleviated household")
        LOCAL = "local", _("Other local resident")
        OUTSIDE = "outside", _("From outside the county")

    work_relief = models.ForeignKey(WorkRelief, on_delete=models.PROTECT, related_name="workers")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="work_relief_jobs")
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    hired_on = models.DateField(_("hired"))

    class Meta:
        ordering = ["work_relief_id", "pk"]

    @property
    def label(self) -> str:
        return self.member.member_id if self.member_id else f"#{self.pk}"


class PayrollEntry(models.Model):
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="payroll")
    month = models.CharField(_("month"), max_length=7)
    due = models.DecimalField(_("due (yuan)"), **MONEY)
    paid = models.DecimalField(_("paid (yuan)"), default=0, **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    document = models.CharField(_("voucher"), max_length=120, blank=True)

    class Meta:
        ordering = ["month", "worker_id"]
        constraints = [models.UniqueConstraint(fields=["worker", "month"],
                                               name="payroll_once_a_month")]


def document_path(instance: "Document", filename: str) -> str:
    """Where a document's bytes are kept: named by their SHA-256 only (the uploader's file name
    is never part of a path), under the media store that keeps every uploaded original."""
    return f"documents/{instance.sha256[:2]}/{instance.sha256}"


class Document(models.Model):
    """A file of a project's file: attached to one of its steps (the 四议两公开 records, the
    application, the reviews, tender, contract, acceptance, final accounts), to a payment, or
    to an asset's disposal. The bytes are kept once per content (``sha256``); the same file
    attached twice to the same step is one document."""

    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="files")
    step = models.ForeignKey(ProjectStep, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="files")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="files")
    disposal = models.ForeignKey(Disposal, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="files")
    target = models.CharField(max_length=40)  # "step:12", "payment:3", "disposal:4"
    region_code = models.CharField(max_length=12, db_index=True)
    file = models.FileField(upload_to=document_path, max_length=120)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["target", "sha256"],
                                               name="document_once_per_target")]

    def __str__(self) -> str:
        return self.name
