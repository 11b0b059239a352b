"""The burden, counted from the forms as rendered: for each task, how many fields a person
must type (an empty text, number or date box), how many come filled in and are only
confirmed, and how many are choices (a list or a tick). docs/burden.md shows this table;
the test fails when the forms and the document disagree, and when a monthly visit asks for
more than 10 typed fields (the target of issue 13).

Print the table:  DIXIAN_MODE=test DATABASE_URL=sqlite:///:memory: \\
    .venv/bin/python -m pytest tests/web/test_burden.py -q -s
"""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from django.utils import timezone

from dixian.cases.machine import Kind, State
from dixian.cases.models import Case
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household
from tests.cases.builders import make_monitored
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

DOC = Path(__file__).resolve().parents[2] / "docs" / "burden.md"
TYPED = {"text", "number", "date", "", "email", "tel", "textarea"}


class _Fields(HTMLParser):
    """The fields a person fills in one form (hidden inputs and buttons are not fields)."""

    def __init__(self):
        super().__init__()
        self.typed = self.filled = self.choices = 0
        self._select = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input":
            kind = a.get("type", "")
            if kind in ("hidden", "submit", "button", "file"):
                return
            if kind in ("checkbox", "radio"):
                self.choices += 1
            elif kind in TYPED:
                self.filled += 1 if a.get("value") not in (None, "") else 0
                self.typed += 1 if a.get("value") in (None, "") else 0
        elif tag == "textarea":
            self.typed += 1
        elif tag == "select":
            self.choices += 1


def count(html: str, form_marker: str) -> tuple[int, int, int]:
    found = re.search(r"<form[^>]*" + re.escape(form_marker) + r"[^>]*>(.*?)</form>", html,
                      re.S)
    assert found, f"no form {form_marker}"
    fields = _Fields()
    fields.feed(found.group(1))
    return fields.typed, fields.filled, fields.choices


@pytest.fixture
def household(county_regions):
    importing.apply_tables({n: pl.from_arrow(t) for n, t in
                            households_and_members(2, VILLAGE).items()})
    return Household.objects.order_by("code").first()


def _case_form(client, users, household, kind, state, role, action) -> tuple[int, int, int]:
    case, _ = Case.objects.update_or_create(
        household=household, defaults=dict(village_code=household.village_id, kind=kind,
                                           state=state, opened_at=timezone.now(),
                                           deadline=timezone.now() + timedelta(days=10)))
    client.force_login(users[role])
    return count(client.get(f"/cases/{case.pk}/").content.decode(),
                 f'data-action="{action}"')


def burden(client, users, household) -> dict[str, dict[str, tuple[int, int, int]]]:
    """task -> step -> (typed, filled in, choices)."""
    ident, elim = Kind.IDENTIFICATION, Kind.ELIMINATION
    steps = {
        "identification": [
            ("village cadre: visit", ident, State.VISIT, Role.VILLAGE_CADRE, "record_visit"),
            ("village cadre: village review", ident, State.VILLAGE_REVIEW, Role.VILLAGE_CADRE,
             "propose"),
            ("county: approval", ident, State.COUNTY_APPROVAL, Role.COUNTY_APPROVER,
             "county_approve")],
        "elimination": [
            ("village cadre: visit", elim, State.VISIT, Role.VILLAGE_CADRE, "record_visit"),
            ("village cadre: village review", elim, State.VILLAGE_REVIEW, Role.VILLAGE_CADRE,
             "propose"),
            ("county: approval", elim, State.COUNTY_APPROVAL, Role.COUNTY_APPROVER,
             "county_approve")],
    }
    out = {task: {name: _case_form(client, users, household, kind, state, role, action)
                  for name, kind, state, role, action in items}
           for task, items in steps.items()}
    Case.objects.filter(household=household).delete()
    make_monitored(household, since=timezone.now() - timedelta(days=70))
    client.force_login(users[Role.VILLAGE_CADRE])
    month = timezone.now().strftime("%Y-%m")
    page = client.get(f"/monitoring/{household.code}/visits/{month}/").content.decode()
    out["monthly visit"] = {"village cadre: visit form": count(page, 'id="visit"')}
    from dixian.assistance.models import Measure

    Measure.objects.create(household=household, village_code=household.village_id,
                           category="HEALTH", instrument="MEDICAL_PREMIUM_SUBSIDY",
                           department="medical_insurance", planned_on=timezone.now().date(),
                           due_on=timezone.now().date())
    client.force_login(users[Role.DEPARTMENT_OFFICER])
    page = client.get("/measures/").content.decode()
    out["measure update"] = {"department officer: board": count(page, "data-measure=")}
    return out


def table(numbers) -> str:
    lines = ["| task | step | typed | filled in (confirm) | choices |",
             "|---|---|---:|---:|---:|"]
    for task, steps in numbers.items():
        for step, (typed, filled, choices) in steps.items():
            lines.append(f"| {task} | {step} | {typed} | {filled} | {choices} |")
        total = [sum(v[i] for v in steps.values()) for i in range(3)]
        lines.append(f"| **{task}** | **all steps** | **{total[0]}** | **{total[1]}** | "
                     f"**{total[2]}** |")
    return "\n".join(lines)


@pytest.mark.django_db
def test_the_burden_is_counted_from_the_forms_and_documented(client, users, household):
    numbers = burden(client, users, household)
    rendered = table(numbers)
    print("\n" + rendered)
    visit_typed = sum(v[0] for v in numbers["monthly visit"].values())
    assert visit_typed <= 10, "a monthly visit asks for more than 10 typed fields"
    assert rendered in DOC.read_text(encoding="utf-8"), \
        "docs/burden.md ('After') differs from the forms: paste the printed table"
