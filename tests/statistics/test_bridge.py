"""The bridge: the ledger read from the database, computed, cached per region, audited."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from dixian.cases.models import Case
from dixian.core.models import AuditEvent
from dixian.statistics import bridge
from dixian.statistics.models import IndicatorSnapshot
from tests.statistics.builders import VILLAGE, VILLAGE2, at, build_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(county_regions):
    return build_county()


def _at(snap, name, period):
    return snap.series[name][snap.periods.index(period)]


def test_recompute_caches_every_region_below_with_an_audit_row(county):
    result = bridge.do_recompute("522326", as_of="2025-05", months=3)
    assert result["as_of"] == "2025-05"
    codes = set(IndicatorSnapshot.objects.values_list("region_code", flat=True))
    assert codes == {"522326", "522326101", "522326102", VILLAGE, VILLAGE2}
    snap = bridge.snapshot_of("522326")
    assert snap.periods == ["2025-03", "2025-04", "2025-05"] and snap.parent_code == "5223"
    assert (_at(snap, "monitored_households", "2025-05"),
            _at(snap, "monitored_persons", "2025-05")) == (3, 9)
    assert _at(snap, "identified_households", "2025-05") == 4
    assert _at(snap, "eliminated_assisted_households", "2025-05") == 1
    assert _at(snap, "new_eliminated_households", "2025-05") == 1
    assert [_at(snap, "ident_lag_median_days", m) for m in snap.periods] == [9.0, 13.0, 19.0]
    assert [_at(snap, "ident_within_sla", m) for m in snap.periods] == [1, 1, 0]
    assert _at(snap, "measure_lag_median_days", "2025-03") == 5.0
    assert (_at(snap, "coverage_num", "2025-05"), _at(snap, "measures_overdue", "2025-05")) \
        == (1, 1)
    assert _at(snap, "pa_income_n", "2025-05") == 5
    children = [c.region_code for c in bridge.children_of("522326")]
    assert children == ["522326101", "522326102"]
    event = AuditEvent.objects.get(action="statistics.recompute")
    assert event.object_id == "522326" and event.after["regions"] == 5


def test_months_are_counted_in_local_time(county):
    """A decision at 17:00 UTC on 31 May is 01:00 on 1 June in Beijing: a June decision."""
    case = Case.objects.get(household__code=f"{VILLAGE}0003")
    case.decided_at = at("2025-05-31 17:00")
    case.save()
    bridge.do_recompute("522326", as_of="2025-06", months=2)
    snap = bridge.snapshot_of("522326")
    assert [_at(snap, "ident_decisions", m) for m in snap.periods] == [0, 1]


def test_the_list_behind_a_figure_matches_it(county):
    bridge.do_recompute("522326", as_of="2025-05", months=3)
    snap = bridge.snapshot_of(VILLAGE)
    listed = bridge.households_behind(VILLAGE, "monitored", period="2025-05")
    assert listed.num_rows == _at(snap, "monitored_households", "2025-05") == 3
    uncovered = bridge.households_behind("522326", "uncovered", period="2025-05")
    assert uncovered["household_code"].to_pylist() == [f"{VILLAGE}0002", f"{VILLAGE}0003"]
    poor = bridge.households_behind("522326", "poor", period="2025-05")
    assert all(v < 8700 for v in poor["value"].to_pylist())


def test_a_smaller_recompute_replaces_only_its_own_rows(county):
    bridge.do_recompute("522326", as_of="2025-05", months=3)
    before = {s.region_code: s.computed_at for s in IndicatorSnapshot.objects.all()}
    bridge.do_recompute("522326102", as_of="2025-05", months=3)
    after = {s.region_code: s.computed_at for s in IndicatorSnapshot.objects.all()}
    assert set(after) == set(before)
    assert after["522326"] == before["522326"] and after[VILLAGE] == before[VILLAGE]
    assert after[VILLAGE2] > before[VILLAGE2] and after["522326102"] > before["522326102"]


def test_the_command(county, capsys):
    call_command("indicators", "--region", "522326", "--as-of", "2025-05", "--months", "2")
    assert "522326: 5 regions up to 2025-05" in capsys.readouterr().out
    assert bridge.snapshot_of("522326").periods == ["2025-04", "2025-05"]
    with pytest.raises(CommandError):
        call_command("indicators", "--region", "999999")


def test_an_empty_region_gets_an_empty_row(county_regions):
    result = bridge.do_recompute("522326")
    snap = bridge.snapshot_of("522326")
    assert result["regions"] == 1 and snap.series["monitored_households"][-1] == 0
