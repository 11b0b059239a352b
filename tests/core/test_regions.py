import pytest
from django.core.management import call_command
from django.db import connection

from dixian.core import regions
from dixian.core.models import AuditEvent, Region
from dixian.core.roles import Level


def test_the_vendored_file_holds_every_level_of_the_2023_codes():
    counts = {level: 0 for level in Level}
    for code, _name, level, parent in regions.read_divisions():
        counts[Level(level)] += 1
        assert (parent is None) == (len(code) == 2)
    assert counts[Level.PROVINCE] == 31
    assert counts[Level.COUNTY] > 2800
    assert counts[Level.VILLAGE] >= 600_000


def test_a_scoped_read_keeps_the_ancestors_and_the_whole_subtree():
    rows = list(regions.read_divisions("522326"))
    codes = [row[0] for row in rows]
    assert codes[:3] == ["52", "5223", "522326"]
    assert all(code.startswith("522326") for code in codes[3:])
    assert sum(1 for row in rows if row[2] == Level.VILLAGE) > 100
    assert dict((c, n) for c, n, *_ in rows)["522326"] == "望谟县"


@pytest.mark.django_db
def test_loading_a_province_builds_the_tree_and_is_idempotent():
    first = regions.load("52")
    assert first.inserted == first.rows_in_file > 19_000
    county = Region.objects.get(code="522326")
    assert county.parent.parent.code == "52"
    assert county.level == Level.COUNTY
    assert county.children.filter(level=Level.TOWNSHIP).count() > 5
    again = regions.load("52")
    assert again.inserted == 0
    assert Region.objects.count() == first.rows_in_file
    assert AuditEvent.objects.filter(action="regions.load").count() == 2


@pytest.mark.django_db
def test_region_scope_is_an_indexed_range_query():
    """The scope filter the application sends is an index search on both databases.

    Deterministic: the table holds the whole province (about 20,000 rows) with fresh
    statistics, the query is the one ``scoped_regions`` builds, and the assertion is on
    the property that matters (the code is an index condition, the table is not
    scanned), not on which of two usable indexes the planner prefers.
    """
    from dixian.core.access import scoped_regions
    from dixian.core.models import User
    from dixian.core.roles import Role

    regions.load("52")
    official = User(username="county", role=Role.COUNTY_APPROVER, region_id="522326")
    query = scoped_regions(official).filter(level=Level.VILLAGE)
    assert query.count() > 100
    assert all(code.startswith("522326") for code in query.values_list("code", flat=True))
    sql, params = query.values("code").query.sql_with_params()
    assert "LIKE" not in sql.upper()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan, plan
            assert "Index Cond" in plan and "code" in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "SEARCH" in plan and "INDEX" in plan and "code>" in plan, plan


@pytest.mark.django_db
def test_regions_load_all_loads_the_country(capsys):
    call_command("regions", "load", "--all")
    assert Region.objects.filter(level=Level.VILLAGE).count() >= 600_000
    assert Region.objects.filter(level=Level.PROVINCE).count() == 31
    out = capsys.readouterr().out
    assert "loaded 665,276 divisions" in out


@pytest.mark.django_db
def test_regions_load_rejects_a_bad_province_code():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2-digit"):
        call_command("regions", "load", "--province", "5")
    with pytest.raises(CommandError, match="no divisions"):
        call_command("regions", "load", "--province", "99")
