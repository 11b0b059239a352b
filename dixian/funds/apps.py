from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "dixian.funds"
    label = "funds"
    verbose_name = _("Funds, projects and assets")

    def ready(self) -> None:
        from dixian.core import demo
        from dixian.funds.demo import step_funds

        if step_funds not in demo.STEPS:
            demo.STEPS.append(step_funds)
