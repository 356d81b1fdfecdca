"""Accounts: hashed passwords, sessions, rate-limited login, admin-only user management."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.errors import ReviewError
from curbside.review import accounts
from curbside.store import Library


@pytest.fixture
def lib(library_path: Path) -> Library:
    return Library.open(library_path)


def test_password_is_stored_hashed_with_argon2(lib: Library) -> None:
    accounts.add_user(lib, "ada", "a long passphrase", "admin")
    stored = lib.conn.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2") and "a long passphrase" not in stored


def test_login_opens_a_session_and_logout_ends_it(lib: Library) -> None:
    accounts.add_user(lib, "ada", "a long passphrase", "reviewer")
    session = accounts.login(lib, "ada", "a long passphrase")
    found = accounts.session_for(lib, session.token)
    assert (
        found is not None
        and found.user.username == "ada"
        and found.csrf_token == session.csrf_token
    )
    stored = lib.conn.execute("SELECT token_hash FROM sessions").fetchone()[0]
    assert stored != session.token
    accounts.logout(lib, session.token)
    assert accounts.session_for(lib, session.token) is None


def test_wrong_password_and_unknown_user_fail_alike(lib: Library) -> None:
    accounts.add_user(lib, "ada", "a long passphrase", "reviewer")
    for user, pw in (("ada", "wrong password!"), ("nobody", "whatever123")):
        with pytest.raises(ReviewError, match="wrong username or password"):
            accounts.login(lib, user, pw)


def test_login_is_rate_limited(lib: Library) -> None:
    accounts.add_user(lib, "ada", "a long passphrase", "reviewer")
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(ReviewError):
            accounts.login(lib, "ada", "bad guess 000")
    with pytest.raises(ReviewError, match="too many"):
        accounts.login(lib, "ada", "a long passphrase")


@pytest.mark.parametrize(
    ("name", "password", "role", "message"),
    [
        ("ok", "short", "reviewer", "at least"),
        ("bad name!", "a long passphrase", "reviewer", "username"),
        ("ok", "a long passphrase", "owner", "role"),
    ],
)
def test_add_user_validates(
    lib: Library, name: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(ReviewError, match=message):
        accounts.add_user(lib, name, password, role)  # type: ignore[arg-type]


def test_duplicate_user_and_password_change(lib: Library) -> None:
    accounts.add_user(lib, "ada", "a long passphrase", "reviewer")
    with pytest.raises(ReviewError, match="exists"):
        accounts.add_user(lib, "ADA", "another passphrase", "admin")
    session = accounts.login(lib, "ada", "a long passphrase")
    accounts.set_password(lib, "ada", "a new long passphrase")
    assert accounts.session_for(lib, session.token) is None
    assert accounts.login(lib, "ada", "a new long passphrase").user.role == "reviewer"
    accounts.remove_user(lib, "ada")
    assert accounts.list_users(lib) == []
