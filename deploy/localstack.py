"""The production setup of docs/deployment.md, brought up on this machine without root
services: a private PostgreSQL cluster, keys in files, gunicorn on a loopback port, the
background worker. Used by the deployment test, `make load` and `make faults`.

Each step is the documented command, run as a subprocess in production mode.
"""

from __future__ import annotations

import base64
import http.cookiejar
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DIXIAN = [sys.executable, "-m", "dixian"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_keys(folder: Path) -> dict[str, Path]:
    """The four secrets, one file each, mode 0600 (docs/deployment.md, step 3)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    lookup = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    audit = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    files = {"SECRET_KEY_FILE": ("secret-key", secrets.token_urlsafe(50)),
             "DIXIAN_DATA_KEYS_FILE": ("data-keys", f"k1:{key}"),
             "DIXIAN_LOOKUP_KEY_FILE": ("lookup-key", lookup),
             "DIXIAN_AUDIT_KEY_FILE": ("audit-key", audit)}
    out = {}
    for variable, (name, value) in files.items():
        path = folder / name
        if not path.exists():
            path.write_text(value + "\n")
            path.chmod(0o600)
        out[variable] = path
    return out


class Cluster:
    """scripts/pg-cluster: a private, durable PostgreSQL cluster in a folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.server = ""

    def _run(self, *args) -> str:
        return subprocess.run([str(ROOT / "scripts" / "pg-cluster"), *args, str(self.folder)],
                              check=True, capture_output=True, text=True).stdout.strip()

    def start(self) -> str:
        self.server = self._run("start")
        return self.server

    def stop(self) -> None:
        self._run("stop")

    def kill(self) -> None:
        self._run("kill")

    def url(self, database: str) -> str:
        return f"{self.server}/{database}"

    def psql(self, database: str, sql: str) -> str:
        bindir = self._run("bindir")
        result = subprocess.run([f"{bindir}/psql", "-XAtq", "-v", "ON_ERROR_STOP=1",
                                 self.url(database), "-c", sql], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"psql: {result.stderr.strip()} (in: {sql[:200]})")
        return result.stdout.strip()

    def createdb(self, database: str) -> None:
        self.psql("postgres", f'CREATE DATABASE "{database}"')


class Stack:
    """One production configuration: environment, commands, servers."""

    def __init__(self, folder: Path, cluster: Cluster, database: str = "dixian"):
        self.folder = folder
        self.cluster = cluster
        self.database = database
        self.var = folder / "var"
        self.keys = make_keys(folder / "keys")
        self.port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs = folder / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self._forker: Forker | None = None

    @property
    def forker(self) -> Forker:
        if self._forker is None or self._forker.process.poll() is not None:
            self._forker = Forker(self)
        return self._forker

    def run(self, *args, check=True, timeout: float = 900) -> subprocess.CompletedProcess:
        """``dixian ARGS`` in this configuration, forked from a process that has already
        imported the application (see Forker): the same command, without the 10–20 s of
        imports a cold start costs on a loaded machine. Output: stdout and stderr together."""
        return self.forker.run(list(args), check=check, timeout=timeout)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, **extra) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DIXIAN_", "DJANGO_")) and k not in
               {"SECRET_KEY", "DATABASE_URL", "PYTEST_CURRENT_TEST"}}
        env.update({
            "DIXIAN_MODE": "production",
            "DATABASE_URL": self.cluster.url(self.database),
            "DIXIAN_VAR_DIR": str(self.var),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DIXIAN_BIND": f"127.0.0.1:{self.port}",
            "DIXIAN_LOG_FORMAT": "json",
            "PATH": f"{VENV_BIN}:{env.get('PATH', '')}",
            **{k: str(v) for k, v in self.keys.items()},
        })
        env.update(extra)
        return env

    def dixian(self, *args, check=True, timeout=600, **extra) -> subprocess.CompletedProcess:
        result = subprocess.run([*DIXIAN, *args], cwd=ROOT, env=self.env(**extra),
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"dixian {' '.join(args)} exited {result.returncode}:\n"
                               f"{result.stdout}\n{result.stderr}")
        return result

    def unit_command(self, unit: str) -> list[str]:
        """The ExecStart of a systemd unit in deploy/systemd, on this checkout's venv."""
        text = (ROOT / "deploy" / "systemd" / unit).read_text()
        line = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)
        args = shlex.split(line)
        return [str(VENV_BIN / Path(args[0]).name) if args[0].startswith("/opt/dixian/.venv")
                else args[0], *[a.replace("/opt/dixian/", f"{ROOT}/") for a in args[1:]]]

    def start(self, name: str, command: list[str], **extra) -> subprocess.Popen:
        self.stop(name)
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env(**extra), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def start_web(self, workers: int = 2, threads: int = 4, **extra) -> subprocess.Popen:
        process = self.start("web", self.unit_command("dixian-web.service"),
                             DIXIAN_WEB_WORKERS=str(workers), DIXIAN_WEB_THREADS=str(threads),
                             **extra)
        self.wait_for("/healthz")
        return process

    def start_worker(self) -> subprocess.Popen:
        return self.start("worker", [*self.unit_command("dixian-worker.service")[:-2],
                                     "--interval", "0.5"])

    def wait_for(self, path: str, status: int = 200, seconds: float = 240) -> None:
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=30) as response:
                    last = response.status
            except urllib.error.HTTPError as exc:
                last = exc.code
            except OSError as exc:
                last = exc
            if last == status:
                return
            time.sleep(0.3)
        raise TimeoutError(f"{path} did not answer {status} in {seconds} s (last: {last}); "
                           f"logs in {self.logs}")

    def stop(self, name: str, sig=signal.SIGTERM, timeout: float = 30) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        if self._forker is not None:
            self._forker.close()
            self._forker = None


_ZYGOTE = r"""
import json, os, sys, traceback
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dixian.settings")
django.setup()
from django.core.management import get_commands, load_command_class
from django.urls import get_resolver
get_resolver().url_patterns  # the whole application, imported once
for name, app in get_commands().items():
    load_command_class(app, name)
from django.db import connections
connections.close_all()  # a child opens its own
from dixian import cli
reply = sys.stdout
for line in sys.stdin:
    request = json.loads(line)
    if "poll" in request:
        pid, status = os.waitpid(request["poll"], os.WNOHANG if request.get("nohang") else 0)
        code = os.waitstatus_to_exitcode(status) if pid else None
        reply.write(json.dumps({"code": code}) + "\n")
        reply.flush()
        continue
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)
        code = 0
        try:
            cli.main(["dixian", *request["argv"]])
        except SystemExit as exc:
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    reply.write(json.dumps({"pid": pid}) + "\n")
    reply.flush()
"""


class Forker:
    """A process that imports the application once in this configuration, then forks one
    child per command (``dixian.cli.main`` with the command's arguments, in a session of
    its own). A child is the command exactly as ``dixian ARGS`` runs it, minus the cold
    start; ``kill -9`` of its process group is a kill of that command. The parent holds no
    database connection (closed before any fork)."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.count = 0
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE], cwd=ROOT, env=stack.env(), text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=(stack.logs / "forker.log").open("ab"))

    def _ask(self, request: dict) -> dict:
        import json

        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the command forker died: see "
                               f"{self.stack.logs / 'forker.log'}")
        return json.loads(line)

    def spawn(self, argv: list[str]) -> Child:
        self.count += 1
        log = self.stack.logs / f"command-{self.count}.log"
        return Child(self, self._ask({"argv": list(argv), "log": str(log)})["pid"], log,
                     list(argv))

    def run(self, argv: list[str], check=True, timeout: float = 900):
        child = self.spawn(argv)
        code = child.wait(timeout)
        result = subprocess.CompletedProcess(["dixian", *argv], code, child.output(),
                                             child.output())
        if check and code != 0:
            raise RuntimeError(f"dixian {' '.join(argv)} exited {code}:\n{child.output()}")
        return result

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Child:
    def __init__(self, forker: Forker, pid: int, log: Path, argv: list[str]):
        self.forker, self.pid, self.log, self.argv = forker, pid, log, argv
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.forker._ask({"poll": self.pid, "nohang": True})["code"]
        return self.returncode

    def wait(self, timeout: float = 900) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"dixian {' '.join(self.argv)} ran over {timeout} s")
            time.sleep(0.05)
        return self.returncode

    def kill(self) -> int:
        """SIGKILL to the command's process group, then reap it."""
        if self.returncode is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.returncode = self.forker._ask({"poll": self.pid})["code"]
        return self.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class _HttpsBehindProxy(http.cookiejar.DefaultCookiePolicy):
    """Send the Secure cookies back over the loopback's plain HTTP (as nginx would over TLS)."""

    def return_ok_secure(self, cookie, request):
        return True

    def set_ok(self, cookie, request):
        return True


def proxy_headers(base_url: str) -> dict[str, str]:
    """What nginx adds, and the same-origin Referer a browser sends (Django's CSRF check)."""
    host = base_url.split("//", 1)[1]
    return {"X-Forwarded-Proto": "https", "Referer": f"https://{host}/",
            "Accept-Language": "zh-hans"}


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status_code, self.headers, self.content = status, headers, body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        import json

        return json.loads(self.content)


class _NoRedirect(__import__("urllib.request").request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A browser's session against gunicorn, as nginx would pass it (standard library only)."""

    def __init__(self, base_url: str):
        import urllib.request

        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar(policy=_HttpsBehindProxy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())
        self.headers = proxy_headers(base_url)

    def request(self, method: str, path: str, data: dict | None = None,
                headers: dict | None = None) -> Response:
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, method=method,
                                         headers={**self.headers, **(headers or {})})
        try:
            with self.opener.open(request, timeout=120) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.headers, exc.read())

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def login(self, username: str, password: str) -> Response:
        page = self.get("/login/")
        assert page.status_code == 200, page.status_code
        return self.post("/login/", {"csrfmiddlewaretoken": csrf_token(page.text),
                                     "username": username, "password": password})

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise AssertionError("no CSRF token in the page")
    return found.group(1)
