"""Registry pages: household search, the household page, revealing an ID, imports."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dixian.core import jobs, pii
from dixian.core.access import NotFound, require, scope_of, scope_q
from dixian.core.models import Job
from dixian.core.roles import Capability, role_has
from dixian.registry import actions, tasks
from dixian.registry.enums import category_name, label
from dixian.registry.income import net_income, next_month
from dixian.registry.models import FieldChange, Household, ImportBatch, Member

PAGE_SIZE = 50


def scoped_households(user):
    require(user, Capability.VIEW_REGISTRY)
    return Household.objects.filter(scope_q(scope_of(user), "village__code"))


def search_households(user, text: str):
    """By household code, village name or code, member name, or ID number (exact, by token;
    or the last four characters against the mask)."""
    households = scoped_households(user).select_related("village")
    text = text.strip()
    if not text:
        return households.order_by("code")
    if text.isdigit() and len(text) >= 12:
        by_code = Q(code__startswith=text) | Q(village__code__startswith=text)
    else:
        by_code = Q(village__name__contains=text)
    by_member = Q(members__name__contains=text)
    if len(text) in (18, 20, 22):
        by_member |= Q(members__resident_id_token=pii.token(pii.normalise_id(text)))
    elif len(text) == 4:
        by_member |= Q(members__resident_id_masked__endswith=text.upper())
    return households.filter(by_code | by_member).distinct().order_by("code")


@login_required
def household_search(request):
    text = request.GET.get("q", "")
    # Members are counted for the page shown only (counting them for a whole county on
    # every page cost a second).
    page = Paginator(search_households(request.user, text), PAGE_SIZE).get_page(
        request.GET.get("page"))
    ids = [h.pk for h in page.object_list]
    heads = dict(Member.objects.filter(household_id__in=ids, relation_to_head="head")
                 .values_list("household_id", "name"))
    sizes = dict(Member.objects.filter(household_id__in=ids).values("household_id")
                 .annotate(n=Count("pk")).values_list("household_id", "n"))
    status = StatusNow(page.object_list)
    for household in page.object_list:
        household.head_name = pii.shown_name(request.user, heads.get(household.pk, ""))
        household.n_members = sizes.get(household.pk, 0)
        household.type_label = label("household_type", household.household_type)
        household.status_text, household.status_since = status.of(household)
    return render(request, "registry/search.html", {
        "q": text, "page": page,
        "may_edit": role_has(request.user.role, Capability.EDIT_REGISTRY)})


class StatusNow:
    """What each household of a list is now and since when, from the registry's own
    monitoring fields (kept by the procedures), in the word of the period it began
    (``categories.object_term``, one policy lookup per province for the whole list)."""

    def __init__(self, households):
        import datetime as dt

        from dixian.registry.enums import object_terms

        provinces = {h.village_id[:2] for h in households}
        stop = dt.date.today() + dt.timedelta(days=1)
        self.terms = {p: object_terms(p, dt.date(2021, 1, 1), stop) for p in provinces}

    def _term(self, province: str, month: str) -> str:
        import datetime as dt

        from django.utils.translation import get_language

        language = "zh" if (get_language() or "zh").startswith("zh") else "en"
        try:
            day = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            day = dt.date.today()
        spans = self.terms[province]
        for start, until, names in spans:
            if start <= day < until:
                return names[language]
        return spans[0][2][language] if day < spans[0][0] else spans[-1][2][language]

    def of(self, household) -> tuple[str, str]:
        """(what it is, since which month): monitored with its category, its risk
        eliminated, or its type when never monitored."""
        from django.utils.translation import gettext as _

        if not household.monitoring_category:
            return label("household_type", household.household_type), ""
        term = self._term(household.village_id[:2], household.identified_month or "")
        if household.risk_eliminated:
            return (_("Risk eliminated, formerly a %(term)s") % {"term": term},
                    household.eliminated_month or "")
        return (_("%(term)s (%(category)s)") % {
            "term": term, "category": category_name(household.monitoring_category)},
                household.identified_month or "")


def _provenance(household: Household) -> dict[tuple[str, str], FieldChange]:
    latest = {}
    for change in household.changes.select_related("actor").order_by("time", "id"):
        latest[(change.object_key, change.field)] = change
    return latest


@login_required
def household_page(request, code: str):
    household = actions.access_household(request.user, code)
    members = list(household.members.order_by("member_id"))
    see_health = pii.may_see_health(request.user)
    for m in members:  # shown by role; never saved
        m.name = pii.shown_name(request.user, m.name)
        if not see_health:
            m.health, m.disability_type = "", ""
    latest_period = household.incomes.order_by("-period").values_list("period", flat=True).first()
    reference = request.GET.get("month") or ""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", reference):  # absent or malformed
        reference = (next_month(latest_period) if latest_period
                     else date.today().strftime("%Y-%m"))
    income = net_income(household, reference)
    latest = _provenance(household)
    fields = []
    for name in ("household_type", "housing_grade", "dangerous_house", "safe_drinking_water",
                 "road_hardened", "electricity", "sanitary_toilet", "cultivated_mu",
                 "phone_masked", "monitoring_category", "risk_types"):
        value = getattr(household, name)
        field_name = name.removesuffix("_masked")
        change = latest.get((household.code, field_name))
        enum = {"household_type": "household_type", "housing_grade": "housing_grade",
                "monitoring_category": "monitoring_category"}.get(name)
        shown = label(enum, value) if enum else (
            "、".join(label("risk_type", v) for v in value) if name == "risk_types" else value)
        if isinstance(shown, float):  # stored as float32: 12.2 reads back 12.199999809265137
            shown = f"{shown:.2f}".rstrip("0").rstrip(".")
        fields.append({
            "label": Household._meta.get_field(name).verbose_name, "value": shown,
            "source": change.get_source_display() if change else household.get_source_display(),
            "by": (change.actor.username if change and change.actor else
                   (household.created_by.username if household.created_by else "")),
            "when": change.time if change else household.created_at,
        })
    history = household.changes.select_related("actor").order_by("-time", "-id")[:100]
    may_reveal = role_has(request.user.role, Capability.REVEAL_PERSONAL_DATA)
    return render(request, "registry/household.html", {
        "household": household, "members": members, "income": income, "fields": fields,
        "history": history, "may_reveal": may_reveal,
        "may_see_access": role_has(request.user.role, Capability.VIEW_ACCESS_REPORT),
        "may_edit": role_has(request.user.role, Capability.EDIT_REGISTRY),
        "incomes": household.incomes.order_by("-period")[:12],
    })


@login_required
@require_POST
def reveal_id(request, member_id: str):
    require(request.user, Capability.REVEAL_PERSONAL_DATA)
    member = actions.access_member(request.user, member_id)
    value = actions.do_reveal(member, "resident_id", actor=request.user)
    return HttpResponse(f'<span class="revealed" data-revealed="{member.member_id}">{value}'
                        "</span>")


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV, XLSX, or a compressed archive of the national "
                                   "export's files)"))
    valid_rows_only = forms.BooleanField(
        label=_("Apply the valid rows and return the rejected rows in a file"), required=False)
    accept_quality_issues = forms.BooleanField(
        label=_("Migration: import rows whose only problems are data-quality findings"),
        required=False)


@login_required
def imports(request):
    require(request.user, Capability.IMPORT_REGISTRY)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            scope = scope_of(request.user)
            if scope.is_empty:
                raise NotFound
            job = jobs.start(
                Job.Kind.REGISTRY_IMPORT, actor=request.user, scope_code=scope.stored_code(),
                task=tasks.import_upload, data=upload.read(), file_name=upload.name,
                kwargs={"valid_rows_only": form.cleaned_data["valid_rows_only"],
                        "accept_quality_issues": form.cleaned_data["accept_quality_issues"]},
                request_id=getattr(request, "request_id", ""))
            return redirect("job", job_id=job.pk)
    else:
        form = ImportForm()
    batches = ImportBatch.objects.filter(actor__isnull=False)
    if not scope_of(request.user).national:
        batches = batches.filter(scope_q(scope_of(request.user), "scope_code"))
    return render(request, "registry/imports.html", {
        "form": form, "batches": batches[:50],
        "jobs": Job.objects.filter(actor=request.user).order_by("-created_at")[:10]})


def access_batch(user, batch_id: int) -> ImportBatch:
    require(user, Capability.IMPORT_REGISTRY)
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    scope = scope_of(user)
    if batch is None or not (scope.national or (batch.scope_code and
                                                 scope.contains(batch.scope_code))):
        raise NotFound
    return batch


@login_required
def import_report(request, batch_id: int):
    from dixian.registry import report_text

    batch = access_batch(request.user, batch_id)
    page = Paginator(batch.problems or [], PAGE_SIZE).get_page(request.GET.get("page"))
    for problem in page.object_list:
        problem["sentence"] = report_text.sentence(problem)
    return render(request, "registry/import_report.html", {
        "batch": batch, "page": page, "problems": page.object_list,
        "counts": report_text.counts(batch.counts)})


@login_required
def import_rejected_rows(request, batch_id: int):
    batch = access_batch(request.user, batch_id)
    if not batch.error_file:
        raise NotFound
    return FileResponse(batch.error_file.open("rb"), as_attachment=True,
                        filename=f"rejected-rows-{batch.pk}.csv")


@login_required
def household_access(request, code: str):
    """What the platform holds about a household and who saw or changed it."""
    from dixian.core.audit_labels import action_label, role_label
    from dixian.registry.access_report import access_household_report

    report = access_household_report(request.user, code)
    protected = {"resident_id": _("ID number"), "phone": _("phone")}
    report["protected_labels"] = [str(protected.get(v, v)) for v in
                                  report["held"]["protected_values"]]
    for event in report["events"]:  # the action and the role by their names
        event["action_label"] = action_label(event["action"])
        event["role_label"] = role_label(event["role"]) if event["role"] else ""
    return render(request, "registry/household_access.html", report)
