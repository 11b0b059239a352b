"""Cases of the identification procedure, the clues that open them, and their history."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import User
from dixian.registry.enums import choices
from dixian.registry.models import Household


class Channel(models.TextChoices):
    SELF_DECLARATION = "self_declaration", _("Self-declaration")
    CADRE_VISIT = "cadre_visit", _("Cadre visit")
    DEPARTMENT_ALERT = "department_alert", _("Departmental alert")
    CONCENTRATED_SCREENING = "concentrated_screening", _("Concentrated screening")
    ASSOCIATED = "associated", _("Associated monitoring")


class Case(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    village_code = models.CharField(max_length=12, db_index=True)  # scope without a join
    state = models.CharField(_("state"), max_length=20, default="clue", db_index=True)
    opened_at = models.DateTimeField(_("opened"))
    deadline = models.DateTimeField(_("decision due"))
    risk_types = models.JSONField(_("risk types"), default=list)
    fast_track = models.BooleanField(_("disaster fast track"), default=False)
    consent_date = models.DateField(_("consent given"), null=True, blank=True)
    data_matched_at = models.DateTimeField(_("data matched"), null=True, blank=True)
    notice_started_at = models.DateTimeField(_("notice published"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=16, blank=True,
                                choices=choices("monitoring_category"))
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["deadline"]
        constraints = [
            # One open identification case per household: a second clue joins it.
            models.UniqueConstraint(
                fields=["household"], name="one_open_case_per_household",
                condition=~models.Q(state__in=["monitored", "not_proposed", "rejected"])),
        ]


class Clue(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clues")
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    risk_type = models.CharField(_("risk type"), max_length=24, choices=choices("risk_type"))
    description = models.TextField(_("difficulty"), blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)  # e.g. alert id
    received_at = models.DateTimeField(_("received"))
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")


class CaseEvent(models.Model):
    """One step taken on a case: who, in which role, from which state to which, with what."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32)
    data = models.JSONField(default=dict)
    time = models.DateTimeField()

    class Meta:
        ordering = ["time", "id"]


class SelfDeclaration(models.Model):
    """A household's own declaration of difficulty (the public form, or entered by a cadre for
    someone who phoned or came in). Matched to a registered household by ID number when it
    can be; otherwise it waits for the township, which accepts it within 2 days."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received: waiting for the township")
        CLUE = "clue", _("Became a clue on the household's case")

    village = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    head_name = models.CharField(_("head of household"), max_length=64)
    resident_id_enc = models.TextField()
    resident_id_token = models.CharField(max_length=64, db_index=True)
    resident_id_masked = models.CharField(_("ID number"), max_length=32)
    phone_enc = models.TextField()
    phone_masked = models.CharField(_("phone"), max_length=32)
    risk_type = models.CharField(_("risk type"), max_length=24, choices=choices("risk_type"))
    difficulty = models.TextField(_("difficulty"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.RECEIVED)
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    clue = models.ForeignKey(Clue, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-received_at"]
