"""The upload store: atomic writes, the same bytes stored once, a clear error on a full disk."""

import errno
import os

import pytest
from django.core.files.base import ContentFile

from dixian.core.storage import SafeFileStorage, StoreError


@pytest.fixture
def store(tmp_path):
    return SafeFileStorage(location=tmp_path)


def test_the_same_bytes_under_the_same_name_are_stored_once(store, tmp_path):
    first = store.save("feeds/abc-file.csv", ContentFile(b"a,b\n1,2\n"))
    again = store.save("feeds/abc-file.csv", ContentFile(b"a,b\n1,2\n"))
    assert first == again == "feeds/abc-file.csv"
    assert sorted(p.name for p in (tmp_path / "feeds").iterdir()) == ["abc-file.csv"]


def test_other_bytes_under_a_taken_name_get_a_new_name(store):
    first = store.save("feeds/abc-file.csv", ContentFile(b"one"))
    second = store.save("feeds/abc-file.csv", ContentFile(b"two"))
    assert first != second
    assert store.open(first).read() == b"one" and store.open(second).read() == b"two"


def test_a_full_disk_leaves_nothing_and_says_so(store, tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(StoreError, match="the disk is full.*Nothing was recorded"):
        store.save("feeds/abc-file.csv", ContentFile(b"x" * 10_000))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_failed_upload_removes_the_files_it_stored_and_keeps_older_ones(store, tmp_path):
    from dixian.core.storage import all_or_nothing

    kept = store.save("feeds/old.csv", ContentFile(b"stored before"))
    with pytest.raises(StoreError), all_or_nothing():
        store.save("feeds/old.csv", ContentFile(b"stored before"))  # reused, not created
        store.save("feeds/new-original.csv", ContentFile(b"the original"))
        raise StoreError(errno.ENOSPC, "the Parquet batch did not fit")
    assert sorted(p.name for p in (tmp_path / "feeds").iterdir()) == [kept.split("/")[-1]]
