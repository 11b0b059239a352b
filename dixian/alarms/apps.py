from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlarmsConfig(AppConfig):
    name = "dixian.alarms"
    label = "alarms"
    verbose_name = _("Bottom-line alarm")

    def ready(self) -> None:
        from dixian.alarms.demo import step_alarm
        from dixian.core import demo

        if step_alarm not in demo.STEPS:  # last: it reads the ledger the other steps wrote
            demo.STEPS.append(step_alarm)
