"""docs/deployment.md, done on this machine: a private PostgreSQL cluster, the previous
release's database upgraded, keys in files, gunicorn on a loopback port, the background
worker, the timers' commands, a login through the application server with a real session and
CSRF, the health and readiness endpoints, a backup restored into a new database, and a
database restart in the middle.

It brings its own PostgreSQL, so it runs once: in the SQLite pass of `make test` (or when
DIXIAN_DEPLOY_TEST=1). About two minutes.
"""

from __future__ import annotations

import importlib
import json
import os
import random
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
        reason="brings its own PostgreSQL: runs once, in the SQLite pass"),
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

    def old_dixian(*args):
        result = subprocess.run([sys.executable, "-m", "dixian", *args], cwd=old,
                                env=stack.env(), capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    old_dixian("migrate", "--no-input")
    old_dixian("regions", "load", "--province", COUNTY[:2])
    old_dixian("users", "create", ADMIN, "--role", "county_admin", "--region", COUNTY,
               "--password", PASSWORD)
    pending = stack.dixian("migrate", "--plan").stdout
    stack.dixian("migrate", "--no-input")
    assert stack.dixian("migrate", "--check", check=False).returncode == 0
    assert stack.cluster.psql("dixian", f"SELECT count(*) FROM core_user WHERE "
                                        f"username = '{ADMIN}'") == "1"
    print(f"upgraded from {commit[:10]}:\n{pending}")


def test_the_documented_deployment_serves_logs_in_and_runs_the_worker_and_timers(stack):
    # step 4: migrate (a no-op after the upgrade), the county, an administrator, a registry
    stack.dixian("migrate", "--no-input")
    if stack.cluster.psql("dixian", f"SELECT count(*) FROM core_user WHERE "
                                    f"username = '{ADMIN}'") == "0":
        stack.dixian("regions", "load", "--province", COUNTY[:2])
        stack.dixian("users", "create", ADMIN, "--role", "county_admin", "--region", COUNTY,
                     "--password", PASSWORD)
    stack.dixian("synth", COUNTY, "--households", "120", "--months", "14", "--load",
                 "--out", str(stack.folder / "synth"))
    check = stack.dixian("check", "--deploy", "--fail-level", "WARNING",
                         ALLOWED_HOSTS="dixian.example.gov.cn")
    assert "no issues" in check.stdout
    stack.dixian("collectstatic", "--no-input")
    assert list((stack.var / "static").glob("web/dixian.*.css")), "hashed static files"

    # step 5: the application server and the worker
    stack.start_web()
    stack.start_worker()
    client = Client(stack.base_url)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})
    static = client.get(re.search(r'href="(/static/[^"]+\.css)"',
                                  client.get("/login/").text).group(1))
    assert static.status_code == 200 and "max-age" in static.headers.get("Cache-Control", "")

    # a real session: the login form's CSRF token, a session cookie, then a page
    assert client.post("/login/", {"username": ADMIN, "password": PASSWORD}).status_code == 403
    assert client.login(ADMIN, PASSWORD).status_code == 302
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
        "the worker's screening run")
    assert stack.cluster.psql("dixian", "SELECT status FROM django_tasks_database_dbtaskresult") \
        == "SUCCESSFUL"

    # the timers' commands, as the units run them: a due schedule fires once
    stack.cluster.psql("dixian", f"INSERT INTO exchange_screeningschedule (scope_code, "
                                 f"department, every_days, next_run_on, active) VALUES "
                                 f"('{COUNTY}', '', 30, CURRENT_DATE, true)")
    env = stack.env()
    for unit in ("dixian-screen.service", "dixian-nightly.service"):
        result = subprocess.run(stack.unit_command(unit), cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    assert stack.cluster.psql("dixian", "SELECT count(*) FROM exchange_screeningrun "
                                        "WHERE schedule_id IS NOT NULL") == "1"
    assert stack.cluster.psql("dixian", "SELECT next_run_on > CURRENT_DATE FROM "
                                        "exchange_screeningschedule") == "t"
    again = subprocess.run(stack.unit_command("dixian-screen.service"), cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=600)
    assert "0 scheduled run(s)" in again.stdout

    # structured logs: gunicorn's access lines and the application's records are JSON
    stack.stop("web")
    lines = [json.loads(line) for line in (stack.logs / "web.log").read_text().splitlines()
             if line.startswith("{")]
    assert any(line.get("log") == "access" and line["path"] == "/readyz" for line in lines)
    assert stack.dixian("audit", "verify").returncode == 0


def test_backup_restores_into_a_new_database(stack):
    counts_sql = ("SELECT (SELECT count(*) FROM registry_household) || '/' || "
                  "(SELECT count(*) FROM registry_member) || '/' || "
                  "(SELECT count(*) FROM core_auditevent) || '/' || "
                  "(SELECT count(*) FROM exchange_screeningrun)")
    before = stack.cluster.psql("dixian", counts_sql)
    feed = stack.var / "media" / "feeds" / "kept.parquet"
    feed.parent.mkdir(parents=True, exist_ok=True)
    feed.write_bytes(b"PAR1 a stand-in for a batch")
    backup, keys = stack.folder / "backup" / "1", stack.folder / "backup-keys" / "1"
    stack.dixian("backup", "create", str(backup), "--keys-to", str(keys))
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar", "manifest.json"}
    assert sorted(p.name for p in keys.iterdir()) == ["data-keys", "lookup-key", "secret-key"]
    assert oct(keys.joinpath("data-keys").stat().st_mode)[-3:] == "600"

    # a new machine: an empty database, an empty state folder, the keys from the backup
    stack.cluster.createdb("restored")
    shutil.rmtree(stack.var / "media")
    restored = dict(DATABASE_URL=stack.cluster.url("restored"),
                    SECRET_KEY_FILE=str(keys / "secret-key"),
                    DIXIAN_DATA_KEYS_FILE=str(keys / "data-keys"),
                    DIXIAN_LOOKUP_KEY_FILE=str(keys / "lookup-key"))
    wrong = stack.dixian("backup", "restore", str(backup), check=False,
                         **{**restored, "DIXIAN_DATA_KEYS_FILE": str(stack.folder / "other")},
                         )
    assert wrong.returncode != 0
    (stack.folder / "other").write_text("k9:" + "Q" * 43 + "\n")
    wrong = stack.dixian("backup", "restore", str(backup), check=False,
                         **{**restored, "DIXIAN_DATA_KEYS_FILE": str(stack.folder / "other")})
    assert wrong.returncode != 0 and "differ from the backup" in wrong.stderr
    stack.dixian("backup", "restore", str(backup), "--keys-from", str(keys), **restored)
    stack.dixian("migrate", "--no-input", **restored)
    assert stack.cluster.psql("restored", counts_sql) == before
    assert feed.read_bytes() == b"PAR1 a stand-in for a batch"
    assert "audit chain intact" in stack.dixian("audit", "verify", **restored).stdout
    # a restored member's ID number decrypts with the restored keys
    shown = stack.dixian("shell", "-c", "from dixian.registry.models import Member; "
                         "m = Member.objects.exclude(resident_id_enc='').first(); "
                         "from dixian.core import pii; "
                         "print(len(pii.decrypt(m.resident_id_enc, 'resident_id')))",
                         **restored)
    assert shown.stdout.strip().splitlines()[-1] == "18"
    second = stack.dixian("backup", "restore", str(backup), check=False, **restored)
    assert second.returncode != 0 and "not empty" in second.stderr


def test_a_database_restart_is_a_clear_503_then_recovers(stack):
    stack.start_web()
    client = Client(stack.base_url)
    assert client.login(ADMIN, PASSWORD).status_code == 302
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
    stack.wait_for("/readyz", 200, seconds=30)
    assert client.get("/households/").status_code == 200  # same session, new connection
    assert stack.dixian("audit", "verify").returncode == 0


def test_kill_9_during_each_write_leaves_nothing_partial_and_a_rerun_completes(stack):
    """The CI-sized `make faults`: two kills at random moments of each operation."""
    if stack.cluster.psql("dixian", "SELECT to_regclass('registry_household') IS NULL") == "t" \
            or stack.cluster.psql("dixian", "SELECT count(*) FROM registry_household") == "0":
        faults.build(stack, 120, print)  # when run alone (-k kill_9)
    else:
        faults.fault_users(stack)
    work = stack.folder / "faults"
    work.mkdir()
    rng = random.Random(17)
    for kind in faults.OPERATIONS:
        result = faults.kill_cycles(kind(stack, work), 2, rng, print)
        assert result["violations"] == [], result
    for run in faults.database_restart(stack, rng, print)["runs"]:
        assert run["clear_error"] and run["rerun_ok"] and run["audit_intact"], run
        assert run["violations"] == [], run
    disk = faults.full_disk(stack, work, print)
    if disk["method"] != "not run":
        assert disk["clear_error"] and disk["rows_added"] == 0 and not disk["files_left"], disk


def _wait(predicate, what: str, seconds: float = 120) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")
