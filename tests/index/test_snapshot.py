"""Vector snapshots: published whole, opened memory-mapped, patched from the change log."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curbside.embed.minilm import HIDDEN
from curbside.index import snapshot
from curbside.index.base import Filters
from curbside.index.registry import open_backend
from curbside.index.sync import VectorSync, derived_dir
from curbside.index.vectors import store
from curbside.ingest.prepare import store_document
from curbside.models import Document
from curbside.store import Library
from tests.documents import research_note

MODEL = "test-model"
VECTOR = ["exact", "ann"]


def _needs(name: str) -> None:
    if name == "ann" and importlib.util.find_spec("faiss") is None:
        pytest.skip("faiss-cpu (the scale extra) is not installed")


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _meta(seq: int = 3, kind: str = "k") -> snapshot.SnapshotMeta:
    return snapshot.SnapshotMeta(seq=seq, stamp="s", kind=kind, model=MODEL, rows=0)


def test_publish_then_current_and_refusals(tmp_path: Path) -> None:
    assert snapshot.current(tmp_path, "n", "k", MODEL) is None
    snap = snapshot.publish(tmp_path, "n", _meta(), lambda d: (d / "x.bin").write_bytes(b"1"))
    found = snapshot.current(tmp_path, "n", "k", MODEL)
    assert found is not None and found.folder == snap.folder and found.meta.seq == 3
    assert (found.folder / "x.bin").read_bytes() == b"1"
    assert snapshot.current(tmp_path, "n", "other-kind", MODEL) is None
    assert snapshot.current(tmp_path, "n", "k", "other-model") is None
    (found.folder / "meta.json").write_text("{not json", "utf-8")
    assert snapshot.current(tmp_path, "n", "k", MODEL) is None
    (snapshot.home(tmp_path, "n") / "CURRENT").write_text("../../etc", "utf-8")
    assert snapshot.current(tmp_path, "n", "k", MODEL) is None


def test_a_failed_write_leaves_the_published_snapshot(tmp_path: Path) -> None:
    snapshot.publish(tmp_path, "n", _meta(1), lambda d: (d / "x.bin").write_bytes(b"old"))

    def crash(folder: Path) -> None:
        (folder / "x.bin").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        snapshot.publish(tmp_path, "n", _meta(2), crash)
    found = snapshot.current(tmp_path, "n", "k", MODEL)
    assert found is not None and found.meta.seq == 1
    assert (found.folder / "x.bin").read_bytes() == b"old"
    assert [p.name for p in snapshot.home(tmp_path, "n").iterdir() if p.is_dir()] == [
        found.folder.name
    ]
    snapshot.publish(tmp_path, "n", _meta(3), lambda d: None)
    dirs = [p for p in snapshot.home(tmp_path, "n").iterdir() if p.is_dir()]
    assert len(dirs) == 1  # superseded generations are removed


@pytest.mark.parametrize("name", VECTOR)
def test_save_load_round_trip_then_patch(name: str, tmp_path: Path) -> None:
    _needs(name)
    rng = np.random.default_rng(5)
    data = _unit(rng.normal(size=(300, HIDDEN)))
    ids = [f"p{i}" for i in range(300)]
    index: Any = open_backend(name, None)
    index.add(ids, data, [f"s{i // 10}" for i in range(300)], ["research"] * 300)
    index.commit(9)
    before = [h.id for h in index.search(data[42], 10)]
    folder = tmp_path / "snap"
    folder.mkdir()
    index.save(folder)

    loaded: Any = open_backend(name, None)
    loaded.load(folder, 9)
    assert loaded.applied_seq == 9 and loaded.count() == 300
    assert [h.id for h in loaded.search(data[42], 10)] == before
    assert np.allclose(loaded.vectors_of(["p7"])["p7"], data[7], atol=1e-3)
    among = loaded.search(data[42], 5, among=["p1", "p42", "nope"])
    assert [h.id for h in among] == ["p42", "p1"]

    # Patch the loaded (memory-mapped) index: a source replaced, one added, one deleted.
    fresh = _unit(rng.normal(size=(3, HIDDEN)))
    loaded.delete(["s4", "s0"])
    loaded.add(["p40", "n1", "n2"], fresh, ["s4", "s99", "s99"], ["research", "label", "label"])
    loaded.commit(10)
    assert loaded.count() == 300 - 20 + 3
    assert loaded.search(fresh[1], 1)[0].id == "n1"
    assert loaded.search(fresh[0], 1)[0].id == "p40"
    assert all(h.id not in {"p3", "p41"} for h in loaded.search(data[3], 20))
    assert np.allclose(loaded.vectors_of(["p40"])["p40"], fresh[0], atol=1e-3)
    assert {h.id for h in loaded.search(fresh[1], 5, Filters.of(["label"]))} == {"n1", "n2"}

    # Saved again (mapped rows, added rows and tombstones together), then reopened.
    again = tmp_path / "again"
    again.mkdir()
    loaded.save(again)
    third: Any = open_backend(name, None)
    third.load(again, 10)
    assert third.count() == 283
    assert third.search(fresh[1], 1)[0].id == "n1"
    assert [h.id for h in third.search(data[42], 10)] == [h.id for h in loaded.search(data[42], 10)]
    assert "p3" not in third.vectors_of(["p3", "p40"]) and "p40" in third.vectors_of(["p40"])


def test_damaged_snapshot_files_are_refused(tmp_path: Path) -> None:
    index: Any = open_backend("exact", None)
    data = _unit(np.random.default_rng(1).normal(size=(4, HIDDEN)))
    index.add(["a", "b", "c", "d"], data, ["s"] * 4, ["research"] * 4)
    index.commit(1)
    folder = tmp_path / "snap"
    folder.mkdir()
    index.save(folder)
    np.save(folder / "tiers.npy", np.zeros(2, np.int8))
    with pytest.raises(ValueError, match="disagree"):
        open_backend("exact", None).load(folder, 1)


def _doc(ident: str, text: str) -> Document:
    return research_note(ident, text, f"Placeholder {ident}")


def _embed_all(lib: Library, seed: int) -> None:
    rows = lib.conn.execute(
        "SELECT DISTINCT p.text_hash FROM passages p LEFT JOIN embeddings e"
        " ON e.text_hash = p.text_hash AND e.model = ? WHERE e.text_hash IS NULL",
        (MODEL,),
    ).fetchall()
    hashes = [str(r[0]) for r in rows]
    if hashes:
        vectors = _unit(np.random.default_rng(seed).normal(size=(len(hashes), HIDDEN)))
        store(lib, MODEL, hashes, vectors)


@pytest.mark.parametrize("name", VECTOR)
def test_vector_sync_starts_from_the_snapshot_and_replays_changes(
    name: str, library_path: Path
) -> None:
    _needs(name)
    lib = Library.open(library_path)
    try:
        for i in range(6):
            store_document(lib, _doc(f"d{i}", f"Placeholder passage number {i} about widgets."))
        _embed_all(lib, 1)
        writer = VectorSync(open_backend(name, derived_dir(lib)), MODEL)
        assert writer.persist(lib) and writer.last_load == "full"
        assert not writer.persist(lib)  # already current: nothing written

        reader = VectorSync(open_backend(name, derived_dir(lib)), MODEL)
        assert reader.current(lib).count() == 6 and reader.last_load == "snapshot"

        # An ingest: a new source without a vector yet, then embedded; one source deleted.
        store_document(lib, _doc("d9", "A new placeholder passage about gadgets."))
        lib.delete_source("d0")
        assert reader.current(lib).count() == 5 and reader.last_load == "incremental"
        assert reader.pending == {"d9"}
        _embed_all(lib, 2)
        index = reader.current(lib)
        assert index.count() == 6 and reader.last_load == "incremental"
        assert reader.pending == set()
        pid = str(lib.conn.execute("SELECT id FROM passages WHERE source_id = 'd9'").fetchone()[0])
        vector = index.vectors_of([pid])[pid]
        assert index.search(vector, 1)[0].id == pid

        # The writer publishes the new state; a fresh process maps it directly.
        assert writer.persist(lib)
        third = VectorSync(open_backend(name, derived_dir(lib)), MODEL)
        assert third.current(lib).count() == 6 and third.last_load == "snapshot"
        assert third.current(lib).search(vector, 1)[0].id == pid

        # A rebuild discards the snapshot: the next reader reads SQLite.
        writer.forget(lib)
        fourth = VectorSync(open_backend(name, derived_dir(lib)), MODEL)
        assert fourth.current(lib).count() == 6 and fourth.last_load == "full"
    finally:
        lib.close()
