from django.core.management.base import BaseCommand
from django.utils import timezone

from dixian.assistance.actions import refresh_issues
from dixian.cases import actions
from dixian.cases.models import MonitoringSpell
from dixian.core import audit


class Command(BaseCommand):
    help = ("The nightly round (cron or a systemd timer): escalate overdue cases one level "
            "with a notification, and refresh every monitored household's plan issues (R4) "
            "so that a deadline that passed overnight shows as a violation; then anchor the "
            "audit chain's head outside the database (DIXIAN_AUDIT_ANCHORS).")

    def handle(self, *args, **options):
        now = timezone.now()
        escalated = actions.do_escalate_overdue(now)
        households = 0
        spells = MonitoringSpell.objects.filter(ended_on__isnull=True).select_related(
            "household")
        for spell in spells.iterator(chunk_size=500):
            refresh_issues(spell.household, now)
            households += 1
        anchor = audit.write_anchor()
        self.stdout.write(f"escalated {escalated} overdue case(s); refreshed the plans of "
                          f"{households} monitored household(s); anchored audit row "
                          f"{anchor['seq']}")
