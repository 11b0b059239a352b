"""A small registry and a project carried through the library, for the funds tests."""

from __future__ import annotations

from datetime import date

import polars as pl

from dixian.funds import actions
from dixian.funds.models import ProjectStep
from dixian.registry import importing
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

K = ProjectStep.Kind


def load_households(n: int = 4, village: str = VILLAGE) -> None:
    tables = households_and_members(n, village)
    importing.apply_tables({name: pl.from_arrow(t) for name, t in tables.items()})


def democracy(on: date) -> list[actions.DemocracyStep]:
    return [actions.DemocracyStep(kind, on, (f"{kind}.pdf",)) for kind in actions.DEMOCRACY]


def approved_project(users, *, on=date(2025, 1, 10), category="industry", amount="1000000"):
    from dixian.core.roles import Role

    project = actions.do_apply_project(
        region_code=VILLAGE, title="食用菌大棚", year=2025, category=category, amount=amount,
        planned_completion=date(2025, 10, 31), democracy=democracy(on),
        beneficiaries=[(f"{VILLAGE}0001", "dividends")], actor=users[Role.VILLAGE_CADRE], on=on)
    for role in (Role.TOWNSHIP_REVIEWER, Role.PROJECT_OFFICER, Role.COUNTY_APPROVER):
        actions.do_review_project(project, approve=True, documents=["review.pdf"],
                                  actor=users[role], on=on)
    return project
