"""Exchange events other apps follow without the exchange knowing them (cases listen)."""

from django.dispatch import Signal

# Sent inside the run's transaction once its alerts are stored: sender=ScreeningRun, run=...;
# each receiver returns counts by outcome (clue, duplicate, …), which the run adds up.
screening_ran = Signal()
