"""Vector snapshots beside the library: written whole, published by one rename.

A vector backend that can persist itself writes its files (``.npy`` arrays, a faiss
graph) into a fresh temporary folder; :func:`publish` then renames the folder to a new
*generation* and points ``CURRENT`` at it (``os.replace``, atomic on POSIX). A crash
at any moment leaves either the old generation or the new one current, never a
half-written one. Readers that memory-mapped an older generation keep reading it:
removing a mapped file does not unmap it.

Layout: ``<library>.d/vectors/<name>/CURRENT`` and ``…/<name>/g-<id>/`` holding
``meta.json`` (the library change sequence and dense stamp the snapshot reflects)
and the backend's own files.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: Bumped when the snapshot layout changes; older snapshots are then ignored.
FORMAT = 1
_POINTER = "CURRENT"
_META = "meta.json"


@dataclass(frozen=True)
class SnapshotMeta:
    """What a snapshot reflects.

    ``seq`` and ``stamp`` are the library's change sequence and dense stamp when it was
    written; ``pending`` are sources that had passages without a vector then (so a
    later embedding run must revisit them).
    """

    seq: int
    stamp: str | None
    kind: str
    model: str
    rows: int
    pending: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> str:
        """The ``meta.json`` text."""
        return json.dumps(
            {
                "format": FORMAT,
                "seq": self.seq,
                "stamp": self.stamp,
                "kind": self.kind,
                "model": self.model,
                "rows": self.rows,
                "pending": sorted(self.pending),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> SnapshotMeta | None:
        """Parse ``meta.json``; None when it is damaged or of another format."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                return None
            stamp = data.get("stamp")
            return cls(
                seq=int(data["seq"]),
                stamp=None if stamp is None else str(stamp),
                kind=str(data["kind"]),
                model=str(data["model"]),
                rows=int(data["rows"]),
                pending=frozenset(str(s) for s in data.get("pending", [])),
            )
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class Snapshot:
    """A published generation: its folder and what it reflects."""

    folder: Path
    meta: SnapshotMeta


def _safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def home(root: Path, name: str) -> Path:
    """The folder holding every generation of snapshot ``name``."""
    return root / _safe_name(name)


def current(root: Path, name: str, kind: str, model: str) -> Snapshot | None:
    """The published snapshot, or None when there is none, it is damaged, or it was
    written by another backend kind or model."""
    base = home(root, name)
    try:
        generation = (base / _POINTER).read_text("utf-8").strip()
    except OSError:
        return None
    if not generation or "/" in generation or generation.startswith("."):
        return None
    folder = base / generation
    try:
        meta = SnapshotMeta.from_json((folder / _META).read_text("utf-8"))
    except OSError:
        return None
    if meta is None or meta.kind != kind or meta.model != model:
        return None
    return Snapshot(folder, meta)


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(root: Path, name: str, meta: SnapshotMeta, write: Callable[[Path], None]) -> Snapshot:
    """Write a new generation with ``write(folder)`` and make it current atomically.

    The caller holds the library's writer lock, so leftovers of crashed writers
    (``.tmp-*`` folders) and superseded generations can be removed here.
    """
    base = home(root, name)
    base.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    tmp = base / f".tmp-{token}"
    tmp.mkdir()
    try:
        write(tmp)
        (tmp / _META).write_text(meta.to_json(), "utf-8")
        _fsync_tree(tmp)
        final = base / f"g-{token}"
        os.rename(tmp, final)
        pointer = base / f".{_POINTER}.{token}"
        pointer.write_text(final.name, "utf-8")
        with pointer.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(pointer, base / _POINTER)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for old in base.iterdir():
        if old.is_dir() and old.name != final.name:
            shutil.rmtree(old, ignore_errors=True)
    return Snapshot(final, meta)


def discard(root: Path, name: str) -> None:
    """Forget the published snapshot (a rebuild follows); files go with the next publish."""
    with contextlib.suppress(FileNotFoundError):
        (home(root, name) / _POINTER).unlink()


def prefetch(paths: Iterable[Path]) -> None:
    """Read mapped files once, sequentially, in a background thread.

    A search maps its files and touches pages at random: on a cold page cache each
    ask of a fresh process would wait on hundreds of scattered reads (measured at
    1M passages: 8 s for the first ask, about 1 s for each of the next twenty). One
    sequential read, started here and not waited for, fills the page cache in
    seconds while the first answers are already being served. (``posix_fadvise``'s
    WILLNEED is only a hint: here it read 8 MB of a 1.7 GB graph.)
    """
    files = list(paths)
    threading.Thread(
        target=_read_through, args=(files,), name="curbside-prefetch", daemon=True
    ).start()


def _read_through(files: list[Path]) -> None:
    buffer = bytearray(_PREFETCH_CHUNK)
    for path in files:
        try:
            with path.open("rb", buffering=0) as fh:
                while fh.readinto(buffer):
                    pass
        except OSError:  # gone (a newer snapshot replaced it) or unreadable: skip
            continue


#: Bytes read per call when prefetching (the GIL is released during each read).
_PREFETCH_CHUNK = 8 << 20
