"""East–West cooperation and paired assistance (东西部协作、定点帮扶, domain.md §8.1;
domain-2026.md §2.9): partners, dated pairings, annual agreements with their targets and
actuals, the fund allocations and placed workers the actuals count, partner users, and the
village work teams. Every write checks capability and region and is audited; the judgement is
:mod:`dixian.engine.regional.pairing`.

Actuals: for a pairing whose western side is a county (an eastern county's, or a central
unit's), the **fiscal funds** are the sum of the county's fund allocations linked to the
agreement (the ``east_west`` source, or ``central_unit`` for a central unit: the funds app's
own, linked, never copied), and for a pairing of a county or a village the **workers placed**
are counted from the placements, each a member of the registry living in the assisted region
(the poverty-alleviated ones: members of a poverty-alleviated household). Every other actual
is typed from the partners' reports.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dixian.core import audit
from dixian.core.access import NotFound, require, scope_of, scoped_users
from dixian.core.models import Region
from dixian.core.roles import PARTNER_ROLES, Capability, Role
from dixian.funds.models import Allocation, Source
from dixian.regional.bridge import pairing as rules
from dixian.regional.bridge import resolve
from dixian.regional.models import (
    Agreement,
    AgreementFunds,
    AgreementLine,
    Pairing,
    Partner,
    PartnerUser,
    Placement,
    ResidentCadre,
)
from dixian.registry.models import Member

MAX_VALUE = Decimal("100000000000")
#: the western side's code length for each level
WEST_LENGTH = {Pairing.Level.PROVINCE: 2, Pairing.Level.PREFECTURE: 4,
               Pairing.Level.COUNTY: 6, Pairing.Level.VILLAGE: 12,
               Pairing.Level.CENTRAL_UNIT: 6}
#: which partners pair at which level
PARTNER_KINDS = {Pairing.Level.PROVINCE: {Partner.Kind.EASTERN_GOVERNMENT},
                 Pairing.Level.PREFECTURE: {Partner.Kind.EASTERN_GOVERNMENT},
                 Pairing.Level.COUNTY: {Partner.Kind.EASTERN_GOVERNMENT},
                 Pairing.Level.VILLAGE: {Partner.Kind.ENTERPRISE,
                                         Partner.Kind.SOCIAL_ORGANISATION},
                 Pairing.Level.CENTRAL_UNIT: {Partner.Kind.CENTRAL_UNIT}}
COUNTED_FUNDS = "fiscal_funds"
COUNTED_WORKERS = ("workers_placed", "workers_placed_poverty")


def funds_counted(pairing: Pairing) -> bool:
    return len(pairing.west_code) == 6


def workers_counted(pairing: Pairing) -> bool:
    return len(pairing.west_code) >= 6


def fund_source(pairing: Pairing) -> str:
    return Source.CENTRAL_UNIT if pairing.level == Pairing.Level.CENTRAL_UNIT \
        else Source.EAST_WEST


def label(pairing: Pairing, names: dict | None = None) -> str:
    west = (names or {}).get(pairing.west_code) or Region.objects.filter(
        code=pairing.west_code).values_list("name", flat=True).first() or pairing.west_code
    return f"{pairing.partner.name}—{west}"


def _check(actor, code: str) -> None:
    require(actor, Capability.MANAGE_PAIRINGS)
    if not code or not code.isdigit() or not scope_of(actor).contains(code):
        raise NotFound


def _number(value, what: str) -> Decimal | None:
    text = str(value if value is not None else "").replace(",", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(what)s: %(value)r is not a number")
                              % {"what": what, "value": value}) from None
    if not number.is_finite() or number < 0 or number > MAX_VALUE:
        raise ValidationError(_("%(what)s: %(value)r must be from 0 to %(limit)s")
                              % {"what": what, "value": value, "limit": MAX_VALUE})
    return number.quantize(Decimal("0.01"))


def do_register_partner(*, name: str, kind: str, division_code: str = "", actor) -> Partner:
    """A partner (the same name twice is harmless)."""
    require(actor, Capability.MANAGE_PAIRINGS)
    name, division_code = (name or "").strip(), (division_code or "").strip()
    if not name:
        raise ValidationError(_("partner: the name is required"))
    if kind not in Partner.Kind.values:
        raise ValidationError(_("kind: %(kind)r is not one of %(kinds)s")
                              % {"kind": kind, "kinds": ", ".join(Partner.Kind.values)})
    if division_code and not (division_code.isdigit() and len(division_code) in (2, 4, 6)):
        raise ValidationError(_("division code: %(code)r is not a province, city or county "
                                "code") % {"code": division_code})
    partner, made = Partner.objects.get_or_create(
        name=name[:120], defaults={"kind": kind, "division_code": division_code,
                                   "created_by": actor})
    if not made and partner.kind != kind:
        raise ValidationError(_("partner %(name)s is already registered as %(kind)s")
                              % {"name": name, "kind": partner.get_kind_display()})
    if made:
        audit.record("regional.partner", actor=actor, obj=partner,
                     region_code=scope_of(actor).audit_region(),
                     after={"name": partner.name, "kind": kind, "division_code": division_code})
    return partner


def do_create_pairing(*, partner: Partner, level: str, west_code: str, started_on: date,
                      ended_on: date | None = None, document: str = "", actor) -> Pairing:
    """A dated pairing of ``partner`` with a western region in the actor's scope."""
    west_code = (west_code or "").strip()
    _check(actor, west_code)
    if level not in Pairing.Level.values:
        raise ValidationError(_("level: %(level)r is not one of %(levels)s")
                              % {"level": level, "levels": ", ".join(Pairing.Level.values)})
    if len(west_code) != WEST_LENGTH[level]:
        raise ValidationError(_("assisted region: %(code)s is not a %(level)s")
                              % {"code": west_code, "level": Pairing.Level(level).label})
    if not Region.objects.filter(code=west_code).exists():
        raise ValidationError(_("region: %(code)s does not exist") % {"code": west_code})
    if partner.kind not in PARTNER_KINDS[level]:
        raise ValidationError(_("%(partner)s (%(kind)s) cannot be paired as %(level)s")
                              % {"partner": partner.name, "kind": partner.get_kind_display(),
                                 "level": Pairing.Level(level).label})
    if ended_on is not None and ended_on <= started_on:
        raise ValidationError(_("the pairing ends on %(end)s, not after it starts")
                              % {"end": ended_on})
    existing = Pairing.objects.filter(partner=partner, west_code=west_code,
                                      started_on=started_on).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        pairing = Pairing.objects.create(partner=partner, level=level, west_code=west_code,
                                         started_on=started_on, ended_on=ended_on,
                                         document=(document or "").strip()[:120],
                                         created_by=actor)
        audit.record("regional.pairing", actor=actor, obj=pairing, region_code=west_code,
                     after={"partner": partner.name, "level": level, "west_code": west_code,
                            "started_on": started_on.isoformat(),
                            "ended_on": ended_on.isoformat() if ended_on else None})
    return pairing


def do_end_pairing(pairing: Pairing, *, ended_on: date, actor) -> Pairing:
    _check(actor, pairing.west_code)
    if ended_on <= pairing.started_on:
        raise ValidationError(_("the pairing ends on %(end)s, not after it starts")
                              % {"end": ended_on})
    before = pairing.ended_on
    pairing.ended_on = ended_on
    pairing.save(update_fields=["ended_on"])
    audit.record("regional.pairing_end", actor=actor, obj=pairing, region_code=pairing.west_code,
                 before={"ended_on": before.isoformat() if before else None},
                 after={"ended_on": ended_on.isoformat()})
    return pairing


def do_set_agreement(pairing: Pairing, *, year: int, targets: dict, actuals: dict,
                     document: str = "", signed_on: date | None = None, actor) -> Agreement:
    """A pairing's agreement for ``year``: the targets, and the actuals that are typed (a
    counted actual is refused). A second call corrects the first (before and after kept)."""
    _check(actor, pairing.west_code)
    year = int(year)
    if not 2016 <= year <= timezone.localdate().year + 1:
        raise ValidationError(_("year: %(year)s is out of range") % {"year": year})
    if pairing.started_on.year > year or (pairing.ended_on and pairing.ended_on.year < year):
        raise ValidationError(_("the pairing does not run in %(year)s") % {"year": year})
    unknown = (set(targets) | set(actuals)) - set(rules.BY_KEY)
    if unknown:
        raise ValidationError(_("indicators: %(names)s are not known")
                              % {"names": ", ".join(sorted(unknown))})
    counted = set(COUNTED_WORKERS if workers_counted(pairing) else ()) | (
        {COUNTED_FUNDS} if funds_counted(pairing) else set())
    clean_t = {k: _number(v, rules.BY_KEY[k].en) for k, v in targets.items()}
    clean_a = {k: _number(v, rules.BY_KEY[k].en) for k, v in actuals.items()}
    typed = sorted(k for k, v in clean_a.items() if k in counted and v is not None)
    if typed:
        raise ValidationError(_("%(names)s: counted from the funds and the registry, not typed")
                              % {"names": ", ".join(rules.BY_KEY[k].en for k in typed)})
    with transaction.atomic():
        agreement, made = Agreement.objects.select_for_update().get_or_create(
            pairing=pairing, year=year,
            defaults={"document": (document or "")[:120], "signed_on": signed_on,
                      "recorded_by": actor})
        old = {line.indicator: line for line in agreement.lines.all()}
        before = {k: [str(v.target) if v.target is not None else None,
                      str(v.actual) if v.actual is not None else None] for k, v in old.items()}
        if not made:
            agreement.document = (document or agreement.document)[:120]
            agreement.signed_on = signed_on or agreement.signed_on
            agreement.save(update_fields=["document", "signed_on"])
        for key in rules.BY_KEY:
            if key not in clean_t and key not in clean_a:
                continue
            line = old.get(key) or AgreementLine(agreement=agreement, indicator=key)
            if key in clean_t:
                line.target = clean_t[key]
            if key in clean_a and key not in counted:
                line.actual = clean_a[key]
            line.save()
        after = {line.indicator: [str(line.target) if line.target is not None else None,
                                  str(line.actual) if line.actual is not None else None]
                 for line in agreement.lines.all()}
        audit.record("regional.agreement", actor=actor, obj=agreement,
                     region_code=pairing.west_code, before=None if made else before,
                     after={"year": year, "lines": after})
    return agreement


def do_link_funds(agreement: Agreement, allocation: Allocation, *, actor) -> AgreementFunds:
    """Count a fund allocation of the county as the partner's fiscal funds of the agreement."""
    pairing = agreement.pairing
    _check(actor, pairing.west_code)
    if not scope_of(actor).contains(allocation.county_code):
        raise NotFound
    if not funds_counted(pairing):
        raise ValidationError(_("this pairing's fiscal funds are typed, not linked"))
    source = fund_source(pairing)
    if (allocation.county_code != pairing.west_code or allocation.source != source
            or allocation.year != agreement.year):
        raise ValidationError(_("allocation %(document)s is not the county's %(source)s funds of "
                                "%(year)s") % {"document": allocation.document,
                                               "source": Source(source).label,
                                               "year": agreement.year})
    existing = AgreementFunds.objects.filter(allocation=allocation).first()
    if existing is not None:
        if existing.agreement_id != agreement.pk:
            raise ValidationError(_("allocation %(document)s is already another agreement's")
                                  % {"document": allocation.document})
        return existing
    with transaction.atomic():
        link = AgreementFunds.objects.create(agreement=agreement, allocation=allocation,
                                             linked_by=actor)
        audit.record("regional.agreement_funds", actor=actor, obj=agreement,
                     region_code=pairing.west_code,
                     after={"allocation": allocation.pk, "document": allocation.document,
                            "amount": str(allocation.amount), "source": allocation.source})
    return link


def do_record_placements(agreement: Agreement, *, member_ids: list[str], employer: str,
                         placed_on: date, place: str = "", actor) -> list[Placement]:
    """Members of the registry placed in jobs under the agreement (one audit row for all). A
    member already placed under it is skipped."""
    pairing = agreement.pairing
    _check(actor, pairing.west_code)
    if not workers_counted(pairing):
        raise ValidationError(_("this pairing's workers are typed, not counted"))
    employer = (employer or "").strip()
    if not employer:
        raise ValidationError(_("employer: the employer is required"))
    if placed_on.year != agreement.year:
        raise ValidationError(_("placed on %(day)s: not in the agreement's year %(year)s")
                              % {"day": placed_on, "year": agreement.year})
    ids = list(dict.fromkeys(m.strip() for m in member_ids if m and m.strip()))
    if not ids:
        raise ValidationError(_("members: name at least one member number"))
    members = {m.member_id: m for m in Member.objects.filter(
        member_id__in=ids, member_status="active").select_related("household")}
    missing = [m for m in ids if m not in members
               or not members[m].household.village_id.startswith(pairing.west_code)
               or not scope_of(actor).contains(members[m].household.village_id)]
    if missing:
        raise ValidationError(_("members %(ids)s: not residents of %(code)s in the registry")
                              % {"ids": ", ".join(missing[:10]), "code": pairing.west_code})
    done = set(Placement.objects.filter(agreement=agreement, member__in=members.values())
               .values_list("member__member_id", flat=True))
    new = [Placement(agreement=agreement, member=members[m],
                     region_code=members[m].household.village_id, employer=employer[:120],
                     place=(place or "")[:120], placed_on=placed_on, recorded_by=actor)
           for m in ids if m not in done]
    with transaction.atomic():
        Placement.objects.bulk_create(new)
        audit.record("regional.placements", actor=actor, obj=agreement,
                     region_code=pairing.west_code,
                     after={"members": [p.member.member_id for p in new], "employer": employer,
                            "place": place, "placed_on": placed_on.isoformat()})
    return new


def do_link_partner_user(user, partner: Partner, *, actor) -> PartnerUser:
    """Make ``user`` (an eastern partner's or a central unit's account, in the actor's users)
    read as ``partner``."""
    require(actor, Capability.MANAGE_PAIRINGS)
    require(actor, Capability.MANAGE_USERS)
    if not scoped_users(actor).filter(pk=user.pk).exists():
        raise NotFound
    if user.role not in PARTNER_ROLES:
        raise ValidationError(_("%(user)s is not an eastern partner's or a central unit's "
                                "account") % {"user": user.username})
    wanted = Partner.Kind.CENTRAL_UNIT if user.role == Role.CENTRAL_UNIT else None
    if (wanted and partner.kind != wanted) or (not wanted and partner.kind
                                                == Partner.Kind.CENTRAL_UNIT):
        raise ValidationError(_("%(user)s cannot work for %(partner)s")
                              % {"user": user.username, "partner": partner.name})
    with transaction.atomic():
        link = PartnerUser.objects.filter(user=user).first()
        before = None if link is None else {"partner": link.partner.name}
        if link is None:
            link = PartnerUser(user=user)
        link.partner, link.linked_by = partner, actor
        link.save()
        audit.record("regional.partner_user", actor=actor, obj=user,
                     region_code=user.region_id or "", before=before,
                     after={"partner": partner.name})
    return link


def do_appoint_cadre(*, village_code: str, name: str, first_secretary: bool,
                     sending_unit: str, started_on: date, partner: Partner | None = None,
                     actor, predecessor: ResidentCadre | None = None) -> ResidentCadre:
    """A cadre starts serving in a village (a rotation when ``predecessor`` is given: the
    predecessor's term ends the day the successor starts)."""
    village_code = (village_code or "").strip()
    _check(actor, village_code)
    if len(village_code) != 12 or not Region.objects.filter(code=village_code).exists():
        raise ValidationError(_("village: %(code)s is not a village") % {"code": village_code})
    name, sending_unit = (name or "").strip(), (sending_unit or "").strip()
    if not name or not sending_unit:
        raise ValidationError(_("name and sending unit: both are required"))
    if predecessor is not None and (predecessor.village_code != village_code
                                    or predecessor.successor_id is not None
                                    or started_on <= predecessor.started_on):
        raise ValidationError(_("the predecessor is not serving in this village"))
    with transaction.atomic():
        cadre = ResidentCadre.objects.create(
            village_code=village_code, name=name[:40], first_secretary=bool(first_secretary),
            sending_unit=sending_unit[:120], partner=partner, started_on=started_on,
            recorded_by=actor)
        if predecessor is not None:
            predecessor.ended_on, predecessor.successor = started_on, cadre
            predecessor.save(update_fields=["ended_on", "successor"])
        audit.record("regional.resident_cadre", actor=actor, obj=cadre,
                     region_code=village_code,
                     after={"name": cadre.name, "first_secretary": cadre.first_secretary,
                            "sending_unit": cadre.sending_unit,
                            "started_on": started_on.isoformat(),
                            "replaces": predecessor.pk if predecessor else None})
    return cadre


def do_end_cadre(cadre: ResidentCadre, *, ended_on: date, actor) -> ResidentCadre:
    _check(actor, cadre.village_code)
    if ended_on <= cadre.started_on:
        raise ValidationError(_("the term ends on %(end)s, not after it starts")
                              % {"end": ended_on})
    cadre.ended_on = ended_on
    cadre.save(update_fields=["ended_on"])
    audit.record("regional.resident_cadre_end", actor=actor, obj=cadre,
                 region_code=cadre.village_code, after={"ended_on": ended_on.isoformat()})
    return cadre


# ------------------------------------------------------------------ reading


def agreement_year(agreement: Agreement, names: dict | None = None):
    """The engine's row of an agreement: typed lines, and the counted actuals."""
    pairing = agreement.pairing
    targets, actuals = {}, {}
    for line in agreement.lines.all():
        if line.target is not None:
            targets[line.indicator] = line.target
        if line.actual is not None:
            actuals[line.indicator] = line.actual
    if funds_counted(pairing):
        total = agreement.funds.aggregate(s=Sum("allocation__amount"))["s"]
        actuals[COUNTED_FUNDS] = Decimal(total or 0).quantize(Decimal("0.01"))
    if workers_counted(pairing):
        placed = agreement.placements.select_related("member__household")
        actuals["workers_placed"] = Decimal(placed.count())
        actuals["workers_placed_poverty"] = Decimal(placed.filter(
            member__household__household_type="poverty_alleviated").count())
    return rules.AgreementYear(str(agreement.pk), label(pairing, names), pairing.west_code,
                               agreement.year, targets, actuals)


def assess(agreement: Agreement, today: date | None = None):
    today = today or timezone.localdate()
    return rules.assess(agreement_year(agreement), resolve(agreement.pairing.west_code[:6],
                                                           today), today)


def cadre_rows(cadres) -> list:
    return [rules.Cadre(str(c.pk), c.village_code, c.name, c.first_secretary, c.started_on,
                        c.ended_on) for c in cadres]


def roster_findings(cadres, today: date) -> list:
    by_county = defaultdict(list)
    for c in cadre_rows(cadres):
        by_county[c.village[:6]].append(c)
    found = []
    for county, rows in sorted(by_county.items()):
        found += rules.roster_findings(rows, resolve(county, today), today)
    return found
