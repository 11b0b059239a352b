"""The village cadre's phone without a signal: an installable web app (manifest, service
worker), the cadre village's households and visit tasks as one bundle that the phone keeps
encrypted (WebCrypto, AES-GCM, a key that never leaves the device and is cleared at logout),
and a sync endpoint that records the visits and clues queued offline.

Each queued visit carries the fingerprint of the household it started from
(:func:`dixian.cases.monitoring.visit_version`). If the household changed meanwhile the sync
answers ``conflict`` with the platform's current values; the phone shows both and the cadre
decides (send again with the new fingerprint, or drop theirs). Nothing is overwritten
silently. Every write goes through the same actions as the pages (audited, scoped)."""

from __future__ import annotations

import json
from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from dixian.cases import eligibility, monitoring
from dixian.cases.models import MonitoringSpell
from dixian.core.access import NotFound, require
from dixian.core.roles import Capability
from dixian.registry.actions import access_household
from dixian.registry.enums import choices
from dixian.registry.people import attach_people

BUNDLE_LIMIT = 2000  # households of one village: far more than any village has


def manifest(request):
    body = {
        "name": "底线 · 防止返贫监测", "short_name": "底线", "lang": "zh-Hans",
        "start_url": "/offline/", "scope": "/", "display": "standalone",
        "background_color": "#f5f7fa", "theme_color": "#b3261e",
        "icons": [{"src": static("web/icon.svg"), "sizes": "any", "type": "image/svg+xml",
                   "purpose": "any"}],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False),
                        content_type="application/manifest+json")


def service_worker(request):
    """Served from the site's root so that its scope is the whole site."""
    from django.contrib.staticfiles import finders

    path = finders.find("web/sw.js")
    with open(path, encoding="utf-8") as f:
        body = f.read().replace("__OFFLINE_JS__", static("web/offline.js")).replace(
            "__CSS__", static("web/dixian.css")).replace("__ICON__", static("web/icon.svg"))
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def favicon(request):
    from django.shortcuts import redirect

    return redirect(static("web/icon.svg"), permanent=True)


@login_required
def offline_page(request):
    """The shell the phone keeps: it holds no personal data (the data come encrypted from
    the phone's own store, filled in by offline.js)."""
    from dixian.cases.monitoring_views import VISIT_FIELD_LABELS

    text = {k: str(v) for k, v in VISIT_FIELD_LABELS.items()}
    text.update({k: _(k) for k in OFFLINE_TEXT})
    return render(request, "cases/offline.html", {
        "may_visit": request.user.role == "village_cadre", "text": text})


# The phone's words (gettext_noop: makemessages finds them; translated at render time).
OFFLINE_TEXT = (
    gettext_noop('No new risk'),
    gettext_noop('yes'),
    gettext_noop('no'),
    gettext_noop('Monthly visit'),
    gettext_noop('Visited on'),
    gettext_noop('wage income'),
    gettext_noop('business income'),
    gettext_noop('property income'),
    gettext_noop('transfer income'),
    gettext_noop('business costs'),
    gettext_noop('compliant out-of-pocket medical'),
    gettext_noop('housing safety grade'),
    gettext_noop('safe drinking water'),
    gettext_noop('school dropout in household'),
    gettext_noop('member without medical insurance'),
    gettext_noop('New risk found on this visit'),
    gettext_noop('Note'),
    gettext_noop('Keep on the phone and send when online'),
    gettext_noop('Raise a clue'),
    gettext_noop('Risk type'),
    gettext_noop('Difficulty'),
    gettext_noop('Waiting to be sent'),
    gettext_noop('Recorded on the phone; sent when there is a signal.'),
    gettext_noop('Nothing waits to be sent.'),
    gettext_noop('Clue'),
    gettext_noop('The household changed after you recorded this: compare and choose.'),
    gettext_noop('Field'),
    gettext_noop('Now in the platform'),
    gettext_noop('You recorded'),
    gettext_noop('Keep mine and send'),
    gettext_noop("Keep the platform's"),
    gettext_noop('Send now'),
    gettext_noop("Open this page once with a signal to keep your village's "
                 'households on the phone.'),
    gettext_noop('Households kept on the phone'),
    gettext_noop('visited'),
    gettext_noop('visit due'),
    gettext_noop('Sending…'),
    gettext_noop('Not sent: log in again; your records stay on the phone.'),
    gettext_noop('Sent.'),
    gettext_noop('No signal: your records stay on the phone.'),
)


@login_required
def bundle(request):
    """What the cadre's phone keeps: the households monitored in the cadre's region with
    their visit task for this month (prefilled values and fingerprints), the risk types and
    housing grades. Names, places and masked ID numbers only; no full ID number, no phone."""
    require(request.user, Capability.VISIT_HOUSEHOLDS)
    now = timezone.now()
    month = eligibility.local_month(now)
    from dixian.core.access import scope_of, scope_q

    spells = list(MonitoringSpell.objects.filter(scope_q(scope_of(request.user), "village_code"),
                                                 ended_on__isnull=True)
                  .select_related("household").order_by("village_code", "household__code")
                  [:BUNDLE_LIMIT])
    attach_people(spells)
    visited = set(monitoring.MonitoringVisit.objects.filter(
        household_id__in=[s.household_id for s in spells], month=month)
        .values_list("household_id", flat=True))
    starts = monitoring.visit_starts([s.household for s in spells], month)
    households = []
    for spell in spells:
        h = spell.household
        values, version = starts[h.pk]
        households.append({
            "code": h.code, "name": h.person.name, "place": h.person.place,
            "masked_id": h.person.masked_id, "category": str(spell.get_category_display()),
            "visited": h.pk in visited, "version": version, "values": values,
        })
    return JsonResponse({
        "month": month, "fetched_at": now.isoformat(), "csrf": get_token(request),
        "user": request.user.username, "households": households,
        "risk_types": [[v, str(label)] for v, label in choices("risk_type")],
        "grades": [[v, str(label)] for v, label in choices("housing_grade")],
    })


def _visit_values(raw: dict) -> dict:
    """The month's incomes (0 where not given, as on the page) and the household fields the
    phone sent (a field it did not send is left as it is, never blanked)."""
    values = {f: raw.get(f) for f in monitoring.INCOME_FIELDS}
    if "housing_grade" in raw:
        values["housing_grade"] = raw.get("housing_grade") or ""
    for flag in ("safe_drinking_water", "dropout_flag", "uninsured_member_flag"):
        if flag in raw:
            values[flag] = bool(raw.get(flag))
    return values


def _sync_one(user, item: dict) -> dict:
    kind = item.get("kind")
    household = access_household(user, str(item.get("household", "")))
    if kind == "visit":
        month = str(item.get("month", ""))
        values = _visit_values(item.get("values") or {})
        visited_on = date.fromisoformat(str(item.get("visited_on") or timezone.localdate()))
        visit = household.visits.filter(month=month).first()
        common = dict(actor=user, values=values, new_risk=item.get("new_risk", ""),
                      note=item.get("note", ""), expected_version=item.get("version") or "-")
        if visit is not None:
            monitoring.do_correct_visit(visit, visited_on=visited_on, **common)
        else:
            monitoring.do_record_visit(household, month, visited_on=visited_on, **common)
        return {"status": "ok", "version": monitoring.visit_version(household, month)}
    if kind == "clue":
        monitoring.do_raise_clue(household, actor=user, risk_type=item.get("risk_type", ""),
                                 description=item.get("description", ""))
        return {"status": "ok"}
    return {"status": "error", "messages": [_("Unknown kind of record.")]}


@login_required
@require_POST
def sync(request):
    """Record what the phone queued offline, item by item (each its own transaction, so a
    conflict on one does not hold back the others). Answers one result per item."""
    require(request.user, Capability.VISIT_HOUSEHOLDS)
    try:
        items = json.loads(request.body or b"[]")
    except ValueError:
        return JsonResponse({"error": _("The request is not JSON.")}, status=400)
    if not isinstance(items, list) or len(items) > 500:
        return JsonResponse({"error": _("Send a list of at most 500 records.")}, status=400)
    results = []
    for item in items:
        item = item if isinstance(item, dict) else {}
        result = {"id": item.get("id")}
        try:
            result.update(_sync_one(request.user, item))
        except monitoring.VisitConflict as exc:
            household = access_household(request.user, str(item.get("household", "")))
            result.update(status="conflict", messages=exc.messages, current=exc.current,
                          version=monitoring.visit_version(household, str(item.get("month"))))
        except NotFound:
            result.update(status="error", messages=[_("Not found.")])
        except (ValidationError, ValueError) as exc:
            result.update(status="error", messages=getattr(exc, "messages", [str(exc)]))
        results.append(result)
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
