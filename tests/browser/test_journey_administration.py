"""Administration journeys: a county administrator creates a user, who signs in, changes the
first password and sets up two-factor sign-in; a token is created on the Departments page and
a department's script (an HTTP client, no browser) uploads a feed and reads its alerts."""

import json
import re
import urllib.request
import uuid

import polars as pl
import pyotp
import pytest

from dixian.core import pii
from dixian.core.models import User
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Member
from tests.browser.test_journey_registry import _login
from tests.conftest import COUNTY, VILLAGE, make_user
from tests.registry.builders import households_and_members


@pytest.mark.browser
def test_a_user_created_by_a_county_administrator(page, screenshot, county_regions, settings):
    settings.DIXIAN_TWO_FACTOR = True
    admin = make_user(Role.COUNTY_ADMIN, COUNTY, username="li.admin")
    from dixian.core import actions

    secret = actions.do_begin_two_factor(admin)
    actions.do_confirm_two_factor(admin, pyotp.TOTP(secret).now())
    _login_with_code(page, admin.username, "correct-horse-battery-staple", secret)
    page.click("[data-nav=users]")
    page.click("#new-user")
    page.fill("#id_username", "chen.cadre")
    page.fill("#id_full_name", "陈")
    page.select_option("#id_role", "village_cadre")
    page.fill("#id_region", VILLAGE)
    screenshot("1-new-user")
    page.click("#entry-form button.primary")
    first = page.locator("#secret").inner_text()
    screenshot("2-first-password-shown-once")
    user = User.objects.get(username="chen.cadre")
    assert user.must_change_password and user.region_id == VILLAGE
    page.click("form[action='/logout/'] button")
    page.wait_for_url("**/login/**")  # sent once the phone's data are wiped
    # the new cadre: first password, then their own, then an authenticator
    page.goto("/login/")
    page.fill("#id_username", "chen.cadre")
    page.fill("#id_password", first)
    page.click("button.primary")
    page.wait_for_url("**/account/password/")
    page.fill("#id_old", first)
    page.fill("#id_new", "chen-own-password-2026")
    page.fill("#id_again", "chen-own-password-2026")
    page.click("#entry-form button.primary")
    page.wait_for_url("**/account/two-factor/setup/")
    key = page.locator("#secret-key").inner_text()
    screenshot("3-two-factor-setup")
    page.fill("#id_code", pyotp.TOTP(key).now())
    page.click("#entry-form button.primary")
    page.wait_for_url("**/")
    assert page.locator("[data-nav=households]").count() == 1


def _login_with_code(page, username, password, secret):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url("**/account/two-factor/**")
    from django.core.cache import cache

    cache.clear()
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("#entry-form button.primary")
    page.wait_for_url("**/")


def _call(base, path, token, *, data=None, headers=None, method=None):
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _multipart(name, filename, content):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").encode() + content + \
        f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.browser
def test_a_token_created_then_used_by_a_department_script(page, screenshot, live_server,
                                                         county_regions, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    admin = make_user(Role.COUNTY_ADMIN, COUNTY, username="li.admin")
    _login(page, admin)
    page.click("[data-nav=departments]")
    page.fill("#id_a-name", "minzheng-system")
    page.select_option("#id_a-department", "civil_affairs")
    page.fill("#id_a-region", COUNTY)
    page.click("#account-form button.primary")
    page.wait_for_url("**/departments/accounts/*/")
    page.fill("#id_name", "monthly upload")
    page.check("#id_scopes input[value='feeds:upload']")
    page.check("#id_scopes input[value='alerts:read']")
    page.click("#token-form button.primary")
    token = page.locator("#token").inner_text()
    assert re.fullmatch(r"dxn_[0-9a-f]{8}_\S+", token)
    screenshot("1-token-shown-once")
    page.reload()
    assert page.locator("#token").count() == 0  # shown once only

    # the department's script: upload this month's file, then read the alerts
    member = Member.objects.get(member_id=f"{VILLAGE}0001-01")
    resident_id = pii.decrypt(member.resident_id_enc, "resident_id")
    csv = ("记录编号,身份证号码,姓名,救助类别,变动类型,生效日期,金额\n"
           f"R1,{resident_id},王一,最低生活保障,新增,2025-05-03,600\n").encode()
    body, headers = _multipart("file", "minzheng_2025-05.csv", csv)
    batch = _call(live_server.url, "/api/exchange/feeds", token, data=body, headers=headers,
                  method="POST")
    assert (batch["status"], batch["matched"]) == ("accepted", 1)
    member.refresh_from_db()
    assert member.dibao == "rural"  # the department's fact, with its provenance
    from dixian.engine.scope import RegionScope
    from dixian.exchange import actions as exchange

    exchange.do_run_screening(RegionScope.of(COUNTY), "2025-05")
    alerts = _call(live_server.url, "/api/dci/alerts?period=2025-05", token)
    assert "items" in alerts and alerts["count"] == len(alerts["items"])
    # revoked on the page: the script is refused
    page.click("#tokens button.revoke")
    try:
        _call(live_server.url, "/api/dci/alerts", token)
        refused = None
    except urllib.error.HTTPError as error:
        refused = error.code
    assert refused == 401
    screenshot("2-token-revoked")
