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


PREFECTURE = "5223"  # 黔西南州: evaluates its counties from above


@pytest.fixture
def county(users):
    build_county()
    return {**users, "evaluator": make_user(Role.ANALYST, PREFECTURE,
                                            username="prefecture-evaluator")}


def _draw(client, **fields):
    data = {"county": COUNTY, "villages": 2, "households": 8, "seed": 3, **fields}
    return client.post(f"/statistics/{COUNTY}/evaluation/draw/", data)


def test_the_prefecture_evaluator_draws_the_sample(client, county):
    client.force_login(county["evaluator"])
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
    client.force_login(county["evaluator"])
    _draw(client)
    _draw(client)
    first, second = EvaluationSample.objects.order_by("pk")
    assert sorted(first.households.values_list("household__code", flat=True)) == sorted(
        second.households.values_list("household__code", flat=True))


def test_findings_by_form_are_audited_and_give_results(client, county):
    client.force_login(county["evaluator"])
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
    client.force_login(county["evaluator"])
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
    client.force_login(county["evaluator"])
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


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SYSADMIN, Role.DEPARTMENT_OFFICER])
def test_readers_and_administrators_cannot_draw_or_record_findings(client, county, role):
    client.force_login(county["evaluator"])
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


# ------------------------------------------------------------------ independence (R10)
COUNTY_STAFF = (Role.COUNTY_APPROVER, Role.COUNTY_ADMIN, Role.ANALYST, Role.AUDITOR,
                Role.TOWNSHIP_REVIEWER, Role.VILLAGE_CADRE)


@pytest.mark.parametrize("role", COUNTY_STAFF)
def test_the_evaluated_county_cannot_draw_its_own_sample(county, role):
    from django.core.exceptions import PermissionDenied

    from dixian.core.models import Region
    from dixian.statistics import evaluation as ev

    with pytest.raises((ev.EvaluationError, PermissionDenied)):  # not its own, or not at all
        ev.do_draw_sample(Region.objects.get(code=COUNTY), actor=county[role], villages=2,
                          households=8, seed=3)
    assert not EvaluationSample.objects.exists()


def test_county_staff_cannot_fill_in_or_redraw_the_sample(client, county):
    from dixian.core.models import Region
    from dixian.statistics import evaluation as ev

    sample = ev.do_draw_sample(Region.objects.get(code=COUNTY), actor=county["evaluator"],
                               villages=2, households=8, seed=3)
    item = sample.households.first()
    for role in (Role.COUNTY_APPROVER, Role.COUNTY_ADMIN, Role.ANALYST):
        with pytest.raises(ev.EvaluationError):
            ev.do_record_finding(item, actor=county[role], eligible=True,
                                 elimination_conditions_held=None, satisfied=True)
        changed, problems = ev.do_record_findings_file(
            [sample], "户编号,认可\n" f"{item.household.code},是\n".encode(), "f.csv",
            actor=county[role])
        assert changed == 0 and problems
    client.force_login(county[Role.COUNTY_ADMIN])
    client.post(f"/statistics/{COUNTY}/evaluation/findings/",
                {"item": item.pk, "satisfied": "yes"})
    _draw(client, seed=4)  # a redraw by the county itself
    assert not SampledHousehold.objects.filter(recorded_at__isnull=False).exists()
    assert EvaluationSample.objects.count() == 1
    # a national evaluator may (the nation is above every county)
    national = make_user(Role.ANALYST, None, national=True, username="national-evaluator")
    ev.do_record_finding(item, actor=national, eligible=True,
                         elimination_conditions_held=None, satisfied=True)


def test_a_sample_is_redrawn_before_fieldwork_and_fixed_after_it(county):
    from dixian.core.models import Region
    from dixian.registry.models import Household
    from dixian.statistics import evaluation as ev

    county_region = Region.objects.get(code=COUNTY)
    evaluator = county["evaluator"]
    first = ev.do_draw_sample(county_region, actor=evaluator, villages=2, households=8,
                              seed=3)
    second = ev.do_draw_sample(county_region, actor=evaluator, villages=2, households=8,
                               seed=5)  # no finding yet: a redraw replaces it
    assert ev.current_samples(evaluator, COUNTY) == [second]
    item = second.households.first()
    ev.do_record_finding(item, actor=evaluator, eligible=True,
                         elimination_conditions_held=None, satisfied=None)
    with pytest.raises(ev.EvaluationError, match="redrawn|重新抽取"):
        ev.do_draw_sample(county_region, actor=evaluator, villages=2, households=8, seed=6)
    assert ev.current_samples(evaluator, COUNTY) == [second]
    # findings may still be corrected; the design may not change
    ev.do_record_finding(item, actor=evaluator, eligible=False,
                         elimination_conditions_held=None, satisfied=None)
    item.refresh_from_db()
    item.weight = 1.0
    with pytest.raises(PermissionError):
        item.save()
    with pytest.raises(PermissionError):
        item.delete()
    with pytest.raises(PermissionError):
        SampledHousehold(sample=second, household=Household.objects.exclude(
            pk__in=second.households.values("household")).first(),
            village_code=item.village_code, household_stratum="x", village_stratum="x",
            monitored=False, eliminated=False, inclusion_probability=1, base_weight=1,
            weight=1).save()
    second.seed = 7
    with pytest.raises(PermissionError):
        second.save()
    with pytest.raises(PermissionError):
        second.delete()
    first.seed = 8
    first.save()  # the replaced sample never went to the field
