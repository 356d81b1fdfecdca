"""Filtered vector searches against a brute-force scan, through every state a library
passes through: fresh rows, deletes, a memory-mapped snapshot and rows added after it.

Filtered searches read only the rows that may be returned (per-tier and per-source row
sets); these cases check they return exactly what scoring every row would.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curbside.index.base import Filters
from curbside.index.registry import open_backend

TIERS = ["guideline", "label", "research"]


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


class Truth:
    """What the index should hold, kept by hand."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[np.ndarray, str, str]] = {}

    def add(self, ids: list[str], data: np.ndarray, sids: list[str], tiers: list[str]) -> None:
        for i, pid in enumerate(ids):
            self.rows[pid] = (data[i], sids[i], tiers[i])

    def delete(self, sids: set[str]) -> None:
        self.rows = {p: r for p, r in self.rows.items() if r[1] not in sids}

    def best(self, q: np.ndarray, k: int, filters: Filters) -> list[str]:
        scored = [
            (-float(vec @ q), pid)
            for pid, (vec, sid, tier) in self.rows.items()
            if filters.allows(tier, sid)
        ]
        return [pid for _, pid in sorted(scored)[:k]]


FILTERS = [
    Filters.of(["label"]),
    Filters.of(["guideline", "research"]),
    Filters.of(None, ["s3", "s17", "s40", "nope"]),
    Filters.of(["research"], ["s3", "s17", "s40"]),
    Filters.of(["guideline"], ["s0"]),  # s0 holds no guideline rows: nothing passes
]


def _check(index: Any, truth: Truth, rng: np.random.Generator) -> None:
    for q in _unit(rng.normal(size=(4, 384))):
        for filters in FILTERS:
            got = [h.id for h in index.search(q, 7, filters)]
            assert got == truth.best(q, 7, filters), filters


@pytest.mark.parametrize("name", ["exact", "ann"])
def test_filtered_search_equals_a_full_scan(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if name == "ann":
        if importlib.util.find_spec("faiss") is None:
            pytest.skip("faiss-cpu (the scale extra) is not installed")
        import curbside.index.ann as ann

        # Make small filtered searches go through the graph too, not only the exact path.
        monkeypatch.setattr(ann, "EXACT_BELOW", 10)
    rng = np.random.default_rng(11)
    truth = Truth()
    index: Any = open_backend(name, None)
    n = 600
    ids = [f"p{i}" for i in range(n)]
    sids = [f"s{i // 12}" for i in range(n)]
    tiers = [TIERS[(i // 12) % 3] for i in range(n)]
    data = _unit(rng.normal(size=(n, 384)))
    index.add(ids, data, sids, tiers)
    truth.add(ids, data, sids, tiers)
    index.commit(1)
    _check(index, truth, rng)

    index.delete(["s3", "s5"])
    truth.delete({"s3", "s5"})
    index.commit(2)
    _check(index, truth, rng)

    folder = tmp_path / "snap"
    folder.mkdir()
    index.save(folder)
    loaded: Any = open_backend(name, None)
    loaded.load(folder, 2)
    _check(loaded, truth, rng)

    more = _unit(rng.normal(size=(30, 384)))
    new_ids = [f"n{i}" for i in range(30)]
    new_sids = ["s17"] * 10 + ["s40"] * 10 + ["s99"] * 10
    new_tiers = ["label"] * 10 + ["research"] * 20
    loaded.delete(["s17"])
    truth.delete({"s17"})
    loaded.add(new_ids, more, new_sids, new_tiers)
    truth.add(new_ids, more, new_sids, new_tiers)
    loaded.commit(3)
    _check(loaded, truth, rng)
