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
        from dixian.core import audit_labels

        audit_labels.PREFIX_LABELS["funds."] = _step_label


def _step_label(step: str):
    """A project step's audit action (``funds.<step>``) by the step's name."""
    from dixian.funds.models import ProjectStep

    if step in ProjectStep.Kind.values:
        return _("Project step: %(step)s") % {"step": ProjectStep.Kind(step).label}
    return None
