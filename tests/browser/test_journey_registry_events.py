"""Registry journeys on a phone-sized screen: a household registered from a
self-declaration, a birth, a death, a move and a split, each ending in the household's
history."""

import polars as pl
import pytest

from dixian.cases.declaration import do_declare
from dixian.cases.models import SelfDeclaration
from dixian.core.models import Region
from dixian.core.roles import Role
from dixian.engine import identity
from dixian.registry import importing
from dixian.registry.models import Household, Member
from tests.browser.test_journey_registry import _login
from tests.conftest import VILLAGE, make_user
from tests.registry.builders import a_person, households_and_members

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def registry(county_regions):
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})


def _fill(page, prefix: str, values: dict):
    """Fill a Django form's fields by id, whatever their widget."""
    for key, value in values.items():
        selector = f"#id_{prefix}-{key}" if prefix else f"#id_{key}"
        element = page.locator(selector)
        tag = element.evaluate("e => e.tagName.toLowerCase()")
        if isinstance(value, bool):
            value = "true" if value else "false"
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        if tag == "select":
            element.select_option(str(value))
        else:
            element.fill(str(value))


def _save(page):
    page.click("#entry-form button.primary")
    page.wait_for_load_state()
    if page.locator("#warnings").count():  # warnings first: the person confirms
        page.click("#entry-form button.primary")
        page.wait_for_load_state()


HOUSE = {"household_type": "ordinary", "housing_grade": "B", "dangerous_house": False,
         "housing_area_m2": 60, "safe_drinking_water": True, "road_hardened": True,
         "electricity": True, "sanitary_toilet": True, "cultivated_mu": 2, "forest_mu": 0,
         "returned_forest_mu": 0, "orchard_mu": 0, "pasture_mu": 0, "water_surface_mu": 0}


@pytest.mark.browser
def test_a_household_registered_from_a_self_declaration(browser, live_server, registry,
                                                       screenshot_dir):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE, username="wang.cadre")
    village = Region.objects.get(code=VILLAGE)
    declaration = do_declare(village=village, head_name="赵四",
                             resident_id=identity.make_id("522326", "1970-01-02", 5, "M"),
                             phone="13912345678", risk_type="ILLNESS",
                             difficulty="住院花了三万元")
    assert declaration.status == SelfDeclaration.Status.RECEIVED  # not in the registry
    _login(page, cadre)
    page.goto("/declarations/")
    page.click(f"[data-register='{declaration.pk}']")
    assert "赵四" in page.locator(".muted").first.inner_text()
    head = a_person("赵四", "1970-01-02", 5, "M")
    for key in ("name", "resident_id", "relation_to_head"):
        head.pop(key)
    _fill(page, "h", HOUSE)
    _fill(page, "p", head)
    page.screenshot(path=str(screenshot_dir / "declared-household-form.png"), full_page=True)
    _save(page)
    page.wait_for_url("**/households/*/")
    household = Household.objects.get(source_ref=f"declaration:{declaration.pk}")
    assert household.members.get().name == "赵四"
    declaration.refresh_from_db()
    assert declaration.status == SelfDeclaration.Status.CLUE
    assert "declaration" in page.locator("#history").inner_text()
    page.screenshot(path=str(screenshot_dir / "declared-household-page.png"), full_page=True)
    context.close()


@pytest.mark.browser
def test_a_birth_a_death_a_move_and_a_split(browser, live_server, registry, screenshot_dir):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    admin = make_user(Role.COUNTY_ADMIN, "522326", username="li.admin")
    code = f"{VILLAGE}0001"
    _login(page, admin)
    # a birth
    page.goto(f"/households/{code}/")
    page.click("#act-birth")
    baby = a_person("王小花", "2025-04-01", 3, "F", relation="granddaughter")
    _fill(page, "p", baby)
    page.screenshot(path=str(screenshot_dir / "birth-form.png"), full_page=True)
    _save(page)
    page.wait_for_url(f"**/households/{code}/")
    assert "王小花" in page.locator("#members").inner_text()
    # a death
    page.click(f"[data-death='{code}-02']")
    page.fill("#id_month", "2025-06")
    _save(page)
    page.wait_for_url(f"**/households/{code}/")
    assert Member.objects.get(member_id=f"{code}-02").member_status == "deceased"
    assert "deceased" in page.locator("#history").inner_text()
    # a split: the son and the baby form a household headed by the son
    page.click("#act-split")
    page.check(f"#id_members input[value='{code}-03']")
    page.check(f"#id_members input[value='{code}-04']")
    page.select_option("#id_head", f"{code}-03")
    page.screenshot(path=str(screenshot_dir / "split-form.png"), full_page=True)
    _save(page)
    page.wait_for_url("**/households/*/")
    new_code = f"{VILLAGE}0003"
    assert page.url.endswith(f"/households/{new_code}/")
    assert Household.objects.get(code=new_code).members.count() == 2
    # a move of the new household to another village of the county
    page.click("#act-move")
    page.fill("#id_village", "522326101202")
    _save(page)
    page.wait_for_url("**/households/*/")
    moved = Household.objects.get(pk=Household.objects.get(source_ref=f"split:{code}").pk)
    assert moved.village_id == "522326101202" and page.url.endswith(f"/{moved.code}/")
    history = page.locator("#history").inner_text()
    assert "village" in history and "split" in history
    page.screenshot(path=str(screenshot_dir / "moved-household.png"), full_page=True)
    context.close()


@pytest.fixture
def screenshot_dir():
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
