"""Reviewer and admin accounts: argon2 password hashes, sessions, login rate limiting."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from curbside.errors import ReviewError
from curbside.review import audit
from curbside.store import Library

Role = Literal["reviewer", "admin"]
ROLES: tuple[Role, ...] = ("reviewer", "admin")

#: Failed logins allowed per username within the window before further tries are refused.
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60
SESSION_HOURS = 12
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """A signed-in reviewer or admin."""

    id: int
    username: str
    role: Role

    @property
    def can_review(self) -> bool:
        """Reviewers and admins may change an article's status."""
        return self.role in ("reviewer", "admin")

    @property
    def is_admin(self) -> bool:
        """Only admins manage users."""
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    """A login session: the raw token goes in the cookie, only its hash is stored."""

    token: str
    csrf_token: str
    user: User


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(lib: Library, username: str, password: str, role: Role, *, actor: str = "cli") -> User:
    """Create an account; refuses weak passwords, unknown roles and taken names."""
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or not username.replace("-", "").replace("_", "").replace(".", "").isalnum()
    ):
        raise ReviewError("username must be 1–64 letters, digits, '.', '-' or '_'")
    if role not in ROLES:
        raise ReviewError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ReviewError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    with lib.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise ReviewError(f"user {username!r} already exists")
        cur = conn.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            (username, _hasher.hash(password), role, audit.now()),
        )
        audit.record(conn, actor, "user.add", detail=f"{username} ({role})")
    return User(int(cur.lastrowid or 0), username, role)


def remove_user(lib: Library, username: str, *, actor: str = "cli") -> None:
    """Delete an account and its sessions."""
    with lib.transaction() as conn:
        cur = conn.execute("DELETE FROM users WHERE username = ?", (username,))
        if not cur.rowcount:
            raise ReviewError(f"no user {username!r}")
        audit.record(conn, actor, "user.remove", detail=username)


def set_password(lib: Library, username: str, password: str, *, actor: str = "cli") -> None:
    """Change a password and end the user's sessions."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ReviewError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    with lib.transaction() as conn:
        row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise ReviewError(f"no user {username!r}")
        conn.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (_hasher.hash(password), row[0])
        )
        conn.execute("DELETE FROM sessions WHERE user_id = ?", (row[0],))
        audit.record(conn, actor, "user.passwd", detail=username)


def list_users(lib: Library) -> list[User]:
    """All accounts, by name."""
    rows = lib.conn.execute("SELECT id, username, role FROM users ORDER BY username")
    return [User(r[0], r[1], r[2]) for r in rows]


def _recent_failures(lib: Library, username: str) -> int:
    since = time.time() - FAILURE_WINDOW_SECONDS
    row = lib.conn.execute(
        "SELECT count(*) FROM login_attempts WHERE username = ? AND at >= ? AND ok = 0",
        (username, since),
    ).fetchone()
    return int(row[0])


def login(lib: Library, username: str, password: str, *, client: str = "unknown") -> Session:
    """Check a password and open a session; raises :class:`ReviewError` on failure.

    After :data:`MAX_FAILURES` failed attempts for one username within the window, further
    attempts are refused without checking the password, which bounds guessing.
    """
    if _recent_failures(lib, username) >= MAX_FAILURES:
        raise ReviewError("too many failed logins; try again later")
    row = lib.conn.execute(
        "SELECT id, username, role, password_hash FROM users WHERE username = ?", (username,)
    ).fetchone()
    ok = False
    if row is not None:
        try:
            ok = _hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            ok = False
    session: Session | None = None
    with lib.transaction() as conn:
        conn.execute(
            "INSERT INTO login_attempts (username, client, at, ok) VALUES (?, ?, ?, ?)",
            (username, client, time.time(), int(ok)),
        )
        if ok and row is not None:
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            expires = (datetime.now(UTC) + timedelta(hours=SESSION_HOURS)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            conn.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (_hash_token(token), row["id"], csrf, audit.now(), expires),
            )
            audit.record(conn, row["username"], "login", detail=client)
            session = Session(token, csrf, User(row["id"], row["username"], row["role"]))
        else:
            audit.record(conn, username or "?", "login.failed", detail=client)
    if session is None:
        raise ReviewError("wrong username or password")
    return session


def session_for(lib: Library, token: str | None) -> Session | None:
    """The live session for a cookie token, or None (expired or unknown)."""
    if not token:
        return None
    row = lib.conn.execute(
        "SELECT s.csrf_token, s.expires_at, u.id, u.username, u.role FROM sessions s"
        " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        (_hash_token(token),),
    ).fetchone()
    if row is None or row["expires_at"] < audit.now():
        return None
    return Session(token, row["csrf_token"], User(row["id"], row["username"], row["role"]))


def logout(lib: Library, token: str) -> None:
    """End a session."""
    with lib.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash_token(token),))
