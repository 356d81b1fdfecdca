"""Delta snapshots: after a small change a snapshot links the previous one's row (and
graph) files and writes only the added rows, so publishing costs what changed."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curbside.embed.minilm import HIDDEN
from curbside.index.base import Filters
from curbside.index.registry import open_backend

VECTOR = ["exact", "ann"]


def _index(name: str) -> Any:
    if name == "ann" and importlib.util.find_spec("faiss") is None:
        pytest.skip("faiss-cpu (the scale extra) is not installed")
    return open_backend(name, None)


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _save(index: Any, root: Path, name: str, previous: Path | None) -> Path:
    folder = root / name
    folder.mkdir()
    index.save(folder, previous)
    return folder


def _same_file(a: Path, b: Path) -> bool:
    return a.stat().st_ino == b.stat().st_ino


def _results(index: Any, queries: np.ndarray) -> list[list[str]]:
    return [[h.id for h in index.search(q, 8)] for q in queries]


@pytest.mark.parametrize("name", VECTOR)
def test_small_changes_publish_links_plus_added_rows(name: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    data = _unit(rng.normal(size=(400, HIDDEN)))
    writer = _index(name)
    writer.add(
        [f"p{i}" for i in range(400)], data, [f"s{i // 10}" for i in range(400)], ["research"] * 400
    )
    writer.commit(1)
    first = _save(writer, tmp_path, "g1", None)  # nothing published yet: everything
    assert not (first / "delta_ids.npy").exists()

    # A small ingest: one source replaced, one removed, one new.
    added = _unit(rng.normal(size=(12, HIDDEN)))
    writer.delete(["s3", "s7"])
    writer.add(
        [f"p{30 + i}" for i in range(6)] + [f"n{i}" for i in range(6)],
        added,
        ["s3"] * 6 + ["s99"] * 6,
        ["research"] * 6 + ["label"] * 6,
    )
    writer.commit(2)
    second = _save(writer, tmp_path, "g2", first)
    assert (second / "delta_ids.npy").exists()
    shared = ["vectors.npy", "ids.npy"] + (["hnsw.faiss"] if name == "ann" else [])
    assert all(_same_file(first / f, second / f) for f in shared)

    shutil.rmtree(first)  # as publish removes superseded generations
    reader = _index(name)
    reader.load(second, 2)
    queries = np.concatenate([added[:3], data[[5, 71, 230]]])
    assert reader.count() == writer.count() == 400 - 20 + 12
    assert _results(reader, queries) == _results(writer, queries)
    assert reader.search(added[8], 1)[0].id == "n2"
    assert {h.id for h in reader.search(data[5], 5, Filters.of(["label"]))} <= {
        f"n{i}" for i in range(6)
    }
    assert "p75" not in reader.vectors_of(["p75"])  # source s7 was removed

    # The reader, patched again, publishes beside the delta snapshot: still links.
    more = _unit(rng.normal(size=(4, HIDDEN)))
    reader.add([f"m{i}" for i in range(4)], more, ["s98"] * 4, ["guideline"] * 4)
    reader.commit(3)
    third = _save(reader, tmp_path, "g3", second)
    assert all(_same_file(second / f, third / f) for f in shared)
    again = _index(name)
    again.load(third, 3)
    assert again.count() == 400 - 20 + 16
    assert again.search(more[2], 1)[0].id == "m2"
    assert _results(again, queries) == _results(reader, queries)


@pytest.mark.parametrize("name", VECTOR)
def test_large_changes_and_other_bases_rewrite_everything(name: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    data = _unit(rng.normal(size=(200, HIDDEN)))
    index = _index(name)
    index.add(
        [f"p{i}" for i in range(200)], data, [f"s{i // 10}" for i in range(200)], ["research"] * 200
    )
    index.commit(1)
    first = _save(index, tmp_path, "g1", None)

    # More than a tenth of the base rows added: everything is written again.
    index.add(
        [f"n{i}" for i in range(40)],
        _unit(rng.normal(size=(40, HIDDEN))),
        ["s50"] * 40,
        ["research"] * 40,
    )
    index.commit(2)
    second = _save(index, tmp_path, "g2", first)
    assert not (second / "delta_ids.npy").exists()
    assert not _same_file(first / "vectors.npy", second / "vectors.npy")

    # A previous snapshot that is not this index's base (another writer's): everything.
    other = _index(name)
    other.add(["q0"], data[:1], ["s0"], ["research"])
    other.commit(1)
    foreign = _save(other, tmp_path, "g-other", None)
    index.add(["z0"], data[:1], ["s60"], ["research"])
    index.commit(3)
    third = _save(index, tmp_path, "g3", foreign)
    assert not (third / "delta_ids.npy").exists()

    # After a clear the rows are renumbered: everything.
    index.clear()
    index.add(["c0", "c1"], data[:2], ["s0", "s0"], ["research"] * 2)
    index.commit(4)
    fourth = _save(index, tmp_path, "g4", third)
    assert not (fourth / "delta_ids.npy").exists()
    reopened = _index(name)
    reopened.load(fourth, 4)
    assert reopened.count() == 2 and reopened.search(data[1], 1)[0].id == "c1"
