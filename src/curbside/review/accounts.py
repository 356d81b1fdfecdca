"""Reviewer and admin accounts: argon2 password hashes, sessions, login throttling."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from curbside.errors import ReviewError
from curbside.review import audit
from curbside.store import Library
from curbside.store import accounts as rows

Role = Literal["reviewer", "admin"]
ROLES: tuple[Role, ...] = ("reviewer", "admin")

#: Failed logins allowed per (user name, client) within the window.
MAX_FAILURES = 5
#: Failed logins allowed per client (any user names) within the window.
MAX_CLIENT_FAILURES = 20
FAILURE_WINDOW_SECONDS = 15 * 60
SESSION_HOURS = 12
MIN_PASSWORD_LENGTH = 10
#: Longest user name (and client key) stored or logged.
MAX_NAME_CHARS = 64
MAX_PASSWORD_CHARS = 1024
#: Password checks that may run at once in one process (argon2 uses tens of MB each).
VERIFY_SLOTS = 2
THROTTLED_MESSAGE = "too many failed logins; try again later"

_hasher = PasswordHasher()
_VERIFY_SLOTS = threading.BoundedSemaphore(VERIFY_SLOTS)
_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


class TooManyAttempts(ReviewError):
    """The login throttle refused to check the password at all."""


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


def bounded(text: str, limit: int = MAX_NAME_CHARS) -> str:
    """``text`` made safe to store: control characters replaced, at most ``limit`` characters.

    Login forms are anonymous, and the audit log is append-only, so whatever a visitor
    types as a user name must be clipped before it is stored or logged.
    """
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in text[: limit + 1])
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _valid_username(username: str) -> bool:
    return (
        0 < len(username) <= MAX_NAME_CHARS
        and username.replace("-", "").replace("_", "").replace(".", "").isalnum()
        and username.isascii()
    )


def add_user(lib: Library, username: str, password: str, role: Role, *, actor: str = "cli") -> User:
    """Create an account; refuses weak passwords, unknown roles and taken names."""
    username = username.strip()
    if not _valid_username(username):
        raise ReviewError("username must be 1–64 letters, digits, '.', '-' or '_'")
    if role not in ROLES:
        raise ReviewError(f"role must be one of {', '.join(ROLES)}")
    check_password(password)
    with lib.transaction() as conn:
        if rows.find_user(conn, username) is not None:
            raise ReviewError(f"user {username!r} already exists")
        user_id = rows.insert_user(conn, username, _hasher.hash(password), role, audit.now())
        audit.record(conn, actor, "user.add", detail=f"{username} ({role})")
    return User(user_id, username, role)


def check_password(password: str) -> None:
    """Refuse a password that is too short or too long to be a sensible passphrase."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ReviewError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ReviewError(f"password must be at most {MAX_PASSWORD_CHARS} characters")


def remove_user(lib: Library, username: str, *, actor: str = "cli") -> None:
    """Delete an account and its sessions."""
    with lib.transaction() as conn:
        if not rows.delete_user(conn, username):
            raise ReviewError(f"no user {bounded(username)!r}")
        audit.record(conn, actor, "user.remove", detail=username)


def set_password(lib: Library, username: str, password: str, *, actor: str = "cli") -> None:
    """Change a password and end the user's sessions."""
    check_password(password)
    with lib.transaction() as conn:
        found = rows.find_user(conn, username)
        if found is None:
            raise ReviewError(f"no user {bounded(username)!r}")
        rows.replace_password(conn, found.id, _hasher.hash(password))
        audit.record(conn, actor, "user.passwd", detail=found.username)


def list_users(lib: Library) -> list[User]:
    """All accounts, by name."""
    return [User(i, name, role) for i, name, role in rows.all_users(lib.conn)]  # type: ignore[arg-type]


def _dummy_hash() -> str:
    """A hash made with the current hasher's parameters, to verify against for unknown names.

    Checking a password for a name that does not exist then costs as much as for one
    that does, so response times do not reveal which user names exist.
    """
    key = _hasher.time_cost, _hasher.memory_cost, _hasher.parallelism
    cached = _DUMMY_HASHES.get(key)
    if cached is None:
        cached = _DUMMY_HASHES[key] = _hasher.hash(secrets.token_urlsafe(24))
    return cached


def _verify(password_hash: str, password: str) -> bool:
    # A few argon2 checks at a time: each takes tens of MB, and a burst of logins must
    # not be able to exhaust the server's memory.
    with _VERIFY_SLOTS:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def _reserve(lib: Library, name: str, client: str) -> int:
    """Count recent failures and, if trying is allowed, record this attempt: atomically.

    The count and the new ledger row are written in one ``BEGIN IMMEDIATE`` transaction,
    so parallel tries are serialised here: the sixth of forty simultaneous guesses sees
    the five before it. The row counts as a failure until the password is verified.
    """
    now = time.time()
    since = now - FAILURE_WINDOW_SECONDS
    with lib.transaction() as conn:
        rows.forget_attempts_before(conn, since)
        counts = rows.count_attempts(conn, name, client, since)
        if counts.client >= MAX_CLIENT_FAILURES or counts.pair >= MAX_FAILURES:
            raise TooManyAttempts(THROTTLED_MESSAGE)
        if counts.user >= MAX_FAILURES and counts.client > 0:
            # The name is under attack: only a client with a clean record may try (so the
            # real owner on a fresh client can still sign in), and one failure ends that.
            raise TooManyAttempts(THROTTLED_MESSAGE)
        return rows.reserve_attempt(conn, name, client, now)


def login(lib: Library, username: str, password: str, *, client: str = "unknown") -> Session:
    """Check a password and open a session; raises :class:`ReviewError` on failure.

    Throttled per (user name, client), per client and per user name: see :func:`_reserve`.
    A correct password from a client without recent failures is never refused. Names
    and client keys are clipped before they are stored or logged.
    """
    name = bounded(username.strip())
    client_key = bounded(client)
    if len(password) > MAX_PASSWORD_CHARS:
        password = password[: MAX_PASSWORD_CHARS + 1]  # still wrong, but cheap to hash
    attempt = _reserve(lib, name, client_key)
    found = rows.find_user(lib.conn, name) if _valid_username(name) else None
    ok = _verify(found.password_hash if found else _dummy_hash(), password)
    ok = ok and found is not None
    session: Session | None = None
    with lib.transaction() as conn:
        if ok and found is not None:
            rows.mark_attempt_ok(conn, attempt)
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            expires = (datetime.now(UTC) + timedelta(hours=SESSION_HOURS)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
            rows.insert_session(conn, _hash_token(token), found.id, csrf, audit.now(), expires)
            audit.record(conn, found.username, "login", detail=client_key)
            user = User(found.id, found.username, found.role)  # type: ignore[arg-type]
            session = Session(token, csrf, user)
        else:
            audit.record(conn, name or "?", "login.failed", detail=client_key)
    if session is None:
        raise ReviewError("wrong username or password")
    return session


def session_for(lib: Library, token: str | None) -> Session | None:
    """The live session for a cookie token, or None (expired or unknown)."""
    if not token or len(token) > 256:
        return None
    row = rows.find_session(lib.conn, _hash_token(token))
    if row is None or row[1] < audit.now():
        return None
    csrf, _, user_id, name, role = row
    return Session(token, csrf, User(user_id, name, role))  # type: ignore[arg-type]


def logout(lib: Library, token: str) -> None:
    """End a session."""
    with lib.transaction() as conn:
        rows.delete_session(conn, _hash_token(token))
