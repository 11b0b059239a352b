"""Procedure events other apps answer without the cases knowing them (assistance listens)."""

from django.dispatch import Signal

# Sent inside an elimination's transaction: sender=Case, household=..., on=date; each
# receiver returns the measures that continue after it ([{"measure", "instrument",
# "until"}]), which the decision keeps (domain.md §4).
elimination_continuing = Signal()
