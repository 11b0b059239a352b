"""The evaluation workflow: draw a county's sample, record findings by form and by file,
results with intervals and pass/fail; every write audited; scope enforced."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.statistics.models import EvaluationSample, SampledHousehold
from tests.conftest import COUNTY, OTHER_COUNTY, make_user
from tests.statistics.builders import build_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(users):
    build_county()
    return users


def _draw(client, **fields):
    data = {"county": COUNTY, "villages": 2, "households": 8, "seed": 3, **fields}
    return client.post(f"/statistics/{COUNTY}/evaluation/draw/", data)


def test_a_county_user_draws_the_sample(client, county):
    client.force_login(county[Role.COUNTY_APPROVER])
    assert _draw(client).status_code == 302
    sample = EvaluationSample.objects.get()
    assert sample.county_id == COUNTY and sample.seed == 3 and len(sample.villages) == 2
    assert sample.households.count() == 8
    assert sample.households.filter(monitored=True).exists()
    event = AuditEvent.objects.get(action="evaluation.draw_sample")
    assert event.after["households"] == 8 and event.region_code == COUNTY
    page = client.get(f"/statistics/{COUNTY}/evaluation/").content.decode()
    assert 'id="sample-households"' in page and page.count('class="finding"') == 8


def test_the_same_seed_draws_the_same_sample(client, county):
    client.force_login(county[Role.COUNTY_APPROVER])
    _draw(client)
    _draw(client)
    first, second = EvaluationSample.objects.order_by("pk")
    assert sorted(first.households.values_list("household__code", flat=True)) == sorted(
        second.households.values_list("household__code", flat=True))


def test_findings_by_form_are_audited_and_give_results(client, county):
    client.force_login(county[Role.COUNTY_ADMIN])
    _draw(client)
    items = list(SampledHousehold.objects.all())
    for item in items:
        response = client.post(f"/statistics/{COUNTY}/evaluation/findings/", {
            "item": item.pk, "eligible": "yes" if item.monitored else "no",
            "elimination_conditions_held": "yes" if item.eliminated else "",
            "satisfied": "yes", "note": "checked"})
        assert response.status_code == 302
    item = SampledHousehold.objects.get(pk=items[0].pk)
    assert item.satisfied is True and item.note == "checked" and item.recorded_by is not None
    events = AuditEvent.objects.filter(action="evaluation.record_finding")
    assert events.count() == 8 and events.first().before["satisfied"] is None
    page = client.get(f"/statistics/{COUNTY}/evaluation/results/").content.decode()
    assert 'data-rate="identification_accuracy"' in page
    assert f'id="verdict-{COUNTY}"' in page and 'class="pass"' in page


def test_findings_by_file_are_all_or_nothing(client, county):
    client.force_login(county[Role.COUNTY_ADMIN])
    _draw(client)
    sheet = client.get(f"/statistics/{COUNTY}/evaluation/sample.xlsx")
    book = load_workbook(io.BytesIO(sheet.content))
    ws = book.active
    header = [c.value for c in ws[1]]
    assert "户编号" in header and "符合监测条件" in header
    col = {name: header.index(name) + 1 for name in ("符合监测条件", "认可")}
    for r in range(2, ws.max_row + 1):
        ws.cell(r, col["符合监测条件"], "否")
        ws.cell(r, col["认可"], "是")
    ws.cell(3, col["认可"], "maybe")  # one bad value: nothing is recorded
    bad = io.BytesIO()
    book.save(bad)
    bad.name = "findings.xlsx"
    bad.seek(0)
    response = client.post(f"/statistics/{COUNTY}/evaluation/upload/", {"file": bad},
                           follow=True)
    assert "maybe" in response.content.decode()
    assert not SampledHousehold.objects.filter(satisfied__isnull=False).exists()
    ws.cell(3, col["认可"], "否")
    good = io.BytesIO()
    book.save(good)
    good.name = "findings.xlsx"
    good.seek(0)
    client.post(f"/statistics/{COUNTY}/evaluation/upload/", {"file": good})
    assert SampledHousehold.objects.filter(satisfied=True).count() == 7
    assert SampledHousehold.objects.filter(satisfied=False).count() == 1
    assert AuditEvent.objects.filter(action="evaluation.record_finding").count() == 8


def test_villages_draw_nothing_and_other_counties_are_out_of_reach(client, county):
    client.force_login(county[Role.VILLAGE_CADRE])
    village = county[Role.VILLAGE_CADRE].region_id
    page = client.get(f"/statistics/{village}/evaluation/").content.decode()
    assert "no whole county" in page or "不包含完整的县" in page
    client.post(f"/statistics/{village}/evaluation/draw/", {"county": COUNTY})
    assert not EvaluationSample.objects.exists()
    client.force_login(county[Role.COUNTY_APPROVER])
    _draw(client)
    item = SampledHousehold.objects.first()
    other = make_user(Role.COUNTY_APPROVER, OTHER_COUNTY, username="neighbour")
    client.force_login(other)
    assert client.post(f"/statistics/{OTHER_COUNTY}/evaluation/findings/",
                       {"item": item.pk, "satisfied": "yes"}).status_code == 404
    client.force_login(county[Role.VILLAGE_CADRE])
    assert client.post(f"/statistics/{village}/evaluation/findings/",
                       {"item": item.pk, "satisfied": "yes"}).status_code == 404
    assert SampledHousehold.objects.get(pk=item.pk).satisfied is None


@pytest.mark.parametrize("role", [Role.ANALYST, Role.AUDITOR, Role.SYSADMIN,
                                  Role.DEPARTMENT_OFFICER])
def test_readers_and_administrators_cannot_draw_or_record_findings(client, county, role):
    client.force_login(county[Role.COUNTY_APPROVER])
    _draw(client)
    item = SampledHousehold.objects.first()
    client.force_login(county[role])
    before = AuditEvent.objects.count()
    assert _draw(client).status_code == 403
    findings = client.post(f"/statistics/{COUNTY}/evaluation/findings/",
                           {"item": item.pk, "eligible": "yes"})
    assert findings.status_code == 403
    assert client.post(f"/statistics/{COUNTY}/evaluation/upload/").status_code == 403
    assert EvaluationSample.objects.count() == 1
    assert SampledHousehold.objects.get(pk=item.pk).eligible is None
    assert AuditEvent.objects.count() == before
