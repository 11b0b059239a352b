"""The life-event pages: a form is previewed (errors refuse, warnings wait for a
confirmation), then saved through the same actions."""

import polars as pl
import pytest

from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household, Member
from tests.conftest import VILLAGE
from tests.registry.builders import a_person, households_and_members


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})


def person_post(prefix, values):
    out = {}
    for key, value in values.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        out[f"{prefix}-{key}"] = "" if value is None else str(value)
    return out


@pytest.mark.django_db
def test_a_birth_on_the_page(client, registry, users):
    client.force_login(users[Role.VILLAGE_CADRE])
    household = f"{VILLAGE}0001"
    assert client.get(f"/households/{household}/members/new/").status_code == 200
    baby = a_person("王小宝", "2025-03-01", 2, "F", relation="granddaughter")
    data = {"reason": "birth", **person_post("p", baby)}
    bad = {**data, "p-resident_id": baby["resident_id"][:-1] + "0"}
    page = client.post(f"/households/{household}/members/new/", bad)
    assert page.status_code == 200 and "errorlist" in page.content.decode()  # check digit
    assert not Member.objects.filter(name="王小宝").exists()
    response = client.post(f"/households/{household}/members/new/", data)
    if response.status_code == 200:  # warnings shown first: confirm
        assert 'name="confirmed"' in response.content.decode(), response.content.decode()[:3000]
        response = client.post(f"/households/{household}/members/new/",
                               {**data, "confirmed": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Member.objects.filter(household__code=household, name="王小宝").exists()
    history = client.get(f"/households/{household}/").content.decode()
    assert "birth" in history


@pytest.mark.django_db
def test_a_household_added_on_the_page(client, registry, users):
    client.force_login(users[Role.COUNTY_ADMIN])
    assert client.get("/households/new/").status_code == 200
    head = a_person("张三", "1980-02-03", 1, "M")
    head.pop("relation_to_head")
    facts = {"household_type": "ordinary", "housing_grade": "B", "dangerous_house": False,
             "housing_area_m2": 60, "safe_drinking_water": True, "road_hardened": True,
             "electricity": True, "sanitary_toilet": True, "cultivated_mu": 2,
             "forest_mu": 0, "returned_forest_mu": 0, "orchard_mu": 0, "pasture_mu": 0,
             "water_surface_mu": 0, "phone": "13800001111"}
    data = {"village": VILLAGE, **person_post("h", facts), **person_post("p", head),
            "confirmed": "1"}
    response = client.post("/households/new/", data)
    assert response.status_code == 302, response.content.decode()[:4000]
    assert Household.objects.filter(code=f"{VILLAGE}0003").exists()
