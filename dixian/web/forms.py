from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from dixian.web import throttle


class ThrottledLoginForm(AuthenticationForm):
    """Refuses further attempts on an account after too many recent failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts for this account. Wait 15 minutes and try again."
        ),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip()
        if username and throttle.too_many_failures(username):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                client = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
                throttle.record_failure(username, client)
            raise
