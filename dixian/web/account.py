"""The person's own account: the forced password change and two-factor sign-in (TOTP)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dixian.core import actions
from dixian.core.middleware import pending_step


class PasswordChangeForm(forms.Form):
    old = forms.CharField(label=_lazy("Current password"), widget=forms.PasswordInput)
    new = forms.CharField(label=_lazy("New password"), widget=forms.PasswordInput,
                          min_length=10)
    again = forms.CharField(label=_lazy("New password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new") and data.get("new") != data.get("again"):
            raise forms.ValidationError(_("The two new passwords differ."))
        return data


class CodeForm(forms.Form):
    code = forms.RegexField(label=_lazy("Six-digit code from the authenticator app"),
                            regex=r"^\s*\d{6}\s*$", max_length=8)


def _next_page(request):
    step = pending_step(request)
    if step is None:
        return redirect("home")
    from dixian.core.middleware import STEP_URLS

    return redirect(STEP_URLS[step])


@login_required
def change_password(request):
    form = PasswordChangeForm(request.POST or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_own_password(request.user, form.cleaned_data["old"],
                                           form.cleaned_data["new"])
        except ValidationError as error:
            errors = error.messages
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return _next_page(request)
    intro = (_("An administrator set your password: choose your own before you go on.")
             if request.user.must_change_password else "")
    return render(request, "web/form_page.html", {
        "title": _("Change password"), "form": form, "errors": errors, "intro": intro})


@login_required
def two_factor_setup(request):
    """Show a new secret (and its otpauth:// link) and confirm it with a first code."""
    user = request.user
    errors = []
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_confirm_two_factor(user, form.cleaned_data["code"])
        except ValidationError as error:
            errors = error.messages
        else:
            request.session["two_factor_ok"] = True
            messages.success(request, _("Two-factor sign-in is set up."))
            return _next_page(request)
    if request.method == "GET" or not user.totp_secret_enc:
        if user.totp_confirmed_at is not None:
            return redirect("two_factor")
        secret = actions.do_begin_two_factor(user)
    else:
        secret = actions.totp_secret(user)
    import pyotp

    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Dixian")
    return render(request, "web/two_factor_setup.html", {
        "title": _("Set up two-factor sign-in"), "form": form, "errors": errors,
        "secret": secret, "uri": uri})


@login_required
def two_factor(request):
    user = request.user
    if user.totp_confirmed_at is None:
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        from dixian.web import throttle

        client = request.META.get("REMOTE_ADDR", "")
        if throttle.client_blocked(client) or throttle.account_locked_for(user.username, client):
            errors = [_("Too many failed attempts for this account. Wait 15 minutes and try "
                        "again.")]
        elif actions.totp_ok(user, form.cleaned_data["code"]):
            request.session.cycle_key()
            request.session["two_factor_ok"] = True
            from django.utils.http import url_has_allowed_host_and_scheme

            wanted = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure())
            return redirect(wanted if wanted and safe else "home")
        else:
            throttle.record_failure(user.username, request.META.get("REMOTE_ADDR", ""))
            errors = [_("The code is not right (check the time on the phone).")]
    return render(request, "web/form_page.html", {
        "title": _("Two-factor sign-in"), "form": form, "errors": errors,
        "intro": _("Enter the code your authenticator app shows for Dixian."),
        "submit": _("Sign in")})
