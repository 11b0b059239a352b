"""The assistance engine's department codes are the Django side's ``Department`` codes.

The engine may not import Django, so it keeps plain string codes; this test (outside
``tests/engine``) compares them with ``dixian.core.roles.Department``; a code missing there
is listed in NOT_YET_IN_DEPARTMENT until the Django side gains it.
"""

from __future__ import annotations

from django.utils import translation

from dixian.core.roles import Department
from dixian.engine.assistance import DEFAULT, RULES, catalogue

#: used by the engine, not yet in Department (none now: agriculture_rural and health were added)
NOT_YET_IN_DEPARTMENT: set[str] = set()


def used_codes() -> set[str]:
    codes = set(catalogue.DEPARTMENTS)
    codes |= {i.department for i in DEFAULT.instruments.values()}
    codes |= {d for c in DEFAULT.categories.values() for d in c.departments}
    codes |= {r.department for r in RULES if r.department}
    return codes


def test_every_department_code_is_a_django_department_or_a_known_gap():
    django = {d.value for d in Department}
    assert used_codes() - django == NOT_YET_IN_DEPARTMENT, (
        "a department code of the assistance catalogue is not a Department choice; if "
        "Department gained agriculture_rural or health, remove it from "
        "NOT_YET_IN_DEPARTMENT")


def test_english_labels_are_those_of_the_django_departments():
    with translation.override("en"):
        for d in Department:
            if d.value in catalogue.DEPARTMENTS:
                assert catalogue.DEPARTMENTS[d.value][1] == str(d.label), d.value
