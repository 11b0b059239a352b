"""Cached indicators per region, and the field samples of the effectiveness evaluation.

:class:`IndicatorSnapshot` keeps one row per region: the series of every indicator over the
months computed, the breakdown by category, risk and status, and the month's events, as the
engine returned them (``dixian.engine.indicators``). A dashboard reads one row and its
children's rows; a recomputation replaces the rows of a region and everything below it.

:class:`EvaluationSample` and :class:`SampledHousehold` hold a county's stratified field sample
(R10, ``dixian.engine.evaluation.draw_sample``) and the findings of the check visits.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import Region, User
from dixian.registry.models import Household


class IndicatorSnapshot(models.Model):
    region_code = models.CharField(_("region"), max_length=12, unique=True, blank=True)
    # '' for the nation; the parent region's code ('' for a province, '-' for the nation)
    parent_code = models.CharField(max_length=12, blank=True, db_index=True)
    level = models.PositiveSmallIntegerField()  # code length: 0 nation … 12 village
    root_code = models.CharField(max_length=12, blank=True)  # the computation it came from
    as_of = models.CharField(_("latest month"), max_length=7)
    income_as_of = models.CharField(max_length=7, blank=True)
    periods = models.JSONField(default=list)
    series = models.JSONField(default=dict)  # field -> one value per period
    breakdown = models.JSONField(default=list)  # [period, category, risk, status, h, p]
    flows = models.JSONField(default=list)  # [period, category, event, households, persons]
    notes = models.JSONField(default=list)
    parameters = models.JSONField(default=dict)  # the parameters the counts used
    #: the policy the counts used (dixian.engine.policy: resolve(region, on).fingerprint)
    policy_fingerprint = models.CharField(_("policy"), max_length=12, blank=True)
    computed_at = models.DateTimeField(_("computed"))
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["region_code"]
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")

    def __str__(self) -> str:
        return f"{self.region_code or 'nation'} {self.as_of}"


class EvaluationSample(models.Model):
    """One county's field sample (about 10 villages, 300 households by default)."""

    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT,
                               related_name="+")
    as_of = models.CharField(_("month"), max_length=7)
    seed = models.BigIntegerField(_("seed"))
    parameters = models.JSONField(default=dict)
    villages = models.JSONField(default=list)  # the selected villages with their strata
    strata = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    drawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    drawn_at = models.DateTimeField(_("drawn"))

    class Meta:
        ordering = ["-drawn_at", "-pk"]
        verbose_name = _("evaluation sample")
        verbose_name_plural = _("evaluation samples")

    def save(self, *args, **kwargs):
        if not self._state.adding and self.in_the_field():
            raise PermissionError("a sample in the field cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.in_the_field():
            raise PermissionError("a sample in the field cannot be deleted")
        return super().delete(*args, **kwargs)

    def in_the_field(self) -> bool:
        """Fieldwork has started: a finding is recorded for one of its households."""
        return self.pk is not None and self.households.filter(
            recorded_at__isnull=False).exists()


class SampledHousehold(models.Model):
    """A household of a sample, with the design columns and the check visit's findings."""

    sample = models.ForeignKey(EvaluationSample, on_delete=models.PROTECT,
                               related_name="households")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField(max_length=12)
    household_stratum = models.CharField(_("household stratum"), max_length=24)
    village_stratum = models.CharField(_("village stratum"), max_length=12)
    monitored = models.BooleanField(_("monitored in the registry"))
    eliminated = models.BooleanField(_("eliminated in the registry"))
    inclusion_probability = models.FloatField()
    base_weight = models.FloatField()
    weight = models.FloatField()
    eligible = models.BooleanField(_("meets the monitoring criteria"), null=True, blank=True)
    elimination_conditions_held = models.BooleanField(_("elimination conditions hold"),
                                                      null=True, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        ordering = ["village_code", "household__code"]
        constraints = [models.UniqueConstraint(fields=["sample", "household"],
                                               name="household_once_per_sample")]

    FINDINGS = frozenset({"eligible", "elimination_conditions_held", "satisfied", "note",
                          "recorded_by", "recorded_at"})

    def save(self, *args, **kwargs):
        """Once its sample is in the field, only the findings of a household may change."""
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= self.FINDINGS:
                if self.sample.in_the_field():
                    raise PermissionError("the households of a sample in the field are fixed")
        elif self.sample.in_the_field():
            raise PermissionError("no household is added to a sample in the field")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.sample.in_the_field():
            raise PermissionError("the households of a sample in the field are fixed")
        return super().delete(*args, **kwargs)

    @property
    def checked(self) -> bool:
        return self.eligible is not None or self.satisfied is not None


class TableVersion(models.Model):
    """A change counter of a table the lists of households behind a figure read, kept by
    the database itself (triggers, :mod:`dixian.statistics.versions`): every insert, update
    or delete of the table, whatever wrote it (an action, a bulk create, raw SQL), moves
    its ``version`` and draws a new ``nonce``, so a table kept in memory is read again
    exactly when it changed. One row per table on SQLite; on PostgreSQL a writer that finds
    the table's rows locked by another transaction adds one (it never waits), so a table
    may have a few."""

    table_name = models.CharField(max_length=63, db_index=True)
    version = models.BigIntegerField(default=0)
    nonce = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.table_name} {self.version}"
