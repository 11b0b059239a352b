"""The Departments page: service accounts and their tokens, department settings, screening
schedules (county and province administrators)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from dixian.connect import departments, tokens
from dixian.connect.models import Scope
from dixian.core.access import NotFound, require
from dixian.core.roles import Capability, Department

DEPARTMENTS = [("", _lazy("every rule")), *Department.choices]


class AccountForm(forms.Form):
    name = forms.RegexField(label=_lazy("Account name"), regex=r"^[\w.@+-]{3,150}$")
    department = forms.ChoiceField(label=_lazy("Department"), choices=Department.choices)
    region = forms.CharField(label=_lazy("Region code"), max_length=12)


class SettingForm(forms.Form):
    department = forms.ChoiceField(label=_lazy("Department"), choices=Department.choices)
    region = forms.CharField(label=_lazy("Region code"), max_length=6)
    updates_facts = forms.BooleanField(label=_lazy("Accepted feeds update the facts it owns"),
                                       required=False, initial=True)
    contact = forms.CharField(label=_lazy("Contact"), max_length=100, required=False)


class ScheduleForm(forms.Form):
    department = forms.ChoiceField(label=_lazy("Rules of department"), choices=DEPARTMENTS,
                                   required=False)
    region = forms.CharField(label=_lazy("Region code"), max_length=6)
    every_days = forms.IntegerField(label=_lazy("Every (days)"), min_value=1, max_value=366)
    next_run_on = forms.DateField(label=_lazy("Next run"),
                                  widget=forms.DateInput(attrs={"type": "date"}))


class TokenForm(forms.Form):
    name = forms.CharField(label=_lazy("Token name (what uses it)"), max_length=100)
    scopes = forms.MultipleChoiceField(label=_lazy("Scopes"), choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple)
    expires_days = forms.IntegerField(label=_lazy("Valid for (days)"), min_value=1,
                                      max_value=730, initial=365)


def _errors(error) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [_("Forbidden")]


@login_required
def departments_page(request):
    require(request.user, Capability.MANAGE_DEPARTMENTS)
    region = request.user.region_id or ""
    account_form = AccountForm(prefix="a", initial={"region": region})
    setting_form = SettingForm(prefix="s", initial={"region": region[:6]})
    schedule_form = ScheduleForm(prefix="c", initial={"region": region[:6], "every_days": 30})
    errors = []
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "account":
                account_form = AccountForm(request.POST, prefix="a")
                if account_form.is_valid():
                    data = account_form.cleaned_data
                    account = tokens.do_create_service_account(
                        name=data["name"], department=data["department"],
                        region_code=data["region"], actor=request.user)
                    return redirect("service_account", account_id=account.pk)
            elif which == "setting":
                setting_form = SettingForm(request.POST, prefix="s")
                if setting_form.is_valid():
                    data = setting_form.cleaned_data
                    departments.do_save_department_setting(
                        scope_code=data["region"], department=data["department"],
                        updates_facts=data["updates_facts"], contact=data["contact"],
                        actor=request.user)
                    messages.success(request, _("Saved."))
                    return redirect("departments")
            elif which == "schedule":
                schedule_form = ScheduleForm(request.POST, prefix="c")
                if schedule_form.is_valid():
                    data = schedule_form.cleaned_data
                    departments.do_create_schedule(
                        scope_code=data["region"], department=data["department"],
                        every_days=data["every_days"], next_run_on=data["next_run_on"],
                        actor=request.user)
                    messages.success(request, _("Saved."))
                    return redirect("departments")
        except (ValidationError, PermissionDenied) as error:
            errors = _errors(error)
    return render(request, "connect/departments.html", {
        "accounts": tokens.scoped_accounts(request.user).select_related("region")
        .order_by("username"),
        "settings_list": departments.scoped_settings(request.user),
        "schedules": departments.scoped_schedules(request.user),
        "account_form": account_form, "setting_form": setting_form,
        "schedule_form": schedule_form, "errors": errors})


@login_required
@require_POST
def schedule_active(request, schedule_id: int):
    departments.do_set_schedule_active(schedule_id, request.POST.get("active") == "1",
                                       actor=request.user)
    return redirect("departments")


@login_required
def service_account(request, account_id: int):
    account = tokens.access_account(request.user, account_id)
    form = TokenForm(request.POST or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            _token, clear = tokens.do_create_token(
                account, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"],
                expires_days=form.cleaned_data["expires_days"], actor=request.user)
        except ValidationError as error:
            errors = error.messages
        else:  # shown on the next page once (a reload does not create another token)
            request.session["token_shown"] = clear
            return redirect("service_account", account_id=account.pk)
    shown = request.session.pop("token_shown", "") if request.method == "GET" else ""
    labels = dict(Scope.choices)
    account_tokens = list(account.api_tokens.all())
    for token in account_tokens:  # the scopes by their labels, not their codes
        token.scope_labels = [str(labels.get(scope, scope)) for scope in token.scopes]
    return render(request, "connect/account.html", {
        "account": account, "tokens": account_tokens, "form": form,
        "shown": shown, "errors": errors})


@login_required
@require_POST
def token_action(request, token_id: int, what: str):
    token = tokens.access_token(request.user, token_id)
    if what == "revoke":
        tokens.do_revoke_token(token, actor=request.user)
        messages.success(request, _("Token %(prefix)s revoked.") % {"prefix": token.prefix})
    elif what == "rotate":
        try:
            _new, request.session["token_shown"] = tokens.do_rotate_token(token,
                                                                          actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        raise NotFound
    return redirect("service_account", account_id=token.account_id)
