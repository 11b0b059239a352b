"""Every indicator computation records the fingerprint of the policy it used, and the
dashboard and the API show it (issue 11, item 6)."""

import datetime as dt

import pytest

from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.engine import policy
from dixian.statistics import bridge
from dixian.statistics.models import IndicatorSnapshot
from tests.conftest import COUNTY
from tests.statistics.builders import build_county

pytestmark = pytest.mark.django_db


def test_a_computation_keeps_the_fingerprint_of_its_policy_and_the_page_shows_it(client,
                                                                                 users):
    build_county()
    after = bridge.do_recompute(COUNTY, as_of="2025-05", months=3)
    expected = policy.resolve(COUNTY, dt.date.today()).fingerprint
    assert after["policy"] == expected
    assert set(IndicatorSnapshot.objects.values_list("policy_fingerprint", flat=True)) == {
        expected}
    event = AuditEvent.objects.filter(action="statistics.recompute").latest("seq")
    assert event.after["policy"] == expected
    client.force_login(users[Role.COUNTY_APPROVER])
    page = client.get(f"/statistics/{COUNTY}/").content.decode()
    assert 'id="policy-fingerprint"' in page and f">{expected}</a>" in page
    assert client.get(f"/api/statistics/{COUNTY}").json()["policy_fingerprint"] == expected
