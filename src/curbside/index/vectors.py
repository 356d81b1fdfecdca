"""Passage embeddings: stored in SQLite, searched exactly with numpy.

Vectors live in the library's ``embeddings(text_hash, model, vector)`` table as
float16 blobs keyed by the passage text hash, so re-ingesting unchanged text never
re-embeds it, and two passages with the same text share one vector. For search,
all vectors of current passages are loaded once into a float32 matrix cached per
process; the cache is keyed by the library's change sequence and a dense version
stamp in ``meta``, so any process that adds vectors invalidates the others' copies.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from curbside.embed.blas import single_thread
from curbside.embed.minilm import HIDDEN, Array
from curbside.models import TIERS
from curbside.store import Library

#: ``meta`` key changed whenever vectors are added, so cached matrices reload.
DENSE_STAMP = "retrieve.dense_stamp"
_EMBED_BATCH = 256


@dataclass(frozen=True)
class Matrix:
    """Unit vectors of every embedded passage, with their ids and tier codes."""

    ids: list[str]
    vectors: npt.NDArray[np.float32]
    tiers: npt.NDArray[np.int8]
    row: dict[str, int]


_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], tuple[tuple[int, str | None], Matrix]] = {}


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


def _load(lib: Library, model: str) -> Matrix:
    rows = lib.conn.execute(
        "SELECT p.id, s.tier, e.vector FROM passages p"
        " JOIN embeddings e ON e.text_hash = p.text_hash AND e.model = ?"
        " JOIN sources s ON s.id = p.source_id ORDER BY p.rowid",
        (model,),
    ).fetchall()
    ids = [str(r[0]) for r in rows]
    tier_code = {t: i for i, t in enumerate(TIERS)}
    tiers = np.array([tier_code.get(r[1], -1) for r in rows], dtype=np.int8)
    if rows:
        flat = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float16)
        vectors = flat.reshape(len(rows), HIDDEN).astype(np.float32)
    else:
        vectors = np.zeros((0, HIDDEN), dtype=np.float32)
    return Matrix(ids, vectors, tiers, {pid: i for i, pid in enumerate(ids)})


def matrix(lib: Library, model: str) -> Matrix:
    """The process-wide matrix for this library and model, reloaded when stale."""
    key = (str(lib.path.resolve()) if str(lib.path) != ":memory:" else str(id(lib)), model)
    stamp = (lib.last_change(), lib.meta_get(DENSE_STAMP))
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    loaded = _load(lib, model)
    with _LOCK:
        _CACHE[key] = (stamp, loaded)
    return loaded


def forget(lib: Library) -> None:
    """Drop this library's cached matrices (after a rebuild)."""
    path = str(lib.path.resolve()) if str(lib.path) != ":memory:" else str(id(lib))
    with _LOCK:
        for key in [k for k in _CACHE if k[0] == path]:
            del _CACHE[key]


def scores(
    m: Matrix,
    query: Array,
    tiers: Sequence[str] | None = None,
    rows: npt.NDArray[np.int64] | None = None,
) -> Array:
    """Cosine similarity of ``query`` with every row, or only with ``rows`` (others
    −inf); rows outside ``tiers`` are −inf too."""
    q = query.astype(np.float32)
    with single_thread():
        if rows is None:
            sims: Array = m.vectors @ q
        else:
            sims = np.full(len(m.ids), -np.inf, dtype=np.float32)
            sims[rows] = m.vectors[rows] @ q
    if tiers:
        wanted = [TIERS.index(t) for t in tiers if t in TIERS]  # type: ignore[arg-type]
        sims = np.where(np.isin(m.tiers, wanted), sims, -np.inf).astype(np.float32)
    return sims


def top(sims: Array, k: int) -> npt.NDArray[np.int64]:
    """Row numbers of the ``k`` highest finite scores, best first."""
    k = min(k, int(np.isfinite(sims).sum()))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-sims, k - 1)[:k]
    return part[np.argsort(-sims[part], kind="stable")].astype(np.int64)
