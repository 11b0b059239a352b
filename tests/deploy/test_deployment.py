"""docs/deployment.md, done on this machine: a private PostgreSQL cluster, the previous
release's database upgraded, keys in files, gunicorn on a loopback port, the background
worker, the timers' commands, a login through the application server with a real session and
CSRF, the health and readiness endpoints, a backup restored into a new database, and a
database restart in the middle.

It brings its own PostgreSQL, so it runs once: in the SQLite pass of `make test` (or when
DIXIAN_DEPLOY_TEST=1). A few minutes: the long-running services (gunicorn, the worker) and
the previous release start as real processes; the one-shot commands (`dixian migrate`,
`synth`, `collectstatic`, the timers' `screen --scheduled` and `nightly`, `backup`, the
faults' commands) are forked from a process that has imported the application once
(deploy/localstack.py, Forker), which saves the 10–20 s each cold start costs on a loaded
machine and runs the same code with the same arguments and environment.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from localstack import Client, Cluster, Stack, csrf_token  # noqa: E402

faults = importlib.import_module("bench.faults.run")

pytestmark = [
    pytest.mark.deployment,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "sqlite").startswith("sqlite")
        and os.environ.get("DIXIAN_DEPLOY_TEST") != "1",
        reason="brings its own PostgreSQL: runs once, in the SQLite pass (scripts/run-tests "
               "leaves tests/deploy out of the PostgreSQL pass)"),
    pytest.mark.skipif(not list(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
                       and not os.environ.get("PG_BINDIR"), reason="no PostgreSQL binaries"),
]

COUNTY = "522326"
ADMIN, PASSWORD = "ops-admin", "Deploy-test-pass-2026"


def _git(*args) -> str | None:
    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                              text=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None


def previous_release() -> str | None:
    """The previous landed commit (the first parent of HEAD), or DIXIAN_PREVIOUS_RELEASE."""
    return os.environ.get("DIXIAN_PREVIOUS_RELEASE") or _git("rev-parse", "--verify", "HEAD^1")


@pytest.fixture(scope="module")
def stack():
    # Not pytest's tmp_path: other pytest runs on the machine prune /tmp/pytest-of-<user>.
    folder = Path(tempfile.mkdtemp(prefix="dixian-deploy-"))
    folder.chmod(0o711)  # the cluster runs as postgres when we are root: it must get in
    cluster = Cluster(folder / "pg")
    cluster.start()
    cluster.createdb("dixian")
    stack = Stack(folder, cluster)
    try:
        yield stack
    finally:
        stack.stop_all()
        try:
            cluster.kill()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _ensure_admin(stack) -> None:
    if stack.cluster.psql("dixian", "SELECT to_regclass('core_user') IS NULL") == "t":
        stack.run("migrate", "--no-input")
    if stack.cluster.psql("dixian", f"SELECT count(*) FROM core_user WHERE "
                                    f"username = '{ADMIN}'") == "0":
        stack.run("regions", "load", "--province", COUNTY[:2])
        stack.run("users", "create", ADMIN, "--role", "county_admin", "--region", COUNTY,
                  "--password", PASSWORD)


def _ensure_county(stack) -> None:
    _ensure_admin(stack)
    if stack.cluster.psql("dixian", "SELECT count(*) FROM registry_household") == "0":
        stack.run("synth", COUNTY, "--households", "120", "--months", "14", "--load",
                  "--out", str(stack.folder / "synth"))


def _ensure_web(stack) -> None:
    web = stack.processes.get("web")
    if web is None or web.poll() is not None:
        if not (stack.var / "static" / "staticfiles.json").exists():
            stack.run("collectstatic", "--no-input")
        stack.start_web(workers=1)


def test_upgrade_from_the_previous_release(stack):
    """Step 4 of the guide on an existing database: the previous release's schema and data,
    then this release's `dixian migrate`."""
    commit = previous_release()
    if commit is None:
        pytest.skip("no git history in this checkout: the upgrade needs the previous release")
    old = stack.folder / "previous"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "dixian"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    # the previous release's own commands, in one start-up of its code
    steps = ("from django.core.management import call_command as c; "
             "c('migrate', interactive=False, verbosity=0); "
             f"c('regions', 'load', '--province', '{COUNTY[:2]}'); "
             f"c('users', 'create', '{ADMIN}', '--role', 'county_admin', "
             f"'--region', '{COUNTY}', '--password', '{PASSWORD}')")
    result = subprocess.run([sys.executable, "-m", "dixian", "shell", "-c", steps], cwd=old,
                            env=stack.env(), capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    upgraded = stack.run("migrate", "--no-input")
    assert stack.run("migrate", "--check", check=False).returncode == 0
    assert stack.cluster.psql("dixian", f"SELECT count(*) FROM core_user WHERE "
                                        f"username = '{ADMIN}'") == "1"
    print(f"upgraded from {commit[:10]}:\n{upgraded.stdout[-2000:]}")


def test_the_documented_deployment_serves_logs_in_and_runs_the_worker_and_timers(stack):
    # step 4: the schema (a no-op after the upgrade), the county, an administrator, a registry
    _ensure_county(stack)
    check = stack.run("check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in check.stdout
    stack.run("collectstatic", "--no-input")
    assert list((stack.var / "static").glob("web/dixian.*.css")), "hashed static files"

    # step 5: the application server and the worker, as their units start them
    stack.start_worker()
    stack.start_web(workers=1)
    client = Client(stack.base_url)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})
    static = client.get(re.search(r'href="(/static/[^"]+\.css)"',
                                  client.get("/login/").text).group(1))
    assert static.status_code == 200 and "max-age" in static.headers.get("Cache-Control", "")

    # a real session: the login form's CSRF token, a session cookie, the administrator's
    # first sign-in setting up two-factor (on in production), then a page
    assert client.post("/login/", {"username": ADMIN, "password": PASSWORD}).status_code == 403
    client = _sign_in(stack)
    home = client.get("/")
    assert home.status_code == 200 and ADMIN in home.text
    assert home.headers["X-Request-ID"]

    # a screening asked for from the page runs on the worker, not in the request
    page = client.get("/alerts/")
    answer = client.post("/screening/run/", {"csrfmiddlewaretoken": csrf_token(page.text),
                                             "period": "2026-11"})
    assert answer.status_code == 302
    _wait(lambda: stack.cluster.psql(
        "dixian", "SELECT count(*) FROM exchange_screeningrun WHERE actor_id IS NOT NULL") == "1",
        "the worker's screening run", stack)
    assert stack.cluster.psql("dixian", "SELECT status FROM django_tasks_database_dbtaskresult") \
        == "SUCCESSFUL"

    # the timers' commands, as the units give them: a due schedule fires once
    stack.cluster.psql("dixian", f"INSERT INTO exchange_screeningschedule (scope_code, "
                                 f"department, every_days, next_run_on, active) VALUES "
                                 f"('{COUNTY}', '', 30, CURRENT_DATE, true)")
    for unit in ("dixian-screen.service", "dixian-nightly.service"):
        stack.run(*_unit_args(stack, unit))
    assert stack.cluster.psql("dixian", "SELECT count(*) FROM exchange_screeningrun "
                                        "WHERE schedule_id IS NOT NULL") == "1"
    assert stack.cluster.psql("dixian", "SELECT next_run_on > CURRENT_DATE FROM "
                                        "exchange_screeningschedule") == "t"
    again = stack.run(*_unit_args(stack, "dixian-screen.service"))
    assert "0 scheduled run(s)" in again.stdout

    # structured logs: gunicorn's access lines and the application's records are JSON
    lines = [json.loads(line) for line in (stack.logs / "web.log").read_text().splitlines()
             if line.startswith("{")]
    assert any(line.get("log") == "access" and line["path"] == "/readyz" for line in lines)
    assert "audit chain intact" in stack.run("audit", "verify").stdout


def test_backup_restores_into_a_new_database(stack):
    _ensure_county(stack)
    counts_sql = ("SELECT (SELECT count(*) FROM registry_household) || '/' || "
                  "(SELECT count(*) FROM registry_member) || '/' || "
                  "(SELECT count(*) FROM core_auditevent) || '/' || "
                  "(SELECT count(*) FROM exchange_screeningrun)")
    before = stack.cluster.psql("dixian", counts_sql)
    feed = stack.var / "media" / "feeds" / "kept.parquet"
    feed.parent.mkdir(parents=True, exist_ok=True)
    feed.write_bytes(b"PAR1 a stand-in for a batch")
    backup, keys = stack.folder / "backup" / "1", stack.folder / "backup-keys" / "1"
    stack.run("backup", "create", str(backup), "--keys-to", str(keys))
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar", "manifest.json"}
    assert sorted(p.name for p in keys.iterdir()) == ["audit-key", "data-keys", "lookup-key",
                                                      "secret-key"]
    assert oct(keys.joinpath("data-keys").stat().st_mode)[-3:] == "600"

    # a new machine: an empty database, an empty state folder, the keys from the backup
    stack.cluster.createdb("restored")
    shutil.rmtree(stack.var / "media")
    restored = dict(DATABASE_URL=stack.cluster.url("restored"),
                    SECRET_KEY_FILE=str(keys / "secret-key"),
                    DIXIAN_DATA_KEYS_FILE=str(keys / "data-keys"),
                    DIXIAN_LOOKUP_KEY_FILE=str(keys / "lookup-key"),
                    DIXIAN_AUDIT_KEY_FILE=str(keys / "audit-key"))
    (stack.folder / "other").write_text("k9:" + "Q" * 43 + "\n")
    wrong = stack.dixian("backup", "restore", str(backup), check=False,
                         **{**restored, "DIXIAN_DATA_KEYS_FILE": str(stack.folder / "other")})
    assert wrong.returncode != 0 and "differ from the backup" in wrong.stderr
    # the restore, then what the guide says next (migrate, audit verify), in one start-up
    script = f"""
from django.core.management import call_command
from django.core.management.base import CommandError
from dixian.core import pii
from dixian.registry.models import Member
call_command("backup", "restore", {str(backup)!r}, "--keys-from", {str(keys)!r})
call_command("migrate", interactive=False, verbosity=0)
call_command("audit", "verify")
member = Member.objects.exclude(resident_id_enc="").first()
print("id length", len(pii.decrypt(member.resident_id_enc, "resident_id")))
try:
    call_command("backup", "restore", {str(backup)!r})
except CommandError as exc:
    print("second restore:", exc)
"""
    done = stack.dixian("shell", "-c", script, **restored)
    assert stack.cluster.psql("restored", counts_sql) == before
    assert feed.read_bytes() == b"PAR1 a stand-in for a batch"
    assert "audit chain intact" in done.stdout
    assert "id length 18" in done.stdout  # a restored ID number decrypts with restored keys
    assert "second restore:" in done.stdout and "not empty" in done.stdout


def test_a_database_restart_is_a_clear_503_then_recovers(stack):
    _ensure_county(stack)
    _ensure_web(stack)
    client = _sign_in(stack)
    stack.cluster.kill()
    try:
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()["status"]) == (503, "database unreachable")
        assert client.get("/healthz").status_code == 200
        page = client.get("/households/")
        assert page.status_code == 503 and page.headers["Retry-After"]
        assert "数据库" in page.text  # a page that says what is wrong, in the user's language
    finally:
        stack.cluster.start()
    stack.wait_for("/readyz", 200, seconds=60)
    assert client.get("/households/").status_code == 200  # same session, new connection


def test_kill_9_during_each_write_leaves_nothing_partial_and_a_rerun_completes(stack):
    """The CI-sized `make faults`: each write killed at two observable points inside its
    transaction (its first write, its audit row), never at a guessed moment; the database
    killed and restarted while a screening run waits at its audit row; a full disk."""
    _ensure_county(stack)
    _ensure_web(stack)
    stack.stop("worker")  # nothing else writes while the faults are checked
    faults.fault_users(stack)
    work = stack.folder / "faults"
    work.mkdir()
    for kind in faults.OPERATIONS:
        result = faults.kill_at_states(kind(stack, work), print)
        assert result["violations"] == [], result
        assert result["killed_mid_run"] == result["kills"], result
    restart = faults.database_restart(stack, None, print, ops=[faults.Screen(stack, work)])
    for run in restart["runs"]:
        assert run["clear_error"] and run["rerun_ok"] and run["audit_intact"], run
        assert run["violations"] == [], run
    disk = faults.full_disk(stack, work, print)
    if disk["method"] != "not run":
        assert disk["clear_error"] and disk["rows_added"] == 0 and not disk["files_left"], disk


def _sign_in(stack) -> Client:
    """The administrator signed in through gunicorn: password, then the two-factor step
    (set up with the secret the set-up page shows on the first sign-in; a code of the next
    30-second window on a later one, as a code is accepted once)."""
    import time

    import pyotp

    client = Client(stack.base_url)
    assert client.login(ADMIN, PASSWORD).status_code == 302
    step = client.get("/")
    if step.status_code != 302 or "/account/two-factor/" not in step.headers["Location"]:
        return client
    url = step.headers["Location"]
    page = client.get(url)
    if "setup" in url:
        stack.totp = re.search(r"secret=([A-Z2-7]+)", page.text).group(1)
        stack.totp_uses = 0
    code = pyotp.TOTP(stack.totp).at(time.time() + 30 * stack.totp_uses)
    stack.totp_uses += 1
    answer = client.post(url, {"csrfmiddlewaretoken": csrf_token(page.text), "code": code})
    assert answer.status_code == 302, answer.text[-2000:]
    return client


def _unit_args(stack, unit: str) -> list[str]:
    """The arguments of a unit's `dixian …` ExecStart."""
    command = stack.unit_command(unit)
    assert Path(command[0]).name == "dixian", command
    return command[1:]


def _wait(predicate, what: str, stack, seconds: float = 300) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                     for p in stack.logs.glob("*.log"))
    raise AssertionError(f"timed out waiting for {what}\n{logs}")
