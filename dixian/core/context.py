"""Per-request context (request id, acting user) for audit rows.

Set by :class:`dixian.core.middleware.RequestContextMiddleware`; commands set it
through :func:`acting` so that their writes are attributed too.
"""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("dixian_request", default=None)


def current() -> RequestContext | None:
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextlib.contextmanager
def acting(request_id: str | None = None, client: str = ""):
    token = _current.set(RequestContext(request_id or new_request_id(), client))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
