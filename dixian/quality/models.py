"""Data-quality issues found by the rule engine (domain rule R8), per village, with status."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dixian.core.models import Region, User


class QualityRun(models.Model):
    scope_code = models.CharField(_("region"), max_length=1000)
    started_at = models.DateTimeField(_("started"))
    seconds = models.FloatField(_("seconds"))
    rules = models.PositiveIntegerField(_("rules"))
    counts = models.JSONField(_("counts"), default=dict)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        ordering = ["-started_at"]


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FIXED = "fixed", _("Fixed")
    ACCEPTED = "accepted", _("Accepted with a reason")


class QualityIssue(models.Model):
    """One finding of one rule on one row and field; kept across runs by its key."""

    key = models.CharField(max_length=64, unique=True)
    rule_id = models.CharField(_("rule"), max_length=32, db_index=True)
    rule_version = models.PositiveIntegerField(_("version"))
    severity = models.CharField(_("severity"), max_length=8)
    level = models.CharField(_("responsible level"), max_length=12)
    table = models.CharField(max_length=16)
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    household_code = models.CharField(_("household code"), max_length=20, blank=True,
                                      db_index=True)
    member_id = models.CharField(_("member number"), max_length=24, blank=True)
    period = models.CharField(_("month"), max_length=7, blank=True)
    field = models.CharField(_("field"), max_length=48)
    value = models.CharField(_("value"), max_length=200, blank=True)
    message_zh = models.TextField()
    message_en = models.TextField()
    status = models.CharField(_("status"), max_length=12, choices=IssueStatus.choices,
                              default=IssueStatus.OPEN, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    first_run = models.ForeignKey(QualityRun, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(QualityRun, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        indexes = [models.Index(fields=["village", "status"], name="issue_village_status_idx")]

    @property
    def message(self) -> str:
        return self.message_en if (get_language() or "").startswith("en") else self.message_zh
