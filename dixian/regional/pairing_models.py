"""East–West cooperation and paired assistance (domain.md §8.1; issue 16 item 1): partners,
their dated pairings with western regions, each pairing's annual agreement (targets and
actuals), the fund allocations and registry members its actuals count, the users who read as a
partner, and the village work teams (驻村第一书记、工作队). Imported by
:mod:`dixian.regional.models`; written only by the actions of :mod:`dixian.regional.pairing`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import User
from dixian.registry.models import Member


class Partner(models.Model):
    """The assisting side: an eastern government (province, city or county), a central unit
    doing fixed-point assistance (定点帮扶), an enterprise or a social organisation."""

    class Kind(models.TextChoices):
        EASTERN_GOVERNMENT = "eastern_government", _("Eastern government")
        CENTRAL_UNIT = "central_unit", _("Central unit")
        ENTERPRISE = "enterprise", _("Enterprise")
        SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")

    name = models.CharField(_("partner"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # an eastern government's division code (44 广东省, 4413 惠州市, 441323 惠东县)
    division_code = models.CharField(_("division code"), max_length=12, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class PartnerUser(models.Model):
    """A user who works for a partner (the eastern partner's or the central unit's staff): the
    user reads that partner's pairings only."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="pairing_partner")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="users")
    linked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")


class Pairing(models.Model):
    """A dated pairing (结对) of a partner with a western region."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Eastern province and western province")
        PREFECTURE = "prefecture", _("Eastern city and western prefecture")
        COUNTY = "county", _("Eastern county and western county")
        VILLAGE = "village", _("Enterprise or social organisation and village")
        CENTRAL_UNIT = "central_unit", _("Central unit and county (fixed-point assistance)")

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="pairings")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    west_code = models.CharField(_("assisted region"), max_length=12, db_index=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    document = models.CharField(_("document"), max_length=120, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["west_code", "level", "started_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["partner", "west_code", "started_on"],
                                               name="pairing_once")]

    def active_on(self, on) -> bool:
        return self.started_on <= on and (self.ended_on is None or self.ended_on > on)


class Agreement(models.Model):
    """A pairing's agreement for one year (年度协议): its lines hold the targets and actuals."""

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="agreements")
    year = models.PositiveSmallIntegerField(_("year"))
    document = models.CharField(_("document"), max_length=120, blank=True)
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-year", "pairing_id"]
        constraints = [models.UniqueConstraint(fields=["pairing", "year"],
                                               name="agreement_once_a_year")]


class AgreementLine(models.Model):
    """One indicator of an agreement: its target, and its actual when it is typed (the funds
    and workers of a county's pairing are counted, see :mod:`dixian.regional.pairing`)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="lines")
    indicator = models.CharField(_("indicator"), max_length=32)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2, null=True,
                                 blank=True)
    actual = models.DecimalField(_("actual"), max_digits=16, decimal_places=2, null=True,
                                 blank=True)

    class Meta:
        ordering = ["agreement_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["agreement", "indicator"],
                                               name="agreement_line_once")]


class AgreementFunds(models.Model):
    """A fund allocation of the county (the ``east_west`` or ``central_unit`` source) that is
    the partner's fiscal funds under an agreement: linked, not copied."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="funds")
    allocation = models.OneToOneField("funds.Allocation", on_delete=models.PROTECT,
                                      related_name="pairing_funds")
    linked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")


class Placement(models.Model):
    """A resident of the assisted county placed in a job under an agreement (劳务协作), linked
    to the registry."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT,
                                  related_name="placements")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12, db_index=True)  # the member's village
    employer = models.CharField(_("employer"), max_length=120)
    place = models.CharField(_("place of work"), max_length=120, blank=True)
    placed_on = models.DateField(_("placed on"))
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["agreement_id", "member_id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "member"],
                                               name="placement_once_an_agreement")]


class ResidentCadre(models.Model):
    """A cadre serving in a village: the first secretary (驻村第一书记) or a member of the work
    team (驻村工作队), sent by a unit (a partner or any other), with the dates of the term."""

    village_code = models.CharField(_("village"), max_length=12, db_index=True)
    name = models.CharField(_("name"), max_length=40)
    first_secretary = models.BooleanField(_("first secretary"), default=False)
    sending_unit = models.CharField(_("sending unit"), max_length=120)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="cadres")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"), null=True, blank=True)
    successor = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="predecessor")
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["village_code", "-first_secretary", "started_on", "pk"]
