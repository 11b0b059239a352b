"""The change counters the database keeps per input table (dixian/statistics/versions.py):
the lists of a figure's households keep each table until a write to it, through any path
(the importer, an action, bulk update, raw SQL), and a write to another table reads none
of the tables it does not touch."""

from __future__ import annotations

from unittest import mock

import polars as pl
import pyarrow as pa
import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F

from dixian.engine.indicators.periods import add_months
from dixian.engine.schema import conform
from dixian.registry import importing
from dixian.registry.models import Household, Income
from dixian.statistics import bridge, versions
from tests.web.test_list_queries import COUNTY, MONTH, VILLAGE, _grow


def installed(connection) -> set[str]:
    """The names of the version triggers present (read from the database's catalogue)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall()
                if "_version" in name or name.endswith(("_key_update", "_key_delete"))}

def _incomes(codes: list[str], wage: int) -> pa.Table:
    rows = [{"household_code": code, "period": add_months(MONTH, -k), "wage": wage,
             "business": 300, "property": 0, "transfer": 120, "business_cost": 100,
             "insurance_payout": 0, "compliant_oop_medical": 0}
            for code in codes for k in range(12)]
    return conform(pa.Table.from_pylist(rows), "incomes")


def _values(table: pa.Table) -> dict[str, float]:
    return dict(zip(table["household_code"].to_pylist(), table["value"].to_pylist(),
                    strict=True))


def _list() -> dict[str, float]:
    return _values(bridge.households_behind(COUNTY, "mon_income", period=MONTH))


def _fresh() -> dict[str, float]:
    return _values(bridge._households_behind(COUNTY, "mon_income", period=MONTH, category=None,
                                             risk_type=None, status=None))


@pytest.fixture
def kept(settings, users):
    settings.DIXIAN_CACHE_BEHIND = True
    cache.clear()
    bridge._INPUTS.clear()
    _grow([VILLAGE], 3)
    codes = list(Household.objects.order_by("code").values_list("code", flat=True))
    importing.apply_tables({"incomes": pl.from_arrow(_incomes(codes, 1500))})
    yield codes
    bridge._INPUTS.clear()
    cache.clear()


def test_every_input_table_has_its_triggers(db):
    names = installed(connection)
    if connection.vendor == "sqlite":
        expected = {f"{t}_version_{e}" for t in versions.TRACKED
                    for e in ("insert", "update", "delete")}
    else:
        expected = {f"{t}_version" for t in versions.TRACKED}
    assert expected | {"registry_household_key_update", "registry_household_key_delete"} <= names


def test_the_triggers_come_back_after_every_migrate(db):
    """SQLite drops a table's triggers when a migration rebuilds the table: post_migrate
    puts them back."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    expected = installed(connection)
    versions.remove(connection)
    assert installed(connection) == set()
    config = apps.get_app_config("statistics")
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False,
                      using="default", apps=apps, plan=[])
    assert installed(connection) == expected


def test_each_kind_of_write_moves_the_version_of_what_it_touches(db, kept):
    def now():
        return bridge.input_versions(("incomes", "members", "households", "clues"))

    before = now()
    Income.objects.filter(household__code=kept[0], period=MONTH).update(wage=F("wage") + 1)
    after = now()
    assert after["incomes"] != before["incomes"]
    assert after["members"] == before["members"] and after["clues"] == before["clues"]
    # a household's other fields: its own table moves, not the tables joined to its code
    Household.objects.filter(code=kept[0]).update(housing_grade="C")
    again = now()
    assert again["households"] != after["households"] and again["incomes"] == after["incomes"]
    # a raw delete, as an importer's SQL would do
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_income WHERE period = %s", [MONTH])
    assert now()["incomes"] != again["incomes"]


def test_an_income_written_shows_at_once_on_the_income_list(db, kept):
    first = _list()
    assert first and first == _fresh()
    # through the real importer (an upsert of existing months)
    importing.apply_tables({"incomes": pl.from_arrow(_incomes(kept[:1], 9000))})
    second = _list()
    assert second[kept[0]] > first[kept[0]] and second == _fresh()
    # through a bulk update
    Income.objects.filter(household__code=kept[1]).update(wage=F("wage") + 6000)
    third = _list()
    assert third[kept[1]] > second[kept[1]] and third == _fresh()
    # through raw SQL
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_income SET wage = wage + 6000 WHERE household_id = %s",
                       [Household.objects.get(code=kept[2]).pk])
    fourth = _list()
    assert fourth[kept[2]] > third[kept[2]] and fourth == _fresh()
    # through a queryset delete, then bulk_create
    Income.objects.filter(household__code=kept[2], period=MONTH).delete()
    assert _list() == _fresh()
    Income.objects.bulk_create([Income(household=Household.objects.get(code=kept[2]),
                                       period=MONTH, wage=90_000, business=0, property=0,
                                       transfer=0, business_cost=0)])
    fifth = _list()
    assert fifth[kept[2]] > fourth[kept[2]] and fifth == _fresh()


def test_a_write_to_another_table_reads_no_income_again(db, kept, users):
    from dixian.cases.actions import do_receive_clue
    from dixian.cases.models import MonitoringVisit
    from dixian.core.roles import Role

    first = _list()
    with mock.patch.object(bridge, "ledger_tables", wraps=bridge.ledger_tables) as read:
        do_receive_clue(Household.objects.get(code=kept[0]), channel="cadre_visit",
                        risk_type="ILLNESS")
        assert _list() == first
        read_now = set().union(*(c.kwargs["only"] for c in read.call_args_list))
        assert "incomes" not in read_now and "members" not in read_now
        # a visit: its own table only (the income list does not read it: not even recomputed)
        read.reset_mock()
        h = Household.objects.get(code=kept[1])
        MonitoringVisit.objects.create(household=h, village_code=h.village_id, month=MONTH,
                                       visited_on=bridge.local_now().date(),
                                       visitor=users[Role.VILLAGE_CADRE])
        assert _list() == first and read.call_count == 0
        # the visits' list reads the visits again, nothing else
        bridge.households_behind(COUNTY, "not_visited", period=MONTH)
        read.reset_mock()
        MonitoringVisit.objects.filter(household=h).delete()
        bridge.households_behind(COUNTY, "not_visited", period=MONTH)
        assert [c.kwargs["only"] for c in read.call_args_list] == [{"visits"}]


def test_a_rolled_back_write_is_never_taken_for_a_committed_one(db, kept):
    """A list read inside a transaction that wrote, then rolled back: what it read is kept
    under a version no committed state will have (a new nonce each write)."""
    first = _list()

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        Income.objects.filter(household__code=kept[0]).update(wage=F("wage") + 50_000)
        assert _list()[kept[0]] > first[kept[0]]
        raise Undo
    assert _list() == first
    Income.objects.filter(household__code=kept[1]).update(wage=F("wage") + 1)
    assert _list() == _fresh()


@pytest.mark.django_db(transaction=True)
def test_postgres_writers_never_wait_for_each_other_at_the_counter():
    """Two transactions writing incomes at once: the second takes another counter row
    (SKIP LOCKED) rather than waiting for the first's to commit, and both moves count."""
    from django.db import connections

    from dixian.statistics.models import TableVersion

    if connection.vendor != "postgresql":
        pytest.skip("statement-level triggers and SKIP LOCKED are PostgreSQL's")
    touch = "UPDATE registry_income SET wage = wage WHERE false"  # a statement, no row
    with connection.cursor() as cursor:
        cursor.execute(touch)  # the incomes' counter row, committed
    before = bridge.input_versions(["incomes"])
    other = connections.create_connection("default")
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(touch)  # holds the incomes' counter row until commit
            other.set_autocommit(False)
            with other.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")  # a wait would fail the test
                cursor.execute(touch)
            other.commit()
            committed = bridge.input_versions(["incomes"])
        assert committed != before and bridge.input_versions(["incomes"]) == committed
        assert TableVersion.objects.filter(table_name="registry_income").count() == 2
    finally:
        other.close()
