"""The approximate vector backend (``ann``): a faiss HNSW graph over the exact rows.

HNSW was chosen over IVF-PQ because it needs no training pass, keeps full-precision
vectors (recall@10 against exact search is what the tests and the benchmark check),
and its search cost grows with log(n). Rows are kept in an :class:`ExactVectors`
beside the graph: ``among`` searches (scoring a known candidate set), ``vectors_of``
and heavily filtered searches use the exact rows, so only the open top-k search is
approximate. Needs the ``scale`` extra (faiss-cpu).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from curbside.index.base import NO_FILTERS, Filters, ScoredId, Vector
from curbside.index.vectors import ExactVectors

#: Graph degree and search breadth: M 32 / efSearch 128 kept recall@10 ≥ 0.95 on
#: random and MiniLM vectors in the scale benchmark.
HNSW_M = 32
EF_CONSTRUCTION = 80
EF_SEARCH = 128
#: Below this many allowed rows, a filtered search scans them exactly.
EXACT_BELOW = 20_000


class AnnVectors:
    """HNSW over inner product; see the module docstring."""

    def __init__(self, dim: int = 384, *, m: int = HNSW_M, ef_search: int = EF_SEARCH) -> None:
        self.exact = ExactVectors(dim)
        self.dim = dim
        self.m = m
        self.ef_search = ef_search
        self.graph: Any = None

    @property
    def applied_seq(self) -> int:
        """The change sequence reflected (-1 until loaded)."""
        return self.exact.applied_seq

    def add(
        self, ids: Sequence[str], vectors: Vector, sources: Sequence[str], tiers: Sequence[str]
    ) -> None:
        """Stage rows (unit length)."""
        self.exact.add(ids, vectors, sources, tiers)

    def delete(self, source_ids: Iterable[str]) -> None:
        """Stage the removal of these sources' rows."""
        self.exact.delete(source_ids)

    def clear(self) -> None:
        """Stage the removal of every row."""
        self.exact.clear()

    def commit(self, seq: int) -> None:
        """Apply staged rows and rebuild the graph (HNSW cannot remove nodes)."""
        # One OpenMP thread: on a small shared machine faiss's thread pool spins
        # against other processes and a build took 268 s instead of seconds.
        faiss.omp_set_num_threads(1)
        self.exact.commit(seq)
        graph = faiss.IndexHNSWFlat(self.dim, self.m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = EF_CONSTRUCTION
        graph.hnsw.efSearch = self.ef_search
        if self.exact.count():
            graph.add(self.exact.vectors)
        self.graph = graph

    def count(self) -> int:
        """Number of vectors."""
        return self.exact.count()

    def search(
        self,
        vector: Vector,
        k: int,
        filters: Filters = NO_FILTERS,
        among: Iterable[str] | None = None,
    ) -> list[ScoredId]:
        """Approximate top ``k`` (exact when ``among`` is given or few rows pass)."""
        if k <= 0 or not self.exact.count() or self.graph is None:
            return []
        if among is not None:
            return self.exact.search(vector, k, filters, among)
        allowed = self.exact.count()
        if filters != NO_FILTERS:
            allowed = int(
                np.isfinite(self.exact._mask(np.zeros(allowed, np.float32), filters)).sum()
            )
            if allowed < EXACT_BELOW:
                return self.exact.search(vector, k, filters)
        fetch = min(self.exact.count(), k if filters == NO_FILTERS else k * 4)
        q = np.asarray(vector, dtype=np.float32).reshape(1, self.dim)
        scores, rows = self.graph.search(q, fetch)
        out: list[ScoredId] = []
        mask = (
            None
            if filters == NO_FILTERS
            else self.exact._mask(np.zeros(self.exact.count(), np.float32), filters)
        )
        for score, row in zip(scores[0], rows[0], strict=True):
            if row < 0 or (mask is not None and not np.isfinite(mask[row])):
                continue
            out.append(ScoredId(float(score), self.exact.ids[int(row)]))
            if len(out) == k:
                break
        if len(out) < min(k, allowed):  # the filter removed too much: fall back to exact
            return self.exact.search(vector, k, filters)
        return out

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """The stored vector of each known id."""
        return self.exact.vectors_of(ids)


def open_ann(directory: Path | None, **_options: object) -> AnnVectors:
    """Entry-point factory: an empty HNSW index, filled by the sync layer."""
    return AnnVectors()
