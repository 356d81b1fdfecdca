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

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from curbside.embed.minilm import HIDDEN, Array
from curbside.index.base import NO_FILTERS, Filters, ScoredId, Vector
from curbside.index.row_files import (
    BaseFiles,
    base_files,
    load_rows_file,
    save_delta,
    save_rows,
)
from curbside.index.rows import (
    TIER_CODE,
    Rows,
    cat_bytes,
    encode_ids,
    exact_scores,
    find_rows,
    search_rows,
)
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


@dataclass
class Loaded:
    """Rows read from the library for a vector index, and the sources that still have
    passages without a vector (``pending``: an embedding run will revisit them)."""

    ids: list[str] = field(default_factory=list)
    sids: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    blobs: list[bytes] = field(default_factory=list)
    pending: set[str] = field(default_factory=set)

    def vectors(self) -> Vector:
        """The rows' vectors as one float32 matrix."""
        if not self.blobs:
            return np.zeros((0, HIDDEN), dtype=np.float32)
        flat = np.frombuffer(b"".join(self.blobs), dtype=np.float16)
        return flat.reshape(len(self.ids), HIDDEN).astype(np.float32)


def load_rows(lib: Library, model: str) -> Loaded:
    """Every embedded current passage (id, source, tier, vector).

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
    out = Loaded()
    for pid, sid, text_hash in lib.conn.execute(
        "SELECT id, source_id, text_hash FROM passages ORDER BY rowid"
    ):
        blob = blobs.get(str(text_hash))
        if blob is None:
            out.pending.add(str(sid))
            continue
        out.ids.append(str(pid))
        out.sids.append(str(sid))
        out.tiers.append(tier_of.get(str(sid), ""))
        out.blobs.append(blob)
    return out


def rows_of_sources(lib: Library, model: str, source_ids: Sequence[str]) -> Loaded:
    """The embedded passages of some sources (what an incremental update re-reads)."""
    out = Loaded()
    for i in range(0, len(source_ids), 500):
        batch = list(source_ids[i : i + 500])
        marks = ", ".join("?" * len(batch))
        rows = lib.conn.execute(
            "SELECT p.id, p.source_id, s.tier, e.vector FROM passages p"
            " JOIN sources s ON s.id = p.source_id"
            " LEFT JOIN embeddings e ON e.text_hash = p.text_hash AND e.model = ?"
            f" WHERE p.source_id IN ({marks}) ORDER BY p.source_id, p.ordinal",
            [model, *batch],
        )
        for pid, sid, tier, blob in rows:
            if blob is None:
                out.pending.add(str(sid))
                continue
            out.ids.append(str(pid))
            out.sids.append(str(sid))
            out.tiers.append(str(tier))
            out.blobs.append(bytes(blob))
    return out


def dense_stamp(lib: Library) -> tuple[int, str | None]:
    """What a loaded vector index must match to be current."""
    return lib.last_change(), lib.meta_get(DENSE_STAMP)


#: Share of deleted rows at which a commit compacts the matrix.
COMPACT_SHARE = 0.1


class ExactVectors:
    """Every vector in one matrix, scored exactly by one matrix product.

    ``materialize`` (the default) turns a loaded float16 snapshot into float32 in one
    sequential read, for fast full scans; the ``ann`` backend keeps it memory-mapped,
    since it only ever scores a few rows exactly. ``compact`` drops tombstones once
    they are :data:`COMPACT_SHARE` of the rows (off when a graph numbers the rows).
    """

    snapshot_kind = "exact-f16-v1"

    def __init__(
        self, dim: int = HIDDEN, *, materialize: bool = True, compact: bool = True
    ) -> None:
        self.dim = dim
        self.materialize = materialize
        self.compact = compact
        self.state = Rows.empty(dim)
        self._pending: list[tuple[str, Any]] = []
        self._seq = -1
        self._base: BaseFiles | None = None

    @property
    def applied_seq(self) -> int:
        """The change sequence reflected (-1 until loaded)."""
        return self._seq

    @property
    def ids(self) -> list[str]:
        """Row ids, tombstones included (for tools; searches use :attr:`state`)."""
        return [self.state.id_of(r) for r in range(self.state.total)]

    @property
    def vectors(self) -> Vector:
        """Every row as one float32 matrix (for tools and graph builds)."""
        return self.state.matrix()

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
        """Apply staged changes and record ``seq`` (the new state is swapped in whole)."""
        s = self.state
        base, ids, sids, tiers = s.base, [s.ids], [s.sids], [s.tiers]
        alive, delta, extra = [s.alive.copy()], [s.delta], dict(s.extra)
        sorted_ids, order = s.sorted_ids, s.order
        for op, arg in self._pending:
            if op == "clear":
                self._base = None  # rows renumbered: the next save writes everything
                empty = Rows.empty(self.dim)
                base, ids, sids, tiers = empty.base, [empty.ids], [empty.sids], [empty.tiers]
                alive, delta, extra = [empty.alive], [empty.delta], {}
                sorted_ids, order = empty.sorted_ids, empty.order
            elif op == "delete":
                flat_alive = np.concatenate(alive)
                flat_alive &= ~np.isin(cat_bytes(sids), encode_ids(arg))
                alive = [flat_alive]
            else:
                new_ids, new_vecs, new_sids, new_tiers = arg
                flat_alive = np.concatenate(alive)
                # An id added again without a delete: the newest row wins.
                stale = list(find_rows(sorted_ids, order, extra, new_ids).values())
                flat_alive[np.array(stale, dtype=np.int64)] = False
                alive = [flat_alive]
                start = len(flat_alive)
                for i, pid in enumerate(new_ids):
                    extra[pid] = start + i
                ids.append(encode_ids(new_ids))
                sids.append(encode_ids(new_sids))
                tiers.append(np.array([TIER_CODE.get(t, -1) for t in new_tiers], np.int8))
                alive.append(np.ones(len(new_ids), np.bool_))
                delta.append(new_vecs.reshape(len(new_ids), self.dim))
        self._pending.clear()
        state = Rows(
            self.dim,
            base,
            np.ascontiguousarray(np.concatenate(delta), dtype=np.float32),
            cat_bytes(ids),
            cat_bytes(sids),
            np.concatenate(tiers).astype(np.int8),
            np.concatenate(alive),
            sorted_ids,
            order,
            extra,
        )
        dead = state.total - state.count()
        if self.compact and dead and dead >= COMPACT_SHARE * state.total:
            state = state.compacted()
            self._base = None
        self.state = state
        self._seq = seq

    def count(self) -> int:
        """Number of live vectors."""
        return self.state.count()

    def scores(
        self, vector: Vector, filters: Filters = NO_FILTERS, rows: Sequence[int] | None = None
    ) -> Array:
        """Cosine of ``vector`` with every live row (or only ``rows``; others −inf)."""
        return exact_scores(self.state, vector, filters, rows)

    def search(
        self,
        vector: Vector,
        k: int,
        filters: Filters = NO_FILTERS,
        among: Iterable[str] | None = None,
    ) -> list[ScoredId]:
        """The ``k`` best live rows by cosine, best first."""
        return search_rows(self.state, vector, k, filters, among)

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """The stored vector of each known id."""
        s = self.state
        rows = s.rows_of(list(ids))
        block = s.block(np.array(rows, dtype=np.int64))
        return {s.id_of(r): block[i] for i, r in enumerate(rows)}

    # -- persistence ---------------------------------------------------------------

    @property
    def base(self) -> BaseFiles | None:
        """The base files of the published snapshot that rows ``0 … base.rows-1``
        match (None when there are none, or the rows were renumbered since)."""
        return self._base

    def save(self, folder: Path, previous: Path | None = None) -> None:
        """Write every row (tombstones included, so row numbers stay) to ``folder``:
        links to ``previous``'s files plus the added rows when it can (see
        :func:`save_delta`), else everything."""
        if (
            previous is not None
            and self._base is not None
            and save_delta(self.state, folder, previous, self._base)
        ):
            return
        self._base = save_rows(self.state, folder)

    def load(self, folder: Path, seq: int) -> None:
        """Replace the contents with a snapshot written by :meth:`save`."""
        state = load_rows_file(folder, self.dim)
        if self.materialize and state.base.dtype != np.float32:
            state = replace(state, base=np.asarray(state.base, dtype=np.float32))
        self.adopt(state, seq, base_files(folder))

    def adopt(self, state: Rows, seq: int, base: BaseFiles | None = None) -> None:
        """Take ``state`` as the contents, reflecting change ``seq`` (``base``: the
        snapshot files its first rows came from)."""
        self._base = base
        self._pending.clear()
        self.state = state
        self._seq = seq


def open_exact(directory: Path | None, **_options: object) -> ExactVectors:
    """Entry-point factory: an empty exact index, filled by the sync layer."""
    return ExactVectors()
