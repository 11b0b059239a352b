"""Assistance measures: one plan per household (一户一策), a measure per risk and instrument.

The catalogue of categories and instruments, their checks and the rules of R4 live in the
engine (:mod:`dixian.engine.assistance`); this is the ledger of what was planned and delivered.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import User
from dixian.registry.enums import choices
from dixian.registry.models import Household


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    IMPLEMENTED = "implemented", _("Implemented")
    ENDED = "ended", _("Ended")


class Origin(models.TextChoices):
    DIXIAN = "dixian", _("Planned in Dixian")
    NATIONAL = "national", _("From the national system")


class Measure(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="measures")
    village_code = models.CharField(max_length=12, db_index=True)  # scope without a join
    risk_type = models.CharField(_("risk addressed"), max_length=24, blank=True,
                                 choices=choices("risk_type"))
    category = models.CharField(_("category"), max_length=32)
    instrument = models.CharField(_("instrument"), max_length=48)
    department = models.CharField(_("department"), max_length=32, db_index=True)
    officer = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="measures")
    member_id = models.CharField(_("member number"), max_length=24, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PLANNED, db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True,
                                 blank=True)
    planned_on = models.DateField(_("planned"))
    due_on = models.DateField(_("due"))
    started_on = models.DateField(_("started"), null=True, blank=True)
    implemented_on = models.DateField(_("implemented"), null=True, blank=True)
    ends_on = models.DateField(_("runs until"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    evidence = models.TextField(_("evidence of delivery"), blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices,
                              default=Origin.DIXIAN)
    # the national export's text of the measure column, kept as written (origin national)
    national_text = models.CharField(_("national system text"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "planned_on", "pk"]
        indexes = [models.Index(fields=["department", "status", "due_on"],
                                name="measure_board_idx")]


class PlanIssue(models.Model):
    """A violation of R4 (or of an instrument check) on a household's plan, listed for the
    responsible department and township until the plan is fixed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FIXED = "fixed", _("Fixed")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="plan_issues")
    village_code = models.CharField(max_length=12, db_index=True)
    rule_id = models.CharField(_("rule"), max_length=32)
    risk_type = models.CharField(_("risk type"), max_length=24, blank=True)
    measure = models.ForeignKey(Measure, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="issues")
    member_id = models.CharField(max_length=24, blank=True)
    severity = models.CharField(_("severity"), max_length=8)
    finding = models.CharField(max_length=24)
    department = models.CharField(_("department"), max_length=32, blank=True, db_index=True)
    sentence_zh = models.TextField()
    sentence_en = models.TextField()
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.OPEN, db_index=True)
    opened_at = models.DateTimeField()
    fixed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["village_code", "household_id", "rule_id"]

    @property
    def sentence(self) -> str:
        from django.utils.translation import get_language

        return self.sentence_en if (get_language() or "").startswith("en") else self.sentence_zh

    @property
    def key(self) -> tuple:
        return (self.rule_id, self.risk_type, self.measure_id or 0, self.member_id)


class SuggestionRecord(models.Model):
    """What the platform suggested for a household and what the official chose."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    suggested = models.JSONField()
    chosen = models.JSONField()
    basis = models.CharField(max_length=16)  # rules, or history once there is enough
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    time = models.DateTimeField()
