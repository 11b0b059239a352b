"""Alarms on clustered new entries and returns (docs/bottom-line-alarm.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.registry.models import Household


class AlarmLevel(models.TextChoices):
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    VILLAGE = "village", _("village")


class AlarmKind(models.TextChoices):
    ENTRY = "entry", _("new entries")
    RETURN = "return", _("returns to poverty")


class Alarm(models.Model):
    """A cluster found by the scan: an area's entries or returns in a window of months, far
    above what its own history and its neighbours' lead one to expect."""

    area_code = models.CharField(_("area"), max_length=12, db_index=True)
    level = models.CharField(_("level"), max_length=8, choices=AlarmLevel.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=AlarmKind.choices)
    first_month = models.CharField(_("from month"), max_length=7)
    month = models.CharField(_("month"), max_length=7)
    observed = models.PositiveIntegerField(_("households"))
    expected = models.FloatField(_("expected"))
    p_value = models.FloatField(_("p-value"))
    threshold = models.FloatField(_("threshold"))
    policy_fingerprint = models.CharField(max_length=16, blank=True)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    households = models.ManyToManyField(Household, related_name="+")

    class Meta:
        ordering = ["-month", "area_code", "kind"]
        constraints = [models.UniqueConstraint(fields=["area_code", "kind", "month"],
                                               name="one_alarm_per_area_kind_month")]

    @property
    def ratio(self) -> float | None:
        return self.observed / self.expected if self.expected else None
