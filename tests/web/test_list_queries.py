"""A query-count guard on each daily list: the number of queries does not grow with the
rows shown (people by name cost two queries a page, not two a row), and stays under a cap."""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dixian.assistance.models import Measure
from dixian.cases.models import Case
from dixian.core import middleware
from dixian.core.models import Region
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household
from tests.cases.builders import make_monitored
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

COUNTY = VILLAGE[:6]
MONTH = timezone.now().strftime("%Y-%m")
LISTS = [  # (role, url)
    (Role.COUNTY_APPROVER, "/cases/"),
    (Role.COUNTY_APPROVER, "/cases/?overdue=1&sort=village"),
    (Role.VILLAGE_CADRE, "/inbox/"),
    (Role.COUNTY_ADMIN, "/inbox/"),
    (Role.VILLAGE_CADRE, "/visits/"),
    (Role.COUNTY_APPROVER, "/eliminations/"),
    (Role.DEPARTMENT_OFFICER, "/measures/"),
    (Role.COUNTY_APPROVER, "/alerts/"),
    (Role.COUNTY_APPROVER, "/quality/"),
    (Role.COUNTY_APPROVER, "/assistance/issues/"),
    (Role.COUNTY_APPROVER, "/households/?q=王"),
    (Role.DEPARTMENT_OFFICER, "/feeds/alerts/"),
    (Role.COUNTY_ADMIN, "/households/"),
    (Role.COUNTY_ADMIN, "/alerts/"),
    (Role.ANALYST, "/assistance/coverage/"),
    (Role.VILLAGE_CADRE, "/offline/bundle/"),
    *[(Role.ANALYST, f"/statistics/{COUNTY}/households/?indicator={name}&period={MONTH}")
      for name in ("monitored", "uncovered", "ident_decisions", "cases_overdue",
                   "quality_open", "mon_income")],
]
CAP = 30


def _grow(villages: list[str], per_village: int) -> None:
    now = timezone.now()
    for village in villages:
        importing.apply_tables({n: pl.from_arrow(t) for n, t in
                                households_and_members(per_village, village).items()})
    for k, h in enumerate(Household.objects.filter(cases__isnull=True, spells__isnull=True)):
        make_monitored(h, since=now - timedelta(days=250))
        Case.objects.filter(household=h).update(state="visit", deadline=now + timedelta(
            days=k % 7 - 3))
        Measure.objects.create(household=h, village_code=h.village_id, category="HEALTH",
                               instrument="MEDICAL_PREMIUM_SUBSIDY",
                               department="medical_insurance", planned_on=now.date(),
                               due_on=now.date())


def _queries(client, users, role, url) -> int:
    """The queries of the page's second render: the first may fill a process's caches (the
    policy in force) or the session (a CSRF token), a cost that does not come again. The
    clock stands still for both: the session records when it was last seen at most once a
    minute (:class:`AccountGuardMiddleware`), a write that would otherwise fall into
    whichever render crosses the minute, on a slow machine the second."""
    client.force_login(users[role])
    moment = time.time()
    still = SimpleNamespace(time=lambda: moment)
    with mock.patch.object(middleware, "time", still):
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_daily_lists_cost_the_same_few_queries_for_many_rows(client, users):
    villages = list(Region.objects.filter(parent_id=VILLAGE[:9]).order_by("code")
                    .values_list("code", flat=True)[:4])
    _grow(villages[:1], 5)
    few = {(role, url): _queries(client, users, role, url) for role, url in LISTS}
    _grow(villages, 12)  # the first village (the cadre's) grows too
    many = {(role, url): _queries(client, users, role, url) for role, url in LISTS}
    grew = {k: (few[k], many[k]) for k in LISTS if many[k] > few[k]}
    assert grew == {}, f"queries grow with the rows: {grew}"
    over = {k: many[k] for k in LISTS if many[k] > CAP}
    assert over == {}, f"more than {CAP} queries: {over}"


@pytest.mark.django_db
def test_the_households_behind_a_figure_are_kept_until_the_ledger_changes(settings, users):
    """Computed once, read from the cache while nothing it reads changes (a visit is not
    an input of the stock lists), computed again after an audited write to its tables."""
    from unittest import mock

    from django.core.cache import cache

    from dixian.cases.models import MonitoringVisit
    from dixian.registry.actions import do_update_household
    from dixian.statistics import bridge

    settings.DIXIAN_CACHE_BEHIND = True
    cache.clear()
    bridge._INPUTS.clear()
    _grow([VILLAGE], 3)
    period = timezone.now().strftime("%Y-%m")
    household = Household.objects.order_by("pk").first()
    with mock.patch.object(bridge, "_households_behind", wraps=bridge._households_behind) as run:
        first = bridge.households_behind(VILLAGE[:6], "monitored", period=period)
        again = bridge.households_behind(VILLAGE[:6], "monitored", period=period)
        assert run.call_count == 1 and again.equals(first)
        MonitoringVisit.objects.create(household=household, village_code=household.village_id,
                                       month=period, visited_on=timezone.now().date(),
                                       visitor=users[Role.VILLAGE_CADRE])
        bridge.households_behind(VILLAGE[:6], "monitored", period=period)
        assert run.call_count == 1
        do_update_household(household, {"phone": "13900000000"}, actor=users[Role.COUNTY_ADMIN])
        bridge.households_behind(VILLAGE[:6], "monitored", period=period)
        assert run.call_count == 2
    bridge._INPUTS.clear()
    cache.clear()


@pytest.mark.django_db
def test_a_figures_households_read_only_their_inputs_once_per_ledger_state(settings, users):
    """Two lists of the same county after one write read each input table once (kept while
    the ledger does not change); a sign-in is no write; an audited write reads them again,
    and the list then shows it."""
    from unittest import mock

    from django.core.cache import cache

    from dixian.cases.actions import do_receive_clue
    from dixian.core import audit
    from dixian.statistics import bridge

    settings.DIXIAN_CACHE_BEHIND = True
    cache.clear()
    bridge._INPUTS.clear()
    _grow([VILLAGE], 3)
    with mock.patch.object(bridge, "ledger_tables", wraps=bridge.ledger_tables) as read:
        monitored = bridge.households_behind(COUNTY, "monitored", period=MONTH)
        assert read.call_args.kwargs["only"] == {"households", "spells"}
        bridge.households_behind(COUNTY, "uncovered", period=MONTH)
        assert read.call_args.kwargs["only"] == {"measures"}
        assert read.call_count == 2
        audit.record("auth.login", actor=users[Role.VILLAGE_CADRE], object_type="user",
                     object_id="x")
        assert bridge.households_behind(COUNTY, "monitored", period=MONTH).equals(monitored)
        assert read.call_count == 2
        do_receive_clue(Household.objects.order_by("pk").first(), channel="cadre_visit",
                        risk_type="EDUCATION")
        identified = bridge.households_behind(COUNTY, "identified", period=MONTH)
        assert read.call_count == 3
    assert identified["household_code"].to_pylist() == bridge._households_behind(
        COUNTY, "identified", period=MONTH, category=None, risk_type=None,
        status=None)["household_code"].to_pylist()
    bridge._INPUTS.clear()
    cache.clear()
