"""The public self-declaration form."""

import polars as pl
import pytest

from dixian.cases.models import Case, SelfDeclaration
from dixian.registry import importing
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return tables


def _form(**overrides):
    data = {"village": VILLAGE, "head_name": "王一", "resident_id": "11010519491231002X",
            "phone": "13912345678", "risk_type": "ILLNESS", "difficulty": "住院花了很多钱"}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_registered_household_declares_and_a_case_opens(client, registry):
    head = registry["members"].to_pylist()[0]
    response = client.post("/declare/522326/", _form(resident_id=head["resident_id"]))
    assert response.status_code == 200 and "declared" in response.content.decode()
    declaration = SelfDeclaration.objects.get()
    assert declaration.status == SelfDeclaration.Status.CLUE
    assert declaration.clue.channel == "self_declaration"
    assert Case.objects.get(household__code=head["household_code"]).state == "clue"
    assert head["resident_id"] not in declaration.resident_id_enc
    assert declaration.phone_masked == "139****5678"


@pytest.mark.django_db
def test_an_unknown_household_waits_for_the_township(client, registry):
    client.post("/declare/522326/", _form())
    declaration = SelfDeclaration.objects.get()
    assert declaration.status == SelfDeclaration.Status.RECEIVED and declaration.clue is None


@pytest.mark.django_db
def test_a_bad_id_number_is_refused_with_a_message(client, registry):
    page = client.post("/declare/522326/", _form(resident_id="110105194912310021"))
    assert SelfDeclaration.objects.count() == 0
    assert "不正确" in page.content.decode() or "not valid" in page.content.decode()


@pytest.mark.django_db
def test_one_address_cannot_flood_the_form(client, registry):
    for _ in range(12):
        client.post("/declare/522326/", _form())
    assert SelfDeclaration.objects.count() == 10


@pytest.mark.django_db
def test_an_unknown_county_has_no_form(client, registry):
    assert client.get("/declare/999999/").status_code == 404
    assert client.get("/declare/522326/").status_code == 200


@pytest.mark.django_db
def test_the_township_accepts_a_waiting_declaration_onto_a_household(client, registry, users):
    from dixian.core.roles import Role

    client.post("/declare/522326/", _form(head_name="新户主"))
    waiting = SelfDeclaration.objects.get()
    client.force_login(users[Role.TOWNSHIP_REVIEWER])
    listing = client.get("/declarations/").content.decode()
    assert "新户主" in listing and "1101**********002X" in listing
    code = registry["households"]["household_code"][1].as_py()
    response = client.post("/declarations/", {"declaration": waiting.pk, "household": code})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == SelfDeclaration.Status.CLUE
    assert waiting.clue.received_at == waiting.received_at  # the clock starts at declaration
    assert "新户主" not in client.get("/declarations/").content.decode()
