from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "dixian.quality"
    label = "quality"
    verbose_name = _("Data quality")

    def ready(self) -> None:
        from dixian.core import demo
        from dixian.quality.demo import step_quality
        from dixian.registry.demo import step_registry

        # After the registry's step (installed apps are ready in order: registry first).
        if step_quality not in demo.STEPS:
            index = demo.STEPS.index(step_registry) + 1 if step_registry in demo.STEPS else None
            demo.STEPS.insert(index if index is not None else len(demo.STEPS), step_quality)
