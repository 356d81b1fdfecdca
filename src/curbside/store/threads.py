"""Conversation threads stored in the library (tables ``threads`` and ``turns``).

A thread is a sequence of turns; each turn keeps the question as asked, the query
it was resolved to (pronouns and ellipsis filled in from earlier turns) and the
answer as JSON, so a conversation can be replayed and audited.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Turn:
    """One question and answer in a thread."""

    ordinal: int
    question: str
    resolved_query: str
    answer_json: str | None
    created_at: str


@dataclass(frozen=True)
class Thread:
    """A conversation: its id, title and creation time."""

    id: str
    created_at: str
    title: str | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_thread_id() -> str:
    """A fresh, short, random thread id."""
    return uuid.uuid4().hex[:12]


def ensure_thread(conn: sqlite3.Connection, thread_id: str, title: str | None = None) -> Thread:
    """The thread ``thread_id``, created (with ``title``) when it does not exist yet."""
    row = conn.execute(
        "SELECT id, created_at, title FROM threads WHERE id = ?", (thread_id,)
    ).fetchone()
    if row is not None:
        return Thread(row[0], row[1], row[2])
    created = _now()
    conn.execute(
        "INSERT INTO threads (id, created_at, title) VALUES (?, ?, ?)", (thread_id, created, title)
    )
    return Thread(thread_id, created, title)


def get_thread(conn: sqlite3.Connection, thread_id: str) -> Thread | None:
    """The thread with this id, or None."""
    row = conn.execute(
        "SELECT id, created_at, title FROM threads WHERE id = ?", (thread_id,)
    ).fetchone()
    return Thread(row[0], row[1], row[2]) if row else None


def list_threads(conn: sqlite3.Connection, limit: int = 50) -> list[Thread]:
    """The most recent threads first."""
    rows = conn.execute(
        "SELECT id, created_at, title FROM threads ORDER BY created_at DESC, id LIMIT ?", (limit,)
    )
    return [Thread(r[0], r[1], r[2]) for r in rows]


def turns(conn: sqlite3.Connection, thread_id: str) -> list[Turn]:
    """The turns of a thread in order."""
    rows = conn.execute(
        "SELECT ordinal, question, resolved_query, answer_json, created_at FROM turns "
        "WHERE thread_id = ? ORDER BY ordinal",
        (thread_id,),
    )
    return [Turn(r[0], r[1], r[2] or r[1], r[3], r[4]) for r in rows]


def add_turn(
    conn: sqlite3.Connection,
    thread_id: str,
    question: str,
    resolved_query: str,
    answer_json: str | None,
) -> Turn:
    """Append a turn to ``thread_id`` (creating the thread, titled by the question)."""
    created = _now()
    conn.execute("BEGIN IMMEDIATE")
    try:
        ensure_thread(conn, thread_id, title=question[:120])
        row = conn.execute(
            "SELECT coalesce(max(ordinal), 0) + 1 FROM turns WHERE thread_id = ?", (thread_id,)
        ).fetchone()
        ordinal = int(row[0])
        conn.execute(
            "INSERT INTO turns (thread_id, ordinal, question, resolved_query, answer_json, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (thread_id, ordinal, question, resolved_query, answer_json, created),
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return Turn(ordinal, question, resolved_query, answer_json, created)


def delete_thread(conn: sqlite3.Connection, thread_id: str) -> bool:
    """Delete a thread and (by cascade) its turns; True when it existed."""
    cur = conn.execute("DELETE FROM threads WHERE id = ?", (thread_id,))
    return cur.rowcount > 0
