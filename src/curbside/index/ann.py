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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from curbside.index.base import NO_FILTERS, Filters, ScoredId, Vector
from curbside.index.row_files import base_files, load_rows_file, save_delta, save_rows
from curbside.index.rows import Rows, best_rows, search_rows
from curbside.index.snapshot import prefetch
from curbside.index.vectors import ExactVectors

#: Graph degree and build breadth.
HNSW_M = 32
EF_CONSTRUCTION = 80
#: Search breadth. Measured on 1M stand-in vectors (`bench scale`, docs/benchmarks.md):
#: recall@10 vs exact 0.845 at 128, 0.892 at 256, 0.968 at 512 (7.9 ms a search), no
#: better at 1024; 128 had sufficed at 20k (0.954).
EF_SEARCH = 512
#: Below this many allowed rows, a filtered search scans them exactly.
EXACT_BELOW = 20_000


#: Rows added after the graph was built that are scored exactly, beside the graph,
#: before a commit adds them to it.
DELTA_LIMIT = 20_000
#: Share of deleted rows at which the graph is rebuilt (HNSW cannot remove nodes).
REBUILD_SHARE = 0.2
GRAPH_FILE = "hnsw.faiss"
#: OpenMP threads for graph builds. One by default: on a small shared machine faiss's
#: thread pool spins against other processes and a build took 268 s instead of seconds.
#: A dedicated build (the scale benchmark's) may raise it.
BUILD_THREADS = 1


@dataclass(frozen=True)
class _View:
    rows: Rows
    graph: Any
    covered: int  # rows 0 … covered-1 are in the graph


class AnnVectors:
    """HNSW over inner product; see the module docstring.

    The graph covers the first ``covered`` rows; rows added later are scored exactly
    until :data:`DELTA_LIMIT` of them are waiting, then added to the graph. Deleted
    rows stay in the graph as tombstones and are skipped; past :data:`REBUILD_SHARE`
    of the rows the graph is rebuilt. A loaded snapshot's graph is memory-mapped.
    """

    snapshot_kind = "ann-hnsw-v1"

    def __init__(self, dim: int = 384, *, m: int = HNSW_M, ef_search: int = EF_SEARCH) -> None:
        self.exact = ExactVectors(dim, materialize=False, compact=False)
        self.dim = dim
        self.m = m
        self.ef_search = ef_search
        self.view = _View(self.exact.state, None, 0)
        self._cleared = False
        self._graph_file: Path | None = None
        #: Rows of the published graph file when the graph in memory is that graph
        #: (a snapshot can then link to it instead of writing it again).
        self._graph_rows: int | None = None

    @property
    def graph(self) -> Any:
        """The faiss graph (None before the first commit)."""
        return self.view.graph

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
        self._cleared = True

    def _new_graph(self, rows: Rows) -> Any:
        graph = faiss.IndexHNSWFlat(self.dim, self.m, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = EF_CONSTRUCTION
        graph.hnsw.efSearch = self.ef_search
        _add_rows(graph, rows, 0, rows.total)
        return graph

    def _writable(self, view: _View) -> Any:
        """The graph in memory (a memory-mapped one is read whole first)."""
        if self._graph_file is None:
            return view.graph
        graph: Any = faiss.read_index(str(self._graph_file))
        graph.hnsw.efSearch = self.ef_search
        self._graph_file = None
        return graph

    def _settle(self, rows: Rows, view: _View, *, full: bool) -> _View:
        """The view for ``rows``: rebuilt, extended or as it is."""
        faiss.omp_set_num_threads(BUILD_THREADS)
        dead = rows.total - rows.count()
        if view.graph is None or self._cleared or (dead and dead >= REBUILD_SHARE * rows.total):
            if dead:
                rows = rows.compacted()
                self.exact.adopt(rows, self.exact.applied_seq)  # renumbered: no base files
            self._graph_file = None
            self._graph_rows = None
            return _View(rows, self._new_graph(rows), rows.total)
        waiting = rows.total - view.covered
        if waiting and (full or waiting >= DELTA_LIMIT):
            graph = self._writable(view)
            _add_rows(graph, rows, view.covered, rows.total)
            self._graph_rows = None
            return _View(rows, graph, rows.total)
        return _View(rows, view.graph, view.covered)

    def commit(self, seq: int) -> None:
        """Apply staged rows; the graph is extended, or rebuilt when it must be."""
        self.exact.commit(seq)
        self.view = self._settle(self.exact.state, self.view, full=False)
        self._cleared = False

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
        view = self.view
        rows = view.rows
        if k <= 0 or not rows.total or view.graph is None:
            return []
        if among is not None:
            return search_rows(rows, vector, k, filters, among)
        dead = rows.total - rows.count()
        passing = rows.passing(filters)
        if passing is not None and len(passing) < EXACT_BELOW:
            return search_rows(rows, vector, k, filters, None)
        q = np.asarray(vector, dtype=np.float32).reshape(1, self.dim)
        found: list[ScoredId] = []
        if view.covered:
            narrowed = passing is not None or dead
            fetch = min(view.covered, k * 4 + dead if narrowed else k)
            scores, picked = view.graph.search(q, fetch)
            keep = _members(picked[0], passing, rows)
            for score, row, ok in zip(scores[0], picked[0], keep, strict=True):
                if not ok:
                    continue
                found.append(ScoredId(float(score), rows.id_of(int(row))))
                if len(found) == k:
                    break
            if len(found) < k and len(found) < _in_graph(rows, passing, view.covered):
                # The filter removed too much of what the graph offered: score exactly.
                return search_rows(rows, vector, k, filters, None)
        if view.covered < rows.total:  # rows not in the graph yet: scored exactly
            waiting = np.arange(view.covered, rows.total, dtype=np.int64)
            found.extend(best_rows(rows, waiting, q[0], k, filters))
            found = sorted(found, key=lambda h: (-h.score, h.id))[:k]
        return found

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """The stored vector of each known id."""
        return self.exact.vectors_of(ids)

    # -- persistence ---------------------------------------------------------------

    def save(self, folder: Path, previous: Path | None = None) -> None:
        """Write the rows and the graph to ``folder``.

        When the graph is still the one ``previous`` holds and few rows were added
        since, the snapshot links to ``previous``'s graph and rows and adds only the
        new rows (scored exactly until a later commit puts them in the graph);
        otherwise every row goes into the graph and everything is written.
        """
        view, base = self.view, self.exact.base
        if (
            previous is not None
            and base is not None
            and self._graph_rows == base.rows == view.covered
            and save_delta(view.rows, folder, previous, base, shared=(GRAPH_FILE,))
        ):
            return
        self.view = self._settle(self.exact.state, self.view, full=True)
        base = save_rows(self.view.rows, folder)
        faiss.write_index(self.view.graph, str(folder / GRAPH_FILE))
        self.exact.adopt(self.view.rows, self.exact.applied_seq, base)
        self._graph_rows = base.rows

    def load(self, folder: Path, seq: int) -> None:
        """Replace the contents with a snapshot: rows and graph memory-mapped."""
        rows = load_rows_file(folder, self.dim)
        base = base_files(folder)
        path = folder / GRAPH_FILE
        graph: Any = faiss.read_index(str(path), _MMAP_FLAG)
        if graph.ntotal != (rows.total if base is None else base.rows) or graph.d != self.dim:
            raise ValueError(f"{path}: graph and rows disagree")
        graph.hnsw.efSearch = self.ef_search
        self.exact.adopt(rows, seq, base)
        self._graph_file = path
        self._graph_rows = int(graph.ntotal)
        self.view = _View(rows, graph, int(graph.ntotal))
        prefetch([path, folder / "vectors.npy"])


#: Memory-map the stored vectors of a flat-coded index (faiss ≥ 1.9), else read it.
_MMAP_FLAG = int(getattr(faiss, "IO_FLAG_MMAP_IFC", 0))


def _members(picked: Any, passing: Any, rows: Rows) -> list[bool]:
    """Which graph results may be returned: real rows, live, and passing the filters."""
    found = np.asarray(picked, dtype=np.int64)
    ok = found >= 0
    ok[ok] = rows.alive[found[ok]]
    if passing is not None:
        ok &= np.isin(found, passing)
    return [bool(x) for x in ok]


def _in_graph(rows: Rows, passing: Any, covered: int) -> int:
    """How many rows the graph covers that a search may return."""
    if passing is None:
        return int(rows.alive[:covered].sum())
    return int(np.searchsorted(passing, covered))


def _add_rows(graph: Any, rows: Rows, start: int, stop: int) -> None:
    for lo in range(start, stop, 50_000):
        hi = min(stop, lo + 50_000)
        graph.add(rows.block(np.arange(lo, hi, dtype=np.int64)))


def open_ann(directory: Path | None, **_options: object) -> AnnVectors:
    """Entry-point factory: an empty HNSW index, filled by the sync layer."""
    return AnnVectors()
