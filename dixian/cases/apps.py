from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "dixian.cases"
    label = "cases"
    verbose_name = _("Monitoring procedures")

    def ready(self) -> None:
        from dixian.core import audit_labels
        from dixian.exchange.signals import screening_ran
        from dixian.registry.signals import household_split

        household_split.connect(_follow_split, dispatch_uid="cases.follow_split")
        screening_ran.connect(_alerts_to_clues, dispatch_uid="cases.alerts_to_clues")
        audit_labels.PREFIX_LABELS["case."] = _step_label


def _follow_split(sender, old, new, actor, **kwargs):
    from dixian.cases.channels import do_follow_split

    do_follow_split(old, new, actor=actor)


def _alerts_to_clues(sender, run, **kwargs):
    from dixian.cases.channels import do_alerts_to_clues

    return do_alerts_to_clues(run)


def _step_label(step: str):
    """A case step's label for the audit trail (``case.<step>``), None when not a step."""
    from dixian.cases.machine import ACTION_LABELS, Action

    return ACTION_LABELS[Action(step)] if step in {a.value for a in Action} else None
