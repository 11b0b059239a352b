import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from dixian.core import audit, audit_triggers
from dixian.core.models import AuditEvent


def _events(n=5):
    return [
        audit.record("test.write", object_type="test.thing", object_id=i,
                     before={"value": i}, after={"value": i + 1, "名称": "村"})
        for i in range(n)
    ]


@pytest.mark.django_db
def test_events_are_chained_and_verify():
    events = _events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    result = audit.verify()
    assert result.ok and result.checked == 5
    call_command("audit", "verify")


@pytest.mark.django_db
def test_the_model_refuses_updates_and_deletes():
    event = _events(1)[0]
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(seq=1).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_the_database_refuses_raw_updates_and_deletes():
    _events(2)
    for sql in ("UPDATE core_auditevent SET action = 'x' WHERE seq = 1",
                "DELETE FROM core_auditevent WHERE seq = 2"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert audit.verify().ok


def _tamper(sql, params):
    """What a database superuser could do: drop the trigger and edit the table."""
    audit_triggers.disable(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        audit_triggers.enable(connection)


@pytest.mark.django_db
def test_verify_names_the_first_row_that_was_changed():
    _events(6)
    _tamper("UPDATE core_auditevent SET after = %s WHERE seq = 4", ['{"value": 999}'])
    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == 4 and result.checked == 3
    with pytest.raises(CommandError, match="broken at row 4"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_verify_notices_a_deleted_row():
    _events(4)
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [2])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 2
    assert "missing" in result.reason


@pytest.mark.django_db
def test_verify_notices_a_rewritten_chain_tail():
    """Recomputing one row's own hash is not enough: the next row's link breaks."""
    _events(3)
    forged = AuditEvent.objects.get(seq=2)
    forged.action = "forged"
    new_hash = audit.event_hash(forged)
    _tamper("UPDATE core_auditevent SET action = %s, hash = %s WHERE seq = 2",
            ["forged", new_hash])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 3
