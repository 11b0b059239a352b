from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "dixian.assistance"
    label = "assistance"
    verbose_name = _("Assistance by cause")

    def ready(self) -> None:
        from dixian.cases.signals import elimination_continuing, implemented_measures

        elimination_continuing.connect(_continuing, dispatch_uid="assistance.continuing")
        implemented_measures.connect(_implemented, dispatch_uid="assistance.implemented")


def _continuing(sender, household, on, **kwargs) -> list[dict]:
    from dixian.assistance.plans import continuing_after_elimination

    return continuing_after_elimination(household, on)


def _implemented(sender, household, risks, **kwargs) -> int:
    from dixian.assistance.plans import implemented_against

    return implemented_against(household, risks)
