import re
import time

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


class PrivateResponseMiddleware:
    """Pages and API answers for a signed-in person are never stored by a browser or proxy
    (``Cache-Control: no-store``): village-office PCs are shared, and the back button or the
    disk cache must not show the next person a household's data. Also a Permissions-Policy
    that switches off device features no page uses. The other security headers (CSP,
    X-Frame-Options, nosniff, Referrer-Policy, COOP, HSTS) come from Django's middleware and
    settings."""

    PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        user = getattr(request, "user", None)
        static = request.path.startswith("/" + (settings.STATIC_URL or "static/").lstrip("/"))
        if not static and (getattr(user, "is_authenticated", False)
                           or request.path.startswith("/api/")):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        response.setdefault("Permissions-Policy", self.PERMISSIONS)
        return response


class BadInputMiddleware:
    """A ``ValidationError`` that reaches a page (a malformed date or month in the query
    string, say) is the visitor's bad input: a 400 page that says what was wrong, never a
    500. The API has the same rule in its own exception handler (dixian/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import ValidationError
        from django.shortcuts import render

        if isinstance(exception, ValidationError):
            return render(request, "web/400.html", {"problems": exception.messages},
                          status=400)
        return None


class UploadLimitMiddleware:
    """Refuse a request body larger than ``DIXIAN_MAX_UPLOAD_BYTES`` before reading it:
    a 413 that names the limit (JSON for the API, a page otherwise). The reverse proxy has
    the same limit (docs/deployment.md); this is the application's own guard."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        limit = settings.DIXIAN_MAX_UPLOAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large(request, length, limit)
        return self.get_response(request)


def too_large(request, length: int, limit: int):
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    message = _("The upload is %(size)s MB; the limit is %(limit)s MB. Split the file.") % {
        "size": round(length / 2**20, 1), "limit": round(limit / 2**20, 1)}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    return render(request, "web/400.html", {"problems": [message]}, status=413)


class AccountGuardMiddleware:
    """What a signed-in person must do before anything else, and when a session ends.

    - An idle session (``DIXIAN_SESSION_IDLE`` seconds) is signed out.
    - A password set by an administrator must be changed first.
    - A role that can reveal personal data (``TWO_FACTOR_ROLES``) sets up and then enters a
      TOTP code once per session, when ``DIXIAN_TWO_FACTOR`` is on.
    Pages are redirected to the step; API calls with a session get 403 naming it.
    """

    ALWAYS_ALLOWED = ("/account/", "/logout/", "/login/", "/i18n/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import logout
        from django.http import JsonResponse
        from django.shortcuts import redirect, resolve_url
        from django.utils.http import urlencode

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        now = int(time.time())
        last = request.session.get("last_seen")
        if last is not None and now - last > settings.DIXIAN_SESSION_IDLE:
            logout(request)
            login = resolve_url(settings.LOGIN_URL)
            return redirect(f"{login}?{urlencode({'next': request.path})}")
        if last is None or now - last > 60:  # write the session at most once a minute
            request.session["last_seen"] = now
        step = pending_step(request)
        if step is None or request.path.startswith(self.ALWAYS_ALLOWED):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": f"sign-in not complete: {step}"}, status=403)
        return redirect(STEP_URLS[step])


STEP_URLS = {"change_password": "/account/password/",
             "set_up_two_factor": "/account/two-factor/setup/",
             "two_factor": "/account/two-factor/"}


def pending_step(request) -> str | None:
    """The sign-in step still owed by this session's user, or None."""
    from django.conf import settings

    from dixian.core.roles import TWO_FACTOR_ROLES

    user = request.user
    if user.must_change_password:
        return "change_password"
    if settings.DIXIAN_TWO_FACTOR and user.role in TWO_FACTOR_ROLES:
        if user.totp_confirmed_at is None:
            return "set_up_two_factor"
        if not request.session.get("two_factor_ok"):
            return "two_factor"
    return None


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
        return unavailable(request, exception)


def server_error(request):
    """handler500: a database or file-store fault raised outside a view (in a middleware
    that reads the session's user, say) is answered like one raised in it; anything else is
    Django's plain 500 page."""
    import sys

    from django.views.defaults import server_error as plain

    return unavailable(request, sys.exc_info()[1]) or plain(request)


def unavailable(request, exception):
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
