"""Gunicorn for Dixian (docs/deployment.md): `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be changed from the environment (the systemd unit's EnvironmentFile):
DIXIAN_BIND, DIXIAN_WEB_WORKERS, DIXIAN_WEB_THREADS, DIXIAN_WEB_TIMEOUT.
"""

import json
import multiprocessing
import os

wsgi_app = "dixian.wsgi:application"
bind = os.environ.get("DIXIAN_BIND", "127.0.0.1:8000")  # nginx in front; never 0.0.0.0
# Synchronous workers with a few threads each: pages are short, database-bound requests.
workers = int(os.environ.get("DIXIAN_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("DIXIAN_WEB_THREADS", 4))
worker_class = "gthread"
# The monthly report (PDF) and an on-demand village recompute take a few seconds; longer work
# runs on the background worker.
timeout = int(os.environ.get("DIXIAN_WEB_TIMEOUT", 120))
graceful_timeout = 30
# Seconds an idle keep-alive connection stays open. nginx keeps its upstream connections
# (deploy/nginx/dixian.conf) and retries an idempotent request on one that closed; a client
# reaching gunicorn directly (the load test) needs it longer than its pause between clicks.
keepalive = int(os.environ.get("DIXIAN_WEB_KEEPALIVE", 5))
max_requests = 2000  # recycle workers (Arrow and DuckDB memory) now and then
max_requests_jitter = 200
preload_app = False  # each worker opens its own DuckDB and database connections
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
forwarded_allow_ips = os.environ.get("DIXIAN_FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
# gunicorn's control socket (gunicornc) is off: systemd manages the process, and several
# instances on one machine (tests, `make load`) would share its default path.
control_socket_disable = True

# Structured logs on standard error (journald): one JSON object per request.
accesslog = "-"
errorlog = "-"
access_log_format = json.dumps({
    "log": "access", "time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s",
    "query": "%(q)s", "status": "%(s)s", "bytes": "%(B)s", "ms": "%(M)s",
    "request_id": "%({x-request-id}o)s", "agent": "%(a)s",
})
