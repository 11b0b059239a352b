"""`make faults`: kill -9 at random moments during each of Dixian's writing operations, then
check that nothing is partial or duplicated and that running it again completes; restart the
database in the middle of a run; fill the disk during an upload.

    .venv/bin/python bench/faults/run.py --kills 20                 # make faults
    .venv/bin/python bench/faults/run.py --kills 3 --households 120  # a quick look

The CI-sized version is tests/deploy/test_deployment.py: it uses this module's operations and
checks, but kills each command at observable points (``Gate``, ``kill_at_states``) instead of
at random moments.

It brings up the production setup of docs/deployment.md on this machine (deploy/localstack.py:
a private PostgreSQL cluster, keys in files, production settings) with a synthetic county, and
runs each operation as its command (`dixian import`, `dixian feed upload`, `dixian screen`,
`dixian indicators`, and a procedure driver that takes a step on each open clue), each forked
from a process that has imported the application (localstack.Forker). A kill lands at a
uniformly random moment of the operation's measured duration. After every kill the
invariants of docs/reliability.md are checked with SQL and on the file store.
"""

from __future__ import annotations

import abc
import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from localstack import Cluster, Stack  # noqa: E402

COUNTY = "522326"
PERIOD = "2026-11"


class Operation(abc.ABC):
    name = ""

    def __init__(self, stack: Stack, work: Path):
        self.stack, self.work = stack, work

    def sql(self, query: str) -> str:
        return self.stack.cluster.psql(self.stack.database, query)

    def prepare(self) -> None:  # noqa: B027 - optional hook: most operations need nothing
        """Before the first run."""

    @abc.abstractmethod
    def command(self, cycle: int) -> list[str]:
        """The command line of one cycle of the operation (each subclass says its own)."""

    def check(self) -> list[str]:
        """Invariants after a kill: a list of violations (empty when all hold)."""
        return []

    def complete(self) -> list[str]:
        """After the final, uninterrupted run: what must then be true."""
        return self.check()

    def finished(self, code: int, output: str) -> bool:
        """Did the uninterrupted re-run complete?"""
        return code == 0


# ---------------------------------------------------------------------------- registry import
class Import(Operation):
    """`dixian import` of the county's registry (XLSX) with one field changed for every
    household per cycle: applied wholly or not at all, one APPLIED batch per file."""

    name = "registry import"
    first_write = "registry_household"

    def prepare(self):
        self.base = self.work / "registry.xlsx"
        self.stack.run("export", "--region", COUNTY, "--format", "xlsx", "--reveal",
                          "-o", str(self.base))
        from openpyxl import load_workbook

        book = load_workbook(self.base, read_only=True)
        sheet = book.worksheets[0]
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        self.column = next(i for i, name in enumerate(header)
                           if name in ("natural_village", "自然村", "自然村（组）"))
        self.households = sum(1 for _ in sheet.iter_rows(min_row=2))
        book.close()

    def command(self, cycle):
        from openpyxl import load_workbook

        book = load_workbook(self.base)
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(min_row=2):
            row[self.column].value = f"故障测试{cycle}组"
        path = self.work / f"registry-{cycle}.xlsx"
        book.save(path)
        self.last = cycle
        return ["import", str(path), "--region", COUNTY, "--accept-quality-issues"]

    def check(self):
        problems = []
        values = self.sql("SELECT count(DISTINCT natural_village) FROM registry_household "
                          f"WHERE village_id LIKE '{COUNTY}%' AND natural_village LIKE '故障测试%'")
        touched = int(self.sql("SELECT count(*) FROM registry_household WHERE natural_village "
                               "LIKE '故障测试%'"))
        if touched not in (0, self.households) or int(values) > 1:
            problems.append(f"partial import: {touched} of {self.households} households "
                            f"carry a test value, {values} distinct values")
        dup = self.sql("SELECT count(*) FROM (SELECT checksum FROM registry_importbatch WHERE "
                       "status IN ('applied', 'partial') GROUP BY checksum "
                       "HAVING count(*) > 1) d")
        if dup != "0":
            problems.append(f"{dup} files applied twice")
        problems += files_missing(self, "registry_importbatch", ("original", "error_file"))
        return problems

    def complete(self):
        problems = self.check()
        got = self.sql("SELECT DISTINCT natural_village FROM registry_household WHERE "
                       f"village_id LIKE '{COUNTY}%' AND natural_village LIKE '故障测试%'")
        if got != f"故障测试{self.last}组":
            problems.append(f"the last file is not applied after the re-run: {got!r}")
        return problems


# ---------------------------------------------------------------------------- feed upload
class Feed(Operation):
    """`dixian feed upload` of a medical-insurance file, a new one each cycle: accepted once
    or not at all, its Parquet batch whole."""

    name = "feed upload"
    first_write = "exchange_feedbatch"

    def prepare(self):
        from dixian.engine.feeds.synthetic import derive_feeds

        out = self.work / "feeds"
        derive_feeds(str(self.stack.folder / "synth"), str(out), seed=7,
                     departments=("medical",))
        files = sorted(out.glob("medical/*_????-??.*"))
        self.base = max(files, key=lambda p: p.stat().st_size)

    def command(self, cycle):
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(self.base)
        cost = table.column("total_cost").to_pylist()
        cost[0] += cycle  # the same claims, one amount differs: a new file each cycle
        table = table.set_column(table.schema.get_field_index("total_cost"), "total_cost",
                                 pa.array(cost, pa.int64()))
        path = self.work / f"cycle{cycle}-{self.base.name}"
        pq.write_table(table, path)
        self.last = path
        return ["feed", "upload", str(path), "--department", "medical_insurance",
                "--region", COUNTY]

    def check(self):
        problems = []
        dup = self.sql("SELECT count(*) FROM (SELECT checksum FROM exchange_feedbatch WHERE "
                       "status = 'accepted' GROUP BY checksum, department "
                       "HAVING count(*) > 1) d")
        if dup != "0":
            problems.append(f"{dup} files accepted twice")
        problems += files_missing(self, "exchange_feedbatch", ("original", "parquet"))
        import pyarrow.parquet as pq  # noqa: I001

        rows = self.sql("SELECT parquet || '|' || rows FROM exchange_feedbatch WHERE "
                        "status = 'accepted' ORDER BY id DESC LIMIT 3")
        for line in filter(None, rows.splitlines()):
            name, count = line.rsplit("|", 1)
            if pq.read_metadata(self.stack.var / "media" / name).num_rows != int(count):
                problems.append(f"{name}: rows differ from its batch")
        return problems


    def finished(self, code, output):
        # the same claims re-sent with an amount changed may be refused as conflicting with the
        # accepted batch: a recorded, reported refusal is a completed upload
        return code == 0 or "the file was rejected" in output


# ---------------------------------------------------------------------------- screening
class Screen(Operation):
    """`dixian screen`: a run with all its alerts and clues, or nothing."""

    name = "screening run"
    first_write = "exchange_screeningrun"

    def command(self, cycle):
        return ["screen", "--region", COUNTY, "--period", PERIOD]

    def check(self):
        problems = []
        bad = self.sql("SELECT count(*) FROM exchange_screeningrun r WHERE "
                       "(SELECT count(*) FROM exchange_alert a WHERE a.run_id = r.id) "
                       "<> coalesce((r.counts->>'alerts')::int, -1)")
        if bad != "0":
            problems.append(f"{bad} screening runs whose alerts are not all there")
        audit = self.sql("SELECT (SELECT count(*) FROM exchange_screeningrun) - "
                         "(SELECT count(*) FROM core_auditevent WHERE action = 'screening.run')")
        if audit != "0":
            problems.append(f"screening runs and their audit rows differ by {audit}")
        problems += open_cases_unique(self)
        return problems


# ---------------------------------------------------------------------------- indicators
class Indicators(Operation):
    """`dixian indicators`: the county's cached indicators replaced as a whole."""

    name = "indicator recompute"
    first_write = "statistics_indicatorsnapshot"

    def check(self):
        problems = []
        stamps = self.sql("SELECT count(DISTINCT computed_at) FROM statistics_indicatorsnapshot "
                          f"WHERE region_code LIKE '{COUNTY}%'")
        if stamps not in ("0", "1"):
            problems.append(f"the county's indicators come from {stamps} computations")
        if hasattr(self, "regions"):
            n = self.sql("SELECT count(*) FROM statistics_indicatorsnapshot WHERE "
                         f"region_code LIKE '{COUNTY}%'")
            if n != self.regions:
                problems.append(f"{n} indicator rows instead of {self.regions}")
        return problems

    def command(self, cycle):
        return ["indicators", "--region", COUNTY]

    def calibrated(self):
        self.regions = self.sql("SELECT count(*) FROM statistics_indicatorsnapshot WHERE "
                                f"region_code LIKE '{COUNTY}%'")


# ---------------------------------------------------------------------------- procedure step
class Step(Operation):
    """A township reviewer accepts every open clue of the township, one step (one
    transaction) per case: each case moved once, with its event and audit row, or not."""

    name = "procedure step"
    first_write = "cases_caseevent"

    def prepare(self):
        self.township = self.sql(
            "SELECT substr(village_id, 1, 9) t FROM registry_household WHERE village_id LIKE "
            f"'{COUNTY}%' GROUP BY t ORDER BY count(*) DESC LIMIT 1")
        self.stack.run("users", "create", "fault-township", "--role", "township_reviewer",
                          "--region", self.township, "--password", "Fault-test-pass-2026")
        self.new_clues()

    def new_clues(self):
        made = self.driver("--clues")
        if self.sql("SELECT count(*) FROM cases_case WHERE state = 'clue' AND "
                    f"village_code LIKE '{self.township}%'") == "0":
            raise RuntimeError(f"no clue to step on in {self.township}:\n{made.stdout[-2000:]}")

    def driver(self, *args):
        return self.stack.run("shell", "-c", _STEP_DRIVER.format(
            township=self.township, clues="--clues" in args))

    def command(self, cycle):
        if int(self.sql("SELECT count(*) FROM cases_case WHERE state = 'clue' AND "
                        f"village_code LIKE '{self.township}%'")) < 10:
            self.new_clues()  # close the accepted cases, new clues on their households
        return ["shell", "-c", _STEP_DRIVER.format(township=self.township,
                                                             clues=False)]

    def check(self):
        problems = []
        where = f"c.village_code LIKE '{self.township}%'"
        twice = self.sql("SELECT count(*) FROM (SELECT case_id FROM cases_caseevent e JOIN "
                         f"cases_case c ON c.id = e.case_id WHERE {where} AND e.action = "
                         "'accept' GROUP BY case_id HAVING count(*) > 1) d")
        if twice != "0":
            problems.append(f"{twice} cases accepted twice")
        torn = self.sql(f"SELECT count(*) FROM cases_case c WHERE {where} AND "
                        "c.state <> (SELECT e.to_state FROM cases_caseevent e WHERE "
                        "e.case_id = c.id ORDER BY e.time DESC, e.id DESC LIMIT 1)")
        if torn != "0":
            problems.append(f"{torn} cases whose state is not their last event's")
        audit = self.sql("SELECT (SELECT count(*) FROM cases_caseevent WHERE action = 'accept')"
                         " - (SELECT count(*) FROM core_auditevent WHERE action = 'case.accept')")
        if audit != "0":
            problems.append(f"accept events and their audit rows differ by {audit}")
        problems += open_cases_unique(self)
        return problems

    def complete(self):
        problems = self.check()
        left = self.sql("SELECT count(*) FROM cases_case WHERE state = 'clue' AND "
                        f"village_code LIKE '{self.township}%' AND kind = 'identification'")
        if left != "0":
            problems.append(f"{left} clues left after the re-run")
        return problems


_STEP_DRIVER = """
from dixian.cases import actions
from dixian.cases.models import Case
from dixian.core.actions import do_create_user
from dixian.core.models import User
from dixian.registry.models import Household
actor = User.objects.get(username="fault-township")
if {clues}:
    # between cycles (not killed): the accepted cases are visited and declined by each
    # village's cadre, which frees their households for new clues
    for case in Case.objects.filter(state="visit", village_code__startswith="{township}"):
        name = "fault-cadre-" + case.village_code
        cadre = User.objects.filter(username=name).first() or do_create_user(
            username=name, role="village_cadre", region_code=case.village_code,
            password="Fault-test-pass-2026")
        actions.do_transition(case.pk, "record_visit", actor=cadre, expected_state="visit",
                              data={{"consent_date": "2026-11-01", "consent_confirmed": True}})
        actions.do_transition(case.pk, "decline", actor=cadre, expected_state="village_review",
                              data={{"participants": "fault test", "minutes": "fault test"}})
    open_ = Case.objects.exclude(state__in=["monitored", "eliminated", "not_proposed",
                                             "rejected"]).values("household_id")
    for h in Household.objects.filter(village__code__startswith="{township}").exclude(
            pk__in=open_)[:400]:
        try:
            actions.do_receive_clue(h, channel="self_declaration", risk_type="ILLNESS",
                                    actor=actor, description="fault test")
        except Exception as exc:
            print("clue skipped:", exc)
else:  # the operation under test: accept each clue, one transaction per case
    for case in Case.objects.filter(state="clue", kind="identification",
                                    village_code__startswith="{township}").order_by("pk"):
        actions.do_transition(case.pk, "accept", actor=actor, expected_state="clue")
"""


# ---------------------------------------------------------------------------- shared checks
def files_missing(op: Operation, table: str, fields) -> list[str]:
    problems = []
    for field in fields:
        names = op.sql(f"SELECT {field} FROM {table} WHERE {field} <> ''").splitlines()
        missing = [n for n in names if not (op.stack.var / "media" / n).exists()]
        if missing:
            problems.append(f"{len(missing)} {table}.{field} files missing: {missing[:2]}")
    return problems


def open_cases_unique(op: Operation) -> list[str]:
    dup = op.sql("SELECT count(*) FROM (SELECT household_id FROM cases_case WHERE state NOT IN "
                 "('monitored', 'eliminated', 'not_proposed', 'rejected') GROUP BY household_id"
                 " HAVING count(*) > 1) d")
    return [f"{dup} households with two open cases"] if dup != "0" else []


def file_store_leftovers(stack: Stack) -> dict:
    media = stack.var / "media"
    incoming = [p for p in media.rglob(".incoming-*")]
    referenced = set()
    for table, fields in (("registry_importbatch", ("original", "error_file")),
                          ("exchange_feedbatch", ("original", "parquet"))):
        for field in fields:
            referenced |= set(stack.cluster.psql(stack.database, f"SELECT {field} FROM {table} "
                                                 f"WHERE {field} <> ''").splitlines())
    stored = {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()
              and not p.name.startswith(".incoming-")}
    return {"unreferenced": len(stored - referenced), "incoming_temporaries": len(incoming)}


# ---------------------------------------------------------------------------- the harness
def run_timed(stack: Stack, command: list[str]) -> tuple[int, float, str]:
    started = time.perf_counter()
    child = stack.forker.spawn(command)
    code = child.wait(1800)
    return code, time.perf_counter() - started, child.output()


def kill_cycles(op: Operation, kills: int, rng: random.Random, log) -> dict:
    """`make faults`: each cycle kills the command at a uniformly random moment of the
    duration an uninterrupted run took (the command's own work: it is forked from a process
    that has imported the application, so no kill is wasted on the start-up)."""
    op.prepare()
    code, duration, output = run_timed(op.stack, op.command(0))
    if code != 0:
        raise RuntimeError(f"{op.name}: the calibration run failed:\n{output}")
    if hasattr(op, "calibrated"):
        op.calibrated()
    violations, landed = [], 0
    for cycle in range(1, kills + 1):
        at = rng.uniform(0.05, 1.0) * duration
        child = op.stack.forker.spawn(op.command(cycle))
        deadline = time.monotonic() + at
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        finished = child.returncode is not None
        if not finished:
            child.kill()
        landed += not finished
        found = op.check()
        violations += [f"cycle {cycle} (kill at {at:.2f} s): {v}" for v in found]
        log(f"  {op.name}: cycle {cycle}, kill at {at:.2f} s of {duration:.2f} s"
            f"{' (had finished)' if finished else ''}: "
            f"{'; '.join(found) if found else 'invariants hold'}")
    return _rerun(op, kills + 1, violations, {"operation": op.name, "kills": kills,
                                              "killed_mid_run": landed,
                                              "duration_s": round(duration, 2)})


def _rerun(op: Operation, cycle: int, violations: list[str], result: dict) -> dict:
    code, _seconds, output = run_timed(op.stack, op.command(cycle))
    if not op.finished(code, output):
        violations.append(f"the re-run failed: {output[-500:]}")
    violations += [f"after the re-run: {v}" for v in op.complete()]
    return {**result, "violations": violations}


# The audit chain's advisory lock (dixian/core/audit.py): every write records its audit row
# last in its transaction, under this lock.
AUDIT_LOCK = 0x6469786961


class Gate:
    """Stop a command at an observable point inside its transaction: hold a lock that the
    command needs next, wait until PostgreSQL shows the command's backend waiting for it, and
    only then kill. No timing: the kill lands at the same point on an idle or a loaded
    machine.

    - ``("write", TABLE)``: ``LOCK TABLE`` in SHARE mode (reads go on, writes wait): the
      command is stopped at its first write to TABLE.
    - ``("audit", None)``: the audit chain's advisory lock: the command is stopped after all
      its writes, as it records its audit row, just before its commit.
    """

    def __init__(self, stack: Stack, point: str, table: str | None):
        import psycopg

        self.point, self.table = point, table
        self.conn = psycopg.connect(stack.cluster.url(stack.database), autocommit=True)
        if point == "audit":
            self.conn.execute("SELECT pg_advisory_lock(%s)", [AUDIT_LOCK])
        else:
            self.conn.execute("BEGIN")
            self.conn.execute(f"LOCK TABLE {table} IN SHARE MODE")

    def waiter(self) -> int | None:
        """The backend pid waiting on this gate, if any."""
        if self.point == "audit":
            where = "l.locktype = 'advisory'"
            args: list = []
        else:
            where = "l.locktype = 'relation' AND l.relation = %s::regclass"
            args = [self.table]
        row = self.conn.execute(f"SELECT l.pid FROM pg_locks l WHERE NOT l.granted AND "
                                f"l.pid <> pg_backend_pid() AND {where} LIMIT 1",
                                args).fetchone()
        return row[0] if row else None

    def open(self, backend: int | None = None, seconds: float = 60) -> None:
        """Release the lock; then wait until the killed command's backend has gone (it
        finds its client gone and rolls back)."""
        try:
            if self.point == "audit":
                self.conn.execute("SELECT pg_advisory_unlock_all()")
            else:
                self.conn.execute("ROLLBACK")
            deadline = time.monotonic() + seconds
            while backend is not None and self.conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
                    [backend]).fetchone()[0]:
                if time.monotonic() > deadline:
                    self.conn.execute("SELECT pg_terminate_backend(%s)", [backend])
                time.sleep(0.05)
        finally:
            self.conn.close()


def stop_at(stack: Stack, argv: list[str], point: str, table: str | None,
            seconds: float = 600):
    """Start ``dixian ARGV`` and return (child, gate, backend) once the command waits at the
    gate; backend is None when the command finished without reaching it."""
    gate = Gate(stack, point, table)
    child = stack.forker.spawn(argv)
    deadline = time.monotonic() + seconds
    backend = None
    while backend is None and child.poll() is None:
        if time.monotonic() > deadline:
            child.kill()
            gate.open()
            raise TimeoutError(f"dixian {argv[0]} neither reached {point} nor finished")
        backend = gate.waiter()
        if backend is None:
            time.sleep(0.02)
    return child, gate, backend


def kill_at_states(op: Operation, log) -> dict:
    """The CI-sized faults: kill the command at its first write and again as it records its
    audit row (both inside its transaction), check the invariants after each, then run it
    once more uninterrupted."""
    op.prepare()
    violations, landed = [], 0
    points = [("write", op.first_write), ("audit", None)]
    for cycle, (point, table) in enumerate(points, start=1):
        child, gate, backend = stop_at(op.stack, op.command(cycle), point, table)
        finished = backend is None
        if not finished:
            child.kill()
        gate.open(backend)
        landed += not finished
        found = op.check()
        where = f"at its first write to {table}" if table else "as it records its audit row"
        violations += [f"kill {where}: {v}" for v in found]
        if finished:  # it never reached the point: the test would prove nothing
            violations.append(f"kill {where}: the command finished without reaching it "
                              f"(exit {child.returncode}): {child.output()[-300:]}")
        log(f"  {op.name}: killed {where}"
            f"{' (had finished)' if finished else ''}: "
            f"{'; '.join(found) if found else 'invariants hold'}")
    return _rerun(op, len(points) + 1, violations, {"operation": op.name,
                                                    "kills": len(points),
                                                    "killed_mid_run": landed})


def database_restart(stack: Stack, rng: random.Random, log, ops=None) -> dict:
    """The database stopped (immediate shutdown, as a crash) and started again while a
    screening run and an indicator recompute are inside their transaction: each is held at
    its audit row (the gate above), the cluster is killed and started, and the command must
    end with a clear error; then the invariants, a re-run, and the audit chain."""
    results = []
    for op in ops or (Screen(stack, Path()), Indicators(stack, Path())):
        child, gate, backend = stop_at(stack, op.command(1), "audit", None)
        stack.cluster.kill()
        try:
            gate.conn.close()
        except Exception:  # noqa: BLE001 - the connection died with the server
            pass
        stack.cluster.start()
        code = child.wait(600)
        err = child.output()
        clear = backend is not None and (code == 0 or "the database is not reachable" in err)
        problems = op.check()
        rerun, _s, output = run_timed(stack, op.command(2))
        verify = stack.run("audit", "verify", check=False)
        results.append({"operation": op.name, "exit": code,
                        "message": err.strip().splitlines()[-1] if err.strip() else "",
                        "clear_error": clear, "violations": problems,
                        "rerun_ok": rerun == 0, "audit_intact": verify.returncode == 0})
        log(f"  database restart during {op.name}: exit {code}, "
            f"{results[-1]['message'][:140]!r}; invariants "
            f"{'hold' if not problems else problems}; re-run "
            f"{'ok' if rerun == 0 else output[-300:]}")
    return {"runs": results}


def full_disk(stack: Stack, work: Path, log) -> dict:
    """An upload while the file store's disk is full: a small tmpfs mounted on MEDIA_ROOT
    (root only), the feed sent through gunicorn as an officer would."""
    from localstack import Client

    media = stack.var / "media"
    moved = stack.folder / "media-real"
    shutil.move(media, moved)
    media.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media)],
                             capture_output=True, text=True).returncode == 0
    result = {"method": "a 1 MiB tmpfs on MEDIA_ROOT, filled" if mounted else "not run"}
    started = False
    try:
        if not mounted:
            log("  full disk: cannot mount a tmpfs here (not root?): skipped")
            return result
        feed = next((work / "feeds").glob("medical/*_????-??.*"))
        # leave room for half the file: the original cannot be written whole
        (media / "filler").write_bytes(b"\0" * (1024 * 1024 - feed.stat().st_size // 2 - 8192))
        before = stack.cluster.psql(stack.database, "SELECT count(*) FROM exchange_feedbatch")
        web = stack.processes.get("web")
        started = web is None or web.poll() is not None
        if started:  # else the running server writes to the same MEDIA_ROOT path
            stack.start_web(workers=1)
        client = Client(stack.base_url)
        assert client.login("fault-medical", "Fault-test-pass-2026").status_code == 302
        page = client.get("/feeds/")
        from localstack import csrf_token

        boundary = "----dixianfaults"
        body = io.BytesIO()
        for name, value in (("csrfmiddlewaretoken", csrf_token(page.text)), ("period", "")):
            body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                       f"{value}\r\n".encode())
        body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                   f"filename=\"{feed.name}\"\r\n"
                   "Content-Type: application/octet-stream\r\n\r\n".encode())
        body.write(feed.read_bytes() + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        import urllib.request

        request = urllib.request.Request(
            stack.base_url + "/feeds/", data=body.getvalue(), method="POST",
            headers={**client.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with client.opener.open(request, timeout=120) as response:
                status, text = response.status, response.read().decode()
                location = response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
            location = exc.headers.get("Location", "")
        clear = status == 507 and "磁盘已满" in text
        sent = feed.read_bytes()
        job = re.search(r"/jobs/(\d+)/", location or "")
        if status == 302 and job:
            # The upload is a background job (docs/deployment.md): its original fitted and
            # was kept first; the worker then hits the full disk. The error is the job's,
            # on its page; the kept original stays, whole, for a re-run.
            stack.run("db_worker", "--batch", "--no-startup-delay", "--no-reload", check=False)
            row = stack.cluster.psql(stack.database, "SELECT status || '|' || coalesce(error, "
                                     f"'') FROM core_job WHERE id = {job.group(1)}")
            state, _, error = row.partition("|")
            clear = state == "failed" and ("磁盘已满" in error or "disk is full" in error)
            log(f"  full disk: the upload's job {job.group(1)} ended {state}: {error[:120]}")
        after = stack.cluster.psql(stack.database, "SELECT count(*) FROM exchange_feedbatch")
        # a file left is a violation unless it is the upload's original kept whole for its
        # job (never a partial file: the store writes beside and renames)
        leftovers = [p.name for p in media.rglob("*") if p.is_file() and p.name != "filler"
                     and not (job and p.read_bytes() == sent)]
        result.update({"status": status, "clear_error": clear,
                       "rows_added": int(after) - int(before), "files_left": leftovers})
        log(f"  full disk: HTTP {status}, {int(after) - int(before)} batch rows added, "
            f"files left {leftovers}")
    finally:
        if mounted and started:
            stack.stop("web")
        if mounted:
            subprocess.run(["umount", str(media)], check=False)
        shutil.rmtree(media, ignore_errors=True)
        shutil.move(moved, media)
    return result


def build(stack: Stack, households: int, log) -> None:
    started = time.perf_counter()
    stack.run("migrate", "--no-input")
    stack.run("regions", "load", "--province", COUNTY[:2])
    stack.run("synth", COUNTY, "--households", str(households), "--months", "14", "--load",
                 "--out", str(stack.folder / "synth"))
    stack.run("collectstatic", "--no-input")
    fault_users(stack)
    log(f"built a county of {households} households in {time.perf_counter() - started:.0f} s")


def fault_users(stack: Stack) -> None:
    stack.run("users", "create", "fault-medical", "--role", "department_officer",
                 "--region", COUNTY, "--department", "medical_insurance",
                 "--password", "Fault-test-pass-2026")


OPERATIONS = (Import, Feed, Screen, Indicators, Step)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20, help="kills per operation")
    parser.add_argument("--households", type=int, default=600)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--only", nargs="*", help="operation classes (Import Feed …)")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the folder")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="dixian-faults-"))
    folder.chmod(0o711)

    def log(line):
        print(line, flush=True)

    cluster = Cluster(folder / "pg")
    cluster.start()
    cluster.createdb("dixian")
    stack = Stack(folder, cluster)
    results = {"kills": [], "uptime_before": os.popen("uptime").read().strip()}
    try:
        build(stack, args.households, log)
        work = folder / "work"
        work.mkdir()
        for kind in OPERATIONS:
            if args.only and kind.__name__ not in args.only:
                continue
            log(f"{kind.name}: {args.kills} kills")
            results["kills"].append(kill_cycles(kind(stack, work), args.kills, rng, log))
        results["file_store"] = file_store_leftovers(stack)
        results["database_restart"] = database_restart(stack, rng, log)
        if (work / "feeds").exists():
            results["full_disk"] = full_disk(stack, work, log)
        verify = stack.run("audit", "verify", check=False)
        results["audit_chain"] = verify.stdout.strip() or verify.stderr.strip()
        results["uptime_after"] = os.popen("uptime").read().strip()
    finally:
        stack.stop_all()
        cluster.kill()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    failed = [k for k in results["kills"] if k["violations"]]
    restart = results.get("database_restart", {}).get("runs", [])
    failed += [r for r in restart if r["violations"] or not r["clear_error"]
               or not r["rerun_ok"] or not r["audit_intact"]]
    disk = results.get("full_disk", {})
    if disk.get("method", "not run") != "not run" and (not disk.get("clear_error")
                                                      or disk.get("rows_added")):
        failed.append(disk)
    if "intact" not in results.get("audit_chain", ""):
        failed.append(results.get("audit_chain"))
    print("faults:", "FAILED" if failed else "all invariants hold")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
