"""SQL for accounts: users, sessions and the login-attempt ledger the throttle counts.

The rules (who may try, what a password must look like) live in ``review.accounts``;
this module only reads and writes rows, always on the connection it is given so that a
caller can group several calls into one transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class UserRow:
    """A stored account, including its password hash."""

    id: int
    username: str
    role: str
    password_hash: str


@dataclass(frozen=True)
class AttemptCounts:
    """Unsuccessful (or still unverified) login attempts within the throttle window."""

    #: By this client for this user name.
    pair: int
    #: By this client for any user name.
    client: int
    #: For this user name from any client.
    user: int


def find_user(conn: sqlite3.Connection, username: str) -> UserRow | None:
    """The account with this name (case-insensitive), or None."""
    row = conn.execute(
        "SELECT id, username, role, password_hash FROM users WHERE username = ?", (username,)
    ).fetchone()
    return UserRow(int(row[0]), str(row[1]), str(row[2]), str(row[3])) if row else None


def insert_user(
    conn: sqlite3.Connection, username: str, password_hash: str, role: str, created_at: str
) -> int:
    """Add an account; returns its id."""
    cur = conn.execute(
        "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
        (username, password_hash, role, created_at),
    )
    return int(cur.lastrowid or 0)


def delete_user(conn: sqlite3.Connection, username: str) -> bool:
    """Remove an account (its sessions go with it); False when there was none."""
    return conn.execute("DELETE FROM users WHERE username = ?", (username,)).rowcount > 0


def replace_password(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    """Store a new hash and end every session of the account."""
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
    conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))


def all_users(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(id, name, role) of every account, by name."""
    rows = conn.execute("SELECT id, username, role FROM users ORDER BY username")
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def forget_attempts_before(conn: sqlite3.Connection, cutoff: float) -> None:
    """Drop ledger rows older than the throttle window (they no longer count)."""
    conn.execute("DELETE FROM login_attempts WHERE at < ?", (cutoff,))


def count_attempts(
    conn: sqlite3.Connection, username: str, client: str, since: float
) -> AttemptCounts:
    """Attempts since ``since`` that have not succeeded, by pair, by client and by user."""
    row = conn.execute(
        "SELECT"
        " coalesce(sum(username = ? AND client = ?), 0),"
        " coalesce(sum(client = ?), 0),"
        " coalesce(sum(username = ?), 0)"
        " FROM login_attempts WHERE at >= ? AND ok = 0",
        (username, client, client, username, since),
    ).fetchone()
    return AttemptCounts(int(row[0]), int(row[1]), int(row[2]))


def reserve_attempt(conn: sqlite3.Connection, username: str, client: str, at: float) -> int:
    """Record an attempt as unsuccessful until proven otherwise; returns its id."""
    cur = conn.execute(
        "INSERT INTO login_attempts (username, client, at, ok) VALUES (?, ?, ?, 0)",
        (username, client, at),
    )
    return int(cur.lastrowid or 0)


def mark_attempt_ok(conn: sqlite3.Connection, attempt_id: int) -> None:
    """The reserved attempt had the right password."""
    conn.execute("UPDATE login_attempts SET ok = 1 WHERE id = ?", (attempt_id,))


def insert_session(
    conn: sqlite3.Connection,
    token_hash: str,
    user_id: int,
    csrf_token: str,
    created_at: str,
    expires_at: str,
) -> None:
    """Open a session (only the token's hash is stored)."""
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (token_hash, user_id, csrf_token, created_at, expires_at),
    )


def find_session(
    conn: sqlite3.Connection, token_hash: str
) -> tuple[str, str, int, str, str] | None:
    """(csrf token, expiry, user id, user name, role) for a session, or None."""
    row = conn.execute(
        "SELECT s.csrf_token, s.expires_at, u.id, u.username, u.role FROM sessions s"
        " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        (token_hash,),
    ).fetchone()
    if row is None:
        return None
    return str(row[0]), str(row[1]), int(row[2]), str(row[3]), str(row[4])


def delete_session(conn: sqlite3.Connection, token_hash: str) -> None:
    """End a session."""
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))
