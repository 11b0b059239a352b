from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "dixian.statistics"
    label = "statistics"
    verbose_name = _("Statistics and evaluation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from dixian.core import demo
        from dixian.statistics.demo import step_statistics

        # SQLite drops a table's triggers when a migration rebuilds the table: the change
        # counters' triggers are put back after every migrate (idempotent)
        post_migrate.connect(_install_version_triggers, sender=self,
                             dispatch_uid="dixian.statistics.versions")

        # Last: the indicators count what the other steps put in the ledger.
        if step_statistics not in demo.STEPS:
            demo.STEPS.append(step_statistics)


def _install_version_triggers(using="default", **kwargs) -> None:
    from django.db import connections

    from dixian.statistics import versions

    versions.install(connections[using])
