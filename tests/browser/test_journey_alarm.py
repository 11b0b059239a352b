"""A flood in one village: the month's scan raises the bottom-line alarm; the county approver
finds it in the inbox and opens it to its households; the province administrator sees the
alarm without the households (the role does not read the registry)."""

import pytest

from dixian.alarms.actions import do_raise_alarms
from dixian.core.roles import Role
from tests.alarms.test_alarms import FLOODED, MONTH, flooded  # noqa: F401
from tests.browser.test_journey_registry import _login
from tests.conftest import COUNTY


@pytest.mark.browser
def test_an_alarm_opened_to_its_households(page, screenshot, flooded, users):  # noqa: F811
    alarm = do_raise_alarms(COUNTY, MONTH)[0]
    _login(page, users[Role.COUNTY_APPROVER])
    page.click("[data-nav=inbox]")
    page.click(f"#notifications a[href='/alarms/{alarm.pk}/']")
    page.wait_for_url(f"**/alarms/{alarm.pk}/")
    assert page.locator("#alarm-observed").inner_text() == str(FLOODED)
    rows = page.locator("#alarm-households tbody tr")
    assert rows.count() == FLOODED
    assert "因自然灾害" in rows.first.inner_text()
    screenshot("1-alarm-households")
    household = flooded[0]
    page.locator(f"#alarm-households a.person-code:has-text('{household}')").click()
    page.wait_for_url(f"**/households/{household}/")
    screenshot("2-household")
    page.click("button.link:has-text('退出')")

    _login(page, users[Role.PROVINCE_ADMIN])
    page.click("[data-nav=alarms]")
    page.click(f"#alarms a[href='/alarms/{alarm.pk}/']")
    assert page.locator("#alarm-no-households").is_visible()
    screenshot("3-province-alarm")
