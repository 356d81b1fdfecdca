"""Keeping derived indexes in step with the SQLite library.

SQLite is the source of truth; the tantivy index and the embeddings are derived.
The lexical index replays the library's ``changes`` log from the last sequence it
applied (recorded beside the index and in ``meta``), so an ingest of ten documents
re-indexes ten documents. A missing, damaged or outdated index (other analyzer or
schema version) is rebuilt from SQLite — never the other way round.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from curbside.index import snapshot
from curbside.index.base import IndexedPassage, LexicalIndex, VectorIndex
from curbside.index.vectors import dense_stamp, load_rows, rows_of_sources
from curbside.store import Library

META_SEQ = "retrieve.lexical_seq"
log = logging.getLogger("curbside.index")
_BATCH = 500


@dataclass(frozen=True)
class SyncReport:
    """What a sync or rebuild did."""

    seq: int
    indexed: int = 0
    removed: int = 0
    embedded: int = 0
    rebuilt: bool = False
    seconds: float = 0.0
    dense: str = "off"
    busy: bool = False


def derived_dir(lib: Library) -> Path | None:
    """``<library>.d/`` beside the database file (None for in-memory libraries)."""
    if str(lib.path) == ":memory:":
        return None
    return lib.path.with_name(lib.path.name + ".d")


def title_is_derived(title: str, first_text: str) -> bool:
    """True when a "title" is only the opening words of the text (JSONL/BEIR records).

    Indexing such a title would count the first sentence twice.
    """
    head = title.rstrip("…").strip()
    return bool(head) and first_text.lstrip().startswith(head)


class IndexBusy(Exception):
    """Another process is writing the derived indexes right now."""


@contextmanager
def writer_lock(lib: Library, wait_seconds: float) -> Iterator[None]:
    """Hold ``<library>.d/.lock`` while writing derived indexes.

    Only one process may rebuild or update at a time: a rebuild deletes the index
    directory first, which must never happen under another writer. Raises
    :class:`IndexBusy` when the lock is not free within ``wait_seconds``.
    """
    root = derived_dir(lib)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: tantivy's own lock still applies
        yield
        return
    if root is None:
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(f"{root} is being written by another process") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _rows_to_passages(rows: list[tuple[str, ...]], firsts: dict[str, str]) -> list[IndexedPassage]:
    out = []
    for pid, sid, tier, title, heading, text, ordinal in rows:
        if str(ordinal) == "0" or sid not in firsts:
            firsts[sid] = text
        shown = "" if title_is_derived(title, firsts[sid]) else title
        out.append(IndexedPassage(pid, sid, tier, shown, heading, text))
    return out


_PASSAGE_SQL = (
    "SELECT p.id, p.source_id, s.tier, s.title, p.section, p.text, p.ordinal"
    " FROM passages p JOIN sources s ON s.id = p.source_id"
)


def iter_all(lib: Library) -> Iterator[list[IndexedPassage]]:
    """Every passage of the library, in batches, in source/ordinal order."""
    cur = lib.conn.execute(_PASSAGE_SQL + " ORDER BY p.source_id, p.ordinal")
    firsts: dict[str, str] = {}
    while True:
        rows = cur.fetchmany(_BATCH)
        if not rows:
            return
        yield _rows_to_passages([tuple(r) for r in rows], firsts)
        if len(firsts) > 10_000:
            firsts = {k: firsts[k] for k in list(firsts)[-1:]}


def passages_of(lib: Library, sids: list[str]) -> list[IndexedPassage]:
    """The passages of the given sources that currently exist."""
    out: list[IndexedPassage] = []
    for i in range(0, len(sids), _BATCH):
        batch = sids[i : i + _BATCH]
        marks = ", ".join("?" * len(batch))
        rows = lib.conn.execute(
            _PASSAGE_SQL + f" WHERE p.source_id IN ({marks}) ORDER BY p.source_id, p.ordinal",
            batch,
        ).fetchall()
        out.extend(_rows_to_passages([tuple(r) for r in rows], {}))
    return out


def rebuild_lexical(lib: Library, index: LexicalIndex) -> tuple[int, int]:
    """Drop and rebuild the lexical index from SQLite; returns (passages, seq)."""
    seq = lib.last_change()
    index.clear()
    n = 0
    try:
        for batch in iter_all(lib):
            n += index.add(batch)
        index.commit(seq)
    except BaseException:
        index.rollback()
        raise
    lib.meta_set(META_SEQ, str(seq))
    return n, seq


def update_lexical(lib: Library, index: LexicalIndex) -> tuple[int, int, int]:
    """Replay changes since the index's sequence; returns (indexed, removed, seq)."""
    changes = lib.changes_since(index.applied_seq)
    if not changes:
        return 0, 0, index.applied_seq
    latest: dict[str, str] = {}
    for change in changes:
        latest.pop(change.source_id, None)
        latest[change.source_id] = change.op
    sids = list(latest)
    seq = changes[-1].seq
    try:
        index.delete(sids)
        fresh = passages_of(lib, sids)
        indexed = index.add(fresh)
        index.commit(seq)
    except BaseException:
        index.rollback()
        raise
    present = {p.sid for p in fresh}
    lib.meta_set(META_SEQ, str(seq))
    return indexed, len([s for s in sids if s not in present]), seq


def sync_lexical(lib: Library, index: LexicalIndex) -> tuple[int, int, int, bool]:
    """Rebuild when the index is empty or outdated, else replay; (indexed, removed,
    seq, rebuilt). The caller holds :func:`writer_lock`."""
    index.reload()
    if index.applied_seq < 0:
        n, seq = rebuild_lexical(lib, index)
        return n, 0, seq, True
    indexed, removed, seq = update_lexical(lib, index)
    return indexed, removed, seq, False


@runtime_checkable
class PersistentVectors(Protocol):
    """A vector backend that can write itself beside the library and open it again."""

    snapshot_kind: str

    def save(self, folder: Path, previous: Path | None = None) -> None:
        """Write every file of the current contents into the empty ``folder``;
        ``previous`` is the published snapshot, whose unchanged files it may link."""
        ...

    def load(self, folder: Path, seq: int) -> None:
        """Replace the contents with what :meth:`save` wrote (memory-mapped where it can)."""
        ...


#: Changed sources above which a vector index is reloaded whole rather than patched.
INCREMENTAL_LIMIT = 100_000


class VectorSync:
    """Keeps one vector index in step with the library's embeddings.

    A process starts from the snapshot published beside the library (memory-mapped,
    no SQL), then replays the change log since that snapshot: only changed sources
    (and sources that were waiting for vectors, when the dense stamp moved) are
    re-read. Without a usable snapshot, or after a :meth:`forget`, every vector is
    read from SQLite once. The writer of the library (``Retriever.sync``) calls
    :meth:`persist` after embedding, so the next process starts from a current
    snapshot.
    """

    def __init__(self, index: VectorIndex, model: str) -> None:
        self.index = index
        self.model = model
        self.stamp: tuple[int, str | None] | None = None
        self.pending: set[str] = set()
        self.lock = threading.Lock()
        self.use_snapshot = True
        #: How the index was last brought up to date ("snapshot", "incremental", "full").
        self.last_load = ""

    def _persistent(self) -> PersistentVectors | None:
        return self.index if isinstance(self.index, PersistentVectors) else None

    def _name(self) -> str:
        index = self._persistent()
        return f"{self.model}.{index.snapshot_kind}" if index is not None else self.model

    def current(self, lib: Library) -> VectorIndex:
        """The index, brought up to date first when the library moved on."""
        stamp = dense_stamp(lib)
        with self.lock:
            if stamp != self.stamp:
                self._catch_up(lib, stamp)
        return self.index

    def _catch_up(self, lib: Library, stamp: tuple[int, str | None]) -> None:
        if self.stamp is None and self.use_snapshot:
            self._open_snapshot(lib)
        if self.stamp == stamp:
            return
        if self.stamp is None or not self._patch(lib, stamp):
            self._reload(lib, stamp)

    def _open_snapshot(self, lib: Library) -> None:
        index, root = self._persistent(), derived_dir(lib)
        if index is None or root is None:
            return
        snap = snapshot.current(root / "vectors", self._name(), index.snapshot_kind, self.model)
        if snap is None:
            return
        try:
            index.load(snap.folder, snap.meta.seq)
        except (OSError, ValueError, RuntimeError) as err:  # damaged: read SQLite instead
            log.warning("vector snapshot %s unusable (%s); reloading", snap.folder, err)
            return
        self.stamp = (snap.meta.seq, snap.meta.stamp)
        self.pending = set(snap.meta.pending)
        self.last_load = "snapshot"

    def _patch(self, lib: Library, stamp: tuple[int, str | None]) -> bool:
        """Apply changes since the loaded state; False when a reload is cheaper or needed."""
        assert self.stamp is not None
        if stamp[0] < self.stamp[0]:
            return False  # the change log went backwards: another library file
        changed = {c.source_id for c in lib.changes_since(self.stamp[0])}
        if stamp[1] != self.stamp[1]:
            changed |= self.pending
        if len(changed) > INCREMENTAL_LIMIT:
            return False
        ordered = sorted(changed)
        fresh = rows_of_sources(lib, self.model, ordered)
        self.index.delete(ordered)
        if fresh.ids:
            self.index.add(fresh.ids, fresh.vectors(), fresh.sids, fresh.tiers)
        self.index.commit(stamp[0])
        self.pending = (self.pending - changed) | fresh.pending
        self.stamp = stamp
        self.last_load = "incremental"
        return True

    def _reload(self, lib: Library, stamp: tuple[int, str | None]) -> None:
        rows = load_rows(lib, self.model)
        self.index.clear()
        self.index.add(rows.ids, rows.vectors(), rows.sids, rows.tiers)
        self.index.commit(stamp[0])
        self.pending = rows.pending
        self.stamp = stamp
        self.last_load = "full"

    def persist(self, lib: Library, wait_seconds: float = 120.0) -> bool:
        """Publish the index beside the library when the published snapshot is behind;
        True when one was written. Holds the writer lock while writing."""
        index, root = self._persistent(), derived_dir(lib)
        if index is None or root is None:
            return False
        name = self._name()
        with self.lock:
            # Catching up (a graph build, at worst) needs no writer lock: the snapshot
            # records the state it reflects, whatever the library did meanwhile.
            stamp = dense_stamp(lib)
            if stamp != self.stamp:
                self._catch_up(lib, stamp)
        with writer_lock(lib, wait_seconds), self.lock:
            if self.stamp is None:  # forgotten meanwhile: the next sync writes
                return False
            stamp = self.stamp
            published = snapshot.current(root / "vectors", name, index.snapshot_kind, self.model)
            if published is not None and (published.meta.seq, published.meta.stamp) == stamp:
                return False
            meta = snapshot.SnapshotMeta(
                seq=stamp[0],
                stamp=stamp[1],
                kind=index.snapshot_kind,
                model=self.model,
                rows=self.index.count(),
                pending=frozenset(self.pending),
            )
            previous = published.folder if published is not None else None
            snapshot.publish(root / "vectors", name, meta, lambda d: index.save(d, previous))
            self.use_snapshot = True
            return True

    def forget(self, lib: Library | None = None) -> None:
        """Force a reload from SQLite on next use (after a rebuild); with ``lib``, the
        published snapshot is discarded too."""
        with self.lock:
            self.stamp = None
            self.use_snapshot = False
            root = derived_dir(lib) if lib is not None else None
            if root is not None:
                snapshot.discard(root / "vectors", self._name())
