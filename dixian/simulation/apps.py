from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulationConfig(AppConfig):
    name = "dixian.simulation"
    label = "simulation"
    verbose_name = _("Procedures over simulated time")

    def ready(self) -> None:
        from dixian.core import demo
        from dixian.simulation.demo import step_cases

        if step_cases not in demo.STEPS:
            demo.STEPS.append(step_cases)
