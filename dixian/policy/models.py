"""Changes to a region's policy: proposed with their basis, approved by a second person.

The baseline (national and published regional values) lives in the engine's policy files;
this table holds what a province (or a prefecture or county, where the parameter allows)
changed in Dixian. Only approved changes count (:mod:`dixian.policy.bridge`); a pending one is
an overlay for its preview. A change is never edited after it is proposed: a correction is a
new proposal, so every value ever in force can be reconstructed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import Region, User


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PolicyChange(models.Model):
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="policy_changes")
    title = models.CharField(_("title"), max_length=200)
    basis_number = models.CharField(_("document number"), max_length=120)
    basis_date = models.DateField(_("document date"))
    basis_text = models.TextField(_("basis"), help_text=_("The text that sets the values."))
    effective_from = models.DateField(_("effective from"))
    #: [{"parameter": name, "value": v, "until": "YYYY-MM-DD" or null}, ...]
    values = models.JSONField(_("values"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"))
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    source_file = models.TextField(_("imported file"), blank=True,
                                   help_text=_("The TOML file as imported, kept unchanged."))
    #: fingerprints of the region's policy on the effective date, before and with the change
    fingerprint_before = models.CharField(max_length=12, blank=True)
    fingerprint_after = models.CharField(max_length=12, blank=True)
    preview = models.JSONField(_("preview"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("policy change")
        verbose_name_plural = _("policy changes")

    def __str__(self) -> str:
        return f"{self.region_id} {self.title}"
