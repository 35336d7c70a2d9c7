"""Tests for sources/store/rawstore.py: content-addressed, immutable, with a manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sources.store.rawstore import RawStore, sha256_file


def test_keep_copies_bytes_under_their_hash_and_records_the_origin(tmp_path):
    source = tmp_path / "in" / "Databasfil_2022.txt"
    source.parent.mkdir()
    data = "Region;Brott\nSödermalm;3 kap.;\n".encode("latin-1")
    source.write_bytes(data)
    store = RawStore(tmp_path / "raw")
    when = dt.datetime(2024, 2, 1, 9, 30, tzinfo=dt.UTC)

    kept = store.keep(source, origin="inbox/bra/Databasfil_2022.txt", retrieved_at=when)

    sha = hashlib.sha256(data).hexdigest()
    assert kept.sha256 == sha == sha256_file(source)
    assert kept.size == len(data)
    assert kept.name == "Databasfil_2022.txt"
    assert kept.stored_path == tmp_path / "raw" / sha[:2] / sha
    assert kept.stored_path.read_bytes() == data
    lines = (tmp_path / "raw" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "sha256": sha,
            "size": len(data),
            "origin": "inbox/bra/Databasfil_2022.txt",
            "name": "Databasfil_2022.txt",
            "retrieved_at": "2024-02-01T09:30:00+00:00",
        }
    ]
    assert not [p for p in (tmp_path / "raw").iterdir() if p.name.startswith(".")]


def test_same_bytes_are_stored_once_and_each_origin_recorded_once(tmp_path):
    store = RawStore(tmp_path / "raw")
    a = tmp_path / "a.csv"
    a.write_bytes(b"x;y\n1;2\n")
    first = store.keep(a, origin="inbox/a.csv")
    again = store.keep(a, origin="inbox/a.csv")
    other = store.keep_bytes(b"x;y\n1;2\n", name="a.csv", origin="https://example.org/a.csv")

    assert again == first
    assert other.sha256 == first.sha256 and other.origin == "https://example.org/a.csv"
    blobs = [p for p in (tmp_path / "raw").rglob("*") if p.is_file() and p.parent.name != "raw"]
    assert len(blobs) == 1
    assert len(store.records()) == 2


def test_an_existing_blob_is_never_overwritten(tmp_path):
    store = RawStore(tmp_path / "raw")
    kept = store.keep_bytes(b"original", name="f.txt", origin="u1")
    kept.stored_path.write_bytes(b"tampered")  # simulate a damaged store

    store.keep_bytes(b"original", name="g.txt", origin="u2")

    assert kept.stored_path.read_bytes() == b"tampered"


def test_history_finds_records_by_name_or_origin_oldest_first(tmp_path):
    store = RawStore(tmp_path / "raw")
    v1 = store.keep_bytes(b"v1", name="bef.csv", origin="https://x/bef.csv",
                          retrieved_at=dt.datetime(2024, 1, 1, 12, 0))
    v2 = store.keep_bytes(b"v2", name="bef.csv", origin="https://x/bef.csv",
                          retrieved_at=dt.datetime(2024, 3, 1, 13, 0, tzinfo=dt.timezone(
                              dt.timedelta(hours=1))))
    store.keep_bytes(b"other", name="ia.xlsx", origin="inbox/ia/ia.xlsx")

    by_name = store.history("bef.csv")
    assert [r.sha256 for r in by_name] == [v1.sha256, v2.sha256]
    assert store.history("https://x/bef.csv") == by_name
    assert store.history("missing.csv") == []
    # naive times are taken as UTC, aware ones converted to UTC
    assert by_name[0].retrieved_at == dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert by_name[1].retrieved_at == dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
    assert by_name[1].stored_path.read_bytes() == b"v2"


def test_default_retrieval_time_is_now_in_utc(tmp_path):
    before = dt.datetime.now(dt.UTC)
    kept = RawStore(tmp_path).keep_bytes(b"data", name="d", origin="o")
    assert kept.retrieved_at.tzinfo is not None
    assert before <= kept.retrieved_at <= dt.datetime.now(dt.UTC)


def test_the_store_refuses_what_would_take_it_past_its_limits(tmp_path):
    """A file over the per-file limit, or a blob that would fill the store, is not kept."""
    import pytest

    from lagesbild.errors import InputError, PipelineError
    from sources.store.rawstore import RawStore

    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_bytes(b"x" * 600)
    big.write_bytes(b"y" * 2_000)
    store = RawStore(tmp_path / "raw", max_file_bytes=1_000, max_total_bytes=1_000)
    with pytest.raises(InputError, match="LAGESBILD_RAW_MAX_FILE_MB") as error:
        store.keep(big, origin="inbox/bra/big.txt")
    assert error.value.file == "inbox/bra/big.txt" and "yyy" not in str(error.value)
    store.keep(small, origin="inbox/bra/small.txt")
    store.keep(small, origin="inbox/bra/again.txt")  # the same bytes take no more room
    other = tmp_path / "other.txt"
    other.write_bytes(b"z" * 600)
    with pytest.raises(PipelineError, match="råarkivet .* är fullt"):
        store.keep(other, origin="inbox/bra/other.txt")
    assert store.size() == 600
    assert sorted(p.name for p in (tmp_path / "raw").rglob("*") if p.is_file()) == sorted(
        ["manifest.jsonl", store.records()[0].sha256])  # no blob or temp file of the refused
