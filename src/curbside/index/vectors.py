"""Passage embeddings: stored in SQLite, searched exactly with numpy.

Vectors live in the library's ``embeddings(text_hash, model, vector)`` table as
float16 blobs keyed by the passage text hash, so re-ingesting unchanged text never
re-embeds it, and two passages with the same text share one vector. For search,
:class:`ExactVectors` (the ``exact`` backend) holds every current passage's vector
in one float32 matrix, loaded by the sync layer whenever the library's change
sequence or the dense version stamp in ``meta`` moves (any process that adds
vectors changes the stamp, so every other process reloads).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from curbside.embed.blas import single_thread
from curbside.embed.minilm import HIDDEN, Array
from curbside.index.base import NO_FILTERS, Filters, ScoredId, Vector
from curbside.models import TIERS
from curbside.store import Library

#: ``meta`` key changed whenever vectors are added, so cached matrices reload.
DENSE_STAMP = "retrieve.dense_stamp"
_EMBED_BATCH = 256


def missing(lib: Library, model: str) -> list[tuple[str, str]]:
    """(text hash, text) of every distinct passage text with no vector for ``model``."""
    rows = lib.conn.execute(
        "SELECT p.text_hash, min(p.text) FROM passages p LEFT JOIN embeddings e"
        " ON e.text_hash = p.text_hash AND e.model = ? WHERE e.text_hash IS NULL"
        " GROUP BY p.text_hash",
        (model,),
    )
    return [(str(r[0]), str(r[1])) for r in rows]


def store(lib: Library, model: str, hashes: Sequence[str], vectors: Array) -> None:
    """Save vectors (float16) in one transaction and stamp the change."""
    blobs = vectors.astype(np.float16)
    with lib.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO embeddings (text_hash, model, vector) VALUES (?, ?, ?)",
            [(h, model, blobs[i].tobytes()) for i, h in enumerate(hashes)],
        )
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
            " SET value = excluded.value",
            (DENSE_STAMP, uuid.uuid4().hex),
        )


def embed_missing(
    lib: Library,
    encode: Callable[[Sequence[str]], Array],
    model: str,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed every passage text that has no vector yet; returns how many were embedded.

    Work is committed every batch, so an interrupted run keeps what it finished.
    """
    todo = missing(lib, model)
    for start in range(0, len(todo), _EMBED_BATCH):
        batch = todo[start : start + _EMBED_BATCH]
        vectors = encode([text for _, text in batch])
        store(lib, model, [h for h, _ in batch], vectors)
        if progress is not None:
            progress(min(start + _EMBED_BATCH, len(todo)), len(todo))
    return len(todo)


def prune(lib: Library) -> int:
    """Delete vectors whose text no passage has any more; returns how many."""
    with lib.transaction() as conn:
        cur = conn.execute(
            "DELETE FROM embeddings WHERE text_hash NOT IN (SELECT text_hash FROM passages)"
        )
    return int(cur.rowcount)


def load_rows(lib: Library, model: str) -> tuple[list[str], list[str], list[str], Vector]:
    """(passage ids, source ids, tiers, vectors) of every embedded current passage.

    Two plain scans (vectors by text hash, then passages) joined in Python: reading
    the blobs once is several times faster than SQLite's three-way join.
    """
    blobs = {
        str(h): bytes(v)
        for h, v in lib.conn.execute(
            "SELECT text_hash, vector FROM embeddings WHERE model = ?", (model,)
        )
    }
    tier_of = {str(i): str(t) for i, t in lib.conn.execute("SELECT id, tier FROM sources")}
    ids: list[str] = []
    sids: list[str] = []
    tiers: list[str] = []
    parts: list[bytes] = []
    for pid, sid, text_hash in lib.conn.execute(
        "SELECT id, source_id, text_hash FROM passages ORDER BY rowid"
    ):
        blob = blobs.get(str(text_hash))
        if blob is None:
            continue
        ids.append(str(pid))
        sids.append(str(sid))
        tiers.append(tier_of.get(str(sid), ""))
        parts.append(blob)
    if parts:
        flat = np.frombuffer(b"".join(parts), dtype=np.float16)
        vectors = flat.reshape(len(ids), HIDDEN).astype(np.float32)
    else:
        vectors = np.zeros((0, HIDDEN), dtype=np.float32)
    return ids, sids, tiers, vectors


def dense_stamp(lib: Library) -> tuple[int, str | None]:
    """What a loaded vector index must match to be current."""
    return lib.last_change(), lib.meta_get(DENSE_STAMP)


_TIER_CODE = {t: i for i, t in enumerate(TIERS)}


def top(sims: Array, k: int) -> npt.NDArray[np.int64]:
    """Row numbers of the ``k`` highest finite scores, best first (ties: lower row)."""
    k = min(k, int(np.isfinite(sims).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-sims, k - 1)[:k]
    order = np.lexsort((part, -sims[part]))
    return part[order].astype(np.int64)


class ExactVectors:
    """Every vector in one float32 matrix, scored exactly by one matrix product."""

    def __init__(self, dim: int = HIDDEN) -> None:
        self.dim = dim
        self.ids: list[str] = []
        self.vectors: Vector = np.zeros((0, dim), dtype=np.float32)
        self.tiers: npt.NDArray[np.int8] = np.zeros(0, dtype=np.int8)
        self.sids: npt.NDArray[np.str_] = np.zeros(0, dtype=np.str_)
        self.row: dict[str, int] = {}
        self._pending: list[tuple[str, Any]] = []
        self._seq = -1
        self._lock = threading.Lock()

    @property
    def applied_seq(self) -> int:
        """The change sequence reflected (-1 until loaded)."""
        return self._seq

    def add(
        self, ids: Sequence[str], vectors: Vector, sources: Sequence[str], tiers: Sequence[str]
    ) -> None:
        """Stage rows (vectors must already be unit length)."""
        if len(ids) != len(vectors) or len(ids) != len(sources) or len(ids) != len(tiers):
            raise ValueError("ids, vectors, sources and tiers must have the same length")
        self._pending.append(("add", (list(ids), np.asarray(vectors, np.float32), sources, tiers)))

    def delete(self, source_ids: Iterable[str]) -> None:
        """Stage the removal of these sources' rows."""
        self._pending.append(("delete", set(source_ids)))

    def clear(self) -> None:
        """Stage the removal of every row."""
        self._pending.append(("clear", None))

    def commit(self, seq: int) -> None:
        """Apply staged changes (one rebuild of the matrix) and record ``seq``."""
        ids, vecs = list(self.ids), [self.vectors]
        tiers, sids = [self.tiers], [self.sids]
        for op, arg in self._pending:
            if op == "clear":
                ids, vecs = [], [np.zeros((0, self.dim), dtype=np.float32)]
                tiers, sids = [np.zeros(0, np.int8)], [np.zeros(0, np.str_)]
            elif op == "delete":
                keep = ~np.isin(np.concatenate(sids), list(arg))
                ids = [i for i, k in zip(ids, keep, strict=True) if k]
                vecs, tiers = [np.concatenate(vecs)[keep]], [np.concatenate(tiers)[keep]]
                sids = [np.concatenate(sids)[keep]]
            else:
                new_ids, new_vecs, new_sids, new_tiers = arg
                ids.extend(new_ids)
                vecs.append(new_vecs.reshape(len(new_ids), self.dim))
                tiers.append(np.array([_TIER_CODE.get(t, -1) for t in new_tiers], np.int8))
                sids.append(np.array(list(new_sids), dtype=np.str_))
        self._pending.clear()
        with self._lock:
            self.ids = ids
            self.vectors = np.ascontiguousarray(np.concatenate(vecs), dtype=np.float32)
            self.tiers = np.concatenate(tiers).astype(np.int8)
            self.sids = np.concatenate(sids)
            self.row = {pid: i for i, pid in enumerate(ids)}
            self._seq = seq

    def count(self) -> int:
        """Number of vectors."""
        return len(self.ids)

    def _mask(self, sims: Array, filters: Filters) -> Array:
        if filters.tiers is not None:
            wanted = [_TIER_CODE[t] for t in filters.tiers if t in _TIER_CODE]
            sims = np.where(np.isin(self.tiers, wanted), sims, -np.inf).astype(np.float32)
        if filters.source_ids is not None:
            keep = np.isin(self.sids, list(filters.source_ids))
            sims = np.where(keep, sims, -np.inf).astype(np.float32)
        return sims

    def scores(
        self, vector: Vector, filters: Filters = NO_FILTERS, rows: Sequence[int] | None = None
    ) -> Array:
        """Cosine of ``vector`` with every row (or only ``rows``; others −inf)."""
        q = np.asarray(vector, dtype=np.float32)
        with single_thread():
            if rows is None:
                sims: Array = self.vectors @ q
            else:
                sims = np.full(len(self.ids), -np.inf, dtype=np.float32)
                picked = np.array(sorted(rows), dtype=np.int64)
                if len(picked):
                    sims[picked] = self.vectors[picked] @ q
        return self._mask(sims, filters)

    def search(
        self,
        vector: Vector,
        k: int,
        filters: Filters = NO_FILTERS,
        among: Iterable[str] | None = None,
    ) -> list[ScoredId]:
        """The ``k`` best rows by cosine, best first."""
        if k <= 0 or not self.ids:
            return []
        rows = None if among is None else [self.row[i] for i in among if i in self.row]
        sims = self.scores(vector, filters, rows)
        return [ScoredId(float(sims[r]), self.ids[int(r)]) for r in top(sims, k)]

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """The stored vector of each known id."""
        return {i: self.vectors[self.row[i]] for i in ids if i in self.row}


def open_exact(directory: Path | None, **_options: object) -> ExactVectors:
    """Entry-point factory: an empty exact index, filled by the sync layer."""
    return ExactVectors()
