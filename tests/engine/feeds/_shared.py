"""One small synthetic county with its departmental feeds, shared by the feeds and screening
tests (generated once per session under pytest's tmp_path_factory)."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pyarrow.parquet as pq

_CACHE: dict[str, SimpleNamespace] = {}
SCOPE = "522326"


def tokenize(s: str) -> str:
    """Stands in for the registry's keyed HMAC (the engine is never given a key)."""
    return hashlib.blake2b(s.encode(), key=b"test-key", digest_size=12).hexdigest()


def dataset(tmp_path_factory) -> SimpleNamespace:
    if "d" not in _CACHE:
        from dixian.engine.feeds import add_tokens
        from dixian.engine.feeds.load import load_dir
        from dixian.engine.feeds.synthetic import derive_feeds
        from dixian.engine.synth import generate

        root = tmp_path_factory.mktemp("screening-data")
        synth, feeds = root / "synth", root / "feeds"
        generate(SCOPE, households=600, seed=11, months=24, out_dir=synth)
        summary = derive_feeds(synth, feeds, seed=11)
        members = add_tokens(pq.read_table(synth / "members.parquet"), tokenize)
        loaded = load_dir(feeds, tokenize=tokenize, members=members)
        snap = {n: pq.read_table(synth / f"{n}.parquet")
                for n in ("households", "members", "incomes")}
        _CACHE["d"] = SimpleNamespace(synth=synth, feeds=feeds, summary=summary,
                                      members=members, loaded=loaded, snapshot=snap)
    return _CACHE["d"]
