from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "dixian.cases"
    label = "cases"
    verbose_name = _("Monitoring procedures")

    def ready(self) -> None:
        from dixian.cases.demo import step_cases
        from dixian.core import demo
        from dixian.registry.signals import household_split

        household_split.connect(_follow_split, dispatch_uid="cases.follow_split")
        if step_cases not in demo.STEPS:
            demo.STEPS.append(step_cases)


def _follow_split(sender, old, new, actor, **kwargs):
    from dixian.cases.channels import do_follow_split

    do_follow_split(old, new, actor=actor)
