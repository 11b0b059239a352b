from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionalConfig(AppConfig):
    name = "dixian.regional"
    label = "regional"
    verbose_name = _("Regional programmes")

    def ready(self) -> None:
        from dixian.core import demo
        from dixian.regional.demo import step_consumption, step_land_quotas, step_regional
        from dixian.regional.demo_key_counties import step_key_counties
        from dixian.regional.demo_pairing import step_pairings

        for step in (step_regional, step_land_quotas, step_consumption, step_pairings,
                     step_key_counties):
            if step not in demo.STEPS:
                demo.STEPS.append(step)
