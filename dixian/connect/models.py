"""Machine access for department systems: API tokens of service accounts, and their
subscriptions to registry events (DCI subscribe/notify), with an outbox of notifications."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dixian.core.models import User


class Scope(models.TextChoices):
    """What a token may do (narrower than, and checked with, the account's role)."""

    FEEDS_UPLOAD = "feeds:upload", _("Upload the department's feeds")
    ALERTS_READ = "alerts:read", _("Read the department's alerts and their outcomes")
    REGISTRY_SEARCH = "registry:search", _("Search the registry (masked)")
    REGISTRY_SUBSCRIBE = "registry:subscribe", _("Subscribe to registry events")


class ApiToken(models.Model):
    """A bearer token ``dxn_<prefix>_<secret>``: shown once, stored as its SHA-256."""

    account = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces")

    class Meta:
        ordering = ["-created_at"]


class EventType(models.TextChoices):
    DEATH = "death", _("A member's death")
    MONITORED = "monitored", _("A household newly monitored")


class Subscription(models.Model):
    """A department system's DCI subscription: events within its region are notified to its
    ``callback_url`` (and kept in the outbox, readable over the API)."""

    code = models.CharField(max_length=40, unique=True)
    account = models.ForeignKey(User, on_delete=models.PROTECT, related_name="subscriptions")
    event_type = models.CharField(max_length=16, choices=EventType.choices)
    scope_code = models.CharField(max_length=12)
    callback_url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)


class OutboxNotice(models.Model):
    """One DCI ``notify`` message for one subscription; delivered by ``dixian notify``."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT,
                                     related_name="notices")
    event_type = models.CharField(max_length=16)
    record = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
