"""API tokens: stored hashed, scoped, revocable; JWT ids remembered for replay checks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from curbside.store import Library
from curbside.store.tokens import (
    TokenError,
    add_token,
    list_tokens,
    remember_jti,
    revoke_token,
    verify_token,
)


@pytest.fixture
def lib(library_path: Path) -> Library:
    return Library.open(library_path)


def test_a_token_is_shown_once_and_stored_only_as_a_hash(lib: Library) -> None:
    secret, token = add_token(lib, "ehr-bridge", ["ask"])
    assert secret.startswith(f"cst_{token.prefix}_") and len(secret) > 40
    assert token.scopes == ("ask",) and token.active
    dump = "\n".join(lib.conn.iterdump())
    assert secret not in dump and secret.split("_", 2)[2] not in dump
    assert verify_token(lib, secret).name == "ehr-bridge"
    assert list_tokens(lib)[0].last_used_at is not None


def test_revoked_tokens_stop_working_at_once(lib: Library) -> None:
    secret, _ = add_token(lib, "old-client", ["ask", "read"])
    revoked = revoke_token(lib, "old-client")
    assert not revoked.active
    with pytest.raises(TokenError, match="revoked"):
        verify_token(lib, secret)
    with pytest.raises(TokenError, match="already revoked"):
        revoke_token(lib, "old-client")
    with pytest.raises(TokenError, match="no token named"):
        revoke_token(lib, "never-made")
    assert [t.name for t in list_tokens(lib)] == ["old-client"]


@pytest.mark.parametrize(
    ("name", "scopes", "message"),
    [
        ("", ["ask"], "token name"),
        ("has space", ["ask"], "token name"),
        ("x" * 65, ["ask"], "token name"),
        ("ok", [], "at least one scope"),
        ("ok", ["admin"], "unknown scope"),
    ],
)
def test_bad_token_requests_are_refused(
    lib: Library, name: str, scopes: list[str], message: str
) -> None:
    with pytest.raises(TokenError, match=message):
        add_token(lib, name, scopes)
    assert list_tokens(lib) == []


def test_names_are_unique(lib: Library) -> None:
    add_token(lib, "client", ["ask"])
    with pytest.raises(TokenError, match="exists already"):
        add_token(lib, "CLIENT", ["read"])


@pytest.mark.parametrize(
    "secret",
    ["", "cst_", "cst_abcdefgh_short", "Bearer x", "cst_abcdefgh_" + "A" * 43, "\x00" * 60],
)
def test_wrong_or_malformed_secrets_are_refused(lib: Library, secret: str) -> None:
    add_token(lib, "client", ["ask"])
    with pytest.raises(TokenError):
        verify_token(lib, secret)


def test_jti_replay_is_detected_per_issuer(lib: Library) -> None:
    later = time.time() + 300
    assert remember_jti(lib, "https://ehr-a.example.org", "id-1", later)
    assert not remember_jti(lib, "https://ehr-a.example.org", "id-1", later)
    assert remember_jti(lib, "https://ehr-b.example.org", "id-1", later)


def test_expired_jtis_are_swept(lib: Library) -> None:
    assert remember_jti(lib, "iss", "old", time.time() - 1)
    assert remember_jti(lib, "iss", "new", time.time() + 300)
    # The expired id is gone (a replay of it fails on exp instead).
    assert remember_jti(lib, "iss", "old", time.time() + 300)
