"""Keeping derived indexes in step with the SQLite library.

SQLite is the source of truth; the tantivy index and the embeddings are derived.
The lexical index replays the library's ``changes`` log from the last sequence it
applied (recorded beside the index and in ``meta``), so an ingest of ten documents
re-indexes ten documents. A missing, damaged or outdated index (other analyzer or
schema version) is rebuilt from SQLite — never the other way round.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from curbside.index.tantivy import IndexedPassage, LexicalIndex, title_is_derived
from curbside.store import Library
from curbside.text.analyzer import ANALYZER_VERSION

#: Bump when the lexical schema or what is indexed changes.
LEXICAL_VERSION = 1
META_SEQ = "retrieve.lexical_seq"
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


class LexicalState:
    """The lexical index of one library plus the change sequence it reflects."""

    def __init__(self, lib: Library) -> None:
        root = derived_dir(lib)
        self.dir = None if root is None else root / "tantivy"
        self.state_file = None if root is None else root / "lexical.json"
        self.seq = -1
        self.index: LexicalIndex | None = None
        self.lock = threading.Lock()

    def _read_seq(self) -> int:
        if self.state_file is None or not self.state_file.is_file():
            return -1
        try:
            data = json.loads(self.state_file.read_text("utf-8"))
        except (OSError, ValueError):
            return -1
        if data.get("analyzer") != ANALYZER_VERSION or data.get("schema") != LEXICAL_VERSION:
            return -1
        return int(data.get("seq", -1))

    def _write_seq(self, seq: int) -> None:
        self.seq = seq
        if self.state_file is None:
            return
        tmp = self.state_file.with_suffix(f".{os.getpid()}.tmp")
        payload = {"seq": seq, "analyzer": ANALYZER_VERSION, "schema": LEXICAL_VERSION}
        tmp.write_text(json.dumps(payload), "utf-8")
        os.replace(tmp, self.state_file)

    def open(self) -> bool:
        """Open the index; False when it must be rebuilt (missing, damaged, outdated)."""
        seq = self._read_seq()
        if self.index is None:
            try:
                self.index = LexicalIndex(self.dir)
            except ValueError:
                self.reset()
                return False
        if seq < 0:
            return False
        self.seq = seq
        self.index.reload()
        return True

    def reset(self) -> None:
        """Delete the on-disk index and start an empty one."""
        self.index = None
        if self.dir is not None and self.dir.exists():
            shutil.rmtree(self.dir)
        if self.state_file is not None and self.state_file.exists():
            self.state_file.unlink()
        self.index = LexicalIndex(self.dir)
        self.seq = -1


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


def rebuild_lexical(lib: Library, state: LexicalState) -> tuple[int, int]:
    """Drop and rebuild the lexical index from SQLite; returns (passages, seq)."""
    seq = lib.last_change()
    state.reset()
    assert state.index is not None
    n = 0
    try:
        for batch in iter_all(lib):
            n += state.index.add(batch)
        state.index.commit()
    except BaseException:
        state.index.rollback()
        raise
    state._write_seq(seq)
    lib.meta_set(META_SEQ, str(seq))
    return n, seq


def update_lexical(lib: Library, state: LexicalState) -> tuple[int, int, int]:
    """Replay changes since the index's sequence; returns (indexed, removed, seq)."""
    assert state.index is not None
    changes = lib.changes_since(state.seq)
    if not changes:
        return 0, 0, state.seq
    latest: dict[str, str] = {}
    for change in changes:
        latest.pop(change.source_id, None)
        latest[change.source_id] = change.op
    sids = list(latest)
    try:
        for sid in sids:
            state.index.delete_source(sid)
        fresh = passages_of(lib, sids)
        indexed = state.index.add(fresh)
        state.index.commit()
    except BaseException:
        state.index.rollback()
        raise
    present = {p.sid for p in fresh}
    seq = changes[-1].seq
    state._write_seq(seq)
    lib.meta_set(META_SEQ, str(seq))
    return indexed, len([s for s in sids if s not in present]), seq
