from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "dixian.statistics"
    label = "statistics"
    verbose_name = _("Statistics and evaluation")

    def ready(self) -> None:
        from dixian.core import demo
        from dixian.statistics.demo import step_statistics

        # Last: the indicators count what the other steps put in the ledger.
        if step_statistics not in demo.STEPS:
            demo.STEPS.append(step_statistics)
