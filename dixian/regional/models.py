"""Regional programmes (domain.md §8; issue 16). So far: follow-up support for relocated
households (易地扶贫搬迁后续扶持, §8.3): resettlement sites with their facilities, relocated
households linked to the registry, and the employment follow-up of their members. Every change
is an action (:mod:`dixian.regional.relocation`) with an audit row; the indicators are computed
in :mod:`dixian.engine.regional.relocation`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import User
from dixian.registry.models import Household, Member


class ResettlementSite(models.Model):
    """A concentrated resettlement site (集中安置点) in a county: where it is, its size and its
    facilities."""

    county_code = models.CharField(max_length=6, db_index=True)
    region_code = models.CharField(_("location"), max_length=12, db_index=True)
    name = models.CharField(_("site"), max_length=120)
    opened_on = models.DateField(_("opened to residents"), null=True, blank=True)
    planned_households = models.PositiveIntegerField(_("households planned"), default=0)
    planned_persons = models.PositiveIntegerField(_("persons planned"), default=0)
    schools = models.PositiveSmallIntegerField(_("schools and kindergartens"), default=0)
    clinics = models.PositiveSmallIntegerField(_("clinics and health centres"), default=0)
    elderly_care = models.PositiveSmallIntegerField(_("elderly-care facilities"), default=0)
    workshops = models.PositiveSmallIntegerField(_("assistance workshops"), default=0)
    industries = models.TextField(_("supporting industries"), blank=True)
    services = models.TextField(_("community services"), blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["county_code", "region_code", "pk"]
        constraints = [models.UniqueConstraint(fields=["county_code", "name"],
                                               name="site_name_once_a_county")]

    def __str__(self) -> str:
        return self.name


class Relocated(models.Model):
    """A relocated household (易地扶贫搬迁户) of a site, linked to the registry."""

    site = models.ForeignKey(ResettlementSite, on_delete=models.PROTECT,
                             related_name="households")
    household = models.OneToOneField(Household, on_delete=models.PROTECT,
                                     related_name="relocation")
    region_code = models.CharField(max_length=12, db_index=True)  # the site's, for scope
    origin = models.CharField(_("moved from"), max_length=120, blank=True)
    moved_in = models.DateField(_("moved in"))

    class Meta:
        ordering = ["site_id", "household__code"]


class FollowUp(models.Model):
    """One month's employment follow-up of a relocated member (就业帮扶跟踪)."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Assistance workshop at the site")
        SITE_INDUSTRY = "site_industry", _("Supporting industry of the site")
        LOCAL_ENTERPRISE = "local_enterprise", _("Enterprise in the county")
        PUBLIC_POST = "public_post", _("Public-welfare post")
        MIGRANT_PROVINCE = "migrant_province", _("Migrant work in the province")
        MIGRANT_OUTSIDE = "migrant_outside", _("Migrant work outside the province")
        SELF_EMPLOYED = "self_employed", _("Self-employed or own business")
        FLEXIBLE = "flexible", _("Flexible employment")
        NONE = "none", _("Not employed")

    relocated = models.ForeignKey(Relocated, on_delete=models.PROTECT, related_name="follow_ups")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    month = models.CharField(_("month"), max_length=7)
    kind = models.CharField(_("employment"), max_length=20, choices=Kind.choices)
    employer = models.CharField(_("employer or place"), max_length=120, blank=True)
    monthly_income = models.PositiveIntegerField(_("monthly income (yuan)"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_on = models.DateField(_("recorded"))
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-month", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"],
                                               name="follow_up_once_a_month")]

    @property
    def employed(self) -> bool:
        return self.kind != self.Kind.NONE


class LandQuotaTrade(models.Model):
    """A trade of a county's surplus construction-land quota (增减挂钩节余指标交易, domain.md
    §8.6): sold within the province or, during the transition and for a national key county
    only, to another province. Its proceeds return to the county and are entered as a fund
    allocation of the ``land_quota`` source (:mod:`dixian.regional.land_quota`)."""

    class Kind(models.TextChoices):
        INTRA = "intra", _("Within the province")
        CROSS = "cross", _("Across provinces")

    county_code = models.CharField(_("selling county"), max_length=6, db_index=True)
    contract = models.CharField(_("contract number"), max_length=80)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    buyer = models.CharField(_("buyer (area or body)"), max_length=120)
    mu = models.DecimalField(_("area (mu)"), max_digits=12, decimal_places=2)
    price_per_mu = models.DecimalField(_("price (yuan per mu)"), max_digits=12,
                                       decimal_places=2)
    traded_on = models.DateField(_("traded on"))
    proceeds_received_on = models.DateField(_("proceeds received"), null=True, blank=True)
    allocation = models.OneToOneField("funds.Allocation", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="land_quota_trade")
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-traded_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["county_code", "contract"],
                                               name="land_quota_contract_once")]


class BudgetUnit(models.Model):
    """A budget unit (预算单位: a hospital, a school, a bureau) that buys products from
    poverty-alleviated areas for its canteen (消费帮扶, domain.md §8.4)."""

    region_code = models.CharField(_("region"), max_length=12, db_index=True)
    name = models.CharField(_("budget unit"), max_length=120)

    class Meta:
        ordering = ["region_code", "name"]
        constraints = [models.UniqueConstraint(fields=["region_code", "name"],
                                               name="budget_unit_name_once_a_region")]

    def __str__(self) -> str:
        return self.name


class ConsumptionPlan(models.Model):
    """A unit's year: its canteen food-purchase budget and the amount it reserved for
    products from poverty-alleviated areas (预留份额)."""

    unit = models.ForeignKey(BudgetUnit, on_delete=models.PROTECT, related_name="plans")
    year = models.PositiveSmallIntegerField(_("year"))
    food_budget = models.DecimalField(_("canteen food budget (yuan)"), max_digits=14,
                                      decimal_places=2)
    reserved = models.DecimalField(_("reserved (yuan)"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["-year", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"],
                                               name="consumption_plan_once_a_year")]


class ConsumptionBatch(models.Model):
    """One purchase file as sent: applied whole or not at all, its problems kept."""

    region_code = models.CharField(max_length=12, db_index=True)  # the sender's scope
    file_name = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    original = models.FileField(_("original file"), upload_to="consumption/%Y/%m/")
    received_at = models.DateTimeField(_("received"))
    accepted = models.BooleanField(_("accepted"), default=False)
    rows = models.PositiveIntegerField(_("purchases"), default=0)
    problems = models.JSONField(default=list, blank=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        ordering = ["-received_at", "-pk"]


class ConsumptionPurchase(models.Model):
    """One order of products from a poverty-alleviated area, with the row it came from."""

    unit = models.ForeignKey(BudgetUnit, on_delete=models.PROTECT, related_name="purchases")
    batch = models.ForeignKey(ConsumptionBatch, on_delete=models.PROTECT,
                              related_name="purchases")
    source_row = models.PositiveIntegerField()
    order = models.CharField(_("order number"), max_length=80)
    purchased_on = models.DateField(_("purchased on"))
    supplier = models.CharField(_("supplier"), max_length=120)
    supplier_county = models.CharField(_("supplier's county"), max_length=6, db_index=True)
    product = models.CharField(_("product"), max_length=120, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    channel = models.CharField(_("channel"), max_length=16)

    class Meta:
        ordering = ["-purchased_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "order"],
                                               name="consumption_order_once_a_unit")]


# East–West cooperation and paired assistance (§8.1): in their own module
from dixian.regional.models_key_counties import (  # noqa: E402,F401  (key counties, §8.5)
    CountyIndicatorBatch,
    CountyIndicators,
)
from dixian.regional.pairing_models import (  # noqa: E402,F401
    Agreement,
    AgreementFunds,
    AgreementLine,
    Pairing,
    Partner,
    PartnerUser,
    Placement,
    ResidentCadre,
)
