"""Administering people in the browser: county and province administrators create, disable,
re-scope users and reset passwords and authenticators, only for roles below their own and
only within their region (dixian.core.roles.GRANTABLE). Every write is an audited action in
dixian.core.actions."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from dixian.core import actions
from dixian.core.access import NotFound, access_user, require, scope_of
from dixian.core.models import User
from dixian.core.roles import Capability, Department, Role, grantable


class UserForm(forms.Form):
    username = forms.RegexField(label=_lazy("Username"), regex=r"^[\w.@+-]{3,150}$")
    full_name = forms.CharField(label=_lazy("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_lazy("Role"))
    region = forms.CharField(label=_lazy("Region code"), max_length=12,
                             help_text=_lazy("Village 12 digits, township 9, county 6."))
    department = forms.ChoiceField(label=_lazy("Department"), required=False,
                                   choices=[("", "—"), *Department.choices])

    def __init__(self, *args, actor, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in Role
                                       if r in grantable(actor.role)]
        if editing:
            del self.fields["username"], self.fields["full_name"]


def _problems(error: ValidationError | PermissionDenied) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error) or _("Forbidden")]


def administered_user(actor, user_id: int) -> User:
    user = access_user(actor, user_id)
    actions.check_may_administer(actor, user)
    return user


@login_required
def user_create(request):
    require(request.user, Capability.MANAGE_USERS)
    form = UserForm(request.POST or None, actor=request.user,
                    initial={"region": request.user.region_id})
    errors, shown = [], ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = actions.generate_password()
        try:
            user = actions.do_create_user(
                username=data["username"], role=data["role"], region_code=data["region"],
                password=password, department=data["department"],
                full_name=data["full_name"], actor=request.user, must_change_password=True)
        except (ValidationError, PermissionDenied) as error:
            errors = _problems(error)
        else:
            return render(request, "web/form_page.html", {
                "title": _("User %(name)s created") % {"name": user.username},
                "secret_shown": password, "back": {"url": "/users/", "label": _("Users")},
                "secret_label": _("First password (shown once; the person must change it at "
                                  "the first sign-in):")})
    return render(request, "web/form_page.html", {
        "title": _("New user"), "form": form, "errors": errors, "secret_shown": shown,
        "back": {"url": "/users/", "label": _("Users")}})


@login_required
def user_edit(request, user_id: int):
    require(request.user, Capability.MANAGE_USERS)
    try:
        user = administered_user(request.user, user_id)
    except PermissionDenied:
        raise NotFound from None
    form = UserForm(request.POST or None, actor=request.user, editing=True, initial={
        "role": user.role, "region": user.region_id, "department": user.department})
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_rescope_user(user, role=data["role"], region_code=data["region"],
                                    department=data["department"], actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            errors = _problems(error)
        else:
            messages.success(request, _("User %(name)s changed.") % {"name": user.username})
            return redirect("users")
    return render(request, "web/user_edit.html", {
        "title": _("User %(name)s") % {"name": user.username}, "form": form,
        "errors": errors, "person": user, "back": {"url": "/users/", "label": _("Users")}})


@login_required
@require_POST
def user_account_action(request, user_id: int, what: str):
    """disable, enable, reset-password, reset-two-factor."""
    require(request.user, Capability.MANAGE_USERS)
    try:
        user = administered_user(request.user, user_id)
    except PermissionDenied:
        raise NotFound from None
    if user.pk == request.user.pk:
        raise PermissionDenied
    if what == "disable":
        actions.do_deactivate_user(user, actor=request.user)
        messages.success(request, _("User %(name)s disabled.") % {"name": user.username})
    elif what == "enable":
        actions.do_reactivate_user(user, actor=request.user)
        messages.success(request, _("User %(name)s enabled.") % {"name": user.username})
    elif what == "reset-password":
        password = actions.generate_password()
        actions.do_reset_password(user, password, actor=request.user)
        return render(request, "web/form_page.html", {
            "title": _("Password of %(name)s reset") % {"name": user.username},
            "secret_shown": password, "back": {"url": "/users/", "label": _("Users")},
            "secret_label": _("Temporary password (shown once; the person must change it at "
                              "the next sign-in):")})
    elif what == "reset-two-factor":
        actions.do_reset_two_factor(user, actor=request.user)
        messages.success(request, _("The authenticator of %(name)s was cleared; they set up a "
                                    "new one at the next sign-in.") % {"name": user.username})
    else:
        raise NotFound
    return redirect("user_edit", user_id=user.pk)


def may_administer(actor, user: User) -> bool:
    return (user.role in grantable(actor.role) and not user.is_national
            and bool(user.region_id) and scope_of(actor).contains(user.region_id))
