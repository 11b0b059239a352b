"""The web shell: home, regions, users and the audit search."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone

from dixian.core.access import (
    access_region,
    scope_of,
    scoped_audit_events,
    scoped_regions,
    scoped_users,
)
from dixian.core.audit_labels import action_label, role_label
from dixian.core.models import Region
from dixian.core.roles import Level
from dixian.web.forms import ThrottledLoginForm

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    user = request.user
    scope = scope_of(user)
    region = user.region
    counts = {}
    if not scope.is_empty:
        rows = scoped_regions(user).values("level").annotate(n=Count("code"))
        counts = {Level(row["level"]).label: row["n"] for row in rows}
    return render(request, "web/home.html", {"region": region, "scope": scope, "counts": counts})


@login_required
def regions(request):
    """Start browsing at the user's own region (national users at the provinces)."""
    user = request.user
    if user.region_id:
        return redirect("region", code=user.region_id)
    provinces = scoped_regions(user).filter(level=Level.PROVINCE)
    return render(request, "web/regions.html", {"children": provinces, "region": None,
                                                "page": None, "ancestors": []})


@login_required
def region(request, code: str):
    user = request.user
    current = access_region(user, code)
    scope = scope_of(user)
    ancestors = [r for r in Region.objects.filter(code__in=current.ancestor_codes())
                 .order_by("code") if scope.contains(r.code)]
    children = current.children.annotate(n_children=Count("children")).order_by("code")
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/regions.html", {
        "region": current, "ancestors": ancestors, "page": page, "children": page.object_list,
        "level_label": Level(current.level).label,
    })


@login_required
def region_search(request):
    text = (request.GET.get("q") or "").strip()
    page = None
    if text:
        query = scoped_regions(request.user)
        if text.isdigit():
            query = query.filter(code__startswith=text)
        else:
            query = query.filter(name__contains=text)
        page = Paginator(query.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
        for result in page.object_list:
            result.level_label = Level(result.level).label
    return render(request, "web/region_search.html", {"q": text, "page": page,
                                                      "results": page.object_list if page else []})


@login_required
def users(request):
    from dixian.core.roles import Capability, role_has
    from dixian.web.people import may_administer

    people = scoped_users(request.user).select_related("region").order_by("region_id", "username")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    may_manage = role_has(request.user.role, Capability.MANAGE_USERS)
    for person in page.object_list:
        person.administered = may_manage and may_administer(request.user, person)
    return render(request, "web/users.html", {"page": page, "may_manage": may_manage})


def _parse_day(value: str | None, end: bool = False):
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@login_required
def audit(request):
    events = scoped_audit_events(request.user)
    filters = {key: (request.GET.get(key) or "").strip()
               for key in ("actor", "action", "object", "since", "until")}
    if filters["actor"]:
        events = events.filter(actor_username=filters["actor"])
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    if filters["object"]:
        object_type, _sep, object_id = filters["object"].partition(":")
        events = events.filter(object_type=object_type)
        if object_id:
            events = events.filter(object_id=object_id)
    if since := _parse_day(filters["since"]):
        events = events.filter(time__gte=since)
    if until := _parse_day(filters["until"], end=True):
        events = events.filter(time__lte=until)
    page = Paginator(events.order_by("-seq"), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.action_label = action_label(event.action)
        event.role_label = role_label(event.role)
    return render(request, "web/audit.html", {"page": page, "filters": filters})


def not_found(request, exception=None):
    return render(request, "web/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "web/403.html", status=403)


