"""Keeping the registry where people work: phone-friendly pages for each life event.

Each page is a small form; a valid form is first run as a preview (the write, rolled back):
errors from the entry-time quality rules refuse it, warnings are shown and saved only when the
person confirms. The writes are the audited actions of :mod:`dixian.registry.actions`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.models import Region
from dixian.core.roles import Capability, Level
from dixian.registry import actions
from dixian.registry.bridge import identity
from dixian.registry.enums import choices
from dixian.registry.models import Household, Member

PERSON_FIELDS = ["name", "sex", "birth_date", "ethnicity", "relation_to_head", "education",
                 "schooling_status", "health", "disability_type", "disability_grade",
                 "labour_skill", "work_status", "med_ins_resident", "med_ins_employee",
                 "dibao", "tekun"]
HOUSEHOLD_FIELDS = ["household_type", "housing_grade", "dangerous_house", "housing_area_m2",
                    "safe_drinking_water", "road_hardened", "electricity", "sanitary_toilet",
                    "cultivated_mu", "forest_mu", "returned_forest_mu", "orchard_mu",
                    "pasture_mu", "water_surface_mu"]
DATE = forms.DateInput(attrs={"type": "date"})


class _Protected(forms.Form):
    def clean_resident_id(self):
        from dixian.core import pii

        value = pii.normalise_id(self.cleaned_data.get("resident_id") or "")
        if value and not identity.is_valid(value):
            raise forms.ValidationError(_("This ID number is not valid; please check it."))
        return value


def _person_form(with_relation: bool = True, with_id: bool = True):
    fields = [f for f in PERSON_FIELDS if with_relation or f != "relation_to_head"]
    base = forms.modelform_factory(Member, fields=fields, widgets={"birth_date": DATE})

    class PersonForm(base, _Protected):
        if with_id:
            resident_id = forms.CharField(label=_lazy("ID number"), max_length=22,
                                          required=False)
        phone = forms.RegexField(label=_lazy("Phone"), regex=r"^1[3-9]\d{9}$", required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in ("dibao", "tekun"):  # "none" unless a benefit is chosen
                self.fields[name].required = False
                self.fields[name].initial = self.fields[name].initial or "none"
    return PersonForm


def _household_form():
    base = forms.modelform_factory(Household, fields=HOUSEHOLD_FIELDS)

    class HouseholdForm(base):
        phone = forms.RegexField(label=_lazy("Contact phone"), regex=r"^1[3-9]\d{9}$")
    return HouseholdForm


def _values(cleaned: dict, fields) -> dict:
    """The form's values, empty ones left out (a blank field is not a change)."""
    return {k: cleaned[k] for k in fields if k in cleaned and cleaned[k] not in ("", None)}


def _entry(request, *, title, forms_, run, households, done, back, intro=""):
    """Validate, preview (errors refuse; warnings are shown), and on confirmation write."""
    errors, warnings = [], []
    if request.method == "POST" and all(f.is_valid() for f in forms_):
        confirmed = request.POST.get("confirmed") == "1"
        if not confirmed:
            outcome = actions.preview(run, households)
            errors, warnings = outcome["errors"], outcome["warnings"]
        if not errors and (confirmed or not warnings):
            try:
                result = run()
            except (ValidationError, ValueError) as error:
                errors = getattr(error, "messages", [str(error)])
            else:
                messages.success(request, _("Saved."))
                return redirect(done(result))
    merged = _Merged(forms_)
    return render(request, "web/form_page.html", {
        "title": title, "form": merged, "errors": errors, "warnings": warnings,
        "back": back, "intro": intro})


class _Merged:
    """Several forms rendered as one."""

    def __init__(self, parts):
        self.parts = parts

    def as_div(self):
        from django.utils.safestring import mark_safe

        return mark_safe("".join(str(p.as_div()) for p in self.parts))


def _back(household: Household):
    return {"url": f"/households/{household.code}/", "label": household.code}


def _editable_household(user, code: str) -> Household:
    require(user, Capability.EDIT_REGISTRY)
    return actions.access_household(user, code)


def _editable_member(user, member_id: str) -> Member:
    require(user, Capability.EDIT_REGISTRY)
    return actions.access_member(user, member_id)


def _village_choices(user):
    return [(v.code, f"{v.name} {v.code}") for v in Region.objects.filter(
        scope_q(scope_of(user), "code"), level=Level.VILLAGE).order_by("code")[:2000]]


@login_required
def household_add(request):
    """A new household (also from a waiting self-declaration: ?declaration=ID)."""
    from dixian.cases.declaration import do_register_declared_household
    from dixian.cases.models import SelfDeclaration

    require(request.user, Capability.EDIT_REGISTRY)
    declaration = None
    if request.GET.get("declaration"):
        declaration = SelfDeclaration.objects.filter(
            scope_q(scope_of(request.user), "village__code"), pk=request.GET["declaration"]
            if request.GET["declaration"].isdigit() else 0,
            status=SelfDeclaration.Status.RECEIVED).select_related("village").first()
        if declaration is None:
            raise NotFound

    class Where(forms.Form):
        village = forms.ChoiceField(label=_lazy("Village"), choices=_village_choices(request.user))

    data = request.POST or None
    where = Where(data, initial={"village": declaration.village_id if declaration else None})
    household_form = _household_form()(data, prefix="h")
    person_form = _person_form(with_relation=False, with_id=declaration is None)(data,
                                                                                  prefix="p")
    if declaration is not None:
        del person_form.fields["name"]
        where.fields["village"].choices = [(declaration.village_id, declaration.village.name)]
        if declaration.phone_enc:
            household_form.fields["phone"].required = False

    def run():
        household_values = _values(household_form.cleaned_data, [*HOUSEHOLD_FIELDS, "phone"])
        head = _values(person_form.cleaned_data, [*PERSON_FIELDS, "resident_id", "phone"])
        if declaration is not None:
            return do_register_declared_household(declaration, household_values, head,
                                                  actor=request.user)[0]
        village = Region.objects.get(code=where.cleaned_data["village"])
        return actions.do_add_household(village, household_values, head, actor=request.user)

    intro = ""
    if declaration is not None:
        intro = _("Registering the household of %(name)s (ID %(id)s) who declared: %(what)s. "
                  "Once saved, the declaration becomes a clue on its case.") % {
            "name": declaration.head_name, "id": declaration.resident_id_masked,
            "what": declaration.difficulty}
    return _entry(request, title=_("New household"), intro=intro,
                  forms_=[where, household_form, person_form], run=run, households=[],
                  done=lambda h: f"/households/{h.code}/",
                  back={"url": "/households/", "label": _("Households")})


class MemberJoinForm(forms.Form):
    reason = forms.ChoiceField(label=_lazy("Why the person joins"), choices=[
        ("birth", _lazy("Birth")), ("marriage_in", _lazy("Marriage into the household")),
        ("joined", _lazy("Other (adoption, return, registration)"))])


@login_required
def member_add(request, code: str):
    household = _editable_household(request.user, code)
    data = request.POST or None
    why = MemberJoinForm(data, initial={"reason": request.GET.get("reason", "birth")})
    person = _person_form()(data, prefix="p")

    def run():
        return actions.do_add_member(
            household, _values(person.cleaned_data, [*PERSON_FIELDS, "resident_id", "phone"]),
            actor=request.user, reason=why.cleaned_data["reason"])

    return _entry(request, title=_("New member of %(code)s") % {"code": household.code},
                  forms_=[why, person], run=run, households=[household],
                  done=lambda m: f"/households/{household.code}/", back=_back(household))


@login_required
def member_edit(request, member_id: str):
    member = _editable_member(request.user, member_id)
    form = _person_form()(request.POST or None, instance=None, prefix="p",
                          initial={f: getattr(member, f) for f in PERSON_FIELDS})

    def run():
        changes = {k: v for k, v in form.cleaned_data.items()
                   if k in PERSON_FIELDS and v != getattr(member, k)
                   and not (k in ("dibao", "tekun") and v == "")}
        for field in ("resident_id", "phone"):
            if form.cleaned_data.get(field):
                changes[field] = form.cleaned_data[field]
        return actions.do_update_member(member, changes, actor=request.user)

    return _entry(request, title=_("Edit %(name)s") % {"name": member.name}, forms_=[form],
                  run=run, households=[member.household],
                  done=lambda _r: f"/households/{member.household.code}/",
                  back=_back(member.household),
                  intro=_("Leave the ID number and phone empty to keep them."))


class MonthForm(forms.Form):
    month = forms.RegexField(label=_lazy("Month (YYYY-MM)"), regex=r"^\d{4}-(0[1-9]|1[0-2])$")


@login_required
def member_death(request, member_id: str):
    member = _editable_member(request.user, member_id)
    form = MonthForm(request.POST or None)
    return _entry(request, title=_("Record the death of %(name)s") % {"name": member.name},
                  forms_=[form], households=[member.household],
                  run=lambda: actions.do_record_death(member, form.cleaned_data["month"],
                                                      actor=request.user),
                  done=lambda _r: f"/households/{member.household.code}/",
                  back=_back(member.household))


class DestinationForm(forms.Form):
    household = forms.CharField(label=_lazy("Receiving household code (in your region)"),
                                max_length=20, required=False)
    village = forms.CharField(label=_lazy("Or the receiving village code (anywhere)"),
                              max_length=12, required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("household")) == bool(data.get("village")):
            raise forms.ValidationError(_("Give the receiving household or the receiving "
                                          "village."))
        return data


def _village(code: str):
    village = Region.objects.filter(code=code.strip(), level=Level.VILLAGE).first()
    if village is None:
        raise ValidationError(_("No village with this code."))
    return village


@login_required
def member_leave(request, member_id: str):
    """Marriage out, or a move to another household (in the region) or another village."""
    member = _editable_member(request.user, member_id)

    class LeaveForm(DestinationForm):
        reason = forms.ChoiceField(label=_lazy("Why the person leaves"), choices=[
            ("marriage_out", _lazy("Marriage out")), ("move", _lazy("Move"))])

    form = LeaveForm(request.POST or None)

    def run():
        data = form.cleaned_data
        to_household = None
        if data["household"]:
            try:
                to_household = actions.access_household(request.user, data["household"].strip())
            except NotFound:
                raise ValidationError(_("No household with this code in your region.")) from None
        if data["reason"] == "marriage_out":
            return actions.do_record_marriage_out(
                member, actor=request.user, to_household=to_household,
                to_village=None if to_household else _village(data["village"]))
        if to_household is not None:
            actions.do_move_member(member, to_household, actor=request.user, reason="move")
            return to_household
        new = actions.do_split_household(member.household, [member.member_id],
                                         actor=request.user, head_member_id=member.member_id,
                                         reason="move")
        actions.do_move_household(new, _village(data["village"]), actor=request.user,
                                  reason="move")
        return new

    return _entry(request, title=_("%(name)s leaves the household") % {"name": member.name},
                  forms_=[form], run=run, households=[member.household],
                  done=lambda _r: f"/households/{member.household.code}/",
                  back=_back(member.household))


@login_required
def household_move(request, code: str):
    household = _editable_household(request.user, code)

    class MoveForm(forms.Form):
        village = forms.CharField(label=_lazy("New village code (12 digits; any county)"),
                                  max_length=12)

    form = MoveForm(request.POST or None)

    def run():
        actions.do_move_household(household, _village(form.cleaned_data["village"]),
                                  actor=request.user, reason="move")
        return Household.objects.get(pk=household.pk)

    def done(moved):
        visible = scope_of(request.user).contains(moved.village_id)
        return f"/households/{moved.code}/" if visible else "/households/"

    return _entry(request, title=_("Move household %(code)s") % {"code": household.code},
                  forms_=[form], run=run, households=[household], done=done,
                  back=_back(household))


def _member_choices(household):
    return [(m.member_id, f"{m.name} ({m.get_relation_to_head_display()})")
            for m in household.members.filter(member_status="active").order_by("member_id")]


@login_required
def household_split(request, code: str):
    household = _editable_household(request.user, code)

    class SplitForm(forms.Form):
        members = forms.MultipleChoiceField(label=_lazy("Members who leave"),
                                            choices=_member_choices(household),
                                            widget=forms.CheckboxSelectMultiple)
        head = forms.ChoiceField(label=_lazy("Head of the new household"),
                                 choices=_member_choices(household))

    form = SplitForm(request.POST or None)
    return _entry(request, title=_("Split household %(code)s") % {"code": household.code},
                  forms_=[form], households=[household],
                  run=lambda: actions.do_split_household(
                      household, form.cleaned_data["members"], actor=request.user,
                      head_member_id=form.cleaned_data["head"]),
                  done=lambda new: f"/households/{new.code}/", back=_back(household))


@login_required
def household_merge(request, code: str):
    household = _editable_household(request.user, code)

    class MergeForm(forms.Form):
        into = forms.CharField(label=_lazy("Merge into household (code)"), max_length=20)

    form = MergeForm(request.POST or None)

    def run():
        try:
            target = actions.access_household(request.user, form.cleaned_data["into"].strip())
        except NotFound:
            raise ValidationError(_("No household with this code in your region.")) from None
        actions.do_merge_households(household, target, actor=request.user)
        return target

    return _entry(request, title=_("Merge household %(code)s") % {"code": household.code},
                  forms_=[form], households=[household], run=run,
                  done=lambda target: f"/households/{target.code}/", back=_back(household),
                  intro=_("Every member joins the other household (relation 'other' until "
                          "edited); this household is kept, marked as merged."))


@login_required
def household_head(request, code: str):
    household = _editable_household(request.user, code)
    members = list(household.members.filter(member_status="active").order_by("member_id"))

    class HeadForm(forms.Form):
        head = forms.ChoiceField(label=_lazy("New head"), choices=_member_choices(household))

    for member in members:
        HeadForm.base_fields[f"rel_{member.member_id}"] = forms.ChoiceField(
            label=_("Relation of %(name)s to the new head") % {"name": member.name},
            choices=choices("relation_to_head"), initial=member.relation_to_head)
    form = HeadForm(request.POST or None)

    def run():
        new_head = next(m for m in members if m.member_id == form.cleaned_data["head"])
        relations = {m.member_id: form.cleaned_data[f"rel_{m.member_id}"] for m in members}
        return actions.do_change_head(household, new_head, relations, actor=request.user)

    return _entry(request, title=_("Change the head of %(code)s") % {"code": household.code},
                  forms_=[form], households=[household], run=run,
                  done=lambda _r: f"/households/{household.code}/", back=_back(household))


def may_edit(user) -> bool:
    try:
        require(user, Capability.EDIT_REGISTRY)
    except PermissionDenied:
        return False
    return True
