"""Key counties (乡村振兴重点帮扶县, domain.md §8.5): the development-status indicators of a county
and year (发展状况统计监测), entered or imported from a file applied whole or not at all. Which
counties are key counties is policy (``regional.key_counties_national``,
``regional.key_counties_provincial``); the tilt in funds is computed from the allocations of
:mod:`dixian.funds`. Imported by :mod:`dixian.regional.models`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import User


class CountyIndicatorBatch(models.Model):
    """One file of county indicators as sent: applied whole or not at all, its problems kept."""

    region_code = models.CharField(max_length=12, db_index=True)  # the sender's scope
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    original = models.FileField(_("original file"), upload_to="county-indicators/%Y/%m/")
    received_at = models.DateTimeField(_("received"))
    accepted = models.BooleanField(_("accepted"), default=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    problems = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        ordering = ["-received_at", "-pk"]


class CountyIndicators(models.Model):
    """A county's year as its statistics publish it: residents, GDP, general public budget
    revenue and rural per-capita disposable income (per-capita figures and growth are computed
    by :mod:`dixian.engine.regional.key_counties`)."""

    county_code = models.CharField(max_length=6, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.PositiveIntegerField(_("residents"))
    gdp = models.DecimalField(_("GDP (10,000 yuan)"), max_digits=14, decimal_places=2)
    budget_revenue = models.DecimalField(_("general public budget revenue (10,000 yuan)"),
                                         max_digits=14, decimal_places=2)
    rural_income = models.DecimalField(_("rural per-capita disposable income (yuan)"),
                                       max_digits=10, decimal_places=0)
    batch = models.ForeignKey(CountyIndicatorBatch, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="indicators")
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["county_code", "-year"]
        constraints = [models.UniqueConstraint(fields=["county_code", "year"],
                                               name="county_indicators_once_a_year")]
