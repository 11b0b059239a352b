"""The village cadre on a phone (390 px): the inbox, a household, the monthly visit (saved,
then corrected), a clue, the village notice; then without a signal: households kept on the
phone (encrypted), a visit recorded offline and synced when the signal returns, and a
conflict (the household changed meanwhile) resolved by the cadre. Screenshots at each step
in test-artifacts/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from django.utils import timezone

from dixian.cases.models import Clue, MonitoringVisit
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_journey_registry import _login
from tests.cases.builders import make_monitored
from tests.conftest import VILLAGE, make_user

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def village(county_regions):
    tables = households_and_members_for_phone()
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    households = list(Household.objects.order_by("code"))
    for h in households:
        make_monitored(h, since=timezone.now() - timedelta(days=70))
    return households


def households_and_members_for_phone():
    from tests.registry.builders import households_and_members

    return households_and_members(3, VILLAGE)


@pytest.fixture
def cadre(county_regions):
    return make_user(Role.VILLAGE_CADRE, VILLAGE, username="zhang.cadre")


@pytest.fixture
def phone(browser, live_server, request):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(name):
        page.screenshot(path=str(ARTIFACTS / f"phone-{request.node.name}-{name}.png"),
                        full_page=True)

    page.shot = shot
    yield context, page
    context.close()


def _fits(page) -> None:
    """Nothing wider than the phone: the page does not scroll sideways (a wide table scrolls
    inside itself), no header cell wraps one character a line, a checkbox sits on its
    label's line."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the phone"
    narrow = page.evaluate("""[...document.querySelectorAll('th, h1, h2, button, .person-name')]
        .filter(e => e.offsetParent && e.textContent.trim().length >= 2)
        .filter(e => { const style = getComputedStyle(e), box = e.getBoundingClientRect();
                       const lh = parseFloat(style.lineHeight) || 20;
                       return box.width < 2.2 * parseFloat(style.fontSize)
                              && box.height > 1.8 * lh; })
        .map(e => e.textContent.trim())""")
    assert narrow == [], f"one character a line: {narrow}"
    apart = page.evaluate("""[...document.querySelectorAll('label.check')].filter(l => {
        const box = l.querySelector('input').getBoundingClientRect();
        const label = l.getBoundingClientRect();
        return box.top < label.top - 2 || box.bottom > label.bottom + 2; }).length""")
    assert apart == 0, "a checkbox sits apart from its label"


@pytest.mark.browser
def test_a_village_cadre_works_on_a_phone(phone, village, cadre):
    context, page = phone
    household = village[0]
    head = household.members.get(relation_to_head="head")
    _login(page, cadre)
    page.goto("/inbox/")
    assert head.name in page.locator("#visits-due").inner_text()  # by name, not by code
    _fits(page)
    page.shot("1-inbox")
    page.goto(f"/monitoring/{household.code}/")
    _fits(page)
    page.shot("2-household")
    page.goto(f"/monitoring/{household.code}/visits/{timezone.now():%Y-%m}/")
    assert page.locator("select[name=new_risk]").input_value() == ""  # no new risk by default
    assert "无新增风险" in page.locator("select[name=new_risk] option:checked").inner_text()
    _fits(page)
    page.shot("3-visit")
    page.fill("input[name=wage]", "1800")
    page.click("#visit button.primary")
    page.wait_for_url(f"**/monitoring/{household.code}/")
    visit = MonitoringVisit.objects.get(household=household)
    assert visit.findings["income"]["wage"] == 1800 and visit.new_risk == ""
    assert not Clue.objects.filter(case__household=household).exists()
    # Corrected on the same form until the month closes.
    page.goto(f"/monitoring/{household.code}/visits/{visit.month}/")
    assert page.locator("#correctable").count() == 1
    page.fill("input[name=wage]", "1600")
    page.click("#visit button.primary")
    page.wait_for_url(f"**/monitoring/{household.code}/")
    visit.refresh_from_db()
    assert visit.findings["income"]["wage"] == 1600
    page.goto(f"/monitoring/{village[1].code}/")
    _fits(page)
    page.goto(f"/notices/{VILLAGE}/")
    _fits(page)
    page.shot("4-notice")
    page.goto("/offline/")
    _fits(page)


@pytest.mark.browser
def test_visits_recorded_without_a_signal_sync_and_a_conflict_is_the_cadres_to_resolve(
        phone, village, cadre):
    context, page = phone
    _login(page, cadre)
    page.goto("/offline/")
    page.wait_for_selector("#households details.household")
    assert page.locator("#households details.household").count() == 3
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker, which keeps the shell
    page.wait_for_selector("#households details.household")
    # Nothing personal is kept in clear on the phone: the store holds ciphertext only.
    stored = page.evaluate("""new Promise(r => { const o = indexedDB.open('dixian-offline');
        o.onsuccess = () => { const g = o.result.transaction('kv').objectStore('kv').get('bundle');
        g.onsuccess = () => r(Object.prototype.toString.call(g.result.sealed)); }; })""")
    assert stored == "[object ArrayBuffer]"

    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#households details.household")
    first, second = village[0], village[1]
    _record_offline(page, first, wage="2100")
    assert page.locator("#outbox-count").get_attribute("data-pending") == "1"
    page.shot("5-offline-queued")
    assert not MonitoringVisit.objects.filter(household=first).exists()

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#outbox-count[data-total='0']")
    visit = MonitoringVisit.objects.get(household=first)
    assert visit.findings["income"]["wage"] == 2100

    # A conflict: the household changes on the platform while the phone is offline.
    context.set_offline(True)
    _record_offline(page, second, wage="2500")
    Household.objects.filter(pk=second.pk).update(housing_grade="C",
                                                  updated_at=timezone.now())
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector(".outbox-item[data-status='conflict']")
    assert not MonitoringVisit.objects.filter(household=second).exists()  # not overwritten
    assert page.locator(".outbox-item tr[data-field='housing_grade']").count() == 1
    _fits(page)
    page.shot("6-conflict")
    page.click(".outbox-item .keep-mine")
    page.wait_for_selector("#outbox-count[data-total='0']")
    assert MonitoringVisit.objects.get(household=second).findings["income"]["wage"] == 2500
    page.shot("7-synced")
    # Logging out clears the phone: the key and the data.
    page.click("form[data-logout] button")
    page.wait_for_url("**/login/**")
    gone = page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))")
    assert "dixian-offline" not in gone


def _record_offline(page, household, wage: str) -> None:
    item = page.locator(f"details.household[data-household='{household.code}']")
    item.locator("summary").click()
    form = item.locator("form.visit-form")
    form.locator("input[name=wage]").fill(wage)
    form.locator("button.primary").click()
    page.wait_for_selector(f".outbox-item[data-household='{household.code}']")
