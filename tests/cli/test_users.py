"""``curbside users``: passwords only prompted or from the environment, roles checked first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curbside.cli import app
from curbside.review.accounts import list_users, login
from curbside.store import Library

runner = CliRunner()


def _users(library: Path) -> list[str]:
    lib = Library.open(library)
    try:
        return [u.username for u in list_users(lib)]
    finally:
        lib.close()


def test_password_option_is_gone(library_path: Path) -> None:
    result = runner.invoke(
        app, ["users", "add", "rita", "--password", "long enough pw", "-L", str(library_path)]
    )
    assert result.exit_code == 2 and "--password" in result.output
    assert _users(library_path) == []


def test_password_comes_from_the_environment(
    library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURBSIDE_NEW_PASSWORD", "long enough pw")
    result = runner.invoke(app, ["users", "add", "rita", "-L", str(library_path)])
    assert result.exit_code == 0, result.output
    lib = Library.open(library_path)
    try:
        assert login(lib, "rita", "long enough pw").user.username == "rita"
    finally:
        lib.close()


def test_bad_role_is_refused_before_any_prompt(
    library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CURBSIDE_NEW_PASSWORD", raising=False)
    result = runner.invoke(
        app, ["users", "add", "rita", "--role", "owner", "-L", str(library_path)], input=""
    )
    assert result.exit_code == 2
    assert "reviewer, admin" in result.output and "Password" not in result.output


def test_no_terminal_and_no_variable_is_one_clear_line(library_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CURBSIDE_NEW_PASSWORD"}
    done = subprocess.run(
        [sys.executable, "-m", "curbside", "users", "add", "rita", "-L", str(library_path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "CURBSIDE_NEW_PASSWORD" in lines[0]
    assert "Traceback" not in done.stderr and _users(library_path) == []
