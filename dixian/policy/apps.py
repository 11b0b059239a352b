from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "dixian.policy"
    label = "policy"
    verbose_name = _("Policy")

    def ready(self) -> None:
        from dixian.core import demo
        from dixian.policy import bridge
        from dixian.policy.demo import step_policy

        bridge.register()
        if step_policy not in demo.STEPS:
            demo.STEPS.append(step_policy)
