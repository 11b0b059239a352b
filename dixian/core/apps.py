from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dixian.core"
    label = "core"
    verbose_name = _("Regions, people and audit")

    def ready(self) -> None:
        from dixian.core import signals  # noqa: F401  (connects the audit receivers)
