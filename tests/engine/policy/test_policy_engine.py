"""The policy layer: layers, dates, levels, validation, fingerprints, reconstruction."""

import datetime as dt

import pytest

from dixian.engine import policy
from dixian.engine.policy import Record, catalogue, resolution
from dixian.engine.policy.catalogue import parse_record
from dixian.engine.policy.model import PolicyError

D = dt.date


@pytest.fixture
def changes(monkeypatch):
    extra: list[Record] = []
    monkeypatch.setattr(resolution, "_change_source", lambda: extra)
    return extra


def test_national_lines_by_year_from_the_sources():
    # domain.md §1.2 / §11.1: 6,000 (2021), 6,500 (2022), 8,700 (2024, 2025)
    line = "income.monitoring_line"
    assert policy.resolve(None, D(2021, 6, 1))[line] == 6000
    assert policy.resolve(None, D(2022, 6, 1))[line] == 6500
    assert policy.resolve(None, D(2024, 6, 1))[line] == 8700
    assert policy.resolve(None, D(2025, 12, 31))[line] == 8700


def test_guizhou_2023_is_its_own_line_and_ends_with_the_year():
    line = "income.monitoring_line"
    assert policy.resolve("522326", D(2023, 12, 31))[line] == 7300
    assert policy.resolve("522326", D(2024, 1, 1))[line] == 8700
    assert policy.resolve("522326", D(2023, 6, 1)).record(line).region == "52"


def test_anhui_identification_limit_is_regional():
    assert policy.resolve("340102", D(2026, 1, 1))["procedure.identification_sla_days"] == 28
    assert policy.resolve("522326", D(2026, 1, 1))["procedure.identification_sla_days"] == 15


def test_a_county_value_wins_over_its_province_only_where_the_parameter_allows(changes):
    changes += [Record("income.monitoring_line", "52", D(2026, 3, 1), 9000, "prov"),
                Record("income.monitoring_line", "522326", D(2026, 3, 1), 9500, "county")]
    assert policy.resolve("522326", D(2026, 3, 1))["income.monitoring_line"] == 9500
    assert policy.resolve("522633", D(2026, 3, 1))["income.monitoring_line"] == 9000
    # the day before, the national value
    assert policy.resolve("522326", D(2026, 2, 28))["income.monitoring_line"] == 8700
    # a county value of a province-level parameter is ignored
    changes.append(Record("procedure.identification_sla_days", "522326", D(2026, 1, 1), 3, "x"))
    assert policy.resolve("522326", D(2026, 6, 1))["procedure.identification_sla_days"] == 15


def test_the_policy_as_applied_on_a_past_day_is_reconstructed(changes):
    approved = dt.datetime(2026, 5, 20, tzinfo=dt.UTC)
    changes.append(Record("income.monitoring_line", "52", D(2026, 6, 1), 9100, "doc",
                          approved_at=approved))
    on = D(2026, 7, 1)
    assert policy.resolve("52", on)["income.monitoring_line"] == 9100
    before = policy.resolve("52", on, known_on=approved - dt.timedelta(seconds=1))
    assert before["income.monitoring_line"] == 8700
    assert before.fingerprint != policy.resolve("52", on).fingerprint


def test_a_later_approval_for_the_same_day_wins(changes):
    first = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    changes += [Record("income.monitoring_line", "52", D(2026, 6, 1), 9100, "a",
                       approved_at=first + dt.timedelta(days=1)),
                Record("income.monitoring_line", "52", D(2026, 6, 1), 9000, "b",
                       approved_at=first)]
    assert policy.resolve("52", D(2026, 6, 1))["income.monitoring_line"] == 9100


def test_the_fingerprint_changes_with_any_value_and_only_then():
    a = policy.resolve("522326", D(2026, 6, 1))
    b = policy.resolve("522326", D(2026, 7, 1))
    assert a.fingerprint == b.fingerprint
    over = [Record("screening.medical_share_other", "52", D(2026, 6, 1), 0.9, "x")]
    assert policy.resolve("522326", D(2026, 6, 1), overlay=over).fingerprint != a.fingerprint


@pytest.mark.parametrize(("raw", "message"), [
    ({"value": "9000"}, "is not a number"),
    ({"value": 999}, "below the valid range"),
    ({"value": 100001}, "above the valid range"),
    ({"value": 9000.5}, "not a whole number"),
])
def test_bad_values_name_the_parameter_and_the_rule(raw, message):
    with pytest.raises(PolicyError, match=message) as error:
        parse_record({"from": D(2026, 1, 1), "source": "x", **raw},
                     parameter="income.monitoring_line", region="52", where="test",
                     parameters=catalogue.load().parameters)
    assert "income.monitoring_line" in str(error.value)


def test_unknown_parameters_levels_and_dates_are_refused():
    params = catalogue.load().parameters
    with pytest.raises(PolicyError, match="unknown parameter"):
        parse_record({"from": D(2026, 1, 1), "value": 1, "source": "x"},
                     parameter="income.monitoring_lin", region="52", where="t",
                     parameters=params)
    with pytest.raises(PolicyError, match="down to the province level"):
        parse_record({"from": D(2026, 1, 1), "value": 20, "source": "x"},
                     parameter="procedure.identification_sla_days", region="522326",
                     where="t", parameters=params)
    with pytest.raises(PolicyError, match="ends"):
        parse_record({"from": D(2026, 1, 1), "until": D(2025, 1, 1), "value": 9000,
                      "source": "x"}, parameter="income.monitoring_line", region="52",
                     where="t", parameters=params)


def test_overlapping_values_in_one_region_are_refused():
    r = Record("income.monitoring_line", "52", D(2026, 1, 1), 9000, "x")
    with pytest.raises(PolicyError, match="two values"):
        catalogue.check_no_overlap([r, Record("income.monitoring_line", "52", D(2026, 1, 1),
                                              9100, "y")])


def test_every_parameter_is_declared_fully_with_a_national_value_and_a_source():
    cat = catalogue.load()
    for name, spec in cat.parameters.items():
        assert spec.title_zh and spec.meaning and spec.unit, name
        national = [r for r in cat.records if r.parameter == name and not r.region]
        assert national and all(r.source for r in national), name


def test_timeline_and_months_follow_the_dated_values(changes):
    changes.append(Record("income.monitoring_line", "52", D(2026, 6, 1), 9100, "doc"))
    by_month = policy.value_by_month("income.monitoring_line", "522326",
                                     ["2026-05", "2026-06", "2026-07"])
    assert by_month == {"2026-05": 8700, "2026-06": 9100, "2026-07": 9100}
