"""What the cases show of other apps without importing them (issue 11, item 9): the
household's monitoring page lists its measures through assistance's template tag, and an
audit row of a case step reads as the step's name."""

from datetime import timedelta

import polars as pl
import pytest
from django.utils import timezone

from dixian.assistance.models import Measure
from dixian.core.audit_labels import action_label
from dixian.core.roles import Role
from dixian.registry import importing
from dixian.registry.models import Household
from tests.cases.builders import make_monitored
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members


@pytest.mark.django_db
def test_the_monitoring_page_lists_the_households_measures(client, county_regions, users):
    tables = households_and_members(1, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    household = Household.objects.get()
    spell = make_monitored(household, since=timezone.now() - timedelta(days=40))
    Measure.objects.create(household=household, village_code=household.village_id,
                           risk_type="ILLNESS", category="HEALTH",
                           instrument="MEDICAL_ASSISTANCE", department="medical_insurance",
                           status="planned", planned_on=spell.started_on,
                           due_on=spell.started_on - timedelta(days=1))
    client.force_login(users[Role.VILLAGE_CADRE])
    page = client.get(f"/monitoring/{household.code}/").content.decode()
    measures = page.split('id="measures"')[1].split("</section>")[0]
    assert "<tbody><tr><td>" in measures and "No measure yet" not in measures


def test_a_case_step_in_the_audit_trail_reads_as_the_step():
    from dixian.cases.machine import ACTION_LABELS, Action

    assert action_label("case.accept") == str(ACTION_LABELS[Action.ACCEPT])
    assert action_label("case.no_such_step") == "case.no_such_step"
    assert action_label("screening.schedule_advance") != "screening.schedule_advance"
