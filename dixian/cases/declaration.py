"""Self-declaration, the first of the five channels: a short public form."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dixian.cases import actions
from dixian.cases.bridge import identity
from dixian.cases.models import Channel, SelfDeclaration
from dixian.core import audit, pii
from dixian.registry.enums import choices
from dixian.registry.models import Member

# Declarations accepted from one address per hour: enough for a family helping neighbours,
# not for a script.
PER_ADDRESS_PER_HOUR = 10


class DeclarationForm(forms.Form):
    village = forms.ChoiceField(label=_("Village"))
    head_name = forms.CharField(label=_("Name of the head of household"), max_length=64)
    resident_id = forms.CharField(label=_("ID number of the head of household"), max_length=22)
    phone = forms.RegexField(label=_("Phone"), regex=r"^1[3-9]\d{9}$")
    risk_type = forms.ChoiceField(label=_("Main difficulty"), choices=choices("risk_type"))
    difficulty = forms.CharField(label=_("What happened"), widget=forms.Textarea, max_length=1000)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped by township: three villages named 团结村 are told apart by their township.
        groups: dict[str, list] = {}
        for v in villages:
            township = v.parent.name if v.parent_id and v.parent else ""
            groups.setdefault(township, []).append((v.code, f"{township} · {v.name}"
                                                    if township else v.name))
        self.fields["village"].choices = [("", _("Choose your township and village"))] + [
            (township, options) for township, options in groups.items()]

    def clean_resident_id(self):
        value = pii.normalise_id(self.cleaned_data["resident_id"])
        if not identity.is_valid(value):
            raise forms.ValidationError(_("This ID number is not valid; please check it."))
        return value


def too_many(client: str) -> bool:
    key = f"declarations:{client}"
    count = cache.get(key, 0)
    if count >= PER_ADDRESS_PER_HOUR:
        return True
    cache.set(key, count + 1, 3600)
    return False


def do_declare(*, village, head_name: str, resident_id: str, phone: str, risk_type: str,
               difficulty: str, entered_by=None) -> SelfDeclaration:
    """Record the declaration; if a registered member of that village has the ID number,
    it becomes a clue on the household's case at once."""
    protected_id = pii.protect_id(resident_id)
    protected_phone = pii.protect_phone(phone)
    with transaction.atomic():
        declaration = SelfDeclaration.objects.create(
            village=village, head_name=head_name, resident_id_enc=protected_id.enc,
            resident_id_token=protected_id.token, resident_id_masked=protected_id.masked,
            phone_enc=protected_phone.enc, phone_masked=protected_phone.masked,
            risk_type=risk_type, difficulty=difficulty,
            entered_by=entered_by if getattr(entered_by, "is_authenticated", False) else None)
        member = Member.objects.filter(resident_id_token=protected_id.token,
                                       household__village=village).select_related(
            "household").first()
        if member is not None:
            clue = actions.do_receive_clue(member.household, channel=Channel.SELF_DECLARATION,
                                           risk_type=risk_type, description=difficulty,
                                           reference=f"declaration:{declaration.pk}",
                                           actor=entered_by)
            declaration.household = member.household
            declaration.clue = clue
            declaration.status = SelfDeclaration.Status.CLUE
            declaration.save(update_fields=["household", "clue", "status"])
        audit.record("case.self_declaration", actor=entered_by, obj=declaration,
                     region_code=village.code,
                     after={"status": declaration.status, "risk_type": risk_type,
                            "id": protected_id.masked})
    return declaration


def do_accept_declaration(declaration: SelfDeclaration, household, *, actor):
    """The township matches a waiting declaration to a registered household: it becomes a
    clue on that household's case (the self-declaration channel, with its original time)."""
    if declaration.status != SelfDeclaration.Status.RECEIVED:
        raise ValueError("this declaration has already become a clue")
    if household.village_id != declaration.village_id:
        raise ValueError("the household is not in the declared village")
    with transaction.atomic():
        clue = actions.do_receive_clue(household, channel=Channel.SELF_DECLARATION,
                                       risk_type=declaration.risk_type,
                                       description=declaration.difficulty,
                                       reference=f"declaration:{declaration.pk}", actor=actor,
                                       received_at=declaration.received_at)
        declaration.household, declaration.clue = household, clue
        declaration.status = SelfDeclaration.Status.CLUE
        declaration.save(update_fields=["household", "clue", "status"])
        audit.record("case.declaration_accept", actor=actor, obj=declaration,
                     region_code=declaration.village_id, after={"household": household.code})
    return clue


def do_register_declared_household(declaration: SelfDeclaration, household_values: dict,
                                   head_values: dict, *, actor):
    """A declaration from a household that is not in the registry: register the household,
    its head named and identified as declared (the ID and phone are carried over encrypted,
    never shown), and accept the declaration on it, so that it becomes a clue dated when it
    was received."""
    from dixian.registry import actions as registry

    if declaration.status != SelfDeclaration.Status.RECEIVED:
        raise ValueError("this declaration has already become a clue")
    with transaction.atomic():
        head = {**head_values, "name": declaration.head_name,
                "resident_id": pii.decrypt(declaration.resident_id_enc, "resident_id")}
        values = dict(household_values)
        if declaration.phone_enc and not values.get("phone"):
            values["phone"] = pii.decrypt(declaration.phone_enc, "phone")
        household = registry.do_add_household(declaration.village, values, head, actor=actor,
                                              source_ref=f"declaration:{declaration.pk}")
        clue = do_accept_declaration(declaration, household, actor=actor)
    return household, clue
