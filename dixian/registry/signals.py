"""Registry events other apps follow without the registry knowing them (cases listen)."""

from django.dispatch import Signal

# Sent inside the split's transaction: sender=Household, old=..., new=..., actor=...
household_split = Signal()
