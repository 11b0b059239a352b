"""Possible duplicate persons in a registry (no Django): pairs a person decides on.

Two members are a possible duplicate when

- they carry the same ID number (compared by token, so the engine never sees the number):
  score 100, reason ``id``;
- or they live in the same village, were born on the same day and their names are similar
  (rapidfuzz ratio ≥ ``name_similarity_min``): score = the similarity, reason ``name``.

Members of one household with the same ID are duplicates too (a row entered twice). Pairs are
ordered (``member_a`` < ``member_b``) and each pair appears once, with its best reason.

>>> import polars as pl, datetime as dt
>>> m = pl.DataFrame({"member_id": ["a-01", "b-01", "c-01"], "household_code": ["a", "b", "c"],
...     "village_code": ["v"] * 3, "name": ["王小明", "王晓明", "李四"],
...     "birth_date": [dt.date(1980, 1, 1)] * 3, "id_token": ["t1", "t2", "t3"]})
>>> find(m, name_similarity_min=60).select("member_a", "member_b", "reason").rows()
[('a-01', 'b-01', 'name')]
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz

from dixian.engine.policy import resolve

COLUMNS = ("member_id", "household_code", "village_code", "name", "birth_date", "id_token")
SCHEMA = {"member_a": pl.String, "member_b": pl.String, "household_a": pl.String,
          "household_b": pl.String, "reason": pl.String, "score": pl.Float64}


def find(members: pl.DataFrame, *, name_similarity_min: float | None = None) -> pl.DataFrame:
    """The possible duplicate pairs among ``members`` (columns :data:`COLUMNS`)."""
    threshold = resolve(None)["duplicates.name_similarity_min"] \
        if name_similarity_min is None else name_similarity_min
    m = members.select(COLUMNS)
    pairs = []
    by_id = m.filter(pl.col("id_token").is_not_null() & (pl.col("id_token") != ""))
    same_id = by_id.join(by_id, on="id_token", suffix="_b").filter(
        pl.col("member_id") < pl.col("member_id_b"))
    for a, b, ha, hb in same_id.select("member_id", "member_id_b", "household_code",
                                       "household_code_b").iter_rows():
        pairs.append((a, b, ha, hb, "id", 100.0))
    dated = m.filter(pl.col("birth_date").is_not_null() & pl.col("name").is_not_null())
    same_day = dated.join(dated, on=["village_code", "birth_date"], suffix="_b").filter(
        pl.col("member_id") < pl.col("member_id_b"))
    for a, b, ha, hb, na, nb in same_day.select("member_id", "member_id_b", "household_code",
                                                "household_code_b", "name",
                                                "name_b").iter_rows():
        score = round(fuzz.ratio(na, nb), 1)
        if score >= threshold:
            pairs.append((a, b, ha, hb, "name", score))
    frame = pl.DataFrame(pairs, schema=SCHEMA, orient="row")
    # one row a pair, the best reason first (an ID match outranks a name match)
    return frame.sort(["member_a", "member_b", "score"], descending=[False, False, True]) \
        .unique(["member_a", "member_b"], keep="first", maintain_order=True) \
        .sort(["score", "member_a"], descending=[True, False])
