import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
def test_region_scope_is_an_indexed_prefix_query():
    regions.load("52")
    with CaptureQueriesContext(connection) as queries:
        villages = Region.objects.filter(code__startswith="522326", level=Level.VILLAGE).count()
    assert villages > 100
    sql = queries.captured_queries[0]["sql"]
    assert "LIKE" in sql.upper()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT count(*) FROM core_region WHERE code LIKE '522326%'"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "core_region_code" in plan and "_like" in plan, plan


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
