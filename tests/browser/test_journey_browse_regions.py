"""A county official logs in, switches language and browses the county's villages."""

import pytest

from dixian.core.roles import Role
from tests.conftest import PASSWORD, make_user


@pytest.mark.browser
def test_county_official_browses_the_villages_of_the_county(page, screenshot, county_regions):
    user = make_user(Role.COUNTY_APPROVER, "522326", username="wang.approver")
    page.goto("/")
    assert "/login/" in page.url
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    screenshot("1-login")
    page.click("button.primary")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text().startswith("欢迎")

    page.click("[data-nav=regions]")
    page.wait_for_url("**/regions/522326/")
    assert "望谟县" in page.locator("h1").inner_text()
    townships = page.locator("#children tbody tr")
    assert townships.count() > 5
    screenshot("2-county-zh")

    page.click("button[data-lang=en]")
    page.wait_for_load_state()
    assert page.locator("th").first.inner_text() == "Code"
    page.locator("#children tbody tr a").first.click()
    page.wait_for_url("**/regions/522326*/")
    villages = page.locator("#children tbody tr")
    assert villages.count() > 3
    first_village = villages.first.locator("a")
    name = first_village.inner_text()
    screenshot("3-township-en")
    first_village.click()
    assert name in page.locator("h1").inner_text()
    assert "this is a village" in page.content()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/regions/search/?q=村")
    assert page.locator("#results tbody tr").count() > 10
    screenshot("4-search-phone")

    page.goto("/regions/522633/")  # the neighbouring county: out of scope
    assert "Not found" in page.locator("h1").inner_text()
