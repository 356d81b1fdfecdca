"""Rows of vectors and exact search over them: one immutable state of a vector index.

A :class:`Rows` holds a snapshot's rows (possibly a memory-mapped float16 matrix) plus
rows added since, with tombstones for deleted ones, so that row numbers stay stable for
a graph built over them. Searches score exactly only the rows they may return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from curbside.embed.blas import single_thread
from curbside.embed.minilm import Array
from curbside.index.base import Filters, ScoredId, Vector
from curbside.models import TIERS

#: Tier name → the small code stored per row.
TIER_CODE = {t: i for i, t in enumerate(TIERS)}
#: Rows converted from float16 at a time when a stored matrix is scanned in place.
SCAN_CHUNK = 65_536
#: Share of passing rows above which a filtered search scans the whole matrix.
_PICK_SHARE = 0.5


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


def cat_bytes(parts: Sequence[npt.NDArray[np.bytes_]]) -> npt.NDArray[np.bytes_]:
    """Fixed-width byte arrays joined end to end (at the widest width among them)."""
    kept = [p for p in parts if len(p)]
    if not kept:
        return np.zeros(0, dtype="S1")
    width = max(p.dtype.itemsize for p in kept)
    return np.concatenate([p.astype(f"S{width}") for p in kept])


def find_rows(
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
        found = find_rows(self.sorted_ids, self.order, self.extra, ids)
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
            for start in range(0, len(self.base), SCAN_CHUNK):
                chunk = np.asarray(self.base[start : start + SCAN_CHUNK], dtype=np.float32)
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
            codes = sorted({TIER_CODE[t] for t in filters.tiers if t in TIER_CODE})
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
            wanted = [TIER_CODE[t] for t in filters.tiers if t in TIER_CODE]
            keep &= np.isin(self.tiers, wanted)
        if filters.source_ids is not None:
            keep &= np.isin(self.sids, encode_ids(filters.source_ids))
        return keep

    def allowed_rows(self, filters: Filters, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Which of ``rows`` are live and pass ``filters``."""
        keep = np.asarray(self.alive[rows], dtype=np.bool_).copy()
        if filters.tiers is not None:
            wanted = [TIER_CODE[t] for t in filters.tiers if t in TIER_CODE]
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
