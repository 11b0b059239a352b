from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "dixian.registry"
    label = "registry"
    verbose_name = _("Household registry")

    def ready(self) -> None:
        from dixian.core import demo
        from dixian.registry.demo import step_registry

        if step_registry not in demo.STEPS:
            demo.STEPS.append(step_registry)
