"""People by name: a household shown as its head's name, its village (and township) and the
head's masked ID number, with the household code one click away.

Lists name their households through :func:`attach_people`, which costs two queries for a
whole page whatever its length (the heads, then the villages with their townships); the
template shows one with ``{% include "web/_person.html" with h=row.household %}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dixian.core.models import Region


@dataclass(frozen=True)
class Person:
    code: str
    name: str  # the head of household's name ("" when the registry names no head)
    masked_id: str  # the head's ID number, masked (every role sees only the mask)
    village: str
    township: str

    @property
    def place(self) -> str:
        return f"{self.township}{self.village}" if self.township else self.village


def attach_people(objects: Iterable, household_of: Callable = lambda o: o.household) -> list:
    """Set ``household.person`` on the household of each object; return the objects."""
    objects = list(objects)
    households = [h for h in (household_of(o) for o in objects) if h is not None]
    for start in range(0, len(households), CHUNK):
        _attach(households[start:start + CHUNK])
    return objects


CHUNK = 900  # households per query (a download of a county: a few queries per thousand)


def _attach(households: list) -> None:
    from dixian.registry.models import Member

    heads = {row[0]: row[1:] for row in Member.objects.filter(
        household_id__in={h.pk for h in households}, relation_to_head="head")
        .values_list("household_id", "name", "resident_id_masked")}
    villages = {r.code: r for r in Region.objects.filter(
        code__in={h.village_id for h in households}).select_related("parent")}
    for household in households:
        name, masked = heads.get(household.pk, ("", ""))
        village = villages.get(household.village_id)
        household.person = Person(
            code=household.code, name=name, masked_id=masked,
            village=village.name if village else household.village_id,
            township=village.parent.name if village and village.parent else "")


def person_of(household) -> Person:
    """One household's person (the household page, a case page)."""
    attach_people([household], household_of=lambda h: h)
    return household.person


def describe(household) -> str:
    """A household in one line of text (notifications, exports): 'name（village，code）'."""
    person = getattr(household, "person", None) or person_of(household)
    name = person.name or household.code
    return f"{name}（{person.place}，{household.code}）"


def removal_month(household) -> str | None:
    """The month (``YYYY-MM``, local time) a household left the lists (merged or dissolved),
    from its field history; None while it is active or when no change records it."""
    from django.utils import timezone

    if household.status == "active":
        return None
    changes = household.changes.filter(object_type="household", field="status").order_by("-time")
    for change in changes:
        if change.new_value != "active":
            return timezone.localtime(change.time).strftime("%Y-%m")
    return None
