"""Database triggers that refuse UPDATE, DELETE (and TRUNCATE) on the audit table.

The model refuses these too; the triggers also stop raw SQL and other clients.
Deliberate tampering by a database superuser (dropping a trigger) is what the
hash chain and ``dixian audit verify`` detect. Installed by migration 0002.
"""

TABLE = "core_auditevent"

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
_SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_delete",
]
_POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION dixian_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION dixian_audit_append_only()""",
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION dixian_audit_append_only()""",
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
]


def _execute(connection, statements_by_vendor) -> None:
    with connection.cursor() as cursor:
        for statement in statements_by_vendor.get(connection.vendor, []):
            cursor.execute(statement)


def enable(connection) -> None:
    _execute(connection, {"sqlite": _SQLITE_INSTALL, "postgresql": _POSTGRES_INSTALL})


def disable(connection) -> None:
    """Only for test teardown (flush) and an operator's deliberate maintenance."""
    _execute(connection, {"sqlite": _SQLITE_REMOVE, "postgresql": _POSTGRES_REMOVE})
