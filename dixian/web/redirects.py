"""Where a form post returns to: its ``next`` field only when it stays on this site."""

from __future__ import annotations

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_next(request, default: str, *args):
    """Redirect to ``request.POST['next']`` if it is a URL of this site, else to ``default``
    (a URL name, with ``args``): ``next=https://evil.example`` never leaves the site."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default, *args)
