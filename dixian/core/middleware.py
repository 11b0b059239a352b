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


class LanguageMiddleware:
    """zh-hans unless the person chose another language with the switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a county office's
    English-language browser should still get the platform's default language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class ServiceUnavailableMiddleware:
    """Faults of the machine, not of the request, answered in words instead of a server error:

    - the database went away (restart, failover, network): 503 with ``Retry-After``; the
      interrupted transaction was rolled back. /readyz says so too (dixian/web/health.py).
    - the file store could not take an upload (a full disk): 507; nothing was recorded
      (dixian/core/storage.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        import logging

        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse, JsonResponse
        from django.template.loader import render_to_string
        from django.utils.translation import gettext as _

        from dixian.core.storage import StoreError

        if isinstance(exception, OperationalError | InterfaceError):
            status, title = 503, _("The database is not reachable")
            text = _("The platform cannot reach its database just now (a restart or a network "
                     "fault). Nothing you sent in this request was saved. Try again in a "
                     "minute; if it lasts, tell the system administrator.")
        elif isinstance(exception, StoreError):
            status, title = 507, _("The file could not be stored")
            text = _("The server could not store the file (its disk is full). Nothing was "
                     "recorded. Tell the system administrator, then send the file again.")
        else:
            return None
        first = (str(exception).strip().splitlines() or [type(exception).__name__])[0]
        logging.getLogger("dixian.faults").error("%s: %s", title, first,
                                                 extra={"status": status, "path": request.path})
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": f"{title}. {text}"}, status=status)
        else:
            # rendered without the request: the context processors would ask the database
            response = HttpResponse(render_to_string("web/unavailable.html",
                                                     {"title": title, "text": text}),
                                    status=status)
        if status == 503:
            response["Retry-After"] = "30"
        return response
