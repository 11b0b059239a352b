"""A clue's risk type is one of the registry's risk types (schema.ENUMS["risk_type"]):
"BOGUS" or HTML is refused by the API and the form, and nothing is recorded."""

import polars as pl
import pytest

from dixian.cases.models import Case, Clue
from dixian.core.roles import Role
from dixian.engine.schema import ENUMS
from dixian.registry import importing
from dixian.registry.models import Household
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

BAD = ["BOGUS", "<script>alert(1)</script>", "", "illness", "ILLNESS "]


@pytest.fixture
def household(county_regions):
    tables = households_and_members(1, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return Household.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize("risk_type", BAD)
def test_the_api_refuses_an_unknown_risk_type(client, users, household, risk_type):
    client.force_login(users[Role.VILLAGE_CADRE])
    response = client.post("/api/procedures/clues", {"household": household.code,
                                                     "risk_type": risk_type,
                                                     "description": "住院"},
                           content_type="application/json")
    assert response.status_code == 400, response.content
    assert not Clue.objects.exists() and not Case.objects.exists()
    assert Household.objects.get().risk_types == []


@pytest.mark.django_db
@pytest.mark.parametrize("risk_type", BAD)
def test_the_form_refuses_an_unknown_risk_type(client, users, household, risk_type):
    client.force_login(users[Role.VILLAGE_CADRE])
    response = client.post(f"/monitoring/{household.code}/clue/",
                           {"risk_type": risk_type, "description": "住院"})
    assert response.status_code == 302
    assert not Clue.objects.exists() and not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("risk_type", sorted(ENUMS["risk_type"]))
def test_every_known_risk_type_is_accepted(client, users, household, risk_type):
    client.force_login(users[Role.VILLAGE_CADRE])
    response = client.post("/api/procedures/clues", {"household": household.code,
                                                     "risk_type": risk_type,
                                                     "description": "住院"},
                           content_type="application/json")
    assert response.status_code == 200 and Clue.objects.get().risk_type == risk_type
