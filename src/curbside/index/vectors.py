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

import json
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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


_TIER_CODE = {t: i for i, t in enumerate(TIERS)}
#: Rows converted from float16 at a time when a stored matrix is scanned in place.
_SCAN_CHUNK = 65_536
#: Share of passing rows above which a filtered search scans the whole matrix.
_PICK_SHARE = 0.5
#: Share of deleted rows at which a commit compacts the matrix.
COMPACT_SHARE = 0.1


def top(sims: Array, k: int) -> npt.NDArray[np.int64]:
    """Row numbers of the ``k`` highest finite scores, best first (ties: lower row)."""
    k = min(k, int(np.isfinite(sims).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-sims, k - 1)[:k]
    order = np.lexsort((part, -sims[part]))
    return part[order].astype(np.int64)


def encode_ids(values: Iterable[str]) -> npt.NDArray[np.bytes_]:
    """Ids as a fixed-width UTF-8 byte array (compact, sortable, memory-mappable)."""
    data = [v.encode("utf-8") for v in values]
    return np.array(data, dtype=np.bytes_) if data else np.zeros(0, dtype="S1")


def _cat_bytes(parts: Sequence[npt.NDArray[np.bytes_]]) -> npt.NDArray[np.bytes_]:
    kept = [p for p in parts if len(p)]
    if not kept:
        return np.zeros(0, dtype="S1")
    width = max(p.dtype.itemsize for p in kept)
    return np.concatenate([p.astype(f"S{width}") for p in kept])


def _find(
    sorted_ids: npt.NDArray[np.bytes_],
    order: npt.NDArray[np.int64],
    extra: Mapping[str, int],
    ids: Sequence[str],
) -> dict[str, int]:
    """Row of each id: added rows by dictionary, snapshot rows by binary search."""
    found: dict[str, int] = {}
    if len(sorted_ids) and ids:
        keys = encode_ids(ids)
        pos = np.minimum(np.searchsorted(sorted_ids, keys), len(sorted_ids) - 1)
        hit = sorted_ids[pos] == keys
        for i, ok in enumerate(hit.tolist()):
            if ok:
                found[ids[i]] = int(order[pos[i]])
    for pid in ids:
        if pid in extra:
            found[pid] = extra[pid]
    return found


@dataclass(frozen=True)
class Rows:
    """One immutable state of an :class:`ExactVectors`, swapped whole on commit.

    Rows ``0 … len(base)-1`` come from a snapshot (possibly memory-mapped float16),
    later rows were added in memory (float32). Deleted rows stay as tombstones
    (``alive`` false) until a compaction, so row numbers stay stable for a graph
    built over them. ``sorted_ids``/``order`` look base ids up by binary search;
    ``extra`` maps the ids of added rows.
    """

    dim: int
    base: Any  # (n_base, dim) float16 or float32, possibly a read-only memmap
    delta: Vector  # (n_delta, dim) float32
    ids: npt.NDArray[np.bytes_]
    sids: npt.NDArray[np.bytes_]
    tiers: npt.NDArray[np.int8]
    alive: npt.NDArray[np.bool_]
    sorted_ids: npt.NDArray[np.bytes_]
    order: npt.NDArray[np.int64]
    extra: dict[str, int]
    #: Row sets derived on first use (per tier, sources sorted): filtered searches then
    #: touch only the rows they may return, never an array as long as the library.
    _derived: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @classmethod
    def empty(cls, dim: int) -> Rows:
        """No rows."""
        none = np.zeros(0, dtype="S1")
        return cls(
            dim,
            np.zeros((0, dim), np.float32),
            np.zeros((0, dim), np.float32),
            none,
            none,
            np.zeros(0, np.int8),
            np.zeros(0, np.bool_),
            none,
            np.zeros(0, np.int64),
            {},
        )

    @property
    def total(self) -> int:
        """Rows including tombstones."""
        return len(self.ids)

    def count(self) -> int:
        """Live rows."""
        return int(self.alive.sum())

    def rows_of(self, ids: Sequence[str]) -> list[int]:
        """Live row of each id that has one (in the given order)."""
        found = _find(self.sorted_ids, self.order, self.extra, ids)
        return [found[p] for p in ids if p in found and self.alive[found[p]]]

    def id_of(self, row: int) -> str:
        """The id of a row."""
        return bytes(self.ids[row]).decode("utf-8")

    def block(self, rows: npt.NDArray[np.int64]) -> Vector:
        """The float32 vectors of some rows."""
        n_base = len(self.base)
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        in_base = rows < n_base
        if in_base.any():
            out[in_base] = self.base[rows[in_base]]
        if (~in_base).any():
            out[~in_base] = self.delta[rows[~in_base] - n_base]
        return out

    def matrix(self) -> Vector:
        """Every row's vector as one float32 matrix (a copy unless already float32)."""
        base = np.asarray(self.base, dtype=np.float32)
        if not len(self.delta):
            return np.ascontiguousarray(base)
        return np.ascontiguousarray(np.concatenate([base, self.delta]))

    def scan(self, q: Vector) -> Array:
        """Cosine of ``q`` with every row (tombstones included; the caller masks)."""
        parts: list[Array] = []
        if self.base.dtype == np.float32:
            parts.append(self.base @ q)
        else:  # a float16 matrix scanned in place, a chunk at a time
            for start in range(0, len(self.base), _SCAN_CHUNK):
                chunk = np.asarray(self.base[start : start + _SCAN_CHUNK], dtype=np.float32)
                parts.append(chunk @ q)
        parts.append(self.delta @ q)
        return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)

    def _tier_rows(self, code: int) -> npt.NDArray[np.int64]:
        key = f"tier:{code}"
        if key not in self._derived:
            self._derived[key] = np.flatnonzero(self.tiers == code).astype(np.int64)
        rows: npt.NDArray[np.int64] = self._derived[key]
        return rows

    def _source_rows(self, source_ids: Iterable[str]) -> npt.NDArray[np.int64]:
        if "sid_order" not in self._derived:
            order = np.argsort(self.sids, kind="stable").astype(np.int64)
            self._derived["sid_order"] = order
            self._derived["sid_sorted"] = self.sids[order]
        order, ranked = self._derived["sid_order"], self._derived["sid_sorted"]
        keys = encode_ids(sorted(set(source_ids)))
        if not len(keys) or not len(ranked):
            return np.zeros(0, np.int64)
        lo = np.searchsorted(ranked, keys, side="left")
        hi = np.searchsorted(ranked, keys, side="right")
        parts = [order[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def passing(self, filters: Filters) -> npt.NDArray[np.int64] | None:
        """Sorted live rows that pass ``filters``, or None when every live row does.

        Tier and source filters are answered from row sets kept per state, so a
        filtered search costs what it returns, not the library's size.
        """
        if filters.tiers is None and filters.source_ids is None:
            return None
        rows: npt.NDArray[np.int64] | None = None
        if filters.tiers is not None:
            codes = sorted({_TIER_CODE[t] for t in filters.tiers if t in _TIER_CODE})
            parts = [self._tier_rows(c) for c in codes]
            rows = np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        if filters.source_ids is not None:
            by_source = self._source_rows(filters.source_ids)
            rows = by_source if rows is None else np.intersect1d(rows, by_source)
        assert rows is not None
        return rows[self.alive[rows]] if len(rows) else rows

    def allowed(self, filters: Filters) -> npt.NDArray[np.bool_]:
        """Live rows that pass ``filters``."""
        keep = self.alive.copy()
        if filters.tiers is not None:
            wanted = [_TIER_CODE[t] for t in filters.tiers if t in _TIER_CODE]
            keep &= np.isin(self.tiers, wanted)
        if filters.source_ids is not None:
            keep &= np.isin(self.sids, encode_ids(filters.source_ids))
        return keep

    def allowed_rows(self, filters: Filters, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Which of ``rows`` are live and pass ``filters``."""
        keep = np.asarray(self.alive[rows], dtype=np.bool_).copy()
        if filters.tiers is not None:
            wanted = [_TIER_CODE[t] for t in filters.tiers if t in _TIER_CODE]
            keep &= np.isin(self.tiers[rows], wanted)
        if filters.source_ids is not None:
            keep &= np.isin(self.sids[rows], encode_ids(filters.source_ids))
        return keep

    def compacted(self) -> Rows:
        """The live rows only, all in memory (float32)."""
        live = np.flatnonzero(self.alive)
        ids = [self.id_of(int(r)) for r in live]
        return Rows(
            self.dim,
            np.zeros((0, self.dim), np.float32),
            self.block(live.astype(np.int64)),
            self.ids[live],
            self.sids[live],
            self.tiers[live],
            np.ones(len(live), np.bool_),
            np.zeros(0, dtype="S1"),
            np.zeros(0, np.int64),
            {pid: i for i, pid in enumerate(ids)},
        )


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
                flat_alive &= ~np.isin(_cat_bytes(sids), encode_ids(arg))
                alive = [flat_alive]
            else:
                new_ids, new_vecs, new_sids, new_tiers = arg
                flat_alive = np.concatenate(alive)
                # An id added again without a delete: the newest row wins.
                stale = list(_find(sorted_ids, order, extra, new_ids).values())
                flat_alive[np.array(stale, dtype=np.int64)] = False
                alive = [flat_alive]
                start = len(flat_alive)
                for i, pid in enumerate(new_ids):
                    extra[pid] = start + i
                ids.append(encode_ids(new_ids))
                sids.append(encode_ids(new_sids))
                tiers.append(np.array([_TIER_CODE.get(t, -1) for t in new_tiers], np.int8))
                alive.append(np.ones(len(new_ids), np.bool_))
                delta.append(new_vecs.reshape(len(new_ids), self.dim))
        self._pending.clear()
        state = Rows(
            self.dim,
            base,
            np.ascontiguousarray(np.concatenate(delta), dtype=np.float32),
            _cat_bytes(ids),
            _cat_bytes(sids),
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


def exact_scores(s: Rows, vector: Vector, filters: Filters, rows: Sequence[int] | None) -> Array:
    """Cosine with every live row passing ``filters`` (or only ``rows``); others −inf."""
    q = np.asarray(vector, dtype=np.float32)
    if rows is None:
        picked = s.passing(filters)
        if picked is None or len(picked) > _PICK_SHARE * s.total:  # one scan of all
            keep = s.allowed(filters)
            with single_thread():
                sims = s.scan(q)
            return np.where(keep, sims, -np.inf).astype(np.float32)
    else:
        picked = np.array(sorted(set(rows)), dtype=np.int64)
        picked = picked[s.allowed_rows(filters, picked)] if len(picked) else picked
    sims = np.full(s.total, -np.inf, dtype=np.float32)
    if len(picked):
        sims[picked] = _score_rows(s, picked, q)
    return sims


def _score_rows(s: Rows, picked: npt.NDArray[np.int64], q: Vector) -> Array:
    # Only the rows that can be returned are read: a mapped float16 matrix is never
    # read whole for a candidate set or a small tier.
    with single_thread():
        return (s.block(picked) @ q).astype(np.float32)


def best_rows(
    s: Rows, picked: npt.NDArray[np.int64], q: Vector, k: int, filters: Filters | None = None
) -> list[ScoredId]:
    """Exact top ``k`` among some rows (live rows passing ``filters``, when given)."""
    if filters is not None and len(picked):
        picked = picked[s.allowed_rows(filters, picked)]
    if not len(picked):
        return []
    part = _score_rows(s, picked, q)
    return [ScoredId(float(part[i]), s.id_of(int(picked[i]))) for i in top(part, k)]


def search_rows(
    s: Rows, vector: Vector, k: int, filters: Filters, among: Iterable[str] | None
) -> list[ScoredId]:
    """Exact top ``k`` over one state (``among``: only those ids)."""
    if k <= 0 or not s.total:
        return []
    q = np.asarray(vector, dtype=np.float32)
    if among is not None:  # candidates only: no array as long as the library
        picked = np.array(sorted(set(s.rows_of(list(among)))), dtype=np.int64)
        return best_rows(s, picked, q, k, filters)
    passing = s.passing(filters)
    if passing is not None and len(passing) <= _PICK_SHARE * s.total:
        return best_rows(s, passing, q, k)
    sims = exact_scores(s, q, filters, None)
    return [ScoredId(float(sims[r]), s.id_of(int(r))) for r in top(sims, k)]


_FILES = ("vectors", "ids", "sids", "tiers", "alive", "sorted_ids", "order")
#: Files a delta snapshot shares with the one it was written beside (hard links).
_BASE_FILES = ("vectors", "ids", "sids", "tiers", "sorted_ids", "order")
#: Arrays of the rows added since those base files were written.
_DELTA_FILES = ("vectors", "ids", "sids", "tiers")
_BASE_INFO = "base.json"
#: Added rows, as a share of the base rows, up to which a snapshot is published as
#: links to the base files plus the added rows (beyond it, everything is rewritten).
DELTA_SHARE = 0.1


@dataclass(frozen=True)
class BaseFiles:
    """The row files of a full snapshot write: an id, and how many rows they hold.

    Later snapshots link to the same files and add only what changed, so that
    publishing after a small ingest costs what the ingest added, not the library.
    """

    id: str
    rows: int


def base_files(folder: Path) -> BaseFiles | None:
    """The base files a snapshot folder holds (None: none recorded, or damaged)."""
    try:
        data = json.loads((folder / _BASE_INFO).read_text("utf-8"))
        return BaseFiles(str(data["id"]), int(data["rows"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_rows(s: Rows, folder: Path) -> BaseFiles:
    """Write a state as ``.npy`` files (vectors as float16), streaming the matrix;
    they become the base files later delta snapshots link to."""
    out = np.lib.format.open_memmap(
        folder / "vectors.npy", mode="w+", dtype=np.float16, shape=(s.total, s.dim)
    )
    n_base = len(s.base)
    for start in range(0, n_base, _SCAN_CHUNK):
        stop = min(n_base, start + _SCAN_CHUNK)
        out[start:stop] = s.base[start:stop]
    if len(s.delta):
        out[n_base:] = s.delta
    out.flush()
    del out
    live = np.flatnonzero(s.alive)
    order = live[np.argsort(s.ids[live], kind="stable")].astype(np.int64)
    np.save(folder / "ids.npy", s.ids)
    np.save(folder / "sids.npy", s.sids)
    np.save(folder / "tiers.npy", s.tiers)
    np.save(folder / "alive.npy", s.alive)
    np.save(folder / "sorted_ids.npy", s.ids[order])
    np.save(folder / "order.npy", order)
    base = BaseFiles(uuid.uuid4().hex, s.total)
    (folder / _BASE_INFO).write_text(json.dumps({"id": base.id, "rows": base.rows}), "utf-8")
    return base


def save_delta(
    s: Rows, folder: Path, previous: Path, base: BaseFiles, shared: Sequence[str] = ()
) -> bool:
    """Write a state as links to ``previous``'s base files plus the rows added since
    (and the current tombstone mask); False, with ``folder`` left empty, when that
    cannot be done (other base files there, too many added rows, no hard links).

    ``shared`` names more files of ``previous`` to link (a graph over the base rows).
    Row numbers stay as they were, so the base files describe rows ``0 … base.rows-1``
    exactly; the caller guarantees that ``s`` numbers its rows that way.
    """
    added = s.total - base.rows
    if base_files(previous) != base or added < 0 or added > DELTA_SHARE * base.rows:
        return False
    names = [f"{n}.npy" for n in _BASE_FILES] + [_BASE_INFO, *shared]
    linked: list[Path] = []
    try:
        for name in names:
            os.link(previous / name, folder / name)
            linked.append(folder / name)
    except OSError:  # another file system, or the previous files went away
        for path in linked:
            path.unlink(missing_ok=True)
        return False
    rows = np.arange(base.rows, s.total, dtype=np.int64)
    np.save(folder / "delta_vectors.npy", s.block(rows).astype(np.float16))
    np.save(folder / "delta_ids.npy", s.ids[base.rows :])
    np.save(folder / "delta_sids.npy", s.sids[base.rows :])
    np.save(folder / "delta_tiers.npy", s.tiers[base.rows :])
    np.save(folder / "alive.npy", s.alive)
    return True


def load_rows_file(folder: Path, dim: int) -> Rows:
    """Open a state written by :func:`save_rows` or :func:`save_delta`: base arrays
    memory-mapped, added rows and the tombstone mask read (they are small)."""
    # Plain ndarray views of the maps: indexing a np.memmap one element at a time
    # (ids of results) costs several times more than indexing the same memory as an array.
    arrays = {name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r")) for name in _FILES}
    n_base = len(arrays["ids"])
    added: dict[str, Any] = {name: np.zeros(0) for name in _DELTA_FILES}
    if (folder / "delta_ids.npy").exists():
        added = {name: np.load(folder / f"delta_{name}.npy") for name in _DELTA_FILES}
    n_added = len(added["ids"])
    total = n_base + n_added
    vectors = arrays["vectors"]
    if (
        vectors.shape != (n_base, dim)
        or any(len(arrays[n]) != n_base for n in ("sids", "tiers"))
        or len(arrays["alive"]) != total
        or (n_added and added["vectors"].shape != (n_added, dim))
        or any(len(added[n]) != n_added for n in ("sids", "tiers"))
    ):
        raise ValueError(f"{folder}: vector snapshot arrays disagree in length")
    if not n_added:
        return Rows(
            dim,
            vectors,
            np.zeros((0, dim), np.float32),
            arrays["ids"],
            arrays["sids"],
            arrays["tiers"],
            np.array(arrays["alive"], dtype=np.bool_),
            arrays["sorted_ids"],
            arrays["order"],
            {},
        )
    new_ids = [bytes(v).decode("utf-8") for v in added["ids"]]
    return Rows(
        dim,
        vectors,
        np.ascontiguousarray(added["vectors"], dtype=np.float32),
        _cat_bytes([arrays["ids"], added["ids"]]),
        _cat_bytes([arrays["sids"], added["sids"]]),
        np.concatenate([arrays["tiers"], added["tiers"]]).astype(np.int8),
        np.array(arrays["alive"], dtype=np.bool_),
        arrays["sorted_ids"],
        arrays["order"],
        {pid: n_base + i for i, pid in enumerate(new_ids)},
    )


def open_exact(directory: Path | None, **_options: object) -> ExactVectors:
    """Entry-point factory: an empty exact index, filled by the sync layer."""
    return ExactVectors()
