from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from dixian.web import throttle


class ThrottledLoginForm(AuthenticationForm):
    """Refuses further attempts on an account from a client after too many recent failures
    there, and every attempt from a client that failed too often (see throttle.py)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts for this account. Wait 15 minutes and try again."
        ),
        "client_throttled": _(
            "Too many failed attempts from this computer. Wait 15 minutes and try again."
        ),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip()
        client = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if throttle.client_blocked(client):
            raise forms.ValidationError(self.error_messages["client_throttled"],
                                        code="throttled")
        if username and throttle.account_locked_for(username, client):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                throttle.record_failure(username, client)
            raise
