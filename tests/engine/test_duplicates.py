"""Possible duplicates (engine): the same ID token, or same village, birth date and a name at
least as similar as the threshold."""

import datetime as dt

import polars as pl
from rapidfuzz import fuzz

from dixian.engine import duplicates
from dixian.engine.policy import resolve

DAY = dt.date(1980, 5, 1)


def _members(*rows):
    return pl.DataFrame(rows, schema={"member_id": pl.String, "household_code": pl.String,
                                      "village_code": pl.String, "name": pl.String,
                                      "birth_date": pl.Date, "id_token": pl.String},
                        orient="row")


def test_the_same_id_token_is_a_pair_with_score_100_whatever_the_names():
    found = duplicates.find(_members(("a-01", "a", "v1", "王一", DAY, "t"),
                                     ("b-01", "b", "v2", "李二", None, "t")))
    assert found.select("member_a", "member_b", "reason", "score").rows() == [
        ("a-01", "b-01", "id", 100.0)]


def test_a_name_match_fires_at_the_threshold_and_not_one_below():
    threshold = resolve(None)["duplicates.name_similarity_min"]
    a, b = "王小明", "王晓明"  # one character of three differs: 66.7
    score = fuzz.ratio(a, b)
    members = _members(("a-01", "a", "v", a, DAY, "t1"), ("b-01", "b", "v", b, DAY, "t2"))
    assert duplicates.find(members, name_similarity_min=score).height == 1
    assert duplicates.find(members, name_similarity_min=score + 0.1).height == 0
    assert score >= threshold  # the default shows this pair to a person
    two = _members(("a-01", "a", "v", "王明", DAY, "t1"), ("b-01", "b", "v", "王亮", DAY, "t2"))
    assert duplicates.find(two).height == 0  # 50: one of two characters differs


def test_other_village_or_birth_date_is_no_name_match():
    found = duplicates.find(_members(("a-01", "a", "v1", "王小明", DAY, None),
                                     ("b-01", "b", "v2", "王小明", DAY, None),
                                     ("c-01", "c", "v1", "王小明", DAY.replace(day=2), None)))
    assert found.is_empty()


def test_each_pair_once_with_its_best_reason():
    found = duplicates.find(_members(("a-01", "a", "v", "王小明", DAY, "t"),
                                     ("a-02", "a", "v", "王小明", DAY, "t")))
    assert found.select("reason", "score").rows() == [("id", 100.0)]
