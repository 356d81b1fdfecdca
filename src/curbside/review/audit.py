"""The append-only audit log: who did what to which article, when, on which library."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    at: str
    actor: str
    action: str
    article_id: str | None
    detail: str | None
    library_fingerprint: str | None


def now() -> str:
    """The current UTC time as an ISO-8601 string with seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record(
    conn: sqlite3.Connection,
    actor: str,
    action: str,
    *,
    article_id: str | None = None,
    detail: str | None = None,
    fingerprint: str | None = None,
) -> None:
    """Append an entry (inside the caller's transaction, so it commits with the change)."""
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, article_id, detail, library_fingerprint)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (now(), actor, action, article_id, detail, fingerprint),
    )


def entries(
    conn: sqlite3.Connection, article_id: str | None = None, limit: int = 200
) -> list[AuditEntry]:
    """Newest entries first, optionally only those about one article."""
    sql = "SELECT at, actor, action, article_id, detail, library_fingerprint FROM audit_log"
    args: tuple[object, ...] = ()
    if article_id is not None:
        sql += " WHERE article_id = ?"
        args = (article_id,)
    rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))
    return [AuditEntry(*row) for row in rows]
