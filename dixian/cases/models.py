"""Cases of the identification procedure, the clues that open them, and their history."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import User
from dixian.registry.enums import category_name, choices
from dixian.registry.models import Household


class Channel(models.TextChoices):
    SELF_DECLARATION = "self_declaration", _("Self-declaration")
    CADRE_VISIT = "cadre_visit", _("Cadre visit")
    DEPARTMENT_ALERT = "department_alert", _("Departmental alert")
    CONCENTRATED_SCREENING = "concentrated_screening", _("Concentrated screening")
    ASSOCIATED = "associated", _("Associated monitoring")


class Case(models.Model):
    """One run of the identification procedure (R3) or of the risk-elimination procedure (R6)."""

    kind = models.CharField(_("kind"), max_length=16, default="identification", db_index=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    village_code = models.CharField(max_length=12, db_index=True)  # scope without a join
    state = models.CharField(_("state"), max_length=20, default="clue", db_index=True)
    # who decides (machine.Chain): the policy's decision level on the day the case opened
    chain = models.CharField(_("decided by"), max_length=16, default="county")
    opened_at = models.DateTimeField(_("opened"))
    deadline = models.DateTimeField(_("decision due"))
    risk_types = models.JSONField(_("risk types"), default=list)
    fast_track = models.BooleanField(_("disaster fast track"), default=False)
    consent_date = models.DateField(_("consent given"), null=True, blank=True)
    data_matched_at = models.DateTimeField(_("data matched"), null=True, blank=True)
    notice_started_at = models.DateTimeField(_("notice published"), null=True, blank=True)
    # A code of the province's category scheme in force when decided (categories.scheme), with
    # its names then: a later change of scheme does not relabel past decisions.
    category = models.CharField(_("category"), max_length=16, blank=True)
    category_names = models.JSONField(_("category names"), default=dict, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    elimination_mode = models.CharField(_("elimination mode"), max_length=16, blank=True,
                                        choices=choices("elimination_mode"))
    # The values the decision rested on (R2 category and income, or the R6 conditions and the
    # "after" income and three-guarantees fields at elimination), kept as they were.
    decision_values = models.JSONField(_("values at decision"), default=dict, blank=True)
    # An elimination in the month of identification or the next (rule 5_18_009).
    flagged_for_supervisors = models.BooleanField(default=False)
    assistance_started_at = models.DateTimeField(_("assistance started"), null=True, blank=True)
    # Overdue cases go up one level: 0 = not escalated, else the level (Level) it went to.
    escalated_to_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Carried over from the registry (the national system's records) rather than run here:
    # its dates are the decision's month, so lag statistics leave it out.
    imported = models.BooleanField(default=False)

    class Meta:
        ordering = ["deadline"]
        constraints = [
            # One open case per household: a second clue joins it, and an elimination cannot
            # run while the household is being identified again.
            models.UniqueConstraint(
                fields=["household"], name="one_open_case_per_household",
                condition=~models.Q(state__in=["monitored", "eliminated", "not_proposed",
                                               "rejected"])),
        ]
        indexes = [models.Index(fields=["village_code", "state", "deadline"],
                                name="case_queue_idx")]

    def get_category_display(self) -> str:
        return category_name(self.category, self.category_names)

    @property
    def step_label(self) -> str:
        """The step the case has reached, as people read it."""
        from dixian.cases.machine import STATE_LABELS, State

        return str(STATE_LABELS[State(self.state)])


class Clue(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="clues")
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    risk_type = models.CharField(_("risk type"), max_length=24, choices=choices("risk_type"))
    description = models.TextField(_("difficulty"), blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)  # e.g. alert id
    received_at = models.DateTimeField(_("received"))
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    def get_channel_display(self) -> str:
        """The channel's name as the province named it when the clue came in."""
        from dixian.cases.params import channel_name

        return channel_name(self.channel, self.case.village_code,
                            self.received_at.date() if self.received_at else None)


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


class MonitoringSpell(models.Model):
    """A period during which a household is monitored: from entry to risk elimination.

    A household's history is its spells; a spell that starts within the return window after
    an earlier one ended is a return to poverty (返贫).
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="spells")
    village_code = models.CharField(max_length=12, db_index=True)
    category = models.CharField(_("category"), max_length=16)
    category_names = models.JSONField(_("category names"), default=dict, blank=True)
    risk_types = models.JSONField(_("risk types"), default=list)
    started_on = models.DateField(_("monitored since"))
    identification_case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(_("risk eliminated on"), null=True, blank=True)
    elimination_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    elimination_mode = models.CharField(_("elimination mode"), max_length=16, blank=True,
                                        choices=choices("elimination_mode"))
    is_return = models.BooleanField(_("return to poverty"), default=False)
    whole_household_no_labour = models.BooleanField(default=False)

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [models.UniqueConstraint(
            fields=["household"], condition=models.Q(ended_on__isnull=True),
            name="one_active_spell_per_household")]

    def get_category_display(self) -> str:
        return category_name(self.category, self.category_names)


class MonitoringVisit(models.Model):
    """The monthly visit to a monitored household (R5): what the cadre confirmed or corrected."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    village_code = models.CharField(max_length=12, db_index=True)
    month = models.CharField(_("month"), max_length=7)
    visited_on = models.DateField(_("visited on"))
    visitor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    findings = models.JSONField(_("findings"), default=dict)
    new_risk = models.CharField(_("new risk"), max_length=24, blank=True,
                                choices=choices("risk_type"))
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["household", "month"],
                                               name="one_visit_a_month")]


class Campaign(models.Model):
    """The annual concentrated screening of a county: a visit task for every household in
    scope that meets the campaign's criteria, with completion tracked."""

    class Criterion(models.TextChoices):
        ALL = "all", _("Every rural household")
        POVERTY_ALLEVIATED = "poverty_alleviated", _("Poverty-alleviated households")
        WATCH = "watch", _("Poverty-alleviated, monitored and eliminated households")

    county = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    criterion = models.CharField(_("households to visit"), max_length=24,
                                 choices=Criterion.choices)
    due_on = models.DateField(_("due"))
    launched_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    launched_at = models.DateTimeField(_("launched"))

    class Meta:
        ordering = ["-launched_at"]


class CampaignTask(models.Model):
    class Outcome(models.TextChoices):
        NO_RISK = "no_risk", _("No risk found")
        RISK = "risk", _("Risk found: a clue was raised")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="tasks")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField(max_length=12)
    done_on = models.DateField(_("visited on"), null=True, blank=True)
    visitor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    outcome = models.CharField(_("outcome"), max_length=12, blank=True, choices=Outcome.choices)
    risk_type = models.CharField(_("risk type"), max_length=24, blank=True,
                                 choices=choices("risk_type"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["village_code", "household__code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "household"],
                                               name="one_task_per_household")]
        indexes = [models.Index(fields=["campaign", "village_code", "done_on"],
                                name="campaign_progress_idx")]
