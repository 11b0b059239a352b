"""draw_sample: sizes and strata, village priority, determinism, probabilities and weights."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dixian.engine.evaluation import (
    DEFAULT_ALLOCATION,
    HOUSEHOLD_STRATA,
    VillagePriority,
    draw_sample,
)

from ._population import COUNTY, county_population


@pytest.fixture(scope="module")
def population():
    households, _ = county_population()
    return households


@pytest.fixture(scope="module")
def sample(population):
    return draw_sample(population, seed=5, as_of="2025-12")


def _codes(sample) -> list[str]:
    return sample.households["household_code"].to_pylist()


def _by(table: pa.Table, key: str, value: str) -> dict:
    return {r[key]: r[value] for r in table.to_pylist()}


# ------------------------------------------------------------------ sizes and strata
def test_sample_has_the_requested_villages_and_households(sample):
    hh = sample.households
    assert hh.num_rows == 300
    villages = set(hh["village_code"].to_pylist())
    assert len(villages) == 10
    selected = {r["village_code"] for r in sample.villages.to_pylist() if r["selected"]}
    assert villages == selected
    assert len(set(_codes(sample))) == 300


def test_each_household_stratum_gets_its_share_when_the_villages_have_enough(sample):
    # every stratum has more households in the selected villages than its share (the fixture
    # county is built so), so the shares are exact: 300 x (.35, .2, .2, .15, .1)
    expected = {s: round(300 * DEFAULT_ALLOCATION[s]) for s in HOUSEHOLD_STRATA}
    assert expected == {"monitored": 105, "eliminated_recent": 60, "alleviated": 60,
                        "near_line": 45, "other": 30}
    counts = _by(sample.strata, "household_stratum", "sampled")
    assert counts == expected
    got = pc.value_counts(sample.households["household_stratum"]).to_pylist()
    assert {d["values"]: d["counts"] for d in got} == expected


def test_household_strata_follow_the_registry_fields(population, sample):
    by_code = {r["household_code"]: r for r in population.to_pylist()}
    for row in sample.households.to_pylist():
        src = by_code[row["household_code"]]
        monitored = src["monitoring_category"] is not None and not src["risk_eliminated"]
        if monitored:
            want = "monitored"
        elif src["risk_eliminated"] and "2025-01" <= src["eliminated_month"] <= "2025-12":
            want = "eliminated_recent"
        elif src["household_type"] == "poverty_alleviated":
            want = "alleviated"
        elif src["near_line"]:
            want = "near_line"
        else:
            want = "other"
        assert row["household_stratum"] == want
        assert row["monitored"] == monitored
        assert row["eliminated"] == bool(src["risk_eliminated"])


def test_priority_villages_get_seventy_percent_of_the_villages(sample):
    v = sample.villages.to_pylist()
    n_prio = sum(r["village_stratum"] == "priority" for r in v)
    n_other = len(v) - n_prio
    assert n_prio >= 7 and n_other >= 3
    chosen = [r for r in v if r["selected"]]
    assert sum(r["village_stratum"] == "priority" for r in chosen) == 7
    for r in v:
        m = 7 if r["village_stratum"] == "priority" else 3
        big_m = n_prio if r["village_stratum"] == "priority" else n_other
        assert r["village_probability"] == pytest.approx(m / big_m)
        assert bool(r["priority_reasons"]) == (r["village_stratum"] == "priority")


def _frame(villages: dict[str, dict]) -> pa.Table:
    """A county of hand-made villages: per village the counts of each kind of household."""
    rows = []
    for vcode, kinds in villages.items():
        i = 0
        for kind, count in kinds.items():
            for _ in range(count):
                rows.append({
                    "household_code": f"{vcode}{i:04d}", "county_code": vcode[:6],
                    "village_code": vcode,
                    "monitoring_category": None if kind in ("plain", "relocated") else "SUDDEN",
                    "risk_eliminated": {"monitored": False, "eliminated": True,
                                        "disaster": False}.get(kind),
                    "eliminated_month": "2025-03" if kind == "eliminated" else None,
                    "identified_month": "2025-02" if kind != "plain" else None,
                    "relocated": kind == "relocated",
                    "risk_types": ["DISASTER"] if kind == "disaster" else
                                  (["ILLNESS"] if kind in ("monitored", "eliminated") else None),
                })
                i += 1
    return pa.Table.from_pylist(rows, schema=pa.schema([
        ("household_code", pa.string()), ("county_code", pa.string()),
        ("village_code", pa.string()), ("monitoring_category", pa.string()),
        ("risk_eliminated", pa.bool_()), ("eliminated_month", pa.string()),
        ("identified_month", pa.string()), ("relocated", pa.bool_()),
        ("risk_types", pa.list_(pa.string())),
    ]))


def test_priority_rules_flags_relocation_disaster_and_top_counts():
    v = [f"522326101{k:03d}" for k in range(1, 11)]
    frame = _frame({
        v[0]: {"plain": 30, "monitored": 9},      # top monitored (10 villages, top 20 % = 2)
        v[1]: {"plain": 30, "monitored": 7},      # top monitored
        v[2]: {"plain": 30, "monitored": 2},
        v[3]: {"plain": 30, "eliminated": 5},     # top eliminated (the only one with any)
        v[4]: {"plain": 20, "relocated": 12},     # relocation site at a minimum of 10
        v[5]: {"plain": 30, "disaster": 1},       # disaster-hit
        v[6]: {"plain": 30},                      # flagged 脱贫村 in the villages table
        v[7]: {"plain": 30}, v[8]: {"plain": 30}, v[9]: {"plain": 30, "relocated": 9},
    })
    villages = pa.table({"village_code": [v[6], v[7]], "poverty_village": [True, False]})
    s = draw_sample(frame, villages=villages, villages_per_county=6, households_per_county=60,
                    priority=VillagePriority(relocated_households_min=10), seed=3)
    reasons = {r["village_code"]: r["priority_reasons"] for r in s.villages.to_pylist()}
    assert reasons[v[0]] == ["top_monitored"]
    assert reasons[v[1]] == ["top_monitored"]
    assert reasons[v[2]] == []
    assert reasons[v[3]] == ["top_eliminated_recent"]
    assert reasons[v[4]] == ["relocation_site"]
    # its one monitored household is below the cut of the top two (9 and 7)
    assert reasons[v[5]] == ["disaster_hit"]
    assert reasons[v[6]] == ["poverty_village"]
    assert reasons[v[7]] == reasons[v[8]] == reasons[v[9]] == []
    prio = {r["village_code"] for r in s.villages.to_pylist() if r["village_stratum"] == "priority"}
    assert prio == {v[0], v[1], v[3], v[4], v[5], v[6]}
    # 6 villages, 70 % priority = 4 of the 6 priority villages, 2 of the 4 others
    chosen = [r for r in s.villages.to_pylist() if r["selected"]]
    assert sum(r["village_stratum"] == "priority" for r in chosen) == 4
    assert len(chosen) == 6


def test_a_county_with_fewer_villages_than_asked_takes_them_all():
    frame = _frame({f"522326101{k:03d}": {"plain": 20, "monitored": k} for k in range(1, 6)})
    s = draw_sample(frame, villages_per_county=10, households_per_county=50, seed=1)
    assert all(r["selected"] and r["village_probability"] == 1.0
               for r in s.villages.to_pylist())
    # 5 villages, top 20 % by monitored households = 1 priority village; the quota of 4
    # (70 % of 5, rounded) cannot be met, the rest goes to the other stratum
    assert sum(r["village_stratum"] == "priority" for r in s.villages.to_pylist()) == 1


# ------------------------------------------------------------------ determinism
def test_the_same_seed_gives_the_same_sample_whatever_the_row_order(population, sample):
    again = draw_sample(population, seed=5, as_of="2025-12")
    assert again.households.equals(sample.households)
    perm = np.random.default_rng(0).permutation(population.num_rows)
    shuffled = draw_sample(population.take(pa.array(perm)), seed=5, as_of="2025-12")
    assert shuffled.households.equals(sample.households)
    other = draw_sample(population, seed=6, as_of="2025-12")
    assert set(_codes(other)) != set(_codes(sample))


def test_adding_a_county_does_not_change_another_countys_sample(population, sample):
    neighbour, _ = county_population(seed=99, n_villages=12, county="522327")
    both = pa.concat_tables([neighbour, population])
    s = draw_sample(both, seed=5, as_of="2025-12")
    mine = s.households.filter(pc.equal(s.households["county_code"], COUNTY))
    assert mine.equals(sample.households)
    assert set(s.households["county_code"].to_pylist()) == {COUNTY, "522327"}


# ------------------------------------------------------------------ probabilities and weights
def test_weights_add_up_to_each_stratum_population(population, sample):
    pops = {s: 0 for s in HOUSEHOLD_STRATA}
    for row in sample.strata.to_pylist():
        pops[row["household_stratum"]] = row["population"]
        assert row["covered"]
    assert sum(pops.values()) == population.num_rows
    hh = sample.households
    for s in HOUSEHOLD_STRATA:
        w = hh.filter(pc.equal(hh["household_stratum"], s))["weight"].to_numpy()
        assert w.sum() == pytest.approx(pops[s], rel=1e-12)


def test_probabilities_are_the_product_of_the_two_stages(sample):
    for r in sample.households.to_pylist():
        assert 0 < r["household_probability"] <= 1
        assert r["inclusion_probability"] == pytest.approx(
            r["village_probability"] * r["household_probability"])
        assert r["base_weight"] == pytest.approx(1 / r["inclusion_probability"])
    # within a village x stratum cell, P(household | village) = n / N
    hh = sample.households.to_pylist()
    cells: dict = {}
    for r in hh:
        cells.setdefault((r["village_code"], r["household_stratum"]), []).append(r)
    pop = {}
    for r in _population_rows():
        key = (r["village_code"], r["stratum"])
        pop[key] = pop.get(key, 0) + 1
    for key, rows in cells.items():
        assert rows[0]["household_probability"] == pytest.approx(len(rows) / pop[key])


def _population_rows():
    households, _ = county_population()
    out = []
    for r in households.to_pylist():
        if r["monitoring_category"] is not None and not r["risk_eliminated"]:
            s = "monitored"
        elif r["risk_eliminated"]:
            s = "eliminated_recent"  # every elimination of the fixture is in 2025
        elif r["household_type"] == "poverty_alleviated":
            s = "alleviated"
        elif r["near_line"]:
            s = "near_line"
        else:
            s = "other"
        out.append({"village_code": r["village_code"], "stratum": s})
    return out


def test_base_weights_estimate_the_stratum_counts_without_bias(population, sample):
    # Horvitz-Thompson: over repeated draws the base weights of a stratum average to its
    # population (the post-stratified weights equal it in every draw)
    pops = _by(sample.strata, "household_stratum", "population")
    sums = {s: [] for s in HOUSEHOLD_STRATA}
    for rep in range(300):
        s = draw_sample(population, seed=10_000 + rep, as_of="2025-12")
        for row in s.strata.to_pylist():
            sums[row["household_stratum"]].append(row["base_weight_sum"])
    for s in HOUSEHOLD_STRATA:
        mean, sd = np.mean(sums[s]), np.std(sums[s])
        assert abs(mean - pops[s]) < 3 * sd / np.sqrt(300) + 1e-9, s


# ------------------------------------------------------------------ allocation variants
def test_a_short_stratum_takes_all_and_passes_the_rest_on():
    frame = _frame({f"522326101{k:03d}": {"plain": 40, "monitored": 2} for k in range(1, 5)})
    s = draw_sample(frame, villages_per_county=4, households_per_county=60, seed=2)
    got = _by(s.strata, "household_stratum", "sampled")
    assert got["monitored"] == 8          # all 8 monitored households (share: 21)
    assert got["other"] == 52             # the other 13 go to the only other stratum
    assert s.households.num_rows == 60


def test_fixed_sampling_rates_by_stratum(population):
    rates = {"monitored": 0.1, "alleviated": 0.01, "other": 0.005}
    s = draw_sample(population, strata=rates, allocation="rates", seed=4, as_of="2025-12")
    got = _by(s.strata, "household_stratum", "sampled")
    pops = _by(s.strata, "household_stratum", "population")
    for name in HOUSEHOLD_STRATA:
        want = int(np.ceil(rates.get(name, 0) * pops[name]))
        assert got[name] == want, name
    assert got["eliminated_recent"] == got["near_line"] == 0


def test_a_stratum_absent_from_the_selected_villages_is_reported():
    frame = _frame({
        **{f"522326101{k:03d}": {"plain": 30} for k in range(1, 9)},
        "522326101009": {"plain": 30, "eliminated": 1},   # the only elimination
    })
    prio = VillagePriority(ranked=(), share_of_sample=0.0)   # no priority villages
    for seed in range(40):
        s = draw_sample(frame, villages_per_county=3, households_per_county=30,
                        priority=prio, seed=seed)
        chosen = {r["village_code"] for r in s.villages.to_pylist() if r["selected"]}
        if "522326101009" not in chosen:
            break
    covered = _by(s.strata, "household_stratum", "covered")
    assert covered["eliminated_recent"] is False
    assert any("eliminated_recent" in note and "not represented" in note for note in s.notes)


def test_near_line_from_income_and_line():
    frame = _frame({"522326101001": {"plain": 10}, "522326101002": {"plain": 10}})
    pcni = pa.array([5000.0 + 1000 * (i % 10) for i in range(20)])
    s = draw_sample(frame.append_column("pcni", pcni), line=6000, villages_per_county=2,
                    households_per_county=20, seed=1)
    # pcni < 1.5 x 6000 = 9000: 5000..8000, four of every ten
    assert _by(s.strata, "household_stratum", "population")["near_line"] == 8


@pytest.mark.parametrize("kwargs, message", [
    ({"strata": {"monitored": 0.5, "other": 0.4}}, "add up to 0.9"),
    ({"strata": {"monitored": 0.5, "poor": 0.5}}, "unknown stratum"),
    ({"allocation": "quota"}, "allocation must be"),
    ({"as_of": "2025-13"}, "as_of"),
])
def test_bad_arguments_are_refused(population, kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw_sample(population, seed=1, **kwargs)


def test_missing_columns_and_duplicate_codes_are_refused(population):
    with pytest.raises(ValueError, match="missing column"):
        draw_sample(population.drop_columns(["village_code"]), seed=1)
    doubled = pa.concat_tables([population, population.slice(0, 1)])
    with pytest.raises(ValueError, match="unique"):
        draw_sample(doubled, seed=1)


# ------------------------------------------------------------------ on the registry contract
def test_a_synthetic_registry_snapshot_is_sampled(tmp_path):
    import pyarrow.parquet as pq

    from dixian.engine import schema
    from dixian.engine.synth import generate

    generate("522326", households=3000, seed=11, out_dir=tmp_path)
    households = pq.read_table(tmp_path / "households.parquet")
    assert schema.validate(households, "households") == []
    s = draw_sample(households, households_per_county=120, seed=1)
    assert s.households.num_rows == 120
    assert len(set(s.households["village_code"].to_pylist())) == 10
    assert s.as_of == max(pc.max(households["identified_month"]).as_py(),
                          pc.max(households["eliminated_month"]).as_py())
    for row in s.strata.to_pylist():
        if row["sampled"]:
            assert row["weight_sum"] == pytest.approx(row["population"])
    assert s.households.column_names[:len(households.column_names)] == \
        households.column_names
