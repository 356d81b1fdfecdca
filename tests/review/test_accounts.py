"""Accounts: hashed passwords, sessions, rate-limited login, admin-only user management."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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
            accounts.login(lib, "ada", "bad guess 000", client="10.0.0.66")
    with pytest.raises(accounts.TooManyAttempts, match="too many"):
        accounts.login(lib, "ada", "a long passphrase", client="10.0.0.66")


def test_an_attacker_cannot_lock_the_owner_out(lib: Library) -> None:
    accounts.add_user(lib, "ada", "a long passphrase", "reviewer")
    for n in range(accounts.MAX_FAILURES):
        with pytest.raises(ReviewError):
            accounts.login(lib, "ada", f"bad guess {n:03}", client="10.0.0.66")
    # The name is under attack: a second attacking address gets no guess at all once
    # it has failed anywhere, but the owner's fresh client signs in with the password.
    session = accounts.login(lib, "ada", "a long passphrase", client="192.168.1.20")
    assert session.user.username == "ada"
    with pytest.raises(ReviewError):
        accounts.login(lib, "bob", "bad guess 999", client="10.0.0.77")
    with pytest.raises(accounts.TooManyAttempts):
        accounts.login(lib, "ada", "another guess", client="10.0.0.77")


def test_one_client_is_limited_across_user_names(lib: Library) -> None:
    for n in range(accounts.MAX_CLIENT_FAILURES):
        with pytest.raises(ReviewError, match="wrong username"):
            accounts.login(lib, f"user{n}", "guess guess", client="10.0.0.66")
    with pytest.raises(accounts.TooManyAttempts):
        accounts.login(lib, "someone-else", "guess guess", client="10.0.0.66")


def test_parallel_guesses_cannot_race_past_the_limit(
    lib: Library, library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.add_user(lib, "ada", "a long passphrase", "reviewer")
    checked: list[str] = []
    real = accounts._hasher

    class Counting:
        time_cost, memory_cost, parallelism = real.time_cost, real.memory_cost, real.parallelism

        def verify(self, hashed: str, password: str) -> bool:
            checked.append(password)
            return real.verify(hashed, password)

        def hash(self, password: str) -> str:
            return real.hash(password)

    monkeypatch.setattr(accounts, "_hasher", Counting())

    def guess(n: int) -> str:
        conn = Library.open(library_path)
        try:
            accounts.login(conn, "ada", f"guess {n:04}", client="10.0.0.66")
        except accounts.TooManyAttempts:
            return "throttled"
        except ReviewError:
            return "wrong"
        finally:
            conn.close()
        return "in"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(guess, range(40)))
    assert outcomes.count("wrong") == accounts.MAX_FAILURES
    assert outcomes.count("throttled") == 40 - accounts.MAX_FAILURES
    assert len(checked) == accounts.MAX_FAILURES


def test_missing_users_cost_a_full_password_check(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real_verify = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda h, p: checked.append(h) or real_verify(h, p))
    with pytest.raises(ReviewError, match="wrong username or password"):
        accounts.login(lib, "nobody", "whatever123")
    assert len(checked) == 1 and checked[0].startswith("$argon2")


def test_huge_user_names_are_clipped_before_storage(lib: Library) -> None:
    huge = "x" * 1_000_000 + "\x1b]0;owned\x07"
    with pytest.raises(ReviewError, match="wrong username"):
        accounts.login(lib, huge, "whatever123", client="c" * 10_000)
    rows = lib.conn.execute("SELECT username, client FROM login_attempts").fetchall()
    logged = lib.conn.execute("SELECT actor, detail FROM audit_log").fetchall()
    for name, client in [*rows, *logged]:
        assert len(name) <= accounts.MAX_NAME_CHARS and len(client) <= accounts.MAX_NAME_CHARS
        assert "\x1b" not in name


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
