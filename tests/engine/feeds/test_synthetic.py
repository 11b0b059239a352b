"""Feeds derived from the synthetic truth: files per month, noise, validation, matching."""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq

from dixian.engine.feeds import FEEDS


def test_one_file_per_department_and_month(data):
    for dept in FEEDS:
        files = sorted((data.feeds / dept).glob(f"{dept}_*"))
        assert len(files) == 24, dept


def test_planted_bad_files_are_rejected_and_only_they(data):
    rejected = data.loaded.rejected_files
    assert len(rejected) == data.summary["bad_files"]
    for rep in data.loaded.reports:
        if not rep.ok:
            assert {p.rule for p in rep.errors} == {"type_date"}
            assert [p.value for p in rep.errors] == ["2025-02-30"]


def test_noise_shows_up_in_the_reports(data):
    rules = [p.rule for r in data.loaded.reports for p in r.problems]
    assert rules.count("late") > 0 and rules.count("duplicate_record") > 0


def test_matched_records_point_to_the_right_person(data):
    truth = pq.read_table(data.synth / "truth_members.parquet")
    true_id = dict(zip(truth["member_id"].to_pylist(), truth["resident_id"].to_pylist(),
                       strict=True))
    for dept, t in data.loaded.tables.items():
        m = t.filter(pc.equal(t["match_status"], "matched"))
        for mid, rid in zip(m["member_id"].to_pylist(), m["resident_id"].to_pylist(),
                            strict=True):
            assert true_id[mid] == rid, dept
        # unknown IDs are kept and reported, never dropped
        rep = data.loaded.matches[dept]
        assert rep.records == t.num_rows
    assert sum(r.records - r.matched for r in data.loaded.matches.values()
               if r.department != "water") >= 1
