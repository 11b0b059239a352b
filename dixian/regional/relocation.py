"""Follow-up support for relocated households (易地扶贫搬迁后续扶持, domain.md §8.3): the
actions (each audited, each checking capability and region) and the figures of a site or a
region, computed by :mod:`dixian.engine.regional.relocation` from the registry (members able
to work, their incomes) and the follow-up records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dixian.core import audit
from dixian.core.access import NotFound, code_prefix_q, require, scope_of
from dixian.core.models import Region
from dixian.core.roles import Capability
from dixian.regional.bridge import (
    NET_PLUS,
    month_add,
    month_of,
    months_ending,
    r1_for_policy,
    resolve,
)
from dixian.regional.bridge import relocation as rules
from dixian.regional.models import FollowUp, Relocated, ResettlementSite
from dixian.registry.models import Household, Income, Member

FACILITIES = ("schools", "clinics", "elderly_care", "workshops")


def _check(actor, code: str) -> None:
    require(actor, Capability.MANAGE_RELOCATION)
    if not scope_of(actor).contains(code):
        raise NotFound


def _count(value, what: str) -> int:
    text = str(value if value is not None else "").strip() or "0"
    if not text.isdigit() or int(text) > 100_000:
        raise ValidationError(f"{what}: {value!r} is not a count")
    return int(text)


def _valid_month(month: str, today: date) -> str:
    if len(month) != 7 or month[4] != "-" or not month[:4].isdigit() or \
            not month[5:].isdigit() or not 1 <= int(month[5:]) <= 12:
        raise ValidationError(f"month: {month!r} is not a month (YYYY-MM)")
    if month > month_of(today):
        raise ValidationError(f"month: {month} is in the future")
    return month


def do_create_site(*, region_code: str, name: str, actor, opened_on: date | None = None,
                   planned_households=0, planned_persons=0, industries: str = "",
                   services: str = "", **facilities) -> ResettlementSite:
    """Register a resettlement site in a township or community of the county."""
    require(actor, Capability.MANAGE_RELOCATION)
    if not region_code.isdigit() or len(region_code) not in (9, 12):
        raise ValidationError(f"{region_code!r} is not a township or community code")
    _check(actor, region_code)
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationError(f"{region_code!r} is not a township or community")
    name = (name or "").strip()
    if not name:
        raise ValidationError("give the site's name")
    if ResettlementSite.objects.filter(county_code=region_code[:6], name=name).exists():
        raise ValidationError(f"the county already has a site named {name}")
    counts = {k: _count(facilities.get(k), k) for k in FACILITIES}
    with transaction.atomic():
        site = ResettlementSite.objects.create(
            county_code=region_code[:6], region_code=region_code, name=name,
            opened_on=opened_on, planned_households=_count(planned_households, "households"),
            planned_persons=_count(planned_persons, "persons"), industries=industries,
            services=services, created_by=actor, **counts)
        audit.record("regional.site_create", actor=actor, obj=site, region_code=region_code,
                     after={"name": name, "planned_households": site.planned_households,
                            "planned_persons": site.planned_persons, **counts})
    return site


def do_update_facilities(site: ResettlementSite, *, actor, industries: str | None = None,
                         services: str | None = None, **facilities) -> ResettlementSite:
    """The site's facilities (schools, clinics, elderly care, workshops) and services."""
    _check(actor, site.region_code)
    before = {k: getattr(site, k) for k in (*FACILITIES, "industries", "services")}
    for k in FACILITIES:
        if k in facilities:
            setattr(site, k, _count(facilities[k], k))
    if industries is not None:
        site.industries = industries.strip()
    if services is not None:
        site.services = services.strip()
    after = {k: getattr(site, k) for k in before}
    with transaction.atomic():
        site.save()
        audit.record("regional.site_facilities", actor=actor, obj=site,
                     region_code=site.region_code, before=before, after=after)
    return site


def do_link_household(site: ResettlementSite, *, household_code: str, moved_in: date,
                      origin: str = "", actor) -> Relocated:
    """Link a household of the registry to the site it was relocated to."""
    _check(actor, site.region_code)
    household = Household.objects.filter(code=(household_code or "").strip()).first()
    if household is None or not household.village_id.startswith(site.county_code):
        raise ValidationError(f"{household_code!r} is not a household of the county")
    if household.status != "active":
        raise ValidationError(f"{household.code} is not an active household")
    existing = Relocated.objects.filter(household=household).select_related("site").first()
    if existing is not None:
        if existing.site_id == site.pk:
            return existing  # linking twice is harmless
        raise ValidationError(f"{household.code} is already a household of {existing.site}")
    if moved_in is None or moved_in > timezone.localdate():
        raise ValidationError("give the date the household moved in (not in the future)")
    with transaction.atomic():
        item = Relocated.objects.create(site=site, household=household,
                                        region_code=site.region_code, origin=origin.strip(),
                                        moved_in=moved_in)
        audit.record("regional.relocated_link", actor=actor, obj=item,
                     region_code=site.region_code,
                     after={"site": site.pk, "household": household.code,
                            "moved_in": str(moved_in), "origin": item.origin,
                            "registry_flag": household.relocated})
    return item


@dataclass(frozen=True)
class Follow:
    member_id: str
    kind: str
    employer: str = ""
    monthly_income: object = 0
    note: str = ""


def do_record_follow_up(item: Relocated, month: str, rows: list[Follow], *, actor,
                        on: date | None = None) -> list[FollowUp]:
    """A month's employment follow-up of the household's members. A member already followed
    up that month is corrected (the audit row keeps what it said before)."""
    _check(actor, item.region_code)
    today = on or timezone.localdate()
    month = _valid_month(month, today)
    members = {m.member_id: m for m in Member.objects.filter(household=item.household,
                                                              member_status="active")}
    problems, clean = [], []
    for k, row in enumerate(rows, start=1):
        member = members.get(row.member_id)
        if member is None:
            problems.append(f"row {k}: {row.member_id!r} is not an active member of "
                            f"{item.household.code}")
            continue
        if row.kind not in FollowUp.Kind.values:
            problems.append(f"row {k}: {row.kind!r} is not a kind of employment")
            continue
        try:
            income = _count(row.monthly_income, f"row {k} monthly income")
        except ValidationError as exc:
            problems += exc.messages
            continue
        if row.kind == FollowUp.Kind.NONE and income:
            problems.append(f"row {k}: not employed, yet a monthly income of {income}")
            continue
        clean.append((member, row, income))
    if not rows:
        problems.append("give at least one member")
    if problems:
        raise ValidationError(problems)
    out, before, after = [], [], []
    with transaction.atomic():
        for member, row, income in clean:
            old = FollowUp.objects.filter(member=member, month=month).first()
            if old is not None:
                before.append({"member": member.member_id, "kind": old.kind,
                               "employer": old.employer, "monthly_income": old.monthly_income})
            values = {"relocated": item, "kind": row.kind, "employer": row.employer.strip(),
                      "monthly_income": income, "note": row.note.strip(),
                      "recorded_on": today, "recorded_by": actor}
            entry, _created = FollowUp.objects.update_or_create(member=member, month=month,
                                                                defaults=values)
            after.append({"member": member.member_id, "kind": row.kind,
                          "employer": entry.employer, "monthly_income": income})
            out.append(entry)
        audit.record("regional.follow_up", actor=actor, obj=item, region_code=item.region_code,
                     before={"month": month, "rows": before} if before else None,
                     after={"month": month, "household": item.household.code, "rows": after})
    return out


# ------------------------------------------------------------------------------ the figures
def able_to_work(member: Member, policy, on: date) -> bool:
    if member.member_status != "active" or member.birth_date is None:
        return False
    b = member.birth_date
    age = on.year - b.year - ((on.month, on.day) < (b.month, b.day))
    return (int(policy["labour.able_age_min"]) <= age <= int(policy["labour.able_age_max"])
            and member.labour_skill in tuple(policy["labour.able_skills"]))


def household_rows(items, policy, today: date) -> list[rules.HouseholdRow]:
    """The engine's rows for the given relocation records (a queryset)."""
    items = list(items.select_related("household"))
    month = month_of(today)
    hh_ids = [i.household_id for i in items]
    members = defaultdict(list)
    for m in Member.objects.filter(household_id__in=hh_ids, member_status="active"):
        members[m.household_id].append(m)
    latest: dict[int, FollowUp] = {}
    for f in FollowUp.objects.filter(relocated__in=items, month__lte=month).order_by("month"):
        latest[f.member_id] = f
    last_month = month_add(month, -1)
    window = months_ending(last_month, int(policy["income.window_months"]))
    incomes = defaultdict(list)
    for row in Income.objects.filter(household_id__in=hh_ids, period__in=window).values():
        incomes[row["household_id"]].append(row)
    out = []
    for item in items:
        people = members[item.household_id]
        rows = []
        for m in people:
            f = latest.get(m.pk)
            rows.append(rules.MemberRow(
                member=m.member_id, able=able_to_work(m, policy, today),
                last_month=f.month if f else None, employed=bool(f and f.employed),
                monthly_income=f.monthly_income if f else 0))
        r1 = r1_for_policy(incomes[item.household_id], members=len(people),
                           last_month=last_month, policy=policy)
        judged = r1.judged
        inc = incomes[item.household_id]
        out.append(rules.HouseholdRow(
            key=str(item.pk), household=item.household.code, site=str(item.site_id),
            region_code=item.region_code, persons=len(people), members=tuple(rows),
            net_income=r1.household_net if judged else None,
            gross_income=float(sum(sum(r.get(k) or 0 for k in NET_PLUS) for r in inc))
            if judged else 0.0,
            wage_income=float(sum(r.get("wage") or 0 for r in inc)) if judged else 0.0))
    return out


def figures(code: str, today: date, *, site: ResettlementSite | None = None) -> rules.Result:
    """The indicators of the sites in ``code`` (or of one site) by site and in total."""
    policy = resolve(site.county_code if site else code, on=today)
    items = Relocated.objects.filter(site=site) if site else \
        Relocated.objects.filter(code_prefix_q("region_code", code))
    return rules.indicators(household_rows(items, policy, today), policy, month_of(today))


def findings(code: str, today: date) -> list:
    return figures(code, today).findings
