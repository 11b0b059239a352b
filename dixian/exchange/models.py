"""Departmental feed batches, screening runs and the alerts they raise."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dixian.core.models import Region, User
from dixian.registry.models import Household


class FeedBatch(models.Model):
    """One department's file for one period: kept whatever the outcome; immutable once made."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected: nothing stored but the report")
        DUPLICATE = "duplicate", _("Same file already received")

    department = models.CharField(_("department"), max_length=32)
    period = models.CharField(_("period"), max_length=7, blank=True)
    scope_code = models.CharField(_("region"), max_length=1000)
    file_name = models.CharField(_("file"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    unmatched = models.PositiveIntegerField(_("not matched"), default=0)
    problems = models.JSONField(_("problems"), default=list)
    original = models.FileField(upload_to="feeds/%Y/%m/")
    # Validated, matched records as Parquet; ID numbers replaced by their lookup tokens.
    parquet = models.FileField(upload_to="feeds/%Y/%m/", blank=True)
    officer = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class ScreeningRun(models.Model):
    scope_code = models.CharField(_("region"), max_length=1000)
    period = models.CharField(_("period"), max_length=7)
    started_at = models.DateTimeField(_("started"))
    seconds = models.FloatField(_("seconds"))
    batches = models.JSONField(_("feed batches"), default=list)
    rules = models.JSONField(_("rule versions"), default=dict)
    #: the policy the run applied (dixian.engine.policy: resolve(region, on).fingerprint)
    policy_fingerprint = models.CharField(_("policy"), max_length=12, blank=True)
    counts = models.JSONField(_("counts"), default=dict)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    engine = models.CharField(_("engine"), max_length=16, default="duckdb")
    schedule = models.ForeignKey("ScreeningSchedule", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="runs")

    class Meta:
        ordering = ["-started_at"]


class ScreeningSchedule(models.Model):
    """A screening that runs by itself: monthly for every rule, or every 10 days for the
    medical rules as some provinces do (domain.md §11.1 push_interval_days). ``dixian screen
    --scheduled`` (from cron or a systemd timer) runs the schedules that are due."""

    scope_code = models.CharField(_("region"), max_length=1000)
    department = models.CharField(_("rules of department"), max_length=32, blank=True,
                                  help_text=_("empty: every rule"))
    every_days = models.PositiveSmallIntegerField(_("every (days)"))
    next_run_on = models.DateField(_("next run"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["scope_code", "department"]


class DepartmentSetting(models.Model):
    """How one department works with the platform in one region (a county, prefecture or
    province): whether its accepted feeds update the facts it is the authority for, and
    whom to call about its data."""

    scope_code = models.CharField(_("region"), max_length=12)
    department = models.CharField(_("department"), max_length=32)
    updates_facts = models.BooleanField(
        _("accepted feeds update the facts it owns"), default=True,
        help_text=_("Civil affairs: dibao and tekun; disabled persons' federation: disability "
                    "grade; public security: deaths; education: enrolment."))
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["scope_code", "department"]
        constraints = [models.UniqueConstraint(fields=["scope_code", "department"],
                                               name="department_setting_once")]


def updates_facts(department_feed: str, scope_code: str) -> bool:
    """The most specific setting covering the region (county over prefecture over province);
    on when none is set."""
    from dixian.exchange.actions import FEED_OF_DEPARTMENT

    departments = [d for d, f in FEED_OF_DEPARTMENT.items() if f == department_feed]
    prefixes = [scope_code[:n] for n in (6, 4, 2) if len(scope_code) >= n]
    for prefix in prefixes:
        setting = DepartmentSetting.objects.filter(scope_code=prefix,
                                                   department__in=departments).first()
        if setting is not None:
            return setting.updates_facts
    return True


class Alert(models.Model):
    run = models.ForeignKey(ScreeningRun, on_delete=models.PROTECT, related_name="alerts")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="alerts")
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    member_id = models.CharField(_("member number"), max_length=24, blank=True)
    rule_id = models.CharField(_("rule"), max_length=32, db_index=True)
    rule_version = models.PositiveIntegerField(_("version"))
    department = models.CharField(_("department"), max_length=32, blank=True)
    risk_type = models.CharField(_("risk type"), max_length=24, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    value = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    sentence_zh = models.TextField()
    sentence_en = models.TextField()
    household_review = models.BooleanField(default=True)
    # What became of the alert (dixian.cases.channels.Outcome) and the clue it raised.
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    clue = models.ForeignKey("cases.Clue", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="alerts")

    class Meta:
        ordering = ["village_id", "household_id", "rule_id"]

    @property
    def sentence(self) -> str:
        return self.sentence_en if (get_language() or "").startswith("en") else self.sentence_zh
