"""East–West cooperation and paired assistance: the actions (capability, region, refusals,
corrections audited), the partner's own view (fails closed), the funds linked and the workers
counted from the registry, the pages, files and API, and the demo."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dixian.core.access import NotFound
from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.funds.actions import do_record_allocation
from dixian.regional import pairing
from dixian.regional.models import Pairing
from dixian.regional.pairing_access import scoped_pairings
from tests.conftest import COUNTY, OTHER_COUNTY, VILLAGE, make_user
from tests.funds.builders import load_households

pytestmark = pytest.mark.django_db
LAST = timezone.localdate().year - 1


def _county_pair(users, partner_name="惠东县"):
    admin = users[Role.COUNTY_ADMIN]
    partner = pairing.do_register_partner(name=partner_name, kind="eastern_government",
                                          division_code="441323", actor=admin)
    return pairing.do_create_pairing(partner=partner, level="county", west_code=COUNTY,
                                     started_on=date(2021, 1, 1), actor=admin)


def _agreement(users, item):
    return pairing.do_set_agreement(
        item, year=LAST, targets={"fiscal_funds": "1000000", "products_bought": "500000",
                                  "workers_placed": "2", "workers_placed_poverty": "2"},
        actuals={"products_bought": "400000"}, document="协议", actor=users[Role.COUNTY_ADMIN])


def test_pairings_are_made_within_scope_and_by_level(users):
    admin = users[Role.COUNTY_ADMIN]
    item = _county_pair(users)
    assert AuditEvent.objects.filter(action="regional.pairing", object_id=str(item.pk)).exists()
    assert _county_pair(users) == item  # the same twice is harmless
    partner = item.partner
    with pytest.raises(NotFound):
        pairing.do_create_pairing(partner=partner, level="county", west_code=OTHER_COUNTY,
                                  started_on=date(2021, 1, 1), actor=admin)
    with pytest.raises(ValidationError):  # a county's code at the province level
        pairing.do_create_pairing(partner=partner, level="province", west_code=COUNTY,
                                  started_on=date(2021, 1, 1), actor=admin)
    with pytest.raises(ValidationError):  # an eastern government is no central unit
        pairing.do_create_pairing(partner=partner, level="central_unit", west_code=COUNTY,
                                  started_on=date(2021, 1, 1), actor=admin)
    with pytest.raises(PermissionDenied):
        pairing.do_create_pairing(partner=partner, level="county", west_code=COUNTY,
                                  started_on=date(2022, 1, 1),
                                  actor=users[Role.COUNTY_APPROVER])


def test_counted_actuals_come_from_the_funds_and_the_registry(users):
    load_households(3, VILLAGE)
    admin = users[Role.COUNTY_ADMIN]
    item = _county_pair(users)
    with pytest.raises(ValidationError):  # the county's funds are linked, not typed
        pairing.do_set_agreement(item, year=LAST, targets={}, actuals={"fiscal_funds": "1"},
                                 actor=admin)
    agreement = _agreement(users, item)
    money = do_record_allocation(county_code=COUNTY, year=LAST, source="east_west",
                                 amount=Decimal("600000"), document="惠东援助资金",
                                 received_on=date(LAST, 4, 1), actor=users[Role.FUND_OFFICER])
    other = do_record_allocation(county_code=COUNTY, year=LAST, source="central", amount=1,
                                 document="中央资金", received_on=date(LAST, 4, 1),
                                 actor=users[Role.FUND_OFFICER])
    pairing.do_link_funds(agreement, money, actor=admin)
    with pytest.raises(ValidationError):  # not the East–West source
        pairing.do_link_funds(agreement, other, actor=admin)
    pairing.do_record_placements(agreement, member_ids=[f"{VILLAGE}0001-01",
                                                        f"{VILLAGE}0002-01"],
                                 employer="惠东鞋厂", placed_on=date(LAST, 5, 1), actor=admin)
    with pytest.raises(ValidationError):  # not a resident of the county
        pairing.do_record_placements(agreement, member_ids=["5226330012010001-01"],
                                     employer="x", placed_on=date(LAST, 5, 1), actor=admin)
    row = pairing.agreement_year(agreement)
    assert row.actuals["fiscal_funds"] == Decimal("600000.00")
    assert row.actuals["workers_placed"] == 2
    result = pairing.assess(agreement, date(LAST + 1, 1, 5))
    short = {line.indicator.key for line in result.lines if line.status == "short"}
    assert {"fiscal_funds", "products_bought"} <= short
    # the correction keeps the before in the audit
    pairing.do_set_agreement(item, year=LAST, targets={"products_bought": "400000"},
                             actuals={}, actor=admin)
    event = AuditEvent.objects.filter(action="regional.agreement").order_by("-pk").first()
    assert event.before["products_bought"][0] == "500000.00"


def test_a_partner_sees_only_its_own_pairings_and_nothing_unlinked(users, client):
    admin = users[Role.COUNTY_ADMIN]
    mine = _county_pair(users)
    _agreement(users, mine)
    unit = pairing.do_register_partner(name="中央统战部", kind="central_unit", actor=admin)
    theirs = pairing.do_create_pairing(partner=unit, level="central_unit", west_code=COUNTY,
                                       started_on=date(2015, 9, 1), actor=admin)
    partner_user = users[Role.EAST_PARTNER]
    assert not scoped_pairings(partner_user).exists()  # not linked: nothing
    with pytest.raises(ValidationError):  # an eastern partner's user cannot be the unit's
        pairing.do_link_partner_user(partner_user, unit, actor=admin)
    with pytest.raises(ValidationError):
        pairing.do_link_partner_user(users[Role.ANALYST], mine.partner, actor=admin)
    pairing.do_link_partner_user(partner_user, mine.partner, actor=admin)
    assert list(scoped_pairings(partner_user)) == [mine]
    client.force_login(partner_user)
    assert client.get(f"/regional/pairings/{theirs.pk}/").status_code == 404
    page = client.get(f"/regional/pairings/{mine.pk}/{LAST}/")
    assert page.status_code == 200 and 'data-status="short"' in page.content.decode()
    assert client.get(f"/regional/relocation/{COUNTY}/").status_code == 403
    assert client.get("/households/").status_code == 403
    api = client.get("/api/regional/pairings").json()
    assert [p["id"] for p in api["pairings"]] == [mine.pk]
    # a county user reads both
    assert set(scoped_pairings(users[Role.COUNTY_APPROVER])) == {mine, theirs}


def test_the_report_file_is_formula_safe(users, client):
    import io

    from openpyxl import load_workbook

    admin = users[Role.COUNTY_ADMIN]
    partner = pairing.do_register_partner(name="=HYPERLINK(1)", kind="eastern_government",
                                          actor=admin)
    item = pairing.do_create_pairing(partner=partner, level="county", west_code=COUNTY,
                                     started_on=date(2021, 1, 1), actor=admin)
    pairing.do_set_agreement(item, year=LAST, targets={"enterprises": "3"},
                             actuals={"enterprises": "1"}, actor=admin)
    client.force_login(users[Role.COUNTY_APPROVER])
    data = client.get(f"/regional/pairings/{item.pk}/{LAST}/export.xlsx").content
    cell = load_workbook(io.BytesIO(data))["协议完成情况"]["A2"].value
    assert cell.startswith("'=")
    text = client.get(f"/regional/pairings/{item.pk}/{LAST}/export.csv").content.decode()
    assert "'=HYPERLINK" in text and "未完成" in text
    assert client.get(f"/regional/pairings/{item.pk}/{LAST}/export.pdf").status_code == 404


def test_the_forms(users, client):
    client.force_login(users[Role.COUNTY_ADMIN])
    client.post("/regional/pairings/act/", {"do": "partner", "name": "惠东县",
                                            "kind": "eastern_government"})
    partner = pairing.Partner.objects.get(name="惠东县")
    response = client.post("/regional/pairings/act/", {
        "do": "pairing", "partner": partner.pk, "level": "county", "west_code": COUNTY,
        "started_on": "2021-01-01"})
    item = Pairing.objects.get(partner=partner)
    assert response["Location"].endswith(f"/regional/pairings/{item.pk}/")
    response = client.post(f"/regional/pairings/{item.pk}/act/", {
        "do": "agreement", "year": str(LAST), "target_enterprises": "3",
        "actual_enterprises": "1"})
    assert response["Location"].endswith(f"/{item.pk}/{LAST}/")
    page = client.get(f"/regional/pairings/{item.pk}/{LAST}/").content.decode()
    assert 'data-indicator="enterprises" data-status="short"' in page
    user = make_user(Role.EAST_PARTNER, COUNTY, username="hd.partner")
    client.post("/regional/pairings/act/", {"do": "user", "user": user.pk,
                                            "partner": partner.pk})
    assert user.pairing_partner.partner == partner


def test_work_teams_rotate_and_are_judged(users, client):
    admin = users[Role.COUNTY_ADMIN]
    today = timezone.localdate()
    old = pairing.do_appoint_cadre(village_code=VILLAGE, name="王建华", first_secretary=True,
                                   sending_unit="中央统战部", started_on=date(2020, 1, 1),
                                   actor=admin)
    found = pairing.roster_findings([old], today)
    assert {f.rule for f in found} == {"FIRST_SECRETARY_TERM_EXCEEDED", "WORK_TEAM_TOO_SMALL"}
    client.force_login(admin)
    client.post("/regional/work-teams/act/", {"do": "appoint", "predecessor": old.pk,
                                              "name": "李志强", "sending_unit": "中央统战部",
                                              "started_on": today.isoformat()})
    old.refresh_from_db()
    assert old.ended_on == today and old.successor.name == "李志强"
    assert old.successor.first_secretary
    page = client.get("/regional/work-teams/").content.decode()
    assert "李志强" in page and "王建华" not in page
    with pytest.raises(NotFound):
        pairing.do_appoint_cadre(village_code="522633001201", name="x", first_secretary=False,
                                 sending_unit="y", started_on=today, actor=admin)


def test_the_demo_is_calibrated_and_plants_its_cases(users):
    from dixian.regional import demo_pairing

    load_households(30, VILLAGE)
    admin = users[Role.COUNTY_ADMIN]
    do_record_allocation(county_code=COUNTY, year=LAST, source="east_west",
                         amount=demo_pairing.EAST_WEST_PER_COUNTY, document="ew",
                         received_on=date(LAST, 3, 1), actor=users[Role.FUND_OFFICER])
    today = timezone.localdate()
    figures = demo_pairing.build_pairings(COUNTY, today, admin, users[Role.PROVINCE_ADMIN])
    result = pairing.assess(figures["agreement"], today)
    line = {x.indicator.key: x for x in result.lines}
    assert line["fiscal_funds"].actual == demo_pairing.EAST_WEST_PER_COUNTY
    assert line["fiscal_funds"].status == "met"
    assert line["products_bought"].status == "short"
    assert line["products_bought"].completion == Decimal("0.88").quantize(
        Decimal("0.01")) or abs(line["products_bought"].completion - Decimal("0.88")) < \
        Decimal("0.0001")
    assert line["technicians_to_west"].target == 42  # 294 over 7 counties
    assert "PAIRING_BELOW_TARGET" in {f.rule for f in result.findings}
    assert figures["pairings"] == 5
