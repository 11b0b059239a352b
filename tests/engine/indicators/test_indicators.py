"""The R9 indicators on hand-made ledgers whose answers can be worked out on paper."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import dixian.measures as dm
from dixian.engine.indicators import compute, households_for, per_capita_income
from dixian.engine.indicators.engine import LIST_INDICATORS, LIST_INPUTS
from dixian.engine.scope import RegionScope, ScopeRequired
from tests.engine.indicators.builders import (
    MONTHS,
    V1,
    V3,
    hh,
    incomes,
    members,
    random_ledger,
    table,
)

H1, H2, H3, H4 = (f"{V1}0001", f"{V1}0002", f"{V1}0003", f"{V3}0004")
COUNTY = RegionScope.of("522326")


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def ledger():
    """H1 identified in May 2025 (12 days after the clue), eliminated with assistance in
    August; H2 monitored since March 2024 in the registry's fields only; H3 eliminated
    naturally in January, back in June (a return, 24 days after the clue); H4 in another
    township, poverty-alleviated, never monitored, with an overdue case from July."""
    households = table([
        hh(H1, "poverty_alleviated"),
        hh(H2, monitoring_category="MARGINAL", identified_month="2024-03",
           risk_types=["DISASTER"], risk_eliminated=False),
        hh(H3),
        hh(H4, "poverty_alleviated"),
    ])
    people = table(members(H1, 3) + members(H2, 2, labour="none", dibao="rural", deceased=1)
                   + members(H3, 4) + members(H4, 1))
    income = table(incomes(H1, 1000) + incomes(H2, 700) + incomes(H3, 3000)
                   + incomes(H4, 900))
    spells = table([
        {"household_code": H1, "village_code": V1, "category": "SUDDEN",
         "risk_types": ["ILLNESS"], "started_on": d("2025-05-10"), "ended_on": d("2025-08-20"),
         "elimination_mode": "ASSISTED", "identification_case_id": 1},
        {"household_code": H3, "village_code": V1, "category": "UNSTABLE",
         "risk_types": ["EDUCATION"], "started_on": d("2024-06-01"),
         "ended_on": d("2025-01-15"), "elimination_mode": "NATURAL"},
        {"household_code": H3, "village_code": V1, "category": "UNSTABLE",
         "risk_types": ["EDUCATION", "ILLNESS"], "started_on": d("2025-06-03"),
         "is_return": True, "identification_case_id": 2},
    ])
    cases = table([
        {"case_id": 1, "household_code": H1, "village_code": V1, "kind": "identification",
         "state": "monitored", "opened_at": ts("2025-05-01 09:00"),
         "deadline": ts("2025-05-16 09:00"), "decided_at": ts("2025-05-10 16:00"),
         "closed_at": ts("2025-05-11 10:00")},
        {"case_id": 2, "household_code": H3, "village_code": V1, "kind": "identification",
         "state": "monitored", "opened_at": ts("2025-05-10 09:00"),
         "deadline": ts("2025-05-25 09:00"), "decided_at": ts("2025-06-03 11:00"),
         "closed_at": ts("2025-06-03 12:00")},
        {"case_id": 3, "household_code": H4, "village_code": V3, "kind": "identification",
         "state": "visit", "opened_at": ts("2025-07-01 09:00"),
         "deadline": ts("2025-07-16 09:00")},
        {"case_id": 5, "household_code": H4, "village_code": V3, "kind": "identification",
         "state": "not_proposed", "opened_at": ts("2025-06-01 09:00"),
         "deadline": ts("2025-06-16 09:00"), "decided_at": ts("2025-06-10 09:00"),
         "closed_at": ts("2025-06-10 09:00")},  # the village declined: no county decision
        {"case_id": 4, "household_code": H2, "village_code": V1, "kind": "identification",
         "state": "monitored", "opened_at": ts("2024-03-01 00:00"),
         "deadline": ts("2024-03-16 00:00"), "decided_at": ts("2025-05-01 00:00"),
         "imported": True},
    ])
    clues = table([
        {"case_id": 1, "channel": "department_alert", "risk_type": "ILLNESS",
         "received_at": ts("2025-04-28 10:00")},
        {"case_id": 1, "channel": "cadre_visit", "risk_type": "ILLNESS",
         "received_at": ts("2025-05-01 09:00")},
        {"case_id": 2, "channel": "self_declaration", "risk_type": "EDUCATION",
         "received_at": ts("2025-05-10 09:00")},
    ])
    measures = table([
        {"measure_id": 1, "household_code": H1, "village_code": V1, "category": "INDUSTRY",
         "instrument": "INDUSTRY_SUBSIDY", "status": "implemented", "planned_on": d("2025-05-20"),
         "due_on": d("2025-06-20"), "started_on": d("2025-05-25"),
         "implemented_on": d("2025-06-01")},
        {"measure_id": 2, "household_code": H3, "village_code": V1, "category": "EMPLOYMENT",
         "instrument": "JOB_REFERRAL", "status": "planned", "planned_on": d("2025-07-01"),
         "due_on": d("2025-07-31")},
    ])
    issues = table([
        {"village_code": V1, "household_code": H2, "rule_id": "1_12_004", "severity": "error",
         "status": "fixed", "opened_at": ts("2025-06-10 03:00"),
         "resolved_at": ts("2025-08-05 03:00")},
        {"village_code": V3, "household_code": None, "rule_id": "V1", "severity": "warning",
         "status": "open", "opened_at": ts("2025-08-31 23:00")},
    ])
    visits = table([{"household_code": H2, "village_code": V1, "month": "2025-08",
                     "visited_on": d("2025-08-12")}])
    return {"households": households, "members": people, "incomes": income, "spells": spells,
            "cases": cases, "clues": clues, "measures": measures, "quality_issues": issues,
            "visits": visits}


@pytest.fixture(scope="module")
def result(ledger):
    return compute(ledger, COUNTY, as_of="2025-08", months=4)


def test_periods_levels_and_regions(result):
    assert result.periods == ("2025-05", "2025-06", "2025-07", "2025-08")
    assert result.roots == ("522326",) and result.levels == (6, 9, 12)
    regions = set(result.summary["region_code"].to_pylist())
    assert regions == {"522326", "522326101", "522326102", V1, V3}
    assert result.summary.num_rows == 5 * 4


def test_stock_by_status_month_by_month(result):
    may, june, aug = (result.row("522326", m) for m in ("2025-05", "2025-06", "2025-08"))
    assert (may["monitored_households"], may["monitored_persons"]) == (2, 5)  # H1, H2
    assert (may["eliminated_natural_households"], may["eliminated_natural_persons"]) == (1, 4)
    assert (may["identified_households"], may["identified_persons"]) == (3, 9)
    assert (june["monitored_households"], june["monitored_persons"]) == (3, 9)  # H3 is back
    assert june["eliminated_natural_households"] == 0
    assert (aug["monitored_households"], aug["monitored_persons"]) == (2, 6)
    assert (aug["eliminated_assisted_households"], aug["eliminated_assisted_persons"]) == (1, 3)
    assert aug["persons_total"] == 10 and aug["households_total"] == 4


def test_flows_and_returns(result):
    may, june, july, aug = (result.row("522326", m) for m in result.periods)
    assert (may["new_identified_households"], may["new_identified_persons"]) == (1, 3)
    assert (june["new_identified_households"], june["returns_households"],
            june["returns_persons"]) == (1, 1, 4)
    assert july["new_identified_households"] == july["new_eliminated_households"] == 0
    assert (aug["new_eliminated_households"], aug["new_eliminated_persons"]) == (1, 3)


def test_flows_by_category(result):
    rows = {(r["region_code"], r["period"], r["category"], r["event"]): (r["households"],
                                                                         r["persons"])
            for r in result.flows.to_pylist()}
    assert rows[("522326", "2025-05", "SUDDEN", "identified")] == (1, 3)
    assert rows[("522326", "2025-06", "UNSTABLE", "identified")] == (1, 4)
    assert rows[("522326", "2025-06", "UNSTABLE", "returned")] == (1, 4)
    assert rows[(V1, "2025-08", "SUDDEN", "eliminated_assisted")] == (1, 3)
    assert len([k for k in rows if k[0] == "522326"]) == 4


def test_identification_lag_from_the_first_clue_imported_cases_left_out(result):
    may, june = result.row("522326", "2025-05"), result.row("522326", "2025-06")
    # case 1: clue on 28 April, decided on 10 May: 12 days; case 4 is imported
    assert (may["ident_decisions"], may["ident_lag_median_days"], may["ident_within_sla"]) \
        == (1, 12.0, 1)
    assert (june["ident_decisions"], june["ident_lag_median_days"], june["ident_within_sla"]) \
        == (1, 24.0, 0)


def test_measure_lag_from_identification(result):
    may, june = result.row("522326", "2025-05"), result.row("522326", "2025-06")
    assert (may["measure_lag_n"], may["measure_lag_median_days"],
            may["measure_within_target"]) == (1, 10.0, 1)  # 10 May -> 20 May
    assert (june["measure_lag_n"], june["measure_lag_median_days"],
            june["measure_within_target"], june["measure_lag_pending"]) == (1, 28.0, 1, 0)
    # 28 days is within the measure deadline: 30 days after identification (domain.md §11.1
    # measure_deadline_days_after_identification, Guizhou rule 1_11_010), the one deadline
    # that R4 and the dashboard share


def test_coverage_development_industry_safety_net_visits(result):
    july, aug = result.row("522326", "2025-07"), result.row("522326", "2025-08")
    # July: H1, H2, H3 active; only H1's measure is in place (H3's is only planned)
    assert (july["monitored_households"], july["coverage_num"]) == (3, 1)
    assert (july["dev_den"], july["dev_num"]) == (2, 1)  # H2 has no one able to work
    assert (july["industry_den"], july["industry_num"]) == (4, 1)  # H1, H4 + H2, H3
    assert july["safety_net_num"] == 1  # H2's dibao
    assert (aug["visited_num"], july["visited_num"]) == (1, 0)


def test_overdue_cases_and_measures(result):
    june, july, aug = (result.row("522326", m) for m in ("2025-06", "2025-07", "2025-08"))
    assert (june["cases_overdue"], july["cases_overdue"], aug["cases_overdue"]) == (0, 1, 1)
    assert (june["measures_overdue"], july["measures_overdue"]) == (0, 1)
    assert result.row(V3, "2025-08")["cases_overdue"] == 1
    assert result.row(V1, "2025-08")["cases_overdue"] == 0


def test_quality_issues_open_at_each_months_end(result):
    counts = [result.row("522326", m)["quality_open"] for m in result.periods]
    assert counts == [0, 1, 1, 1]  # H2's issue June-July, the village issue from 31 August
    aug = result.row("522326", "2025-08")
    assert aug["quality_records"] == 4 + 11  # households + all members (deceased included)


def test_incomes_r1_means_medians_and_fgt(result):
    aug = result.row("522326", "2025-08")
    # 12 months: H1 12,000 / 3 = 4,000; H2 8,400 / 2 = 4,200; H3 36,000 / 4 = 9,000;
    # H4 10,800 / 1. Poverty-alleviated: H1 and H4.
    assert aug["pa_income_n"] == 2 and aug["pa_income_persons"] == 4
    assert aug["pa_income_mean"] == pytest.approx((12000 + 10800) / 4)
    assert aug["pa_income_median"] == pytest.approx((4000 + 10800) / 2)
    assert aug["mon_income_n"] == 2  # H2, H3 (H1 eliminated in August)
    assert aug["mon_income_mean"] == pytest.approx((8400 + 36000) / 6)
    y, w = [4000, 4200, 9000, 10800], [3, 2, 4, 1]
    assert aug["poverty_line"] == 8700
    for alpha in (0, 1, 2):
        assert aug[f"fgt{alpha}"] == pytest.approx(dm.fgt(y, 8700, alpha=alpha, weights=w))
    assert aug["poor_persons"] == 5 and aug["fgt_persons"] == 10


def test_levels_add_up_and_the_breakdown_matches(result):
    s = result.summary
    for month in result.periods:
        county = result.row("522326", month)
        towns = [result.row(c, month) for c in ("522326101", "522326102")]
        for name in ("monitored_households", "identified_persons", "coverage_num",
                     "industry_den", "quality_open", "fgt_persons", "cases_overdue"):
            assert county[name] == sum(t[name] for t in towns), name
    b = result.breakdown.filter(pc.equal(result.breakdown["region_code"], "522326"))
    for month in result.periods:
        rows = [r for r in b.to_pylist() if r["period"] == month]
        assert sum(r["households"] for r in rows) == result.row("522326", month)[
            "identified_households"]
    aug = {(r["category"], r["risk_type"], r["status"]): r["households"]
           for r in b.to_pylist() if r["period"] == "2025-08"}
    assert aug == {("SUDDEN", "ILLNESS", "ELIMINATED_ASSISTED"): 1,
                   ("MARGINAL", "DISASTER", "ACTIVE"): 1,
                   ("UNSTABLE", "EDUCATION", "ACTIVE"): 1}
    assert s.schema.field("fgt0").type == pa.float64()


def test_the_registry_fields_make_a_spell_when_the_ledger_has_none(result):
    assert any("registry's monitoring fields" in n for n in result.notes)


def test_scope_is_required_and_enforced(ledger):
    with pytest.raises(ScopeRequired):
        compute(ledger, None, as_of="2025-08")
    town = compute(ledger, RegionScope.of("522326102"), as_of="2025-08", months=1)
    assert set(town.summary["region_code"].to_pylist()) == {"522326102", V3}
    assert town.row("522326102")["households_total"] == 1
    assert town.row("522326102")["cases_overdue"] == 1
    nothing = compute(ledger, RegionScope.nothing(), as_of="2025-08", months=1)
    assert nothing.summary.num_rows == 0


def test_income_windows_are_judged_from_six_months_and_growth_is_year_on_year():
    # R1 (dixian.engine.income): a window with a month missing is annualised, not dropped
    h1, h2 = f"{V1}0001", f"{V1}0002"
    data = {
        "households": table([hh(h1, "poverty_alleviated"), hh(h2, "poverty_alleviated")]),
        "members": table(members(h1, 2) + members(h2, 1)),
        "incomes": table(incomes(h1, 1000, MONTHS[:12]) + incomes(h1, 1100, MONTHS[12:])
                         + incomes(h2, 500, skip=("2025-03",))),
    }
    r = compute(data, COUNTY, as_of="2025-12", months=13)
    dec, last_dec = r.row("522326", "2025-12"), r.row("522326", "2024-12")
    # h1: 1,100 a month for two: 6,600 each; h2: 11 months of 500, annualised: 6,000
    assert dec["pa_income_n"] == 2 and dec["pa_income_mean"] == pytest.approx(
        (13200 + 6000) / 3)
    assert last_dec["pa_income_n"] == 2
    assert last_dec["pa_income_mean"] == pytest.approx((12000 + 6000) / 3)
    assert dec["pa_income_growth"] == pytest.approx(6400 / 6000 - 1)
    assert r.row("522326", "2025-06")["pa_income_growth"] is None
    # the ledger runs on after the last income month: incomes stop, growth still computed
    later = dict(data, spells=table([{"household_code": h2, "category": "SUDDEN",
                                      "started_on": d("2026-03-02")}]))
    r = compute(later, COUNTY, as_of="2026-03", months=6)
    assert r.income_as_of == "2025-12" and r.periods[-1] == "2026-03"
    assert r.row("522326", "2025-12")["pa_income_growth"] == pytest.approx(6400 / 6000 - 1)
    assert r.row("522326", "2026-01")["pa_income_n"] == 0
    assert r.row("522326", "2026-01")["pa_income_mean"] is None
    pcni = per_capita_income(data, COUNTY, period="2025-12").to_pylist()
    assert pcni == [{"household_code": h1, "pcni": 6600.0}, {"household_code": h2,
                                                             "pcni": 6000.0}]


def test_lists_match_their_counts_on_a_random_county():
    data = random_ledger()
    r = compute(data, COUNTY, as_of="2025-12", months=3)
    counts = {
        "identified": "identified_households", "monitored": "monitored_households",
        "eliminated_assisted": "eliminated_assisted_households",
        "eliminated_natural": "eliminated_natural_households",
        "new_identified": "new_identified_households",
        "new_eliminated": "new_eliminated_households", "returns": "returns_households",
        "ident_decisions": "ident_decisions", "measure_pending": "measure_lag_pending",
        "covered": "coverage_num", "dev_covered": "dev_num",
        "industry_covered": "industry_num", "safety_net": "safety_net_num",
        "visited": "visited_num", "cases_overdue": "cases_overdue",
        "pa_income": "pa_income_n", "mon_income": "mon_income_n",
    }
    for region in ("522326", "522326102", "522326101201"):
        scope = RegionScope.of(region)
        for month in ("2025-11", "2025-12"):
            row = r.row(region, month)
            for indicator, column in counts.items():
                listed = households_for(data, scope, indicator, period=month)
                assert listed.num_rows == row[column], (region, month, indicator)
            late = households_for(data, scope, "measures_overdue", period=month)
            assert sum(late["value"].to_pylist()) == row["measures_overdue"]
            uncovered = households_for(data, scope, "uncovered", period=month).num_rows
            assert uncovered == row["monitored_households"] - row["coverage_num"]
            late = households_for(data, scope, "ident_late", period=month).num_rows
            assert late == row["ident_decisions"] - row["ident_within_sla"]
            poor = households_for(data, scope, "poor", period=month)
            assert poor.num_rows <= row["fgt_persons"]
    assert r.row("522326", "2025-12")["monitored_households"] > 10
    assert r.row("522326", "2025-12")["cases_overdue"] >= 1
    assert set(LIST_INDICATORS) >= set(counts)


def test_a_list_reads_only_its_inputs_and_is_the_same(ledger):
    """LIST_INPUTS: the tables each list reads; with the others left out it is the same list
    (the platform reads only those from its ledger, for speed)."""
    assert set(LIST_INPUTS) == set(LIST_INDICATORS)
    random = random_ledger(seed=7)
    for data, months in ((random, ("2025-12",)), (ledger, ("2025-08", "2025-12"))):
        assert all(data[name].num_rows for name in data), "every table filled"
        for indicator in LIST_INDICATORS:
            some = {name: t for name, t in data.items() if name in LIST_INPUTS[indicator]}
            for month in months:
                full = households_for(data, COUNTY, indicator, period=month)
                assert households_for(some, COUNTY, indicator, period=month).equals(full), (
                    indicator, month)


def test_a_list_narrows_by_category_risk_and_status(ledger):
    rows = households_for(ledger, COUNTY, "identified", period="2025-08",
                          category="UNSTABLE", risk_type="EDUCATION", status="ACTIVE")
    assert rows["household_code"].to_pylist() == [H3]
    with pytest.raises(ValueError):
        households_for(ledger, COUNTY, "everything", period="2025-08")


def test_vulnerability_matches_the_library_when_fitted_on_everyone():
    data = random_ledger(seed=5, n=400)
    r = compute(data, COUNTY, as_of="2025-12", months=1)
    row = r.row("522326")
    assert 0 <= row["vulnerability"] <= 1 and row["vep_persons"] > 300
    assert row["vulnerable_persons"] <= row["vep_persons"]
    sampled = compute(data, COUNTY, as_of="2025-12", months=1,
                      params={"vulnerability_fit_max": 200})
    assert sampled.row("522326")["vulnerability"] == pytest.approx(row["vulnerability"],
                                                                    abs=0.1)
    assert any("fitted on 200" in n for n in sampled.notes)


def test_an_income_list_needs_only_its_windows_incomes():
    """``list_income_months``: given only the monthly incomes of its R1 window, a list of
    households is the same list; the platform reads only those when incomes change. The
    month being entered (a few households so far) is not judged either way, and a busy
    month long before the window (rows recorded three times over) plays no part."""
    from dixian.engine.indicators import list_income_months

    data = random_ledger(seed=11)
    incomes = data["incomes"]
    entered = incomes.filter(pc.equal(incomes["period"], "2025-12")).slice(0, 20)
    old = incomes.filter(pc.equal(incomes["period"], "2024-01"))
    old = old.set_column(1, "period", pa.array(["2023-06"] * old.num_rows))
    data = {**data, "incomes": pa.concat_tables([
        incomes, entered.set_column(1, "period", pa.array(["2026-01"] * entered.num_rows)),
        old, old, old])}
    scope = COUNTY
    assert list_income_months(scope, "2025-12") == ("2025-01", "2025-12")
    for month in ("2025-06", "2025-12", "2026-01"):
        first, last = list_income_months(scope, month)
        period = data["incomes"]["period"]
        window = {**data, "incomes": data["incomes"].filter(pc.and_(
            pc.greater_equal(period, first), pc.less_equal(period, last)))}
        for indicator in ("poor", "pa_income", "mon_income"):
            full = households_for(data, scope, indicator, period=month)
            assert households_for(window, scope, indicator, period=month).equals(full), (
                indicator, month)
            assert (full.num_rows == 0) == (month == "2026-01"), (indicator, month)


def test_one_parameter_resolves_as_all_of_them():
    from dixian.engine.indicators import params as P

    for region in (None, "52", "522326", "34"):
        every = P.resolve({}, region=region)
        assert P.resolve_one("income_window_months", region=region) == every[
            "income_window_months"]
    assert P.resolve_one("income_window_months", {"income_window_months": 6},
                         region="52") == 6
