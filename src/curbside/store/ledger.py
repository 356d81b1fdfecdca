"""The bulk-ingest ledger: which archives are done, and how far a running one got.

Each archive is keyed by the SHA-256 of its bytes, so a renamed or copied file is
recognised and a file rewritten in place is not mistaken for the old one. Progress is
a record count (``done``) checkpointed in its own small transaction; a resumed run
skips that many records. Records between the last checkpoint and a kill are redone,
which is harmless: storing an unchanged document is a no-op and so is deleting an
absent one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from curbside.store.library import Library

LedgerStatus = Literal["running", "done", "failed"]


@dataclass
class LedgerEntry:
    """One archive's row: identity, progress and per-outcome counts."""

    sha256: str
    path: str
    size: int
    mtime_ns: int
    kind: str
    status: LedgerStatus = "running"
    done: int = 0
    stored: int = 0
    replaced: int = 0
    unchanged: int = 0
    deleted: int = 0
    refused: int = 0
    message: str | None = None


_COUNTS = ("done", "stored", "replaced", "unchanged", "deleted", "refused")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def known_hash(lib: Library, path: str, size: int, mtime_ns: int) -> str | None:
    """The hash recorded for a file at ``path`` with this size and mtime, if any.

    Lets a resumed run skip re-hashing archives it has already seen unchanged.
    """
    row = lib.conn.execute(
        "SELECT sha256 FROM bulk_files WHERE path = ? AND size = ? AND mtime_ns = ? LIMIT 1",
        (path, size, mtime_ns),
    ).fetchone()
    return str(row[0]) if row else None


def get_entry(lib: Library, sha256: str) -> LedgerEntry | None:
    """The ledger row for the archive with this content hash."""
    row = lib.conn.execute("SELECT * FROM bulk_files WHERE sha256 = ?", (sha256,)).fetchone()
    if row is None:
        return None
    return LedgerEntry(
        sha256=row["sha256"],
        path=row["path"],
        size=row["size"],
        mtime_ns=row["mtime_ns"],
        kind=row["kind"],
        status=row["status"],
        message=row["message"],
        **{name: int(row[name]) for name in _COUNTS},
    )


def save_entry(lib: Library, entry: LedgerEntry) -> None:
    """Insert or update ``entry`` in one transaction (a checkpoint)."""
    now = _now()
    with lib.transaction() as conn:
        conn.execute(
            "INSERT INTO bulk_files (sha256, path, size, mtime_ns, kind, done, stored, replaced,"
            " unchanged, deleted, refused, status, message, started_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sha256) DO UPDATE SET path = excluded.path, size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, done = excluded.done, stored = excluded.stored,"
            " replaced = excluded.replaced, unchanged = excluded.unchanged,"
            " deleted = excluded.deleted, refused = excluded.refused, status = excluded.status,"
            " message = excluded.message, updated_at = excluded.updated_at",
            (
                entry.sha256,
                entry.path,
                entry.size,
                entry.mtime_ns,
                entry.kind,
                *(getattr(entry, name) for name in _COUNTS),
                entry.status,
                entry.message,
                now,
                now,
            ),
        )


def entries(lib: Library) -> list[LedgerEntry]:
    """Every ledger row, oldest first."""
    rows = lib.conn.execute("SELECT sha256 FROM bulk_files ORDER BY started_at, path").fetchall()
    found = [get_entry(lib, str(r[0])) for r in rows]
    return [e for e in found if e is not None]


def label_version(lib: Library, set_id: str) -> int | None:
    """The SPL version number stored for label ``set_id``, if any."""
    row = lib.conn.execute(
        "SELECT version FROM label_versions WHERE set_id = ?", (set_id.lower(),)
    ).fetchone()
    return int(row[0]) if row else None


def record_label_version(lib: Library, set_id: str, version: int) -> None:
    """Remember that version ``version`` of label ``set_id`` is the one stored."""
    with lib.transaction() as conn:
        conn.execute(
            "INSERT INTO label_versions (set_id, version) VALUES (?, ?)"
            " ON CONFLICT (set_id) DO UPDATE SET version = excluded.version",
            (set_id.lower(), version),
        )
