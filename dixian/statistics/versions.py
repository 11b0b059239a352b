"""Change counters the database keeps for the tables the lists of a figure's households read.

The lists (:func:`dixian.statistics.bridge.households_behind`) keep the input tables they
read in memory; a table is read again only when it changed. Whether it changed is not
guessed from the audit trail's action names: triggers on each table move its row of
:class:`~dixian.statistics.models.TableVersion` on every insert, update or delete, whatever
wrote it (an audited action, ``bulk_create``, ``QuerySet.update``/``delete``, an importer's
raw SQL, another client), in the writer's own transaction, so a reader sees the new
version exactly when it sees the new rows.

* SQLite: row-level triggers (SQLite has no other kind); each row written costs one update
  of the counter's row (writers are serialised by SQLite anyway).
* PostgreSQL: statement-level triggers (one bump per statement, however many rows: a bulk
  insert of incomes costs one); the bump takes a row of the table's counters that no other
  transaction holds (``FOR UPDATE SKIP LOCKED``) or adds one, so a writer never waits for
  another at the counter, and no deadlock can go through it.
* Each bump draws a new ``nonce`` (PostgreSQL: a sequence, never given twice; SQLite:
  ``random()``), so the version a transaction saw of its own writes, rolled back later, is
  never taken for a committed one.
* A household's code and village are in the members', incomes', cases' … rows as read (the
  join): the pseudo-table :data:`HOUSEHOLD_KEY` moves when a household's code or village
  changes or a household is deleted, not on the household's other updates.

Installed by migration ``statistics.0004`` and again after every ``migrate``
(``post_migrate``: SQLite drops a table's triggers when a later migration rebuilds the
table).
"""

from __future__ import annotations

HOUSEHOLD_KEY = "registry_household.key"

#: the tables (and the pseudo-table of households' keys) each input table of the lists
#: reads, its joins included (``bridge.ledger_tables``)
INPUT_TABLES: dict[str, tuple[str, ...]] = {
    "households": ("registry_household",),
    "members": ("registry_member", HOUSEHOLD_KEY),
    "incomes": ("registry_income", HOUSEHOLD_KEY),
    "income_blocks": ("registry_incomeblock", HOUSEHOLD_KEY),
    "spells": ("cases_monitoringspell", "cases_case", HOUSEHOLD_KEY),
    "cases": ("cases_case", "cases_caseevent", HOUSEHOLD_KEY),
    "clues": ("cases_clue", "cases_case"),
    "measures": ("assistance_measure", HOUSEHOLD_KEY),
    "quality_issues": ("quality_qualityissue", "quality_qualityrun"),
    "visits": ("cases_monitoringvisit", HOUSEHOLD_KEY),
}

#: the database tables with triggers
TRACKED = tuple(sorted({t for ts in INPUT_TABLES.values() for t in ts} - {HOUSEHOLD_KEY}))
HOUSEHOLDS = "registry_household"
VERSIONS = "statistics_tableversion"


def _sqlite_bump(name: str) -> str:
    return (f"INSERT INTO {VERSIONS} (table_name, version, nonce) SELECT '{name}', 0, 0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM {VERSIONS} WHERE table_name = '{name}'); "
            f"UPDATE {VERSIONS} SET version = version + 1, nonce = random() "
            f"WHERE table_name = '{name}';")


def _sqlite_install() -> list[str]:
    out = []
    for table in TRACKED:
        for event in ("INSERT", "UPDATE", "DELETE"):
            out.append(f"""CREATE TRIGGER IF NOT EXISTS {table}_version_{event.lower()}
                AFTER {event} ON {table} FOR EACH ROW BEGIN {_sqlite_bump(table)} END""")
    out.append(f"""CREATE TRIGGER IF NOT EXISTS {HOUSEHOLDS}_key_update
        AFTER UPDATE OF code, village_id ON {HOUSEHOLDS} FOR EACH ROW
        WHEN OLD.code IS NOT NEW.code OR OLD.village_id IS NOT NEW.village_id
        BEGIN {_sqlite_bump(HOUSEHOLD_KEY)} END""")
    out.append(f"""CREATE TRIGGER IF NOT EXISTS {HOUSEHOLDS}_key_delete
        AFTER DELETE ON {HOUSEHOLDS} FOR EACH ROW BEGIN {_sqlite_bump(HOUSEHOLD_KEY)} END""")
    return out


def _sqlite_remove() -> list[str]:
    out = [f"DROP TRIGGER IF EXISTS {table}_version_{event}"
           for table in TRACKED for event in ("insert", "update", "delete")]
    return out + [f"DROP TRIGGER IF EXISTS {HOUSEHOLDS}_key_update",
                  f"DROP TRIGGER IF EXISTS {HOUSEHOLDS}_key_delete"]


_PG_FUNCTION = f"""CREATE OR REPLACE FUNCTION dixian_table_version_bump() RETURNS trigger AS $$
DECLARE
    name text := COALESCE(TG_ARGV[0], TG_TABLE_NAME);
BEGIN
    UPDATE {VERSIONS} SET version = version + 1,
           nonce = nextval('dixian_table_version_nonce')
     WHERE id = (SELECT id FROM {VERSIONS} WHERE table_name = name
                  ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED);
    IF NOT FOUND THEN
        INSERT INTO {VERSIONS} (table_name, version, nonce)
        VALUES (name, 1, nextval('dixian_table_version_nonce'));
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql"""


def _postgres_install() -> list[str]:
    out = ["CREATE SEQUENCE IF NOT EXISTS dixian_table_version_nonce", _PG_FUNCTION]
    for table in TRACKED:
        out += [f"DROP TRIGGER IF EXISTS {table}_version ON {table}",
                f"""CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
                    ON {table} FOR EACH STATEMENT
                    EXECUTE FUNCTION dixian_table_version_bump()"""]
    out += [f"DROP TRIGGER IF EXISTS {HOUSEHOLDS}_key_update ON {HOUSEHOLDS}",
            f"""CREATE TRIGGER {HOUSEHOLDS}_key_update AFTER UPDATE ON {HOUSEHOLDS}
                FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code
                                   OR OLD.village_id IS DISTINCT FROM NEW.village_id)
                EXECUTE FUNCTION dixian_table_version_bump('{HOUSEHOLD_KEY}')""",
            f"DROP TRIGGER IF EXISTS {HOUSEHOLDS}_key_delete ON {HOUSEHOLDS}",
            f"""CREATE TRIGGER {HOUSEHOLDS}_key_delete AFTER DELETE OR TRUNCATE
                ON {HOUSEHOLDS} FOR EACH STATEMENT
                EXECUTE FUNCTION dixian_table_version_bump('{HOUSEHOLD_KEY}')"""]
    return out


def _postgres_remove() -> list[str]:
    out = [f"DROP TRIGGER IF EXISTS {table}_version ON {table}" for table in TRACKED]
    return out + [f"DROP TRIGGER IF EXISTS {HOUSEHOLDS}_key_update ON {HOUSEHOLDS}",
                  f"DROP TRIGGER IF EXISTS {HOUSEHOLDS}_key_delete ON {HOUSEHOLDS}",
                  "DROP FUNCTION IF EXISTS dixian_table_version_bump()"]


def _execute(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection) -> None:
    """Create the triggers (idempotent; the tables must exist)."""
    existing = set(connection.introspection.table_names())
    if VERSIONS not in existing or not set(TRACKED) <= existing:
        return  # a database migrated part of the way: the migration's turn comes
    if connection.vendor == "sqlite":
        _execute(connection, _sqlite_install())
    elif connection.vendor == "postgresql":
        _execute(connection, _postgres_install())


def remove(connection) -> None:
    if connection.vendor == "sqlite":
        _execute(connection, _sqlite_remove())
    elif connection.vendor == "postgresql":
        _execute(connection, _postgres_remove())


def versions(connection, names) -> dict[str, tuple]:
    """The version of each input table ``names`` (engine names, :data:`INPUT_TABLES`): a
    value that differs whenever a table it reads changed; one query."""
    from dixian.statistics.models import TableVersion

    wanted = {t for name in names for t in INPUT_TABLES[name]}
    rows: dict[str, list] = {t: [] for t in wanted}
    for table, *row in TableVersion.objects.using(connection.alias).filter(
            table_name__in=wanted).values_list("table_name", "id", "version", "nonce"):
        rows[table].append(tuple(row))
    return {name: tuple((t, tuple(sorted(rows[t]))) for t in sorted(INPUT_TABLES[name]))
            for name in names}
