from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectConfig(AppConfig):
    name = "dixian.connect"
    label = "connect"
    verbose_name = _("Department systems: service accounts, tokens, subscriptions")

    def ready(self) -> None:
        from dixian.connect import events

        events.connect_signals()
