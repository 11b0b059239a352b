import hashlib
import hmac
import json

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


@pytest.fixture
def append_only_triggers(request):
    """The triggers are made by migration core 0002, which this test checks in the suite.
    A database built from the models (``--nomigrations``: the mutation runs, where building
    every table by migrations took 30 s a mutant) gets them from the function that migration
    calls."""
    if request.config.getoption("nomigrations", False):
        audit_triggers.enable(connection)


@pytest.mark.django_db
def test_the_database_refuses_raw_updates_and_deletes(append_only_triggers):
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


# ----------------------------------------------------------------- keyed chain (HMAC)
KEY = b"C" * 43  # settings_test's DIXIAN_AUDIT_KEY


def _independent_hash(row: dict, key: bytes = KEY) -> str:
    """The documented scheme (docs/audit.md), written again here: HMAC-SHA256 under the
    audit key of the row's canonical JSON, every column and the previous hash included."""
    payload = {k: row[k] for k in ("seq", "actor_id", "actor_username", "role", "region_code",
                                   "action", "object_type", "object_id", "before", "after",
                                   "request_id", "prev_hash")}
    payload["time"] = row["time"].astimezone(__import__("datetime").UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_each_hash_is_the_documented_hmac_of_the_row_and_its_predecessor():
    _events(3)
    for row in AuditEvent.objects.order_by("seq").values():
        assert row["hash"] == _independent_hash(row), row["seq"]


@pytest.mark.django_db
def test_every_column_and_the_previous_hash_change_the_hash():
    event = _events(2)[1]
    original = audit.event_hash(event)
    for field, value in [("prev_hash", "1" * 64), ("seq", 99), ("action", "x"),
                         ("actor_username", "x"), ("role", "x"), ("region_code", "5"),
                         ("object_type", "x"), ("object_id", "x"), ("before", {"v": 0}),
                         ("after", {"v": 0}), ("request_id", "x"), ("actor_id", 7),
                         ("time", event.time.replace(microsecond=1))]:
        kept = getattr(event, field)
        setattr(event, field, value)
        assert audit.event_hash(event) != original, field
        setattr(event, field, kept)
    assert audit.event_hash(event) == original
    assert audit.event_hash(event, b"another key") != original


@pytest.mark.django_db
def test_relinking_a_row_without_rehashing_it_is_detected():
    """A row's link is inside its hash: pointing row 3 at another predecessor breaks it."""
    _events(4)
    _tamper("UPDATE core_auditevent SET prev_hash = %s WHERE seq = 3", ["2" * 64])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 3


def _rewrite_from(seq: int, hash_of) -> None:
    """Change row ``seq`` and recompute its hash and every later hash and link with
    ``hash_of``: the whole tail looks consistent to anyone who does not hold the key."""
    audit_triggers.disable(connection)
    try:
        prev = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else audit.GENESIS_HASH
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            if event.seq == seq:
                event.after = {"value": "forged"}
            event.prev_hash = prev
            prev = hash_of(event)
            with connection.cursor() as cursor:
                cursor.execute("UPDATE core_auditevent SET after = %s, prev_hash = %s, "
                               "hash = %s WHERE seq = %s",
                               [json.dumps(event.after), event.prev_hash, prev, event.seq])
    finally:
        audit_triggers.enable(connection)


@pytest.mark.django_db
@pytest.mark.parametrize("hash_of", [
    audit.unkeyed_event_hash,  # plain SHA-256 of the row: what the old chain allowed
    lambda e: audit.event_hash(e, b"a guessed key"),
], ids=["unkeyed", "wrong-key"])
def test_rewriting_a_row_and_every_later_hash_without_the_key_is_detected(hash_of):
    _events(6)
    _rewrite_from(3, hash_of)
    result = audit.verify()
    assert not result.ok and result.broken_seq == 3 and result.checked == 2
    assert "audit key" in result.reason


# ---------------------------------------------------------------------------- anchors
@pytest.mark.django_db
def test_an_anchor_detects_a_rewrite_even_by_someone_holding_the_key(tmp_path):
    _events(5)
    anchors = tmp_path / "supervisor-copy.jsonl"
    call_command("audit", "anchor", "--anchors", str(anchors))
    kept = json.loads(anchors.read_text())
    assert kept["seq"] == 5 and kept["hash"] == AuditEvent.objects.get(seq=5).hash
    assert audit.verify(anchors=anchors).ok and audit.verify(anchors=anchors).anchors == 1
    _events(2)  # the chain goes on after the anchor
    assert audit.verify(anchors=anchors).ok
    _rewrite_from(4, audit.event_hash)  # with the key: the chain itself verifies
    assert audit.verify(check_anchors=False).ok
    result = audit.verify(anchors=anchors)
    assert not result.ok and result.broken_seq == 5 and "rewritten" in result.reason
    now = AuditEvent.objects.get(seq=5).hash
    assert result.reason == (f"anchor on line 1 kept row 5's hash {kept['hash'][:12]}…, the "
                             f"database now has {now[:12]}… (history was rewritten)")
    with pytest.raises(CommandError, match="broken at row 5"):
        call_command("audit", "verify", "--anchors", str(anchors))


@pytest.mark.django_db
def test_an_anchor_after_the_end_of_the_chain_means_rows_were_removed(tmp_path):
    _events(3)
    anchors = tmp_path / "a.jsonl"
    audit.write_anchor(anchors)
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [3])
    result = audit.verify(anchors=anchors)
    assert not result.ok and result.broken_seq == 3 and "removed" in result.reason


@pytest.mark.django_db
def test_a_forged_or_unreadable_anchor_is_refused(tmp_path):
    _events(2)
    anchors = tmp_path / "a.jsonl"
    anchor = audit.write_anchor(anchors)
    assert audit.verify(anchors=anchors).ok
    forged = {**anchor, "hash": AuditEvent.objects.get(seq=1).hash, "seq": 1}
    anchors.write_text(json.dumps(forged) + "\n")
    result = audit.verify(anchors=anchors)
    assert not result.ok and "not signed" in result.reason
    anchors.write_text("not json\n")
    assert "unreadable" in audit.verify(anchors=anchors).reason


@pytest.mark.django_db
def test_nightly_writes_an_anchor_and_verify_reports_it(settings, capsys):
    _events(2)
    call_command("nightly")
    kept = audit.read_anchors()
    assert [a["seq"] for a in kept] == [2]
    call_command("audit", "verify")
    assert "1 anchor(s)" in capsys.readouterr().out


# ---------------------------------------------------------------------------- upgrade
@pytest.mark.django_db
def test_the_upgrade_rechains_the_unkeyed_rows_of_earlier_releases():
    _events(4)
    _rewrite_from(1, audit.unkeyed_event_hash)  # what an earlier release wrote
    assert not audit.verify().ok
    assert audit.rechain_unkeyed(AuditEvent, connection) == 4
    assert audit.verify().ok
    assert audit.rechain_unkeyed(AuditEvent, connection) == 0  # a re-run changes nothing


@pytest.mark.django_db
def test_the_upgrade_refuses_to_bless_a_broken_old_chain():
    _events(4)
    _rewrite_from(1, audit.unkeyed_event_hash)
    _tamper("UPDATE core_auditevent SET action = %s WHERE seq = 3", ["changed"])
    with pytest.raises(RuntimeError, match="broken at row 3"):
        audit.rechain_unkeyed(AuditEvent, connection)


@pytest.mark.django_db
def test_the_upgrade_rechains_old_rows_written_after_keyed_ones():
    """Rows already keyed are left as they are, and the unkeyed rows after them (an older
    release still writing during the upgrade) are re-chained from the last keyed hash."""
    _events(4)
    keyed = list(AuditEvent.objects.order_by("seq").values_list("hash", flat=True))
    _rewrite_from(3, audit.unkeyed_event_hash)
    assert audit.verify().broken_seq == 3
    assert audit.rechain_unkeyed(AuditEvent, connection) == 2
    assert audit.verify().ok
    assert list(AuditEvent.objects.order_by("seq").values_list("hash", flat=True))[:2] == \
        keyed[:2]


@pytest.mark.django_db
def test_the_upgrade_says_what_to_do_with_a_broken_old_chain():
    _events(2)
    _rewrite_from(1, audit.unkeyed_event_hash)
    _tamper("UPDATE core_auditevent SET action = %s WHERE seq = 2", ["changed"])
    with pytest.raises(RuntimeError) as refused:
        audit.rechain_unkeyed(AuditEvent, connection)
    assert str(refused.value) == (
        "the audit chain is broken at row 2 before the upgrade; investigate it (`dixian audit "
        "verify` on the previous release) before re-chaining it with the audit key")


@pytest.mark.django_db
def test_an_anchor_of_an_empty_chain_names_row_zero_and_the_genesis_hash(tmp_path):
    anchors = tmp_path / "a.jsonl"
    anchor = audit.write_anchor(anchors)
    assert (anchor["seq"], anchor["hash"]) == (0, audit.GENESIS_HASH)
    result = audit.verify(anchors=anchors)
    assert result.ok and result.anchors == 1


@pytest.mark.django_db
def test_an_anchor_is_the_documented_signed_line(tmp_path):
    """docs/audit.md: one JSON line {seq, hash, time, signature}, the signature HMAC-SHA256
    under the audit key of ``dixian-audit-anchor|<seq>|<hash>|<time>``; the time in UTC to
    the microsecond. The file (and the folders above it) are made if missing."""
    import re
    from datetime import UTC, datetime, timedelta

    _events(2)
    anchors = tmp_path / "supervisor" / "copies" / "a.jsonl"
    before = datetime.now(UTC)
    anchor = audit.write_anchor(anchors)
    line = anchors.read_text()
    assert line == json.dumps(anchor, sort_keys=True) + "\n"  # the same anchor, the same line
    kept = json.loads(line)
    assert kept["seq"] == 2 and kept["hash"] == AuditEvent.objects.get(seq=2).hash
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", kept["time"])
    written = datetime.strptime(kept["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= written <= datetime.now(UTC)
    message = f"dixian-audit-anchor|{kept['seq']}|{kept['hash']}|{kept['time']}".encode()
    assert kept["signature"] == hmac.new(KEY, message, hashlib.sha256).hexdigest()


@pytest.mark.django_db
def test_a_refused_anchor_is_named_by_its_line(tmp_path):
    _events(3)
    anchors = tmp_path / "a.jsonl"
    good = audit.write_anchor(anchors)
    forged = {**good, "hash": "f" * 64}
    anchors.write_text(json.dumps(good) + "\n\n" + json.dumps(forged) + "\n")
    assert audit.verify(anchors=anchors).reason == (
        "anchor on line 3 is not signed with the audit key")
    anchors.write_text(json.dumps(good) + "\nnot json\n")
    assert audit.verify(anchors=anchors).reason == "anchor on line 2 is unreadable"
    anchors.write_text(json.dumps(good) + "\n")
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [3])
    assert audit.verify(anchors=anchors).reason == (
        "anchor on line 1 names row 3, but the chain ends at row 2 (rows were removed)")


@pytest.mark.django_db
def test_verify_reports_each_break_with_the_rows_checked_before_it(tmp_path):
    """What `dixian audit verify` prints: not ok, how many rows verified before the break,
    the row, and why (docs/audit.md)."""
    _events(4)
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [3])
    missing = audit.verify()
    assert (missing.ok, missing.checked, missing.broken_seq, missing.reason) == (
        False, 2, 3, "row 3 is missing (next row is 4)")


@pytest.mark.django_db
def test_verify_reports_a_broken_link_with_the_rows_checked_before_it():
    _events(4)
    _tamper("UPDATE core_auditevent SET prev_hash = %s WHERE seq = 3", ["2" * 64])
    relinked = audit.verify()
    assert (relinked.ok, relinked.checked, relinked.broken_seq, relinked.reason) == (
        False, 2, 3, "its link to the previous row does not match")


@pytest.mark.django_db
def test_verify_without_anchors_reads_no_anchor_file(tmp_path):
    _events(3)
    anchors = tmp_path / "a.jsonl"
    anchors.write_text("not json\n")
    assert audit.verify(anchors=anchors).ok is False
    unanchored = audit.verify(anchors=anchors, check_anchors=False)
    assert unanchored.ok is True and unanchored.anchors == 0 and unanchored.checked == 3


@pytest.mark.django_db
def test_record_keeps_who_what_where_and_the_values_as_they_read_back(county_regions):
    """Each column of an event (docs/audit.md): the actor, their username, role and region;
    the object (its model label and key unless given); before and after as the JSON column
    reads them back (decimals and dates as text); the request it came from."""
    import datetime as dt
    from decimal import Decimal

    from dixian.core import context
    from dixian.core.models import Region
    from dixian.core.roles import Role
    from tests.conftest import VILLAGE, make_user

    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE)
    village = Region.objects.get(code=VILLAGE)
    with context.acting("req-42"):
        event = audit.record("test.write", actor=cadre, obj=village,
                             before={"amount": Decimal("12.50"), "on": dt.date(2026, 1, 2)},
                             after={"名称": "乐元村", "n": 3})
    row = AuditEvent.objects.get(seq=event.seq)
    assert row.action == "test.write"
    assert (row.actor_id, row.actor_username, row.role, row.region_code) == (
        cadre.pk, cadre.username, Role.VILLAGE_CADRE.value, VILLAGE)
    assert (row.object_type, row.object_id, row.request_id) == ("core.region", VILLAGE,
                                                                "req-42")
    assert row.before == {"amount": "12.50", "on": "2026-01-02"}
    assert row.after == {"名称": "乐元村", "n": 3}
    assert event.before == row.before and event.after == row.after  # hashed as stored
    assert audit.verify().ok

    named = audit.record("test.write", actor=cadre, obj=village, object_type="x.thing",
                         object_id=7, region_code="522326")
    assert (named.object_type, named.object_id, named.region_code) == ("x.thing", "7", "522326")


@pytest.mark.django_db
def test_record_by_the_system_or_no_one():
    """An actor that is not a logged-in user (a command, a schedule) is kept by name only;
    without an actor, object or request every column is empty; nothing is ever updated in
    place (each call adds a row)."""
    from django.contrib.auth.models import AnonymousUser

    system = audit.record("job.finish", actor="scheduler")
    assert (system.actor_id, system.actor_username, system.role, system.region_code) == (
        None, "scheduler", "", "")
    anonymous = audit.record("auth.login_failed", actor=AnonymousUser())
    assert anonymous.actor_id is None and anonymous.role == ""
    nobody = audit.record("test.write")
    assert (nobody.actor_username, nobody.object_type, nobody.object_id, nobody.region_code,
            nobody.request_id, nobody.before, nobody.after) == ("", "", "", "", "", None, None)
    assert [e.seq for e in (system, anonymous, nobody)] == [1, 2, 3]
    assert AuditEvent.objects.count() == 3 and audit.verify().ok


@pytest.mark.django_db
def test_without_the_audit_key_nothing_is_recorded(settings):
    settings.DIXIAN_AUDIT_KEY = ""
    with pytest.raises(RuntimeError) as refused:
        audit.record("test.write")
    assert str(refused.value) == ("DIXIAN_AUDIT_KEY is not set: the audit chain cannot be "
                                  "keyed")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_verify_reports_a_changed_row_and_counts_the_anchors_it_checked(tmp_path):
    _events(3)
    anchors = tmp_path / "a.jsonl"
    audit.write_anchor(anchors)
    _events(1)
    audit.write_anchor(anchors)
    both = audit.verify(anchors=anchors)
    assert (both.ok, both.checked, both.anchors) == (True, 4, 2)
    with anchors.open("a") as out:
        out.write("not json\n")
    third = audit.verify(anchors=anchors)
    assert (third.ok, third.checked, third.anchors, third.reason) == (
        False, 4, 2, "anchor on line 3 is unreadable")
    _tamper("UPDATE core_auditevent SET action = %s WHERE seq = 2", ["changed"])
    changed = audit.verify(check_anchors=False)
    assert (changed.ok, changed.checked, changed.broken_seq, changed.reason) == (
        False, 1, 2, "its contents do not match its hash (the row was changed, or written "
                     "without the audit key)")


def test_on_postgresql_writers_take_the_chains_lock_first(monkeypatch):
    """Two writers must not both read the same head and append two rows after it. SQLite
    serialises writers itself (transactions start IMMEDIATE); on PostgreSQL the chain takes a
    transaction-level advisory lock on its own key before it reads the head. (A stand-in
    connection: the mutation runs use SQLite.)"""
    executed = []

    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, sql, params):
            executed.append((sql, params))

    class PostgreSQL:
        vendor = "postgresql"

        def cursor(self):
            return Cursor()

    monkeypatch.setattr(audit, "connection", PostgreSQL())
    audit._lock_chain()
    assert len(executed) == 1
    sql, params = executed[0]
    assert sql.lower() == "select pg_advisory_xact_lock(%s)" and "%s" in sql
    assert params == [0x6469786961]
    monkeypatch.setattr(PostgreSQL, "vendor", "sqlite")
    audit._lock_chain()
    assert len(executed) == 1
