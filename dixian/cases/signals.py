"""Procedure events other apps answer without the cases knowing them (assistance listens)."""

from django.dispatch import Signal

# Sent inside an elimination's transaction: sender=Case, household=..., on=date; each
# receiver returns the measures that continue after it ([{"measure", "instrument",
# "until"}]), which the decision keeps (domain.md §4).
elimination_continuing = Signal()

# Sent when R6 is judged: sender=Household, household=..., risks=[risk types]; the receiver
# returns how many implemented (or implemented and ended) measures count against those risks,
# by the risk the plan recorded or by category as R4 matches them (domain.md R4, R6).
implemented_measures = Signal()
