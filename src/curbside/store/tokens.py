"""API tokens for machine clients, and the JWT ids a CDS Hooks client has already used.

A token is shown once, when it is made (``cst_<prefix>_<secret>``); the library keeps only
its SHA-256 hash. The secret is 32 random bytes, so a fast hash is enough: there is no
password to guess, and a slow hash would cost every API call. A token carries scopes
(:data:`SCOPES`) and stays listed after it is revoked, so the audit trail keeps its name.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from curbside.errors import CurbsideError
from curbside.store.library import Library

#: What a token may do: ``ask`` questions (and export answers), ``read`` the library and articles.
SCOPES: tuple[str, ...] = ("ask", "read")

_PREFIX = "cst_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TOKEN = re.compile(r"^cst_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{20,100})$")


class TokenError(CurbsideError):
    """A token that cannot be made, found or used."""


@dataclass(frozen=True)
class ApiToken:
    """A token's stored facts (never its secret)."""

    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        """Whether the token is still accepted."""
        return self.revoked_at is None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _row(row: sqlite3.Row | tuple[object, ...]) -> ApiToken:
    name, prefix, scopes, created, used, revoked = tuple(row)
    return ApiToken(
        str(name),
        str(prefix),
        tuple(str(scopes).split()),
        str(created),
        None if used is None else str(used),
        None if revoked is None else str(revoked),
    )


def add_token(lib: Library, name: str, scopes: tuple[str, ...] | list[str]) -> tuple[str, ApiToken]:
    """Make a token; returns the secret (shown once) and its stored record."""
    if not _NAME.match(name):
        raise TokenError(
            f"token name {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    chosen = sorted(set(scopes))
    if not chosen:
        raise TokenError(f"give a token at least one scope ({', '.join(SCOPES)})")
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise TokenError(f"unknown scope(s) {', '.join(unknown)}; use {', '.join(SCOPES)}")
    prefix = "".join(secrets.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
    secret = f"{_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with lib.transaction() as conn:
        if conn.execute("SELECT 1 FROM api_tokens WHERE name = ?", (name,)).fetchone():
            raise TokenError(
                f"a token named {name!r} exists already (revoke it or pick a new name)"
            )
        conn.execute(
            "INSERT INTO api_tokens (name, token_hash, prefix, scopes, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, _hash(secret), prefix, " ".join(chosen), _now()),
        )
    token = get_token(lib, name)
    assert token is not None  # just inserted in a committed transaction
    return secret, token


def get_token(lib: Library, name: str) -> ApiToken | None:
    """The token with this name, or None."""
    row = lib.conn.execute(
        "SELECT name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_tokens"
        " WHERE name = ?",
        (name,),
    ).fetchone()
    return _row(row) if row else None


def list_tokens(lib: Library) -> list[ApiToken]:
    """Every token, revoked ones included, oldest first."""
    rows = lib.conn.execute(
        "SELECT name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_tokens"
        " ORDER BY id"
    )
    return [_row(r) for r in rows]


def revoke_token(lib: Library, name: str) -> ApiToken:
    """Stop accepting a token at once; revoking twice is an error, not a silent no-op."""
    with lib.transaction() as conn:
        cur = conn.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            (_now(), name),
        )
        if cur.rowcount != 1:
            known = conn.execute("SELECT 1 FROM api_tokens WHERE name = ?", (name,)).fetchone()
            raise TokenError(
                f"token {name!r} is already revoked" if known else f"no token named {name!r}"
            )
    token = get_token(lib, name)
    assert token is not None
    return token


def verify_token(lib: Library, secret: str) -> ApiToken:
    """The active token whose secret this is; :class:`TokenError` otherwise.

    The lookup is by hash, so the comparison never touches the secret itself.
    """
    if not _TOKEN.match(secret):
        raise TokenError("malformed API token")
    row = lib.conn.execute(
        "SELECT name, prefix, scopes, created_at, last_used_at, revoked_at FROM api_tokens"
        " WHERE token_hash = ?",
        (_hash(secret),),
    ).fetchone()
    if row is None:
        raise TokenError("unknown API token")
    token = _row(row)
    if not token.active:
        raise TokenError("this API token was revoked")
    # Recording last use is best effort: a busy library must not fail the request.
    try:
        with lib.transaction() as conn:
            conn.execute(
                "UPDATE api_tokens SET last_used_at = ? WHERE name = ?", (_now(), token.name)
            )
    except sqlite3.OperationalError:
        pass
    return token


def remember_jti(lib: Library, issuer: str, jti: str, expires_at: float) -> bool:
    """Record a JWT id; False when this issuer used it before (a replay).

    Ids are kept until their token expires (then a replay fails on ``exp`` anyway), so
    the table stays small; expired ids are swept on the way.
    """
    with lib.transaction() as conn:
        conn.execute("DELETE FROM cds_seen_jti WHERE expires_at < ?", (time.time(),))
        try:
            conn.execute(
                "INSERT INTO cds_seen_jti (issuer, jti, expires_at) VALUES (?, ?, ?)",
                (issuer, jti, expires_at),
            )
        except sqlite3.IntegrityError:
            return False
    return True
