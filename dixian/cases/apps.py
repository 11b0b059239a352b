from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "dixian.cases"
    label = "cases"
    verbose_name = _("Monitoring procedures")

    def ready(self) -> None:
        from dixian.exchange.signals import screening_ran
        from dixian.registry.signals import household_split

        household_split.connect(_follow_split, dispatch_uid="cases.follow_split")
        screening_ran.connect(_alerts_to_clues, dispatch_uid="cases.alerts_to_clues")


def _follow_split(sender, old, new, actor, **kwargs):
    from dixian.cases.channels import do_follow_split

    do_follow_split(old, new, actor=actor)


def _alerts_to_clues(sender, run, **kwargs):
    from dixian.cases.channels import do_alerts_to_clues

    return do_alerts_to_clues(run)
