import re

from dixian.core import context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Give every request an id (or accept a well-formed X-Request-ID from a proxy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else context.new_request_id()
        request.request_id = request_id
        client = request.META.get("REMOTE_ADDR", "")
        with context.acting(request_id, client):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
