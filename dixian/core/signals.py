"""Logins and logouts are audited like every other event."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from dixian.core import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record("auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("auth.logout", actor=user, obj=user)
