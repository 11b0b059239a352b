"""The household registry: households, members, monthly incomes, and field history.

Field names follow the engine's snapshot contract (``dixian/engine/schema.py``), which
follows the national system's export catalogue (domain.md §2.3). Resident IDs and phone
numbers are never stored in clear: see :mod:`dixian.core.pii`.

Provenance: every row records how it was created (``source``, ``source_ref``, who, when);
every later change of a field is a :class:`FieldChange` row (old, new, source, who, when).
The provenance of a field is its latest change, or the row's creation if it never changed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import Region, User
from dixian.registry.enums import choices


class Source(models.TextChoices):
    IMPORT = "import", _("Import")
    VISIT = "visit", _("Visit")
    FEED = "feed", _("Department feed")
    FORM = "form", _("Form")
    SYSTEM = "system", _("System")


class Provenanced(models.Model):
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=64, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


def _protected(prefix: str, label):
    """The three columns of a protected value (ciphertext, lookup token, mask)."""
    return {
        f"{prefix}_enc": models.TextField(blank=True, default=""),
        f"{prefix}_token": models.CharField(max_length=64, blank=True, default="",
                                            db_index=True),
        f"{prefix}_masked": models.CharField(label, max_length=32, blank=True, default=""),
    }


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Active household")
    MERGED = "merged", _("Merged into another household")
    DISSOLVED = "dissolved", _("Dissolved")


class Household(Provenanced):
    code = models.CharField(_("household code"), max_length=20, unique=True)
    village = models.ForeignKey(Region, verbose_name=_("village"), on_delete=models.PROTECT,
                                related_name="households")
    natural_village = models.CharField(_("natural village"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=HouseholdStatus.choices,
                              default=HouseholdStatus.ACTIVE)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_from")
    household_type = models.CharField(_("household type"), max_length=24,
                                      choices=choices("household_type"))
    relocated = models.BooleanField(_("relocated"), default=False)
    year_lifted = models.PositiveSmallIntegerField(_("year lifted out of poverty"), null=True,
                                                   blank=True)
    # Each protected value is three columns (see _protected); class bodies are namespaces.
    locals().update(_protected("phone", _("contact phone")))
    monitoring_contact = models.CharField(_("monitoring contact"), max_length=32, blank=True)
    locals().update(_protected("monitoring_contact_phone", _("monitoring contact phone")))
    housing_grade = models.CharField(_("housing safety grade"), max_length=1, blank=True,
                                     choices=choices("housing_grade"))
    dangerous_house = models.BooleanField(_("dangerous house"), null=True, blank=True)
    housing_area_m2 = models.FloatField(_("housing area (m²)"), null=True, blank=True)
    water_quantity_ok = models.BooleanField(_("water quantity adequate"), null=True, blank=True)
    water_quality_ok = models.BooleanField(_("water quality adequate"), null=True, blank=True)
    water_convenience_ok = models.BooleanField(_("water access convenient"), null=True,
                                               blank=True)
    water_supply_ok = models.BooleanField(_("water supply assured"), null=True, blank=True)
    safe_drinking_water = models.BooleanField(_("safe drinking water"), null=True, blank=True)
    piped_water = models.BooleanField(_("piped water"), null=True, blank=True)
    road_hardened = models.BooleanField(_("hardened access road"), null=True, blank=True)
    main_road_distance_km = models.FloatField(_("distance to main road (km)"), null=True,
                                              blank=True)
    electricity = models.BooleanField(_("electricity"), null=True, blank=True)
    sanitary_toilet = models.BooleanField(_("sanitary toilet"), null=True, blank=True)
    toilet_usable = models.BooleanField(_("toilet usable"), null=True, blank=True)
    cultivated_mu = models.FloatField(_("cultivated land (mu)"), null=True, blank=True)
    forest_mu = models.FloatField(_("forest land (mu)"), null=True, blank=True)
    returned_forest_mu = models.FloatField(_("land returned to forest (mu)"), null=True,
                                           blank=True)
    orchard_mu = models.FloatField(_("orchard (mu)"), null=True, blank=True)
    pasture_mu = models.FloatField(_("pasture (mu)"), null=True, blank=True)
    water_surface_mu = models.FloatField(_("water surface (mu)"), null=True, blank=True)
    dropout_flag = models.BooleanField(_("school dropout in household"), null=True, blank=True)
    uninsured_member_flag = models.BooleanField(_("member without medical insurance"),
                                                null=True, blank=True)
    monitoring_category = models.CharField(_("monitoring category"), max_length=16,
                                           blank=True)  # a code of categories.scheme
    identified_month = models.CharField(_("identified (month)"), max_length=7, blank=True)
    risk_types = models.JSONField(_("risk types"), default=list, blank=True)
    risk_other_note = models.CharField(_("other risk note"), max_length=200, blank=True)
    risk_eliminated = models.BooleanField(_("risk eliminated"), null=True, blank=True)
    elimination_mode = models.CharField(_("elimination mode"), max_length=16, blank=True,
                                        choices=choices("elimination_mode"))
    eliminated_month = models.CharField(_("eliminated (month)"), max_length=7, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["village", "code"], name="household_village_idx"),
                   # counts of a type in a region (coverage's poverty-alleviated households)
                   # read the index alone
                   models.Index(fields=["household_type", "village"],
                                name="household_type_village_idx")]

    def __str__(self) -> str:
        return self.code


class Member(Provenanced):
    member_id = models.CharField(_("member number"), max_length=24, unique=True)
    household = models.ForeignKey(Household, verbose_name=_("household"),
                                  on_delete=models.PROTECT, related_name="members")
    id_type = models.CharField(_("ID type"), max_length=20, choices=choices("id_type"),
                               default="resident_id")
    locals().update(_protected("resident_id", _("ID number")))
    name = models.CharField(_("name"), max_length=64)
    sex = models.CharField(_("sex"), max_length=1, choices=choices("sex"), blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=choices("ethnicity"),
                                 blank=True)
    relation_to_head = models.CharField(_("relation to head"), max_length=32,
                                        choices=choices("relation_to_head"), blank=True)
    education = models.CharField(_("education"), max_length=32, choices=choices("education"),
                                 blank=True)
    schooling_status = models.CharField(_("schooling status"), max_length=32,
                                        choices=choices("schooling_status"), blank=True)
    health = models.CharField(_("health"), max_length=20, choices=choices("health"), blank=True)
    disability_type = models.CharField(_("disability type"), max_length=16, blank=True,
                                       choices=choices("disability_type"))
    disability_grade = models.PositiveSmallIntegerField(_("disability grade"), null=True,
                                                        blank=True)
    disability_cert = models.BooleanField(_("disability certificate"), null=True, blank=True)
    labour_skill = models.CharField(_("labour capacity"), max_length=16,
                                    choices=choices("labour_skill"), blank=True)
    work_status = models.CharField(_("work status"), max_length=32, blank=True,
                                   choices=choices("work_status"))
    work_place_code = models.CharField(_("workplace county"), max_length=6, blank=True)
    work_start_month = models.CharField(_("work start (month)"), max_length=7, blank=True)
    migrant_monthly_income = models.IntegerField(_("monthly wage from migrant work"),
                                                 null=True, blank=True)
    med_ins_resident = models.BooleanField(_("resident medical insurance"), null=True,
                                           blank=True)
    med_ins_employee = models.BooleanField(_("employee medical insurance"), null=True,
                                           blank=True)
    critical_illness_ins = models.BooleanField(_("critical illness insurance"), null=True,
                                               blank=True)
    medical_assistance = models.BooleanField(_("medical assistance"), null=True, blank=True)
    pension_resident = models.BooleanField(_("resident pension insurance"), null=True,
                                           blank=True)
    pension_employee = models.BooleanField(_("employee pension insurance"), null=True,
                                           blank=True)
    dibao = models.CharField(_("minimum living guarantee"), max_length=8,
                             choices=choices("dibao"), default="none")
    tekun = models.CharField(_("extreme-hardship support"), max_length=16,
                             choices=choices("tekun"), default="none")
    welfare_post = models.CharField(_("public-welfare post"), max_length=24, blank=True,
                                    choices=choices("welfare_post"))
    welfare_post_start_month = models.CharField(_("welfare post start (month)"), max_length=7,
                                                blank=True)
    locals().update(_protected("phone", _("phone")))
    member_status = models.CharField(_("member status"), max_length=12,
                                     choices=choices("member_status"), default="active")
    status_month = models.CharField(_("status changed (month)"), max_length=7, blank=True)
    plans_migrant_work = models.BooleanField(_("plans to go out for work"), null=True,
                                             blank=True)
    planned_work_county = models.CharField(_("planned work county"), max_length=6, blank=True)
    employment_service_need = models.CharField(_("employment service wanted"), max_length=100,
                                               blank=True)
    # a person recorded twice: set by a merge decision (DuplicateDecision), cleared when the
    # decision is reversed; the member stays, out of the registry's snapshot
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("duplicate of"))

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return f"{self.name} ({self.member_id})"


class VillageReport(Provenanced):
    """The totals a village reports (national export 行政村信息), kept to be compared with the
    registry's own records by the village-level quality rules."""

    village = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="report")
    households_total = models.IntegerField(_("households reported"), null=True, blank=True)
    population_total = models.IntegerField(_("population reported"), null=True, blank=True)
    dibao_households = models.IntegerField(_("dibao households reported"), null=True, blank=True)
    unsafe_water_households = models.IntegerField(_("households without safe water reported"),
                                                  null=True, blank=True)
    dangerous_households = models.IntegerField(_("dangerous-house households reported"),
                                               null=True, blank=True)
    cultivated_mu = models.FloatField(_("cultivated land reported (mu)"), null=True, blank=True)


class Income(Provenanced):
    """One household's income components for one month, in whole yuan."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="incomes")
    period = models.CharField(_("month"), max_length=7)
    wage = models.IntegerField(_("wage income"), default=0)
    business = models.IntegerField(_("business income"), default=0)
    property = models.IntegerField(_("property income"), default=0)
    transfer = models.IntegerField(_("transfer income"), default=0)
    business_cost = models.IntegerField(_("business costs"), default=0)
    insurance_payout = models.IntegerField(_("insurance payouts"), default=0)
    compliant_oop_medical = models.IntegerField(_("compliant out-of-pocket medical"), default=0)

    class Meta:
        verbose_name = _("income")
        verbose_name_plural = _("incomes")
        constraints = [
            models.UniqueConstraint(fields=["household", "period"], name="income_once_a_month")
        ]


class IncomeBlock(Provenanced):
    """One of the national export's annual income blocks of a household, as the national
    system recorded it: at identification (识别时) or after elimination (风险消除后).

    The period is the 12 months before the reference month (the identification or the
    elimination month, R1's window, domain.md §1.2). Amounts are whole yuan a year; the two
    totals are kept as reported, not recomputed, so that the reconciliation can compare them.
    """

    class Basis(models.TextChoices):
        IDENTIFICATION = "identification", _("At identification")
        ELIMINATION = "elimination", _("After elimination")

    household = models.ForeignKey(Household, on_delete=models.PROTECT,
                                  related_name="income_blocks")
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    reference_month = models.CharField(_("reference month"), max_length=7, blank=True)
    first_month = models.CharField(_("first month"), max_length=7, blank=True)
    last_month = models.CharField(_("last month"), max_length=7, blank=True)
    wage = models.IntegerField(_("wage income"), null=True, blank=True)
    business = models.IntegerField(_("business income"), null=True, blank=True)
    property = models.IntegerField(_("property income"), null=True, blank=True)
    transfer = models.IntegerField(_("transfer income"), null=True, blank=True)
    business_cost = models.IntegerField(_("business costs"), null=True, blank=True)
    insurance_payout = models.IntegerField(_("insurance payouts"), null=True, blank=True)
    compliant_oop_medical = models.IntegerField(_("compliant out-of-pocket medical"), null=True,
                                                blank=True)
    household_net = models.IntegerField(_("household net income"), null=True, blank=True)
    per_capita_net = models.FloatField(_("per-capita net income"), null=True, blank=True)
    # 风险消除后是否… (after elimination only)
    house_damaged = models.BooleanField(_("house damaged"), null=True, blank=True)
    water_damaged = models.BooleanField(_("water facility damaged"), null=True, blank=True)
    dropout = models.BooleanField(_("school dropout"), null=True, blank=True)
    uninsured_member = models.BooleanField(_("member without medical insurance"), null=True,
                                           blank=True)

    class Meta:
        verbose_name = _("annual income block")
        verbose_name_plural = _("annual income blocks")
        constraints = [models.UniqueConstraint(fields=["household", "basis"],
                                               name="income_block_once_per_basis")]


class FieldChange(models.Model):
    """One field of one registry row changed: old and new value, where from, who, when.

    Append-only, like the audit trail. Protected fields record masks, never clear values.
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="changes")
    object_type = models.CharField(max_length=16)  # household, member, income
    object_key = models.CharField(max_length=32)
    field = models.CharField(max_length=48)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    source_ref = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    time = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["household", "object_key", "field"],
                                name="fieldchange_lookup_idx")]
        ordering = ["-time", "-id"]


class ImportBatch(models.Model):
    """One uploaded file, kept with its report whatever the outcome."""

    class Status(models.TextChoices):
        REJECTED = "rejected", _("Rejected: nothing applied")
        APPLIED = "applied", _("Applied")
        PARTIAL = "partial", _("Valid rows applied, rejected rows in the error file")
        DUPLICATE = "duplicate", _("Same file already imported: nothing changed")

    file_name = models.CharField(_("file"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    layout = models.CharField(_("layout"), max_length=16)  # dixian | national
    scope_code = models.CharField(_("region"), max_length=1000)
    original = models.FileField(_("original file"), upload_to="imports/%Y/%m/")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    counts = models.JSONField(_("counts"), default=dict)
    problems = models.JSONField(_("problems"), default=list)
    error_file = models.FileField(_("rejected rows"), upload_to="imports/%Y/%m/", blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")


class FactConflict(models.Model):
    """A department's value for a field it is the authority for, which differs from a value a
    person entered (a form or a visit): listed for review, never overwritten silently."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        DEPARTMENT = "department", _("Department's value taken")
        KEPT = "kept", _("Entered value kept")

    household = models.ForeignKey(Household, on_delete=models.PROTECT,
                                  related_name="fact_conflicts")
    village_code = models.CharField(max_length=12, db_index=True)  # scope without a join
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    field = models.CharField(_("field"), max_length=48)
    entered_value = models.JSONField(_("entered value"), null=True)
    department_value = models.JSONField(_("department's value"), null=True)
    department = models.CharField(_("department"), max_length=32)
    source_ref = models.CharField(_("department, batch, row"), max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["member", "field", "source_ref"], name="fact_conflict_once")]


class DuplicateDecision(models.Model):
    """A person's decision on a possible duplicate pair (:mod:`dixian.engine.duplicates`):
    the same person (merge: ``member_b`` becomes a duplicate of ``member_a``, nothing is
    deleted) or two persons (distinct: the pair is not proposed again). A decision is
    reversed by a later action, which keeps the record."""

    class Decision(models.TextChoices):
        MERGE = "merge", _("Same person: merge")
        DISTINCT = "distinct", _("Two different persons")

    member_a = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField(max_length=12, db_index=True)  # scope (member_a's)
    reason = models.CharField(_("reason"), max_length=8)  # id | name
    score = models.FloatField(_("similarity"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"))
    reversed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("duplicate decision")
        verbose_name_plural = _("duplicate decisions")
