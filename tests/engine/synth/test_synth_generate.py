"""The synthetic generator: determinism, schemas, IDs, planted errors, panel and shocks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from dixian.engine import identity, schema
from dixian.engine.synth import TABLES, generate

COUNTY = "522326"  # 望谟县
N = 1500
SEED = 7
RATE = 0.03


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    out = tmp_path_factory.mktemp("dirty")
    s = generate(COUNTY, households=N, seed=SEED, out_dir=out, error_rate=RATE)
    return s


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    return generate(COUNTY, households=N, seed=SEED, out_dir=out, clean=True)


def read(summary, name) -> pl.DataFrame:
    return pl.read_parquet(f"{summary.out_dir}/{name}.parquet")


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate(COUNTY, households=300, seed=3, out_dir=tmp_path / "a")
    b = generate(COUNTY, households=300, seed=3, out_dir=tmp_path / "b")
    generate(COUNTY, households=300, seed=4, out_dir=tmp_path / "c")
    for name in TABLES:
        assert digest(tmp_path / "a" / f"{name}.parquet") == \
            digest(tmp_path / "b" / f"{name}.parquet"), name
    assert (tmp_path / "a" / "summary.json").read_text() == \
        (tmp_path / "b" / "summary.json").read_text()
    assert digest(tmp_path / "a" / "members.parquet") != digest(tmp_path / "c" / "members.parquet")
    assert a.households == b.households == 300


def test_chunking_keeps_codes_unique(tmp_path):
    s = generate(COUNTY, households=2000, seed=1, out_dir=tmp_path, chunk_households=500)
    assert s.chunks > 1
    hh = read(s, "households")
    mem = read(s, "truth_members")
    assert hh["household_code"].n_unique() == hh.height == 2000
    assert mem["member_id"].n_unique() == mem.height
    assert mem["resident_id"].n_unique() == mem.height


def test_files_conform_to_the_schemas(dirty):
    for name in TABLES:
        table = pq.read_table(f"{dirty.out_dir}/{name}.parquet")
        assert table.schema.names == schema.ALL_SCHEMAS[name].names, name
        assert schema.validate(table, name) == [], name
    summary = json.loads((Path(dirty.out_dir) / "summary.json").read_text(encoding="utf-8"))
    assert summary["households"] == N
    assert summary["scope_name"] == "望谟县"


def test_codes_are_real_and_nested(dirty):
    hh = read(dirty, "households")
    assert (hh["county_code"] == COUNTY).all()
    assert hh["village_code"].str.slice(0, 9).equals(hh["township_code"], check_names=False)
    assert hh["household_code"].str.slice(0, 12).equals(hh["village_code"], check_names=False)
    from dixian.engine import divisions
    known = set(divisions.load(COUNTY, levels=(5,))["code"].to_pylist())
    assert set(hh["village_code"].unique().to_list()) <= known
    # village sizes vary
    sizes = hh.group_by("village_code").len()["len"]
    assert sizes.std() / sizes.mean() > 0.2


def test_panel_has_at_least_36_months(dirty):
    inc = read(dirty, "incomes")
    truth = read(dirty, "truth_incomes")
    assert inc["period"].n_unique() >= 36
    assert truth["period"].n_unique() == 36
    assert truth.height == N * 36
    assert truth["period"].min() == "2023-01" and truth["period"].max() == "2025-12"
    # the registry misses some months and records noisy values
    assert inc.height < truth.height


def test_clean_copy_ids_are_valid_and_consistent(clean):
    mem = read(clean, "members")
    ids = mem["resident_id"]
    assert identity.is_valid_array(ids.to_arrow()).all()
    assert ids.n_unique() == mem.height
    assert ids.str.slice(0, 6).is_in(["522326"]).mean() > 0.8
    births = identity.birth_dates(ids.to_arrow())
    assert (births == mem["birth_date"].to_numpy().astype("datetime64[D]")).all()
    assert (identity.sexes(ids.to_arrow()) == mem["sex"].to_numpy()).all()
    assert read(clean, "planted_errors").height == 0


def test_clean_copy_passes_basic_logic_rules(clean):
    mem = read(clean, "members").filter(pl.col("member_status") == "active")
    age = (np.datetime64("2025-12-31") - mem["birth_date"].to_numpy().astype("datetime64[D]")
           ).astype(int) / 365.25
    under16 = age < 15.99
    assert (mem["labour_skill"].to_numpy()[under16] == "none").all()
    sex_of = {"son": "M", "daughter": "F", "daughter_in_law": "F", "grandson": "M",
              "granddaughter": "F", "father": "M", "mother": "F"}
    for rel, sex in sex_of.items():
        assert (mem.filter(pl.col("relation_to_head") == rel)["sex"] == sex).all(), rel
    phones = mem["phone"].drop_nulls()
    assert phones.str.contains(r"^1[3-9]\d{9}$").all()
    assert phones.n_unique() == phones.len()
    assert not (mem["med_ins_resident"] & mem["med_ins_employee"]).any()
    working = mem["work_status"].is_in(["local_employed", "migrant_in_province",
                                        "migrant_out_of_province"])
    assert (mem.filter(working)["migrant_monthly_income"] >= 400).all()
    hh = read(clean, "households")
    assert (hh["cultivated_mu"] <= 100).all() and (hh["forest_mu"] <= 200).all()
    assert (hh["main_road_distance_km"] <= 5).all()
    assert (hh["dangerous_house"] == hh["housing_grade"].is_in(["C", "D"])).all()


def test_planted_errors_at_the_requested_rate(dirty, clean):
    errs = read(dirty, "planted_errors")
    mem_rows = read(dirty, "members").height
    hh_rows = read(dirty, "households").height
    rec = errs.filter(pl.col("table") != "incomes").select("household_code", "member_id",
                                                           "field").unique().height
    rate = rec / (mem_rows + hh_rows)
    assert 0.7 * RATE < rate < 1.2 * RATE
    kinds = set(errs["kind"].unique().to_list())
    assert {"id_checksum", "id_length", "id_birth_mismatch", "relation_sex",
            "missing_required", "labour_healthy_adult", "income_implausible"} <= kinds
    assert kinds <= set(schema.ENUMS["error_kind"])


def test_planted_cells_are_the_only_differences(dirty, clean):
    errs = read(dirty, "planted_errors").filter(pl.col("table") == "members")
    d = read(dirty, "members")
    c = read(clean, "members")
    assert d["member_id"].equals(c["member_id"])
    planted = {(m, f) for m, f in errs.select("member_id", "field").iter_rows()}
    diff = set()
    for col in d.columns:
        if col == "member_id":
            continue
        neq = ~(d[col].eq_missing(c[col]))
        for m in d["member_id"].filter(neq).to_list():
            diff.add((m, col))
    # every difference is planted, and every planted cell differs
    planted_cells = {(m, f) for m, f in planted if f in d.columns}
    assert diff == planted_cells


def test_planted_id_errors_are_detectable(dirty):
    errs = read(dirty, "planted_errors")
    mem = read(dirty, "members")
    joined = errs.filter(pl.col("field") == "resident_id").join(mem, on="member_id")
    status = identity.id_status(joined["resident_id"].to_arrow())
    expect = {"id_checksum": "bad_checksum", "id_length": "bad_length", "id_no_id": "no_id"}
    for kind, want in expect.items():
        rows = (joined["kind"] == kind).to_numpy()
        if rows.any():
            assert (status[rows] == want).all(), kind
    dup = errs.filter(pl.col("kind") == "id_duplicate")["planted_value"]
    assert dup.is_in(mem["resident_id"].implode()).all()


def test_shocks_move_incomes(clean):
    shocks = read(clean, "truth_shocks")
    inc = read(clean, "truth_incomes")
    assert set(shocks["shock_type"].unique()) >= {"serious_illness", "job_loss", "death",
                                                   "birth", "school_costs"}
    # medical spending shows up as compliant out-of-pocket spending from the shock month
    ill = shocks.filter(pl.col("shock_type") == "serious_illness")
    oop = inc.join(ill.select("household_code", "month"), left_on=["household_code", "period"],
                   right_on=["household_code", "month"])
    assert (oop["compliant_oop_medical"] > 0).mean() > 0.9
    # a migrant who loses the job takes wages out of the household
    jobs = shocks.filter((pl.col("shock_type") == "job_loss") & (pl.col("income_loss") > 0))
    assert jobs.height > 0
    assert (shocks.filter(pl.col("shock_type") == "job_loss")["income_loss"] > 0).mean() > 0.8
    periods = sorted(inc["period"].unique().to_list())
    idx = {p: i for i, p in enumerate(periods)}
    wage = {(h, p): w for h, p, w in inc.select("household_code", "period", "wage").iter_rows()}
    before, during = 0.0, 0.0
    for h, m in jobs.select("household_code", "month").iter_rows():
        i = idx[m]
        if 1 <= i < len(periods) - 1 and m[5:] not in ("01", "02", "03", "12"):
            before += wage[(h, periods[i - 1])]
            during += wage[(h, periods[i + 1])]
    assert during < 0.9 * before
    # the registry learns of some events, late
    known = shocks.filter(pl.col("registry_known"))
    assert 0.2 < known.height / shocks.height < 0.95
    assert (known["registry_month"] >= known["month"]).all()


def test_monitoring_fields(dirty):
    hh = read(dirty, "households")
    mon = hh.filter(pl.col("monitoring_category").is_not_null())
    assert mon.height > 0
    assert mon["identified_month"].is_not_null().all()
    assert mon["risk_types"].list.len().min() >= 1 and mon["risk_types"].list.len().max() <= 5
    elim = mon.filter(pl.col("risk_eliminated"))
    assert (elim["eliminated_month"] > elim["identified_month"]).all()
    never = hh.filter(pl.col("monitoring_category").is_null())
    assert never["risk_types"].is_null().all()
    years = read(dirty, "truth_household_years")
    assert set(years["year"].unique().to_list()) >= {2021, 2022, 2023, 2024, 2025}


def test_household_and_income_differences_are_planted(dirty, clean):
    errs = read(dirty, "planted_errors")
    d, c = read(dirty, "households"), read(clean, "households")
    diff = set()
    for col in d.columns:
        neq = ~(d[col].eq_missing(c[col]))
        diff |= {(h, col) for h in d["household_code"].filter(neq).to_list()}
    planted = {(h, f) for h, f in errs.filter(pl.col("table") == "households")
               .select("household_code", "field").iter_rows()}
    assert diff == planted
    di, ci = read(dirty, "incomes"), read(clean, "incomes")
    assert di.select("household_code", "period").equals(ci.select("household_code", "period"))
    cells = set()
    for col in ("wage", "business", "transfer"):
        neq = di[col] != ci[col]
        cells |= {(h, p, col) for h, p in di.filter(neq).select("household_code", "period")
                  .iter_rows()}
    inc_errs = errs.filter(pl.col("table") == "incomes")
    zeroed = set(inc_errs.filter(pl.col("kind") == "dibao_no_transfer")["household_code"])
    expected = {(h, p, f) for h, p, f in inc_errs.filter(pl.col("period").is_not_null())
                .select("household_code", "period", "field").iter_rows()}
    assert expected <= cells
    assert {x for x in cells - expected if x[2] != "transfer" or x[0] not in zeroed} == set()
