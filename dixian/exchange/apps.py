from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "dixian.exchange"
    label = "exchange"
    verbose_name = _("Departmental data and screening")

    def ready(self) -> None:
        from dixian.core import demo
        from dixian.exchange.demo import step_exchange

        if step_exchange not in demo.STEPS:
            demo.STEPS.append(step_exchange)
